//! The `spotify-lake` binary: sets up logging, parses the command line and
//! hands over to `cli::run`, or in Lambda mode to `lambda::serve` (a build
//! without the `aws` feature refuses Lambda mode). Nothing else happens here.

mod cli;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    if is_lambda() {
        return lambda_main();
    }
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(colour(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .init();
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    // Results are flushed here, so a stdout that cannot take the last of
    // them is an error too, not a silent loss.
    let ran = runtime.block_on(cli::run(cli)).and_then(|code| {
        std::io::Write::flush(&mut std::io::stdout())
            .map(|()| code)
            .map_err(cli::stdout_failed)
    });
    match ran {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", spotify_lake::error_chain(err.as_ref()));
            // A configuration error is a usage error: exit 2, like clap's.
            let usage = err.chain().any(spotify_lake::is_usage_error);
            if usage {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether the Lambda service started the process.
#[cfg(feature = "aws")]
fn is_lambda() -> bool {
    spotify_lake::lambda::is_lambda()
}

/// Whether the Lambda service started the process (it sets
/// `AWS_LAMBDA_RUNTIME_API`), which a build without AWS refuses.
#[cfg(not(feature = "aws"))]
fn is_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// A build without AWS cannot serve Lambda invocations: a usage error.
#[cfg(not(feature = "aws"))]
fn lambda_main() -> ExitCode {
    eprintln!("error: {}", spotify_lake::aws::NoAwsSupport::lambda_mode());
    ExitCode::from(2)
}

/// Lambda mode: JSON logs (one object per line, as CloudWatch Logs
/// Insights reads them), then the Runtime API loop.
#[cfg(feature = "aws")]
fn lambda_main() -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_writer(std::io::stdout)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .init();
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(spotify_lake::lambda::serve()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %spotify_lake::error_chain(&err), "Lambda mode stopped.");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            None
        }
    }
}

/// Whether logs on stderr are coloured: on a terminal, unless `NO_COLOR` is
/// set to anything but the empty string (no-color.org).
fn colour(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::colour;
    use std::ffi::OsStr;

    #[test]
    fn no_color_turns_colour_off_on_a_terminal() {
        assert!(colour(true, None));
        assert!(colour(true, Some(OsStr::new(""))));
        assert!(!colour(true, Some(OsStr::new("1"))));
        assert!(!colour(false, None));
    }
}
