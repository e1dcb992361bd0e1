//! `eventmap places INPUT...`: every place each article names, one row per mention.

use super::{articles::for_each_article, Outcome, RowSink, TableFormat};
use anyhow::Result;
use eventmap::gazetteer::Gazetteer;
use eventmap::geoparse::{Geoparser, Mention};
use eventmap::ingest::Article;
use eventmap::output::{spreadsheet_safe, spreadsheet_safe_cell};
use serde_json::json;
use std::borrow::Cow;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct PlacesArgs {
    /// Article files (`date YYYY-MM-DD Title` on the first line), JSON Lines files,
    /// folders of both, or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "csv")]
    format: TableFormat,
}

pub const HEADER: [&str; 12] = [
    "article",
    "start",
    "end",
    "text",
    "place_id",
    "name",
    "kind",
    "admin1_code",
    "admin1",
    "latitude",
    "longitude",
    "confidence",
];

pub fn run(args: PlacesArgs, gazetteer: &Gazetteer, quiet: bool) -> Result<Outcome> {
    let parser = Geoparser::new(gazetteer);
    let mut sink = RowSink::new(args.format, &HEADER)?;
    let outcome = for_each_article(
        &args.inputs,
        quiet,
        |article| parser.parse(&article.body).mentions,
        |article, mentions| {
            for mention in &mentions {
                match &mut sink {
                    RowSink::Csv(csv) => {
                        // Cell by cell, borrowed: a row of Strings, made twice, was a
                        // third of the time of `places` beside geoparsing.
                        for cell in csv_row(gazetteer, article, mention) {
                            csv.write_field(cell.as_bytes())?;
                        }
                        csv.write_record(None::<&[u8]>)?;
                    }
                    RowSink::Json(json) => json.push(&json_row(gazetteer, article, mention))?,
                }
            }
            Ok(())
        },
    )?;
    sink.finish()?;
    Ok(outcome)
}

/// The mention as a row, safe to open in a spreadsheet: metonyms and regions keep their
/// id and name but no province or coordinates, so nothing maps them.
fn csv_row<'a>(g: &'a Gazetteer, article: &'a Article, m: &Mention) -> [Cow<'a, str>; 12] {
    let entry = g.entry(m.entry);
    let mappable = !m.metonym && entry.kind.is_afghan();
    let (admin1_code, admin1) = match (&entry.admin1_code, mappable) {
        (Some(code), true) => (code.as_str(), g.province_name(code).unwrap_or("")),
        _ => ("", ""),
    };
    let point = if m.metonym { None } else { entry.point };
    let coordinate = |value: Option<f64>| value.map(|v| format!("{v:.5}").into()).unwrap_or_default();
    // Words from outside (the article's id and text, a name) are quoted even when they
    // read as a number; the gazetteer's codes as every other table's cells are.
    [
        spreadsheet_safe(&article.id),
        m.start.to_string().into(),
        m.end.to_string().into(),
        spreadsheet_safe(&article.body[m.start..m.end]),
        spreadsheet_safe_cell(&entry.id),
        spreadsheet_safe(&entry.name),
        kind_label(g, m).into(),
        spreadsheet_safe_cell(admin1_code),
        spreadsheet_safe_cell(admin1),
        coordinate(point.map(|p| p.y())),
        coordinate(point.map(|p| p.x())),
        format!("{:.2}", m.confidence).into(),
    ]
}

fn kind_label(g: &Gazetteer, m: &Mention) -> &'static str {
    if m.metonym {
        "metonym"
    } else {
        g.entry(m.entry).kind.as_str()
    }
}

fn json_row(g: &Gazetteer, article: &Article, m: &Mention) -> serde_json::Value {
    let row = csv_row(g, article, m);
    let number = |s: &str| s.parse::<f64>().ok();
    let alternatives: Vec<_> = m
        .alternatives
        .iter()
        .map(|(id, confidence)| {
            let e = g.entry(*id);
            json!({ "place_id": e.id, "name": e.name, "kind": e.kind.as_str(), "admin1_code": e.admin1_code, "confidence": confidence })
        })
        .collect();
    json!({
        "article": article.id, "start": m.start, "end": m.end, "text": &article.body[m.start..m.end],
        "place_id": row[4], "name": g.entry(m.entry).name, "kind": row[6],
        "admin1_code": Some(&row[7]).filter(|s| !s.is_empty()), "admin1": Some(&row[8]).filter(|s| !s.is_empty()),
        "latitude": number(&row[9]), "longitude": number(&row[10]), "confidence": m.confidence,
        "match": m.tier.as_str(), "alternatives": alternatives,
    })
}
