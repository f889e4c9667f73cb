//! Leases: one writer at a time (DESIGN.md, "Nothing fails silently").
//!
//! A lease is an object written only if absent (`PutMode::Create`: a hard
//! link on a local folder, a PUT with `If-None-Match: *` on S3), holding
//! who took it, for what and when ([`LeaseRecord`]). Three of them:
//! - `_lease/<extract_date>.json` in the raw zone, held by `run` (the
//!   extraction writes the date's snapshot and manifest). A laptop run and
//!   the Lambda on one raw zone and date: the second fails at once (exit
//!   1), naming the holder, the lease's age and what to do ([`Lease::take`]).
//! - `_lease/<extract_date>.json` in the lake, held by a load of that date
//!   (`run`'s included), which writes the lake's date partitions. Why not
//!   the raw zone's: a load only reads the raw zone, which may be read-only
//!   (a bundled sample, a bucket the loader can only read), and two lakes
//!   loading one snapshot do not collide.
//! - `_lease/catalog.json` in the lake, held while the local catalog's
//!   files are rewritten and while `current_albums` is folded and committed
//!   (with every catalog kind: two folds of one committed version would
//!   each drop the other's rows). Those updates are short, so a second
//!   writer waits for it, with a small backoff, up to
//!   [`LeaseOptions::catalog_wait`] ([`Lease::wait`]).
//!
//! A lease is removed at the end, on success and on error: the code that
//! takes one awaits [`Lease::release`] itself (a release is a network call,
//! which no `Drop` can await). A holder renews its lease every quarter of
//! [`LeaseOptions::stale_after`], so a long laptop run keeps it. A crash
//! leaves the lease behind, and then:
//! - a lease whose holder ran on this machine (same host name and process
//!   namespace) and whose process is gone is taken over at once;
//! - any lease not renewed for `stale_after` (`[lake] lease_minutes`,
//!   default 20, longer than the Lambda's 15-minute limit) is taken over;
//!
//! both with a warning naming the old holder.
//!
//! `_lease/` is invisible to readers: the raw zone is read through its
//! `extract_date=` folders, the lake through its table folders, and
//! `status` and `scripts/check_lake.py` skip folders starting with `_`.
//!
//! Why not a lock table (DynamoDB) or an in-process mutex: the writers are
//! separate processes (a laptop and the Lambda), and conditional PUTs are
//! in S3 itself (since 2024), in moto and in object_store, so the lease
//! needs nothing the zones do not already have.
//!
//! Limits: taking over a stale lease is a conditional PUT (`If-Match` the
//! stale object's ETag) where the store has one (S3, memory); a local
//! folder has none, so there it is a check, then a delete, then the
//! create-if-absent, and two processes taking over the same stale lease in
//! the same milliseconds could both succeed. A release, likewise, checks
//! that the lease is still its own before deleting it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use object_store::path::Path;
use object_store::{
    ObjectStore, ObjectStoreExt as _, PutMode, PutOptions, PutPayload, UpdateVersion,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, oneshot};

use crate::ids::ExtractDate;
use crate::store::Location;

/// The folder of the leases, in the raw zone and in the lake.
pub const LEASE_DIR: &str = "_lease";
/// `[lake] lease_minutes` when not set.
pub const DEFAULT_LEASE_MINUTES: u32 = 20;
/// How long a writer waits for the catalog lease by default.
pub const DEFAULT_CATALOG_WAIT: Duration = Duration::from_secs(120);

/// Why a lease could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// Another writer holds the date's lease.
    #[error(
        "{what} is being written by {who} ({purpose}), whose lease {path} was taken {age} ago: wait for it to finish and run again, or, if that process is dead, remove {path} (a lease not renewed for {stale} is taken over)"
    )]
    Held {
        /// What the lease guards, e.g. `extract date 2026-11-26 of /data/raw/`.
        what: String,
        /// The holder.
        who: String,
        /// What the holder is doing.
        purpose: String,
        /// How long ago it took the lease.
        age: String,
        /// The lease object.
        path: String,
        /// When a lease goes stale.
        stale: String,
    },
    /// The catalog lease stayed held for longer than the wait.
    #[error(
        "{what} is held by {who} ({purpose}), whose lease {path} was taken {age} ago; waited {waited}: run again later, or, if that process is dead, remove {path}"
    )]
    Busy {
        /// What the lease guards.
        what: String,
        /// The holder.
        who: String,
        /// What the holder is doing.
        purpose: String,
        /// How long ago it took the lease.
        age: String,
        /// The lease object.
        path: String,
        /// How long this writer waited.
        waited: String,
    },
    /// The lease changed hands again and again while being taken.
    #[error(
        "the lease {path} changed hands {tries} times while this process tried to take it; run again"
    )]
    Contended {
        /// The lease object.
        path: String,
        /// Attempts made.
        tries: usize,
    },
    /// The store refused a read or write of the lease.
    #[error(
        "cannot {action} the lease {path}; check that the {zone} location exists and is writable (on S3: s3:PutObject, s3:GetObject and s3:DeleteObject on its _lease/ folder)"
    )]
    Store {
        /// read, write or delete.
        action: &'static str,
        /// The zone: `lake` or `raw zone`.
        zone: &'static str,
        /// The lease object.
        path: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
}

/// How leases are taken.
#[derive(Debug, Clone)]
pub struct LeaseOptions {
    /// A lease not renewed for this long is taken over (`[lake]
    /// lease_minutes`). Its holder renews it every quarter of it.
    pub stale_after: Duration,
    /// How long a writer waits for the catalog lease before giving up.
    pub catalog_wait: Duration,
    /// Who takes the leases, before the host and process id, e.g.
    /// `lambda 8476a536-e9f4-11e8-9739-2dfe598c3fcd` (the request id).
    pub label: Option<String>,
}

impl Default for LeaseOptions {
    fn default() -> Self {
        LeaseOptions::minutes(DEFAULT_LEASE_MINUTES)
    }
}

impl LeaseOptions {
    /// Leases going stale after `minutes`, the default catalog wait, no label.
    pub fn minutes(minutes: u32) -> Self {
        LeaseOptions {
            stale_after: Duration::from_secs(u64::from(minutes) * 60),
            catalog_wait: DEFAULT_CATALOG_WAIT,
            label: None,
        }
    }
}

/// What a lease guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseKind {
    /// One extract date of the raw zone, taken by a run:
    /// `_lease/<date>.json`.
    Date(ExtractDate),
    /// One extract date of the lake, taken by a load: `_lease/<date>.json`.
    LakeDate(ExtractDate),
    /// The lake's catalog and `current_albums`: `_lease/catalog.json`.
    Catalog,
}

impl LeaseKind {
    /// The lease object, relative to its zone.
    ///
    /// ```
    /// use spotify_lake::lease::LeaseKind;
    /// let date = "2026-11-26".parse().unwrap();
    /// assert_eq!(LeaseKind::Date(date).path().as_ref(), "_lease/2026-11-26.json");
    /// assert_eq!(LeaseKind::Catalog.path().as_ref(), "_lease/catalog.json");
    /// ```
    pub fn path(self) -> Path {
        match self {
            LeaseKind::Date(date) | LeaseKind::LakeDate(date) => {
                Path::from(format!("{LEASE_DIR}/{date}.json"))
            }
            LeaseKind::Catalog => Path::from(format!("{LEASE_DIR}/catalog.json")),
        }
    }

    fn what(self, zone: &Location) -> String {
        match self {
            LeaseKind::Date(date) | LeaseKind::LakeDate(date) => {
                format!("extract date {date} of {zone}")
            }
            LeaseKind::Catalog => format!("the catalog of {zone}"),
        }
    }

    /// The zone the lease lives in, for messages.
    fn zone(self) -> &'static str {
        match self {
            LeaseKind::Date(_) => "raw zone",
            LeaseKind::LakeDate(_) | LeaseKind::Catalog => "lake",
        }
    }
}

/// The body of a lease object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseRecord {
    /// The holder: host and process id, and the Lambda request id in Lambda.
    pub who: String,
    /// What it is doing, e.g. `run of 2026-11-26`.
    pub purpose: String,
    /// When it took the lease.
    pub taken_at: DateTime<Utc>,
    /// When it last renewed it (`None` until the first renewal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewed_at: Option<DateTime<Utc>>,
    /// Its host name, to tell whether its process can be checked.
    #[serde(default)]
    pub host: String,
    /// Its process id.
    #[serde(default)]
    pub pid: u32,
    /// Its process namespace (`pid:[…]` on Linux), so a container sharing
    /// the host name is not mistaken for this one.
    #[serde(default)]
    pub pid_ns: String,
    /// Random, one per lease taken: how a holder knows its own lease.
    #[serde(default)]
    pub token: String,
}

impl LeaseRecord {
    fn new(purpose: &str, label: Option<&str>, me: &Identity) -> Self {
        let who = match label {
            Some(label) => format!("{label} (pid {} on {})", me.pid, me.host),
            None => format!("pid {} on {}", me.pid, me.host),
        };
        LeaseRecord {
            who,
            purpose: purpose.to_owned(),
            taken_at: Utc::now(),
            renewed_at: None,
            host: me.host.clone(),
            pid: me.pid,
            pid_ns: me.pid_ns.clone(),
            token: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
        }
    }

    fn body(&self) -> PutPayload {
        // A plain struct of strings and timestamps always serialises.
        PutPayload::from(serde_json::to_vec_pretty(self).expect("a lease record serialises"))
    }

    /// How long ago it was taken, as of `now` (zero for a clock ahead of ours).
    fn age(&self, now: DateTime<Utc>) -> Duration {
        (now - self.taken_at).to_std().unwrap_or_default()
    }

    /// How long since it was last taken or renewed.
    fn idle(&self, now: DateTime<Utc>) -> Duration {
        (now - self.renewed_at.unwrap_or(self.taken_at))
            .to_std()
            .unwrap_or_default()
    }
}

/// This process, as a lease names it.
struct Identity {
    host: String,
    pid: u32,
    pid_ns: String,
}

impl Identity {
    fn current() -> Self {
        let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .map(|h| h.trim().to_owned())
            .find(|h| !h.is_empty())
            .unwrap_or_else(|| "an unknown host".to_owned());
        let pid_ns = std::fs::read_link("/proc/self/ns/pid")
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Identity {
            host,
            pid: std::process::id(),
            pid_ns,
        }
    }

    /// Whether the holder of `record` was a process of this machine that
    /// has ended (so its lease can go at once). Unknown means alive.
    fn outlived(&self, record: &LeaseRecord) -> bool {
        !record.pid_ns.is_empty()
            && record.host == self.host
            && record.pid_ns == self.pid_ns
            && record.pid != self.pid
            && record.pid != 0
            && !process_exists(record.pid)
    }
}

#[cfg(target_os = "linux")]
fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_exists(_pid: u32) -> bool {
    true
}

/// A duration as people read it: `42 s`, `3 min 5 s`, `2 h 10 min`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// A store error, its zone filled in by [`LeaseError::in_zone`].
fn store_err(action: &'static str, path: &str) -> impl FnOnce(object_store::Error) -> LeaseError {
    let path = path.to_owned();
    move |source| LeaseError::Store {
        action,
        zone: "lease's",
        path,
        source,
    }
}

impl LeaseError {
    /// Names the zone of a store error.
    fn in_zone(mut self, kind: LeaseKind) -> Self {
        if let LeaseError::Store { zone, .. } = &mut self {
            *zone = kind.zone();
        }
        self
    }
}

/// The lease object as it is now: its record (or a stand-in for one that
/// cannot be read) and its version; `None` when there is none.
async fn read(
    store: &dyn ObjectStore,
    path: &Path,
    shown: &str,
) -> Result<Option<(LeaseRecord, UpdateVersion)>, LeaseError> {
    let got = match store.get(path).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(store_err("read", shown)(e)),
    };
    let version = UpdateVersion {
        e_tag: got.meta.e_tag.clone(),
        version: got.meta.version.clone(),
    };
    let modified = got.meta.last_modified;
    let bytes = match got.bytes().await {
        Ok(b) => b,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(store_err("read", shown)(e)),
    };
    let record = serde_json::from_slice(&bytes).unwrap_or_else(|e| LeaseRecord {
        who: format!("an unknown writer (the lease is not a lease record: {e})"),
        purpose: "unknown".into(),
        taken_at: modified,
        renewed_at: None,
        host: String::new(),
        pid: 0,
        pid_ns: String::new(),
        token: String::new(),
    });
    Ok(Some((record, version)))
}

/// One attempt's outcome.
enum Attempt {
    Taken(Lease),
    Held(LeaseRecord),
}

/// Rounds of create, look, take over, before giving up as contended.
const TRIES: usize = 5;

/// Takes the lease, taking over a stale or outlived one; reports the
/// holder of a live one.
async fn attempt(
    zone: &Location,
    kind: LeaseKind,
    purpose: &str,
    opts: &LeaseOptions,
) -> Result<Attempt, LeaseError> {
    let store = &zone.store;
    let path = kind.path();
    let shown = format!("{zone}{path}");
    let me = Identity::current();
    let mine = LeaseRecord::new(purpose, opts.label.as_deref(), &me);
    for _ in 0..TRIES {
        let created = store
            .put_opts(&path, mine.body(), PutOptions::from(PutMode::Create))
            .await;
        match created {
            Ok(_) => return Ok(Attempt::Taken(Lease::held(zone, path, shown, mine, opts))),
            Err(object_store::Error::AlreadyExists { .. }) => {}
            Err(e) => return Err(store_err("write", &shown)(e)),
        }
        let Some((theirs, version)) = read(store.as_ref(), &path, &shown).await? else {
            continue; // released in between: create again
        };
        if theirs.token == mine.token {
            // Our own create, retried by the client after a lost answer.
            return Ok(Attempt::Taken(Lease::held(zone, path, shown, mine, opts)));
        }
        let now = Utc::now();
        let outlived = me.outlived(&theirs);
        if !outlived && theirs.idle(now) < opts.stale_after {
            return Ok(Attempt::Held(theirs));
        }
        let why = if outlived {
            format!("its process {} on this machine has ended", theirs.pid)
        } else {
            format!(
                "it was not renewed for {}, longer than lease_minutes ({})",
                human(theirs.idle(now)),
                human(opts.stale_after)
            )
        };
        tracing::warn!(
            lease = %shown,
            holder = %theirs.who,
            purpose = %theirs.purpose,
            taken = %human(theirs.age(now)),
            "Taking over the lease of {}: {why}.",
            theirs.who
        );
        let taken = store
            .put_opts(
                &path,
                mine.body(),
                PutOptions::from(PutMode::Update(version)),
            )
            .await;
        match taken {
            Ok(_) => return Ok(Attempt::Taken(Lease::held(zone, path, shown, mine, opts))),
            // Another writer took it over first, or it went: look again.
            Err(
                object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. },
            ) => {}
            // A local folder has no conditional update: delete the stale
            // lease if it is still the one seen, then create again.
            Err(object_store::Error::NotImplemented { .. }) => {
                if let Some((now_there, _)) = read(store.as_ref(), &path, &shown).await?
                    && now_there.token == theirs.token
                {
                    match store.delete(&path).await {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => return Err(store_err("delete", &shown)(e)),
                    }
                }
            }
            Err(e) => return Err(store_err("write", &shown)(e)),
        }
    }
    Err(LeaseError::Contended {
        path: shown,
        tries: TRIES,
    })
}

/// What a held lease knows of itself, shared with its renewal task.
struct Held {
    record: LeaseRecord,
    /// Who took it away (then it is neither renewed nor removed).
    lost: Option<String>,
}

/// A lease this process holds. Give it back with [`Lease::release`].
#[must_use = "a lease is held until released: await Lease::release on every path"]
pub struct Lease {
    store: Arc<dyn ObjectStore>,
    path: Path,
    shown: String,
    held: Arc<Mutex<Held>>,
    renewal: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lease({})", self.shown)
    }
}

impl Lease {
    /// Takes the lease of `kind` in `zone` for `purpose`, or fails at once
    /// with [`LeaseError::Held`] naming the live holder.
    pub async fn take(
        zone: &Location,
        kind: LeaseKind,
        purpose: &str,
        opts: &LeaseOptions,
    ) -> Result<Lease, LeaseError> {
        match attempt(zone, kind, purpose, opts)
            .await
            .map_err(|e| e.in_zone(kind))?
        {
            Attempt::Taken(lease) => Ok(lease),
            Attempt::Held(theirs) => Err(LeaseError::Held {
                what: kind.what(zone),
                who: theirs.who.clone(),
                purpose: theirs.purpose.clone(),
                age: human(theirs.age(Utc::now())),
                path: format!("{zone}{}", kind.path()),
                stale: human(opts.stale_after),
            }),
        }
    }

    /// Takes the lease of `kind` in `zone`, waiting for a live holder to
    /// release it (retrying with a small, growing, jittered backoff) up
    /// to [`LeaseOptions::catalog_wait`]; then [`LeaseError::Busy`].
    pub async fn wait(
        zone: &Location,
        kind: LeaseKind,
        purpose: &str,
        opts: &LeaseOptions,
    ) -> Result<Lease, LeaseError> {
        let started = Instant::now();
        let mut step = Duration::from_millis(10);
        let mut told = false;
        loop {
            let theirs = match attempt(zone, kind, purpose, opts)
                .await
                .map_err(|e| e.in_zone(kind))?
            {
                Attempt::Taken(lease) => return Ok(lease),
                Attempt::Held(theirs) => theirs,
            };
            let waited = started.elapsed();
            if waited >= opts.catalog_wait {
                return Err(LeaseError::Busy {
                    what: kind.what(zone),
                    who: theirs.who.clone(),
                    purpose: theirs.purpose.clone(),
                    age: human(theirs.age(Utc::now())),
                    path: format!("{zone}{}", kind.path()),
                    waited: human(waited),
                });
            }
            if !told {
                tracing::info!(holder = %theirs.who, purpose = %theirs.purpose, "Waiting for {}.", kind.what(zone));
                told = true;
            }
            let pause = step.mul_f64(0.5 + fastrand::f64() / 2.0);
            tokio::time::sleep(pause.min(opts.catalog_wait - waited)).await;
            step = (step * 2).min(Duration::from_secs(1));
        }
    }

    fn held(
        zone: &Location,
        path: Path,
        shown: String,
        record: LeaseRecord,
        opts: &LeaseOptions,
    ) -> Lease {
        tracing::debug!(lease = %shown, purpose = %record.purpose, "Lease taken.");
        let held = Arc::new(Mutex::new(Held { record, lost: None }));
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(renew_until(
            Arc::clone(&zone.store),
            path.clone(),
            shown.clone(),
            Arc::clone(&held),
            (opts.stale_after / 4).max(Duration::from_millis(10)),
            stopped,
        ));
        Lease {
            store: Arc::clone(&zone.store),
            path,
            shown,
            held,
            renewal: Some((stop, task)),
        }
    }

    /// Where the lease object is, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Removes the lease, if it is still this process's. Never fails: a
    /// lease that cannot be removed is a warning (it goes stale, or the
    /// next writer on this machine sees its process has ended).
    pub async fn release(mut self) {
        if let Some((stop, task)) = self.renewal.take() {
            let _ = stop.send(());
            // The renewal in flight finishes first, so the check below
            // sees the latest record.
            let _ = task.await;
        }
        let held = self.held.lock().await;
        if let Some(by) = &held.lost {
            tracing::warn!(lease = %self.shown, holder = %by, "The lease was taken over while this process held it; left to its new holder.");
            return;
        }
        let leave = |why: String| {
            tracing::warn!(lease = %self.shown, "Cannot remove the lease ({why}); it blocks other writers until it is stale (lease_minutes) or removed by hand.");
        };
        match read(self.store.as_ref(), &self.path, &self.shown).await {
            Ok(Some((now_there, _))) if now_there.token == held.record.token => {
                match self.store.delete(&self.path).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {
                        tracing::debug!(lease = %self.shown, "Lease released.");
                    }
                    Err(e) => leave(crate::error_chain(&e)),
                }
            }
            Ok(Some((now_there, _))) => {
                tracing::warn!(lease = %self.shown, holder = %now_there.who, "The lease was taken over while this process held it; left to its new holder.");
            }
            Ok(None) => {
                tracing::warn!(lease = %self.shown, "The lease was removed by someone else while this process held it.");
            }
            Err(e) => leave(crate::error_chain(&e)),
        }
    }
}

/// Renews the lease every `every` until told to stop (or until the lease
/// is dropped without a release, which drops the sender).
async fn renew_until(
    store: Arc<dyn ObjectStore>,
    path: Path,
    shown: String,
    held: Arc<Mutex<Held>>,
    every: Duration,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep(every) => {}
        }
        let mut held = held.lock().await;
        match renew(store.as_ref(), &path, &shown, &mut held.record).await {
            Ok(None) => {}
            Ok(Some(by)) => {
                tracing::error!(lease = %shown, holder = %by, "The lease was taken over while this process held it: another writer may be writing the same data. Check its result.");
                held.lost = Some(by);
                return;
            }
            Err(e) => {
                tracing::warn!(lease = %shown, error = %crate::error_chain(&e), "Cannot renew the lease; trying again.");
            }
        }
    }
}

/// Writes `record` again with a new `renewed_at`, if the lease is still
/// its own; `Ok(Some(who))` when someone else holds it now.
async fn renew(
    store: &dyn ObjectStore,
    path: &Path,
    shown: &str,
    record: &mut LeaseRecord,
) -> Result<Option<String>, LeaseError> {
    let version = match read(store, path, shown).await? {
        Some((now_there, version)) if now_there.token == record.token => version,
        Some((now_there, _)) => return Ok(Some(now_there.who)),
        None => return Ok(Some("nobody (it was removed)".into())),
    };
    let mut next = record.clone();
    next.renewed_at = Some(Utc::now());
    let put = store
        .put_opts(
            path,
            next.body(),
            PutOptions::from(PutMode::Update(version)),
        )
        .await;
    match put {
        Ok(_) => {}
        Err(object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. }) => {
            return Ok(Some("another writer".into()));
        }
        // A local folder: the check above, then a plain overwrite.
        Err(object_store::Error::NotImplemented { .. }) => {
            store
                .put(path, next.body())
                .await
                .map_err(store_err("write", shown))?;
        }
        Err(e) => return Err(store_err("write", shown)(e)),
    }
    *record = next;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::local::LocalFileSystem;
    use object_store::memory::InMemory;

    fn memory() -> Location {
        Location::new(
            Arc::new(InMemory::new()),
            url::Url::parse("memory:///raw/").unwrap(),
        )
    }

    fn local(dir: &tempfile::TempDir) -> Location {
        Location::new(
            Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap()),
            url::Url::from_directory_path(dir.path()).unwrap(),
        )
    }

    fn date() -> LeaseKind {
        LeaseKind::Date("2026-11-26".parse().unwrap())
    }

    /// Both stores, each in a fresh state.
    async fn each_store(test: impl AsyncFn(Location)) {
        test(memory()).await;
        let dir = tempfile::tempdir().unwrap();
        test(local(&dir)).await;
    }

    async fn put(zone: &Location, kind: LeaseKind, record: &LeaseRecord) {
        zone.store.put(&kind.path(), record.body()).await.unwrap();
    }

    async fn record_at(zone: &Location, kind: LeaseKind) -> Option<LeaseRecord> {
        read(zone.store.as_ref(), &kind.path(), "x")
            .await
            .unwrap()
            .map(|(r, _)| r)
    }

    /// A record of another machine's writer, taken `ago` before now.
    fn elsewhere(ago: Duration) -> LeaseRecord {
        let me = Identity {
            host: "laptop-7".into(),
            pid: 4242,
            pid_ns: "pid:[1]".into(),
        };
        let mut r = LeaseRecord::new("run of 2026-11-26", None, &me);
        r.taken_at = Utc::now() - chrono::Duration::from_std(ago).unwrap();
        r
    }

    #[tokio::test]
    async fn a_second_writer_is_refused_naming_the_holder_until_the_release() {
        each_store(async |zone: Location| {
            let opts = LeaseOptions::default();
            let first = Lease::take(&zone, date(), "run of 2026-11-26", &opts)
                .await
                .unwrap();
            let held = record_at(&zone, date()).await.unwrap();
            assert_eq!(held.purpose, "run of 2026-11-26");
            assert!(
                held.who.contains(&format!("pid {}", std::process::id())),
                "{}",
                held.who
            );
            let err = Lease::take(&zone, date(), "load of 2026-11-26", &opts)
                .await
                .unwrap_err()
                .to_string();
            for part in [
                "extract date 2026-11-26 of",
                &held.who,
                "(run of 2026-11-26)",
                "_lease/2026-11-26.json was taken 0 s ago",
                "wait for it to finish",
                "remove",
                "not renewed for 20 min is taken over",
            ] {
                assert!(err.contains(part), "{part:?} not in {err}");
            }
            // The catalog's lease is another object.
            let catalog = Lease::take(&zone, LeaseKind::Catalog, "x", &opts)
                .await
                .unwrap();
            first.release().await;
            assert!(record_at(&zone, date()).await.is_none(), "released");
            let again = Lease::take(&zone, date(), "load of 2026-11-26", &opts)
                .await
                .unwrap();
            again.release().await;
            catalog.release().await;
            assert!(record_at(&zone, LeaseKind::Catalog).await.is_none());
        })
        .await;
    }

    #[tokio::test]
    async fn a_stale_lease_is_taken_over_and_a_fresh_one_is_not() {
        each_store(async |zone: Location| {
            let opts = LeaseOptions::minutes(20);
            put(&zone, date(), &elsewhere(Duration::from_secs(19 * 60))).await;
            let err = Lease::take(&zone, date(), "run", &opts).await.unwrap_err();
            assert!(matches!(err, LeaseError::Held { .. }), "{err}");
            assert!(err.to_string().contains("pid 4242 on laptop-7"), "{err}");
            assert!(err.to_string().contains("taken 19 min"), "{err}");

            put(&zone, date(), &elsewhere(Duration::from_secs(21 * 60))).await;
            let lease = Lease::take(&zone, date(), "run", &opts).await.unwrap();
            let now = record_at(&zone, date()).await.unwrap();
            assert_eq!(now.host, Identity::current().host);
            assert_eq!(now.pid, std::process::id());
            lease.release().await;
            assert!(record_at(&zone, date()).await.is_none());
        })
        .await;
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_lease_of_an_ended_process_of_this_machine_is_taken_over_at_once() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        each_store(async |zone: Location| {
            let me = Identity::current();
            let dead = Identity {
                pid: gone,
                ..Identity::current()
            };
            let record = LeaseRecord::new("run", None, &dead);
            put(&zone, date(), &record).await;
            let lease = Lease::take(&zone, date(), "load", &LeaseOptions::default())
                .await
                .unwrap();
            assert_eq!(record_at(&zone, date()).await.unwrap().pid, me.pid);
            lease.release().await;
            // A live process of this machine (this one, another lease) keeps it.
            let other = Lease::take(&zone, date(), "run", &LeaseOptions::default())
                .await
                .unwrap();
            assert!(
                Lease::take(&zone, date(), "load", &LeaseOptions::default())
                    .await
                    .is_err()
            );
            other.release().await;
        })
        .await;
    }

    #[tokio::test]
    async fn a_waiter_gets_the_lease_when_it_is_released_or_gives_up_naming_the_holder() {
        each_store(async |zone: Location| {
            let opts = LeaseOptions {
                catalog_wait: Duration::from_secs(30),
                ..LeaseOptions::default()
            };
            let first = Lease::take(&zone, LeaseKind::Catalog, "load of 2026-11-26", &opts)
                .await
                .unwrap();
            let (taken_tx, taken_rx) = oneshot::channel();
            let waiter = {
                let (zone, opts) = (zone.clone(), opts.clone());
                tokio::spawn(async move {
                    let lease =
                        Lease::wait(&zone, LeaseKind::Catalog, "load of 2026-12-03", &opts).await;
                    let _ = taken_tx.send(());
                    lease
                })
            };
            tokio::time::sleep(Duration::from_millis(100)).await;
            first.release().await;
            taken_rx.await.unwrap();
            let second = waiter.await.unwrap().unwrap();
            assert_eq!(
                record_at(&zone, LeaseKind::Catalog).await.unwrap().purpose,
                "load of 2026-12-03"
            );

            let impatient = LeaseOptions {
                catalog_wait: Duration::from_millis(150),
                ..LeaseOptions::default()
            };
            let started = Instant::now();
            let err = Lease::wait(&zone, LeaseKind::Catalog, "forget", &impatient)
                .await
                .unwrap_err();
            assert!(started.elapsed() >= Duration::from_millis(150));
            let text = err.to_string();
            assert!(matches!(err, LeaseError::Busy { .. }), "{text}");
            for part in [
                "the catalog of",
                "(load of 2026-12-03)",
                "_lease/catalog.json",
                "waited 0 s",
                "remove",
            ] {
                assert!(text.contains(part), "{part:?} not in {text}");
            }
            second.release().await;
        })
        .await;
    }

    #[tokio::test]
    async fn a_held_lease_is_renewed_so_it_never_goes_stale() {
        each_store(async |zone: Location| {
            let opts = LeaseOptions {
                stale_after: Duration::from_millis(400),
                ..LeaseOptions::default()
            };
            let lease = Lease::take(&zone, date(), "run", &opts).await.unwrap();
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let now = record_at(&zone, date()).await.unwrap();
            assert!(now.renewed_at.is_some(), "renewed");
            let err = Lease::take(&zone, date(), "load", &opts).await.unwrap_err();
            assert!(matches!(err, LeaseError::Held { .. }), "{err}");
            lease.release().await;
            assert!(record_at(&zone, date()).await.is_none());
        })
        .await;
    }

    #[tokio::test]
    async fn a_release_leaves_a_lease_taken_over_meanwhile_and_an_unreadable_one_is_held() {
        each_store(async |zone: Location| {
            let opts = LeaseOptions::default();
            let lease = Lease::take(&zone, date(), "run", &opts).await.unwrap();
            let usurper = elsewhere(Duration::ZERO);
            put(&zone, date(), &usurper).await;
            lease.release().await;
            assert_eq!(record_at(&zone, date()).await.unwrap(), usurper);

            zone.store
                .put(&LeaseKind::Catalog.path(), "not json".into())
                .await
                .unwrap();
            let err = Lease::take(&zone, LeaseKind::Catalog, "load", &opts)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains("an unknown writer"), "{err}");
        })
        .await;
    }

    #[test]
    fn ages_read_as_people_say_them() {
        assert_eq!(human(Duration::from_secs(42)), "42 s");
        assert_eq!(human(Duration::from_secs(185)), "3 min 5 s");
        assert_eq!(human(Duration::from_secs(1200)), "20 min");
        assert_eq!(human(Duration::from_secs(7800)), "2 h 10 min");
    }
}
