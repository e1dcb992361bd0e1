//! `eventmap build INPUT... --out DIR`: every day's maps and layers, incrementally.

use super::pipeline_args::PipelineArgs;
use super::render::OutputArgs;
use super::Outcome;
use anyhow::Result;
use chrono::NaiveDate;
use clap::ValueEnum;
use eventmap::build::{self, DayOutcome};
use eventmap::gazetteer::Gazetteer;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// First day to build (default: the first event's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
    pub from: Option<NaiveDate>,
    /// Last day to build (default: the last event's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
    pub to: Option<NaiveDate>,
    /// Rebuild every day, even those whose inputs did not change.
    #[arg(long)]
    pub force: bool,
    /// Also write timeline.gif, the control map day by day.
    #[arg(long)]
    pub animate: bool,
    /// Summary lines as text, or one JSON object a line for machines.
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn run(args: BuildArgs, gazetteer: &Gazetteer, quiet: bool) -> Result<Outcome> {
    let map = args.output.map_options()?;
    let json = args.log_format == LogFormat::Json;
    // The lock first: a second build on the folder fails before reading anything.
    let lock = build::Lock::acquire(&args.output.out)?;
    let (assembled, mut input_files) =
        build::assemble(&lock, &args.pipeline.inputs(), gazetteer, &args.pipeline.settings())?;
    let mut outcome = Outcome::Success;
    // In JSON mode every line on stderr is a JSON object (errors that stop the run aside).
    let note = |kind: &str, message: String| {
        if json {
            eprintln!("{}", serde_json::json!({ kind: message }));
        } else {
            eprintln!("eventmap: {kind}: {message}");
        }
    };
    for warning in assembled.warnings.iter().filter(|_| !quiet) {
        note("warning", warning.to_string());
    }
    for problem in &assembled.problems {
        note("skipped", problem.to_string());
        outcome = Outcome::Partial;
    }
    // The article files (as `assemble` found them), then the editor's files.
    input_files.paths.extend(args.pipeline.corrections.iter().cloned());
    input_files.paths.extend(args.pipeline.acled.iter().cloned());
    if let Some(baseline) = args.pipeline.baseline.as_ref().map(PathBuf::from).filter(|p| p.is_file()) {
        input_files.paths.push(baseline);
    }
    let options = build::Options {
        formats: args.output.formats(),
        map,
        recent_days: args.output.recent_days,
        from: args.from,
        to: args.to,
        force: args.force,
        animate: args.animate,
    };
    let terminal = std::io::stderr().is_terminal() && !quiet && args.log_format == LogFormat::Text;
    let progress = |done: usize, total: usize| {
        if terminal && total > 1 {
            let _ = write!(std::io::stderr(), "\reventmap: building {done}/{total} days");
        }
    };
    let log = |day: &DayOutcome| {
        if quiet {
            return;
        }
        let line = if json {
            serde_json::json!({
                "date": day.date.to_string(),
                "status": if day.rebuilt { "built" } else { "unchanged" },
                "events": day.events,
                "files_written": day.files,
            })
            .to_string()
        } else {
            format!(
                "eventmap: {}  {:9}  {:3} events  {:2} files written",
                day.date,
                if day.rebuilt { "built" } else { "unchanged" },
                day.events,
                day.files
            )
        };
        eprintln!("{line}");
    };
    let summary = build::run(&lock, gazetteer, assembled, &input_files, &options, log, &progress)?;
    if terminal {
        eprint!("\r\x1b[K");
    }
    let built = summary.days.iter().filter(|d| d.rebuilt).count();
    if json && !quiet {
        let line = serde_json::json!({
            "out": args.output.out.display().to_string(),
            "days": summary.days.len(),
            "built": built,
            "files_written": summary.files_written,
            "recovered": summary.recovered,
        });
        eprintln!("{line}");
    } else if !quiet {
        if summary.recovered > 0 {
            eprintln!("eventmap: finished {} file moves left by an interrupted build", summary.recovered);
        }
        if summary.files_written == 0 {
            eprintln!("eventmap: {}: up to date, nothing written", args.output.out.display());
        } else {
            eprintln!(
                "eventmap: {}: {built} of {} days built, {} files written",
                args.output.out.display(),
                summary.days.len(),
                summary.files_written
            );
        }
    }
    Ok(outcome)
}
