//! The clean zone: Hive-partitioned Parquet through object_store.
//!
//! Layout (DESIGN.md, Clean zone):
//! `<lake>/<table>/extract_date=YYYY-MM-DD/artist_id=<id>/part-00000.parquet`
//! (`playlist_tracks` uses `playlist_id=<id>`; `artists` has `extract_date`
//! only). [`PartitionKey`] is the one type that knows it.
//!
//! One file per partition with a deterministic name, encoded in memory and
//! written with one PUT: a re-run of the same date replaces the partition
//! whole and never duplicates rows, and since object stores (and
//! object_store's `LocalFileSystem`, which writes a temporary file and
//! renames it) publish a PUT atomically, a reader never sees half a file.
//! Memory holds one partition at a time per writer.

pub mod current;

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use arrow::record_batch::RecordBatch;

use crate::ids::{ExtractDate, SpotifyId};
use crate::schema::Table;

/// The one file name of every partition.
pub const PART_FILE: &str = "part-00000.parquet";

/// Why a partition could not be written.
#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    /// Parquet encoding failed.
    #[error("cannot encode {path} as Parquet")]
    Encode {
        /// The partition file.
        path: String,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The store refused the write (permissions, disk, network).
    #[error("cannot write {path}; check that the lake location exists and is writable")]
    Write {
        /// The partition file.
        path: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
    /// A path that is not a partition file of this layout.
    #[error("{path} is not a partition file of the lake layout")]
    Layout {
        /// The path.
        path: String,
    },
}

/// A partition of one table: the values of its partition keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartitionKey {
    /// `artists/extract_date=…/`
    Artists {
        /// Extract date.
        date: ExtractDate,
    },
    /// `albums/extract_date=…/artist_id=…/`
    Albums {
        /// Extract date.
        date: ExtractDate,
        /// Configured artist.
        artist: SpotifyId,
    },
    /// `tracks/extract_date=…/artist_id=…/`
    Tracks {
        /// Extract date.
        date: ExtractDate,
        /// Configured artist.
        artist: SpotifyId,
    },
    /// `playlist_tracks/extract_date=…/playlist_id=…/`
    PlaylistTracks {
        /// Extract date.
        date: ExtractDate,
        /// Playlist.
        playlist: SpotifyId,
    },
}

impl PartitionKey {
    /// The table the partition belongs to.
    pub fn table(&self) -> Table {
        match self {
            PartitionKey::Artists { .. } => Table::Artists,
            PartitionKey::Albums { .. } => Table::Albums,
            PartitionKey::Tracks { .. } => Table::Tracks,
            PartitionKey::PlaylistTracks { .. } => Table::PlaylistTracks,
        }
    }

    /// The partition values, in the table's partition-key order (Glue's).
    pub fn values(&self) -> Vec<String> {
        match self {
            PartitionKey::Artists { date } => vec![date.to_string()],
            PartitionKey::Albums { date, artist } | PartitionKey::Tracks { date, artist } => {
                vec![date.to_string(), artist.to_string()]
            }
            PartitionKey::PlaylistTracks { date, playlist } => {
                vec![date.to_string(), playlist.to_string()]
            }
        }
    }

    /// The partition folder relative to the lake root,
    /// e.g. `albums/extract_date=2026-11-26/artist_id=0du5cEVh5yTK9QJze8zA0C`.
    pub fn dir(&self) -> String {
        let table = self.table();
        let mut dir = table.name().to_owned();
        for (key, value) in table.def().partition_keys.iter().zip(self.values()) {
            dir.push('/');
            dir.push_str(&key.name);
            dir.push('=');
            dir.push_str(&value);
        }
        dir
    }

    /// The partition's one file,
    /// e.g. `albums/extract_date=2026-11-26/artist_id=0du5cEVh5yTK9QJze8zA0C/part-00000.parquet`.
    pub fn file_path(&self) -> Path {
        Path::from(format!("{}/{PART_FILE}", self.dir()))
    }

    /// Reads a partition file path back into its key.
    pub fn parse(path: &Path) -> Result<Self, LakeError> {
        let bad = || LakeError::Layout {
            path: path.to_string(),
        };
        let parts: Vec<&str> = path.as_ref().split('/').collect();
        let (table, dirs) = match parts.as_slice() {
            [table, dirs @ .., file] if *file == PART_FILE => (*table, dirs),
            _ => return Err(bad()),
        };
        let table: Table = table.parse().map_err(|_| bad())?;
        let keys = &table.def().partition_keys;
        if dirs.len() != keys.len() {
            return Err(bad());
        }
        let mut values = Vec::with_capacity(keys.len());
        for (dir, key) in dirs.iter().zip(keys) {
            let value = dir
                .strip_prefix(key.name.as_str())
                .and_then(|v| v.strip_prefix('='))
                .ok_or_else(bad)?;
            values.push(value);
        }
        let date: ExtractDate = values[0].parse().map_err(|_| bad())?;
        let id = |i: usize, kind| SpotifyId::parse(kind, values[i]).map_err(|_| bad());
        use crate::ids::IdKind;
        Ok(match table {
            Table::Artists => PartitionKey::Artists { date },
            Table::Albums => PartitionKey::Albums {
                date,
                artist: id(1, IdKind::Artist)?,
            },
            Table::Tracks => PartitionKey::Tracks {
                date,
                artist: id(1, IdKind::Artist)?,
            },
            Table::PlaylistTracks => PartitionKey::PlaylistTracks {
                date,
                playlist: id(1, IdKind::Playlist)?,
            },
        })
    }
}

/// Whether a file name is object_store's local staging name,
/// `<name>#<digits>`: a write that a killed process never renamed into
/// place. Readers never see one; the next load removes old ones.
pub fn is_staging(name: &str) -> bool {
    name.rsplit_once('#')
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Writer settings: SNAPPY, page statistics, Parquet 1.0 encodings (every
/// reader, Athena included, takes them), one row group per file.
///
/// Why not ZSTD (DESIGN.md allows either): parquet-rs creates a new ZSTD
/// context for every page it compresses, and a lake of small per-artist
/// partitions has many pages: `perf` showed context set-up taking 17 % of a
/// 50,000-album load, which SNAPPY brings from 5.3 s to 4.1 s
/// (`benches/load.sh`), for files about a quarter larger.
fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(1 << 20))
        .build()
}

/// Encodes one partition's batch as a Parquet file in memory. The batch
/// never holds partition columns (the path does).
pub fn encode_parquet(batch: &RecordBatch, path: &Path) -> Result<Bytes, LakeError> {
    let encode = || -> Result<Vec<u8>, parquet::errors::ParquetError> {
        let mut buf = Vec::with_capacity(batch.get_array_memory_size() / 3 + 4096);
        let mut writer = ArrowWriter::try_new(&mut buf, batch.schema(), Some(writer_properties()))?;
        writer.write(batch)?;
        writer.close()?;
        Ok(buf)
    };
    encode()
        .map(Bytes::from)
        .map_err(|source| LakeError::Encode {
            path: path.to_string(),
            source,
        })
}

/// Writes one partition file with a single PUT, replacing what was there.
pub async fn put_partition(
    store: &dyn ObjectStore,
    key: &PartitionKey,
    file: Bytes,
) -> Result<(), LakeError> {
    let path = key.file_path();
    crate::crash::point("parquet-write");
    store
        .put(&path, PutPayload::from_bytes(file))
        .await
        .map(|_| ())
        .map_err(|source| LakeError::Write {
            path: path.to_string(),
            source,
        })
}

/// Partition writes on their own tasks, at most `in_flight` at once, so
/// the next artist's parsing and encoding overlap the PUTs (on S3 a PUT
/// is mostly waiting). [`Uploader::start`] waits for a free slot: that
/// bounds the encoded files held in memory.
#[derive(Clone)]
pub struct Uploader {
    store: Arc<dyn ObjectStore>,
    slots: Arc<tokio::sync::Semaphore>,
}

/// One partition encoded and ready to write: what every table's builder
/// gives the [`Uploader`].
#[derive(Debug, Clone)]
pub struct Encoded {
    /// Where it goes.
    pub key: PartitionKey,
    /// How many rows the file holds.
    pub rows: u64,
    /// The Parquet file.
    pub file: Bytes,
}

impl Encoded {
    /// Encodes `batch` as `key`'s partition file.
    pub fn new(key: PartitionKey, batch: &RecordBatch) -> Result<Self, LakeError> {
        let file = encode_parquet(batch, &key.file_path())?;
        Ok(Encoded {
            key,
            rows: batch.num_rows() as u64,
            file,
        })
    }
}

/// One partition file written: its key and its rows. Every table's
/// partitions are reported alike.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Written {
    /// Where it is.
    pub key: PartitionKey,
    /// How many rows it holds.
    pub rows: u64,
}

/// A started partition write; resolves to what was written.
pub type Upload = tokio::task::JoinHandle<Result<Written, LakeError>>;

impl Uploader {
    /// Writes to `store`, `in_flight` PUTs at most.
    pub fn new(store: Arc<dyn ObjectStore>, in_flight: usize) -> Self {
        Uploader {
            store,
            slots: Arc::new(tokio::sync::Semaphore::new(in_flight.max(1))),
        }
    }

    /// Starts writing `partition` once a slot is free.
    pub async fn start(&self, partition: Encoded) -> Upload {
        // The semaphore is never closed, so a permit always comes.
        let slot = Arc::clone(&self.slots).acquire_owned().await.ok();
        let store = Arc::clone(&self.store);
        tokio::spawn(async move {
            let Encoded { key, rows, file } = partition;
            let written = put_partition(store.as_ref(), &key, file).await;
            drop(slot);
            written.map(|()| Written { key, rows })
        })
    }
}

/// Started writes, collected as they finish. Dropping it aborts the ones
/// still running, so a load that stops on one failed PUT leaves no other
/// PUT going on behind its error.
#[derive(Default)]
pub struct Uploads(futures::stream::FuturesUnordered<Upload>);

impl Uploads {
    /// Adds started writes.
    pub fn extend(&mut self, started: impl IntoIterator<Item = Upload>) {
        self.0.extend(started);
    }

    /// The next write to finish; `None` once none is left.
    pub async fn next(
        &mut self,
    ) -> Option<Result<Result<Written, LakeError>, tokio::task::JoinError>> {
        futures::StreamExt::next(&mut self.0).await
    }
}

impl Drop for Uploads {
    fn drop(&mut self) {
        for upload in self.0.iter() {
            upload.abort();
        }
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::IdKind;

    fn date() -> ExtractDate {
        "2026-11-26".parse().unwrap()
    }

    #[tokio::test]
    async fn dropping_uploads_aborts_the_writes_still_running() {
        let held = Arc::new(());
        let running = {
            let held = Arc::clone(&held);
            tokio::spawn(async move {
                let _held = held;
                std::future::pending::<Result<Written, LakeError>>().await
            })
        };
        let artists = Written {
            key: PartitionKey::Artists { date: date() },
            rows: 3,
        };
        let done = artists.clone();
        let finished = tokio::spawn(async move { Ok(done) });
        let mut uploads = Uploads::default();
        uploads.extend([running, finished]);
        let first = uploads.next().await.unwrap().unwrap().unwrap();
        assert_eq!(first, artists);
        assert_eq!(
            Arc::strong_count(&held),
            2,
            "the pending write is still running"
        );
        drop(uploads);
        for _ in 0..100 {
            if Arc::strong_count(&held) == 1 {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("dropping Uploads left its pending write running");
    }

    #[test]
    fn partition_paths_round_trip() {
        let artist = SpotifyId::parse(IdKind::Artist, "0du5cEVh5yTK9QJze8zA0C").unwrap();
        let keys = [
            PartitionKey::Artists { date: date() },
            PartitionKey::Albums {
                date: date(),
                artist: artist.clone(),
            },
            PartitionKey::Tracks {
                date: date(),
                artist: artist.clone(),
            },
            PartitionKey::PlaylistTracks {
                date: date(),
                playlist: artist,
            },
        ];
        assert_eq!(
            keys[1].file_path().as_ref(),
            "albums/extract_date=2026-11-26/artist_id=0du5cEVh5yTK9QJze8zA0C/part-00000.parquet"
        );
        assert_eq!(
            keys[0].file_path().as_ref(),
            "artists/extract_date=2026-11-26/part-00000.parquet"
        );
        assert!(
            keys[3]
                .dir()
                .starts_with("playlist_tracks/extract_date=2026-11-26/playlist_id=")
        );
        for key in keys {
            assert_eq!(PartitionKey::parse(&key.file_path()).unwrap(), key);
        }
        for bad in [
            "albums/extract_date=2026-11-26/part-00000.parquet",
            "albums/extract_date=2026-11-26/artist_id=../part-00000.parquet",
            "albums/extract_date=x/artist_id=0du5cEVh5yTK9QJze8zA0C/part-00000.parquet",
            "nope/extract_date=2026-11-26/part-00000.parquet",
            "artists/extract_date=2026-11-26/part-00001.parquet",
        ] {
            assert!(PartitionKey::parse(&Path::from(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn parquet_has_statistics_and_ms_timestamps() {
        let batch = RecordBatch::new_empty(Table::Albums.arrow_schema());
        let path = Path::from("x");
        let bytes = encode_parquet(&batch, &path).unwrap();
        let reader = parquet::file::serialized_reader::SerializedFileReader::new(bytes).unwrap();
        let meta = parquet::file::reader::FileReader::metadata(&reader);
        let schema = meta.file_metadata().schema_descr();
        let ts = schema
            .columns()
            .iter()
            .find(|c| c.name() == "extracted_at")
            .unwrap();
        let logical = format!("{:?}", ts.logical_type_ref());
        assert!(
            logical.contains("MILLIS") && logical.contains("is_adjusted_to_u_t_c: true"),
            "{logical}"
        );
        assert!(schema.columns().iter().all(|c| c.name() != "extract_date"));
    }
}
