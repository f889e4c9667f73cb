//! The command line: clap → options → the library → stdout and exit code.
//!
//! Results (query output, the summary) go to stdout; logs and progress to
//! stderr. Exit codes (DESIGN.md, Interfaces): 0 done, 1 error, 2 usage
//! or configuration (clap, [`ConfigError`]), 3 partial (the run can be
//! resumed).

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};

use spotify_lake::catalog::{Catalog, CatalogKind};
use spotify_lake::config::{Config, ConfigError, Credentials, Env, FileConfig, Overrides};
use spotify_lake::extract::SpotifyClient;
use spotify_lake::ids::ExtractDate;
use spotify_lake::pipeline::zones::Zones;
use spotify_lake::status::Resume;
use spotify_lake::store::Location;
use spotify_lake::{LoadOptions, Summary};

/// Exit code of a partial run (quota, deadline, budget, pending artists).
pub const EXIT_PARTIAL: u8 = 3;

/// `print!` for results: a stdout that cannot be written (a full disk,
/// `> /dev/full`, a closed pipe) is the command's error, exit 1 with a
/// message, never a panic. For functions returning `anyhow::Result`.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout(), format_args!($($arg)*))
            .map_err(crate::cli::stdout_failed)?
    };
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {
        out!("{}\n", format_args!($($arg)*))
    };
}

/// The error of a failed write of results to stdout.
pub fn stdout_failed(e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot write the results to standard output: {e}")
}

#[cfg(feature = "engine")]
mod engine;
mod status;

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
    /// Extract from Spotify, write the raw and clean zones, register.
    ///
    /// Resolves each artist (name, id or spotify:artist: URI), fetches the
    /// artist, its album pages and every album that is new or due for its
    /// staggered refresh (the rest are reused from the previous snapshot),
    /// and the playlists; then loads the snapshot like `load`. Needs
    /// SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET. A quota stop keeps what
    /// was fetched, writes the complete artists and exits 3; run again
    /// (the same day) to resume.
    ///
    /// Example: spotify-lake run --artist "Bruno Mars" --artist 3TVXtAsR1Inumwj472S9r4 --lake lake --raw raw
    #[command(after_help = AFTER_HELP)]
    Run(RunArgs),
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
    /// Take artists out of the answers, and with --history out of every table.
    ///
    /// The artists' albums leave current_albums (what latest_albums and the
    /// answers read); a later extract of an artist that is still configured
    /// brings its new albums back. With --history, its partitions of albums
    /// and tracks are unregistered and deleted, and its rows leave every
    /// artists partition. Prints what it removes; --dry-run changes nothing.
    /// The raw zone is never touched. Needs delete rights on the lake (see
    /// the README's IAM list); the Lambda has none.
    ///
    /// Example: spotify-lake forget --artist "Bruno Mars" --history --dry-run --lake lake
    #[command(after_help = AFTER_HELP)]
    Forget(ForgetArgs),
    /// Run a query of queries/ (or your own .sql file) on the embedded engine.
    ///
    /// The tables albums, tracks, artists, playlist_tracks (the history, as
    /// the catalog registered it), current_albums (the committed version) and
    /// the views latest_albums, album_length_by_year, album_length_by_artist,
    /// album_length_trend are registered over the lake. Queries:
    /// album_length_by_year, album_length_by_artist, album_length_trend.
    ///
    /// Example: spotify-lake query album_length_by_year --lake lake --format csv
    #[cfg(feature = "engine")]
    #[command(after_help = AFTER_HELP)]
    Query(engine::QueryArgs),
    /// The whole job on the bundled sample: no network, no credentials.
    ///
    /// Writes the sample raw snapshot (Drake, Michael Jackson, Bruno Mars),
    /// loads it into a local lake with the local catalog, and prints
    /// album_length_by_year and album_length_trend; ends by writing the
    /// report (report.html in that folder) and printing its path.
    ///
    /// Example: spotify-lake demo --lake /tmp/demo
    #[cfg(feature = "engine")]
    #[command(after_help = AFTER_HELP)]
    Demo(engine::DemoArgs),
    /// Write the album-length report: one HTML page with the charts and figures.
    ///
    /// Runs the queries of queries/ on the embedded engine and writes one
    /// self-contained HTML file (SVG charts drawn in Rust and inlined; no
    /// script, nothing fetched): average album length per release year for
    /// all albums and for standard editions (deluxe excluded) with their
    /// least-squares trend lines and the albums per year; album length per
    /// artist; the trend figures (minutes per decade, r²) with a one-sentence
    /// reading; the extract dates and album counts they rest on. A JSON
    /// sidecar with the same figures is written beside it (report.json).
    /// --format svg or png writes the main chart alone. Unfiltered, the
    /// numbers are those `query` prints.
    ///
    /// Example: spotify-lake report --lake lake --out report.html
    #[cfg(feature = "engine")]
    #[command(after_help = AFTER_HELP)]
    Report(engine::ReportArgs),
    /// Show the raw zone and the lake at a glance, with what needs attention.
    ///
    /// Reads, never writes. Prints the snapshots of the raw zone and each
    /// one's status (complete, partial, no manifest); the newest one's stop
    /// reason, pending artists and the exact `run` command that resumes
    /// them; per lake table the extract dates, partitions, Parquet files
    /// and bytes, and the partitions the catalog registers; the last run's
    /// or load's summary (kept at <lake>/_runs/last.json); and warnings: a
    /// partial newest snapshot, no complete snapshot in 8 days, no snapshot
    /// at all, partitions on disk the catalog does not register. Exits 0
    /// even when it warns; 1 when the raw zone or the lake cannot be read.
    ///
    /// Example: spotify-lake status --raw samples/raw --lake lake --format json
    #[command(after_help = AFTER_HELP)]
    Status(status::StatusArgs),
    /// Print a shell completion script for spotify-lake.
    ///
    /// Writes the script to stdout; load it from the shell's startup file.
    ///
    /// Example: spotify-lake completions bash > ~/.local/share/bash-completion/completions/spotify-lake
    /// (zsh: `spotify-lake completions zsh > "${fpath[1]}/_spotify-lake"`; fish:
    /// `spotify-lake completions fish > ~/.config/fish/completions/spotify-lake.fish`)
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SummaryFormat {
    /// A readable table.
    Table,
    /// The summary as JSON (the Lambda's response shape).
    Json,
}

/// Options shared by the commands that read the configuration.
#[derive(Debug, Args)]
struct ConfigArgs {
    /// The config file (TOML; default spotify-lake.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The lake (clean zone): a directory or s3://bucket/prefix [default: [lake] url, else "lake"].
    #[arg(long, value_name = "DIR")]
    lake: Option<String>,
}

/// The catalog a command registers in or reads what was committed from.
#[derive(Debug, Args)]
struct CatalogArgs {
    /// The catalog: where tables and partitions are registered, and what readers see (none: the lake's folders as they are) [default: [catalog] kind, else local].
    #[arg(long, value_enum)]
    catalog: Option<CatalogKind>,
    /// The catalog database name [default: [catalog] database, else spotify_lake].
    #[arg(long, value_name = "NAME")]
    database: Option<String>,
}

impl CatalogArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            catalog: self.catalog,
            database: self.database.clone(),
            ..Overrides::default()
        }
    }
}

/// Where both zones and the catalog are: the options of `run`, `load` and
/// `status`.
#[derive(Debug, Args)]
struct StoreArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The raw zone root (holding extract_date=YYYY-MM-DD folders; a directory or s3://bucket/prefix), or for load and status one snapshot folder [default: [lake] raw_url, else "raw"].
    #[arg(long, value_name = "DIR")]
    raw: Option<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

impl StoreArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            raw: self.raw.clone(),
            ..self.catalog.overrides()
        }
    }
}

/// Options of the commands that write: the stores, the date, the summary.
#[derive(Debug, Args)]
struct ZoneArgs {
    #[command(flatten)]
    stores: StoreArgs,
    /// The extract date (YYYY-MM-DD) [default: today UTC for run, the newest snapshot for load].
    #[arg(long, value_name = "YYYY-MM-DD")]
    extract_date: Option<ExtractDate>,
    /// How to print the summary on stdout.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    summary: SummaryFormat,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    zone: ZoneArgs,
    /// An artist: name, id or spotify:artist: URI (repeatable; replaces [spotify] artists).
    #[arg(long = "artist", value_name = "NAME|ID|URI")]
    artists: Vec<String>,
    /// A playlist: id, URI or URL (repeatable; replaces [spotify] playlists).
    #[arg(long = "playlist", value_name = "ID|URL")]
    playlists: Vec<String>,
    /// Fetch every album again instead of reusing the previous snapshot's bodies.
    #[arg(long)]
    full: bool,
    /// Print the fetch plan and the requests it expects; send no request but search; write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
struct LoadArgs {
    #[command(flatten)]
    zone: ZoneArgs,
    /// Artists processed at once (default: twice the cores).
    #[arg(long, value_name = "N")]
    concurrency: Option<std::num::NonZeroUsize>,
    /// Load every snapshot of the raw zone, oldest first, with progress; run it again to resume. The way to rebuild the lake after a change to schemas/.
    #[arg(long, conflicts_with = "extract_date")]
    all: bool,
}

#[derive(Debug, Args)]
struct ForgetArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// An artist: id, spotify:artist: URI, or its name in the lake's artists table (repeatable).
    #[arg(long = "artist", value_name = "NAME|ID", required = true)]
    artists: Vec<String>,
    /// Also remove its partitions of albums and tracks (files and catalog) and its rows of artists.
    #[arg(long)]
    history: bool,
    /// Print what would be removed; change nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// Runs the parsed command; the returned code is the process's.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run_job(args).await,
        Command::Load(args) => load(args).await,
        Command::Forget(args) => forget(args).await,
        #[cfg(feature = "engine")]
        Command::Query(args) => engine::query(args).await,
        #[cfg(feature = "engine")]
        Command::Demo(args) => engine::demo(args).await,
        #[cfg(feature = "engine")]
        Command::Report(args) => engine::report_cmd(args).await,
        Command::Status(args) => status::status(args).await,
        Command::Completions { shell } => completions(shell),
    }
}

/// `completions <shell>`: clap_complete's script for the whole command line.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory as _;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "spotify-lake", &mut script);
    std::io::Write::write_all(&mut std::io::stdout(), &script).map_err(stdout_failed)?;
    Ok(ExitCode::SUCCESS)
}

/// Stage one (file, flags, environment) and stage two (resolve).
fn resolve_config(config: &ConfigArgs, overrides: Overrides) -> Result<Config, ConfigError> {
    let file = FileConfig::load(config.config.as_deref())?;
    let overrides = Overrides {
        lake: config.lake.clone(),
        ..overrides
    };
    Config::resolve(
        file.as_ref().map(|(name, c)| (name.as_str(), c)),
        &overrides,
        &Env::from_process(),
    )
}

fn zone_overrides(zone: &ZoneArgs) -> Overrides {
    Overrides {
        extract_date: zone.extract_date,
        ..zone.stores.overrides()
    }
}

fn print_summary(summary: &Summary, format: SummaryFormat) -> anyhow::Result<()> {
    match format {
        SummaryFormat::Json => outln!("{}", serde_json::to_string_pretty(summary)?),
        SummaryFormat::Table => out!("{summary}"),
    }
    Ok(())
}

/// Adds the settings a command was given to a resume command, so the
/// resumed run sees the same configuration (`status` and the summaries).
fn add_settings(resume: &mut Resume, config: &ConfigArgs, catalog: &CatalogArgs) {
    if let Some(file) = &config.config {
        resume.push_flag("--config", &file.display().to_string());
    }
    if let Some(kind) = catalog.catalog.and_then(|k| k.to_possible_value()) {
        resume.push_flag("--catalog", kind.get_name());
    }
    if let Some(db) = &catalog.database {
        resume.push_flag("--database", db);
    }
}

/// A partial run's or load's table ends with the exact command that
/// finishes its snapshot, read from the snapshot's manifest: the command
/// `status` prints for it (DESIGN.md, Nothing fails silently).
async fn print_resume(
    raw: &Location,
    lake: &Location,
    summary: &Summary,
    zone: &ZoneArgs,
) -> anyhow::Result<()> {
    if summary.is_complete() || zone.summary != SummaryFormat::Table {
        return Ok(());
    }
    let Ok(date) = summary.extract_date.parse::<ExtractDate>() else {
        return Ok(());
    };
    match spotify_lake::status::resume_for(raw, lake, date).await {
        Ok(Some(mut resume)) => {
            add_settings(&mut resume, &zone.stores.config, &zone.stores.catalog);
            outln!("resume          {}", resume.command);
        }
        // The manifest says the snapshot is complete: nothing to run.
        Ok(None) => {}
        Err(e) => outln!(
            "resume          (cannot read the snapshot's manifest: {}; `spotify-lake status` prints the command)",
            spotify_lake::error_chain(&e)
        ),
    }
    Ok(())
}

async fn run_job(args: RunArgs) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        artists: args.artists,
        playlists: args.playlists,
        full: args.full,
        dry_run: args.dry_run,
        ..zone_overrides(&args.zone)
    };
    let cfg = resolve_config(&args.zone.stores.config, overrides)?;
    spotify_lake::pipeline::nothing_to_extract(
        &cfg,
        "give --artist or --playlist, or [spotify] artists in the config file",
    )?;
    let creds = Credentials::from_env(&Env::from_process())?;
    let zones = Zones::open(&cfg).await?;
    let (raw, lake) = (&zones.raw, &zones.lake);
    let progress = std::io::stderr().is_terminal();
    let client = SpotifyClient::connect(&cfg.spotify, &creds).await?;
    let session = client.session(&cfg.spotify, None);
    if cfg.dry_run {
        let catalog = zones.catalog(&cfg);
        let plan =
            spotify_lake::pipeline::dry_run::dry_run(&cfg, &session, raw, catalog.as_deref())
                .await?;
        out!("{plan}");
        return Ok(ExitCode::SUCCESS);
    }
    let catalog = zones.catalog(&cfg);
    let summary =
        spotify_lake::pipeline::run(&cfg, &session, raw, lake, catalog.as_deref(), progress)
            .await
            .with_context(|| format!("extracting into {raw} and loading into {lake}"))?;
    spotify_lake::status::record_last(lake, &summary).await;
    print_summary(&summary, args.zone.summary)?;
    print_resume(raw, lake, &summary, &args.zone).await?;
    Ok(exit_for(&summary))
}

fn exit_for(summary: &Summary) -> ExitCode {
    if summary.is_complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    }
}

async fn load(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let cfg = resolve_config(&args.zone.stores.config, zone_overrides(&args.zone))?;
    let zones = Zones::open(&cfg).await?;
    let (raw, lake) = (&zones.raw, &zones.lake);
    let catalog = zones.catalog(&cfg);
    let mut opts = LoadOptions {
        extract_date: cfg.extract_date,
        progress: std::io::stderr().is_terminal(),
        lease: cfg.lease.clone(),
        ..LoadOptions::default()
    };
    if let Some(n) = args.concurrency {
        opts.concurrency = n.get();
    }
    if args.all {
        return load_all(raw, lake, catalog.as_deref(), &opts, args.zone.summary).await;
    }
    let summary = spotify_lake::load(raw, lake, catalog.as_deref(), &opts)
        .await
        .with_context(|| format!("loading {raw} into {lake}"))?;
    spotify_lake::status::record_last(lake, &summary).await;
    print_summary(&summary, args.zone.summary)?;
    print_resume(raw, lake, &summary, &args.zone).await?;
    Ok(exit_for(&summary))
}

/// `load --all`: every snapshot, oldest first, a progress line each.
async fn load_all(
    raw: &spotify_lake::store::Location,
    lake: &spotify_lake::store::Location,
    catalog: Option<&dyn Catalog>,
    opts: &LoadOptions,
    format: SummaryFormat,
) -> anyhow::Result<ExitCode> {
    use spotify_lake::lifecycle::Step;
    let opts = LoadOptions {
        progress: false,
        ..opts.clone()
    };
    let summaries = spotify_lake::lifecycle::load_all(
        raw,
        lake,
        catalog,
        &opts,
        |i, n, date, step| match step {
            Step::Skipped => eprintln!(
                "[{}/{n}] {date}: loaded by an earlier load --all; skipped",
                i + 1
            ),
            Step::Loading => eprintln!("[{}/{n}] {date}: loading", i + 1),
            Step::Loaded(s) => eprintln!(
                "[{}/{n}] {date}: {} in {:.2} s ({} files, {} albums rows)",
                i + 1,
                if s.is_complete() {
                    "complete"
                } else {
                    "partial"
                },
                s.seconds,
                s.files_written,
                s.rows.get("albums").copied().unwrap_or_default()
            ),
        },
    )
    .await
    .with_context(|| format!("loading every snapshot of {raw} into {lake}"))?;
    if let Some(last) = summaries.last() {
        spotify_lake::status::record_last(lake, last).await;
    }
    match format {
        SummaryFormat::Json => outln!("{}", serde_json::to_string_pretty(&summaries)?),
        SummaryFormat::Table => {
            for s in &summaries {
                outln!("{s}");
            }
        }
    }
    Ok(if summaries.iter().all(Summary::is_complete) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

async fn forget(args: ForgetArgs) -> anyhow::Result<ExitCode> {
    let cfg = resolve_config(&args.config, args.catalog.overrides())?;
    let zones = Zones::open(&cfg).await?;
    let catalog = zones.catalog(&cfg);
    let report = spotify_lake::lifecycle::forget(
        &zones.lake,
        catalog.as_deref(),
        &args.artists,
        args.history,
        args.dry_run,
        &cfg.lease,
    )
    .await
    .with_context(|| format!("forgetting in {}", zones.lake))?;
    out!("{report}");
    Ok(ExitCode::SUCCESS)
}
