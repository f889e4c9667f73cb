//! The commands of the embedded engine (feature `engine`): `query`,
//! `demo` and `report`. The Lambda build leaves them out with DataFusion.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::Args;

use spotify_lake::catalog::Catalog;
use spotify_lake::config::{Config, ConfigError};
use spotify_lake::pipeline::zones::Zones;
use spotify_lake::query::{Engine, Format, format_batches};
use spotify_lake::report::{self, Filters, ReportFormat};
use spotify_lake::{sql, store};

use super::{CatalogArgs, ConfigArgs, exit_for, resolve_config};

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A query name of queries/ (e.g. album_length_by_year) or a path to a .sql file.
    #[arg(value_name = "NAME|FILE.sql")]
    query: String,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print what the query read on stderr: `stats: files_read=N partitions_read=M bytes_read=B`.
    #[arg(long)]
    stats: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Where to write the report [default: report.html, or report.svg / report.png with --format].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Only albums released in or after this year.
    #[arg(long, value_name = "YEAR")]
    from: Option<i32>,
    /// Only albums released in or before this year.
    #[arg(long, value_name = "YEAR")]
    to: Option<i32>,
    /// Only albums whose first artist has this name (any case), or listed for this artist id (repeatable).
    #[arg(long = "artist", value_name = "NAME|ID")]
    artists: Vec<String>,
    /// html: the page plus a JSON sidecar; svg or png: the main chart alone [default: --out's extension, else html].
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's raw zone and lake (created; files of the sample are replaced).
    #[arg(long, value_name = "DIR", default_value = "spotify-lake-demo")]
    lake: PathBuf,
}

/// The lake a reading command (query, report) reads, which must exist,
/// and the catalog that says what of it was committed.
async fn open_lake_to_read(
    cfg: &Config,
) -> anyhow::Result<(store::Location, Option<Arc<dyn Catalog>>)> {
    let zones = Zones::open(cfg).await?;
    if let Some(dir) = zones.lake.local_dir().filter(|d| !d.is_dir()) {
        bail!(
            "--lake {}: no such directory; write a lake first with `spotify-lake load --lake {}` (or try `spotify-lake demo`)",
            dir.display(),
            cfg.lake_url
        );
    }
    let catalog = zones.catalog(cfg);
    Ok((zones.lake, catalog))
}

pub async fn query(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let (name, sql) = if let Some(q) = sql::query(&args.query) {
        (q.name.to_owned(), q.sql.to_owned())
    } else if args.query.ends_with(".sql") {
        let text = std::fs::read_to_string(&args.query)
            .with_context(|| format!("cannot read the SQL file {}", args.query))?;
        (args.query.clone(), text)
    } else {
        bail!(
            "no query named {:?}; the queries are {}, or pass a path to a .sql file",
            args.query,
            sql::query_names()
        );
    };
    spotify_lake::query::check_statement(&name, &sql)?;
    let cfg = resolve_config(&args.config, args.catalog.overrides())?;
    let (lake, catalog) = open_lake_to_read(&cfg).await?;
    spotify_lake::query::ensure_tables(&lake).await?;
    let engine = Engine::open(&lake, catalog).await?;
    let ran = engine.run(&name, &sql).await;
    if args.stats {
        let s = engine.stats();
        eprintln!(
            "stats: files_read={} partitions_read={} bytes_read={}",
            s.files, s.partitions, s.bytes
        );
    }
    let (schema, batches) = ran?;
    let text = format_batches(&schema, &batches, args.format)?;
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(super::stdout_failed)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let root = std::path::absolute(&args.lake).context("--lake")?;
    let demo = spotify_lake::pipeline::demo::demo(&root, std::io::stderr().is_terminal()).await?;
    eprintln!(
        "Wrote the bundled sample ({} files) to {}",
        demo.sample_files,
        demo.raw_dir.display()
    );
    let summary = &demo.summary;
    eprintln!(
        "Loaded {} albums and {} tracks into {} in {:.2} s",
        summary.rows.get("albums").copied().unwrap_or_default(),
        summary.rows.get("tracks").copied().unwrap_or_default(),
        demo.lake_dir.display(),
        summary.seconds
    );
    let mut out = String::new();
    for (name, title, table) in &demo.answers {
        out.push_str(&format!("\n{title} ({name}):\n{table}"));
    }
    out!("{out}");
    let lake_arg = demo.lake_dir.display();
    outln!(
        "\nNext: spotify-lake query album_length_by_artist --lake {lake_arg}\n      spotify-lake query my.sql --lake {lake_arg} --format csv   (your own SQL file over albums, tracks, artists, latest_albums)"
    );
    outln!("\nReport (open it in a browser): {}", demo.report.display());
    Ok(exit_for(summary))
}

pub async fn report_cmd(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let cfg = resolve_config(&args.config, args.catalog.overrides())?;
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        return Err(ConfigError::Value {
            key: "--from/--to".into(),
            value: format!("{from} > {to}"),
            expected: "--from at most --to, e.g. --from 2000 --to 2020".into(),
        }
        .into());
    }
    let filters = Filters {
        from: args.from,
        to: args.to,
        artists: args.artists,
    };
    let (out, format) = ReportFormat::resolve(args.out, args.format)?;
    let (lake, catalog) = open_lake_to_read(&cfg).await?;
    let built = report::build(&lake, catalog, &filters).await?;
    let written = report::write(&built, &lake, &out, format)
        .with_context(|| format!("writing the report for {lake}"))?;
    eprintln!("{}", built.reading);
    for path in written {
        outln!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
