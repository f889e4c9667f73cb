//! Lambda mode's stage one: the input up to its first NUL byte is the
//! invocation event (any JSON, `lambda::event::overrides`); after it, lines
//! `NAME=value` are the function's environment
//! (`FileConfig::from_lambda_env`). Both then go through `Config::resolve`,
//! as the handler does. Bad input is the invocation's error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotify_lake::config::{Config, Env, FileConfig, LAMBDA_ENV_NAME, Overrides};
use spotify_lake::error_chain;
use spotify_lake::lambda::event::overrides;

fuzz_target!(|data: &[u8]| {
    let (event, env) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let flags = match serde_json::from_slice::<serde_json::Value>(event) {
        Ok(event) => match overrides(&event) {
            Ok(flags) => flags,
            Err(e) => {
                let _ = e.to_string();
                Overrides::default()
            }
        },
        Err(_) => Overrides::default(),
    };
    let env = Env(String::from_utf8_lossy(env)
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect());
    let resolved = FileConfig::from_lambda_env(&env)
        .and_then(|file| Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &flags, &env));
    if let Err(e) = resolved {
        let _ = error_chain(&e);
    }
});
