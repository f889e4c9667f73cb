//! The test suite's fake Spotify Web API as a standalone server, for
//! benchmarks (`benches/run.sh`): a synthetic catalog answered with a fixed
//! latency on 127.0.0.1.
//!
//! ```text
//! cargo run --release --example fake_spotify -- --artists 100 --albums 4 --latency-ms 20
//! ```
//!
//! Faults, for the soak (`scripts/soak.sh`): `--jitter-ms J` adds a uniform
//! 0..J ms to every answer; `--p429 P`, `--p5xx P`, `--ptruncated P` give
//! that percentage of `/v1` requests a 429 (Retry-After 0, one in ten 1 s),
//! a 500/502/503, or a 200 whose body is cut in half (drawn per request
//! number from `--seed`); `--quota-after N` answers every `/v1` request
//! after the N-th with the quota 429.
//!
//! Prints `api=<url> auth=<url> client_id=<id> client_secret=<secret>
//! minimum=<requests>` on one line, then serves until its standard input
//! closes; a line `quota off` on standard input lifts the quota.
//! `minimum` is SPOTIFY_API.md §7's request count for a cold run of every
//! artist by name with `include_groups = ["album"]` in development mode
//! (pages of 10), token excluded.
#![allow(dead_code)]

// Only the fake, not the rest of the test support (which needs the test
// harness's environment).
#[path = "../tests/support"]
mod support {
    pub mod fake_spotify;
    pub mod loopback;
}

use std::collections::BTreeMap;
use std::io::BufRead as _;
use std::time::Duration;

use support::fake_spotify::{CLIENT_ID, CLIENT_SECRET, FakeData, FakeSpotify, Fault, Knobs};

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
    let jitter = Duration::from_millis(arg(&args, "--jitter-ms", 0));
    let quota_after = match arg(&args, "--quota-after", 0) {
        0 => None,
        n => Some(n),
    };
    let knobs = Knobs {
        latency: (latency, jitter),
        faults: faults(&args, 4 * minimum as u64),
        quota_after,
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
    for line in std::io::stdin().lock().lines() {
        match line.as_deref().map(str::trim) {
            Ok("quota off") => {
                fake.set_knobs(|k| k.quota_after = None);
                eprintln!("quota lifted");
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    eprintln!("served {} requests", fake.requests().len());
}

/// Request number → fault, for the first `span` `/v1` requests, drawn
/// from the `--seed`ed generator with the `--p…` percentages.
fn faults(args: &[String], span: u64) -> BTreeMap<u64, Fault> {
    let (p429, p5xx, ptrunc) = (
        arg(args, "--p429", 0),
        arg(args, "--p5xx", 0),
        arg(args, "--ptruncated", 0),
    );
    let mut rng = fastrand::Rng::with_seed(arg(args, "--seed", 1) ^ 0x5eed);
    let mut out = BTreeMap::new();
    for k in 1..=span {
        let roll = rng.u64(0..100);
        let fault = if roll < p429 {
            Fault::TooMany(u64::from(rng.u8(0..10) == 0))
        } else if roll < p429 + p5xx {
            Fault::Status([500, 502, 503][rng.usize(0..3)])
        } else if roll < p429 + p5xx + ptrunc {
            Fault::Truncated200
        } else {
            continue;
        };
        out.insert(k, fault);
    }
    out
}
