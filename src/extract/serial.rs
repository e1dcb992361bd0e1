//! An [`Event`] as it is written to disk: in the build's extraction cache
//! (`.eventmap/extracted.json`) and in the runs `eventmap events` spills while sorting
//! (see [`super::sorted`]). One serialisable mirror of `Event`, so that a field added to
//! `Event` is added to both at once.

use super::{Actor, Count, CountUnit, Event, EventType};
use crate::gazetteer::EntryId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An [`Event`], field for field (the conversions name every field, so a new one does
/// not compile until it is added here).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct SerialEvent {
    id: String,
    article: String,
    date: NaiveDate,
    date_precision: u8,
    event_type: EventType,
    actor: Option<Actor>,
    place: Option<EntryId>,
    origin: Option<EntryId>,
    destination: Option<EntryId>,
    /// Value, unit (0 people, 1 families, 2 households), vague, token.
    count: Option<(u64, u8, bool, usize)>,
    people: Option<u64>,
    confidence: f32,
    denied: bool,
    sentence: String,
    evidence: (usize, usize),
}

impl From<&Event> for SerialEvent {
    fn from(event: &Event) -> SerialEvent {
        SerialEvent::from(event.clone())
    }
}

impl From<Event> for SerialEvent {
    fn from(event: Event) -> SerialEvent {
        let Event {
            id,
            article,
            date,
            date_precision,
            event_type,
            actor,
            place,
            origin,
            destination,
            count,
            people,
            confidence,
            denied,
            sentence,
            evidence,
        } = event;
        let unit = |u: CountUnit| match u {
            CountUnit::People => 0,
            CountUnit::Families => 1,
            CountUnit::Households => 2,
        };
        SerialEvent {
            id,
            article,
            date,
            date_precision,
            event_type,
            actor,
            place,
            origin,
            destination,
            count: count.map(|Count { value, unit: u, vague, token }| (value, unit(u), vague, token)),
            people,
            confidence,
            denied,
            sentence,
            evidence: (evidence.start, evidence.end),
        }
    }
}

impl From<SerialEvent> for Event {
    fn from(event: SerialEvent) -> Event {
        let SerialEvent {
            id,
            article,
            date,
            date_precision,
            event_type,
            actor,
            place,
            origin,
            destination,
            count,
            people,
            confidence,
            denied,
            sentence,
            evidence,
        } = event;
        let unit = |u: u8| match u {
            1 => CountUnit::Families,
            2 => CountUnit::Households,
            _ => CountUnit::People,
        };
        Event {
            id,
            article,
            date,
            date_precision,
            event_type,
            actor,
            place,
            origin,
            destination,
            count: count.map(|(value, u, vague, token)| Count { value, unit: unit(u), vague, token }),
            people,
            confidence,
            denied,
            sentence,
            evidence: evidence.0..evidence.1,
        }
    }
}
