//! Where a report goes: the format (flag, else `--out`'s extension, else
//! HTML) and the files (the page and its JSON sidecar, or one image).

use std::path::{Path, PathBuf};

use super::figures::Report;
use super::{ReportError, chart, html};
use crate::config::ConfigError;
use crate::store::Location;

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// The page (charts, figures, reading) plus a JSON sidecar.
    Html,
    /// The main chart alone, as SVG.
    Svg,
    /// The main chart alone, as PNG.
    Png,
}

impl ReportFormat {
    /// The format named by a file's extension (`.html`/`.htm`, `.svg`, `.png`).
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(ReportFormat::Html),
            "svg" => Some(ReportFormat::Svg),
            "png" => Some(ReportFormat::Png),
            _ => None,
        }
    }

    /// The file name used when no `--out` is given: `report.<ext>`.
    pub fn default_file(self) -> &'static str {
        match self {
            ReportFormat::Html => "report.html",
            ReportFormat::Svg => "report.svg",
            ReportFormat::Png => "report.png",
        }
    }

    /// `--format` if given, else `--out`'s extension, else HTML; and the
    /// output path (`report.<ext>` when no `--out`). Without `--format`,
    /// an extension that names no format (`r.pdf`) is a usage error rather
    /// than an HTML page under that name; a name without an extension is
    /// HTML.
    pub fn resolve(
        out: Option<PathBuf>,
        format: Option<Self>,
    ) -> Result<(PathBuf, Self), ConfigError> {
        let format = match (format, out.as_deref()) {
            (Some(format), _) => format,
            (None, Some(path)) => match path.extension() {
                None => ReportFormat::Html,
                Some(ext) => Self::from_path(path).ok_or_else(|| ConfigError::Value {
                    key: "--out".into(),
                    value: path.display().to_string(),
                    expected: format!(
                        "unknown extension {:?}; use .html (or .htm), .svg or .png, or name the format with --format html|svg|png",
                        format!(".{}", ext.to_string_lossy())
                    ),
                })?,
            },
            (None, None) => ReportFormat::Html,
        };
        let out = out.unwrap_or_else(|| PathBuf::from(format.default_file()));
        Ok((out, format))
    }
}

/// The JSON sidecar's path: `--out` with the extension `.json`.
pub fn sidecar_path(out: &Path) -> PathBuf {
    out.with_extension("json")
}

/// Writes `report` to `out` as `format` (creating its folder); HTML also
/// writes the JSON sidecar. Returns the files written.
pub fn write(
    report: &Report,
    lake: &Location,
    out: &Path,
    format: ReportFormat,
) -> Result<Vec<PathBuf>, ReportError> {
    let sidecar = sidecar_path(out);
    if format == ReportFormat::Html && sidecar == out {
        return Err(ReportError::SidecarClash(out.display().to_string()));
    }
    let bytes = match format {
        ReportFormat::Html => html::page(report, lake.url.as_str())?.into_bytes(),
        ReportFormat::Svg => chart::main_svg(report)?.into_bytes(),
        ReportFormat::Png => chart::main_png(report)?,
    };
    write_file(out, &bytes)?;
    let mut written = vec![out.to_path_buf()];
    if format == ReportFormat::Html {
        let mut json = serde_json::to_vec_pretty(&report.sidecar())
            .expect("the sidecar is plain JSON values, which always serialise");
        json.push(b'\n');
        write_file(&sidecar, &json)?;
        written.push(sidecar);
    }
    Ok(written)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(path, bytes).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_flag_then_the_extension_then_html() {
        let r = |out: Option<&str>, f| ReportFormat::resolve(out.map(PathBuf::from), f).unwrap();
        assert_eq!(
            r(None, None),
            (PathBuf::from("report.html"), ReportFormat::Html)
        );
        assert_eq!(
            r(None, Some(ReportFormat::Png)),
            (PathBuf::from("report.png"), ReportFormat::Png)
        );
        assert_eq!(r(Some("a/b.SVG"), None).1, ReportFormat::Svg);
        assert_eq!(
            r(Some("chart.png"), Some(ReportFormat::Svg)).1,
            ReportFormat::Svg
        );
        assert_eq!(
            r(Some("out"), None),
            (PathBuf::from("out"), ReportFormat::Html)
        );
        assert_eq!(
            sidecar_path(Path::new("x/report.html")),
            PathBuf::from("x/report.json")
        );
        // An explicit format takes any name.
        assert_eq!(
            r(Some("r.pdf"), Some(ReportFormat::Png)).1,
            ReportFormat::Png
        );
    }

    /// Regression (issue "Nothing fails silently"): `--out r.pdf` wrote an
    /// HTML page named r.pdf.
    #[test]
    fn an_unknown_extension_without_a_format_is_a_usage_error() {
        for out in ["r.pdf", "charts/report.jpeg", "r.HTML5"] {
            let err = ReportFormat::resolve(Some(PathBuf::from(out)), None).unwrap_err();
            assert!(matches!(err, ConfigError::Value { .. }));
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("--out = {out}: unknown extension"))
                    && text.contains(".html")
                    && text.contains(".svg")
                    && text.contains(".png")
                    && text.contains("--format"),
                "{text}"
            );
        }
    }
}
