//! Control of each place over time, built from events in date order plus an editor's
//! corrections and a starting state.
//!
//! Rules:
//! - a `control` event (confidence at least [`MIN_CONFIDENCE`], not a denial, with a
//!   known actor) sets the place's status to its actor from its date on;
//! - a place is `contested` while fighting is reported there after its last change of
//!   hands, for `window` days after the latest report;
//! - same-day conflicting control reports: the later report wins (later article date,
//!   then later in the input) and the place is flagged `disputed` until it next changes;
//! - a province follows [`ProvinceRule`]: by default its capital (the "provincial
//!   capitals" maps of 2021), or the share of its known places held.

pub mod inputs;
mod status;

pub use status::Status;

use crate::extract::{Actor, Event, EventType};
use crate::gazetteer::{EntryId, Gazetteer, Kind};
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// Events below this confidence (denials, guesses) are shown but change nothing.
pub const MIN_CONFIDENCE: f32 = 0.5;

/// How a province's status follows its places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProvinceRule {
    /// The status of its capital (or, while the capital has none, of reports about the
    /// province as a whole).
    #[default]
    Capital,
    /// The status held by more than half of its places with a known status; `contested`
    /// when none has a majority.
    Share,
}

/// Settings of a ledger.
#[derive(Clone, Debug)]
pub struct Options {
    /// Days a place stays contested after the latest fighting reported there.
    pub contested_days: i64,
    pub province_rule: ProvinceRule,
}

impl Default for Options {
    fn default() -> Self {
        Options { contested_days: 7, province_rule: ProvinceRule::Capital }
    }
}

/// The starting state of places before any event.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// Status of every place not listed.
    pub default: Option<Status>,
    /// Per place: status and the date it holds from (`None`: from the beginning).
    pub places: BTreeMap<EntryId, (Status, Option<NaiveDate>)>,
}

/// A change of hands.
#[derive(Clone, Debug, PartialEq)]
struct Change {
    date: NaiveDate,
    status: Status,
    event_id: Option<String>,
    article: Option<String>,
    disputed: bool,
}

/// Fighting reported at a place.
#[derive(Clone, Debug, PartialEq)]
struct Fight {
    date: NaiveDate,
    event_id: String,
    article: String,
}

#[derive(Clone, Debug, Default)]
struct History {
    changes: Vec<Change>,
    fights: Vec<Fight>,
}

/// The state of a place on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceState {
    pub status: Status,
    /// Since when it has had this status (`None`: from the baseline, no date).
    pub since: Option<NaiveDate>,
    pub disputed: bool,
    /// The event that set it.
    pub event_id: Option<String>,
    pub article: Option<String>,
}

/// The state of a province on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvinceState {
    pub state: PlaceState,
    pub capital: EntryId,
    pub capital_state: PlaceState,
    /// Places in the province with a status, by status.
    pub counts: BTreeMap<Status, usize>,
}

/// Control of every tracked place over time.
pub struct Ledger {
    histories: BTreeMap<EntryId, History>,
    baseline: Baseline,
    options: Options,
    /// Every place with a status or an event, and every province and capital.
    tracked: Vec<EntryId>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

/// An event as the ledger takes it: which report, in which order.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub event: &'a Event,
    /// Publication date of the article (for "the later article wins").
    pub published: Option<NaiveDate>,
    /// Position in the input, for ties.
    pub order: usize,
}

impl Ledger {
    /// Builds the ledger from events (already corrected) and a baseline.
    pub fn build(gazetteer: &Gazetteer, events: &[Entry<'_>], baseline: Baseline, options: Options) -> Ledger {
        let mut sorted: Vec<&Entry<'_>> = events
            .iter()
            .filter(|e| e.event.confidence >= MIN_CONFIDENCE && !e.event.denied)
            .filter(|e| e.event.event_type != EventType::Displacement)
            .collect();
        sorted.sort_by(|a, b| {
            a.event.date.cmp(&b.event.date).then(a.published.cmp(&b.published)).then(a.order.cmp(&b.order))
        });
        let mut histories: BTreeMap<EntryId, History> = BTreeMap::new();
        for entry in &sorted {
            let event = entry.event;
            let Some(place) = event.place else { continue };
            let history = histories.entry(place).or_default();
            match event.event_type {
                EventType::Control => {
                    let status = match event.actor {
                        Some(Actor::Taliban) => Status::Taliban,
                        Some(Actor::Government) => Status::Government,
                        Some(Actor::Resistance) => Status::Resistance,
                        // A fall with no holder named says too little to recolour a place.
                        Some(Actor::Unknown) | None => continue,
                    };
                    // A second report of the same day: the later one wins; if they disagree
                    // the day is disputed.
                    if let Some(last) = history.changes.last_mut().filter(|c| c.date == event.date) {
                        let disagree = last.status != status;
                        *last = Change {
                            date: event.date,
                            status,
                            event_id: Some(event.id.clone()),
                            article: Some(event.article.clone()),
                            disputed: last.disputed || disagree,
                        };
                        continue;
                    }
                    // A repeated report of the same holder changes nothing.
                    if history.changes.last().map(|c| c.status == status).unwrap_or(false) {
                        continue;
                    }
                    history.changes.push(Change {
                        date: event.date,
                        status,
                        event_id: Some(event.id.clone()),
                        article: Some(event.article.clone()),
                        disputed: false,
                    });
                }
                EventType::Contested => history.fights.push(Fight {
                    date: event.date,
                    event_id: event.id.clone(),
                    article: event.article.clone(),
                }),
                EventType::Displacement => {}
            }
        }
        let mut tracked: BTreeSet<EntryId> = histories.keys().copied().collect();
        tracked.extend(baseline.places.keys().copied());
        for province in &gazetteer.provinces {
            tracked.insert(province.entry);
            tracked.insert(province.capital);
        }
        let dates = events.iter().map(|e| e.event.date);
        let first = dates.clone().min();
        let last = dates.max();
        let mut tracked: Vec<EntryId> = tracked.into_iter().collect();
        tracked.sort_by(|a, b| gazetteer.entry(*a).id.cmp(&gazetteer.entry(*b).id));
        Ledger { histories, baseline, options, tracked, first, last }
    }

    /// First and last event dates.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.first?, self.last?))
    }

    /// Every place with a status or an event, every province and every capital, by id.
    pub fn tracked(&self) -> &[EntryId] {
        &self.tracked
    }

    fn baseline_state(&self, place: EntryId, date: NaiveDate) -> PlaceState {
        let (status, since) = match self.baseline.places.get(&place) {
            Some((status, since)) if since.map(|s| s <= date).unwrap_or(true) => (*status, *since),
            _ => (self.baseline.default.unwrap_or(Status::Unknown), None),
        };
        PlaceState { status, since, disputed: false, event_id: None, article: None }
    }

    /// A place's state on `date`.
    pub fn state(&self, place: EntryId, date: NaiveDate) -> PlaceState {
        let Some(history) = self.histories.get(&place) else { return self.baseline_state(place, date) };
        let held = history.changes.partition_point(|c| c.date <= date);
        let mut state = match held.checked_sub(1).map(|i| &history.changes[i]) {
            Some(change) => PlaceState {
                status: change.status,
                since: Some(change.date),
                disputed: change.disputed,
                event_id: change.event_id.clone(),
                article: change.article.clone(),
            },
            None => self.baseline_state(place, date),
        };
        // Fighting after the last change of hands, recent enough.
        let changed = state.event_id.as_ref().and(state.since);
        // The fights after it, newest (last recorded) first: walked, not collected, as this
        // runs for every place on every day of a build.
        let window = Duration::days(self.options.contested_days);
        let mut fights =
            history.fights.iter().rev().filter(|f| f.date <= date && changed.map(|c| f.date > c).unwrap_or(true));
        if let Some(latest) = fights.next() {
            if date - latest.date < window {
                // The streak of fighting this belongs to: no gap longer than the window.
                let mut start = latest;
                for earlier in fights {
                    if start.date - earlier.date < window {
                        start = earlier;
                    } else {
                        break;
                    }
                }
                state = PlaceState {
                    status: Status::Contested,
                    since: Some(start.date),
                    disputed: state.disputed,
                    event_id: Some(latest.event_id.clone()),
                    article: Some(latest.article.clone()),
                };
            }
        }
        state
    }

    /// A province's state on `date`, by the ledger's province rule.
    pub fn province_state(&self, gazetteer: &Gazetteer, iso_code: &str, date: NaiveDate) -> Option<ProvinceState> {
        let shape = gazetteer.province(iso_code)?;
        let capital_state = self.state(shape.capital, date);
        let own = self.state(shape.entry, date);
        let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
        for place in &self.tracked {
            let entry = gazetteer.entry(*place);
            if entry.kind == Kind::Province || entry.admin1_code.as_deref() != Some(iso_code) {
                continue;
            }
            let status = self.state(*place, date).status;
            if status != Status::Unknown {
                *counts.entry(status).or_default() += 1;
            }
        }
        let state = match self.options.province_rule {
            ProvinceRule::Capital if capital_state.status != Status::Unknown || own.status == Status::Unknown => {
                capital_state.clone()
            }
            ProvinceRule::Capital => own,
            ProvinceRule::Share => {
                let known: usize = counts.values().sum();
                let majority = counts.iter().find(|(_, n)| **n * 2 > known).map(|(s, _)| *s);
                match (known, majority) {
                    (0, _) => own,
                    (_, Some(status)) => {
                        PlaceState { status, since: None, disputed: false, event_id: None, article: None }
                    }
                    (_, None) => PlaceState {
                        status: Status::Contested,
                        since: None,
                        disputed: false,
                        event_id: None,
                        article: None,
                    },
                }
            }
        };
        Some(ProvinceState { state, capital: shape.capital, capital_state, counts })
    }

    /// Days on which anything changes for a place or province: event dates, and the days
    /// contested windows end.
    pub fn change_days(&self) -> BTreeSet<NaiveDate> {
        let mut days = BTreeSet::new();
        for history in self.histories.values() {
            days.extend(history.changes.iter().map(|c| c.date));
            for fight in &history.fights {
                days.insert(fight.date);
                days.insert(fight.date + Duration::days(self.options.contested_days));
            }
        }
        days
    }
}

/// Most days `build` and `ledger` cover when the dates come from the events rather than
/// from `--from` and `--to`: ten years. One mistyped (or hostile) year in an article or a
/// CSV row would otherwise make a map folder, or a ledger row per place, for every day
/// between it and the rest.
pub const MAX_DEFAULT_DAYS: i64 = 3660;

/// Every date from `from` to `to`, inclusive.
pub fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

#[cfg(test)]
mod tests;
