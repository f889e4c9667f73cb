//! Stage two: [`Config::resolve`] merges the flags, the environment and
//! the file (or the Lambda environment standing for it) over
//! [`DEFAULTS`], one resolver per section (`[spotify]`, `[lake]`,
//! `[catalog]`), then the checks that span sections (a Glue catalog
//! needs an S3 lake) and the extract date. Every error names the key,
//! the file it came from and a valid value.
//!
//! The Spotify base URLs come from the environment (the tests point them
//! at loopback fakes); since the credentials and the token travel to
//! them, they must be `https://` except to a loopback host.

use std::fmt;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use url::Url;

use super::{
    ArtistSpec, Bounded, CatalogKind, CatalogSection, Config, ConfigError, DEFAULTS, Env,
    FileConfig, IncludeGroup, LakeSection, Overrides, SpotifyConfig, SpotifySection, ZoneUrl,
};
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::lease::LeaseOptions;
use crate::store::without_password;

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
        let fc = file.map(|(_, c)| c.clone()).unwrap_or_default();
        let spotify = r.spotify(&fc.spotify.unwrap_or_default(), flags, env)?;
        let (lake_url, raw_url, lease) = r.lake(&fc.lake.unwrap_or_default(), flags)?;
        let (catalog, database, projection) = r.catalog(&fc.catalog.unwrap_or_default(), flags)?;
        check_glue_lake(catalog, &lake_url)?;
        Ok(Config {
            spotify,
            lake_url,
            raw_url,
            catalog,
            database,
            projection,
            extract_date: extract_date(flags)?,
            full: flags.full,
            dry_run: flags.dry_run,
            lease,
        })
    }
}

/// Names a file's keys in errors, with the file they came from.
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

    /// `v` within `bounds`, or its default when unset.
    fn range(
        &self,
        section: &str,
        key: &str,
        v: Option<i64>,
        bounds: Bounded,
    ) -> Result<i64, ConfigError> {
        let Bounded { default, min, max } = bounds;
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

    /// `[spotify]`, the `--artist`/`--playlist` flags and the base URLs.
    fn spotify(
        &self,
        sp: &SpotifySection,
        flags: &Overrides,
        env: &Env,
    ) -> Result<SpotifyConfig, ConfigError> {
        let artists = self.artists(sp, flags)?;
        let playlists = self.playlists(sp, flags)?;
        let include_groups = self.include_groups(sp)?;
        let market = self.market(sp)?;
        let number =
            |key: &str, v: Option<i64>, bounds: Bounded| self.range("spotify", key, v, bounds);
        let concurrency = number("concurrency", sp.concurrency, DEFAULTS.concurrency)?;
        let max_wait = number(
            "max_wait_seconds",
            sp.max_wait_seconds,
            DEFAULTS.max_wait_seconds,
        )?;
        let reuse_days = number("reuse_days", sp.reuse_days, DEFAULTS.reuse_days)?;
        let max_requests = sp
            .max_requests
            .map(|n| number("max_requests", Some(n), DEFAULTS.max_requests))
            .transpose()?;
        let min_interval = number(
            "min_interval_ms",
            sp.min_interval_ms,
            DEFAULTS.min_interval_ms,
        )?;
        let backoff_base = number(
            "backoff_base_ms",
            sp.backoff_base_ms,
            DEFAULTS.backoff_base_ms,
        )?;
        Ok(SpotifyConfig {
            artists,
            playlists,
            playlist_artists: sp.playlist_artists.unwrap_or(DEFAULTS.playlist_artists),
            include_groups,
            market,
            concurrency: NonZeroUsize::new(concurrency as usize).expect("range starts at 1"),
            max_wait: Duration::from_secs(max_wait as u64),
            reuse_days: NonZeroU32::new(reuse_days as u32).expect("range starts at 1"),
            max_requests: max_requests.map(|n| n as u64),
            min_interval: Duration::from_millis(min_interval as u64),
            backoff_base: Duration::from_millis(backoff_base as u64),
            api_base_url: base_url(env, "SPOTIFY_API_BASE_URL", DEFAULTS.api_base_url)?,
            auth_base_url: base_url(env, "SPOTIFY_AUTH_BASE_URL", DEFAULTS.auth_base_url)?,
        })
    }

    /// `--artist` (replacing the file's list) or `[spotify] artists`.
    fn artists(
        &self,
        sp: &SpotifySection,
        flags: &Overrides,
    ) -> Result<Vec<ArtistSpec>, ConfigError> {
        let given = flags_or_file(&flags.artists, sp.artists.as_deref());
        let mut artists = Vec::new();
        for a in given {
            let spec = ArtistSpec::parse(a).ok_or_else(|| {
                self.bad(
                    "spotify",
                    "artists",
                    format!("{a:?}"),
                    "expected an artist name, id, spotify:artist: URI or open.spotify.com URL",
                )
            })?;
            push_new(&mut artists, spec);
        }
        Ok(artists)
    }

    /// `--playlist` (replacing the file's list) or `[spotify] playlists`.
    fn playlists(
        &self,
        sp: &SpotifySection,
        flags: &Overrides,
    ) -> Result<Vec<SpotifyId>, ConfigError> {
        let mut playlists = Vec::new();
        for p in flags_or_file(&flags.playlists, sp.playlists.as_deref()) {
            let id = SpotifyId::parse(IdKind::Playlist, p).map_err(|e| {
                if flags.playlists.is_empty() {
                    self.bad("spotify", "playlists", format!("{p:?}"), &e.to_string())
                } else {
                    ConfigError::Value {
                        key: "--playlist (or a Lambda event's \"playlists\")".into(),
                        value: format!("{p:?}"),
                        expected: e.to_string(),
                    }
                }
            })?;
            push_new(&mut playlists, id);
        }
        Ok(playlists)
    }

    /// `[spotify] include_groups`, in order, without repeats, not empty.
    fn include_groups(&self, sp: &SpotifySection) -> Result<Vec<IncludeGroup>, ConfigError> {
        let Some(given) = &sp.include_groups else {
            return Ok(DEFAULTS.include_groups.to_vec());
        };
        let mut groups = Vec::new();
        for g in given {
            let group = IncludeGroup::parse(g).ok_or_else(|| {
                self.bad(
                    "spotify",
                    "include_groups",
                    format!("{g:?}"),
                    "expected album, single, compilation or appears_on",
                )
            })?;
            push_new(&mut groups, group);
        }
        if groups.is_empty() {
            return Err(self.bad(
                "spotify",
                "include_groups",
                "[]",
                "expected at least one of album, single, compilation, appears_on",
            ));
        }
        Ok(groups)
    }

    /// `[spotify] market`: two capitals (never `from_token`, which needs a
    /// user's token).
    fn market(&self, sp: &SpotifySection) -> Result<String, ConfigError> {
        let market = sp.market.as_deref().unwrap_or(DEFAULTS.market);
        if market.len() != 2 || !market.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(self.bad(
                "spotify",
                "market",
                format!("{market:?}"),
                "expected an ISO 3166-1 alpha-2 country code in capitals, e.g. \"GB\" (never from_token)",
            ));
        }
        Ok(market.to_owned())
    }

    /// `[lake]` and `--lake`/`--raw`: the two zones and the lease options.
    fn lake(
        &self,
        lake: &LakeSection,
        flags: &Overrides,
    ) -> Result<(ZoneUrl, ZoneUrl, LeaseOptions), ConfigError> {
        let lease_minutes = self.range(
            "lake",
            "lease_minutes",
            lake.lease_minutes,
            DEFAULTS.lease_minutes,
        )?;
        let lake_url = self.zone(
            ("--lake", flags.lake.as_deref()),
            ("url", lake.url.as_deref()),
            DEFAULTS.lake_url,
        )?;
        let raw_url = self.zone(
            ("--raw", flags.raw.as_deref()),
            ("raw_url", lake.raw_url.as_deref()),
            DEFAULTS.raw_url,
        )?;
        Ok((
            lake_url,
            raw_url,
            LeaseOptions::minutes(lease_minutes as u32),
        ))
    }

    /// A zone's location from its flag, else its `[lake]` key, else the
    /// default; an error names where the location came from.
    fn zone(
        &self,
        (flag, from_flag): (&str, Option<&str>),
        (key, from_file): (&str, Option<&str>),
        default: &str,
    ) -> Result<ZoneUrl, ConfigError> {
        let (given, named) = match (from_flag, from_file) {
            (Some(given), _) => (given, flag.to_owned()),
            (None, given) => (given.unwrap_or(default), self.key("lake", key)),
        };
        ZoneUrl::parse(given).map_err(|source| ConfigError::Location { key: named, source })
    }

    /// `[catalog]` and `--catalog`/`--database`: the kind, the database
    /// and whether Glue tables get partition projection.
    fn catalog(
        &self,
        cat: &CatalogSection,
        flags: &Overrides,
    ) -> Result<(CatalogKind, String, bool), ConfigError> {
        let kind = match (flags.catalog, cat.kind.as_deref()) {
            (Some(kind), _) => kind,
            (None, None) => DEFAULTS.catalog,
            (None, Some(name)) => CatalogKind::parse(name).ok_or_else(|| {
                self.bad(
                    "catalog",
                    "kind",
                    format!("{name:?}"),
                    "expected \"local\", \"glue\" or \"none\"",
                )
            })?,
        };
        let database = flags
            .database
            .as_deref()
            .or(cat.database.as_deref())
            .unwrap_or(DEFAULTS.database);
        if database.is_empty()
            || !database
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(self.bad(
                "catalog",
                "database",
                format!("{database:?}"),
                "expected lower-case letters, digits and _, e.g. spotify_lake",
            ));
        }
        let projection = cat.projection.unwrap_or(DEFAULTS.projection);
        Ok((kind, database.to_owned(), projection))
    }
}

/// The flags' list when any was given (it replaces the file's), else the
/// file's.
fn flags_or_file<'a>(flags: &'a [String], file: Option<&'a [String]>) -> &'a [String] {
    if flags.is_empty() {
        file.unwrap_or_default()
    } else {
        flags
    }
}

/// Appends `item` unless it is there already (lists keep their order).
fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The Glue catalog registers S3 locations for Athena: a local lake
/// cannot be registered there.
fn check_glue_lake(catalog: CatalogKind, lake_url: &ZoneUrl) -> Result<(), ConfigError> {
    if catalog == CatalogKind::Glue && !lake_url.is_s3() {
        return Err(ConfigError::Value {
            key: "--catalog glue".into(),
            value: format!("with --lake {lake_url}"),
            expected: "the Glue catalog registers S3 locations for Athena: put the lake on S3 (--lake s3://bucket/prefix) or use --catalog local".into(),
        });
    }
    Ok(())
}

/// `--extract-date` (or the Lambda event's), from 2000-01-01 to tomorrow.
fn extract_date(flags: &Overrides) -> Result<Option<ExtractDate>, ConfigError> {
    if let Some(date) = flags.extract_date {
        date.check_given(ExtractDate::today_utc())
            .map_err(|expected| ConfigError::Value {
                key: "--extract-date (the Lambda event's extract_date)".into(),
                value: date.to_string(),
                expected,
            })?;
    }
    Ok(flags.extract_date)
}

/// A Spotify base URL from the environment variable `name`, else
/// `default`: http(s), TLS unless the host is loopback, ending in `/`.
fn base_url(env: &Env, name: &str, default: &str) -> Result<Url, ConfigError> {
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
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::{Credentials, LAMBDA_ENV_NAME};

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
        assert_eq!(cfg.spotify.api_base_url.as_str(), DEFAULTS.api_base_url);
        assert_eq!(cfg.spotify.concurrency.get(), 4);
        assert!(
            Credentials::from_env(&Env::default())
                .unwrap_err()
                .to_string()
                .contains("SPOTIFY_CLIENT_ID")
        );
    }

    #[test]
    fn an_empty_file_takes_every_default() {
        let cfg = resolve("", &Overrides::default()).unwrap();
        let sp = &cfg.spotify;
        assert_eq!(sp.include_groups, DEFAULTS.include_groups);
        assert_eq!(sp.market, DEFAULTS.market);
        assert_eq!(sp.concurrency.get() as i64, DEFAULTS.concurrency.default);
        assert_eq!(
            sp.max_wait.as_secs() as i64,
            DEFAULTS.max_wait_seconds.default
        );
        assert_eq!(sp.reuse_days.get() as i64, DEFAULTS.reuse_days.default);
        assert_eq!(sp.max_requests, None, "no request budget unless set");
        assert_eq!(sp.backoff_base, Duration::from_secs(1));
        assert_eq!(sp.auth_base_url.as_str(), DEFAULTS.auth_base_url);
        assert_eq!(cfg.lake_url.to_string(), DEFAULTS.lake_url);
        assert_eq!(cfg.raw_url.to_string(), DEFAULTS.raw_url);
        assert_eq!(cfg.catalog, CatalogKind::Local);
        assert_eq!(cfg.database, DEFAULTS.database);
        assert!(!cfg.projection && !sp.playlist_artists);
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
        assert_eq!(cfg.lake_url.to_string(), "/tmp/l");
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
    fn a_zone_of_an_unknown_scheme_is_a_config_error_naming_its_key() {
        let chain = |e: ConfigError| crate::error_chain(&e);
        let flags = Overrides {
            lake: Some("s4://x".into()),
            ..Overrides::default()
        };
        let err = chain(resolve("", &flags).unwrap_err());
        assert!(
            err.starts_with("--lake: \"s4://x\": expected a directory or s3://bucket/prefix"),
            "{err}"
        );
        let flags = Overrides {
            raw: Some("ftp://ana:hunter2@host/raw".into()),
            ..Overrides::default()
        };
        let err = chain(resolve("", &flags).unwrap_err());
        assert!(
            err.contains("--raw") && err.contains("ana:***@") && !err.contains("hunter2"),
            "{err}"
        );
        let err =
            chain(resolve("[lake]\nraw_url = \"s4://y\"", &Overrides::default()).unwrap_err());
        assert!(
            err.contains("[lake] raw_url (in spotify-lake.toml)") && err.contains("s4://y"),
            "{err}"
        );
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
        assert!(
            !format!("{cfg:?}").contains("hunter2"),
            "no secret in Config"
        );
        assert!(!format!("{:?}", Credentials::from_env(&env)).contains("hunter2"));
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
        let env = Env(BTreeMap::from([
            ("LEASE_MINUTES".into(), "30".into()),
            ("LAKE_URL".into(), "s3://b/l".into()),
        ]));
        let file = FileConfig::from_lambda_env(&env).unwrap();
        let cfg =
            Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &Overrides::default(), &env).unwrap();
        assert_eq!(cfg.lease.stale_after, Duration::from_secs(30 * 60));
        let soon = Env(BTreeMap::from([("LEASE_MINUTES".into(), "soon".into())]));
        let err = FileConfig::from_lambda_env(&soon).unwrap_err().to_string();
        assert!(err.starts_with("LEASE_MINUTES"), "{err}");
    }
}
