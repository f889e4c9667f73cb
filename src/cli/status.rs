//! `spotify-lake status`: reads the configuration's zones and catalog,
//! prints [`spotify_lake::status::Status`] as text or JSON. Warnings are
//! part of the output, so the exit code is 0 with or without them; only a
//! zone that cannot be read is an error (exit 1).

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use spotify_lake::ids::ExtractDate;
use spotify_lake::pipeline::zones::Zones;

use super::{StoreArgs, add_settings, resolve_config};

/// How `status` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum StatusFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object for programs (the same content).
    Json,
}

#[derive(Debug, Args)]
pub(super) struct StatusArgs {
    /// The catalog's registered partitions are compared with the lake's files.
    #[command(flatten)]
    stores: StoreArgs,
    /// How to print the status on stdout.
    #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
    format: StatusFormat,
}

pub(super) async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let cfg = resolve_config(&args.stores.config, args.stores.overrides())?;
    let zones = Zones::open(&cfg).await?;
    let catalog = zones.catalog(&cfg);
    let mut status = spotify_lake::status::gather(
        &zones.raw,
        &zones.lake,
        catalog.as_deref(),
        ExtractDate::today_utc(),
    )
    .await
    .with_context(|| {
        format!(
            "reading the status of the raw zone {} and the lake {}",
            zones.raw, zones.lake
        )
    })?;
    // The resumed run must see the settings this status was read with.
    if let Some(resume) = status.raw.newest.as_mut().and_then(|n| n.resume.as_mut()) {
        add_settings(resume, &args.stores.config, &args.stores.catalog);
    }
    let text = match args.format {
        StatusFormat::Json => serde_json::to_string_pretty(&status)? + "\n",
        StatusFormat::Table => status.to_string(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the status to stdout")?;
    Ok(ExitCode::SUCCESS)
}
