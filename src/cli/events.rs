//! `eventmap events INPUT...`: control, contested and displacement events with evidence.

use super::{articles::for_each_article, Outcome};
use anyhow::Result;
use clap::ValueEnum;
use eventmap::extract::{self, record, Event, Options};
use eventmap::gazetteer::Gazetteer;
use eventmap::geoparse::Geoparser;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct EventsArgs {
    /// Article files, JSON Lines files, folders of both, or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: EventsFormat,
    #[command(flatten)]
    pub extract: super::pipeline_args::ExtractArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum EventsFormat {
    Csv,
    Json,
    /// ACLED's columns and event types; displacement is not an ACLED event and is left out.
    Acled,
}

/// Events of every readable article, sorted by date, article, id.
pub fn collect(
    inputs: &[PathBuf],
    gazetteer: &Gazetteer,
    options: &Options,
    quiet: bool,
) -> Result<(Vec<Event>, usize, Outcome)> {
    let parser = Geoparser::new(gazetteer);
    let mut events = Vec::new();
    let mut articles = 0;
    let outcome = for_each_article(
        inputs,
        quiet,
        |article| extract::extract(article, &parser.parse(&article.body), gazetteer, options),
        |article, found| {
            articles += 1;
            if article.date.is_none() && !quiet {
                eprintln!(
                    "eventmap: warning: {}: no date, so no events (relative dates need the article date)",
                    article.origin
                );
            }
            events.extend(found);
            Ok(())
        },
    )?;
    record::sort(&mut events);
    Ok((events, articles, outcome))
}

pub fn run(args: EventsArgs, gazetteer: &Gazetteer, quiet: bool) -> Result<Outcome> {
    let options = args.extract.options();
    let (events, _, outcome) = collect(&args.inputs, gazetteer, &options, quiet)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        EventsFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(record::HEADER)?;
            for event in &events {
                csv.write_record(record::row(event, gazetteer))?;
            }
            csv.flush()?;
        }
        EventsFormat::Acled => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(record::ACLED_HEADER)?;
            for row in events.iter().filter_map(|e| record::acled_row(e, gazetteer)) {
                csv.write_record(row)?;
            }
            csv.flush()?;
        }
        EventsFormat::Json => {
            let rows: Vec<serde_json::Value> = events.iter().map(|e| json(e, gazetteer)).collect();
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(outcome)
}

/// The CSV row as an object, with numbers as numbers and the denial flag.
fn json(event: &Event, gazetteer: &Gazetteer) -> serde_json::Value {
    let row = record::row(event, gazetteer);
    let mut object = serde_json::Map::new();
    for (key, value) in record::HEADER.iter().zip(row) {
        let value = match *key {
            "date_precision" | "geo_precision" | "count" | "people" => {
                value.parse::<u64>().map(serde_json::Value::from).unwrap_or(serde_json::Value::Null)
            }
            "latitude" | "longitude" | "confidence" => {
                value.parse::<f64>().map(serde_json::Value::from).unwrap_or(serde_json::Value::Null)
            }
            "count_vague" => value.parse::<bool>().map(serde_json::Value::from).unwrap_or(serde_json::Value::Null),
            _ if value.is_empty() => serde_json::Value::Null,
            _ => serde_json::Value::from(value),
        };
        object.insert((*key).to_owned(), value);
    }
    object.insert("denied".to_owned(), event.denied.into());
    serde_json::Value::Object(object)
}
