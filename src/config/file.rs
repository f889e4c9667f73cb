//! Stage one from the config file: the TOML as written, every field
//! optional and unknown keys refused (a misspelt key is an error, not a
//! silently ignored setting). Nothing is checked or defaulted here; that
//! is `resolve.rs`'s job, so a file and the Lambda environment (which
//! builds the same [`FileConfig`]) are checked by the same code.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, DEFAULTS};

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
            None => (PathBuf::from(DEFAULTS.config_file), false),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_file_must_exist_and_parse_errors_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let err = FileConfig::load(Some(&missing)).unwrap_err().to_string();
        assert!(err.contains("nope.toml"), "{err}");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[lake]\nurls = \"x\"").unwrap();
        let err = FileConfig::load(Some(&bad)).unwrap_err().to_string();
        assert!(
            err.contains("bad.toml") && err.contains("unknown field `urls`"),
            "{err}"
        );
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "[lake]\nurl = \"x\"").unwrap();
        let (name, file) = FileConfig::load(Some(&good)).unwrap().unwrap();
        assert!(name.ends_with("good.toml"));
        assert_eq!(file.lake.unwrap().url.as_deref(), Some("x"));
    }
}
