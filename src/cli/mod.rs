//! Argument definitions and dispatch. Each subcommand is glue over the library.

mod articles;
mod build;
mod events;
mod gazetteer;
mod ledger;
mod pipeline_args;
mod places;
mod render;

use anyhow::Result;
use clap::{Parser, Subcommand};
use eventmap::gazetteer::Gazetteer;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "eventmap",
    version,
    about = "Turns news reports about the conflict in Afghanistan into maps",
    long_about = None,
    after_help = "Exit status: 0 all inputs read; 1 finished, but some inputs were skipped (each named on stderr); 2 fatal or usage error."
)]
pub struct Cli {
    /// Use the gazetteer in this folder (same files as the bundled `gazetteer/`) instead of the bundled one.
    #[arg(long, global = true, value_name = "DIR")]
    gazetteer: Option<PathBuf>,

    /// Print no warnings (errors are still printed).
    #[arg(long, short, global = true)]
    quiet: bool,

    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    jobs: Option<usize>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Look up, list and export the gazetteer.
    #[command(subcommand)]
    Gazetteer(gazetteer::GazetteerCommand),
    /// Every place each article names: one CSV row (or JSON object) per mention.
    Places(places::PlacesArgs),
    /// Events each article reports: control, contested, displacement, with evidence.
    Events(events::EventsArgs),
    /// Control of every place and province, day by day (CSV).
    Ledger(ledger::LedgerArgs),
    /// A day's maps (PNG, SVG) and GeoJSON layers with their QGIS styles.
    Render(render::RenderArgs),
    /// Every day's maps and layers into dated folders, incrementally, for cron and CI.
    Build(build::BuildArgs),
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
    if let Some(jobs) = cli.jobs {
        rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build_global()?;
    }
    // Kept until the process ends: freeing its index's many small allocations one by
    // one on the way out was 3 % of a map render's time.
    let gazetteer: &Gazetteer = Box::leak(Box::new(load_gazetteer(cli.gazetteer.as_deref())?));
    match cli.command {
        Command::Gazetteer(command) => gazetteer::run(command, gazetteer),
        Command::Places(args) => places::run(args, gazetteer, cli.quiet),
        Command::Events(args) => events::run(args, gazetteer, cli.quiet),
        Command::Ledger(args) => ledger::run(args, gazetteer, cli.quiet),
        Command::Render(args) => render::run(args, gazetteer, cli.quiet),
        Command::Build(args) => build::run(args, gazetteer, cli.quiet),
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

/// Rows to standard output, as CSV with a header or as a JSON array written as it goes.
pub enum RowSink {
    Csv(Box<csv::Writer<std::io::BufWriter<std::io::Stdout>>>),
    Json(JsonArray<std::io::BufWriter<std::io::Stdout>>),
}

impl RowSink {
    pub fn new(format: TableFormat, header: &[&str]) -> Result<RowSink> {
        let out = std::io::BufWriter::new(std::io::stdout());
        Ok(match format {
            TableFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(header)?;
                RowSink::Csv(Box::new(csv))
            }
            TableFormat::Json => RowSink::Json(JsonArray::new(out)),
        })
    }

    pub fn finish(self) -> Result<()> {
        match self {
            RowSink::Csv(mut csv) => csv.flush()?,
            RowSink::Json(json) => json.finish()?,
        }
        Ok(())
    }
}

/// A JSON array written one element at a time.
pub struct JsonArray<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonArray<W> {
    pub fn new(out: W) -> JsonArray<W> {
        JsonArray { out, first: true }
    }

    pub fn push(&mut self, value: &serde_json::Value) -> Result<()> {
        self.out.write_all(if self.first { b"[\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, value)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        self.out.write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()?;
        Ok(())
    }
}

/// A `YYYY-MM-DD` command-line value.
pub fn parse_day(value: &str) -> std::result::Result<chrono::NaiveDate, String> {
    eventmap::ingest::parse_date(value)
        .ok_or_else(|| format!("{value:?} is not a date: expected YYYY-MM-DD, a real calendar day"))
}
