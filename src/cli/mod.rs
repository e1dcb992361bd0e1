//! Argument definitions and dispatch. Each subcommand is glue over the library.

mod gazetteer;

use anyhow::Result;
use clap::{Parser, Subcommand};
use eventmap::gazetteer::Gazetteer;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "eventmap", version, about = "Turns news reports about the conflict in Afghanistan into maps", long_about = None)]
pub struct Cli {
    /// Use the gazetteer in this folder (same files as the bundled `gazetteer/`) instead of the bundled one.
    #[arg(long, global = true, value_name = "DIR")]
    gazetteer: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Look up, list and export the gazetteer.
    #[command(subcommand)]
    Gazetteer(gazetteer::GazetteerCommand),
}

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Finished, but some inputs were skipped (already reported on stderr).
    Partial,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "eventmap: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome> {
    let gazetteer = load_gazetteer(cli.gazetteer.as_deref())?;
    match cli.command {
        Command::Gazetteer(command) => gazetteer::run(command, &gazetteer),
    }
}

fn load_gazetteer(dir: Option<&std::path::Path>) -> Result<Gazetteer> {
    Ok(match dir {
        Some(dir) => Gazetteer::from_folder(dir)?,
        None => Gazetteer::bundled(),
    })
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().map(|e| e.kind() == std::io::ErrorKind::BrokenPipe).unwrap_or(false)
    })
}

/// Output format of the table-printing subcommands.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Json,
}
