//! A fake AWS Lambda Runtime API on loopback, for running the real binary
//! in Lambda mode: `GET /2018-06-01/runtime/invocation/next` hands out the
//! queued events one at a time (and waits while none is queued, as the
//! service does), `POST …/{id}/response` and `…/{id}/error` are recorded,
//! and so is `POST /2018-06-01/runtime/init/error`.
//!
//! It also notes when the first `next` arrived: the process's init time,
//! as the Lambda service measures it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::Value;

/// What the function answered to one invocation.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// `/response`: the handler's JSON.
    Response(Value),
    /// `/error`: `{"errorType", "errorMessage"}`.
    Error(Value),
}

impl Outcome {
    /// The response, or a panic showing the error.
    pub fn response(&self) -> &Value {
        match self {
            Outcome::Response(v) => v,
            Outcome::Error(e) => panic!("the invocation failed: {e}"),
        }
    }

    /// The error, or a panic showing the response.
    pub fn error(&self) -> &Value {
        match self {
            Outcome::Error(e) => e,
            Outcome::Response(v) => panic!("the invocation succeeded: {v}"),
        }
    }
}

#[derive(Default)]
struct Shared {
    queue: Mutex<VecDeque<(String, Value, u64)>>,
    outcomes: Mutex<HashMap<String, Outcome>>,
    init_error: Mutex<Option<Value>>,
    first_next: Mutex<Option<Instant>>,
    changed: Condvar,
    queued: tokio::sync::Notify,
}

/// A running fake Runtime API. Dropping it stops the server.
pub struct FakeRuntime {
    shared: Arc<Shared>,
    addr: String,
    next_id: Mutex<u64>,
    /// Dropped with the fake, which stops the server (`serve_on_thread`).
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FakeRuntime {
    /// Starts the server on 127.0.0.1 with a free port, on its own thread.
    pub fn start() -> FakeRuntime {
        let listener = super::loopback::bind_loopback();
        let addr = listener.local_addr().expect("a bound address").to_string();
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(Arc::clone(&shared));
        let stop = super::loopback::serve_on_thread("fake-lambda-runtime", listener, app);
        FakeRuntime {
            shared,
            addr,
            next_id: Mutex::new(0),
            _stop: stop,
        }
    }

    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Queues an event with a deadline `timeout` from when it is handed
    /// out; returns its request id.
    pub fn invoke(&self, event: Value, timeout: Duration) -> String {
        let id = {
            let mut n = lock(&self.next_id);
            *n += 1;
            format!("req-{n:04}")
        };
        lock(&self.shared.queue).push_back((id.clone(), event, timeout.as_millis() as u64));
        self.shared.queued.notify_one();
        id
    }

    /// Waits (up to `limit`) for invocation `id`'s outcome.
    pub fn outcome(&self, id: &str, limit: Duration) -> Outcome {
        let until = Instant::now() + limit;
        let mut outcomes = lock(&self.shared.outcomes);
        loop {
            if let Some(o) = outcomes.get(id) {
                return o.clone();
            }
            let now = Instant::now();
            assert!(now < until, "no outcome for {id} within {limit:?}");
            outcomes = self
                .shared
                .changed
                .wait_timeout(outcomes, until - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Invokes and waits for the outcome (10 minutes at most).
    pub fn call(&self, event: Value) -> Outcome {
        let id = self.invoke(event, Duration::from_secs(900));
        self.outcome(&id, Duration::from_secs(600))
    }

    /// When the function first asked for an event (its init ended).
    pub fn first_next(&self) -> Option<Instant> {
        *lock(&self.shared.first_next)
    }

    /// What the function posted to `/init/error`, if anything.
    pub fn init_error(&self) -> Option<Value> {
        lock(&self.shared.init_error).clone()
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    lock(&shared.first_next).get_or_insert_with(Instant::now);
    let (id, event, timeout_ms) = loop {
        let waiting = shared.queued.notified();
        if let Some(item) = lock(&shared.queue).pop_front() {
            break item;
        }
        waiting.await;
    };
    let deadline = chrono::Utc::now().timestamp_millis() as u64 + timeout_ms;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).expect("a header value"));
    };
    set("lambda-runtime-aws-request-id", id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:spotify-lake-test".into(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000".into(),
    );
    set("content-type", "application/json".into());
    (StatusCode::OK, headers, event.to_string())
}

fn record(shared: &Shared, id: String, outcome: Outcome) -> StatusCode {
    lock(&shared.outcomes).insert(id, outcome);
    shared.changed.notify_all();
    StatusCode::ACCEPTED
}

/// A posted body as JSON (or as a JSON string when it is not JSON).
fn body_json(body: &Bytes) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    record(&shared, id, Outcome::Response(body_json(&body)))
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    record(&shared, id, Outcome::Error(body_json(&body)))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    *lock(&shared.init_error) = Some(body_json(&body));
    shared.changed.notify_all();
    StatusCode::ACCEPTED
}
