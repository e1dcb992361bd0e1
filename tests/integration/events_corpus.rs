//! Event extraction accuracy on the team's own corpora: precision and recall per event
//! type (control at least 0.9, with the right actor; contested and displacement at least
//! 0.8) on tests/corpus/events, the development corpus; at least 0.8 each on
//! tests/corpus/holdout, written separately and first scored before any tuning on it;
//! floors on tests/corpus/blind, written last by another hand; and the share of matched
//! events with the right date.

use crate::util::repo;
use eventmap::extract::{self, Event, EventType, Options};
use eventmap::gazetteer::{fold_key, EntryId, Gazetteer};
use eventmap::geoparse::Geoparser;
use eventmap::ingest;
use std::collections::BTreeMap;

struct Gold {
    article: String,
    event_type: EventType,
    actor: String,
    place: String,
    origin: String,
    destination: String,
    date: String,
}

fn gold(answers: &str) -> Vec<Gold> {
    let mut reader = csv::Reader::from_path(repo().join(answers)).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Gold {
                article: r[0].to_owned(),
                event_type: EventType::parse(&r[1]).unwrap(),
                actor: r[2].to_owned(),
                place: r[3].to_owned(),
                origin: r[4].to_owned(),
                destination: r[5].to_owned(),
                date: r[9].to_owned(),
            }
        })
        .collect()
}

/// Does a gold place reference ("AF-KDZ", "Kunduz; AF-KDZ", "Chaman", "") name this entry?
fn same_place(g: &Gazetteer, reference: &str, entry: Option<EntryId>) -> bool {
    let Some(entry) = entry else { return reference.is_empty() };
    if reference.is_empty() {
        return false;
    }
    let e = g.entry(entry);
    if reference.starts_with("AF-") && !reference.contains(';') {
        return e.id == reference;
    }
    let (name, province) = match reference.split_once(';') {
        Some((n, p)) => (n.trim(), Some(p.trim())),
        None => (reference.trim(), None),
    };
    if province.is_some() && e.admin1_code.as_deref() != province {
        return false;
    }
    let key = fold_key(name);
    e.names.iter().any(|(n, _)| fold_key(n) == key) || g.lookup(name).iter().take(3).any(|c| c.entry == entry)
}

fn predicted(g: &Gazetteer, corpus: &str) -> Vec<Event> {
    let parser = Geoparser::new(g);
    let mut events = Vec::new();
    for article in ingest::read_articles(&[repo().join(corpus)]) {
        let article = article.unwrap();
        events.extend(extract::extract(&article, &parser.parse(&article.body), g, &Options::default()));
    }
    // Denied reports are kept with low confidence for the editor; they are not asserted events.
    events.retain(|e| !e.denied);
    events
}

fn matches(g: &Gazetteer, gold: &Gold, e: &Event) -> bool {
    gold.article == e.article
        && gold.event_type == e.event_type
        && match e.event_type {
            EventType::Displacement => {
                same_place(g, &gold.origin, e.origin) && same_place(g, &gold.destination, e.destination)
            }
            _ => same_place(g, &gold.place, e.place),
        }
        && (e.event_type != EventType::Control || e.actor.map(|a| a.to_string()) == Some(gold.actor.clone()))
}

#[test]
fn events_precision_and_recall_on_the_corpus() {
    score("tests/corpus/events", "tests/corpus/events/expected.csv", [0.9, 0.8, 0.8]);
}

#[test]
fn events_precision_and_recall_on_the_holdout() {
    score("tests/corpus/holdout", "tests/corpus/holdout/events.csv", [0.8, 0.8, 0.8]);
}

/// First run on the blind corpus: control 0.71 / 0.53, contested 0.67 / 0.78,
/// displacement 0.58 / 0.50; after general fixes made with its misses in view, 0.83 / 0.86,
/// 0.83 / 0.83 and 0.63 / 0.57. Floors just below those catch a slide back while the gap
/// to the development corpus stays visible (tests/corpus/README.md).
#[test]
fn events_precision_and_recall_on_the_blind_corpus() {
    score("tests/corpus/blind", "tests/corpus/blind/events.csv", [0.8, 0.8, 0.55]);
}

/// Thresholds for control, contested, displacement.
fn score(corpus: &str, answers: &str, thresholds: [f64; 3]) {
    let g = Gazetteer::bundled();
    let gold = gold(answers);
    let predicted = predicted(&g, corpus);
    let mut used = vec![false; predicted.len()];
    let mut report = String::new();
    let mut scores = BTreeMap::new();
    let mut dates_right = 0;
    let mut matched_total = 0;
    for event_type in [EventType::Control, EventType::Contested, EventType::Displacement] {
        let mut true_positives = 0;
        for item in gold.iter().filter(|x| x.event_type == event_type) {
            let found = predicted.iter().enumerate().find(|(i, e)| !used[*i] && matches(&g, item, e));
            match found {
                Some((i, e)) => {
                    used[i] = true;
                    true_positives += 1;
                    matched_total += 1;
                    if e.date.to_string() == item.date {
                        dates_right += 1;
                    } else {
                        report.push_str(&format!(
                            "  date {} {:?} {}: got {}, expected {}\n",
                            item.article, event_type, item.place, e.date, item.date
                        ));
                    }
                }
                None => report.push_str(&format!(
                    "  missed {} {} actor={} place={} origin={} destination={}\n",
                    item.article, event_type, item.actor, item.place, item.origin, item.destination
                )),
            }
        }
        let gold_n = gold.iter().filter(|x| x.event_type == event_type).count();
        let predicted_n = predicted.iter().filter(|e| e.event_type == event_type).count();
        scores.insert(
            event_type,
            (true_positives as f64 / predicted_n.max(1) as f64, true_positives as f64 / gold_n.max(1) as f64),
        );
    }
    for (i, e) in predicted.iter().enumerate().filter(|(i, _)| !used[*i]) {
        let _ = i;
        let name = |id: Option<EntryId>| id.map(|x| g.entry(x).name.clone()).unwrap_or_default();
        report.push_str(&format!(
            "  spurious {} {} actor={:?} place={} origin={} destination={} :: {}\n",
            e.article,
            e.event_type,
            e.actor,
            name(e.place),
            name(e.origin),
            name(e.destination),
            e.sentence
        ));
    }
    let date_accuracy = dates_right as f64 / matched_total.max(1) as f64;
    let summary = format!("{scores:?}\ndates right: {date_accuracy:.3}\n{report}");
    println!("{summary}");
    let (control_p, control_r) = scores[&EventType::Control];
    let (contested_p, contested_r) = scores[&EventType::Contested];
    let (displacement_p, displacement_r) = scores[&EventType::Displacement];
    let [control, contested, displacement] = thresholds;
    assert!(control_p >= control && control_r >= control, "{corpus} control\n{summary}");
    assert!(contested_p >= contested && contested_r >= contested, "{corpus} contested\n{summary}");
    assert!(displacement_p >= displacement && displacement_r >= displacement, "{corpus} displacement\n{summary}");
    assert!(date_accuracy >= 0.85, "dates\n{summary}");
}
