//! Events as table rows: eventmap's events CSV (which an editor exports, corrects and
//! feeds back with `--events`) and ACLED's column names and event types.

use super::{Actor, Event, EventType};
use crate::gazetteer::{EntryId, Gazetteer, Kind};
use crate::output::{spreadsheet_safe, spreadsheet_safe_row};

/// Columns of the events CSV, in order.
pub const HEADER: [&str; 23] = [
    "event_id",
    "article",
    "event_date",
    "date_precision",
    "event_type",
    "actor",
    "place_id",
    "location",
    "admin1_code",
    "admin1",
    "latitude",
    "longitude",
    "geo_precision",
    "origin_id",
    "origin",
    "destination_id",
    "destination",
    "count",
    "count_unit",
    "count_vague",
    "people",
    "confidence",
    "sentence",
];

/// Geographic precision as ACLED codes it: 1 a town or city, 2 a district, 3 a province
/// (or a country).
pub fn geo_precision(kind: Kind) -> u8 {
    match kind {
        Kind::District => 2,
        Kind::Province | Kind::Country | Kind::Region => 3,
        _ => 1,
    }
}

/// Sorted as the events CSV is: by date, article, id (a stable sort: events equal in
/// all three keep their order).
pub fn sort(events: &mut [Event]) {
    events.sort_by(order);
}

/// The order of the events CSV: by date, article, id.
pub fn order(a: &Event, b: &Event) -> std::cmp::Ordering {
    a.date.cmp(&b.date).then_with(|| a.article.cmp(&b.article)).then_with(|| a.id.cmp(&b.id))
}

fn name(g: &Gazetteer, id: Option<EntryId>) -> (String, String) {
    match id {
        Some(id) => {
            let e = g.entry(id);
            (e.id.clone(), spreadsheet_safe(&e.name).into_owned())
        }
        None => (String::new(), String::new()),
    }
}

/// One row of the events CSV.
pub fn row(event: &Event, g: &Gazetteer) -> Vec<String> {
    let location = event.location().map(|id| g.entry(id));
    let (admin1_code, admin1) = location
        .and_then(|e| e.admin1_code.clone().filter(|_| e.kind.is_afghan()))
        .map(|code| {
            let name = g.province_name(&code).unwrap_or("").to_owned();
            (code, name)
        })
        .unwrap_or_default();
    let point = location.and_then(|e| e.point);
    let (origin_id, origin) = name(g, event.origin);
    let (destination_id, destination) = name(g, event.destination);
    let count = event.count;
    // Every cell, ids and province names of a user gazetteer included.
    spreadsheet_safe_row(vec![
        spreadsheet_safe(&event.id).into_owned(),
        spreadsheet_safe(&event.article).into_owned(),
        event.date.format("%Y-%m-%d").to_string(),
        event.date_precision.to_string(),
        event.event_type.to_string(),
        event.actor.map(|a| a.to_string()).unwrap_or_default(),
        location.map(|e| e.id.clone()).unwrap_or_default(),
        location.map(|e| spreadsheet_safe(&e.name).into_owned()).unwrap_or_default(),
        admin1_code,
        admin1,
        point.map(|p| format!("{:.5}", p.y())).unwrap_or_default(),
        point.map(|p| format!("{:.5}", p.x())).unwrap_or_default(),
        location.map(|e| geo_precision(e.kind).to_string()).unwrap_or_default(),
        origin_id,
        origin,
        destination_id,
        destination,
        count.map(|c| c.value.to_string()).unwrap_or_default(),
        count.map(|c| c.unit.as_str().to_owned()).unwrap_or_default(),
        count.map(|c| c.vague.to_string()).unwrap_or_default(),
        event.people.map(|p| p.to_string()).unwrap_or_default(),
        format!("{:.2}", event.confidence),
        spreadsheet_safe(&event.sentence).into_owned(),
    ])
}

/// ACLED export columns (the subset eventmap can fill, in ACLED's order).
pub const ACLED_HEADER: [&str; 24] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "inter1",
    "actor2",
    "inter2",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "tags",
];

/// ACLED's name for an actor, and its actor-type code ("inter").
pub fn acled_actor(actor: Actor) -> (&'static str, &'static str) {
    match actor {
        Actor::Taliban => ("Taliban", "2"),
        Actor::Government => ("Military Forces of Afghanistan (2014-2021)", "1"),
        Actor::Resistance => ("NRF: National Resistance Front", "3"),
        Actor::Unknown => ("Unidentified Armed Group (Afghanistan)", "3"),
    }
}

/// The event as an ACLED row; `None` for displacement, which ACLED does not code as an event.
pub fn acled_row(event: &Event, g: &Gazetteer) -> Option<Vec<String>> {
    let place = g.entry(event.place?);
    let (event_type, sub_event_type) = match (event.event_type, event.actor) {
        (EventType::Control, Some(Actor::Government)) => ("Battles", "Government regains territory"),
        (EventType::Control, _) => ("Battles", "Non-state actor overtakes territory"),
        (EventType::Contested, _) => ("Battles", "Armed clash"),
        (EventType::Displacement, _) => return None,
    };
    let (actor1, inter1) = match (event.event_type, event.actor) {
        (EventType::Control, Some(actor)) => acled_actor(actor),
        _ => ("", ""),
    };
    let admin1 = place.admin1_code.as_deref().and_then(|c| g.province_name(c)).unwrap_or("");
    let admin2 = match place.kind {
        Kind::District => place.name.as_str(),
        _ => place.district_id.as_deref().and_then(|d| g.by_id(d)).map(|d| g.entry(d).name.as_str()).unwrap_or(""),
    };
    let point = place.point;
    let mut tags = Vec::new();
    if event.denied {
        tags.push("denied");
    }
    Some(spreadsheet_safe_row(vec![
        spreadsheet_safe(&event.id).into_owned(),
        event.date.format("%Y-%m-%d").to_string(),
        event.date.format("%Y").to_string(),
        event.date_precision.to_string(),
        "Political violence".to_owned(),
        event_type.to_owned(),
        sub_event_type.to_owned(),
        actor1.to_owned(),
        inter1.to_owned(),
        String::new(),
        String::new(),
        "4".to_owned(),
        "South Asia".to_owned(),
        "Afghanistan".to_owned(),
        admin1.to_owned(),
        spreadsheet_safe(admin2).into_owned(),
        spreadsheet_safe(&place.name).into_owned(),
        point.map(|p| format!("{:.4}", p.y())).unwrap_or_default(),
        point.map(|p| format!("{:.4}", p.x())).unwrap_or_default(),
        geo_precision(place.kind).to_string(),
        spreadsheet_safe(&format!("eventmap: {}", event.article)).into_owned(),
        spreadsheet_safe(&event.sentence).into_owned(),
        "0".to_owned(),
        tags.join(";"),
    ]))
}
