//! `eventmap places INPUT...`: every place each article names, one row per mention.

use super::{articles::for_each_article, Outcome, RowSink, TableFormat};
use anyhow::Result;
use eventmap::gazetteer::Gazetteer;
use eventmap::geoparse::{Geoparser, Mention};
use eventmap::ingest::Article;
use eventmap::output::{spreadsheet_safe, spreadsheet_safe_row};
use serde_json::json;
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
                        csv.write_record(spreadsheet_safe_row(csv_row(gazetteer, article, mention)))?
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

/// The mention as a row: metonyms and regions keep their id and name but no province or
/// coordinates, so nothing maps them.
fn csv_row(g: &Gazetteer, article: &Article, m: &Mention) -> Vec<String> {
    let entry = g.entry(m.entry);
    let mappable = !m.metonym && entry.kind.is_afghan();
    let (admin1_code, admin1) = match (&entry.admin1_code, mappable) {
        (Some(code), true) => (code.clone(), g.province_name(code).unwrap_or("").to_owned()),
        _ => (String::new(), String::new()),
    };
    let point = if m.metonym { None } else { entry.point };
    vec![
        spreadsheet_safe(&article.id).into_owned(),
        m.start.to_string(),
        m.end.to_string(),
        spreadsheet_safe(&article.body[m.start..m.end]).into_owned(),
        entry.id.clone(),
        spreadsheet_safe(&entry.name).into_owned(),
        kind_label(g, m).to_owned(),
        admin1_code,
        admin1,
        point.map(|p| format!("{:.5}", p.y())).unwrap_or_default(),
        point.map(|p| format!("{:.5}", p.x())).unwrap_or_default(),
        format!("{:.2}", m.confidence),
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
