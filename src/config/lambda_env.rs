//! The environment: [`Env`], the variables the program reads, gathered
//! once in `main`; and stage one in Lambda mode, where a function has no
//! config file and the variables of [`LAMBDA_VARS`] stand for it
//! ([`FileConfig::from_lambda_env`]). The result is a [`FileConfig`], so
//! the Lambda's settings are checked by the same resolvers as a file's,
//! and errors name [`LAMBDA_ENV_NAME`] where they would name the file.

use std::collections::BTreeMap;

use super::{CatalogSection, ConfigError, DEFAULTS, FileConfig, LakeSection, SpotifySection};

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

    /// A list: a JSON array, or comma-separated when the value does not
    /// start with `[` (artist names can hold commas: use the JSON form).
    fn list(&self, name: &str) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(v) = self.get(name) else {
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
    }

    /// A whole number (its range is the resolver's to check).
    fn number(&self, name: &str) -> Result<Option<i64>, ConfigError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| ConfigError::Value {
                    key: name.to_owned(),
                    value: v.to_owned(),
                    expected: "expected a whole number, e.g. 4".into(),
                })
            })
            .transpose()
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`, in any case.
    fn flag(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        self.get(name)
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
    }

    /// A trimmed text.
    fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| v.trim().to_owned())
    }
}

impl FileConfig {
    /// Stage one in Lambda mode: the environment variables of
    /// [`LAMBDA_VARS`] as the file they stand for. A list is a JSON array,
    /// or comma-separated when the value does not start with `[` (artist
    /// names can hold commas: use the JSON form for those).
    pub fn from_lambda_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(FileConfig {
            spotify: Some(SpotifySection {
                artists: env.list("ARTISTS")?,
                playlists: env.list("PLAYLISTS")?,
                playlist_artists: env.flag("PLAYLIST_ARTISTS")?,
                include_groups: env.list("INCLUDE_GROUPS")?,
                market: env.text("MARKET"),
                concurrency: env.number("CONCURRENCY")?,
                max_wait_seconds: env.number("MAX_WAIT_SECONDS")?,
                reuse_days: env.number("REUSE_DAYS")?,
                max_requests: env.number("MAX_REQUESTS")?,
                min_interval_ms: None,
                backoff_base_ms: None,
            }),
            lake: Some(LakeSection {
                url: env.text("LAKE_URL"),
                raw_url: env.text("RAW_URL"),
                lease_minutes: env.number("LEASE_MINUTES")?,
            }),
            catalog: Some(CatalogSection {
                kind: Some(
                    env.text("CATALOG")
                        .unwrap_or_else(|| DEFAULTS.lambda_catalog.as_str().into()),
                ),
                database: env.text("GLUE_DATABASE"),
                projection: env.flag("PROJECTION")?,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ArtistSpec, CatalogKind, Config, IncludeGroup, Overrides};

    fn lambda_env(vars: &[(&str, &str)]) -> Env {
        Env(vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    fn resolve_lambda(env: &Env) -> Result<Config, ConfigError> {
        let file = FileConfig::from_lambda_env(env)?;
        Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &Overrides::default(), env)
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
        let cfg = resolve_lambda(&env).unwrap();
        assert_eq!(cfg.catalog, CatalogKind::Glue, "glue is the Lambda default");
        assert_eq!(cfg.database, "weekly");
        assert_eq!(cfg.lake_url.to_string(), "s3://lake/clean");
        assert_eq!(cfg.raw_url.to_string(), "s3://lake/raw");
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
        let err = resolve_lambda(&env).unwrap_err().to_string();
        assert!(
            err.contains("concurrency") && err.contains(LAMBDA_ENV_NAME),
            "{err}"
        );
        // Glue needs an S3 lake: the default local folder is refused.
        let err = resolve_lambda(&Env::default()).unwrap_err().to_string();
        assert!(err.contains("s3://"), "{err}");
    }
}
