//! Files an editor gives the ledger: corrected events (`--events`, in the events CSV
//! schema, with an optional `drop` column), an ACLED export (`--acled`), and a starting
//! state (`--baseline`). Names resolve through the gazetteer; a name it does not know is
//! an error naming the file, line and value, with the closest names as suggestions.

use super::{Baseline, Status};
use crate::extract::{record, Actor, Count, CountUnit, Event, EventType};
use crate::gazetteer::{EntryId, Gazetteer};
use crate::ingest::parse_date;
use crate::output::from_spreadsheet;
use std::collections::HashMap;
use std::path::Path;

/// A problem in an input file: at a line, or (line 0) with the whole file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}: {message}", if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct InputError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// What a file gave: rows read, and rows refused (each with its reason). A file that cannot
/// be read at all, or lacks required columns, is an `Err`.
#[derive(Debug)]
pub struct Read<T> {
    pub items: Vec<T>,
    pub errors: Vec<InputError>,
}

impl<T> Default for Read<T> {
    fn default() -> Self {
        Read { items: Vec::new(), errors: Vec::new() }
    }
}

/// A corrected or added event, or an instruction to drop one.
#[derive(Debug, Clone)]
pub struct Correction {
    pub event: Event,
    pub drop: bool,
}

struct Csv {
    file: String,
    header: Vec<String>,
    rows: Vec<(usize, csv::StringRecord)>,
}

impl Csv {
    fn read(path: &Path, required: &[&str]) -> Result<Csv, InputError> {
        let file = path.display().to_string();
        let fatal = |line: usize, message: String| InputError { file: file.clone(), line, message };
        let bytes = std::fs::read(path).map_err(|e| fatal(0, format!("cannot read: {e}")))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes).to_vec();
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| fatal(1, format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let missing: Vec<&str> = required.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
        if !missing.is_empty() {
            return Err(fatal(
                1,
                format!("missing column(s) {}; the header has: {}", missing.join(", "), header.join(", ")),
            ));
        }
        let mut rows = Vec::new();
        let mut records = reader.into_records();
        loop {
            let next = records.next();
            let Some(result) = next else { break };
            match result {
                Ok(record) => {
                    let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
                    rows.push((line, record));
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    // A broken row is reported by the caller through an empty record.
                    rows.push((line, csv::StringRecord::from(vec![format!("\u{0}{e}")])));
                }
            }
        }
        // The csv crate reads an unclosed quote to the end of the file as one cell, so
        // every row after it would vanish without a word: refuse that row instead.
        if let Some((line, record)) = rows.last() {
            let start = record.position().map(|p| p.byte() as usize).unwrap_or(bytes.len());
            let quotes = bytes.get(start..).unwrap_or_default().iter().filter(|b| **b == b'"').count();
            if quotes % 2 == 1 && record.iter().any(|cell| cell.contains('\n')) {
                let message =
                    "\u{0}a quote opened in this row is never closed (the rest of the file would be one cell)";
                let line = *line;
                rows.pop();
                rows.push((line, csv::StringRecord::from(vec![message.to_owned()])));
            }
        }
        Ok(Csv { file, header, rows })
    }

    /// A cell, trimmed, with the quote eventmap's own CSV writers put before a formula
    /// character taken off (an editor feeds back the events CSV eventmap exported).
    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|i| record.get(i))
            .map(|cell| from_spreadsheet(cell.trim()))
            .unwrap_or("")
    }

    fn error(&self, line: usize, message: impl Into<String>) -> InputError {
        InputError { file: self.file.clone(), line, message: message.into() }
    }

    /// A row the CSV reader could not parse (an unbalanced quote), or one of the wrong width.
    fn broken(&self, line: usize, record: &csv::StringRecord) -> Option<InputError> {
        if let Some(message) = record.get(0).and_then(|c| c.strip_prefix('\u{0}')) {
            return Some(self.error(line, format!("malformed CSV row: {message}")));
        }
        if record.len() != self.header.len() {
            return Some(self.error(line, format!("{} cells, the header has {}", record.len(), self.header.len())));
        }
        None
    }
}

/// Resolves a place given by id or by name (optionally within a province).
fn resolve_place(g: &Gazetteer, id: &str, name: &str, admin1: &str) -> Result<Option<EntryId>, String> {
    if !id.is_empty() {
        return g.by_id(id).map(Some).ok_or_else(|| unknown(g, id));
    }
    if name.is_empty() {
        return Ok(None);
    }
    // The province may be given as an ISO code or a name.
    let in_province = |id: EntryId| {
        let code = g.entry(id).admin1_code.as_deref();
        admin1.is_empty()
            || code == Some(admin1)
            || code.and_then(|c| g.province_name(c)).map(|n| n.eq_ignore_ascii_case(admin1)).unwrap_or(false)
    };
    match g.lookup(name).iter().find(|c| in_province(c.entry)) {
        Some(c) => Ok(Some(c.entry)),
        None => Err(unknown(g, name)),
    }
}

/// Longest name "did you mean" is looked for. The search compares the name with every
/// gazetteer name (edit distance), which a long cell makes slow, and no place is called
/// anything near this long: a file of long junk names is refused at reading speed.
const MAX_SUGGESTED_CHARS: usize = 64;

fn unknown(g: &Gazetteer, value: &str) -> String {
    let chars = value.chars().count();
    if chars > MAX_SUGGESTED_CHARS {
        let start: String = value.chars().take(MAX_SUGGESTED_CHARS).collect();
        return format!("unknown place {start:?}… ({chars} characters)");
    }
    let suggestions: Vec<String> = g
        .suggest(value, 3)
        .iter()
        .map(|e| format!("{} ({}, {})", e.name, e.id, e.admin1_code.as_deref().unwrap_or(&e.country_code)))
        .collect();
    if suggestions.is_empty() {
        format!("unknown place {value:?}")
    } else {
        format!("unknown place {value:?}; did you mean {}?", suggestions.join(", "))
    }
}

/// Reads an events CSV an editor corrected: the `eventmap events` columns (only
/// `event_id`, `event_date` and `event_type` are required), plus an optional `drop`
/// column (`true`, `yes`, `1`, `x` drop the event of that id).
pub fn read_corrections(path: &Path, g: &Gazetteer, family_size: f64) -> Result<Read<Correction>, InputError> {
    let csv = Csv::read(path, &["event_id", "event_date", "event_type"])?;
    let mut out = Read::default();
    for (line, record) in &csv.rows {
        let line = *line;
        if let Some(error) = csv.broken(line, record) {
            out.errors.push(error);
            continue;
        }
        let get = |c: &str| csv.get(record, c);
        let row = || -> Result<Correction, String> {
            let id = get("event_id");
            if id.is_empty() {
                return Err("empty event_id".into());
            }
            let drop = matches!(get("drop").to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "x" | "drop");
            let date = parse_date(get("event_date"))
                .ok_or_else(|| format!("bad event_date {:?}: expected YYYY-MM-DD", get("event_date")))?;
            let event_type = EventType::parse(get("event_type")).ok_or_else(|| {
                format!("bad event_type {:?}: expected control, contested or displacement", get("event_type"))
            })?;
            let actor = match get("actor") {
                "" if event_type == EventType::Control => {
                    return Err("a control event needs an actor (taliban, government, resistance or unknown)".into())
                }
                "" => None,
                value => Some(Actor::parse(value).ok_or_else(|| {
                    format!("bad actor {value:?}: expected taliban, government, resistance or unknown")
                })?),
            };
            let admin1 = get("admin1_code");
            let (place, origin, destination) = match event_type {
                EventType::Displacement => {
                    let origin = resolve_place(g, get("origin_id"), get("origin"), "")?;
                    let destination = resolve_place(g, get("destination_id"), get("destination"), "")?;
                    if origin.is_none() && destination.is_none() {
                        return Err("a displacement needs an origin or a destination".into());
                    }
                    (None, origin, destination)
                }
                _ => {
                    let place = resolve_place(g, get("place_id"), get("location"), admin1)?;
                    if place.is_none() {
                        return Err("no place: give place_id or location".into());
                    }
                    (place, None, None)
                }
            };
            let count = match get("count") {
                "" => None,
                value => {
                    let value: u64 = value.replace(',', "").parse().map_err(|_| format!("bad count {value:?}"))?;
                    let unit = CountUnit::parse(get("count_unit")).unwrap_or(CountUnit::People);
                    let vague = matches!(get("count_vague").to_ascii_lowercase().as_str(), "true" | "yes" | "1");
                    Some(Count { value, unit, vague, token: 0 })
                }
            };
            let confidence = match get("confidence") {
                "" => 1.0,
                value => value
                    .parse::<f32>()
                    .ok()
                    .filter(|c| (0.0..=1.0).contains(c))
                    .ok_or_else(|| format!("bad confidence {value:?}: expected a number from 0 to 1"))?,
            };
            let precision = date_precision("date_precision", get("date_precision"))?;
            Ok(Correction {
                event: Event {
                    id: id.to_owned(),
                    article: get("article").to_owned(),
                    date,
                    date_precision: precision,
                    event_type,
                    actor,
                    place,
                    origin,
                    destination,
                    people: count.map(|c| c.people(family_size)),
                    count,
                    confidence,
                    denied: false,
                    sentence: get("sentence").to_owned(),
                    evidence: 0..0,
                },
                drop,
            })
        };
        match row() {
            Ok(correction) => out.items.push(correction),
            Err(message) => out.errors.push(csv.error(line, message)),
        }
    }
    Ok(out)
}

/// Reads an ACLED export by ACLED's own column names. Territory changes become `control`
/// ("Non-state actor overtakes territory": the actor's side; "Government regains
/// territory": government), other battles `contested`; other event types are skipped.
/// A location resolves by name within its province, else by coordinates to the nearest
/// known place within 10 km, else to the province.
pub fn read_acled(path: &Path, g: &Gazetteer) -> Result<Read<Event>, InputError> {
    let csv = Csv::read(
        path,
        &["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "admin1", "location"],
    )?;
    let mut out = Read::default();
    for (line, record) in &csv.rows {
        let line = *line;
        if let Some(error) = csv.broken(line, record) {
            out.errors.push(error);
            continue;
        }
        let get = |c: &str| csv.get(record, c);
        if !get("event_type").eq_ignore_ascii_case("battles") {
            continue;
        }
        let row = || -> Result<Event, String> {
            let date =
                acled_date(get("event_date")).ok_or_else(|| format!("bad event_date {:?}", get("event_date")))?;
            let sub = get("sub_event_type").to_ascii_lowercase();
            let (event_type, actor) = if sub.contains("government regains territory") {
                (EventType::Control, Some(Actor::Government))
            } else if sub.contains("overtakes territory") {
                (EventType::Control, Some(acled_side(get("actor1"))))
            } else {
                (EventType::Contested, None)
            };
            let province = g
                .provinces
                .iter()
                .find(|p| {
                    let e = g.entry(p.entry);
                    e.names
                        .iter()
                        .any(|(n, _)| crate::gazetteer::fold_key(n) == crate::gazetteer::fold_key(get("admin1")))
                })
                .ok_or_else(|| format!("unknown admin1 {:?}", get("admin1")))?;
            let place =
                resolve_acled_location(g, get("location"), &province.iso_code, get("latitude"), get("longitude"))
                    .unwrap_or(province.entry);
            Ok(Event {
                id: get("event_id_cnty").to_owned(),
                article: format!("acled:{}", get("event_id_cnty")),
                date,
                date_precision: date_precision("time_precision", get("time_precision"))?,
                event_type,
                actor,
                place: Some(place),
                origin: None,
                destination: None,
                count: None,
                people: None,
                confidence: 1.0,
                denied: false,
                sentence: get("notes").to_owned(),
                evidence: 0..0,
            })
        };
        match row() {
            Ok(event) => out.items.push(event),
            Err(message) => out.errors.push(csv.error(line, message)),
        }
    }
    Ok(out)
}

/// ACLED's time precision: empty is the day itself; anything but 1, 2 or 3 is an error
/// (a 200 would have been kept, and shown in every export).
fn date_precision(column: &str, value: &str) -> Result<u8, String> {
    match value.trim() {
        "" => Ok(1),
        value => value.parse::<u8>().ok().filter(|p| (1..=3).contains(p)).ok_or_else(|| {
            format!("bad {column} {value:?}: expected 1 (the day), 2 (within a few days) or 3 (the month)")
        }),
    }
}

fn acled_side(actor: &str) -> Actor {
    let a = actor.to_ascii_lowercase();
    if a.contains("taliban") {
        Actor::Taliban
    } else if a.contains("military forces of afghanistan") || a.contains("police forces of afghanistan") {
        Actor::Government
    } else if a.contains("nrf") || a.contains("resistance") {
        Actor::Resistance
    } else {
        Actor::Unknown
    }
}

/// ACLED dates: `2021-08-10` or `10 August 2021`.
fn acled_date(value: &str) -> Option<chrono::NaiveDate> {
    parse_date(value).or_else(|| chrono::NaiveDate::parse_from_str(value.trim(), "%d %B %Y").ok())
}

fn resolve_acled_location(g: &Gazetteer, name: &str, iso: &str, lat: &str, lon: &str) -> Option<EntryId> {
    if let Some(c) = g.lookup(name).into_iter().find(|c| g.entry(c.entry).admin1_code.as_deref() == Some(iso)) {
        return Some(c.entry);
    }
    let (lat, lon) = (lat.parse::<f64>().ok()?, lon.parse::<f64>().ok()?);
    let here = geo::Point::new(lon, lat);
    use geo::{Distance, Haversine};
    g.entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind.is_settlement() && e.admin1_code.as_deref() == Some(iso))
        .filter_map(|(i, e)| e.point.map(|p| (i, Haversine.distance(here, p))))
        .filter(|(_, metres)| *metres <= 10_000.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i as EntryId)
}

/// A baseline: a status for every place (`government`, `taliban`, `unknown`…), or a CSV
/// file `place_id_or_name,status,date` (date optional: from the beginning).
pub fn read_baseline(value: &str, g: &Gazetteer) -> Result<Read<Baseline>, InputError> {
    if let Some(status) = Status::parse(value) {
        return Ok(Read {
            items: vec![Baseline { default: Some(status), places: Default::default() }],
            errors: Vec::new(),
        });
    }
    if !Path::new(value).exists() {
        // Most likely a mistyped status, so say what a status can be, not just that no such
        // file exists.
        return Err(InputError {
            file: format!("--baseline {value}"),
            line: 0,
            message: "not a status (taliban, government, resistance, contested or unknown) nor a CSV file".into(),
        });
    }
    let csv = Csv::read(Path::new(value), &["place_id_or_name", "status"])?;
    let mut baseline = Baseline::default();
    let mut errors = Vec::new();
    let mut seen: HashMap<EntryId, usize> = HashMap::new();
    for (line, record) in &csv.rows {
        let line = *line;
        if let Some(error) = csv.broken(line, record) {
            errors.push(error);
            continue;
        }
        let get = |c: &str| csv.get(record, c);
        let row = || -> Result<(EntryId, Status, Option<chrono::NaiveDate>), String> {
            let key = get("place_id_or_name");
            let place = match g.by_id(key) {
                Some(id) => id,
                None => resolve_place(g, "", key, "")?.ok_or_else(|| "empty place_id_or_name".to_owned())?,
            };
            let status = Status::parse(get("status")).ok_or_else(|| {
                format!(
                    "bad status {:?}: expected taliban, government, resistance, contested or unknown",
                    get("status")
                )
            })?;
            let date = match get("date") {
                "" => None,
                value => Some(parse_date(value).ok_or_else(|| format!("bad date {value:?}: expected YYYY-MM-DD"))?),
            };
            Ok((place, status, date))
        };
        match row() {
            Ok((place, status, date)) => {
                if let Some(first) = seen.insert(place, line) {
                    errors.push(csv.error(line, format!("{} is already given at line {first}", g.entry(place).id)));
                    continue;
                }
                baseline.places.insert(place, (status, date));
            }
            Err(message) => errors.push(csv.error(line, message)),
        }
    }
    Ok(Read { items: vec![baseline], errors })
}

/// Applies corrections to extracted events: a row with a known id replaces that event,
/// a new id adds one, `drop` (or an id in `drop_ids`) removes it.
///
/// Events are found by id through an index: a search per row made a file of 100,000
/// corrections take minutes.
pub fn apply_corrections(events: &mut Vec<Event>, corrections: Vec<Correction>, drop_ids: &[String]) {
    if corrections.is_empty() {
        // Nothing to replace or add: no index of the ids needed (a year of reports has
        // 100,000 events).
        let drop: std::collections::HashSet<&str> = drop_ids.iter().map(String::as_str).collect();
        if !drop.is_empty() {
            events.retain(|e| !drop.contains(e.id.as_str()));
        }
        record::sort(events);
        return;
    }
    let mut slots: Vec<Option<Event>> = std::mem::take(events).into_iter().map(Some).collect();
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(slots.len());
    for (i, event) in slots.iter().enumerate() {
        by_id.entry(event.as_ref().expect("just filled").id.clone()).or_insert(i);
    }
    for correction in corrections {
        match (by_id.get(&correction.event.id).copied(), correction.drop) {
            (Some(i), true) => {
                slots[i] = None;
                by_id.remove(&correction.event.id);
            }
            (Some(i), false) => slots[i] = Some(correction.event),
            (None, true) => {}
            (None, false) => {
                by_id.insert(correction.event.id.clone(), slots.len());
                slots.push(Some(correction.event));
            }
        }
    }
    let drop: std::collections::HashSet<&str> = drop_ids.iter().map(String::as_str).collect();
    events.extend(slots.into_iter().flatten().filter(|e| !drop.contains(e.id.as_str())));
    record::sort(events);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_baseline_status_says_what_a_status_can_be() {
        let g = Gazetteer::bundled();
        let err = read_baseline("occupied", &g).unwrap_err().to_string();
        assert_eq!(
            err,
            "--baseline occupied: not a status (taliban, government, resistance, contested or unknown) nor a CSV file"
        );
        assert_eq!(read_baseline("Taliban", &g).unwrap().items[0].default, Some(Status::Taliban));
    }

    #[test]
    fn errors_name_the_line_unless_about_the_whole_file() {
        let at = |line| InputError { file: "a.csv".into(), line, message: "bad".into() }.to_string();
        assert_eq!(at(3), "a.csv:3: bad");
        assert_eq!(at(0), "a.csv: bad");
    }

    #[test]
    fn an_unclosed_quote_is_refused_not_swallowing_the_rest_of_the_file() {
        let g = Gazetteer::bundled();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        std::fs::write(
            &path,
            "event_id,event_date,event_type,actor,location,sentence\n\
             a,2021-08-10,control,taliban,Kabul,\"closed\nover two lines\"\n\
             b,2021-08-10,control,taliban,Herat,\"never closed\n\
             c,2021-08-10,control,taliban,Farah,lost\n",
        )
        .unwrap();
        let read = read_corrections(&path, &g, 5.0).unwrap();
        assert_eq!(read.items.len(), 1, "{:?}", read.items);
        assert_eq!(read.errors.len(), 1);
        let error = read.errors[0].to_string();
        assert!(error.ends_with("events.csv:4: malformed CSV row: a quote opened in this row is never closed (the rest of the file would be one cell)"), "{error}");
        // A closing quote as the file's last byte is a well-formed row.
        std::fs::write(
            &path,
            "event_id,event_date,event_type,actor,location,sentence\nc,2021-08-10,control,taliban,Farah,\"x\ny\"",
        )
        .unwrap();
        assert!(read_corrections(&path, &g, 5.0).unwrap().errors.is_empty());
    }

    #[test]
    fn long_unknown_names_are_refused_without_a_slow_search() {
        let g = Gazetteer::bundled();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("start.csv");
        let long = "kandaharx ".repeat(100);
        let rows: String = (0..2000).map(|i| format!("{long}{i},taliban\n")).collect();
        std::fs::write(&path, format!("place_id_or_name,status\n{rows}")).unwrap();
        let started = std::time::Instant::now();
        let read = read_baseline(path.to_str().unwrap(), &g).unwrap();
        assert_eq!(read.errors.len(), 2000);
        let message = read.errors[0].to_string();
        assert!(
            message.ends_with(
                "unknown place \"kandaharx kandaharx kandaharx kandaharx kandaharx kandaharx kand\"… (1001 characters)"
            ),
            "{message}"
        );
        // Seconds per row before (an edit distance to every gazetteer name); generous for debug builds.
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
        // A short misspelling still gets its suggestions.
        assert!(unknown(&g, "Kandaharr").contains("did you mean Kandahar"), "{}", unknown(&g, "Kandaharr"));
    }

    #[test]
    fn corrections_replace_add_and_drop_by_id_in_linear_time() {
        let event = |id: &str, day: u32| Event {
            id: id.to_owned(),
            article: "a".to_owned(),
            date: chrono::NaiveDate::from_ymd_opt(2021, 8, day).unwrap(),
            date_precision: 1,
            event_type: EventType::Contested,
            actor: None,
            place: Some(0),
            origin: None,
            destination: None,
            count: None,
            people: None,
            confidence: 1.0,
            denied: false,
            sentence: String::new(),
            evidence: 0..0,
        };
        let fix = |id: &str, day: u32, drop: bool| Correction { event: event(id, day), drop };
        let mut events = vec![event("a-1", 3), event("a-2", 4), event("a-3", 5)];
        let corrections = vec![
            fix("a-2", 9, false), // replaced
            fix("a-1", 1, true),  // dropped
            fix("b-1", 2, false), // added
            fix("b-1", 6, false), // the added one, corrected
            fix("a-1", 7, false), // dropped, then added again
            fix("zz", 1, true),   // dropping what is not there
        ];
        apply_corrections(&mut events, corrections, &["a-3".to_owned()]);
        let got: Vec<(&str, u32)> = events.iter().map(|e| (e.id.as_str(), chrono::Datelike::day(&e.date))).collect();
        assert_eq!(got, [("b-1", 6), ("a-1", 7), ("a-2", 9)]);

        let n = 100_000;
        let mut events: Vec<Event> = (0..n).map(|i| event(&format!("e-{i}"), 1)).collect();
        let corrections = (0..n).map(|i| fix(&format!("c-{i}"), 2, false)).collect();
        let started = std::time::Instant::now();
        apply_corrections(&mut events, corrections, &[]);
        assert_eq!(events.len(), 2 * n);
        // Minutes before, a search per row; well under a second now, even in a debug build.
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }

    #[test]
    fn neutralised_cells_of_an_export_read_back_as_the_original_values() {
        let g = Gazetteer::bundled();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        // As `eventmap events` writes an event of the article `=HYPERLINK("x")`.
        std::fs::write(
            &path,
            "event_id,article,event_date,event_type,actor,location,sentence\n\
             \"'=HYPERLINK(\"\"x\"\")-1\",\"'=HYPERLINK(\"\"x\"\")\",2021-08-10,control,taliban,Kabul,'@SUM(1) fell\n",
        )
        .unwrap();
        let read = read_corrections(&path, &g, 5.0).unwrap();
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        let event = &read.items[0].event;
        assert_eq!(event.id, "=HYPERLINK(\"x\")-1");
        assert_eq!(event.article, "=HYPERLINK(\"x\")");
        assert_eq!(event.sentence, "@SUM(1) fell");
    }
}
