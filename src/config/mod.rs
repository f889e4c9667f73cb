//! Configuration: the only code that reads the config file, flags and
//! environment.
//!
//! Two stages (CONVENTIONS.md §2). Stage one gathers what was written:
//! the TOML file ([`FileConfig`], every field optional, unknown keys
//! refused; `file.rs`), or in Lambda mode the environment variables that
//! stand for it (`lambda_env.rs`, with [`Env`], the environment read once
//! in `main`), and the flags ([`Overrides`]). Stage two,
//! [`Config::resolve`] (`resolve.rs`, one resolver per section), merges
//! them (flags win over the environment and the file, those over
//! [`DEFAULTS`]), validates every value and returns typed values: ids,
//! [`ZoneUrl`]s, a [`CatalogKind`], bounded numbers. After that nothing
//! reads `std::env`. Every error names the key (and the file) and a valid
//! value, and comes before the first request.
//!
//! The Spotify app's [`Credentials`] stay outside [`Config`]
//! (`credentials.rs`): only the commands that call Spotify ask for them,
//! and the Lambda reads them from Secrets Manager when the environment has
//! none.
//!
//! This module imports only vocabulary: ids and the zone URL of
//! [`crate::store`] (and the lease options a writer takes); the catalog
//! imports [`CatalogKind`] from here, not the other way round.

mod credentials;
mod file;
mod lambda_env;
mod resolve;

use std::fmt;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use url::Url;

use crate::ids::{ExtractDate, IdKind, SpotifyId};
pub use crate::store::ZoneUrl;

pub use credentials::Credentials;
pub use file::{CatalogSection, FileConfig, LakeSection, SpotifySection};
pub use lambda_env::{Env, LAMBDA_ENV_NAME, LAMBDA_VARS};

/// A whole number a key takes: its default (also the example in
/// messages) and its bounds, inclusive.
#[derive(Debug, Clone, Copy)]
pub struct Bounded {
    /// The value when the key is not given.
    pub default: i64,
    /// The smallest valid value.
    pub min: i64,
    /// The largest valid value.
    pub max: i64,
}

/// Every default of the configuration, in one place: what a key takes
/// when neither a flag, the environment nor the file gives it.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    /// The config file read when `--config` is not given and it exists.
    pub config_file: &'static str,
    /// `SPOTIFY_API_BASE_URL`: the Web API base, with `/v1/`.
    pub api_base_url: &'static str,
    /// `SPOTIFY_AUTH_BASE_URL`: the accounts service (token at
    /// `{auth}api/token`).
    pub auth_base_url: &'static str,
    /// `[spotify] include_groups`.
    pub include_groups: &'static [IncludeGroup],
    /// `[spotify] playlist_artists`.
    pub playlist_artists: bool,
    /// `[spotify] market`.
    pub market: &'static str,
    /// `[spotify] concurrency`.
    pub concurrency: Bounded,
    /// `[spotify] max_wait_seconds`.
    pub max_wait_seconds: Bounded,
    /// `[spotify] reuse_days`.
    pub reuse_days: Bounded,
    /// `[spotify] max_requests`: no limit when unset (its `default` is
    /// only the example in messages).
    pub max_requests: Bounded,
    /// `[spotify] min_interval_ms`.
    pub min_interval_ms: Bounded,
    /// `[spotify] backoff_base_ms`.
    pub backoff_base_ms: Bounded,
    /// `[lake] url`.
    pub lake_url: &'static str,
    /// `[lake] raw_url`.
    pub raw_url: &'static str,
    /// `[lake] lease_minutes`.
    pub lease_minutes: Bounded,
    /// `[catalog] kind` from the command line.
    pub catalog: CatalogKind,
    /// `CATALOG` in Lambda mode (the Lambda's lake is on S3, for Athena).
    pub lambda_catalog: CatalogKind,
    /// `[catalog] database`.
    pub database: &'static str,
    /// `[catalog] projection`.
    pub projection: bool,
}

/// The defaults (DESIGN.md, Configuration).
pub const DEFAULTS: Defaults = Defaults {
    config_file: "spotify-lake.toml",
    api_base_url: "https://api.spotify.com/v1/",
    auth_base_url: "https://accounts.spotify.com/",
    include_groups: &[IncludeGroup::Album],
    playlist_artists: false,
    market: "GB",
    concurrency: Bounded {
        default: 4,
        min: 1,
        max: 64,
    },
    max_wait_seconds: Bounded {
        default: 60,
        min: 0,
        max: 3600,
    },
    reuse_days: Bounded {
        default: 364,
        min: 1,
        max: 36_500,
    },
    max_requests: Bounded {
        default: 1000,
        min: 1,
        max: 100_000_000,
    },
    min_interval_ms: Bounded {
        default: 0,
        min: 0,
        max: 60_000,
    },
    backoff_base_ms: Bounded {
        default: 1000,
        min: 1,
        max: 60_000,
    },
    lake_url: "lake",
    raw_url: "raw",
    lease_minutes: Bounded {
        default: crate::lease::DEFAULT_LEASE_MINUTES as i64,
        min: 1,
        max: 10_080,
    },
    catalog: CatalogKind::Local,
    lambda_catalog: CatalogKind::Glue,
    database: "spotify_lake",
    projection: false,
};

/// The config file used when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = DEFAULTS.config_file;
/// Spotify's Web API base, with the `/v1/` path.
pub const DEFAULT_API_BASE_URL: &str = DEFAULTS.api_base_url;
/// Spotify's accounts service (token at `{auth}api/token`).
pub const DEFAULT_AUTH_BASE_URL: &str = DEFAULTS.auth_base_url;

/// A configuration error: exit code 2, before any work.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the config file {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown key or a wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// toml's message, which names the key and line.
        message: String,
    },
    /// A value is out of range or malformed.
    #[error("{key} = {value}: {expected}")]
    Value {
        /// `[section] key` or `--flag` or `ENV_VAR`, and the file when it came from one.
        key: String,
        /// What was given.
        value: String,
        /// What is valid, with an example.
        expected: String,
    },
    /// A zone's location is neither a directory nor a URL this tool
    /// serves (`--lake s4://x`); the source says what is expected.
    #[error("{key}")]
    Location {
        /// `--lake`, `--raw` or `[lake] url`/`raw_url`, and the file.
        key: String,
        /// The location (without a password) and what is expected.
        #[source]
        source: crate::store::StoreError,
    },
    /// Credentials are needed and absent.
    #[error("{0}")]
    Missing(String),
}

/// Flags given on the command line (stage one); `None` = not given.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--artist`, repeatable; replaces the file's list.
    pub artists: Vec<String>,
    /// `--playlist`, repeatable; replaces the file's list.
    pub playlists: Vec<String>,
    /// `--full`
    pub full: bool,
    /// `--dry-run`
    pub dry_run: bool,
    /// `--lake`
    pub lake: Option<String>,
    /// `--raw`
    pub raw: Option<String>,
    /// `--catalog`
    pub catalog: Option<CatalogKind>,
    /// `--database`
    pub database: Option<String>,
    /// `--extract-date`
    pub extract_date: Option<ExtractDate>,
}

/// Which catalog a run registers in (`--catalog`, `[catalog] kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogKind {
    /// Table definitions in `<lake>/_catalog/`, read by the embedded engine.
    Local,
    /// The AWS Glue Data Catalog (the lake must be on S3).
    Glue,
    /// Register nothing.
    None,
}

impl CatalogKind {
    /// The name in the config file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CatalogKind::Local => "local",
            CatalogKind::Glue => "glue",
            CatalogKind::None => "none",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "local" => CatalogKind::Local,
            "glue" => CatalogKind::Glue,
            "none" => CatalogKind::None,
            _ => return None,
        })
    }
}

/// How an artist is named in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtistSpec {
    /// A Spotify id (given bare, as a URI or as a URL).
    Id(SpotifyId),
    /// A name to search for.
    Name(String),
}

impl ArtistSpec {
    /// An id, URI or URL becomes an id; anything else is a name to search.
    /// (A 22-letter one-word name would read as an id: pass its id instead.)
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        Some(match SpotifyId::parse(IdKind::Artist, s) {
            Ok(id) => ArtistSpec::Id(id),
            Err(_) => ArtistSpec::Name(s.to_owned()),
        })
    }

    /// What the user wrote, for the manifest's `query`.
    pub fn query(&self) -> String {
        match self {
            ArtistSpec::Id(id) => id.to_string(),
            ArtistSpec::Name(n) => n.clone(),
        }
    }
}

impl fmt::Display for ArtistSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.query())
    }
}

/// An include group of the artist-albums endpoint. Order matters: an album
/// listed under two groups takes the first in the configured order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncludeGroup {
    /// Studio albums.
    Album,
    /// Singles and EPs.
    Single,
    /// Compilations.
    Compilation,
    /// Albums the artist appears on.
    AppearsOn,
}

impl IncludeGroup {
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            IncludeGroup::Album => "album",
            IncludeGroup::Single => "single",
            IncludeGroup::Compilation => "compilation",
            IncludeGroup::AppearsOn => "appears_on",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "album" => IncludeGroup::Album,
            "single" => IncludeGroup::Single,
            "compilation" => IncludeGroup::Compilation,
            "appears_on" => IncludeGroup::AppearsOn,
            _ => return None,
        })
    }
}

/// Everything the extractor needs, validated.
#[derive(Debug, Clone)]
pub struct SpotifyConfig {
    /// Artists to extract.
    pub artists: Vec<ArtistSpec>,
    /// Playlists to extract.
    pub playlists: Vec<SpotifyId>,
    /// Also extract every artist found on the playlists.
    pub playlist_artists: bool,
    /// Include groups, in order, without repeats.
    pub include_groups: Vec<IncludeGroup>,
    /// Market sent with every request (two upper-case letters).
    pub market: String,
    /// Requests in flight at most.
    pub concurrency: NonZeroUsize,
    /// Longest Retry-After waited out.
    pub max_wait: Duration,
    /// Refresh period of an album body, in days.
    pub reuse_days: NonZeroU32,
    /// Stop before going over this many requests.
    pub max_requests: Option<u64>,
    /// Pause between requests.
    pub min_interval: Duration,
    /// First backoff step.
    pub backoff_base: Duration,
    /// API base with `/v1/`.
    pub api_base_url: Url,
    /// Accounts base.
    pub auth_base_url: Url,
}

/// The resolved configuration (stage two).
#[derive(Debug, Clone)]
pub struct Config {
    /// Spotify settings.
    pub spotify: SpotifyConfig,
    /// The clean zone: a directory, `file://` or `s3://bucket/prefix`.
    pub lake_url: ZoneUrl,
    /// The raw zone: a directory, `file://` or `s3://bucket/prefix`.
    pub raw_url: ZoneUrl,
    /// Where to register.
    pub catalog: CatalogKind,
    /// The Glue database.
    pub database: String,
    /// Partition projection (Glue).
    pub projection: bool,
    /// The extract date (default: today UTC for `run`, the newest snapshot for `load`).
    pub extract_date: Option<ExtractDate>,
    /// `--full`: fetch every album again.
    pub full: bool,
    /// `--dry-run`: plan only.
    pub dry_run: bool,
    /// How leases are taken (`[lake] lease_minutes`); the Lambda sets
    /// its request id as their label.
    pub lease: crate::lease::LeaseOptions,
}
