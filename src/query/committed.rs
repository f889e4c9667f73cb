//! What the embedded engine sees of the lake: what the catalog committed.
//!
//! DataFusion's listing tables list a table's folder. A wrapper store is
//! the one place that can hide what was never committed, without a table
//! provider of our own: [`CommittedStore`] lists only the partitions the
//! catalog registered (a load that died before registering shows nothing
//! of itself) and leaves staging files out. It also
//!
//! - reads each listed file only if it is still the version listed (an
//!   `If-Match` on its ETag): a same-date reload that replaces a history
//!   partition while a query reads it makes the query fail with "the lake
//!   changed while it was read" instead of a corrupt-footer error or, worse,
//!   a mix of two files;
//! - counts the files and bytes a query reads (`query --stats`), which is
//!   how `benches/history.sh` shows that the answers read the same files
//!   after a year of snapshots as after one.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::StreamExt as _;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};

use crate::catalog::Catalog;
use crate::schema::{CURRENT_ALBUMS, Table};

/// Which folders of one table a reader may see.
#[derive(Debug, Default)]
pub struct Visible {
    /// Folders whose files are visible (no trailing `/`).
    dirs: HashSet<String>,
    /// Every ancestor of those folders, for delimited listings.
    ancestors: HashSet<String>,
}

impl Visible {
    /// Makes the files of `dir` visible.
    pub fn add_dir(&mut self, dir: &str) {
        let dir = dir.trim_end_matches('/');
        let mut at = 0;
        while let Some(i) = dir[at..].find('/') {
            self.ancestors.insert(dir[..at + i].to_owned());
            at += i + 1;
        }
        self.dirs.insert(dir.to_owned());
    }

    fn file_visible(&self, path: &Path) -> bool {
        path.as_ref()
            .rsplit_once('/')
            .is_some_and(|(dir, _)| self.dirs.contains(dir))
    }

    fn prefix_visible(&self, prefix: &Path) -> bool {
        let s = prefix.as_ref().trim_end_matches('/');
        self.dirs.contains(s) || self.ancestors.contains(s)
    }
}

/// What a listing under one prefix may show.
#[derive(Debug, Clone)]
enum Filter {
    /// Everything but staging files (no catalog; or not a table).
    All,
    /// Only these folders.
    Only(Arc<Visible>),
}

impl Filter {
    fn file(&self, path: &Path) -> bool {
        let staging = path
            .as_ref()
            .rsplit('/')
            .next()
            .is_some_and(crate::lake::is_staging);
        !staging
            && match self {
                Filter::All => true,
                Filter::Only(v) => v.file_visible(path),
            }
    }

    fn prefix(&self, prefix: &Path) -> bool {
        match self {
            Filter::All => true,
            Filter::Only(v) => v.prefix_visible(prefix),
        }
    }
}

/// Where the visible folders come from.
pub enum Committed {
    /// The catalog's registered partitions, asked per table on its first
    /// listing (a query of the answers never asks for the history's).
    Catalog(Arc<dyn Catalog>),
    /// No catalog: the folders as they are.
    Folders,
}

struct Shared {
    inner: Arc<dyn ObjectStore>,
    committed: Committed,
    /// The committed `current_albums` version's folder.
    current_dir: Option<String>,
    /// The registered folders of each history table, once asked.
    tables: tokio::sync::Mutex<HashMap<Table, Arc<Visible>>>,
    tracking: Mutex<Tracking>,
}

impl Shared {
    fn tracking(&self) -> std::sync::MutexGuard<'_, Tracking> {
        // A poisoned lock only means a panic elsewhere; the data is counters.
        self.tracking.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The filter of a listing under `prefix`.
    async fn filter(&self, prefix: Option<&Path>) -> Result<Filter> {
        let first = prefix
            .and_then(|p| p.as_ref().split('/').next())
            .unwrap_or_default();
        if first == CURRENT_ALBUMS {
            let mut v = Visible::default();
            if let Some(dir) = &self.current_dir {
                v.add_dir(dir);
            }
            return Ok(Filter::Only(Arc::new(v)));
        }
        let (Ok(table), Committed::Catalog(catalog)) = (first.parse::<Table>(), &self.committed)
        else {
            return Ok(Filter::All);
        };
        let mut tables = self.tables.lock().await;
        if let Some(v) = tables.get(&table) {
            return Ok(Filter::Only(Arc::clone(v)));
        }
        let keys = catalog
            .partitions(table)
            .await
            .map_err(|e| object_store::Error::Generic {
                store: "catalog",
                source: Box::new(e),
            })?;
        let mut v = Visible::default();
        for key in keys {
            v.add_dir(&key.dir());
        }
        let v = Arc::new(v);
        tables.insert(table, Arc::clone(&v));
        Ok(Filter::Only(v))
    }

    fn remember(&self, meta: &ObjectMeta) {
        if let Some(tag) = &meta.e_tag {
            self.tracking()
                .listed
                .insert(meta.location.clone(), tag.clone());
        }
    }
}

/// What one engine read, for `--stats`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReadStats {
    /// Distinct objects fetched.
    pub files: usize,
    /// Distinct folders they are in (partitions, or a version).
    pub partitions: usize,
    /// Bytes fetched.
    pub bytes: u64,
}

#[derive(Debug, Default)]
struct Tracking {
    /// The ETag of each listed file, as listed.
    listed: HashMap<Path, String>,
    read: HashSet<Path>,
    bytes: u64,
    /// The first file that changed (or vanished) between listing and read.
    changed: Option<Path>,
}

/// The lake as the engine sees it: see the module doc.
pub struct CommittedStore {
    shared: Arc<Shared>,
}

impl fmt::Debug for CommittedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommittedStore({:?})", self.shared.inner)
    }
}

impl CommittedStore {
    /// Wraps the lake's store; `current_dir` is the committed version's
    /// folder of `current_albums`.
    pub fn new(
        inner: Arc<dyn ObjectStore>,
        committed: Committed,
        current_dir: Option<String>,
    ) -> Self {
        CommittedStore {
            shared: Arc::new(Shared {
                inner,
                committed,
                current_dir,
                tables: tokio::sync::Mutex::default(),
                tracking: Mutex::default(),
            }),
        }
    }

    /// What has been read so far.
    pub fn stats(&self) -> ReadStats {
        let t = self.shared.tracking();
        let dirs: HashSet<&str> = t
            .read
            .iter()
            .filter_map(|p| p.as_ref().rsplit_once('/').map(|(d, _)| d))
            .collect();
        ReadStats {
            files: t.read.len(),
            partitions: dirs.len(),
            bytes: t.bytes,
        }
    }

    /// The first file that changed between its listing and its read.
    pub fn changed(&self) -> Option<Path> {
        self.shared.tracking().changed.clone()
    }
}

impl fmt::Display for CommittedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Committed({})", self.shared.inner)
    }
}

#[async_trait]
impl ObjectStore for CommittedStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.shared.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.shared.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, mut options: GetOptions) -> Result<GetResult> {
        let listed = self.shared.tracking().listed.get(location).cloned();
        if options.if_match.is_none() {
            options.if_match = listed.clone();
        }
        let head = options.head;
        match self.shared.inner.get_opts(location, options).await {
            Ok(got) => {
                if !head {
                    let mut t = self.shared.tracking();
                    t.read.insert(location.clone());
                    t.bytes += got.range.end - got.range.start;
                }
                Ok(got)
            }
            Err(e) => {
                let changed = matches!(
                    e,
                    object_store::Error::Precondition { .. }
                        | object_store::Error::NotModified { .. }
                ) || (listed.is_some()
                    && matches!(e, object_store::Error::NotFound { .. }));
                if changed {
                    self.shared
                        .tracking()
                        .changed
                        .get_or_insert_with(|| location.clone());
                }
                Err(e)
            }
        }
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.shared.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let shared = Arc::clone(&self.shared);
        let prefix = prefix.cloned();
        futures::stream::once(async move {
            match shared.filter(prefix.as_ref()).await {
                Ok(filter) => {
                    let keep = Arc::clone(&shared);
                    shared
                        .inner
                        .list(prefix.as_ref())
                        .filter_map(move |item| {
                            let item = match item {
                                Ok(meta) if filter.file(&meta.location) => {
                                    keep.remember(&meta);
                                    Some(Ok(meta))
                                }
                                Ok(_) => None,
                                Err(e) => Some(Err(e)),
                            };
                            futures::future::ready(item)
                        })
                        .boxed()
                }
                Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
            }
        })
        .flatten()
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let filter = self.shared.filter(prefix).await?;
        let mut result = self.shared.inner.list_with_delimiter(prefix).await?;
        result.common_prefixes.retain(|p| filter.prefix(p));
        result.objects.retain(|m| filter.file(&m.location));
        for m in &result.objects {
            self.shared.remember(m);
        }
        Ok(result)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.shared.inner.copy_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt as _;
    use object_store::ObjectStoreExt as _;

    const ARTIST: &str = "0du5cEVh5yTK9QJze8zA0C";

    #[tokio::test]
    async fn lists_only_visible_folders_and_notices_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let inner: Arc<dyn ObjectStore> =
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir.path()).unwrap());
        for date in ["2026-01-01", "2026-01-08"] {
            let p = format!("albums/extract_date={date}/artist_id={ARTIST}/part-00000.parquet");
            inner
                .put(&Path::from(p), PutPayload::from_static(b"one"))
                .await
                .unwrap();
        }
        let catalog = crate::catalog::LocalCatalog::new(Arc::clone(&inner));
        catalog.ensure_table(Table::Albums.def()).await.unwrap();
        let key = crate::lake::PartitionKey::Albums {
            date: "2026-01-01".parse().unwrap(),
            artist: crate::ids::SpotifyId::parse(crate::ids::IdKind::Artist, ARTIST).unwrap(),
        };
        catalog.add_partitions(&[key]).await.unwrap();
        let store = CommittedStore::new(
            Arc::clone(&inner),
            Committed::Catalog(Arc::new(catalog)),
            None,
        );
        let listed: Vec<ObjectMeta> = store
            .list(Some(&Path::from("albums")))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "the unregistered partition is hidden");
        let top = store
            .list_with_delimiter(Some(&Path::from("albums")))
            .await
            .unwrap();
        assert_eq!(
            top.common_prefixes,
            vec![Path::from("albums/extract_date=2026-01-01")]
        );
        let path = &listed[0].location;
        store.get(path).await.unwrap().bytes().await.unwrap();
        assert_eq!(
            store.stats(),
            ReadStats {
                files: 1,
                partitions: 1,
                bytes: 3
            }
        );
        assert!(store.changed().is_none());
        // A reload replaces the file after the listing.
        std::thread::sleep(std::time::Duration::from_millis(20));
        inner
            .put(path, PutPayload::from_static(b"other"))
            .await
            .unwrap();
        assert!(store.get(path).await.is_err());
        assert_eq!(store.changed().as_ref(), Some(path));
    }
}
