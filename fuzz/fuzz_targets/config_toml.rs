//! Any text as `spotify-lake.toml`: `FileConfig::parse` (stage one), then
//! `Config::resolve` (stage two), as the CLI does. Bad input is a
//! `ConfigError` naming the key, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotify_lake::config::{Config, Env, FileConfig, Overrides};
use spotify_lake::error_chain;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name = "spotify-lake.toml";
    let resolved = FileConfig::parse(text, name).and_then(|file| {
        Config::resolve(Some((name, &file)), &Overrides::default(), &Env::default())
    });
    match resolved {
        Ok(_) => {}
        Err(e) => {
            let _ = error_chain(&e);
        }
    }
});
