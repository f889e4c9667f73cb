//! The four tables, loaded from the data files in `schemas/`.
//!
//! `schemas/*.toml` is the single source of truth for every table: column
//! names, Hive/Glue types, nullability, comments, partition keys, the sort
//! order inside a partition file, and the deluxe markers. The files are
//! embedded at build time (`include_str!`), so the binary runs from any
//! folder, and everything else derives from them: the Arrow schema the
//! transform builds and the lake writes, the listing tables of the embedded
//! engine, and the Glue columns.
//!
//! Why TOML and not Rust: analysts and the Glue catalog read the same
//! definitions, comments included, and a data file is easier to review than
//! code. Why no `build.rs`: parsing four small files once at start-up costs
//! microseconds, and a parse error is caught by the unit tests below.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde::Deserialize;

/// Glue's limit on a column comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 255;

/// The tables of the clean zone. A closed set: a `match` is the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// One row per album, configured artist and extract.
    Albums,
    /// One row per track of those albums.
    Tracks,
    /// One row per artist and extract.
    Artists,
    /// One row per track item of a playlist and extract.
    PlaylistTracks,
}

impl Table {
    /// Every table, in the order they are written and registered.
    pub const ALL: [Table; 4] = [
        Table::Albums,
        Table::Tracks,
        Table::Artists,
        Table::PlaylistTracks,
    ];

    /// The table's name in the lake, Glue and SQL, e.g. `playlist_tracks`.
    pub fn name(self) -> &'static str {
        self.def().name.as_str()
    }

    /// The table's definition from `schemas/<name>.toml`.
    pub fn def(self) -> &'static TableDef {
        let defs = defs();
        match self {
            Table::Albums => &defs.albums,
            Table::Tracks => &defs.tracks,
            Table::Artists => &defs.artists,
            Table::PlaylistTracks => &defs.playlist_tracks,
        }
    }

    /// The Arrow schema of the data columns (partition keys excluded: the
    /// path holds them, never the file).
    pub fn arrow_schema(self) -> SchemaRef {
        let defs = defs();
        let schema = match self {
            Table::Albums => &defs.arrow[0],
            Table::Tracks => &defs.arrow[1],
            Table::Artists => &defs.arrow[2],
            Table::PlaylistTracks => &defs.arrow[3],
        };
        Arc::clone(schema)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Table {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Table::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                format!("unknown table {s:?}; expected albums, tracks, artists or playlist_tracks")
            })
    }
}

/// A Hive/Glue column type, as written in `schemas/` and sent to Glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HiveType {
    /// `string` → Arrow Utf8.
    #[serde(rename = "string")]
    String,
    /// `int` → Int32 (Glue wants `int`, never `integer`).
    #[serde(rename = "int")]
    Int,
    /// `bigint` → Int64.
    #[serde(rename = "bigint")]
    Bigint,
    /// `double` → Float64.
    #[serde(rename = "double")]
    Double,
    /// `boolean` → Boolean.
    #[serde(rename = "boolean")]
    Boolean,
    /// `date` → Date32.
    #[serde(rename = "date")]
    Date,
    /// `timestamp` → Timestamp(ms, "UTC"): Athena's Hive tables hold milliseconds.
    #[serde(rename = "timestamp")]
    Timestamp,
    /// `array<string>` → `List<Utf8>`.
    #[serde(rename = "array<string>")]
    ArrayString,
}

impl HiveType {
    /// The Hive type name, e.g. `array<string>`.
    pub fn hive_name(self) -> &'static str {
        match self {
            HiveType::String => "string",
            HiveType::Int => "int",
            HiveType::Bigint => "bigint",
            HiveType::Double => "double",
            HiveType::Boolean => "boolean",
            HiveType::Date => "date",
            HiveType::Timestamp => "timestamp",
            HiveType::ArrayString => "array<string>",
        }
    }

    /// The Athena-safe Arrow type for this Hive type: no unsigned, no
    /// nanoseconds, no view types.
    pub fn arrow_type(self) -> DataType {
        match self {
            HiveType::String => DataType::Utf8,
            HiveType::Int => DataType::Int32,
            HiveType::Bigint => DataType::Int64,
            HiveType::Double => DataType::Float64,
            HiveType::Boolean => DataType::Boolean,
            HiveType::Date => DataType::Date32,
            HiveType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            HiveType::ArrayString => {
                DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
            }
        }
    }
}

impl fmt::Display for HiveType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hive_name())
    }
}

/// One data column of a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// Lower-case snake name.
    pub name: String,
    /// Hive/Glue type.
    #[serde(rename = "type")]
    pub hive_type: HiveType,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// What the column means; at most 255 characters (Glue's limit).
    pub comment: String,
}

/// One partition key of a table; its value lives in the path, not the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionKeyDef {
    /// `extract_date`, `artist_id` or `playlist_id`.
    pub name: String,
    /// Hive/Glue type (`date` or `string`).
    #[serde(rename = "type")]
    pub hive_type: HiveType,
    /// What the key means.
    pub comment: String,
}

/// A table as defined in `schemas/<name>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// The table name.
    pub name: String,
    /// One sentence for the catalog's table description.
    pub description: String,
    /// Columns that order the rows inside a partition file.
    pub sort_by: Vec<String>,
    /// Data columns, in file order.
    pub columns: Vec<ColumnDef>,
    /// Partition keys, in path (and Glue) order.
    pub partition_keys: Vec<PartitionKeyDef>,
}

impl TableDef {
    /// The Arrow schema of the data columns.
    pub fn arrow_schema(&self) -> Schema {
        Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(&c.name, c.hive_type.arrow_type(), c.nullable))
                .collect::<Vec<_>>(),
        )
    }

    /// The partition columns with their Arrow types (Date32 for dates).
    pub fn partition_arrow_types(&self) -> Vec<(String, DataType)> {
        self.partition_keys
            .iter()
            .map(|k| (k.name.clone(), k.hive_type.arrow_type()))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeluxeFile {
    markers: Vec<String>,
}

struct Defs {
    albums: TableDef,
    tracks: TableDef,
    artists: TableDef,
    playlist_tracks: TableDef,
    arrow: [SchemaRef; 4],
    deluxe: Vec<String>,
}

/// The embedded schema files, `(file name, text)`.
pub const SCHEMA_FILES: [(&str, &str); 5] = [
    ("albums.toml", include_str!("../schemas/albums.toml")),
    ("tracks.toml", include_str!("../schemas/tracks.toml")),
    ("artists.toml", include_str!("../schemas/artists.toml")),
    (
        "playlist_tracks.toml",
        include_str!("../schemas/playlist_tracks.toml"),
    ),
    ("deluxe.toml", include_str!("../schemas/deluxe.toml")),
];

fn parse_table(index: usize) -> TableDef {
    let (file, text) = SCHEMA_FILES[index];
    // The files are compiled in and every one is parsed by the unit tests, so
    // a parse error here cannot reach a user.
    toml::from_str(text).unwrap_or_else(|e| panic!("schemas/{file} is invalid: {e}"))
}

fn defs() -> &'static Defs {
    static DEFS: OnceLock<Defs> = OnceLock::new();
    DEFS.get_or_init(|| {
        let tables = [0, 1, 2, 3].map(parse_table);
        let arrow = [0, 1, 2, 3].map(|i| Arc::new(tables[i].arrow_schema()));
        let [albums, tracks, artists, playlist_tracks] = tables;
        let (file, text) = SCHEMA_FILES[4];
        let deluxe: DeluxeFile =
            toml::from_str(text).unwrap_or_else(|e| panic!("schemas/{file} is invalid: {e}"));
        Defs {
            albums,
            tracks,
            artists,
            playlist_tracks,
            arrow,
            deluxe: deluxe.markers,
        }
    })
}

/// The name of the current table (see [`current_albums`]).
pub const CURRENT_ALBUMS: &str = "current_albums";

/// `current_albums`: the newest `albums` row of every album, derived from
/// `schemas/albums.toml` so the two never disagree. Its data columns are the
/// albums columns followed by the albums partition keys (`extract_date`,
/// `artist_id`) as ordinary columns, the order `latest_albums` shows; it has
/// no partition keys: each version is one folder that the catalog points at
/// (`crate::lake::current`).
pub fn current_albums() -> &'static TableDef {
    static DEF: OnceLock<TableDef> = OnceLock::new();
    DEF.get_or_init(|| {
        let albums = Table::Albums.def();
        let mut columns = albums.columns.clone();
        columns.extend(albums.partition_keys.iter().map(|k| ColumnDef {
            name: k.name.clone(),
            hive_type: k.hive_type,
            nullable: false,
            comment: k.comment.clone(),
        }));
        TableDef {
            name: CURRENT_ALBUMS.to_owned(),
            description: "The newest row of every album of the albums table (one per album_id and album_type, from the newest extract that holds it; ties: the lowest artist_id), rewritten as a new version by each load; what latest_albums reads.".to_owned(),
            sort_by: vec!["album_id".to_owned(), "album_type".to_owned()],
            columns,
            partition_keys: Vec::new(),
        }
    })
}

/// The Arrow schema of [`current_albums`].
pub fn current_albums_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(SCHEMA.get_or_init(|| Arc::new(current_albums().arrow_schema())))
}

/// The lower-case phrases that make an album name a deluxe edition.
pub fn deluxe_markers() -> &'static [String] {
    &defs().deluxe
}

/// Whether an album name marks a deluxe edition (`schemas/deluxe.toml`).
///
/// ```
/// assert!(spotify_lake::schema::is_deluxe("Take Care (Deluxe)"));
/// assert!(!spotify_lake::schema::is_deluxe("Bad 25th Anniversary"));
/// ```
pub fn is_deluxe(album_name: &str) -> bool {
    let name = album_name.to_lowercase();
    deluxe_markers().iter().any(|m| name.contains(m.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_file_parses_and_names_its_table() {
        for (i, table) in Table::ALL.into_iter().enumerate() {
            let file = SCHEMA_FILES[i].0;
            assert_eq!(format!("{}.toml", table.name()), file);
            assert_eq!(table.name().parse::<Table>().unwrap(), table);
        }
        assert!(deluxe_markers().len() >= 7);
    }

    #[test]
    fn names_are_lower_snake_and_comments_fit_glue() {
        for table in Table::ALL {
            let def = table.def();
            let names = def
                .columns
                .iter()
                .map(|c| (&c.name, &c.comment))
                .chain(def.partition_keys.iter().map(|k| (&k.name, &k.comment)));
            let mut seen = std::collections::HashSet::new();
            for (name, comment) in names {
                assert!(
                    name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{table}.{name} is not lower snake case"
                );
                assert!(seen.insert(name.clone()), "{table}.{name} appears twice");
                assert!(!comment.is_empty(), "{table}.{name} has no comment");
                assert!(
                    comment.chars().count() <= MAX_COMMENT_CHARS,
                    "{table}.{name}: comment over {MAX_COMMENT_CHARS} characters"
                );
            }
            for col in &def.sort_by {
                assert!(
                    def.columns.iter().any(|c| &c.name == col),
                    "{table}: sort_by {col}"
                );
            }
        }
    }

    #[test]
    fn partition_keys_match_the_lake_layout() {
        let keys = |t: Table| -> Vec<&str> {
            t.def()
                .partition_keys
                .iter()
                .map(|k| k.name.as_str())
                .collect()
        };
        assert_eq!(keys(Table::Albums), ["extract_date", "artist_id"]);
        assert_eq!(keys(Table::Tracks), ["extract_date", "artist_id"]);
        assert_eq!(keys(Table::Artists), ["extract_date"]);
        assert_eq!(keys(Table::PlaylistTracks), ["extract_date", "playlist_id"]);
    }

    #[test]
    fn arrow_types_are_athena_safe() {
        for table in Table::ALL {
            for field in table.arrow_schema().fields() {
                match field.data_type() {
                    DataType::Utf8
                    | DataType::Int32
                    | DataType::Int64
                    | DataType::Float64
                    | DataType::Boolean
                    | DataType::Date32 => {}
                    DataType::Timestamp(TimeUnit::Millisecond, Some(tz)) => {
                        assert_eq!(tz.as_ref(), "UTC")
                    }
                    DataType::List(item) => assert_eq!(item.data_type(), &DataType::Utf8),
                    other => panic!("{table}.{}: {other} is not Athena-safe", field.name()),
                }
            }
        }
    }

    #[test]
    fn deluxe_markers_follow_the_design() {
        assert!(is_deluxe("Nothing Was The Same (Deluxe)"));
        assert!(is_deluxe("Thriller 25 Super Deluxe Edition"));
        assert!(is_deluxe("Purple Rain (Expanded Edition)"));
        assert!(is_deluxe("ALBUM (COLLECTOR'S EDITION)"));
        assert!(!is_deluxe("Thriller 40"));
        assert!(!is_deluxe("Bad 25th Anniversary"));
    }
}
