//! The answers the queries must give over the bundled sample, computed
//! here, independently of the engine, from `samples/seed-albums/*.csv` (the
//! original job's figures, which the sample's albums reproduce) and
//! `schemas/deluxe.toml`.
//!
//! The rules are DESIGN.md's (Queries): count each album once, one row per
//! (lower(name), lower(artist), year) keeping the longest; minutes are
//! `duration_ms / 60000`; averages round to 2 decimals; the trend is the
//! least-squares line of minutes on year, rounded to 4 decimals.

use std::collections::BTreeMap;

use super::sample::repo;

/// One row of a seed CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedAlbum {
    /// `Artist`.
    pub artist: String,
    /// `Album Name`.
    pub name: String,
    /// `Album Duration MS`.
    pub duration_ms: i64,
    /// `Year Released`.
    pub year: i32,
}

impl SeedAlbum {
    /// The length in minutes.
    pub fn minutes(&self) -> f64 {
        self.duration_ms as f64 / 60_000.0
    }
}

/// Splits one CSV line: commas separate fields; a field in double quotes may
/// hold commas, and `""` inside it is one quote.
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Every row of `samples/seed-albums/*.csv`. Their lines end in `\r\r\n`.
pub fn seed_albums() -> Vec<SeedAlbum> {
    let dir = repo().join("samples/seed-albums");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("samples/seed-albums exists")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 3, "three seed CSVs: {paths:?}");
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read a seed CSV");
        let mut lines = text
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.is_empty());
        let header = split_csv_line(lines.next().expect("a header line"));
        assert_eq!(
            header,
            ["Artist", "Album Name", "Album Duration MS", "Year Released"],
            "{}",
            path.display()
        );
        for line in lines {
            let f = split_csv_line(line);
            assert_eq!(f.len(), 4, "{}: {line:?}", path.display());
            out.push(SeedAlbum {
                artist: f[0].clone(),
                name: f[1].clone(),
                duration_ms: f[2].parse().expect("a duration"),
                year: f[3].parse().expect("a year"),
            });
        }
    }
    out
}

/// The deluxe markers, parsed from `schemas/deluxe.toml`.
pub fn deluxe_markers() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct File {
        markers: Vec<String>,
    }
    let text = std::fs::read_to_string(repo().join("schemas/deluxe.toml"))
        .expect("read schemas/deluxe.toml");
    let file: File = toml::from_str(&text).expect("schemas/deluxe.toml parses");
    assert!(!file.markers.is_empty());
    file.markers
}

/// Whether an album name is a deluxe edition under `markers`.
pub fn is_deluxe(name: &str, markers: &[String]) -> bool {
    let lower = name.to_lowercase();
    markers.iter().any(|m| lower.contains(m.as_str()))
}

/// The albums counted: one per (lower(name), lower(artist), year), the longest.
pub fn counted_albums() -> Vec<SeedAlbum> {
    let mut by_key: BTreeMap<(String, String, i32), SeedAlbum> = BTreeMap::new();
    for a in seed_albums() {
        let key = (a.name.to_lowercase(), a.artist.to_lowercase(), a.year);
        match by_key.get(&key) {
            Some(kept) if kept.duration_ms >= a.duration_ms => {}
            _ => {
                by_key.insert(key, a);
            }
        }
    }
    by_key.into_values().collect()
}

/// Rounds to `digits` decimals, half away from zero (SQL `round`).
pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// A row of `album_length_by_year`.
#[derive(Debug, Clone, PartialEq)]
pub struct YearRow {
    /// release_year.
    pub year: i64,
    /// albums.
    pub albums: i64,
    /// avg_minutes.
    pub avg_minutes: f64,
    /// standard_albums.
    pub standard_albums: i64,
    /// standard_avg_minutes (null when the year has no standard album).
    pub standard_avg_minutes: Option<f64>,
}

/// `album_length_by_year` over the seed, oldest first.
pub fn by_year() -> Vec<YearRow> {
    let markers = deluxe_markers();
    let mut years: BTreeMap<i32, Vec<SeedAlbum>> = BTreeMap::new();
    for a in counted_albums() {
        years.entry(a.year).or_default().push(a);
    }
    years
        .into_iter()
        .map(|(year, albums)| {
            let all: Vec<f64> = albums.iter().map(SeedAlbum::minutes).collect();
            let standard: Vec<f64> = albums
                .iter()
                .filter(|a| !is_deluxe(&a.name, &markers))
                .map(SeedAlbum::minutes)
                .collect();
            YearRow {
                year: i64::from(year),
                albums: all.len() as i64,
                avg_minutes: round(mean(&all), 2),
                standard_albums: standard.len() as i64,
                standard_avg_minutes: (!standard.is_empty()).then(|| round(mean(&standard), 2)),
            }
        })
        .collect()
}

/// A row of `album_length_by_artist`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtistRow {
    /// artist_name.
    pub artist: String,
    /// release_year.
    pub year: i64,
    /// albums.
    pub albums: i64,
    /// avg_minutes.
    pub avg_minutes: f64,
}

/// `album_length_by_artist` over the seed, by artist then year.
pub fn by_artist() -> Vec<ArtistRow> {
    let mut groups: BTreeMap<(String, i32), Vec<f64>> = BTreeMap::new();
    for a in counted_albums() {
        groups
            .entry((a.artist.clone(), a.year))
            .or_default()
            .push(a.minutes());
    }
    groups
        .into_iter()
        .map(|((artist, year), minutes)| ArtistRow {
            artist,
            year: i64::from(year),
            albums: minutes.len() as i64,
            avg_minutes: round(mean(&minutes), 2),
        })
        .collect()
}

/// A row of `album_length_trend`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// 'all' or 'standard'.
    pub variant: String,
    /// albums in the fit.
    pub albums: i64,
    /// first_year.
    pub first_year: i64,
    /// last_year.
    pub last_year: i64,
    /// slope_minutes_per_year, 4 decimals.
    pub slope: f64,
    /// intercept_minutes, 4 decimals.
    pub intercept: f64,
    /// r2, 4 decimals.
    pub r2: f64,
}

/// Least squares of minutes on year over `albums`.
pub fn fit(variant: &str, albums: &[SeedAlbum]) -> TrendRow {
    let n = albums.len() as f64;
    let xs: Vec<f64> = albums.iter().map(|a| f64::from(a.year)).collect();
    let ys: Vec<f64> = albums.iter().map(SeedAlbum::minutes).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let syy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    TrendRow {
        variant: variant.to_owned(),
        albums: albums.len() as i64,
        first_year: albums
            .iter()
            .map(|a| i64::from(a.year))
            .min()
            .expect("albums"),
        last_year: albums
            .iter()
            .map(|a| i64::from(a.year))
            .max()
            .expect("albums"),
        slope: round(slope, 4),
        intercept: round(my - slope * mx, 4),
        r2: round(sxy * sxy / (sxx * syy), 4),
    }
}

/// `album_length_trend` over the seed: 'all' then 'standard'.
pub fn trend() -> Vec<TrendRow> {
    let markers = deluxe_markers();
    let all = counted_albums();
    let standard: Vec<SeedAlbum> = all
        .iter()
        .filter(|a| !is_deluxe(&a.name, &markers))
        .cloned()
        .collect();
    vec![fit("all", &all), fit("standard", &standard)]
}

#[test]
fn the_csv_splitter_keeps_quoted_commas() {
    assert_eq!(
        split_csv_line(r#"Drake,"Honestly, Nevermind",3152558,2022"#),
        ["Drake", "Honestly, Nevermind", "3152558", "2022"]
    );
    assert_eq!(
        split_csv_line(r#"a,"say ""hi""",1"#),
        ["a", r#"say "hi""#, "1"]
    );
}

#[test]
fn the_seed_has_the_figures_the_sample_readme_gives() {
    let albums = seed_albums();
    assert_eq!(albums.len(), 38);
    let honestly = albums
        .iter()
        .find(|a| a.name == "Honestly, Nevermind")
        .expect("the quoted name parses whole");
    assert_eq!((honestly.duration_ms, honestly.year), (3_152_558, 2022));
    assert!(
        albums
            .iter()
            .all(|a| !a.artist.ends_with('\r') && a.year > 1900)
    );
    let markers = deluxe_markers();
    let deluxe: Vec<&str> = albums
        .iter()
        .filter(|a| is_deluxe(&a.name, &markers))
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        deluxe,
        [
            "Take Care (Deluxe)",
            "Nothing Was The Same (Deluxe)",
            "Thriller 25 Super Deluxe Edition"
        ]
    );
}
