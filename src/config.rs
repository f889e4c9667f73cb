//! Configuration: the only code that reads the config file, flags and
//! environment.
//!
//! Two stages (CONVENTIONS.md §2): stage one gathers the TOML file
//! ([`FileConfig`], every field optional, unknown keys refused), the flags
//! ([`Overrides`]) and the environment ([`Env`]); stage two,
//! [`Config::resolve`], merges them (flags win over the file, the file over
//! defaults), validates every value and returns typed values. After that
//! nothing reads `std::env`. Every error names the key (and the file) and a
//! valid value, and comes before the first request.

use std::collections::BTreeMap;
use std::fmt;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::catalog::CatalogKind;
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::store::without_password;

/// The config file used when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "spotify-lake.toml";
/// Spotify's Web API base, with the `/v1/` path.
pub const DEFAULT_API_BASE_URL: &str = "https://api.spotify.com/v1/";
/// Spotify's accounts service (token at `{auth}api/token`).
pub const DEFAULT_AUTH_BASE_URL: &str = "https://accounts.spotify.com/";

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
    /// Credentials are needed and absent.
    #[error("{0}")]
    Missing(String),
}

/// `[spotify]` of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotifySection {
    /// Artist names, ids or `spotify:artist:` URIs.
    pub artists: Option<Vec<String>>,
    /// Playlist ids, URIs or URLs.
    pub playlists: Option<Vec<String>>,
    /// Also take every artist found on the playlists.
    pub playlist_artists: Option<bool>,
    /// album, single, compilation, appears_on.
    pub include_groups: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 country, e.g. GB.
    pub market: Option<String>,
    /// Requests in flight at most.
    pub concurrency: Option<i64>,
    /// The longest Retry-After waited out; longer is a quota stop.
    pub max_wait_seconds: Option<i64>,
    /// An album body is refreshed once every this many days.
    pub reuse_days: Option<i64>,
    /// Stop (exit 3) before going over this many requests.
    pub max_requests: Option<i64>,
    /// Pause between requests.
    pub min_interval_ms: Option<i64>,
    /// First backoff step for 5xx and timeouts (doubled each try, jittered).
    pub backoff_base_ms: Option<i64>,
}

/// `[lake]` of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LakeSection {
    /// The clean zone.
    pub url: Option<String>,
    /// The raw zone.
    pub raw_url: Option<String>,
    /// A writer's lease (a date of the raw zone, the catalog) not renewed
    /// for this many minutes is taken over, e.g. 20.
    pub lease_minutes: Option<i64>,
}

/// `[catalog]` of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogSection {
    /// local, glue or none.
    pub kind: Option<String>,
    /// The Glue database.
    pub database: Option<String>,
    /// Partition projection on the Glue tables.
    pub projection: Option<bool>,
}

/// The TOML file, as written (stage one).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `[spotify]`
    pub spotify: Option<SpotifySection>,
    /// `[lake]`
    pub lake: Option<LakeSection>,
    /// `[catalog]`
    pub catalog: Option<CatalogSection>,
}

impl FileConfig {
    /// Parses TOML text; `path` names the file in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
    }

    /// Reads `path`, or `spotify-lake.toml` when `path` is `None` and that
    /// file exists. Returns the file's name for messages.
    pub fn load(path: Option<&Path>) -> Result<Option<(String, Self)>, ConfigError> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let name = path.display().to_string();
                Self::parse(&text, &name).map(|c| Some((name, c)))
            }
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ConfigError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}

/// The environment variables of Lambda mode (DESIGN.md, Lambda), each the
/// counterpart of a config-file key. Read only in Lambda mode.
pub const LAMBDA_VARS: &[&str] = &[
    "LAKE_URL",
    "RAW_URL",
    "CATALOG",
    "GLUE_DATABASE",
    "PROJECTION",
    "ARTISTS",
    "PLAYLISTS",
    "PLAYLIST_ARTISTS",
    "INCLUDE_GROUPS",
    "MARKET",
    "CONCURRENCY",
    "MAX_WAIT_SECONDS",
    "REUSE_DAYS",
    "MAX_REQUESTS",
    "LEASE_MINUTES",
    "SPOTIFY_SECRET_ARN",
];

/// How errors name the Lambda environment as a "file".
pub const LAMBDA_ENV_NAME: &str = "the Lambda environment";

impl FileConfig {
    /// Stage one in Lambda mode: the environment variables of
    /// [`LAMBDA_VARS`] as the file they stand for. A list is a JSON array,
    /// or comma-separated when the value does not start with `[` (artist
    /// names can hold commas: use the JSON form for those).
    pub fn from_lambda_env(env: &Env) -> Result<Self, ConfigError> {
        let list = |name: &str| -> Result<Option<Vec<String>>, ConfigError> {
            let Some(v) = env.get(name) else {
                return Ok(None);
            };
            let v = v.trim();
            if v.starts_with('[') {
                serde_json::from_str::<Vec<String>>(v)
                    .map(Some)
                    .map_err(|e| ConfigError::Value {
                        key: name.to_owned(),
                        value: v.to_owned(),
                        expected: format!(
                            "expected a JSON array of strings, e.g. [\"Bruno Mars\", \"Adele\"] ({e})"
                        ),
                    })
            } else {
                Ok(Some(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                ))
            }
        };
        let number = |name: &str| -> Result<Option<i64>, ConfigError> {
            env.get(name)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|_| ConfigError::Value {
                        key: name.to_owned(),
                        value: v.to_owned(),
                        expected: "expected a whole number, e.g. 4".into(),
                    })
                })
                .transpose()
        };
        let flag = |name: &str| -> Result<Option<bool>, ConfigError> {
            env.get(name)
                .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => Ok(true),
                    "false" | "0" | "no" => Ok(false),
                    _ => Err(ConfigError::Value {
                        key: name.to_owned(),
                        value: v.to_owned(),
                        expected: "expected true or false".into(),
                    }),
                })
                .transpose()
        };
        let text = |name: &str| env.get(name).map(|v| v.trim().to_owned());
        Ok(FileConfig {
            spotify: Some(SpotifySection {
                artists: list("ARTISTS")?,
                playlists: list("PLAYLISTS")?,
                playlist_artists: flag("PLAYLIST_ARTISTS")?,
                include_groups: list("INCLUDE_GROUPS")?,
                market: text("MARKET"),
                concurrency: number("CONCURRENCY")?,
                max_wait_seconds: number("MAX_WAIT_SECONDS")?,
                reuse_days: number("REUSE_DAYS")?,
                max_requests: number("MAX_REQUESTS")?,
                min_interval_ms: None,
                backoff_base_ms: None,
            }),
            lake: Some(LakeSection {
                url: text("LAKE_URL"),
                raw_url: text("RAW_URL"),
                lease_minutes: number("LEASE_MINUTES")?,
            }),
            catalog: Some(CatalogSection {
                kind: Some(text("CATALOG").unwrap_or_else(|| "glue".into())),
                database: text("GLUE_DATABASE"),
                projection: flag("PROJECTION")?,
            }),
        })
    }
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

/// The environment variables the program reads, gathered once in `main`.
#[derive(Debug, Clone, Default)]
pub struct Env(pub BTreeMap<String, String>);

impl Env {
    /// The process environment (only the variables named in DESIGN.md).
    pub fn from_process() -> Self {
        let names = [
            "SPOTIFY_CLIENT_ID",
            "SPOTIFY_CLIENT_SECRET",
            "SPOTIFY_API_BASE_URL",
            "SPOTIFY_AUTH_BASE_URL",
        ];
        Env(names
            .iter()
            .chain(LAMBDA_VARS)
            .filter_map(|n| std::env::var(n).ok().map(|v| (n.to_string(), v)))
            .collect())
    }

    /// A variable's value; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
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

/// Client-credentials of the Spotify app; never logged.
#[derive(Clone)]
pub struct Credentials {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials { client_id: …, client_secret: … }")
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
    /// `None` until `run` needs them: only `run` asks for credentials.
    pub credentials: Option<Credentials>,
}

/// The resolved configuration (stage two).
#[derive(Debug, Clone)]
pub struct Config {
    /// Spotify settings.
    pub spotify: SpotifyConfig,
    /// The clean zone: directory or URL.
    pub lake_url: String,
    /// The raw zone: directory or URL.
    pub raw_url: String,
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

struct Resolver<'a> {
    file: Option<&'a str>,
}

impl Resolver<'_> {
    fn key(&self, section: &str, key: &str) -> String {
        match self.file {
            Some(f) => format!("[{section}] {key} (in {f})"),
            None => format!("[{section}] {key}"),
        }
    }

    fn bad(
        &self,
        section: &str,
        key: &str,
        value: impl fmt::Display,
        expected: &str,
    ) -> ConfigError {
        ConfigError::Value {
            key: self.key(section, key),
            value: value.to_string(),
            expected: expected.to_owned(),
        }
    }

    fn range(
        &self,
        section: &str,
        key: &str,
        v: Option<i64>,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, ConfigError> {
        match v {
            None => Ok(default),
            Some(v) if (min..=max).contains(&v) => Ok(v),
            Some(v) => Err(self.bad(
                section,
                key,
                v,
                &format!("expected a whole number from {min} to {max}, e.g. {default}"),
            )),
        }
    }
}

impl Config {
    /// Merges and validates. `file` is the config file's name and contents,
    /// if one was read.
    pub fn resolve(
        file: Option<(&str, &FileConfig)>,
        flags: &Overrides,
        env: &Env,
    ) -> Result<Config, ConfigError> {
        let r = Resolver {
            file: file.map(|(name, _)| name),
        };
        let empty = FileConfig::default();
        let fc = file.map_or(&empty, |(_, c)| c);
        let sp = fc.spotify.clone().unwrap_or_default();
        let lake = fc.lake.clone().unwrap_or_default();
        let cat = fc.catalog.clone().unwrap_or_default();

        let artist_strings = if flags.artists.is_empty() {
            sp.artists.clone().unwrap_or_default()
        } else {
            flags.artists.clone()
        };
        let mut artists = Vec::new();
        for a in &artist_strings {
            let spec = ArtistSpec::parse(a).ok_or_else(|| {
                r.bad(
                    "spotify",
                    "artists",
                    format!("{a:?}"),
                    "expected an artist name, id, spotify:artist: URI or open.spotify.com URL",
                )
            })?;
            if !artists.contains(&spec) {
                artists.push(spec);
            }
        }
        let playlist_strings = if flags.playlists.is_empty() {
            sp.playlists.clone().unwrap_or_default()
        } else {
            flags.playlists.clone()
        };
        let mut playlists = Vec::new();
        for p in &playlist_strings {
            let id = SpotifyId::parse(IdKind::Playlist, p).map_err(|e| {
                if flags.playlists.is_empty() {
                    r.bad("spotify", "playlists", format!("{p:?}"), &e.to_string())
                } else {
                    ConfigError::Value {
                        key: "--playlist (or a Lambda event's \"playlists\")".into(),
                        value: format!("{p:?}"),
                        expected: e.to_string(),
                    }
                }
            })?;
            if !playlists.contains(&id) {
                playlists.push(id);
            }
        }
        let mut include_groups = Vec::new();
        for g in sp
            .include_groups
            .clone()
            .unwrap_or_else(|| vec!["album".into()])
        {
            let group = IncludeGroup::parse(&g).ok_or_else(|| {
                r.bad(
                    "spotify",
                    "include_groups",
                    format!("{g:?}"),
                    "expected album, single, compilation or appears_on",
                )
            })?;
            if !include_groups.contains(&group) {
                include_groups.push(group);
            }
        }
        if include_groups.is_empty() {
            return Err(r.bad(
                "spotify",
                "include_groups",
                "[]",
                "expected at least one of album, single, compilation, appears_on",
            ));
        }
        let market = sp.market.clone().unwrap_or_else(|| "GB".into());
        if market.len() != 2 || !market.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(r.bad("spotify", "market", format!("{market:?}"), "expected an ISO 3166-1 alpha-2 country code in capitals, e.g. \"GB\" (never from_token)"));
        }
        let concurrency = r.range("spotify", "concurrency", sp.concurrency, 4, 1, 64)?;
        let max_wait = r.range(
            "spotify",
            "max_wait_seconds",
            sp.max_wait_seconds,
            60,
            0,
            3600,
        )?;
        let reuse_days = r.range("spotify", "reuse_days", sp.reuse_days, 364, 1, 36_500)?;
        let lease_minutes = r.range(
            "lake",
            "lease_minutes",
            lake.lease_minutes,
            i64::from(crate::lease::DEFAULT_LEASE_MINUTES),
            1,
            10_080,
        )?;
        let max_requests = match sp.max_requests {
            None => None,
            Some(n) => {
                Some(r.range("spotify", "max_requests", Some(n), 1000, 1, 100_000_000)? as u64)
            }
        };
        let min_interval = r.range(
            "spotify",
            "min_interval_ms",
            sp.min_interval_ms,
            0,
            0,
            60_000,
        )?;
        let backoff_base = r.range(
            "spotify",
            "backoff_base_ms",
            sp.backoff_base_ms,
            1000,
            1,
            60_000,
        )?;

        let url_from_env = |name: &str, default: &str| -> Result<Url, ConfigError> {
            let value = env.get(name).unwrap_or(default);
            let mut url = Url::parse(value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| ConfigError::Value {
                    key: name.to_owned(),
                    value: without_password(value),
                    expected: format!("expected an http(s) URL, e.g. {default}"),
                })?;
            if url.scheme() == "http" && !is_loopback(&url) {
                return Err(ConfigError::Value {
                    key: name.to_owned(),
                    value: without_password(value),
                    expected: "an https:// URL: the client id and secret and the token go over TLS only (http:// is accepted for loopback hosts, 127.x.x.x, [::1] or localhost, as the tests' fakes)".into(),
                });
            }
            if !url.path().ends_with('/') {
                url.set_path(&format!("{}/", url.path()));
            }
            Ok(url)
        };
        let credentials = match (
            env.get("SPOTIFY_CLIENT_ID"),
            env.get("SPOTIFY_CLIENT_SECRET"),
        ) {
            (Some(id), Some(secret)) => Some(Credentials {
                client_id: id.to_owned(),
                client_secret: secret.to_owned(),
            }),
            _ => None,
        };

        let catalog = match (flags.catalog, cat.kind.as_deref()) {
            (Some(k), _) => k,
            (None, None | Some("local")) => CatalogKind::Local,
            (None, Some("none")) => CatalogKind::None,
            (None, Some("glue")) => CatalogKind::Glue,
            (None, Some(other)) => {
                return Err(r.bad(
                    "catalog",
                    "kind",
                    format!("{other:?}"),
                    "expected \"local\", \"glue\" or \"none\"",
                ));
            }
        };
        let database = flags
            .database
            .clone()
            .or(cat.database.clone())
            .unwrap_or_else(|| "spotify_lake".into());
        if database.is_empty()
            || !database
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(r.bad(
                "catalog",
                "database",
                format!("{database:?}"),
                "expected lower-case letters, digits and _, e.g. spotify_lake",
            ));
        }

        let lake_url = flags
            .lake
            .clone()
            .or(lake.url.clone())
            .unwrap_or_else(|| "lake".into());
        if catalog == CatalogKind::Glue && !lake_url.starts_with("s3://") {
            return Err(ConfigError::Value {
                key: "--catalog glue".into(),
                value: format!("with --lake {lake_url}"),
                expected: "the Glue catalog registers S3 locations for Athena: put the lake on S3 (--lake s3://bucket/prefix) or use --catalog local".into(),
            });
        }
        if let Some(date) = flags.extract_date {
            date.check_given(ExtractDate::today_utc())
                .map_err(|expected| ConfigError::Value {
                    key: "--extract-date (the Lambda event's extract_date)".into(),
                    value: date.to_string(),
                    expected,
                })?;
        }
        Ok(Config {
            spotify: SpotifyConfig {
                artists,
                playlists,
                playlist_artists: sp.playlist_artists.unwrap_or(false),
                include_groups,
                market,
                concurrency: NonZeroUsize::new(concurrency as usize).expect("range starts at 1"),
                max_wait: Duration::from_secs(max_wait as u64),
                reuse_days: NonZeroU32::new(reuse_days as u32).expect("range starts at 1"),
                max_requests,
                min_interval: Duration::from_millis(min_interval as u64),
                backoff_base: Duration::from_millis(backoff_base as u64),
                api_base_url: url_from_env("SPOTIFY_API_BASE_URL", DEFAULT_API_BASE_URL)?,
                auth_base_url: url_from_env("SPOTIFY_AUTH_BASE_URL", DEFAULT_AUTH_BASE_URL)?,
                credentials,
            },
            lake_url,
            raw_url: flags
                .raw
                .clone()
                .or(lake.raw_url)
                .unwrap_or_else(|| "raw".into()),
            catalog,
            database,
            projection: cat.projection.unwrap_or(false),
            extract_date: flags.extract_date,
            full: flags.full,
            dry_run: flags.dry_run,
            lease: crate::lease::LeaseOptions::minutes(lease_minutes as u32),
        })
    }

    /// The credentials, or the error that says how to give them.
    pub fn credentials(&self) -> Result<&Credentials, ConfigError> {
        self.spotify.credentials.as_ref().ok_or_else(|| {
            ConfigError::Missing(
                "no Spotify credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (an app's client-credentials from developer.spotify.com)".into(),
            )
        })
    }
}

/// Whether a URL's host is a loopback address, judged from its text (no
/// DNS lookup): `127.x.x.x`, `[::1]` or `localhost`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(toml: &str, flags: &Overrides) -> Result<Config, ConfigError> {
        let file = FileConfig::parse(toml, "spotify-lake.toml")?;
        Config::resolve(Some(("spotify-lake.toml", &file)), flags, &Env::default())
    }

    #[test]
    fn an_extract_date_outside_2000_to_tomorrow_is_a_usage_error() {
        // The Lambda event's extract_date lands in the same override.
        for date in ["0000-01-01", "1999-12-31", "2099-01-01"] {
            let flags = Overrides {
                extract_date: Some(date.parse().unwrap()),
                ..Overrides::default()
            };
            let err = resolve("", &flags).unwrap_err().to_string();
            assert!(
                err.contains(date) && err.contains("from 2000-01-01 to tomorrow"),
                "{date}: {err}"
            );
        }
        let today = Overrides {
            extract_date: Some(ExtractDate::today_utc()),
            ..Overrides::default()
        };
        resolve("", &today).unwrap();
    }

    #[test]
    fn the_design_example_parses_with_defaults() {
        let cfg = resolve(
            r#"
[spotify]
artists = ["Drake", "Michael Jackson", "0du5cEVh5yTK9QJze8zA0C"]
playlists = []
playlist_artists = false
include_groups = ["album"]
market = "GB"
concurrency = 4
max_wait_seconds = 60
reuse_days = 364
min_interval_ms = 0
[lake]
url = "lake"
raw_url = "raw"
[catalog]
kind = "local"
database = "spotify_lake"
projection = false
"#,
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(cfg.spotify.artists.len(), 3);
        assert!(matches!(cfg.spotify.artists[2], ArtistSpec::Id(_)));
        assert_eq!(cfg.spotify.api_base_url.as_str(), DEFAULT_API_BASE_URL);
        assert_eq!(cfg.spotify.concurrency.get(), 4);
        assert!(cfg.spotify.credentials.is_none());
        assert!(
            cfg.credentials()
                .unwrap_err()
                .to_string()
                .contains("SPOTIFY_CLIENT_ID")
        );
    }

    #[test]
    fn flags_win_over_the_file() {
        let flags = Overrides {
            artists: vec!["spotify:artist:3TVXtAsR1Inumwj472S9r4".into()],
            lake: Some("/tmp/l".into()),
            ..Overrides::default()
        };
        let cfg = resolve(
            "[spotify]\nartists = [\"Drake\"]\n[lake]\nurl = \"x\"",
            &flags,
        )
        .unwrap();
        assert_eq!(
            cfg.spotify.artists,
            vec![ArtistSpec::Id(
                SpotifyId::parse(IdKind::Artist, "3TVXtAsR1Inumwj472S9r4").unwrap()
            )]
        );
        assert_eq!(cfg.lake_url, "/tmp/l");
    }

    #[test]
    fn errors_name_the_key_the_file_and_a_valid_value() {
        let cases = [
            ("[spotify]\nartist = [\"x\"]", "unknown field `artist`"),
            (
                "[spotify]\nconcurrency = 0",
                "[spotify] concurrency (in spotify-lake.toml) = 0: expected a whole number from 1 to 64",
            ),
            ("[spotify]\nmarket = \"from_token\"", "[spotify] market"),
            (
                "[spotify]\ninclude_groups = [\"albums\"]",
                "expected album, single, compilation or appears_on",
            ),
            ("[spotify]\nplaylists = [\"../x\"]", "[spotify] playlists"),
            ("[spotify]\nreuse_days = \"often\"", "spotify-lake.toml"),
            ("[catalog]\nkind = \"hive\"", "[catalog] kind"),
            ("[lake\nurl = 1", "spotify-lake.toml"),
        ];
        for (toml, want) in cases {
            let err = resolve(toml, &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{toml:?}: {err}");
        }
    }

    #[test]
    fn env_urls_and_credentials() {
        let env = Env(BTreeMap::from([
            (
                "SPOTIFY_API_BASE_URL".into(),
                "http://127.0.0.1:9/v1".into(),
            ),
            ("SPOTIFY_CLIENT_ID".into(), "id".into()),
            ("SPOTIFY_CLIENT_SECRET".into(), "hunter2-value".into()),
        ]));
        let cfg = Config::resolve(None, &Overrides::default(), &env).unwrap();
        assert_eq!(cfg.spotify.api_base_url.as_str(), "http://127.0.0.1:9/v1/");
        assert!(!format!("{:?}", cfg.spotify.credentials).contains("hunter2"));
        let bad = Env(BTreeMap::from([(
            "SPOTIFY_AUTH_BASE_URL".into(),
            "ftp://x".into(),
        )]));
        let err = Config::resolve(None, &Overrides::default(), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SPOTIFY_AUTH_BASE_URL"), "{err}");
    }

    #[test]
    fn credentials_go_over_tls_except_to_loopback() {
        for ok in [
            "https://accounts.example.com/",
            "http://127.0.0.1:9/",
            "http://127.8.9.10/",
            "http://[::1]:80/",
            "http://LOCALHOST:1/",
        ] {
            let env = Env(BTreeMap::from([(
                "SPOTIFY_AUTH_BASE_URL".into(),
                ok.into(),
            )]));
            assert!(
                Config::resolve(None, &Overrides::default(), &env).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://accounts.example.com/",
            "http://10.0.0.1/",
            "http://127.0.0.1.example.com/",
            "http://localhost.example.com/",
            "http://user:s3cret-pass@accounts.example.com/",
        ] {
            let env = Env(BTreeMap::from([(
                "SPOTIFY_API_BASE_URL".into(),
                bad.into(),
            )]));
            let err = Config::resolve(None, &Overrides::default(), &env)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("SPOTIFY_API_BASE_URL") && err.contains("TLS"),
                "{bad}: {err}"
            );
            assert!(!err.contains("s3cret"), "{err}");
        }
        assert_eq!(
            without_password("not a url ftp://u:p@x"),
            "not a url ftp://***@x"
        );
    }

    fn lambda_env(vars: &[(&str, &str)]) -> Env {
        Env(vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    #[test]
    fn the_lambda_environment_stands_for_the_file() {
        let env = lambda_env(&[
            ("LAKE_URL", "s3://lake/clean"),
            ("RAW_URL", "s3://lake/raw"),
            ("GLUE_DATABASE", "weekly"),
            ("ARTISTS", r#"["Earth, Wind & Fire", "Adele"]"#),
            (
                "PLAYLISTS",
                "37i9dQZF1DXcBWIGoYBM5M, 37i9dQZF1DX0XUsuxWHRQd",
            ),
            ("INCLUDE_GROUPS", "album,single"),
            ("CONCURRENCY", " 8 "),
            ("PLAYLIST_ARTISTS", "true"),
        ]);
        let file = FileConfig::from_lambda_env(&env).unwrap();
        let cfg =
            Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &Overrides::default(), &env).unwrap();
        assert_eq!(cfg.catalog, CatalogKind::Glue, "glue is the Lambda default");
        assert_eq!(cfg.database, "weekly");
        assert_eq!(cfg.lake_url, "s3://lake/clean");
        assert_eq!(cfg.raw_url, "s3://lake/raw");
        assert_eq!(
            cfg.spotify.artists,
            vec![
                ArtistSpec::Name("Earth, Wind & Fire".into()),
                ArtistSpec::Name("Adele".into())
            ],
            "a JSON list keeps the comma inside a name"
        );
        assert_eq!(cfg.spotify.playlists.len(), 2);
        assert_eq!(
            cfg.spotify.include_groups,
            vec![IncludeGroup::Album, IncludeGroup::Single]
        );
        assert_eq!(cfg.spotify.concurrency.get(), 8);
        assert!(cfg.spotify.playlist_artists);
    }

    #[test]
    fn lambda_environment_errors_name_the_variable() {
        for (var, value, expect) in [
            ("ARTISTS", r#"["Adele", 3]"#, "ARTISTS"),
            ("CONCURRENCY", "many", "CONCURRENCY"),
            ("PLAYLIST_ARTISTS", "perhaps", "PLAYLIST_ARTISTS"),
        ] {
            let err = FileConfig::from_lambda_env(&lambda_env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().starts_with(expect), "{var}: {err}");
        }
        // A valid number out of range is named by its key and the source.
        let env = lambda_env(&[("CONCURRENCY", "0"), ("LAKE_URL", "s3://b/l")]);
        let file = FileConfig::from_lambda_env(&env).unwrap();
        let err = Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &Overrides::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("concurrency") && err.contains(LAMBDA_ENV_NAME),
            "{err}"
        );
        // Glue needs an S3 lake: the default local folder is refused.
        let err = Config::resolve(
            Some((
                LAMBDA_ENV_NAME,
                &FileConfig::from_lambda_env(&Env::default()).unwrap(),
            )),
            &Overrides::default(),
            &Env::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("s3://"), "{err}");
    }

    #[test]
    fn lease_minutes_come_from_the_file_or_the_lambda_environment() {
        let cfg = resolve("", &Overrides::default()).unwrap();
        assert_eq!(cfg.lease.stale_after, Duration::from_secs(20 * 60));
        let cfg = resolve("[lake]\nlease_minutes = 45", &Overrides::default()).unwrap();
        assert_eq!(cfg.lease.stale_after, Duration::from_secs(45 * 60));
        let err = resolve("[lake]\nlease_minutes = 0", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "[lake] lease_minutes (in spotify-lake.toml) = 0: expected a whole number from 1"
            ),
            "{err}"
        );
        let env = lambda_env(&[("LEASE_MINUTES", "30"), ("LAKE_URL", "s3://b/l")]);
        let file = FileConfig::from_lambda_env(&env).unwrap();
        let cfg =
            Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &Overrides::default(), &env).unwrap();
        assert_eq!(cfg.lease.stale_after, Duration::from_secs(30 * 60));
        let err = FileConfig::from_lambda_env(&lambda_env(&[("LEASE_MINUTES", "soon")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("LEASE_MINUTES"), "{err}");
    }
}
