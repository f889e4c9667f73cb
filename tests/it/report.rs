//! `report`: its numbers are the queries' (through the JSON sidecar, against
//! the seed CSVs and `query --format json`), its files are what they claim
//! (well-formed SVG, a PNG of the documented size, a page with no script
//! and nothing fetched), and small or empty lakes give a clear message or a
//! chart that says so, never a panic (`run_cli` asserts that for every run).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::cli::{cli_command, run_cli, run_command};
use crate::support::lake::{TempLake, copy_dir};
use crate::support::parquet::close;
use crate::support::raw_builder::{Small, fake_id};
use crate::support::sample::{DRAKE, SAMPLE_DATE, sample_raw};
use crate::support::seed::{self, SeedAlbum};

const MAIN_SIZE: (u32, u32) = spotify_lake::report::chart::MAIN_SIZE;

fn loaded_sample() -> TempLake {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    t
}

/// `report --lake <lake> --out <root>/<name>` plus `extra`; must exit 0.
/// Returns the path written.
fn report(t: &TempLake, name: &str, extra: &[&str]) -> PathBuf {
    let out = t.root().join("out").join(name);
    let (lake, out_arg) = (t.lake_arg(), out.to_str().unwrap().to_owned());
    let mut args = vec!["report", "--lake", &lake, "--out", &out_arg];
    args.extend_from_slice(extra);
    let run = run_cli(&args);
    run.assert_code(0);
    assert!(
        run.stdout.lines().any(|l| Path::new(l) == out),
        "stdout names the file written:\n{}",
        run.stdout
    );
    assert!(out.is_file(), "{} was not written", out.display());
    out
}

/// `report` to HTML; returns the page and the parsed sidecar.
fn html_report(t: &TempLake, extra: &[&str]) -> (String, Value) {
    let out = report(t, "report.html", extra);
    let html = std::fs::read_to_string(&out).unwrap();
    let sidecar = out.with_extension("json");
    let json: Value = serde_json::from_slice(
        &std::fs::read(&sidecar)
            .unwrap_or_else(|e| panic!("no sidecar {}: {e}", sidecar.display())),
    )
    .expect("the sidecar is JSON");
    (html, json)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn round(x: f64, digits: i32) -> f64 {
    seed::round(x, digits)
}

fn trend(json: &Value, variant: &str) -> Value {
    json["trend"]
        .as_array()
        .expect("a trend list")
        .iter()
        .find(|t| t["variant"] == variant)
        .unwrap_or_else(|| panic!("no {variant} trend in {}", json["trend"]))
        .clone()
}

// ------------------------------------------------- well-formedness checks

/// A small XML well-formedness check: every tag closes in order, one root,
/// attributes quoted, `&` only in entities, nothing outside the root.
fn assert_well_formed_xml(doc: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = doc.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>").expect("a closed declaration") + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->").expect("a closed comment") + 3..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').expect("a closed tag");
            let tag = &after[..end];
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            assert!(!tag.contains('<'), "a '<' inside <{tag}>");
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("</{name}> closes nothing"));
                assert_eq!(open, name.trim(), "</{name}> closes <{open}>");
            } else {
                let name: String = tag
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '/')
                    .collect();
                assert!(!name.is_empty(), "an empty tag name in <{tag}>");
                if stack.is_empty() {
                    roots += 1;
                }
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &after[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            assert!(
                !stack.is_empty() || text.trim().is_empty(),
                "text outside the root: {text:?}"
            );
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#39;"].contains(&entity)
                        || entity.starts_with("&#"),
                    "a bare & in {text:?}"
                );
            }
            rest = &rest[end..];
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    assert_eq!(roots, 1, "one root element");
}

#[test]
fn the_xml_check_catches_broken_documents() {
    assert_well_formed_xml(r#"<svg a="1"><g><text>a &amp; b</text><rect/></g></svg>"#);
    for bad in [
        "<svg><g></svg>",
        "<svg></svg><svg></svg>",
        r#"<svg a="1><g/></svg>"#,
        "<svg><text>a & b</text></svg>",
        "<svg>",
    ] {
        let result = std::panic::catch_unwind(|| assert_well_formed_xml(bad));
        assert!(result.is_err(), "{bad:?} passed the check");
    }
}

/// Width and height from a PNG's IHDR chunk (the first, right after the
/// 8-byte signature: length, "IHDR", then width and height big-endian).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "too short for a PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "IHDR comes first");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    assert!(
        bytes.ends_with(&[0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]),
        "ends with IEND"
    );
    (be(16), be(20))
}

/// Decodes a PNG whole; returns its size and the share of non-white pixels.
fn decode_png(bytes: &[u8]) -> ((u32, u32), f64) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a buffer size")];
    let info = reader.next_frame(&mut buf).expect("the PNG decodes");
    let pixels = &buf[..info.buffer_size()];
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let inked = pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count();
    (
        (info.width, info.height),
        inked as f64 / (pixels.len() / 3) as f64,
    )
}

fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    for never in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(never), "the page has {never:?}");
    }
    // The only URL is the SVG namespace, which is a name, not a fetch.
    let urls = html.matches("http").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(urls, namespaces, "a URL other than the SVG namespace");
}

// ------------------------------------------------------------- the sample

#[test]
fn the_report_of_the_sample_equals_the_query_answers() {
    let t = loaded_sample();
    let (html, json) = html_report(&t, &[]);

    // Per year and per artist: the queries' rows, value for value.
    assert_eq!(
        json["album_length_by_year"],
        Value::Array(t.query_json("album_length_by_year")),
    );
    assert_eq!(
        json["album_length_by_artist"],
        Value::Array(t.query_json("album_length_by_artist")),
    );
    // And the seed's figures.
    let years = json["album_length_by_year"].as_array().unwrap();
    let want = seed::by_year();
    assert_eq!(years.len(), want.len());
    for (got, w) in years.iter().zip(&want) {
        assert_eq!(got["release_year"], w.year);
        assert_eq!(got["albums"], w.albums);
        assert!(
            close(f(&got["avg_minutes"]), w.avg_minutes),
            "{got} vs {w:?}"
        );
        assert_eq!(got["standard_albums"], w.standard_albums);
        assert_eq!(got["standard_avg_minutes"].as_f64(), w.standard_avg_minutes);
    }
    let artists = json["album_length_by_artist"].as_array().unwrap();
    assert_eq!(artists.len(), seed::by_artist().len());

    // The trend: fitted in Rust, equal to album_length_trend and to the
    // seed's least squares at the query's 4 decimals.
    let query_trend = t.query_json("album_length_trend");
    for (w, q) in seed::trend().iter().zip(&query_trend) {
        let got = trend(&json, &w.variant);
        assert_eq!(got["albums"], w.albums);
        assert_eq!(
            (got["first_year"].clone(), got["last_year"].clone()),
            (w.first_year.into(), w.last_year.into())
        );
        let slope = f(&got["slope_minutes_per_year"]);
        assert_eq!(round(slope, 4), w.slope, "{got}");
        assert_eq!(
            round(slope, 4),
            f(&q["slope_minutes_per_year"]),
            "{got} vs {q}"
        );
        assert!(close(f(&got["slope_minutes_per_decade"]), slope * 10.0));
        assert_eq!(round(f(&got["intercept_minutes"]), 4), w.intercept, "{got}");
        assert_eq!(
            round(f(&got["intercept_minutes"]), 4),
            f(&q["intercept_minutes"])
        );
        assert_eq!(round(f(&got["r2"]), 4), w.r2, "{got}");
        assert_eq!(round(f(&got["r2"]), 4), f(&q["r2"]));
    }

    // Counts and extract dates.
    let markers = seed::deluxe_markers();
    let counted = seed::counted_albums();
    let deluxe = counted
        .iter()
        .filter(|a| seed::is_deluxe(&a.name, &markers))
        .count() as i64;
    let c = &json["counts"];
    assert_eq!(c["albums"], counted.len() as i64);
    assert_eq!(c["deluxe_albums"], deluxe);
    assert_eq!(c["standard_albums"], counted.len() as i64 - deluxe);
    assert_eq!(c["unknown_year_albums"], 0);
    assert_eq!(c["artists"], 3);
    assert_eq!(c["years"], want.len() as i64);
    assert_eq!(
        json["extract_dates"],
        serde_json::json!([{"extract_date": SAMPLE_DATE, "albums": counted.len()}])
    );
    let without: Vec<i64> = want
        .iter()
        .filter(|r| r.standard_albums == 0)
        .map(|r| r.year)
        .collect();
    assert!(!without.is_empty(), "the sample has a deluxe-only year");
    assert_eq!(json["years_without_standard"], serde_json::json!(without));

    // The reading is computed from those figures.
    let reading = json["reading"].as_str().expect("a reading");
    let [all, standard] = [&seed::trend()[0], &seed::trend()[1]];
    for part in [
        format!("From {} to {}", all.first_year, all.last_year),
        format!("got longer by {:.1} minutes per decade", all.slope * 10.0),
        format!("{} albums, r² {:.2}: a weak fit", all.albums, all.r2),
        format!(
            "got longer by {:.1} minutes per decade ({} albums",
            standard.slope * 10.0,
            standard.albums
        ),
    ] {
        assert!(reading.contains(&part), "{part:?} not in {reading:?}");
    }

    // The page: self-contained, with both charts, the reading, the figures.
    assert_self_contained(&html);
    assert_eq!(
        html.matches("<svg ").count(),
        2,
        "the main chart and the artists'"
    );
    assert!(html.contains(&spotify_lake::report::html::escape(reading)));
    for needle in [
        "Drake",
        "Michael Jackson",
        "Bruno Mars",
        SAMPLE_DATE,
        "no standard edition",
        &format!("{:+.4}", f(&trend(&json, "all")["slope_minutes_per_year"])),
    ] {
        assert!(html.contains(needle), "the page lacks {needle:?}");
    }
    // The inline charts are well-formed XML too.
    for svg in html.split("<svg ").skip(1) {
        let end = svg.find("</svg>").expect("a closed svg") + "</svg>".len();
        assert_well_formed_xml(&format!("<svg {}", &svg[..end]));
    }
}

#[test]
fn svg_and_png_write_the_main_chart_alone() {
    let t = loaded_sample();
    let svg_path = report(&t, "chart.svg", &[]);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_well_formed_xml(&svg);
    assert!(
        svg.contains(&format!(
            "width=\"{}\" height=\"{}\"",
            MAIN_SIZE.0, MAIN_SIZE.1
        )),
        "{}",
        &svg[..200]
    );
    for text in [
        "Average album length by release year",
        "Release year",
        "Trend, all albums: +6.6 min/decade",
    ] {
        assert!(svg.contains(text), "the SVG lacks {text:?}");
    }
    assert!(
        !svg_path.with_extension("json").exists(),
        "no sidecar for an image"
    );

    let png_path = report(&t, "chart.png", &[]);
    let bytes = std::fs::read(&png_path).unwrap();
    assert_eq!(png_size(&bytes), MAIN_SIZE);
    let (size, inked) = decode_png(&bytes);
    assert_eq!(size, MAIN_SIZE);
    assert!(inked > 0.03, "the PNG is almost blank ({inked})");

    // --format wins over the extension.
    let forced = report(&t, "chart.img", &["--format", "png"]);
    assert_eq!(png_size(&std::fs::read(forced).unwrap()), MAIN_SIZE);
    // No --out: report.<format> in the working folder.
    let lake = t.lake_arg();
    let args = ["report", "--lake", lake.as_str(), "--format", "svg"];
    let mut cmd = cli_command(&args);
    cmd.current_dir(t.root());
    run_command(cmd, &args).assert_code(0);
    assert_well_formed_xml(&std::fs::read_to_string(t.root().join("report.svg")).unwrap());
}

// ---------------------------------------------------------------- filters

fn seed_fit(albums: &[SeedAlbum]) -> seed::TrendRow {
    seed::fit("all", albums)
}

#[test]
fn filters_narrow_every_figure_alike() {
    let t = loaded_sample();
    let (from, to) = (2000, 2015);
    let want: Vec<SeedAlbum> = seed::counted_albums()
        .into_iter()
        .filter(|a| a.artist == "Drake" && (from..=to).contains(&a.year))
        .collect();
    assert!(want.len() >= 3, "{want:?}");
    let by_name = html_report(&t, &["--from", "2000", "--to", "2015", "--artist", "drake"]).1;
    let by_id = html_report(&t, &["--from", "2000", "--to", "2015", "--artist", DRAKE]).1;
    for json in [&by_name, &by_id] {
        assert_eq!(
            json["counts"]["albums"],
            want.len() as i64,
            "{}",
            json["counts"]
        );
        assert_eq!(json["counts"]["artists"], 1);
        for row in json["album_length_by_year"].as_array().unwrap() {
            let year = row["release_year"].as_i64().unwrap();
            assert!((2000..=2015).contains(&year), "{row}");
        }
        let w = seed_fit(&want);
        let got = trend(json, "all");
        assert_eq!(
            round(f(&got["slope_minutes_per_year"]), 4),
            w.slope,
            "{got}"
        );
        assert_eq!(round(f(&got["r2"]), 4), w.r2, "{got}");
    }
    assert_eq!(by_name["filters"]["artists"], serde_json::json!(["drake"]));
    assert_eq!(
        by_name["album_length_by_year"],
        by_id["album_length_by_year"]
    );

    // An artist that is not there: a report that says so.
    let (html, json) = html_report(&t, &["--artist", "Nobody At All"]);
    assert_eq!(json["counts"]["albums"], 0);
    assert!(
        html.contains("no album matches the filters --artist"),
        "{html}"
    );
}

#[test]
fn from_after_to_is_a_usage_error() {
    let t = loaded_sample();
    let lake = t.lake_arg();
    let run = run_cli(&["report", "--lake", &lake, "--from", "2020", "--to", "2010"]);
    run.assert_code(2)
        .assert_stderr_has(&["--from", "2020 > 2010"]);
    let run = run_cli(&["report", "--lake", &lake, "--format", "gif"]);
    run.assert_code(2);
}

/// Regression (issue "Nothing fails silently"): `--out r.pdf` wrote an
/// HTML page named r.pdf, exit 0.
#[test]
fn an_unknown_out_extension_is_a_usage_error_naming_the_valid_ones() {
    let t = loaded_sample();
    let lake = t.lake_arg();
    let out = t.root().join("r.pdf");
    let run = run_cli(&["report", "--lake", &lake, "--out", out.to_str().unwrap()]);
    run.assert_code(2).assert_stderr_has(&[
        "--out",
        "unknown extension \".pdf\"",
        ".html",
        ".svg",
        ".png",
        "--format",
    ]);
    assert!(!out.exists(), "nothing written");
    assert!(!t.root().join("r.json").exists(), "no sidecar either");
    // Named explicitly, the format takes any file name.
    let run = run_cli(&[
        "report",
        "--lake",
        &lake,
        "--out",
        out.to_str().unwrap(),
        "--format",
        "svg",
    ]);
    run.assert_code(0);
    assert!(std::fs::read_to_string(&out).unwrap().contains("<svg"));
}

// ------------------------------------------------------- small and empty

#[test]
fn an_empty_lake_says_so_in_every_format() {
    let t = TempLake::new();
    std::fs::create_dir_all(&t.lake).unwrap();
    let (html, json) = html_report(&t, &[]);
    assert_self_contained(&html);
    assert!(
        html.contains("Nothing to chart: the lake holds no albums"),
        "{html}"
    );
    assert_eq!(json["counts"]["albums"], 0);
    assert_eq!(json["reading"], "There are no albums to read a trend from.");
    assert_eq!(json["trend"][0]["albums"], 0);
    assert!(json["trend"][0].get("slope_minutes_per_year").is_none());
    let svg = std::fs::read_to_string(report(&t, "empty.svg", &[])).unwrap();
    assert_well_formed_xml(&svg);
    assert!(svg.contains("No albums to chart"), "{svg}");
    let png = std::fs::read(report(&t, "empty.png", &[])).unwrap();
    assert_eq!(decode_png(&png).0, MAIN_SIZE);

    // No lake at all is an error that says what to do.
    let missing = t.root().join("nowhere");
    let run = run_cli(&["report", "--lake", missing.to_str().unwrap()]);
    run.assert_code(1)
        .assert_stderr_has(&["no such directory", "spotify-lake load"]);
}

/// A lake of one artist's albums: `(name, release date, track lengths)`.
fn small_lake(albums: &[(&str, &str, &[i64])]) -> TempLake {
    let t = TempLake::new();
    let ids: Vec<String> = albums.iter().map(|a| fake_id(a.0)).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let small = Small::write(&t, SAMPLE_DATE, &refs);
    for ((name, date, tracks), id) in albums.iter().zip(&ids) {
        small.snap.album(&small.album_body(id, name, date, tracks));
    }
    t.load_ok(&[]);
    t
}

#[test]
fn one_album_only_has_no_trend_and_says_why() {
    // Small::write's one album: "Good Album", 2020, 10 minutes.
    let t = small_lake(&[]);
    let (html, json) = html_report(&t, &[]);
    assert_eq!(json["counts"]["albums"], 1);
    assert_eq!(
        json["reading"],
        "The 1 album was released in 2020, so there is no trend to read: a trend needs albums from at least two years."
    );
    assert_eq!(
        json["album_length_by_year"],
        Value::Array(t.query_json("album_length_by_year"))
    );
    assert!(html.contains("No trend line"), "{html}");
    let svg = std::fs::read_to_string(report(&t, "one.svg", &[])).unwrap();
    assert_well_formed_xml(&svg);
    assert!(svg.contains("No trend line: the albums span a single year."));
    let png = std::fs::read(report(&t, "one.png", &[])).unwrap();
    assert_eq!(png_size(&png), MAIN_SIZE);
}

#[test]
fn one_year_only_has_no_trend_but_a_chart() {
    let t = small_lake(&[("Same Year", "2020-09-01", &[300_000, 400_000])]);
    let (html, json) = html_report(&t, &[]);
    assert_eq!(json["counts"]["albums"], 2);
    assert_eq!(json["counts"]["years"], 1);
    assert!(
        json["reading"]
            .as_str()
            .unwrap()
            .starts_with("The 2 albums were all released in 2020"),
        "{}",
        json["reading"]
    );
    // The query agrees that there is no line.
    let q = t.query_json("album_length_trend");
    assert!(q[0]["slope_minutes_per_year"].is_null(), "{q:?}");
    assert!(html.contains("<svg "), "a chart of the one year");
    let (_, inked) = decode_png(&std::fs::read(report(&t, "year.png", &[])).unwrap());
    assert!(inked > 0.02, "{inked}");
}

#[test]
fn a_year_with_no_standard_edition_is_named() {
    let t = small_lake(&[
        ("Big (Deluxe Edition)", "2021-03-01", &[600_000, 600_000]),
        ("Later", "2022-03-01", &[500_000]),
    ]);
    let (html, json) = html_report(&t, &[]);
    assert_eq!(json["years_without_standard"], serde_json::json!([2021]));
    assert_eq!(json["counts"]["deluxe_albums"], 1);
    let y2021 = &json["album_length_by_year"][1];
    assert_eq!(
        (
            y2021["release_year"].as_i64(),
            y2021["standard_albums"].as_i64()
        ),
        (Some(2021), Some(0))
    );
    assert!(y2021["standard_avg_minutes"].is_null());
    assert!(html.contains("No standard edition in 2021"), "{html}");
    let svg = std::fs::read_to_string(report(&t, "std.svg", &[])).unwrap();
    assert!(
        svg.contains("No standard edition in 2021"),
        "the chart says so"
    );

    // Every album deluxe (--from leaves out the standard "Good Album" of
    // 2020): no standard series, and the reading says so.
    let t = small_lake(&[
        ("One (Deluxe)", "2021-01-01", &[100_000]),
        ("Two (Deluxe)", "2022-01-01", &[200_000]),
    ]);
    let (html, json) = html_report(&t, &["--from", "2021"]);
    assert_eq!(json["counts"]["albums"], 2);
    assert_eq!(json["counts"]["standard_albums"], 0);
    assert!(html.contains("No standard edition in 2021, 2022"), "{html}");
    assert!(
        trend(&json, "standard")
            .get("slope_minutes_per_year")
            .is_none()
    );
    assert!(
        json["reading"]
            .as_str()
            .unwrap()
            .contains("standard editions alone are too few for a trend"),
        "{}",
        json["reading"]
    );
}

// --------------------------------------------------------- demo, example

#[test]
fn demo_ends_by_writing_the_report() {
    let t = TempLake::new();
    let dir = t.root().join("demo");
    let run = run_cli(&["demo", "--lake", dir.to_str().unwrap()]);
    run.assert_code(0);
    let path = dir.join("report.html");
    let last = run.stdout.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        format!("Report (open it in a browser): {}", path.display())
    );
    let html = std::fs::read_to_string(&path).unwrap();
    assert_self_contained(&html);
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["counts"]["albums"], 38);
}

#[test]
fn the_report_example_in_the_help_runs() {
    let t = TempLake::new();
    let cwd = t.root().to_path_buf();
    copy_dir(&sample_raw(), &cwd.join("raw"));
    let load = ["load", "--raw", "raw", "--lake", "lake"];
    let mut cmd = cli_command(&load);
    cmd.current_dir(&cwd);
    run_command(cmd, &load).assert_code(0);
    let help = run_cli(&["report", "--help"]).stdout;
    let example = help
        .lines()
        .find_map(|l| l.trim().strip_prefix("Example: spotify-lake "))
        .expect("report --help has an example");
    let args: Vec<&str> = example.split_whitespace().collect();
    let mut cmd = cli_command(&args);
    cmd.current_dir(&cwd);
    let run = run_command(cmd, &args);
    run.assert_code(0);
    assert!(cwd.join("report.html").is_file() && cwd.join("report.json").is_file());
}
