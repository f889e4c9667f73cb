//! Lambda mode: the real binary against a fake Runtime API (loopback),
//! the fake Spotify, and moto for S3, Glue and Secrets Manager.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Value, json};
use spotify_lake::aws::Aws;
use spotify_lake::catalog::{Catalog as _, GlueCatalog};
use spotify_lake::schema::Table;

use crate::support::cli::strip_ansi;
use crate::support::fake_lambda::{FakeRuntime, Outcome};
use crate::support::fake_spotify::{CLIENT_ID, CLIENT_SECRET, FakeData, FakeSpotify, Knobs};
use crate::support::moto::{Moto, denying_moto, moto};
use crate::support::sample::sample_snapshot;

const DATE: &str = "2026-11-26";

/// The binary in Lambda mode; killed on drop. Its output goes to files
/// so a test can read it while it runs.
struct Function {
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Function {
    fn start(runtime: &FakeRuntime, env: &[(&str, String)]) -> Function {
        let dir = tempfile::tempdir().unwrap();
        let out = std::fs::File::create(dir.path().join("stdout")).unwrap();
        let err = std::fs::File::create(dir.path().join("stderr")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotify-lake"));
        cmd.env_remove("SPOTIFY_CLIENT_ID")
            .env_remove("SPOTIFY_CLIENT_SECRET")
            .env_remove("RUST_LOG")
            .env("AWS_LAMBDA_RUNTIME_API", runtime.addr())
            .env("AWS_LAMBDA_FUNCTION_NAME", "spotify-lake-test")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start the binary in Lambda mode");
        Function { child, dir }
    }

    /// stdout and stderr so far.
    fn output(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        strip_ansi(&format!("{}{}", read("stdout"), read("stderr")))
    }

    /// The JSON log lines whose message is `message`.
    fn logs(&self, message: &str) -> Vec<Value> {
        self.output()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["message"] == message)
            .collect()
    }
}

/// A bucket (raw/ and lake/ in it), a database, a secret and the fake.
struct Stack {
    bucket: String,
    database: String,
    fake: FakeSpotify,
    aws: Aws,
}

impl Stack {
    async fn new(moto: &Moto) -> Stack {
        Self::with_knobs(moto, Knobs::dev()).await
    }

    async fn with_knobs(moto: &Moto, knobs: Knobs) -> Stack {
        let bucket = moto.unique("it-fn-");
        moto.create_bucket(&bucket);
        Stack {
            bucket,
            database: moto.unique("it_fn_"),
            fake: FakeSpotify::start_blocking(FakeData::from_sample(&sample_snapshot()), knobs),
            aws: Aws::load().await,
        }
    }

    fn lake(&self) -> String {
        format!("s3://{}/lake", self.bucket)
    }

    /// Creates a secret holding `value`; returns its ARN.
    async fn secret(&self, value: &str) -> String {
        let sm = aws_sdk_secretsmanager::Client::new(&self.aws.sdk);
        let out = sm
            .create_secret()
            .name(format!("{}-spotify", self.bucket))
            .secret_string(value)
            .send()
            .await
            .expect("create a secret on moto");
        out.arn().expect("an ARN").to_owned()
    }

    /// The function's environment, as the template sets it.
    fn env(&self, secret_arn: &str) -> Vec<(&'static str, String)> {
        vec![
            ("LAKE_URL", self.lake()),
            ("RAW_URL", format!("s3://{}/raw", self.bucket)),
            ("GLUE_DATABASE", self.database.clone()),
            ("ARTISTS", r#"["Bruno Mars"]"#.into()),
            ("INCLUDE_GROUPS", "album".into()),
            ("MAX_WAIT_SECONDS", "5".into()),
            ("SPOTIFY_SECRET_ARN", secret_arn.into()),
            ("SPOTIFY_API_BASE_URL", self.fake.api_base_url()),
            ("SPOTIFY_AUTH_BASE_URL", self.fake.auth_base_url()),
        ]
    }

    /// Every object under `s3://bucket/<zone>/`: its path in the zone and bytes.
    async fn objects(&self, zone: &str) -> BTreeMap<String, bytes::Bytes> {
        let url = format!("s3://{}/{zone}", self.bucket);
        crate::support::lake::zone_objects(
            &spotify_lake::store::open_with(&url, Some(&self.aws)).unwrap(),
        )
        .await
    }

    /// Parquet files and their rows per table, read back from S3.
    async fn lake_rows(&self) -> (usize, BTreeMap<String, u64>) {
        let mut rows = BTreeMap::new();
        let mut files = 0;
        for (path, bytes) in self.objects("lake").await {
            // current_albums is no partition of the summary's files.
            if !path.ends_with(".parquet") || path.starts_with("current_albums/") {
                continue;
            }
            files += 1;
            let table = path.split('/').next().unwrap().to_owned();
            let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
                .unwrap()
                .build()
                .unwrap();
            let n: usize = reader.map(|b| b.unwrap().num_rows()).sum();
            *rows.entry(table).or_insert(0) += n as u64;
        }
        (files, rows)
    }

    /// Partitions registered in Glue, all tables.
    async fn glue_partitions(&self) -> u64 {
        let glue = GlueCatalog::new(&self.aws, &self.database, &self.lake(), false);
        let mut n = 0;
        for table in Table::ALL {
            n += glue.partitions(table).await.map_or(0, |p| p.len() as u64);
        }
        n
    }

    /// True when the database exists in Glue.
    async fn database_exists(&self) -> bool {
        aws_sdk_glue::Client::new(&self.aws.sdk)
            .get_database()
            .name(&self.database)
            .send()
            .await
            .is_ok()
    }
}

/// A stack on moto with a good secret: `(stack, the secret's JSON, its ARN)`.
async fn stack_with_secret(test: &str) -> Option<(Stack, String, String)> {
    stack_with_secret_and(test, Knobs::dev()).await
}

/// [`stack_with_secret`] with the fake's knobs.
async fn stack_with_secret_and(test: &str, knobs: Knobs) -> Option<(Stack, String, String)> {
    let stack = Stack::with_knobs(&moto(test)?, knobs).await;
    let secret = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).to_string();
    let arn = stack.secret(&secret).await;
    Some((stack, secret, arn))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invocation_lands_what_its_response_counts_and_a_second_reuses_the_clients() {
    let Some((stack, secret, arn)) = stack_with_secret("lambda end to end").await else {
        return;
    };
    let runtime = FakeRuntime::start();
    let function = Function::start(&runtime, &stack.env(&arn));

    let first = runtime.call(json!({"extract_date": DATE}));
    let summary = first.response().clone();
    assert_eq!(summary["status"], "complete", "{summary}");
    assert_eq!(summary["extract_date"], DATE);
    assert_eq!(summary["token_requests"], 1);
    assert!(summary["fetched"]["albums"].as_u64().unwrap() > 0);

    // The response counts what landed in S3 and in Glue.
    let (files, rows) = stack.lake_rows().await;
    assert_eq!(summary["files_written"].as_u64(), Some(files as u64));
    for (table, n) in &rows {
        assert_eq!(summary["rows"][table].as_u64(), Some(*n), "{table}");
    }
    assert_eq!(
        summary["rows"]
            .as_object()
            .unwrap()
            .values()
            .filter(|v| v.as_u64() > Some(0))
            .count(),
        rows.len()
    );
    assert_eq!(
        summary["partitions"]["registered"].as_u64(),
        Some(files as u64)
    );
    assert_eq!(stack.glue_partitions().await, files as u64);

    // The same process again: no new token, no second secret read, the
    // same partitions found already registered.
    let second = runtime.call(json!({"extract_date": DATE, "artists": ["Bruno Mars"]}));
    let again = second.response();
    assert_eq!(again["status"], "complete", "{again}");
    assert_eq!(again["token_requests"], 0, "the token is reused: {again}");
    assert_eq!(again["partitions"]["registered"], 0);
    assert_eq!(again["partitions"]["existing"].as_u64(), Some(files as u64));
    assert_eq!(
        stack.glue_partitions().await,
        files as u64,
        "nothing duplicated"
    );
    assert_eq!(function.logs("Lambda initialised.").len(), 1);
    assert_eq!(
        function
            .logs("Reading the Spotify credentials from Secrets Manager.")
            .len(),
        1,
        "the secret is read once"
    );
    assert_eq!(
        stack.fake.count("token"),
        1,
        "one token for both invocations"
    );

    // Embedded metrics: one EMF line per invocation, with the run's figures.
    let output = function.output();
    let emf: Vec<Value> = output
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("_aws").is_some())
        .collect();
    assert_eq!(emf.len(), 2, "{output}");
    assert_eq!(emf[0]["FilesWritten"].as_f64(), Some(files as f64));
    assert_eq!(
        emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "SpotifyLake"
    );
    // Every other line is a JSON log, and no secret is in any of them.
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
    for secret_part in [CLIENT_SECRET, &secret] {
        assert!(
            !output.contains(secret_part),
            "the secret leaked into the logs"
        );
    }
}

/// One invocation with this environment; the error it returned.
async fn failed_invocation(stack: &Stack, env: &[(&str, String)], event: Value) -> (Value, String) {
    let runtime = FakeRuntime::start();
    let function = Function::start(&runtime, env);
    let outcome = runtime.call(event);
    let err = match outcome {
        Outcome::Error(e) => e,
        Outcome::Response(v) => panic!("expected an error, got {v}\n{}", function.output()),
    };
    // Nothing was registered and nothing was written.
    assert!(
        !stack.database_exists().await,
        "no database for a failed run"
    );
    assert_eq!(stack.lake_rows().await.0, 0, "no file for a failed run");
    (err, function.output())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_malformed_secret_is_the_invocations_clear_error() {
    let Some(moto) = moto("lambda secrets") else {
        return;
    };
    let stack = Stack::new(&moto).await;
    let event = json!({"extract_date": DATE});

    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nowhere-AbCdEf";
    let (err, _) = failed_invocation(&stack, &stack.env(missing), event.clone()).await;
    assert_eq!(err["errorType"], "SecretError");
    let msg = err["errorMessage"].as_str().unwrap();
    assert!(
        msg.contains(missing) && msg.contains("does not exist") && msg.contains("put-secret-value"),
        "{msg}"
    );
    // The fix it offers keeps the secret off the command line.
    assert!(
        msg.contains("--secret-string file:///dev/stdin") && !msg.contains("--secret-string '"),
        "{msg}"
    );

    let arn = stack
        .secret(&format!(
            r#"{{"client_id": "{CLIENT_ID}", "secret": "{CLIENT_SECRET}"}}"#
        ))
        .await;
    let (err, output) = failed_invocation(&stack, &stack.env(&arn), event.clone()).await;
    assert_eq!(err["errorType"], "SecretError");
    let msg = err["errorMessage"].as_str().unwrap();
    assert!(
        msg.contains("malformed") && msg.contains("client_secret is missing"),
        "{msg}"
    );
    for leaked in [CLIENT_ID, CLIENT_SECRET] {
        assert!(
            !msg.contains(leaked) && !output.contains(leaked),
            "a secret value leaked"
        );
    }

    // A bad environment is every invocation's error, naming the variable.
    let mut env = stack.env(&arn);
    env.push(("CONCURRENCY", "lots".into()));
    let (err, _) = failed_invocation(&stack, &env, event.clone()).await;
    assert_eq!(err["errorType"], "ConfigError");
    assert!(
        err["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("CONCURRENCY"),
        "{err}"
    );

    // A bad event names its key.
    let (err, _) =
        failed_invocation(&stack, &stack.env(&arn), json!({"artists": "Bruno Mars"})).await;
    assert_eq!(err["errorType"], "EventError");
    assert!(
        err["errorMessage"]
            .as_str()
            .unwrap()
            .contains("\"artists\""),
        "{err}"
    );
}

/// Failed runs fail (DESIGN.md, "Nothing fails silently"): a lapsed
/// Premium subscription (403 on every call), a base URL without `/v1/`
/// (every call 404s) and an unreachable API host (the token endpoint
/// answers) are each the invocation's `SpotifyError`, naming the cause and
/// the fix, with nothing written to the lake or the raw zone.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_spotify_refuses_or_cannot_serve_is_the_invocations_error() {
    let Some((stack, _, arn)) = stack_with_secret("lambda failed runs").await else {
        return;
    };
    let event = json!({"extract_date": DATE});
    let message = |err: &Value| {
        assert_eq!(err["errorType"], "SpotifyError", "{err}");
        err["errorMessage"].as_str().unwrap().to_owned()
    };

    stack.fake.set_knobs(|k| k.premium_lapsed = true);
    let (err, _) = failed_invocation(&stack, &stack.env(&arn), event.clone()).await;
    let msg = message(&err);
    assert!(
        msg.contains("403 Forbidden")
            && msg.contains("Active premium subscription required for the owner of the app")
            && msg.contains("Spotify developer dashboard"),
        "{msg}"
    );
    stack.fake.set_knobs(|k| k.premium_lapsed = false);

    let root = stack.fake.auth_base_url();
    let mut env = stack.env(&arn);
    env.push(("SPOTIFY_API_BASE_URL", root.clone()));
    let (err, _) = failed_invocation(&stack, &env, event.clone()).await;
    let msg = message(&err);
    assert!(
        msg.contains("404 Not Found")
            && msg.contains(&format!(
                "SPOTIFY_API_BASE_URL is {root} and must include the /v1/ path"
            )),
        "{msg}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut env = stack.env(&arn);
    env.push((
        "SPOTIFY_API_BASE_URL",
        format!("http://127.0.0.1:{port}/v1/"),
    ));
    let (err, _) = failed_invocation(&stack, &env, event).await;
    let msg = message(&err);
    assert!(
        msg.contains(&format!("cannot reach the Spotify API at 127.0.0.1:{port}"))
            && msg.contains("check the network"),
        "{msg}"
    );

    assert!(
        stack.objects("raw").await.is_empty(),
        "a failed run writes nothing to the raw zone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_access_to_the_secret_is_a_clear_error() {
    let Some(url) = denying_moto("lambda denied") else {
        return;
    };
    let runtime = FakeRuntime::start();
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:spotify-AbCdEf";
    let env = [
        ("AWS_ENDPOINT_URL", url),
        ("LAKE_URL", "s3://denied/lake".into()),
        ("RAW_URL", "s3://denied/raw".into()),
        ("ARTISTS", "Bruno Mars".into()),
        ("SPOTIFY_SECRET_ARN", arn.into()),
    ];
    let function = Function::start(&runtime, &env);
    let err = runtime.call(json!({})).error().clone();
    assert_eq!(err["errorType"], "SecretError", "{}", function.output());
    let msg = err["errorMessage"].as_str().unwrap();
    assert!(
        msg.contains("access denied") && msg.contains("secretsmanager:GetSecretValue"),
        "{msg}"
    );
}

#[test]
fn lambda_mode_without_the_runtime_variables_says_what_is_missing() {
    let output = Command::new(env!("CARGO_BIN_EXE_spotify-lake"))
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env_remove("AWS_LAMBDA_FUNCTION_NAME")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("AWS_LAMBDA_FUNCTION_NAME is not set"),
        "{text}"
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

/// Where the init time is measured (README): start to the first `next`.
#[test]
fn init_ends_with_the_first_request_for_an_event() {
    let runtime = FakeRuntime::start();
    let started = std::time::Instant::now();
    let env = [
        ("LAKE_URL", "s3://bucket/lake".to_owned()),
        ("RAW_URL", "s3://bucket/raw".to_owned()),
        ("ARTISTS", "Bruno Mars".to_owned()),
        ("SPOTIFY_CLIENT_ID", CLIENT_ID.to_owned()),
        ("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
    ];
    let function = Function::start(&runtime, &env);
    let until = started + Duration::from_secs(30);
    while runtime.first_next().is_none() {
        assert!(
            std::time::Instant::now() < until,
            "no request for an event: {}",
            function.output()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(runtime.init_error().is_none());
    assert_eq!(
        function.logs("Lambda initialised.").len(),
        1,
        "{}",
        function.output()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_the_logs_even_at_trace_level() {
    let Some((stack, secret, arn)) = stack_with_secret("lambda secrets at trace").await else {
        return;
    };
    let runtime = FakeRuntime::start();
    let mut env = stack.env(&arn);
    env.push(("RUST_LOG", "trace".into()));
    let function = Function::start(&runtime, &env);
    let summary = runtime
        .call(json!({"extract_date": DATE}))
        .response()
        .clone();
    assert_eq!(summary["status"], "complete", "{summary}");
    let output = function.output();
    assert!(output.lines().count() > 100, "trace logging is on");
    let mut forms = stack.fake.secret_forms();
    forms.push(secret.clone());
    assert!(forms.len() >= 4, "a token was issued: {}", forms.len());
    for form in &forms {
        assert!(
            !output.contains(form.as_str()),
            "a secret ({} chars) is in the logs",
            form.len()
        );
    }
    // Nor in the raw zone the run wrote.
    let objects = stack.objects("raw").await;
    assert!(!objects.is_empty());
    for (path, bytes) in objects {
        let text = String::from_utf8_lossy(&bytes);
        for form in &forms {
            assert!(!text.contains(form.as_str()), "a secret is in {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn near_the_deadline_it_stops_fetching_writes_what_it_has_and_answers_partial() {
    let slow = Knobs {
        latency: (Duration::from_millis(700), Duration::ZERO),
        ..Knobs::dev()
    };
    let Some((stack, _, arn)) = stack_with_secret_and("lambda deadline", slow).await else {
        return;
    };
    let runtime = FakeRuntime::start();
    let mut env = stack.env(&arn);
    env.push((
        "ARTISTS",
        r#"["Bruno Mars", "Drake", "Michael Jackson"]"#.into(),
    ));
    let _function = Function::start(&runtime, &env);
    // 10 s left: fetching stops 5 s before the deadline.
    let started = std::time::Instant::now();
    let id = runtime.invoke(json!({"extract_date": DATE}), Duration::from_secs(10));
    let summary = runtime
        .outcome(&id, Duration::from_secs(120))
        .response()
        .clone();
    let took = started.elapsed();
    assert_eq!(summary["status"], "partial", "{summary}");
    let pending = summary["pending_artists"].as_array().unwrap();
    assert!(!pending.is_empty(), "{summary}");
    assert!(
        took < Duration::from_secs(10),
        "answered after the deadline: {took:?}"
    );
    // What it wrote, it registered; the pending artists wait for the next run.
    let (files, _) = stack.lake_rows().await;
    assert_eq!(summary["files_written"].as_u64(), Some(files as u64));
    assert_eq!(stack.glue_partitions().await, files as u64);
}

/// The EMF lines the function printed so far.
fn emf_lines(function: &Function) -> Vec<Value> {
    function
        .output()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("_aws").is_some())
        .collect()
}

/// Regression (issue "Nothing fails silently"): a run stopped by the quota
/// stayed partial until someone ran it again by hand, and a typo in an
/// event key (`"artist"`) ran the default artists. Now the daily
/// `{"resume": true}` finishes the newest partial snapshot, and returns at
/// once, without a request, when there is nothing to finish.
#[tokio::test(flavor = "multi_thread")]
async fn resume_finishes_a_quota_stopped_snapshot_and_otherwise_sends_no_request() {
    let quota = Knobs {
        quota_after: Some(12),
        ..Knobs::dev()
    };
    let Some((stack, _, arn)) = stack_with_secret_and("lambda resume", quota).await else {
        return;
    };
    let names = ["Bruno Mars", "Drake", "Michael Jackson"];
    let runtime = FakeRuntime::start();
    let mut env = stack.env(&arn);
    env.push(("ARTISTS", serde_json::to_string(&names).unwrap()));
    env.push(("CONCURRENCY", "1".into()));
    let function = Function::start(&runtime, &env);

    // An empty raw zone: nothing to resume, no request, no secret read.
    let idle = runtime.call(json!({"resume": true})).response().clone();
    assert_eq!(idle["status"], "complete", "{idle}");
    assert_eq!(idle["resume"]["resumed"], false, "{idle}");
    assert!(idle["resume"]["snapshot"].is_null(), "{idle}");
    assert!(stack.fake.requests().is_empty(), "no request at all");

    // The weekly run stops at the quota.
    let first = runtime
        .call(json!({"extract_date": DATE}))
        .response()
        .clone();
    assert_eq!(first["status"], "partial", "{first}");
    let pending = first["pending_artists"].as_array().unwrap().len();
    assert!(pending > 0, "{first}");
    assert!(first.get("resume").is_none(), "only a resume says resume");

    // The day after, the quota is back: the resume finishes the snapshot.
    stack.fake.set_knobs(|k| k.quota_after = None);
    let resumed = runtime.call(json!({"resume": true})).response().clone();
    assert_eq!(resumed["status"], "complete", "{resumed}");
    assert_eq!(resumed["extract_date"], DATE);
    assert_eq!(resumed["resume"]["resumed"], true, "{resumed}");
    assert_eq!(resumed["resume"]["snapshot"], DATE);
    assert!(
        resumed["resume"]["reason"]
            .as_str()
            .unwrap()
            .contains("partial (stopped: quota)"),
        "{resumed}"
    );
    assert_eq!(resumed["pending_artists"], json!([]));
    assert!(
        resumed["fetched"]["artists"].as_u64().unwrap() <= pending as u64,
        "only the pending artists are fetched again: {resumed}"
    );
    // Every artist is in the lake under the snapshot's date.
    let want: BTreeMap<&str, String> = names
        .iter()
        .map(|n| {
            let a = stack
                .fake
                .data()
                .artists
                .iter()
                .find(|a| a.name == *n)
                .unwrap();
            (*n, a.id.clone())
        })
        .collect();
    let lake = stack.objects("lake").await;
    for (name, id) in &want {
        let prefix = format!("albums/extract_date={DATE}/artist_id={id}/");
        assert!(
            lake.keys().any(|p| p.starts_with(&prefix)),
            "{name} has no albums partition: {:?}",
            lake.keys().collect::<Vec<_>>()
        );
    }
    let manifest: Value = serde_json::from_slice(
        &stack.objects("raw").await[&format!("extract_date={DATE}/manifest.json")],
    )
    .unwrap();
    assert_eq!(manifest["status"], "complete", "{manifest}");

    // Nothing left: a second resume answers at once, with no request.
    let before = stack.fake.requests().len();
    let again = runtime.call(json!({"resume": true})).response().clone();
    assert_eq!(again["status"], "complete");
    assert_eq!(again["resume"]["resumed"], false, "{again}");
    assert_eq!(again["resume"]["snapshot"], DATE);
    assert_eq!(again["requests"]["total"], 0);
    assert_eq!(stack.fake.requests().len(), before, "no request to Spotify");

    // The metrics the alarms read: Partial, then the complete snapshot's
    // age from the resume and from the idle invocation after it.
    let emf = emf_lines(&function);
    assert_eq!(
        emf.len(),
        3,
        "the first idle resume knows no complete snapshot: {emf:?}"
    );
    assert_eq!(emf[0]["Partial"], 1.0);
    assert!(
        emf[0].get("CompleteSnapshotAgeDays").is_none(),
        "{}",
        emf[0]
    );
    assert_eq!(emf[1]["Partial"], 0.0);
    let age = emf[1]["CompleteSnapshotAgeDays"].as_f64().expect("an age");
    assert!(age >= 0.0, "{age}");
    assert_eq!(emf[2]["CompleteSnapshotAgeDays"].as_f64(), Some(age));
    assert!(emf[2].get("Partial").is_none(), "no run, no run figures");

    // A typo in a key is the invocation's error, and runs nothing.
    let err = runtime.call(json!({"artist": ["Adele"]})).error().clone();
    assert_eq!(err["errorType"], "EventError", "{err}");
    let msg = err["errorMessage"].as_str().unwrap();
    assert!(
        msg.contains("\"artist\"") && msg.contains("unknown key"),
        "{msg}"
    );
    assert_eq!(stack.fake.requests().len(), before);
}
