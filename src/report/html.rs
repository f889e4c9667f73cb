//! The report page: one self-contained HTML file (inline SVG charts, inline
//! CSS, no script, nothing fetched), readable offline and printable.

use std::fmt::Write as _;

use super::ReportError;
use super::chart;
use super::figures::Report;
use super::fit::{Fit, strength};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Open Sans',sans-serif;color:#222;max-width:1240px;margin:0 auto;padding:24px 20px 48px;line-height:1.45}
h1{font-size:1.9rem;margin:0 0 .3rem}
h2{font-size:1.3rem;margin:2.2rem 0 .6rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.reading{font-size:1.2rem;background:#f3f6fa;border-left:4px solid #1f64aa;padding:.7rem 1rem;margin:1rem 0}
.meta,.note,figcaption{color:#555;font-size:.95rem}
.empty{font-size:1.1rem;background:#fff6e8;border-left:4px solid #e67300;padding:.7rem 1rem}
.warning{background:#fdecea;border-left:4px solid #be2832;padding:.5rem 1rem}
figure{margin:1rem 0}
figure svg{width:100%;height:auto;display:block}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:.4rem 0}
th,td{padding:.25rem .7rem;border-bottom:1px solid #e4e4e4;text-align:right}
th{background:#f6f6f6}
td.l,th.l{text-align:left}
td.none{color:#888;font-style:italic}
code{background:#f2f2f2;padding:0 .25rem;border-radius:3px}
";

/// Renders the page.
pub fn page(report: &Report, lake: &str) -> Result<String, ReportError> {
    let c = &report.counts;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>Album length over the years — spotify-lake report</title>\n");
    let _ = writeln!(h, "<style>\n{STYLE}</style>\n</head>\n<body>");
    h.push_str("<h1>Album length over the years</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"reading\" id=\"reading\">{}</p>",
        escape(&report.reading)
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\">Lake <code>{}</code> · {} · filters: {}</p>",
        escape(lake),
        escape(&extracts_phrase(report)),
        escape(&report.data.filters.describe())
    );
    for d in &report.disagreements {
        let _ = writeln!(
            h,
            "<p class=\"warning\">The report's fit and <code>album_length_trend</code> disagree (a bug): {}</p>",
            escape(d)
        );
    }

    h.push_str("<h2>Average length per release year</h2>\n");
    if report.has_points() {
        let _ = writeln!(
            h,
            "<figure>\n{}\n<figcaption>Average album length per release year, all albums (blue) and standard editions with deluxe editions excluded (orange), each with its least-squares trend line (dashed); the bars are the albums released each year. From <code>album_length_by_year</code> and <code>album_length_trend</code>.</figcaption>\n</figure>",
            inline_svg(&chart::main_svg(report)?)
        );
        for note in chart_notes(report) {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&note));
        }
    } else {
        let _ = writeln!(
            h,
            "<p class=\"empty\">{}</p>",
            escape(&empty_message(report))
        );
    }

    h.push_str("<h2>Trend figures</h2>\n");
    trend_table(&mut h, report);

    h.push_str("<h2>Per artist</h2>\n");
    match chart::artists_svg(report)? {
        Some(svg) => {
            let _ = writeln!(
                h,
                "<figure>\n{}\n<figcaption>Average album length per release year for each artist (the album's first artist; point size grows with the albums that year), with each artist's least-squares trend (dashed). From <code>album_length_by_artist</code>.</figcaption>\n</figure>",
                inline_svg(&svg)
            );
            artist_table(&mut h, report);
        }
        None => {
            h.push_str("<p class=\"empty\">No artist has an album with a known release year.</p>\n")
        }
    }

    h.push_str("<h2>Year by year</h2>\n");
    year_table(&mut h, report);

    h.push_str("<h2>What the figures rest on</h2>\n<ul>\n");
    let _ = writeln!(
        h,
        "<li>{} albums counted: {} standard editions, {} deluxe editions; {} with no known release year; {} release years; {} artists.</li>",
        c.albums, c.standard_albums, c.deluxe_albums, c.unknown_year_albums, c.years, c.artists
    );
    if report.data.extract_dates.is_empty() {
        h.push_str("<li>No extract date: the lake holds no counted album.</li>\n");
    }
    for e in &report.data.extract_dates {
        let _ = writeln!(
            h,
            "<li>Extract date {}: {} counted albums.</li>",
            escape(&e.extract_date),
            e.albums
        );
    }
    h.push_str("<li>Counted albums are the rows of the view <code>latest_albums</code>: album type <code>album</code>, the newest extract of each album, then one album per (name, first artist, release year) in any case, keeping the longest.</li>\n");
    h.push_str("<li>Standard editions are the albums whose name has none of the deluxe markers of <code>schemas/deluxe.toml</code> (deluxe, expanded edition, anniversary edition, …).</li>\n");
    h.push_str("<li>Lengths are <code>duration_ms / 60000</code>: the sum of every track. Averages are rounded to 2 decimals as the queries round them; the trend is fitted on the albums themselves, not on the yearly averages.</li>\n");
    h.push_str("</ul>\n");
    let _ = writeln!(
        h,
        "<p class=\"meta\">Written by spotify-lake {} <code>report</code>; the same figures are in the JSON file beside this page. No script, no network: this file is complete on its own.</p>",
        env!("CARGO_PKG_VERSION")
    );
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// An SVG document as an element of the page: plotters writes no XML
/// declaration, so only surrounding blanks go.
fn inline_svg(svg: &str) -> &str {
    svg.trim()
}

fn extracts_phrase(report: &Report) -> String {
    match report.data.extract_dates.as_slice() {
        [] => "no extract".to_owned(),
        [one] => format!("extract date {} ({} albums)", one.extract_date, one.albums),
        many => format!(
            "extract dates {}",
            many.iter()
                .map(|e| format!("{} ({} albums)", e.extract_date, e.albums))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn empty_message(report: &Report) -> String {
    if report.counts.albums > 0 {
        format!(
            "Nothing to chart: none of the {} albums has a known release year.",
            report.counts.albums
        )
    } else if report.data.filters.is_empty() {
        "Nothing to chart: the lake holds no albums (album type 'album'). Load a snapshot first, e.g. spotify-lake load --raw raw --lake lake.".to_owned()
    } else {
        format!(
            "Nothing to chart: no album matches the filters {}.",
            report.data.filters.describe()
        )
    }
}

fn chart_notes(report: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    if !report.years_without_standard.is_empty() {
        let years: Vec<String> = report
            .years_without_standard
            .iter()
            .map(i32::to_string)
            .collect();
        let (that, has) = if years.len() == 1 {
            ("that year", "has no point there")
        } else {
            ("those years", "has no points there")
        };
        notes.push(format!(
            "No standard edition in {}: every album of {that} is a deluxe edition, so the standard series {has}.",
            years.join(", ")
        ));
    }
    if report.all.is_none() {
        notes.push(
            "No trend line: a trend needs albums from at least two release years.".to_owned(),
        );
    }
    notes
}

fn fit_cells(fit: Option<&Fit>) -> String {
    match fit {
        Some(f) => format!(
            "<td>{}–{}</td><td>{:+.2}</td><td>{:+.4}</td><td>{:.4}</td><td>{}</td><td class=\"l\">{}</td>",
            f.first_year,
            f.last_year,
            f.slope_minutes_per_decade(),
            f.slope_minutes_per_year,
            f.intercept_minutes,
            f.r2.map(|r| format!("{r:.4}")).unwrap_or_else(|| "—".to_owned()),
            f.r2.map(strength).unwrap_or("all one length"),
        ),
        None => "<td class=\"none l\" colspan=\"6\">no trend: needs albums from two or more release years</td>".to_owned(),
    }
}

fn trend_table(h: &mut String, report: &Report) {
    h.push_str("<table id=\"trend\">\n<tr><th class=\"l\">Series</th><th>Albums</th><th>Years</th><th>Minutes per decade</th><th>Minutes per year</th><th>Intercept (min)</th><th>r²</th><th class=\"l\">Fit</th></tr>\n");
    for (name, fit, albums) in [
        (
            "All albums",
            report.all.as_ref(),
            report.data.points.len() as i64,
        ),
        (
            "Standard editions (deluxe excluded)",
            report.standard.as_ref(),
            report.data.points.iter().filter(|p| !p.is_deluxe).count() as i64,
        ),
    ] {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{name}</td><td>{albums}</td>{}</tr>",
            fit_cells(fit)
        );
    }
    h.push_str("</table>\n<p class=\"note\">Least squares of album length (minutes) on release year over the counted albums with a known year; the same fit as <code>spotify-lake query album_length_trend</code>, which rounds to 4 decimals. r² is the share of the variation in length the line explains.</p>\n");
}

fn artist_table(h: &mut String, report: &Report) {
    h.push_str("<table id=\"artists\">\n<tr><th class=\"l\">Artist</th><th>Albums</th><th>Years</th><th>Minutes per decade</th><th>Minutes per year</th><th>Intercept (min)</th><th>r²</th><th class=\"l\">Fit</th></tr>\n");
    for a in &report.artists {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td>{}</tr>",
            escape(&a.artist_name),
            a.albums,
            fit_cells(a.fit.as_ref())
        );
    }
    h.push_str("</table>\n");
}

fn year_table(h: &mut String, report: &Report) {
    if report.data.by_year.is_empty() {
        h.push_str("<p class=\"empty\">No albums.</p>\n");
        return;
    }
    h.push_str("<table id=\"years\">\n<tr><th>Release year</th><th>Albums</th><th>Average (min)</th><th>Standard albums</th><th>Standard average (min)</th></tr>\n");
    let num = |v: Option<f64>| {
        v.map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "—".to_owned())
    };
    for r in &report.data.by_year {
        let year = r
            .release_year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        let standard = match r.standard_avg_minutes {
            Some(v) => format!("<td>{v:.2}</td>"),
            None => "<td class=\"none\">no standard edition</td>".to_owned(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{year}</td><td>{}</td><td>{}</td><td>{}</td>{standard}</tr>",
            r.albums,
            num(r.avg_minutes),
            r.standard_albums
        );
    }
    h.push_str("</table>\n<p class=\"note\">The rows of <code>spotify-lake query album_length_by_year</code>.</p>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<b>"Rock & Roll"</b> 'x'"#),
            "&lt;b&gt;&quot;Rock &amp; Roll&quot;&lt;/b&gt; &#39;x&#39;"
        );
    }
}
