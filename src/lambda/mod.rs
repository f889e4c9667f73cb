//! Lambda mode: the weekly job as an AWS Lambda function (DESIGN.md,
//! Lambda). The binary serves the Lambda Runtime API when
//! `AWS_LAMBDA_RUNTIME_API` is set; this module is thin on purpose: the
//! work is [`run`](crate::pipeline::run()), the same as `spotify-lake run`.
//!
//! What is Lambda-specific:
//! - configuration from environment variables ([`FileConfig::from_lambda_env`]),
//!   the event replacing the lists, the date and `full` ([`event`]), or
//!   `{"resume": true}` finishing the newest partial snapshot ([`resume`]);
//! - clients built once at init (S3 stores, Glue, Secrets Manager) and the
//!   Spotify client built at the first invocation and kept, each
//!   invocation running a session of it (fresh counters, its own deadline),
//!   so a warm invocation asks for no new token;
//! - credentials from Secrets Manager, cached after the first success
//!   ([`secret`]);
//! - extraction stops before the invocation's deadline, leaving time to
//!   write and register what was fetched;
//! - the summary is the response (`"status": "partial"` included), and is
//!   recorded at `<lake>/_runs/last.json` for `status`; a failed
//!   run is the invocation's error, so the schedule's retries and its
//!   dead-letter queue see it; the figures go out as embedded metrics
//!   ([`metrics`]).

pub mod event;
pub mod metrics;
pub mod resume;
pub mod secret;

use std::time::{Duration, Instant};

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::config::{
    Config, ConfigError, Credentials, Env, FileConfig, LAMBDA_ENV_NAME, Overrides,
};
use crate::extract::SpotifyClient;
use crate::pipeline::zones::Zones;

/// Variables the Lambda service sets; lambda_runtime panics without them,
/// so they are checked first.
const RUNTIME_VARS: [&str; 4] = [
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
];

/// Why Lambda mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum LambdaError {
    /// A variable the runtime needs is missing.
    #[error(
        "{0} is not set: Lambda mode needs AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE and AWS_LAMBDA_FUNCTION_VERSION (the Lambda service sets them; unset AWS_LAMBDA_RUNTIME_API to use the command line)"
    )]
    RuntimeVar(&'static str),
    /// The runtime loop failed (the Runtime API went away).
    #[error("the Lambda runtime stopped: {0}")]
    Runtime(String),
}

/// True when the process was started by the Lambda service.
pub fn is_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Serves invocations until the Runtime API stops answering.
pub async fn serve() -> Result<(), LambdaError> {
    if let Some(var) = RUNTIME_VARS.iter().find(|v| std::env::var_os(v).is_none()) {
        return Err(LambdaError::RuntimeVar(var));
    }
    let started = Instant::now();
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    let handler = Handler::init(Env::from_process(), function).await;
    tracing::info!(
        init_ms = started.elapsed().as_millis() as u64,
        ready = handler.ready.is_ok(),
        "Lambda initialised."
    );
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler.invoke(event).await
    }))
    .await
    .map_err(|e| LambdaError::Runtime(e.to_string()))
}

/// What init built, shared by every invocation.
struct Ready {
    file: FileConfig,
    zones: Zones,
    catalog: Option<std::sync::Arc<dyn Catalog>>,
    secrets: Option<aws_sdk_secretsmanager::Client>,
}

/// The handler: init's result and the caches.
struct Handler {
    env: Env,
    function: String,
    /// An environment error is every invocation's error (so the schedule's
    /// dead-letter queue sees it) rather than a crash loop at init.
    ready: Result<Ready, String>,
    credentials: tokio::sync::Mutex<Option<Credentials>>,
    /// One Spotify client for every invocation (connections and token
    /// reused); each run gets its own session of it.
    spotify: tokio::sync::OnceCell<SpotifyClient>,
}

impl Handler {
    async fn init(env: Env, function: String) -> Self {
        let ready = Self::build(&env).await.map_err(|e| {
            let message = crate::error_chain(&e);
            tracing::error!(error = %message, "The Lambda environment is invalid; every invocation will fail until it is fixed.");
            message
        });
        Handler {
            env,
            function,
            ready,
            credentials: tokio::sync::Mutex::new(None),
            spotify: tokio::sync::OnceCell::new(),
        }
    }

    async fn build(env: &Env) -> Result<Ready, crate::Error> {
        let file = FileConfig::from_lambda_env(env)?;
        let cfg = Config::resolve(Some((LAMBDA_ENV_NAME, &file)), &Overrides::default(), env)?;
        let zones = Zones::open(&cfg).await?;
        let catalog = zones.catalog(&cfg);
        let secrets = match (&zones.aws, env.get("SPOTIFY_SECRET_ARN")) {
            (Some(aws), Some(_)) => Some(aws_sdk_secretsmanager::Client::new(&aws.sdk)),
            (None, Some(_)) => Some(aws_sdk_secretsmanager::Client::new(
                &crate::aws::Aws::load().await.sdk,
            )),
            (_, None) => None,
        };
        Ok(Ready {
            file,
            zones,
            catalog,
            secrets,
        })
    }

    async fn invoke(&self, event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
        let ready = self
            .ready
            .as_ref()
            .map_err(|m| diagnostic("ConfigError", m.clone()))?;
        let parsed = event::parse(&event.payload)
            .map_err(|e| diagnostic("EventError", crate::error_chain(&e)))?;
        let mut overrides = parsed.overrides;
        let mut resuming = None;
        if parsed.resume {
            match self.resume_plan(ready).await? {
                resume::Plan::Resume(pending, note) => {
                    overrides = pending.overrides();
                    resuming = Some((pending, note));
                }
                resume::Plan::Nothing(note) => return Ok(resume::nothing_response(&note)),
            }
        }
        let mut cfg = Config::resolve(Some((LAMBDA_ENV_NAME, &ready.file)), &overrides, &self.env)
            .map_err(|e| diagnostic("ConfigError", crate::error_chain(&e)))?;
        if let Some((pending, _)) = &resuming {
            pending.narrow(&mut cfg);
        }
        crate::pipeline::nothing_to_extract(
            &cfg,
            "set ARTISTS (or PLAYLISTS) on the function, or send {\"artists\": [\"…\"]} in the event",
        )
        .map_err(|e| diagnostic("ConfigError", e.to_string()))?;
        let creds = match Credentials::from_env(&self.env) {
            Ok(creds) => creds,
            Err(_) => self.secret_credentials(ready).await?,
        };
        // Leases name the invocation that holds them.
        cfg.lease.label = Some(format!("lambda {}", event.context.request_id));
        let deadline = fetch_deadline(
            event.context.deadline,
            chrono::Utc::now().timestamp_millis(),
        );
        let session = self
            .spotify_client(&cfg, &creds)
            .await?
            .session(&cfg.spotify, deadline);
        let summary = crate::pipeline::run(
            &cfg,
            &session,
            &ready.zones.raw,
            &ready.zones.lake,
            ready.catalog.as_deref(),
            false,
        )
        .await;
        let summary = summary.map_err(|e| {
            let message = crate::error_chain(&e);
            tracing::error!(error = %message, "The run failed.");
            diagnostic(run_error_type(&e), message)
        })?;
        crate::status::record_last(&ready.zones.lake, &summary).await;
        let emf = metrics::emf(
            &summary,
            &self.function,
            chrono::Utc::now().timestamp_millis(),
            self.complete_age(ready).await,
        );
        // One line on stdout: CloudWatch reads it as metrics.
        println!("{emf}");
        tracing::info!(
            status = ?summary.status,
            extract_date = %summary.extract_date,
            requests = summary.requests.total,
            files = summary.files_written,
            partitions = summary.partitions.registered,
            "Run finished."
        );
        if let Some((_, note)) = &resuming {
            return Ok(resume::with_note(&summary, note));
        }
        serde_json::to_value(&summary)
            .map_err(|e| diagnostic("RunError", format!("cannot serialise the summary: {e}")))
    }

    /// `{"resume": true}`: what to run, from the raw zone's newest
    /// snapshot. With nothing to resume, the staleness metric still goes
    /// out (the daily schedule keeps the alarm fed).
    async fn resume_plan(&self, ready: &Ready) -> Result<resume::Plan, Diagnostic> {
        let today = crate::ids::ExtractDate::today_utc();
        let head = crate::status::raw_head(&ready.zones.raw, &ready.zones.lake, today)
            .await
            .map_err(|e| diagnostic("RunError", crate::error_chain(&e)))?;
        let plan = resume::plan(&head);
        match &plan {
            resume::Plan::Nothing(note) => {
                let now = chrono::Utc::now().timestamp_millis();
                if let Some(emf) =
                    metrics::emf_no_run(&self.function, now, head.complete_age_days(today))
                {
                    println!("{emf}");
                }
                tracing::info!(reason = %note.reason, "Nothing to resume.");
            }
            resume::Plan::Resume(_, note) => {
                tracing::info!(reason = %note.reason, "Resuming the newest snapshot.");
            }
        }
        Ok(plan)
    }

    /// Days since the raw zone's newest complete snapshot, for the
    /// staleness metric; `None` (a WARN) when the raw zone cannot be read.
    async fn complete_age(&self, ready: &Ready) -> Option<i64> {
        let today = crate::ids::ExtractDate::today_utc();
        match crate::status::raw_head(&ready.zones.raw, &ready.zones.lake, today).await {
            Ok(head) => head.complete_age_days(today),
            Err(e) => {
                tracing::warn!(error = %crate::error_chain(&e), "Cannot read the raw zone's newest complete snapshot; the staleness metric is not sent.");
                None
            }
        }
    }

    /// The secret's credentials, when the environment has none: read at
    /// the first invocation that needs them, cached after success.
    async fn secret_credentials(&self, ready: &Ready) -> Result<Credentials, Diagnostic> {
        let mut cached = self.credentials.lock().await;
        if let Some(c) = cached.as_ref() {
            return Ok(c.clone());
        }
        let (Some(client), Some(arn)) = (&ready.secrets, self.env.get("SPOTIFY_SECRET_ARN")) else {
            return Err(diagnostic(
                "ConfigError",
                crate::error_chain(&ConfigError::Missing(
                    "no Spotify credentials: set SPOTIFY_SECRET_ARN to a Secrets Manager secret holding {\"client_id\": \"…\", \"client_secret\": \"…\"} (or SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET)".into(),
                )),
            ));
        };
        tracing::info!(secret = %arn, "Reading the Spotify credentials from Secrets Manager.");
        let creds = secret::read(client, arn)
            .await
            .map_err(|e| diagnostic("SecretError", crate::error_chain(&e)))?;
        *cached = Some(creds.clone());
        Ok(creds)
    }

    /// The Spotify client of an earlier invocation, or a new one (kept
    /// once it connects).
    async fn spotify_client(
        &self,
        cfg: &Config,
        creds: &Credentials,
    ) -> Result<&SpotifyClient, Diagnostic> {
        self.spotify
            .get_or_try_init(|| async {
                SpotifyClient::connect(&cfg.spotify, creds)
                    .await
                    .map_err(|e| diagnostic("SpotifyError", crate::error_chain(&e)))
            })
            .await
    }
}

/// The `errorType` of a failed run: `SpotifyError` when Spotify refused
/// or could not be reached (a 403 such as a lapsed Premium subscription,
/// a second 401, every artist failing on its requests), the same type a
/// refused token gets; `RunError` for the rest (the raw zone, the lake,
/// the catalog).
fn run_error_type(err: &crate::Error) -> &'static str {
    match err {
        crate::Error::Extract(crate::extract::ExtractError::Raw(_)) => "RunError",
        crate::Error::Extract(_) => "SpotifyError",
        _ => "RunError",
    }
}

fn diagnostic(error_type: &str, error_message: String) -> Diagnostic {
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message,
    }
}

/// When to stop fetching, given the invocation's deadline (ms since the
/// epoch, 0 = none): a fifth of the time left is kept for writing and
/// registering what was fetched, at least 5 s and at most 90 s.
pub fn fetch_deadline(deadline_ms: u64, now_ms: i64) -> Option<Instant> {
    if deadline_ms == 0 {
        return None;
    }
    let left = Duration::from_millis((deadline_ms as i64 - now_ms).max(0) as u64);
    let reserve = (left / 5).clamp(Duration::from_secs(5), Duration::from_secs(90));
    Some(Instant::now() + left.saturating_sub(reserve))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fetch_deadline_leaves_time_to_load() {
        let now = 1_764_000_000_000_i64;
        let at = |left_s: u64| {
            fetch_deadline(now as u64 + left_s * 1000, now)
                .unwrap()
                .saturating_duration_since(Instant::now())
                .as_secs_f64()
        };
        // 15 minutes: stop 90 s early (the cap).
        assert!((at(900) - 810.0).abs() < 1.0, "{}", at(900));
        // 2 minutes: a fifth, 24 s, is kept.
        assert!((at(120) - 96.0).abs() < 1.0, "{}", at(120));
        // 10 s: at least 5 s are kept.
        assert!((at(10) - 5.0).abs() < 1.0, "{}", at(10));
        // Past the deadline: stop at once.
        assert!(at(0) < 0.5);
        assert!(fetch_deadline(0, now).is_none(), "no deadline, no stop");
    }
}
