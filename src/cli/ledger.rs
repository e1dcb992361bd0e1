//! `eventmap ledger INPUT...`: control of every place and province, day by day.

use super::pipeline_args::{report, PipelineArgs};
use super::Outcome;
use anyhow::{bail, Result};
use chrono::NaiveDate;
use eventmap::gazetteer::{Gazetteer, Kind};
use eventmap::ledger::{self, days, PlaceState};
use eventmap::output::{spreadsheet_safe, spreadsheet_safe_row};
use eventmap::pipeline;

#[derive(clap::Args)]
pub struct LedgerArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Only this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day, conflicts_with_all = ["from", "to"])]
    pub date: Option<NaiveDate>,
    /// First day (default: the first event's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
    pub from: Option<NaiveDate>,
    /// Last day (default: the last event's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
    pub to: Option<NaiveDate>,
}

pub const HEADER: [&str; 10] =
    ["date", "place_id", "name", "kind", "admin1_code", "status", "since", "disputed", "event_id", "article"];

pub fn run(args: LedgerArgs, gazetteer: &Gazetteer, quiet: bool) -> Result<Outcome> {
    let assembled = pipeline::assemble(&args.pipeline.inputs(), gazetteer, &args.pipeline.settings())?;
    let outcome = report(&assembled, quiet);
    let span = assembled.ledger.span();
    let (from, to) = match (args.date, args.from, args.to, span) {
        (Some(d), _, _, _) => (d, d),
        (None, from, to, Some((first, last))) => (from.unwrap_or(first), to.unwrap_or(last)),
        (None, Some(from), Some(to), None) => (from, to),
        (None, _, _, None) => bail!("no events, so no dates: give --date or --from and --to"),
    };
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    let span_days = (to - from).num_days() + 1;
    if (args.from.is_none() || args.to.is_none()) && args.date.is_none() && span_days > ledger::MAX_DEFAULT_DAYS {
        bail!(
            "the events run from {from} to {to}, {span_days} days: more than {} without --from and --to, so a date \
             is probably wrong; give --from and --to (or --date) to print them all",
            ledger::MAX_DEFAULT_DAYS
        );
    }
    let mut csv = csv::Writer::from_writer(std::io::BufWriter::new(std::io::stdout()));
    csv.write_record(HEADER)?;
    let ledger = &assembled.ledger;
    for date in days(from, to) {
        for id in ledger.tracked() {
            let entry = gazetteer.entry(*id);
            let state = if entry.kind == Kind::Province {
                ledger
                    .province_state(gazetteer, &entry.id, date)
                    .map(|p| p.state)
                    .unwrap_or_else(|| ledger.state(*id, date))
            } else {
                ledger.state(*id, date)
            };
            csv.write_record(spreadsheet_safe_row(row(date, entry, &state)))?;
        }
    }
    csv.flush()?;
    Ok(outcome)
}

fn row(date: NaiveDate, entry: &eventmap::gazetteer::Entry, state: &PlaceState) -> Vec<String> {
    vec![
        date.to_string(),
        entry.id.clone(),
        spreadsheet_safe(&entry.name).into_owned(),
        entry.kind.to_string(),
        entry.admin1_code.clone().unwrap_or_default(),
        state.status.to_string(),
        state.since.map(|d| d.to_string()).unwrap_or_default(),
        state.disputed.to_string(),
        state.event_id.as_deref().map(|s| spreadsheet_safe(s).into_owned()).unwrap_or_default(),
        state.article.as_deref().map(|s| spreadsheet_safe(s).into_owned()).unwrap_or_default(),
    ]
}
