//! Ledger rules on small, hand-made event series.

use super::*;
use crate::extract::{Actor, Event, EventType};
use std::sync::OnceLock;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn place(name: &str) -> EntryId {
    gazetteer().lookup(name)[0].entry
}

fn event(id: &str, date: &str, event_type: EventType, actor: Option<Actor>, name: &str) -> Event {
    Event {
        id: id.into(),
        article: id.split('-').next().unwrap().into(),
        date: d(date),
        date_precision: 1,
        event_type,
        actor,
        place: Some(place(name)),
        origin: None,
        destination: None,
        count: None,
        people: None,
        confidence: 0.85,
        denied: false,
        sentence: String::new(),
        evidence: 0..0,
    }
}

fn ledger(events: &[Event], baseline: Baseline, options: Options) -> Ledger {
    let entries: Vec<Entry<'_>> =
        events.iter().enumerate().map(|(order, event)| Entry { event, published: Some(event.date), order }).collect();
    Ledger::build(gazetteer(), &entries, baseline, options)
}

#[test]
fn capture_then_recapture() {
    let events = [
        event("a-1", "2021-08-08", EventType::Control, Some(Actor::Taliban), "Kunduz"),
        event("b-1", "2021-08-20", EventType::Control, Some(Actor::Government), "Kunduz"),
    ];
    let l = ledger(&events, Baseline { default: Some(Status::Government), ..Default::default() }, Options::default());
    let kunduz = place("Kunduz");
    assert_eq!(l.state(kunduz, d("2021-08-07")).status, Status::Government);
    let s = l.state(kunduz, d("2021-08-10"));
    assert_eq!((s.status, s.since, s.event_id.as_deref()), (Status::Taliban, Some(d("2021-08-08")), Some("a-1")));
    assert_eq!(l.state(kunduz, d("2021-08-21")).status, Status::Government);
}

#[test]
fn contested_window_expires() {
    let events = [
        event("a-1", "2021-08-01", EventType::Control, Some(Actor::Government), "Herat"),
        event("b-1", "2021-08-03", EventType::Contested, None, "Herat"),
        event("c-1", "2021-08-05", EventType::Contested, None, "Herat"),
    ];
    let l = ledger(&events, Baseline::default(), Options { contested_days: 7, ..Options::default() });
    let herat = place("Herat");
    assert_eq!(l.state(herat, d("2021-08-02")).status, Status::Government);
    let s = l.state(herat, d("2021-08-06"));
    assert_eq!((s.status, s.since), (Status::Contested, Some(d("2021-08-03"))));
    assert_eq!(l.state(herat, d("2021-08-11")).status, Status::Contested);
    assert_eq!(l.state(herat, d("2021-08-12")).status, Status::Government, "7 days after the last fighting");
}

#[test]
fn fighting_before_a_capture_does_not_contest_it() {
    let events = [
        event("a-1", "2021-08-05", EventType::Contested, None, "Ghazni"),
        event("a-2", "2021-08-12", EventType::Control, Some(Actor::Taliban), "Ghazni"),
    ];
    let l = ledger(&events, Baseline::default(), Options::default());
    assert_eq!(l.state(place("Ghazni"), d("2021-08-13")).status, Status::Taliban);
}

#[test]
fn same_day_conflict_later_article_wins_and_is_disputed() {
    let mut a = event("a-1", "2021-08-11", EventType::Control, Some(Actor::Taliban), "Ghazni");
    let mut b = event("b-1", "2021-08-11", EventType::Control, Some(Actor::Government), "Ghazni");
    a.article = "a".into();
    b.article = "b".into();
    let entries = [
        Entry { event: &a, published: Some(d("2021-08-11")), order: 0 },
        Entry { event: &b, published: Some(d("2021-08-12")), order: 1 },
    ];
    let l = Ledger::build(gazetteer(), &entries, Baseline::default(), Options::default());
    let s = l.state(place("Ghazni"), d("2021-08-11"));
    assert_eq!((s.status, s.disputed, s.article.as_deref()), (Status::Government, true, Some("b")));
}

#[test]
fn denials_and_low_confidence_change_nothing() {
    let mut e = event("a-1", "2021-08-11", EventType::Control, Some(Actor::Taliban), "Ghazni");
    e.denied = true;
    e.confidence = 0.2;
    let l = ledger(&[e], Baseline { default: Some(Status::Government), ..Default::default() }, Options::default());
    assert_eq!(l.state(place("Ghazni"), d("2021-08-12")).status, Status::Government);
}

#[test]
fn province_follows_its_capital_or_the_share_of_its_places() {
    let events = [
        event("a-1", "2021-07-01", EventType::Control, Some(Actor::Taliban), "Imam Sahib"),
        event("a-2", "2021-07-02", EventType::Control, Some(Actor::Taliban), "Khanabad"),
        event("a-3", "2021-07-03", EventType::Control, Some(Actor::Government), "Kunduz"),
    ];
    let by_capital = ledger(&events, Baseline::default(), Options::default());
    let p = by_capital.province_state(gazetteer(), "AF-KDZ", d("2021-07-05")).unwrap();
    assert_eq!(p.state.status, Status::Government);
    assert_eq!(p.counts.get(&Status::Taliban), Some(&2));
    let by_share =
        ledger(&events, Baseline::default(), Options { province_rule: ProvinceRule::Share, ..Options::default() });
    assert_eq!(by_share.province_state(gazetteer(), "AF-KDZ", d("2021-07-05")).unwrap().state.status, Status::Taliban);
}

#[test]
fn a_province_wide_report_counts_while_the_capital_has_none() {
    let events = [event("a-1", "2021-09-06", EventType::Control, Some(Actor::Taliban), "Panjshir")];
    let l = ledger(&events, Baseline::default(), Options::default());
    assert_eq!(l.province_state(gazetteer(), "AF-PAN", d("2021-09-07")).unwrap().state.status, Status::Taliban);
}
