//! `eventmap gazetteer lookup|list|export`.

use super::{Outcome, TableFormat};
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use eventmap::gazetteer::{Entry, Gazetteer, Kind};
use eventmap::output::{spreadsheet_safe, spreadsheet_safe_row, write_atomic};
use eventmap::render::geojson::{CollectionWriter, Prop, Shape};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum GazetteerCommand {
    /// Print the candidates for each name, best first.
    Lookup {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: TableFormat,
        /// At most this many candidates per name.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// List the gazetteer's entries.
    List {
        #[arg(long, value_enum)]
        kind: Option<ListKind>,
        #[arg(long, value_enum, default_value = "csv")]
        format: TableFormat,
    },
    /// Export the gazetteer as GeoJSON layers (RFC 7946): provinces as polygons, places
    /// and districts as points, context countries as polygons.
    Export {
        #[arg(long, value_enum, default_value = "geojson")]
        format: ExportFormat,
        /// Write one file per layer into this folder.
        #[arg(long, value_name = "DIR", conflicts_with = "layer")]
        out: Option<PathBuf>,
        /// Write only this layer, to standard output.
        #[arg(long, value_enum)]
        layer: Option<Layer>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListKind {
    Province,
    District,
    /// Cities, towns, villages, areas and border crossings.
    Place,
    /// Countries and places outside Afghanistan.
    Foreign,
    Region,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    Geojson,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Layer {
    Provinces,
    Places,
    Districts,
    Countries,
}

impl Layer {
    const ALL: [Layer; 4] = [Layer::Provinces, Layer::Places, Layer::Districts, Layer::Countries];

    fn file_name(self) -> &'static str {
        match self {
            Layer::Provinces => "provinces.geojson",
            Layer::Places => "places.geojson",
            Layer::Districts => "districts.geojson",
            Layer::Countries => "countries.geojson",
        }
    }
}

pub fn run(command: GazetteerCommand, gazetteer: &Gazetteer) -> Result<Outcome> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match command {
        GazetteerCommand::Lookup { names, format, limit } => lookup(gazetteer, &names, format, limit, &mut out)?,
        GazetteerCommand::List { kind, format } => list(gazetteer, kind, format, &mut out)?,
        GazetteerCommand::Export { format: ExportFormat::Geojson, out: dir, layer } => match (dir, layer) {
            (Some(dir), None) => {
                for layer in Layer::ALL {
                    let path = dir.join(layer.file_name());
                    write_atomic(&path, export(gazetteer, layer).as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                }
            }
            (None, Some(layer)) => out.write_all(export(gazetteer, layer).as_bytes())?,
            _ => bail!("give --out DIR (every layer, one file each) or --layer NAME (one layer to standard output)"),
        },
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn province_name<'a>(gazetteer: &'a Gazetteer, entry: &Entry) -> &'a str {
    entry.admin1_code.as_deref().and_then(|code| gazetteer.province_name(code)).unwrap_or("")
}

fn coordinate(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.5}")).unwrap_or_default()
}

fn lookup(
    gazetteer: &Gazetteer,
    names: &[String],
    format: TableFormat,
    limit: usize,
    out: &mut impl Write,
) -> Result<()> {
    const HEADER: [&str; 14] = [
        "query",
        "rank",
        "id",
        "name",
        "kind",
        "admin1_code",
        "admin1",
        "district_id",
        "district",
        "latitude",
        "longitude",
        "population",
        "score",
        "match",
    ];
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut json_rows = Vec::new();
    if format == TableFormat::Csv {
        csv.write_record(HEADER)?;
    }
    for name in names {
        let candidates = gazetteer.lookup(name);
        let mut json_candidates = Vec::new();
        for (rank, candidate) in candidates.iter().take(limit).enumerate() {
            let entry = gazetteer.entry(candidate.entry);
            let district = entry
                .district_id
                .as_deref()
                .and_then(|id| gazetteer.by_id(id))
                .map(|d| gazetteer.entry(d).name.as_str());
            let row = [
                spreadsheet_safe(name).into_owned(),
                (rank + 1).to_string(),
                entry.id.clone(),
                spreadsheet_safe(&entry.name).into_owned(),
                entry.kind.to_string(),
                entry.admin1_code.clone().unwrap_or_default(),
                province_name(gazetteer, entry).to_owned(),
                entry.district_id.clone().unwrap_or_default(),
                district.unwrap_or("").to_owned(),
                coordinate(entry.point.map(|p| p.y())),
                coordinate(entry.point.map(|p| p.x())),
                entry.population.to_string(),
                format!("{:.2}", candidate.score),
                candidate.tier.as_str().to_owned(),
            ];
            match format {
                TableFormat::Csv => csv.write_record(spreadsheet_safe_row(&row))?,
                TableFormat::Json => json_candidates.push(json!({
                    "id": entry.id, "name": entry.name, "kind": entry.kind.as_str(),
                    "admin1_code": entry.admin1_code, "admin1": province_name(gazetteer, entry),
                    "district_id": entry.district_id, "district": district,
                    "latitude": entry.point.map(|p| round5(p.y())), "longitude": entry.point.map(|p| round5(p.x())),
                    "population": entry.population, "score": round2(candidate.score as f64), "match": candidate.tier.as_str(),
                })),
            }
        }
        if format == TableFormat::Json {
            json_rows.push(json!({ "query": name, "candidates": json_candidates }));
        }
    }
    match format {
        TableFormat::Csv => out.write_all(&csv.into_inner()?)?,
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &json_rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn round5(v: f64) -> f64 {
    (v * 1e5).round() / 1e5
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn matches_kind(entry: &Entry, kind: Option<ListKind>) -> bool {
    match kind {
        None => true,
        Some(ListKind::Province) => entry.kind == Kind::Province,
        Some(ListKind::District) => entry.kind == Kind::District,
        Some(ListKind::Place) => entry.kind.is_settlement(),
        Some(ListKind::Foreign) => matches!(entry.kind, Kind::Country | Kind::ForeignPlace),
        Some(ListKind::Region) => entry.kind == Kind::Region,
    }
}

fn list(gazetteer: &Gazetteer, kind: Option<ListKind>, format: TableFormat, out: &mut impl Write) -> Result<()> {
    let entries = gazetteer.entries.iter().filter(|e| matches_kind(e, kind));
    match format {
        TableFormat::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record([
                "id",
                "name",
                "kind",
                "feature_code",
                "admin1_code",
                "admin1",
                "district_id",
                "country_code",
                "latitude",
                "longitude",
                "population",
            ])?;
            for entry in entries {
                csv.write_record(spreadsheet_safe_row([
                    entry.id.as_str(),
                    &spreadsheet_safe(&entry.name),
                    entry.kind.as_str(),
                    &entry.feature_code,
                    entry.admin1_code.as_deref().unwrap_or(""),
                    province_name(gazetteer, entry),
                    entry.district_id.as_deref().unwrap_or(""),
                    &entry.country_code,
                    &coordinate(entry.point.map(|p| p.y())),
                    &coordinate(entry.point.map(|p| p.x())),
                    &entry.population.to_string(),
                ]))?;
            }
            csv.flush()?;
        }
        TableFormat::Json => {
            let rows: Vec<_> = entries
                .map(|entry| {
                    json!({
                        "id": entry.id, "name": entry.name, "kind": entry.kind.as_str(), "feature_code": entry.feature_code,
                        "admin1_code": entry.admin1_code, "admin1": province_name(gazetteer, entry),
                        "district_id": entry.district_id, "country_code": entry.country_code,
                        "latitude": entry.point.map(|p| round5(p.y())), "longitude": entry.point.map(|p| round5(p.x())),
                        "population": entry.population,
                        "names": entry.names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn export(gazetteer: &Gazetteer, layer: Layer) -> String {
    let mut writer = CollectionWriter::new();
    match layer {
        Layer::Provinces => {
            for province in &gazetteer.provinces {
                let entry = gazetteer.entry(province.entry);
                let capital = gazetteer.entry(province.capital);
                writer.feature(
                    &entry.id,
                    &[
                        ("iso_code", Prop::from(entry.id.as_str())),
                        ("name", Prop::from(entry.name.as_str())),
                        ("capital_id", Prop::from(capital.id.as_str())),
                        ("capital", Prop::from(capital.name.as_str())),
                    ],
                    Shape::MultiPolygon(&province.geometry),
                );
            }
        }
        Layer::Places | Layer::Districts => {
            let wanted = |e: &Entry| {
                if layer == Layer::Places {
                    e.kind.is_settlement()
                } else {
                    e.kind == Kind::District
                }
            };
            for entry in gazetteer.entries.iter().filter(|e| wanted(e)) {
                let Some(point) = entry.point else { continue };
                writer.feature(
                    &entry.id,
                    &[
                        ("id", Prop::from(entry.id.as_str())),
                        ("name", Prop::from(entry.name.as_str())),
                        ("kind", Prop::from(entry.kind.as_str())),
                        ("feature_code", Prop::from(entry.feature_code.as_str())),
                        ("admin1_code", Prop::from(entry.admin1_code.clone())),
                        ("admin1", Prop::from(province_name(gazetteer, entry))),
                        ("population", Prop::from(entry.population)),
                    ],
                    Shape::Point(point),
                );
            }
        }
        Layer::Countries => {
            for country in &gazetteer.countries {
                writer.feature(
                    &country.iso_a2,
                    &[("iso_a2", Prop::from(country.iso_a2.as_str())), ("name", Prop::from(country.name.as_str()))],
                    Shape::MultiPolygon(&country.geometry),
                );
            }
        }
    }
    writer.finish()
}
