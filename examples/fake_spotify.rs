//! The test suite's fake Spotify Web API as a standalone server, for
//! benchmarks (`benches/run.sh`): a synthetic catalog answered with a fixed
//! latency on 127.0.0.1.
//!
//! ```text
//! cargo run --release --example fake_spotify -- --artists 100 --albums 4 --latency-ms 20
//! ```
//!
//! Prints `api=<url> auth=<url> client_id=<id> client_secret=<secret>
//! minimum=<requests>` on one line, then serves until its standard input
//! closes. `minimum` is SPOTIFY_API.md §7's request count for a cold run of
//! every artist by name with `include_groups = ["album"]` in development
//! mode (pages of 10), token excluded.
#![allow(dead_code)]

// Only the fake, not the rest of the test support (which needs the test
// harness's environment).
#[path = "../tests/support"]
mod support {
    pub mod fake_spotify;
    pub mod loopback;
}

use std::io::Read as _;
use std::time::Duration;

use support::fake_spotify::{CLIENT_ID, CLIENT_SECRET, FakeData, FakeSpotify, Knobs};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} takes a whole number")),
        None => default,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let artists = arg(&args, "--artists", 100) as usize;
    let albums = arg(&args, "--albums", 4) as usize;
    let latency = Duration::from_millis(arg(&args, "--latency-ms", 20));
    let mut data = FakeData::synthetic(artists, albums, arg(&args, "--seed", 1));
    data.playlists.clear();
    for artist in &mut data.artists {
        for album in &mut artist.albums {
            album.group = "album".into();
        }
    }
    let minimum: usize = data
        .artists
        .iter()
        .map(|a| 2 + a.albums.len().div_ceil(10).max(1))
        .sum::<usize>()
        + data
            .albums()
            .map(|a| a.id.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .iter()
            .map(|id| {
                let tracks = data.album(id).map_or(0, |a| a.tracks.len());
                1 + tracks.div_ceil(50).saturating_sub(1)
            })
            .sum::<usize>();
    let names: Vec<String> = data.artists.iter().map(|a| a.name.clone()).collect();
    let knobs = Knobs {
        latency: (latency, Duration::ZERO),
        ..Knobs::dev()
    };
    let fake = FakeSpotify::start_blocking(data, knobs);
    println!(
        "api={} auth={} client_id={CLIENT_ID} client_secret={CLIENT_SECRET} minimum={minimum}",
        fake.api_base_url(),
        fake.auth_base_url()
    );
    eprintln!(
        "artists: {}",
        serde_json::to_string(&names).expect("names serialise")
    );
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    eprintln!("served {} requests", fake.requests().len());
}
