//! The SQL files of `queries/`, embedded in the binary.
//!
//! Views (`queries/views/<name>.sql`, a bare SELECT each, with the column
//! list `<name>.columns` beside it) and queries (`queries/<name>.sql`) run
//! unchanged on Athena engine 3 and on the embedded engine. The queries
//! are views too (their `.columns` beside them), so a BI tool picks an
//! answer from the catalog; `query NAME` still runs the file. Embedding
//! them lets the binary run from any folder; a test checks that every file
//! in `queries/` is embedded here.

use crate::schema::HiveType;

/// A file of `queries/`.
#[derive(Debug, Clone, Copy)]
pub struct SqlFile {
    /// The file stem: the view's or query's name.
    pub name: &'static str,
    /// The SQL text, as in the file.
    pub sql: &'static str,
}

/// A view: its SQL and its declared output columns.
#[derive(Debug, Clone, Copy)]
pub struct ViewFile {
    /// The view's SQL.
    pub file: SqlFile,
    /// `<name>.columns`: one `name type` a line (Hive types).
    pub columns: &'static str,
}

impl ViewFile {
    /// The file's path in the repository without its extension, e.g.
    /// `queries/views/latest_albums` or `queries/album_length_trend`.
    pub fn source(&self) -> String {
        if query(self.file.name).is_some() {
            format!("queries/{}", self.file.name)
        } else {
            format!("queries/views/{}", self.file.name)
        }
    }

    /// The declared columns, `(name, type)`; an error names the bad line.
    pub fn declared_columns(&self) -> Result<Vec<(String, HiveType)>, String> {
        self.columns
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|line| {
                let (name, ty) = line.split_once(char::is_whitespace).ok_or_else(|| {
                    format!("{}.columns: {line:?} is not `name type`", self.file.name)
                })?;
                let ty: HiveType =
                    serde_json::from_value(serde_json::Value::String(ty.trim().to_owned()))
                        .map_err(|_| {
                            format!(
                                "{}.columns: {ty:?} is not a Hive type of schemas/",
                                self.file.name
                            )
                        })?;
                Ok((name.to_owned(), ty))
            })
            .collect()
    }
}

/// The views, in creation order (a view may use the ones before it): the
/// deduplicated albums, then the three answers over them.
pub const VIEWS: &[ViewFile] = &[
    ViewFile {
        file: SqlFile {
            name: "latest_albums",
            sql: include_str!("../queries/views/latest_albums.sql"),
        },
        columns: include_str!("../queries/views/latest_albums.columns"),
    },
    ViewFile {
        file: QUERIES[0],
        columns: include_str!("../queries/album_length_by_year.columns"),
    },
    ViewFile {
        file: QUERIES[1],
        columns: include_str!("../queries/album_length_by_artist.columns"),
    },
    ViewFile {
        file: QUERIES[2],
        columns: include_str!("../queries/album_length_trend.columns"),
    },
];

/// The queries, answering "how has album length changed over the years?".
pub const QUERIES: &[SqlFile] = &[
    SqlFile {
        name: "album_length_by_year",
        sql: include_str!("../queries/album_length_by_year.sql"),
    },
    SqlFile {
        name: "album_length_by_artist",
        sql: include_str!("../queries/album_length_by_artist.sql"),
    },
    SqlFile {
        name: "album_length_trend",
        sql: include_str!("../queries/album_length_trend.sql"),
    },
];

/// The query named `name`, if there is one.
pub fn query(name: &str) -> Option<&'static SqlFile> {
    QUERIES.iter().find(|q| q.name == name)
}

/// The names of the queries, for messages.
pub fn query_names() -> String {
    QUERIES
        .iter()
        .map(|q| q.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_files(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".sql").map(str::to_owned)
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_file_of_queries_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let mut embedded: Vec<String> = QUERIES.iter().map(|q| q.name.to_owned()).collect();
        embedded.sort();
        assert_eq!(sql_files(&root), embedded);
        let mut views: Vec<String> = VIEWS
            .iter()
            .map(|v| v.file.name.to_owned())
            .filter(|v| query(v).is_none())
            .collect();
        views.sort();
        assert_eq!(sql_files(&root.join("views")), views);
        for q in QUERIES {
            assert!(
                VIEWS.iter().any(|v| v.file.name == q.name),
                "query {} is not a view",
                q.name
            );
        }
    }

    #[test]
    fn view_columns_parse() {
        for view in VIEWS {
            let cols = view.declared_columns().unwrap();
            assert!(!cols.is_empty());
        }
        let bad = ViewFile {
            file: SqlFile { name: "v", sql: "" },
            columns: "a varchar",
        };
        assert!(
            bad.declared_columns()
                .unwrap_err()
                .contains("not a Hive type")
        );
    }
}
