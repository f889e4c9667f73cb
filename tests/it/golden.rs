//! Golden answers: the queries over the bundled sample equal the figures
//! computed here from `samples/seed-albums/*.csv` (support::seed), through
//! the real binary and through the library's engine.
//!
//! The sample also holds Drake's shorter twin "VIEWS" (same year) and one
//! single per artist, which the seed does not: the answers matching the seed
//! proves the queries leave them out.

use serde_json::Value;
use spotify_lake::catalog::LocalCatalog;
use spotify_lake::query::Engine;
use spotify_lake::schema::Table;
use spotify_lake::{LoadOptions, sql};

use crate::support::lake::TempLake;
use crate::support::parquet::{
    bools, close, concat, floats, ints, parquet_files, read_parquet, strings, table_rows,
};
use crate::support::seed::{self, ArtistRow, TrendRow, YearRow};

fn loaded_sample() -> TempLake {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    t
}

fn f(row: &Value, key: &str) -> Option<f64> {
    row.get(key).and_then(Value::as_f64)
}

fn i(row: &Value, key: &str) -> Option<i64> {
    row.get(key).and_then(Value::as_i64)
}

fn year_rows_from_json(rows: &[Value]) -> Vec<YearRow> {
    rows.iter()
        .map(|r| YearRow {
            year: i(r, "release_year").expect("release_year"),
            albums: i(r, "albums").expect("albums"),
            avg_minutes: f(r, "avg_minutes").expect("avg_minutes"),
            standard_albums: i(r, "standard_albums").expect("standard_albums"),
            // The JSON writer leaves a null out of its object.
            standard_avg_minutes: f(r, "standard_avg_minutes"),
        })
        .collect()
}

fn assert_years(got: &[YearRow], want: &[YearRow]) {
    let got_years: Vec<i64> = got.iter().map(|r| r.year).collect();
    let want_years: Vec<i64> = want.iter().map(|r| r.year).collect();
    assert_eq!(got_years, want_years, "release years, in order");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (g.albums, g.standard_albums),
            (w.albums, w.standard_albums),
            "{}",
            w.year
        );
        assert!(
            close(g.avg_minutes, w.avg_minutes),
            "{}: {g:?} vs {w:?}",
            w.year
        );
        match (g.standard_avg_minutes, w.standard_avg_minutes) {
            (Some(a), Some(b)) => assert!(close(a, b), "{}: {g:?} vs {w:?}", w.year),
            (a, b) => assert_eq!(a, b, "{}: standard_avg_minutes", w.year),
        }
    }
}

fn assert_trend(got: &[TrendRow], want: &[TrendRow]) {
    assert_eq!(got.len(), 2, "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (&g.variant, g.albums, g.first_year, g.last_year),
            (&w.variant, w.albums, w.first_year, w.last_year)
        );
        assert!(close(g.slope, w.slope), "slope: {g:?} vs {w:?}");
        assert!(close(g.intercept, w.intercept), "intercept: {g:?} vs {w:?}");
        assert!(close(g.r2, w.r2), "r2: {g:?} vs {w:?}");
    }
}

fn assert_artists(got: &[ArtistRow], want: &[ArtistRow]) {
    let keys = |rows: &[ArtistRow]| -> Vec<(String, i64, i64)> {
        rows.iter()
            .map(|r| (r.artist.clone(), r.year, r.albums))
            .collect()
    };
    assert_eq!(keys(got), keys(want), "(artist, year, albums) in order");
    for (g, w) in got.iter().zip(want) {
        assert!(close(g.avg_minutes, w.avg_minutes), "{g:?} vs {w:?}");
    }
}

#[test]
fn album_length_by_year_equals_the_seed_csvs() {
    let t = loaded_sample();
    let want = seed::by_year();
    assert_eq!(want.iter().map(|r| r.albums).sum::<i64>(), 38);
    let got = year_rows_from_json(&t.query_json("album_length_by_year"));
    assert_years(&got, &want);
    // A year whose only album is deluxe has no standard figure.
    let y2008 = got.iter().find(|r| r.year == 2008).expect("2008");
    assert_eq!(
        (y2008.standard_albums, y2008.standard_avg_minutes),
        (0, None)
    );
}

#[test]
fn album_length_trend_equals_least_squares_of_the_seed_csvs() {
    let t = loaded_sample();
    let got: Vec<TrendRow> = t
        .query_json("album_length_trend")
        .iter()
        .map(|r| TrendRow {
            variant: r["variant"].as_str().expect("variant").to_owned(),
            albums: i(r, "albums").expect("albums"),
            first_year: i(r, "first_year").expect("first_year"),
            last_year: i(r, "last_year").expect("last_year"),
            slope: f(r, "slope_minutes_per_year").expect("slope"),
            intercept: f(r, "intercept_minutes").expect("intercept"),
            r2: f(r, "r2").expect("r2"),
        })
        .collect();
    let want = seed::trend();
    assert_eq!((want[0].albums, want[1].albums), (38, 35));
    assert_trend(&got, &want);
}

#[test]
fn album_length_by_artist_equals_the_seed_csvs() {
    let t = loaded_sample();
    let got: Vec<ArtistRow> = t
        .query_json("album_length_by_artist")
        .iter()
        .map(|r| ArtistRow {
            artist: r["artist_name"].as_str().expect("artist_name").to_owned(),
            year: i(r, "release_year").expect("release_year"),
            albums: i(r, "albums").expect("albums"),
            avg_minutes: f(r, "avg_minutes").expect("avg_minutes"),
        })
        .collect();
    let want = seed::by_artist();
    assert_artists(&got, &want);
    let drake_2016 = got
        .iter()
        .find(|r| r.artist == "Drake" && r.year == 2016)
        .expect("Drake 2016");
    assert_eq!(
        drake_2016.albums, 1,
        "VIEWS is a twin of Views, counted once"
    );
}

#[test]
fn the_sample_holds_the_twin_and_the_singles_the_queries_leave_out() {
    // What the golden tests prove is only meaningful if the lake does hold
    // the rows the queries must drop.
    let t = loaded_sample();
    let albums = table_rows(&t.lake, "albums");
    assert_eq!(albums.num_rows(), 42);
    let types = strings(&albums, "album_type");
    let singles = types
        .iter()
        .filter(|t| t.as_deref() == Some("single"))
        .count();
    assert_eq!(singles, 3);
    let names = strings(&albums, "album_name");
    let durations = ints(&albums, "duration_ms");
    let mut views: Vec<(String, i64)> = names
        .iter()
        .zip(&durations)
        .filter(|(n, _)| {
            n.as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("views"))
        })
        .map(|(n, d)| (n.clone().unwrap(), d.unwrap()))
        .collect();
    views.sort();
    assert_eq!(views.len(), 2, "{views:?}");
    assert_eq!(views[1], ("Views".to_owned(), 4_875_485), "{views:?}");
    assert!(
        views[0].0 == "VIEWS" && views[0].1 < views[1].1,
        "{views:?}"
    );
    let seed_names: Vec<String> = seed::seed_albums().into_iter().map(|a| a.name).collect();
    assert!(!seed_names.contains(&"VIEWS".to_owned()));
}

#[tokio::test]
async fn the_library_engine_gives_the_same_answers() {
    let t = TempLake::with_sample();
    let raw = t.raw_location();
    let lake = t.lake_location();
    let catalog = LocalCatalog::new(lake.store.clone());
    let summary = spotify_lake::load(&raw, &lake, Some(&catalog), &LoadOptions::default())
        .await
        .expect("load the sample");
    assert!(summary.is_complete());
    assert_eq!(summary.rows["albums"], 42);

    let engine = Engine::open(&lake, Some(std::sync::Arc::new(catalog)))
        .await
        .expect("open the engine");
    let run = |name: &'static str| {
        let engine = &engine;
        async move {
            let q = sql::query(name).expect("an embedded query");
            let (schema, batches) = engine.run(name, q.sql).await.expect("run the query");
            concat(&schema, &batches)
        }
    };

    let b = run("album_length_by_year").await;
    let got: Vec<YearRow> = (0..b.num_rows())
        .map(|r| YearRow {
            year: ints(&b, "release_year")[r].expect("year"),
            albums: ints(&b, "albums")[r].expect("albums"),
            avg_minutes: floats(&b, "avg_minutes")[r].expect("avg"),
            standard_albums: ints(&b, "standard_albums")[r].expect("standard"),
            standard_avg_minutes: floats(&b, "standard_avg_minutes")[r],
        })
        .collect();
    assert_years(&got, &seed::by_year());

    let b = run("album_length_trend").await;
    let got: Vec<TrendRow> = (0..b.num_rows())
        .map(|r| TrendRow {
            variant: strings(&b, "variant")[r].clone().expect("variant"),
            albums: ints(&b, "albums")[r].expect("albums"),
            first_year: ints(&b, "first_year")[r].expect("first_year"),
            last_year: ints(&b, "last_year")[r].expect("last_year"),
            slope: floats(&b, "slope_minutes_per_year")[r].expect("slope"),
            intercept: floats(&b, "intercept_minutes")[r].expect("intercept"),
            r2: floats(&b, "r2")[r].expect("r2"),
        })
        .collect();
    assert_trend(&got, &seed::trend());

    let b = run("album_length_by_artist").await;
    let got: Vec<ArtistRow> = (0..b.num_rows())
        .map(|r| ArtistRow {
            artist: strings(&b, "artist_name")[r].clone().expect("artist"),
            year: ints(&b, "release_year")[r].expect("year"),
            albums: ints(&b, "albums")[r].expect("albums"),
            avg_minutes: floats(&b, "avg_minutes")[r].expect("avg"),
        })
        .collect();
    assert_artists(&got, &seed::by_artist());

    // The view counts each seed album once, with the seed's duration.
    let (schema, batches) = engine
        .run(
            "check",
            "SELECT album_name, duration_ms, is_deluxe FROM latest_albums ORDER BY album_name",
        )
        .await
        .expect("select from the view");
    let view = concat(&schema, &batches);
    let mut want: Vec<(String, i64)> = seed::seed_albums()
        .into_iter()
        .map(|a| (a.name, a.duration_ms))
        .collect();
    want.sort();
    let names = strings(&view, "album_name");
    let durations = ints(&view, "duration_ms");
    let got: Vec<(String, i64)> = names
        .into_iter()
        .zip(durations)
        .map(|(n, d)| (n.expect("name"), d.expect("duration")))
        .collect();
    assert_eq!(got, want);
    let markers = seed::deluxe_markers();
    let deluxe = bools(&view, "is_deluxe");
    for ((name, _), d) in got.iter().zip(deluxe) {
        assert_eq!(
            d,
            Some(seed::is_deluxe(name, &markers)),
            "is_deluxe of {name}"
        );
    }
}

#[test]
fn csv_output_has_the_documented_headers_and_the_same_figures() {
    let t = loaded_sample();
    let headers = [
        (
            "album_length_by_year",
            "release_year,albums,avg_minutes,standard_albums,standard_avg_minutes",
        ),
        (
            "album_length_by_artist",
            "artist_name,release_year,albums,avg_minutes",
        ),
        (
            "album_length_trend",
            "variant,albums,first_year,last_year,slope_minutes_per_year,intercept_minutes,r2",
        ),
    ];
    for (name, header) in headers {
        let run = t.query(name, "csv");
        run.assert_code(0);
        assert_eq!(run.stdout.lines().next(), Some(header), "{name}");
    }
    let run = t.query("album_length_by_year", "csv");
    let got: Vec<YearRow> = run
        .stdout
        .lines()
        .skip(1)
        .map(|line| {
            let c = seed::split_csv_line(line);
            assert_eq!(c.len(), 5, "{line:?}");
            YearRow {
                year: c[0].parse().expect("year"),
                albums: c[1].parse().expect("albums"),
                avg_minutes: c[2].parse().expect("avg"),
                standard_albums: c[3].parse().expect("standard"),
                standard_avg_minutes: (!c[4].is_empty()).then(|| c[4].parse().expect("avg")),
            }
        })
        .collect();
    assert_years(&got, &seed::by_year());
}

#[test]
fn table_output_is_aligned_with_a_header_and_one_line_per_row() {
    let t = loaded_sample();
    let run = t.query("album_length_trend", "table");
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let header = lines
        .iter()
        .find(|l| l.starts_with('|'))
        .expect("a header line");
    let cells: Vec<&str> = header.trim_matches('|').split('|').map(str::trim).collect();
    assert_eq!(
        cells,
        [
            "variant",
            "albums",
            "first_year",
            "last_year",
            "slope_minutes_per_year",
            "intercept_minutes",
            "r2"
        ]
    );
    let width = header.chars().count();
    assert!(
        lines.iter().all(|l| l.chars().count() == width),
        "{}",
        run.stdout
    );
    let data: Vec<Vec<&str>> = lines
        .iter()
        .filter(|l| l.starts_with('|'))
        .skip(1)
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let want = seed::trend();
    assert_eq!(data.len(), 2, "{}", run.stdout);
    for (row, w) in data.iter().zip(&want) {
        assert_eq!(row[0], w.variant);
        assert_eq!(row[1], w.albums.to_string());
        assert!(
            close(row[4].parse().expect("slope"), w.slope),
            "{row:?} vs {w:?}"
        );
        assert!(close(row[6].parse().expect("r2"), w.r2), "{row:?} vs {w:?}");
    }

    let run = t.query("album_length_by_year", "table");
    run.assert_code(0);
    let rows = run.stdout.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(rows, 1 + seed::by_year().len(), "{}", run.stdout);
}

#[test]
fn the_files_agree_with_the_seed_album_by_album() {
    // The clean zone itself (not only the query answers) carries the seed
    // figures: every seed album is an `album` row with its duration and year.
    let t = loaded_sample();
    let mut rows: Vec<(String, i64, Option<i64>, String)> = Vec::new();
    for path in parquet_files(&t.lake, Table::Albums.name()) {
        let (_, b) = read_parquet(&path);
        let n = b.num_rows();
        let (names, d, y, ty) = (
            strings(&b, "album_name"),
            ints(&b, "duration_ms"),
            ints(&b, "release_year"),
            strings(&b, "album_type"),
        );
        for r in 0..n {
            rows.push((
                names[r].clone().unwrap(),
                d[r].unwrap(),
                y[r],
                ty[r].clone().unwrap(),
            ));
        }
    }
    for a in seed::seed_albums() {
        let found = rows
            .iter()
            .filter(|r| r.0 == a.name && r.3 == "album")
            .collect::<Vec<_>>();
        assert_eq!(found.len(), 1, "{a:?}: {found:?}");
        assert_eq!(
            (found[0].1, found[0].2),
            (a.duration_ms, Some(i64::from(a.year))),
            "{a:?}"
        );
    }
}
