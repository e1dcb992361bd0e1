//! `eventmap events INPUT...`: control, contested and displacement events with evidence.

use super::{articles::for_each_article, Outcome};
use anyhow::Result;
use clap::ValueEnum;
use eventmap::extract::sorted::{Sorted, Sorter};
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
    /// Events held in memory while sorting (bytes, or with K, M, G); beyond it they are
    /// sorted in runs in temporary files and merged, so memory stays flat on any input.
    #[arg(long, default_value = "8M", value_name = "SIZE", value_parser = parse_size)]
    pub sort_memory: usize,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum EventsFormat {
    Csv,
    Json,
    /// ACLED's columns and event types; displacement is not an ACLED event and is left out.
    Acled,
}

/// `--sort-memory`: a size in bytes, or with `K`, `M` or `G` (powers of 1024).
fn parse_size(value: &str) -> Result<usize, String> {
    let (digits, unit) = match value.trim().char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&value.trim()[..i], c.to_ascii_uppercase()),
        _ => (value.trim(), 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return Err(format!("{value:?}: not a size (bytes, or a number with K, M or G)")),
    };
    let n: usize = digits.parse().map_err(|_| format!("{value:?}: not a size (bytes, or a number with K, M or G)"))?;
    n.checked_mul(1 << shift).ok_or_else(|| format!("{value:?}: too large"))
}

/// Events of every readable article, sorted by date, article, id (in at most about
/// `sort_memory` bytes of events; more are sorted in runs on disk and merged).
pub fn collect(
    inputs: &[PathBuf],
    gazetteer: &Gazetteer,
    options: &Options,
    quiet: bool,
    sort_memory: usize,
) -> Result<(Sorted, usize, Outcome)> {
    let parser = Geoparser::new(gazetteer);
    let mut sorter = Sorter::new(sort_memory);
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
            for event in found {
                sorter.push(event)?;
            }
            Ok(())
        },
    )?;
    Ok((sorter.finish()?, articles, outcome))
}

pub fn run(args: EventsArgs, gazetteer: &Gazetteer, quiet: bool) -> Result<Outcome> {
    let options = args.extract.options();
    let (events, _, outcome) = collect(&args.inputs, gazetteer, &options, quiet, args.sort_memory)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        EventsFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(record::HEADER)?;
            for event in events {
                csv.write_record(record::row(&event?, gazetteer))?;
            }
            csv.flush()?;
        }
        EventsFormat::Acled => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(record::ACLED_HEADER)?;
            for event in events {
                if let Some(row) = record::acled_row(&event?, gazetteer) {
                    csv.write_record(row)?;
                }
            }
            csv.flush()?;
        }
        EventsFormat::Json => {
            // What `serde_json::to_writer_pretty` writes for the array of all the objects,
            // an object at a time: each object pretty-printed one level in. (Pretty JSON
            // has a line break only between tokens, never inside a string, so indenting
            // after every line break indents the object.)
            let mut empty = true;
            for event in events {
                let object = serde_json::to_string_pretty(&json(&event?, gazetteer))?;
                out.write_all(if empty { b"[\n  " } else { b",\n  " })?;
                out.write_all(object.replace('\n', "\n  ").as_bytes())?;
                empty = false;
            }
            out.write_all(if empty { b"[]" } else { b"\n]" })?;
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

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M"), Ok(eventmap::extract::sorted::DEFAULT_BUDGET), "the default is the library's");
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64k"), Ok(65536));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("0"), Ok(0));
        assert!(parse_size("8X").is_err() && parse_size("M").is_err() && parse_size("-1").is_err());
    }
}
