//! The command line: clap → options → the library → stdout and exit code.
//!
//! Results (query output, the summary) go to stdout; logs and progress to
//! stderr. Exit codes (DESIGN.md, Interfaces): 0 done, 1 error, 2 usage
//! (clap), 3 partial (the run can be resumed).

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use spotify_lake::catalog::{Catalog, CatalogKind, LocalCatalog};
use spotify_lake::ids::ExtractDate;
use spotify_lake::query::{Engine, Format, format_batches};
use spotify_lake::{LoadOptions, Summary, sql, store};

/// Exit code of a partial run (quota, deadline, budget, pending artists).
pub const EXIT_PARTIAL: u8 = 3;

const AFTER_HELP: &str = "\
Exit codes: 0 done, 1 error, 2 usage, 3 partial (some artists pending; run again to resume).
Logs go to stderr (RUST_LOG=debug for more), results to stdout.";

/// Lands Spotify catalog data in a Parquet data lake and answers how album
/// length changed over the years.
#[derive(Debug, Parser)]
#[command(name = "spotify-lake", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the clean zone from a raw snapshot, with no API call.
    ///
    /// Reads one raw snapshot (API JSON, `.json` or `.json.gz`), writes one
    /// Parquet file per partition (replacing that partition whole), and
    /// registers tables, partitions and views in the catalog. A malformed
    /// object is skipped, counted and named in the summary.
    ///
    /// Example: spotify-lake load --raw samples/raw --lake lake
    #[command(after_help = AFTER_HELP)]
    Load(LoadArgs),
    /// Run a query of queries/ (or your own .sql file) on the embedded engine.
    ///
    /// The tables albums, tracks, artists, playlist_tracks and the view
    /// latest_albums are registered over the lake. Queries: album_length_by_year,
    /// album_length_by_artist, album_length_trend.
    ///
    /// Example: spotify-lake query album_length_by_year --lake lake --format csv
    #[command(after_help = AFTER_HELP)]
    Query(QueryArgs),
    /// The whole job on the bundled sample: no network, no credentials.
    ///
    /// Writes the sample raw snapshot (Drake, Michael Jackson, Bruno Mars),
    /// loads it into a local lake with the local catalog, and prints
    /// album_length_by_year and album_length_trend.
    ///
    /// Example: spotify-lake demo --lake /tmp/demo
    #[command(after_help = AFTER_HELP)]
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
struct LakeArg {
    /// The lake: a directory (created if missing).
    #[arg(long, value_name = "DIR", default_value = "lake")]
    lake: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SummaryFormat {
    /// A readable table.
    Table,
    /// The summary as JSON (the Lambda's response shape).
    Json,
}

#[derive(Debug, Args)]
struct LoadArgs {
    /// The raw zone root (holding extract_date=YYYY-MM-DD folders) or one snapshot folder.
    #[arg(long, value_name = "DIR", default_value = "raw")]
    raw: String,
    #[command(flatten)]
    lake: LakeArg,
    /// Where to register tables and partitions.
    #[arg(long, value_enum, default_value_t = CatalogKind::Local)]
    catalog: CatalogKind,
    /// The snapshot to load (YYYY-MM-DD); default the newest under --raw.
    #[arg(long, value_name = "YYYY-MM-DD")]
    extract_date: Option<ExtractDate>,
    /// How to print the summary on stdout.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    summary: SummaryFormat,
    /// Artists processed at once (default: twice the cores).
    #[arg(long, value_name = "N")]
    concurrency: Option<std::num::NonZeroUsize>,
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// A query name of queries/ (e.g. album_length_by_year) or a path to a .sql file.
    #[arg(value_name = "NAME|FILE.sql")]
    query: String,
    #[command(flatten)]
    lake: LakeArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Folder for the demo's raw zone and lake (created; files of the sample are replaced).
    #[arg(long, value_name = "DIR", default_value = "spotify-lake-demo")]
    lake: PathBuf,
}

/// Runs the parsed command; the returned code is the process's.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Load(args) => load(args).await,
        Command::Query(args) => query(args).await,
        Command::Demo(args) => demo(args).await,
    }
}

fn open_catalog(kind: CatalogKind, lake: &store::Location) -> Option<Box<dyn Catalog>> {
    match kind {
        CatalogKind::Local => Some(Box::new(LocalCatalog::new(lake.store.clone()))),
        CatalogKind::None => None,
    }
}

fn exit_for(summary: &Summary) -> ExitCode {
    if summary.is_complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    }
}

async fn load(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let raw = store::open(&args.raw).context("--raw")?;
    let lake = store::open(&args.lake.lake).context("--lake")?;
    let catalog = open_catalog(args.catalog, &lake);
    let mut opts = LoadOptions {
        extract_date: args.extract_date,
        progress: std::io::stderr().is_terminal(),
        ..LoadOptions::default()
    };
    if let Some(n) = args.concurrency {
        opts.concurrency = n.get();
    }
    let summary = spotify_lake::load(&raw, &lake, catalog.as_deref(), &opts)
        .await
        .with_context(|| format!("loading {raw} into {lake}"))?;
    match args.summary {
        SummaryFormat::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        SummaryFormat::Table => print!("{summary}"),
    }
    Ok(exit_for(&summary))
}

async fn query(args: QueryArgs) -> anyhow::Result<ExitCode> {
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
    let lake = store::open(&args.lake.lake).context("--lake")?;
    if let Some(dir) = lake.local_dir().filter(|d| !d.is_dir()) {
        bail!(
            "--lake {}: no such directory; write a lake first with `spotify-lake load --lake {}` (or try `spotify-lake demo`)",
            dir.display(),
            args.lake.lake
        );
    }
    let engine = Engine::open(&lake).await?;
    let (schema, batches) = engine.run(&name, &sql).await?;
    let text = format_batches(&schema, &batches, args.format)?;
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let root = std::path::absolute(&args.lake).context("--lake")?;
    let raw_dir = root.join("raw");
    let lake_dir = root.join("lake");
    let files = spotify_lake::sample::write_to(&raw_dir)?;
    eprintln!(
        "Wrote the bundled sample ({files} files) to {}",
        raw_dir.display()
    );
    let raw = store::open(&raw_dir.to_string_lossy())?;
    let lake = store::open(&lake_dir.to_string_lossy())?;
    let catalog = LocalCatalog::new(lake.store.clone());
    let opts = LoadOptions {
        progress: std::io::stderr().is_terminal(),
        ..LoadOptions::default()
    };
    let summary = spotify_lake::load(&raw, &lake, Some(&catalog), &opts).await?;
    eprintln!(
        "Loaded {} albums and {} tracks into {} in {:.2} s",
        summary.rows.get("albums").copied().unwrap_or_default(),
        summary.rows.get("tracks").copied().unwrap_or_default(),
        lake_dir.display(),
        summary.seconds
    );
    let engine = Engine::open(&lake).await?;
    let mut out = String::new();
    for (name, title) in [
        (
            "album_length_by_year",
            "Average album length (minutes) by release year, all albums and standard editions",
        ),
        (
            "album_length_trend",
            "Trend: least squares of album minutes on release year",
        ),
    ] {
        let q = sql::query(name).with_context(|| format!("query {name} is not embedded"))?;
        let (schema, batches) = engine.run(name, q.sql).await?;
        out.push_str(&format!("\n{title} ({name}):\n"));
        out.push_str(&format_batches(&schema, &batches, Format::Table)?);
    }
    print!("{out}");
    let lake_arg = lake_dir.display();
    println!(
        "\nNext: spotify-lake query album_length_by_artist --lake {lake_arg}\n      spotify-lake query latest.sql --lake {lake_arg} --format csv   (your own SQL over albums, tracks, artists, latest_albums)"
    );
    Ok(exit_for(&summary))
}
