//! Opens a lake or raw-zone location given as a directory or URL.
//!
//! Both zones live behind `object_store`, so the same code writes a laptop
//! folder and an S3 prefix (object_store's `aws` store). A location is the
//! store wrapped in a [`PrefixStore`], so every other module speaks in paths
//! relative to the zone's root (`albums/extract_date=…/…`) and never sees
//! where the root is.
//!
//! A directory is made absolute and normalised here (`.` and `..` resolved
//! by their text, as a shell's `cd` does), because object_store refuses a
//! `..` segment; an error shows a location without the password a URL may
//! embed.
//!
//! Checking a location is apart from opening it: the configuration parses
//! each zone into a [`ZoneUrl`] (a bad scheme is a usage error before any
//! work), and [`ZoneUrl::open`] builds the store once the AWS configuration
//! is known. A build without the `aws` feature has no S3 store: opening
//! `s3://` there is a [`StoreError::NoAws`].

use std::fmt;
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::prefix::PrefixStore;
use url::Url;

use crate::aws::Aws;

/// Why a location cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Neither a directory path nor a supported URL (a usage error).
    #[error("{given:?}: expected a directory or s3://bucket/prefix")]
    BadLocation {
        /// What was given.
        given: String,
    },
    /// A scheme this build does not serve.
    #[error(
        "{given:?}: {scheme}:// locations need the AWS configuration, which this command does not load"
    )]
    Unsupported {
        /// What was given.
        given: String,
        /// The URL scheme.
        scheme: String,
    },
    /// Something on AWS (an `s3://` location, the Glue catalog) in a build
    /// without AWS (a usage error).
    #[error(transparent)]
    NoAws(#[from] crate::aws::NoAwsSupport),
    /// object_store refused the URL.
    #[error("{given:?}: cannot open the store")]
    Open {
        /// What was given.
        given: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
}

/// The lake's listing failed (permissions, network, a broken folder):
/// shared by the commands that list it (`query`, `status`).
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot list the lake {lake}; check that --lake (or [lake] url) names a readable directory or s3://bucket/prefix"
)]
pub struct ListLakeError {
    /// The lake.
    pub lake: String,
    /// Why.
    #[source]
    pub source: object_store::Error,
}

impl ListLakeError {
    /// The error of listing `lake`.
    pub fn of(lake: &Location) -> impl FnOnce(object_store::Error) -> Self + '_ {
        move |source| ListLakeError {
            lake: lake.to_string(),
            source,
        }
    }
}

/// A zone's root: a store whose paths are relative to it.
#[derive(Clone)]
pub struct Location {
    /// Paths are relative to the root.
    pub store: Arc<dyn ObjectStore>,
    /// The root as a URL, e.g. `file:///home/me/lake/`.
    pub url: Url,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({})", self.url)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.url.scheme() {
            "file" => match self.url.to_file_path() {
                Ok(p) => write!(f, "{}", p.display()),
                Err(()) => write!(f, "{}", self.url),
            },
            _ => write!(f, "{}", self.url),
        }
    }
}

impl Location {
    /// A location over a store already rooted at `url` (an in-memory store
    /// in tests).
    pub fn new(store: Arc<dyn ObjectStore>, url: Url) -> Self {
        Location { store, url }
    }

    /// The root as written in catalogs and shown to people: the URL with
    /// its path percent-decoded (`s3://bucket/my lake/`), as S3 keys are.
    pub fn decoded(&self) -> String {
        let path = object_store::path::Path::from_url_path(self.url.path())
            .map(|p| p.to_string())
            .unwrap_or_else(|_| self.url.path().trim_matches('/').to_owned());
        let host = self.url.host_str().unwrap_or_default();
        if path.is_empty() {
            format!("{}://{host}/", self.url.scheme())
        } else {
            format!("{}://{host}/{path}/", self.url.scheme())
        }
    }

    /// The local directory behind a `file://` location, if it is one.
    pub fn local_dir(&self) -> Option<std::path::PathBuf> {
        (self.url.scheme() == "file")
            .then(|| self.url.to_file_path().ok())
            .flatten()
    }
}

/// Parses a directory (absolute or relative to the working directory) or a
/// `file://` URL into a [`Location`]. The directory need not exist yet; it is
/// created by the first write. `s3://` needs [`open_with`].
pub fn open(given: &str) -> Result<Location, StoreError> {
    open_with(given, None)
}

/// [`open`], plus `s3://bucket/prefix` with region, endpoint and
/// credentials from `aws` (object_store's retries back off on 503 SlowDown
/// and other 5xx).
pub fn open_with(given: &str, aws: Option<&Aws>) -> Result<Location, StoreError> {
    ZoneUrl::parse(given)?.open(aws)
}

/// A zone's root as the configuration gives it, checked before anything
/// opens it: a directory (made absolute against the working directory
/// and normalised), a `file://` URL or `s3://bucket/prefix`. Anything else
/// is a [`StoreError::BadLocation`], so a bad scheme is a configuration
/// error rather than a failure of the run. It shows as it was given,
/// without the password a URL may embed.
#[derive(Clone, PartialEq, Eq)]
pub struct ZoneUrl {
    /// The root, ending in `/`.
    url: Url,
    /// What was given, without a password.
    shown: String,
}

impl ZoneUrl {
    /// Checks `given` (no I/O but the working directory for a relative
    /// directory).
    pub fn parse(given: &str) -> Result<Self, StoreError> {
        let shown = without_password(given);
        let bad = || StoreError::BadLocation {
            given: shown.clone(),
        };
        if given.trim().is_empty() {
            return Err(bad());
        }
        // A URL's `.` and `..` segments are resolved by the parser.
        let mut url = match Url::parse(given) {
            // A one-letter "scheme" is a Windows drive, not a URL.
            Ok(url) if url.scheme().len() > 1 => url,
            _ => {
                let abs = std::path::absolute(given).map_err(|_| bad())?;
                Url::from_directory_path(normalise(&abs)).map_err(|()| bad())?
            }
        };
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        let known = match url.scheme() {
            "file" => true,
            "s3" => s3_bucket_and_root(&url).is_some(),
            _ => false,
        };
        if !known {
            return Err(bad());
        }
        Ok(ZoneUrl { url, shown })
    }

    /// The root as a URL, ending in `/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether the zone is on S3 (and so needs the AWS configuration).
    pub fn is_s3(&self) -> bool {
        self.url.scheme() == "s3"
    }

    /// The store rooted here; `s3://` takes region, endpoint and
    /// credentials from `aws` (object_store's retries back off on 503
    /// SlowDown and other 5xx). No network call yet.
    pub fn open(&self, aws: Option<&Aws>) -> Result<Location, StoreError> {
        let (store, root): (Box<dyn ObjectStore>, object_store::path::Path) =
            // `parse` admits only `file://` and a well-formed `s3://`.
            match s3_bucket_and_root(&self.url) {
                None => object_store::parse_url(&self.url).map_err(|e| self.open_error(e))?,
                Some((bucket, root)) => (self.s3(bucket, aws)?, root),
            };
        let store: Arc<dyn ObjectStore> = Arc::new(PrefixStore::new(store, root));
        Ok(Location {
            store,
            url: self.url.clone(),
        })
    }

    /// The S3 store of `bucket`, with region, endpoint and credentials
    /// from `aws`.
    #[cfg(feature = "aws")]
    fn s3(&self, bucket: &str, aws: Option<&Aws>) -> Result<Box<dyn ObjectStore>, StoreError> {
        let Some(aws) = aws else {
            return Err(StoreError::Unsupported {
                given: self.shown.clone(),
                scheme: "s3".to_owned(),
            });
        };
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(aws.region());
        if let Some(endpoint) = aws.s3_endpoint() {
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        if let Some(credentials) = aws.s3_credentials() {
            builder = builder.with_credentials(credentials);
        }
        Ok(Box::new(builder.build().map_err(|e| self.open_error(e))?))
    }

    /// No S3 store in a build without AWS (`aws` is always `None`).
    #[cfg(not(feature = "aws"))]
    fn s3(&self, _bucket: &str, _aws: Option<&Aws>) -> Result<Box<dyn ObjectStore>, StoreError> {
        Err(crate::aws::NoAwsSupport {
            needed_by: format!("{:?}", self.shown),
        }
        .into())
    }

    fn open_error(&self, source: object_store::Error) -> StoreError {
        StoreError::Open {
            given: self.shown.clone(),
            source,
        }
    }
}

impl fmt::Display for ZoneUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for ZoneUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ZoneUrl({})", self.shown)
    }
}

/// An `s3://` URL's bucket and the key prefix of its root; `None` for
/// another scheme, an empty bucket or a path object_store refuses.
fn s3_bucket_and_root(url: &Url) -> Option<(&str, object_store::path::Path)> {
    if url.scheme() != "s3" {
        return None;
    }
    let bucket = url.host_str().filter(|b| !b.is_empty())?;
    let root = object_store::path::Path::from_url_path(url.path()).ok()?;
    Some((bucket, root))
}

/// An absolute path with `.` and `..` resolved by their text: `..` above
/// the root stays at the root, as in a shell.
fn normalise(abs: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for part in abs.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A location or URL as an error may show it: without the password it may
/// embed (`s3://user:***@host/…`).
pub fn without_password(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(_) => value.to_owned(),
        // Not a URL: still cut anything between "://" and "@".
        Err(_) => match (value.find("://"), value.rfind('@')) {
            (Some(i), Some(j)) if j > i => format!("{}***{}", &value[..i + 3], &value[j..]),
            _ => value.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::{ObjectStoreExt, path::Path};

    #[tokio::test]
    async fn a_directory_becomes_a_rooted_store() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lake");
        let loc = open(root.to_str().unwrap()).unwrap();
        loc.store
            .put(&Path::from("albums/a.txt"), "x".into())
            .await
            .unwrap();
        assert!(root.join("albums/a.txt").is_file());
        assert_eq!(loc.local_dir().unwrap(), root);
    }

    #[test]
    fn catalogs_get_the_decoded_location() {
        let loc = open("/tmp/my lake/x%y").unwrap();
        assert!(loc.url.as_str().contains("my%20lake"), "{}", loc.url);
        assert_eq!(loc.decoded(), "file:///tmp/my lake/x%y/");
    }

    #[test]
    fn dot_segments_are_resolved_before_object_store_sees_them() {
        let dir = tempfile::tempdir().unwrap();
        let given = dir.path().join("a/./b/../../lake");
        let loc = open(given.to_str().unwrap()).unwrap();
        assert_eq!(loc.local_dir().unwrap(), dir.path().join("lake"));
        let loc = open(&format!("file://{}/x/../lake", dir.path().display())).unwrap();
        assert_eq!(loc.local_dir().unwrap(), dir.path().join("lake"));
        assert_eq!(
            normalise(std::path::Path::new("/../../x")),
            std::path::Path::new("/x")
        );
    }

    #[test]
    fn no_error_shows_a_password() {
        for given in ["s4://user:hunter2@host/x", "s3://user:hunter2@bucket/x"] {
            let err = open(given).unwrap_err().to_string();
            assert!(!err.contains("hunter2") && err.contains("***"), "{err}");
        }
        assert_eq!(without_password("s3://bucket/x"), "s3://bucket/x");
    }

    #[test]
    fn a_zone_url_is_checked_before_it_is_opened() {
        let rel = ZoneUrl::parse("lake").unwrap();
        assert_eq!(
            rel.url().to_file_path().unwrap(),
            std::env::current_dir().unwrap().join("lake")
        );
        assert!(!rel.is_s3());
        assert_eq!(rel.to_string(), "lake");
        let s3 = ZoneUrl::parse("s3://bucket/a/b").unwrap();
        assert!(s3.is_s3());
        assert_eq!(s3.url().as_str(), "s3://bucket/a/b/");
        for bad in ["s4://x", "ftp://u:hunter2@host/x", "s3:///x", " "] {
            let err = ZoneUrl::parse(bad).unwrap_err();
            assert!(
                matches!(err, StoreError::BadLocation { .. }),
                "{bad}: {err}"
            );
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        let secret = ZoneUrl::parse("s3://u:hunter2@bucket/x").unwrap();
        assert!(!format!("{secret} {secret:?}").contains("hunter2"));
    }

    #[cfg(not(feature = "aws"))]
    #[test]
    fn s3_in_a_build_without_aws_is_a_usage_error() {
        let err = open("s3://bucket/prefix").unwrap_err();
        assert!(matches!(err, StoreError::NoAws(_)), "{err}");
        assert!(crate::is_usage_error(&err));
        assert!(crate::is_usage_error(&crate::Error::Store(err)));
    }

    #[test]
    fn unsupported_and_empty_locations_say_what_is_expected() {
        let err = open("s3://bucket/prefix").unwrap_err().to_string();
        #[cfg(feature = "aws")]
        assert!(err.contains("need the AWS configuration"), "{err}");
        #[cfg(not(feature = "aws"))]
        assert!(
            err.starts_with("\"s3://bucket/prefix\" needs AWS, and this build of spotify-lake has no AWS support")
                && err.contains("--features aws"),
            "{err}"
        );
        let err = open("s4://x").unwrap_err().to_string();
        assert!(
            err.contains("expected a directory or s3://bucket/prefix"),
            "{err}"
        );
        let err = open("").unwrap_err().to_string();
        assert!(
            err.contains("expected a directory or s3://bucket/prefix"),
            "{err}"
        );
    }
}
