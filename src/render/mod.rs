//! Output stage: GeoJSON layers, QGIS styles and projects, PNG and SVG maps.

pub mod geojson;
pub mod layers;
pub mod map;
pub mod qgis;

use crate::extract::{CountUnit as ReportedUnit, EventType};
use crate::ledger::Status;
use std::collections::BTreeMap;

/// The map data of a day: statuses from the ledger, flows from recent displacement.
pub fn map_data<'a>(day: &layers::Day<'a>, reports: usize) -> map::MapData<'a> {
    let g = day.gazetteer;
    let mut provinces = BTreeMap::new();
    for shape in &g.provinces {
        if let Some(state) = day.ledger.province_state(g, &shape.iso_code, day.date) {
            provinces.insert(shape.iso_code.clone(), state.state.status);
        }
    }
    let mut places = BTreeMap::new();
    for id in day.ledger.tracked() {
        let entry = g.entry(*id);
        if entry.kind.is_settlement() || entry.is_capital() {
            let status = day.ledger.state(*id, day.date).status;
            if status != Status::Unknown || entry.is_capital() {
                places.insert(*id, status);
            }
        }
    }
    // Recent displacement by (origin, destination), counts summed when their units agree.
    let mut flows: BTreeMap<(Option<u32>, Option<u32>), map::Flow> = BTreeMap::new();
    for event in day.recent_events().filter(|e| e.event_type == EventType::Displacement) {
        let unit = match event.count.map(|c| c.unit) {
            Some(ReportedUnit::Families) => map::CountUnit::Families,
            Some(ReportedUnit::Households) => map::CountUnit::Households,
            _ => map::CountUnit::People,
        };
        let flow = flows.entry((event.origin, event.destination)).or_insert(map::Flow {
            origin: event.origin,
            destination: event.destination,
            people: 0,
            count: 0,
            unit,
            vague: false,
        });
        flow.people += event.people.unwrap_or(0);
        if flow.unit == unit {
            flow.count += event.count.map(|c| c.value).unwrap_or(0);
        }
        flow.vague |= event.count.map(|c| c.vague).unwrap_or(false);
    }
    map::MapData { gazetteer: g, date: day.date, provinces, places, flows: flows.into_values().collect(), reports }
}

/// What to produce for a day.
#[derive(Clone, Debug)]
pub struct Formats {
    pub geojson: bool,
    pub png: bool,
    pub svg: bool,
    pub control: bool,
    pub displacement: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats { geojson: true, png: true, svg: true, control: true, displacement: true }
    }
}

/// Every output file of a day, by file name, in a fixed order. With GeoJSON, the
/// `layers` asked for (a build's day folders leave the series' timeline out).
pub fn outputs(
    day: &layers::Day<'_>,
    reports: usize,
    formats: &Formats,
    options: &map::MapOptions,
    layers: &[qgis::LayerKind],
) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if formats.geojson {
        for kind in qgis::LayerKind::ALL.into_iter().filter(|k| layers.contains(k)) {
            files.push((format!("{}.geojson", kind.stem()), layers::layer(day, kind).into_bytes()));
        }
        // Beside the layers, their QGIS styles and a project that opens them all.
        files.extend(qgis::files_for(layers, &qgis_options(day, options)));
    }
    if formats.png || formats.svg {
        let data = map_data(day, reports);
        type Layout = fn(&map::MapData, &map::MapOptions) -> map::Scene;
        let maps: [(&str, bool, Layout); 2] = [
            ("control", formats.control, map::control_scene),
            ("displacement", formats.displacement, map::displacement_scene),
        ];
        for (name, wanted, scene) in maps {
            if !wanted {
                continue;
            }
            let scene = scene(&data, options);
            if formats.png {
                files.push((format!("{name}.png"), map::scene_png(&scene, options.scale)));
            }
            if formats.svg {
                files.push((format!("{name}.svg"), map::scene_svg(&scene).into_bytes()));
            }
        }
    }
    files
}

/// The QGIS project settings of a day: titled with its date, styled as the maps are.
pub fn qgis_options<'a>(day: &layers::Day<'_>, options: &'a map::MapOptions) -> qgis::ProjectOptions<'a> {
    qgis::ProjectOptions {
        title: format!("eventmap: Afghanistan, {}", day.date.format("%-d %B %Y")),
        style: &options.style,
        timeline: Some(day.timeline),
    }
}
