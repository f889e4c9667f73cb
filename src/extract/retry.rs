//! The retry rule of one request: after each reply that is not a parsed
//! 200, [`decide`] says what to do next (back off and retry, wait out a 429
//! burst, renew the token, hand the status to the caller, stop the run, or
//! give up). A pure function of the reply, the tries so far and
//! `max_wait`, so the rule is tested without a server;
//! [`Session::get`](super::Session::get) carries the decisions out.
//!
//! - 429: a burst (Retry-After ≤ `max_wait`) is waited out (the session's
//!   shared gate), 20 waits at most per request; a quota (`QUOTA_EXCEEDED`
//!   or a longer Retry-After) stops the run;
//! - 5xx, no answer, and 200s whose body does not parse: 5 tries, with
//!   full-jitter exponential backoff between them;
//! - 401: one token renewal, then one retry;
//! - any other status goes to the caller.

use std::time::Duration;

use super::session::{Refusal, StopReason};
use super::{ExtractError, LastFailure};

/// Tries for transient failures (5xx, timeouts, bad bodies).
const TRIES: u32 = 5;
/// Longest backoff step.
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Retry-After assumed when a 429 carries none.
const DEFAULT_RETRY_AFTER: u64 = 5;
/// Burst waits for one request before it gives up.
const MAX_BURST_WAITS: u32 = 20;

/// The tries of one request so far, for [`decide`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tries {
    /// Failed tries (burst waits and the 401 retry are not failures).
    pub failed: u32,
    /// 429 burst waits.
    pub burst_waits: u32,
    /// Whether the token was renewed after a 401.
    pub refreshed: bool,
}

/// A reply that is no parsed 200, for [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A 200 whose body does not parse: the parser's message.
    BadBody(String),
    /// An answer other than 2xx.
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After` in seconds, when given.
        retry_after: Option<u64>,
        /// Up to ~500 bytes of the body.
        body: String,
    },
    /// No answer: what failed.
    Transport(String),
}

/// What [`Session::get`](super::Session::get) does next.
#[derive(Debug)]
pub enum Decision {
    /// Try again after a backoff of the failed tries.
    Backoff,
    /// A 429 burst: close the gate for `retry_after` seconds, then retry.
    WaitBurst {
        /// Seconds Spotify asked to wait.
        retry_after: u64,
    },
    /// A first 401: renew the token, then retry.
    RefreshToken,
    /// Hand the status to the caller.
    Refused(Refusal),
    /// Stop the run (a quota).
    Stop(StopReason),
    /// Give up on this request.
    Fail(ExtractError),
}

/// The retry rule: given `failure` on request `path`, the tries before it
/// (updated here) and the longest 429 wait, what to do next.
pub fn decide(failure: Failure, tries: &mut Tries, path: &str, max_wait: Duration) -> Decision {
    tries.failed += 1;
    let give_up = tries.failed >= TRIES;
    let transient = |last| {
        Decision::Fail(ExtractError::Transient {
            path: path.to_owned(),
            tries: tries.failed,
            last,
        })
    };
    match failure {
        Failure::BadBody(message) if give_up => Decision::Fail(ExtractError::BadBody {
            path: path.to_owned(),
            tries: tries.failed,
            message,
        }),
        Failure::BadBody(_) => Decision::Backoff,
        Failure::Status {
            status: 429,
            retry_after,
            body,
        } => {
            let wait = retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
            if body.contains("QUOTA_EXCEEDED") || Duration::from_secs(wait) > max_wait {
                return Decision::Stop(StopReason::Quota { retry_after: wait });
            }
            tries.burst_waits += 1;
            if tries.burst_waits > MAX_BURST_WAITS {
                return transient(LastFailure::Bursts {
                    waits: MAX_BURST_WAITS,
                });
            }
            tries.failed -= 1; // a burst wait is not a failed try
            Decision::WaitBurst { retry_after: wait }
        }
        Failure::Status { status: 401, .. } if !tries.refreshed => {
            tries.refreshed = true;
            tries.failed -= 1;
            Decision::RefreshToken
        }
        Failure::Status { status: 401, .. } => Decision::Fail(ExtractError::Unauthorized {
            path: path.to_owned(),
        }),
        Failure::Status { status, body, .. } if status >= 500 => {
            if give_up {
                transient(LastFailure::Status { status, body })
            } else {
                Decision::Backoff
            }
        }
        Failure::Status { status, body, .. } => Decision::Refused(Refusal { status, body }),
        Failure::Transport(message) if give_up => transient(LastFailure::Transport { message }),
        Failure::Transport(_) => Decision::Backoff,
    }
}

/// The WARN of a retried failure (the bad body, the 5xx, the transport
/// error), with the try it was.
pub(super) fn log_retry(failure: &Failure, path: &str, tries: u32) {
    match failure {
        Failure::BadBody(e) => {
            tracing::warn!(path, tries, error = %e, "Response body does not parse; retrying.");
        }
        Failure::Status { status, .. } if *status >= 500 => {
            tracing::warn!(path, tries, status, "Server error; retrying.");
        }
        Failure::Transport(message) => {
            tracing::warn!(path, tries, error = %message, "Request failed; retrying.");
        }
        Failure::Status { .. } => {}
    }
}

/// Full-jitter exponential backoff: uniform in [0, min(cap, base·2^(try-1))].
pub(super) fn backoff(base: Duration, tries: u32) -> Duration {
    let step = base
        .saturating_mul(1 << tries.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    step.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_secs(60);

    fn status(status: u16, retry_after: Option<u64>, body: &str) -> Failure {
        Failure::Status {
            status,
            retry_after,
            body: body.into(),
        }
    }

    /// The decisions of `failures` in turn, on one request.
    fn run(failures: impl IntoIterator<Item = Failure>) -> (Vec<Decision>, Tries) {
        let mut tries = Tries::default();
        let decisions = failures
            .into_iter()
            .map(|f| decide(f, &mut tries, "albums/x", WAIT))
            .collect();
        (decisions, tries)
    }

    #[test]
    fn transient_failures_back_off_four_times_then_give_up() {
        let (d, tries) = run((0..5).map(|_| status(503, None, "down")));
        assert!(
            d[..4].iter().all(|d| matches!(d, Decision::Backoff)),
            "{d:?}"
        );
        assert!(
            matches!(&d[4], Decision::Fail(ExtractError::Transient { tries: 5, last: LastFailure::Status { status: 503, body }, .. }) if body == "down"),
            "{:?}",
            d[4]
        );
        assert_eq!(tries.failed, 5);
        let (d, _) = run((0..5).map(|_| Failure::Transport("refused".into())));
        assert!(matches!(
            &d[4],
            Decision::Fail(ExtractError::Transient {
                last: LastFailure::Transport { .. },
                ..
            })
        ));
        let (d, _) = run((0..5).map(|_| Failure::BadBody("eof".into())));
        assert!(matches!(
            &d[4],
            Decision::Fail(ExtractError::BadBody { tries: 5, .. })
        ));
    }

    #[test]
    fn a_burst_waits_and_a_quota_stops() {
        let (d, tries) = run([status(429, Some(2), ""), status(429, None, "")]);
        assert!(
            matches!(
                d[..],
                [
                    Decision::WaitBurst { retry_after: 2 },
                    Decision::WaitBurst { retry_after: 5 }
                ]
            ),
            "{d:?}"
        );
        assert_eq!(
            (tries.failed, tries.burst_waits),
            (0, 2),
            "waits are not failed tries"
        );
        let (d, _) = run([status(429, Some(61), "")]);
        assert!(matches!(
            d[..],
            [Decision::Stop(StopReason::Quota { retry_after: 61 })]
        ));
        let (d, _) = run([status(429, Some(1), r#"{"error":"QUOTA_EXCEEDED"}"#)]);
        assert!(matches!(
            d[..],
            [Decision::Stop(StopReason::Quota { retry_after: 1 })]
        ));
        let (d, _) = run((0..21).map(|_| status(429, Some(0), "")));
        assert!(
            matches!(
                &d[20],
                Decision::Fail(ExtractError::Transient {
                    tries: 1,
                    last: LastFailure::Bursts { waits: 20 },
                    ..
                })
            ),
            "{:?}",
            d[20]
        );
    }

    #[test]
    fn a_401_renews_the_token_once() {
        let (d, tries) = run([status(401, None, ""), status(401, None, "")]);
        assert!(matches!(d[0], Decision::RefreshToken));
        assert!(matches!(
            &d[1],
            Decision::Fail(ExtractError::Unauthorized { .. })
        ));
        assert_eq!(tries.failed, 1);
    }

    #[test]
    fn client_errors_go_to_the_caller_at_once() {
        for s in [400, 403, 404, 409] {
            let (d, tries) = run([status(s, None, "no")]);
            assert!(
                matches!(&d[..], [Decision::Refused(r)] if r.status == s && r.body == "no"),
                "{d:?}"
            );
            assert_eq!(tries.failed, 1);
        }
    }

    #[test]
    fn backoff_is_jittered_and_capped() {
        let base = Duration::from_secs(1);
        for tries in 1..=10 {
            let d = backoff(base, tries);
            let cap = (base * 2u32.pow(tries - 1)).min(BACKOFF_CAP);
            assert!(d <= cap, "{tries}: {d:?} > {cap:?}");
        }
    }
}
