//! The Spotify app's client credentials, kept outside [`Config`](super::Config):
//! only the edges that call Spotify ask for them (the CLI's `run` from
//! the environment, the Lambda from the environment or else Secrets
//! Manager), so a `load` or a `query` never needs them and a resolved
//! configuration holds no secret. Never logged: `Debug` hides both values.
//! Where they may be sent (TLS, or a loopback fake) is checked with the
//! base URLs in `resolve.rs`.

use std::fmt;

use super::{ConfigError, Env};

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

impl Credentials {
    /// `SPOTIFY_CLIENT_ID` and `SPOTIFY_CLIENT_SECRET`, or the error that
    /// says how to give them.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        match (
            env.get("SPOTIFY_CLIENT_ID"),
            env.get("SPOTIFY_CLIENT_SECRET"),
        ) {
            (Some(id), Some(secret)) => Ok(Credentials {
                client_id: id.to_owned(),
                client_secret: secret.to_owned(),
            }),
            _ => Err(ConfigError::Missing(
                "no Spotify credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (an app's client-credentials from developer.spotify.com)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn credentials_come_from_both_variables_and_are_never_shown() {
        let env = Env(BTreeMap::from([
            ("SPOTIFY_CLIENT_ID".into(), "id".into()),
            ("SPOTIFY_CLIENT_SECRET".into(), "hunter2-value".into()),
        ]));
        let creds = Credentials::from_env(&env).unwrap();
        assert_eq!(creds.client_id, "id");
        assert!(!format!("{creds:?}").contains("hunter2"));
        for partial in ["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"] {
            let mut env = env.clone();
            env.0.insert(partial.into(), String::new());
            let err = Credentials::from_env(&env).unwrap_err().to_string();
            assert!(
                err.contains("SPOTIFY_CLIENT_ID") && err.contains("SPOTIFY_CLIENT_SECRET"),
                "{err}"
            );
        }
    }
}
