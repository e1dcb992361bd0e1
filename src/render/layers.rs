//! The GeoJSON layers of a day, one file per geometry type: provinces (polygons),
//! places (points), events (points), flows (lines) and the provinces' timeline (polygons
//! with `valid_from`/`valid_to` for QGIS's temporal controller).

use super::geojson::{CollectionWriter, Prop, Shape};
use super::qgis::LayerKind;
use crate::extract::{record, Event, EventType};
use crate::gazetteer::{EntryId, Gazetteer};
use crate::ledger::{self, Ledger, Status};
use crate::output::from_spreadsheet;
use chrono::{Duration, NaiveDate};
use geo::LineString;
use std::collections::BTreeMap;

/// What a day's layers and maps show. `eventmap build` fingerprints a day by what its
/// outputs read through this (`build::run`): the ledger's state of every tracked place
/// and every province on `date`, the events of the recent window, and the timeline; a
/// renderer that starts reading more of it must be added there, or days would not be
/// rebuilt when that changes.
pub struct Day<'a> {
    pub gazetteer: &'a Gazetteer,
    pub ledger: &'a Ledger,
    /// All events, sorted.
    pub events: &'a [Event],
    pub date: NaiveDate,
    /// Events and flows reported in the `recent_days` days up to `date` are shown.
    pub recent_days: i64,
    /// The period the timeline covers.
    pub timeline: (NaiveDate, NaiveDate),
}

impl Day<'_> {
    /// Events dated within the recent window ending on the day.
    pub fn recent_events(&self) -> impl Iterator<Item = &Event> {
        let window = recent_window(self.date, self.recent_days);
        self.events.iter().filter(move |e| window.contains(&e.date))
    }
}

/// The days whose events are recent on `date`: the `recent_days` days up to it (at least
/// the day itself).
pub fn recent_window(date: NaiveDate, recent_days: i64) -> std::ops::RangeInclusive<NaiveDate> {
    date - Duration::days(recent_days.max(1) - 1)..=date
}

fn date_prop(date: Option<NaiveDate>) -> Prop {
    date.map(Prop::Date).unwrap_or(Prop::Null)
}

fn opt_str(s: Option<&str>) -> Prop {
    s.map(Prop::from).unwrap_or(Prop::Null)
}

/// `provinces.geojson`: every province with its status on the day.
pub fn provinces(day: &Day<'_>) -> String {
    let g = day.gazetteer;
    let mut w = CollectionWriter::new();
    for shape in &g.provinces {
        let entry = g.entry(shape.entry);
        let Some(p) = day.ledger.province_state(g, &shape.iso_code, day.date) else { continue };
        let capital = g.entry(p.capital);
        let count = |s: Status| Prop::Int(*p.counts.get(&s).unwrap_or(&0) as i64);
        w.feature(
            &shape.iso_code,
            &[
                ("iso_code", Prop::from(shape.iso_code.as_str())),
                ("name", Prop::from(entry.name.as_str())),
                ("status", Prop::from(p.state.status.as_str())),
                ("since", date_prop(p.state.since)),
                ("disputed", Prop::Bool(p.state.disputed)),
                ("capital", Prop::from(capital.name.as_str())),
                ("capital_id", Prop::from(capital.id.as_str())),
                ("capital_status", Prop::from(p.capital_state.status.as_str())),
                ("places_taliban", count(Status::Taliban)),
                ("places_government", count(Status::Government)),
                ("places_resistance", count(Status::Resistance)),
                ("places_contested", count(Status::Contested)),
                ("last_event_id", opt_str(p.state.event_id.as_deref())),
                ("date", Prop::Date(day.date)),
            ],
            Shape::MultiPolygon(&shape.geometry),
        );
    }
    w.finish()
}

/// `places.geojson`: places with a status or an event, as points.
pub fn places(day: &Day<'_>) -> String {
    let g = day.gazetteer;
    let mut w = CollectionWriter::new();
    for id in day.ledger.tracked() {
        let entry = g.entry(*id);
        let Some(point) = entry.point else { continue };
        if entry.kind == crate::gazetteer::Kind::Province {
            continue; // provinces are polygons
        }
        let state = day.ledger.state(*id, day.date);
        let admin1 = entry.admin1_code.as_deref();
        w.feature(
            &entry.id,
            &[
                ("place_id", Prop::from(entry.id.as_str())),
                ("name", Prop::from(entry.name.as_str())),
                ("kind", Prop::from(entry.kind.as_str())),
                ("admin1_code", opt_str(admin1)),
                ("admin1", opt_str(admin1.and_then(|c| g.province_name(c)))),
                ("capital", Prop::Bool(entry.is_capital())),
                ("status", Prop::from(state.status.as_str())),
                ("since", date_prop(state.since)),
                ("disputed", Prop::Bool(state.disputed)),
                ("event_id", opt_str(state.event_id.as_deref())),
                ("article", opt_str(state.article.as_deref())),
                ("date", Prop::Date(day.date)),
            ],
            Shape::Point(point),
        );
    }
    w.finish()
}

/// `events.geojson`: recent events, one point each, with every column of the events CSV.
pub fn events(day: &Day<'_>) -> String {
    let g = day.gazetteer;
    let mut w = CollectionWriter::new();
    for event in day.recent_events() {
        let Some(point) = event.location().and_then(|id| g.entry(id).point) else { continue };
        let row = record::row(event, g);
        let props: Vec<(&str, Prop)> = record::HEADER
            .iter()
            .zip(row)
            .map(|(key, value)| {
                let prop = match *key {
                    "event_date" => Prop::Date(event.date),
                    "date_precision" | "geo_precision" | "count" | "people" => {
                        value.parse::<i64>().map(Prop::Int).unwrap_or(Prop::Null)
                    }
                    "latitude" | "longitude" => value.parse::<f64>().map(|v| Prop::Real(v, 5)).unwrap_or(Prop::Null),
                    "confidence" => Prop::Real(event.confidence as f64, 2),
                    "count_vague" => value.parse::<bool>().map(Prop::Bool).unwrap_or(Prop::Null),
                    _ if value.is_empty() => Prop::Null,
                    // The CSV's spreadsheet guard is not needed in GeoJSON.
                    _ => Prop::from(from_spreadsheet(&value).to_owned()),
                };
                (*key, prop)
            })
            .collect();
        w.feature(&event.id, &props, Shape::Point(point));
    }
    w.finish()
}

/// A displacement flow between two known places, summed over recent events.
pub struct FlowLine {
    pub origin: EntryId,
    pub destination: EntryId,
    pub people: u64,
    pub events: Vec<String>,
    /// The single count when every event counted in one unit, else `None`.
    pub count: Option<(u64, &'static str)>,
    pub vague: bool,
}

/// Recent displacement between known origins and destinations, by pair.
pub fn flow_lines(day: &Day<'_>) -> Vec<FlowLine> {
    let mut by_pair: BTreeMap<(EntryId, EntryId), FlowLine> = BTreeMap::new();
    for event in day.recent_events().filter(|e| e.event_type == EventType::Displacement) {
        let (Some(origin), Some(destination)) = (event.origin, event.destination) else { continue };
        let flow = by_pair.entry((origin, destination)).or_insert_with(|| FlowLine {
            origin,
            destination,
            people: 0,
            events: Vec::new(),
            count: event.count.map(|c| (0, c.unit.as_str())),
            vague: false,
        });
        flow.people += event.people.unwrap_or(0);
        flow.events.push(event.id.clone());
        flow.vague |= event.count.map(|c| c.vague).unwrap_or(false);
        flow.count = match (flow.count, event.count) {
            (Some((sum, unit)), Some(c)) if c.unit.as_str() == unit => Some((sum + c.value, unit)),
            (Some(_), Some(_)) => None,
            (current, None) => current,
            (None, Some(_)) => None,
        };
    }
    let mut flows: Vec<FlowLine> = by_pair.into_values().collect();
    flows.sort_by(|a, b| b.people.cmp(&a.people).then(a.origin.cmp(&b.origin)).then(a.destination.cmp(&b.destination)));
    flows
}

/// `flows.geojson`: origin → destination lines.
pub fn flows(day: &Day<'_>) -> String {
    let g = day.gazetteer;
    let mut w = CollectionWriter::new();
    for flow in flow_lines(day) {
        let (o, d) = (g.entry(flow.origin), g.entry(flow.destination));
        let (Some(a), Some(b)) = (o.point, d.point) else { continue };
        let line = LineString::from(vec![a.0, b.0]);
        w.feature(
            &format!("{}>{}", o.id, d.id),
            &[
                ("origin_id", Prop::from(o.id.as_str())),
                ("origin", Prop::from(o.name.as_str())),
                ("destination_id", Prop::from(d.id.as_str())),
                ("destination", Prop::from(d.name.as_str())),
                ("people", Prop::from(flow.people)),
                ("count", flow.count.map(|(n, _)| Prop::from(n)).unwrap_or(Prop::Null)),
                ("count_unit", flow.count.map(|(_, u)| Prop::from(u)).unwrap_or(Prop::Null)),
                ("count_vague", Prop::Bool(flow.vague)),
                ("event_ids", Prop::from(flow.events.join(","))),
                ("events", Prop::Int(flow.events.len() as i64)),
                ("date", Prop::Date(day.date)),
            ],
            Shape::LineString(&line),
        );
    }
    w.finish()
}

/// `timeline.geojson`: one polygon per province per period of unchanged status.
pub fn timeline(day: &Day<'_>) -> String {
    let g = day.gazetteer;
    let (from, to) = day.timeline;
    let changes = day.ledger.change_days();
    let mut w = CollectionWriter::new();
    for shape in &g.provinces {
        let entry = g.entry(shape.entry);
        let mut periods: Vec<(NaiveDate, NaiveDate, ledger::ProvinceState)> = Vec::new();
        // Status only changes on event days and when a contested window ends. The days
        // after `from`, as bounds rather than `from + 1..=to`, which panics on a one-day
        // timeline (a series whose events all fall on one day).
        let after = (std::ops::Bound::Excluded(from), std::ops::Bound::Included(to.max(from)));
        let starts = std::iter::once(from).chain(changes.range(after).copied());
        for date in starts {
            let Some(state) = day.ledger.province_state(g, &shape.iso_code, date) else { continue };
            match periods.last_mut() {
                Some((_, _, last))
                    if last.state.status == state.state.status
                        && last.capital_state.status == state.capital_state.status => {}
                _ => {
                    if let Some((_, end, _)) = periods.last_mut() {
                        *end = date.pred_opt().unwrap_or(date);
                    }
                    periods.push((date, to, state));
                }
            }
        }
        for (valid_from, valid_to, state) in periods {
            w.feature(
                &format!("{}:{}", shape.iso_code, valid_from.format("%Y-%m-%d")),
                &[
                    ("iso_code", Prop::from(shape.iso_code.as_str())),
                    ("name", Prop::from(entry.name.as_str())),
                    ("status", Prop::from(state.state.status.as_str())),
                    ("capital_status", Prop::from(state.capital_state.status.as_str())),
                    ("valid_from", Prop::Date(valid_from)),
                    ("valid_to", Prop::Date(valid_to)),
                    ("last_event_id", opt_str(state.state.event_id.as_deref())),
                ],
                Shape::MultiPolygon(&shape.geometry),
            );
        }
    }
    w.finish()
}

/// One layer of the day, as GeoJSON text.
pub fn layer(day: &Day<'_>, kind: LayerKind) -> String {
    match kind {
        LayerKind::Provinces => provinces(day),
        LayerKind::Places => places(day),
        LayerKind::Events => events(day),
        LayerKind::Flows => flows(day),
        LayerKind::Timeline => timeline(day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_day_timeline_has_one_period_a_province() {
        let g = Gazetteer::bundled();
        let ledger = Ledger::build(&g, &[], ledger::Baseline::default(), ledger::Options::default());
        let date = NaiveDate::from_ymd_opt(2021, 8, 6).unwrap();
        let day = Day { gazetteer: &g, ledger: &ledger, events: &[], date, recent_days: 7, timeline: (date, date) };
        let text = timeline(&day);
        let parsed: geojson::FeatureCollection = text.parse().unwrap();
        assert_eq!(parsed.features.len(), g.provinces.len());
        assert!(text.contains(r#""valid_from":"2021-08-06","valid_to":"2021-08-06""#), "{text}");
    }
}
