//! Extraction on short articles, against the bundled gazetteer.

use super::*;
use crate::geoparse::Geoparser;
use std::sync::OnceLock;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

fn events(date: &str, body: &str) -> Vec<Event> {
    let g = gazetteer();
    let article = crate::ingest::parse_text_article("a", "a.txt", format!("date {date}\n{body}").as_bytes()).unwrap();
    let parsed = Geoparser::new(g).parse(&article.body);
    extract(&article, &parsed, g, &Options::default())
}

fn name(id: Option<EntryId>) -> String {
    id.map(|e| gazetteer().entry(e).name.clone()).unwrap_or_default()
}

/// (type, actor, place, origin, destination, date) of each event.
fn summary(date: &str, body: &str) -> Vec<(String, String, String, String, String, String)> {
    events(date, body)
        .into_iter()
        .filter(|e| !e.denied)
        .map(|e| {
            (
                e.event_type.to_string(),
                e.actor.map(|a| a.to_string()).unwrap_or_default(),
                name(e.place),
                name(e.origin),
                name(e.destination),
                e.date.to_string(),
            )
        })
        .collect()
}

fn ev(
    t: &str,
    actor: &str,
    place: &str,
    origin: &str,
    destination: &str,
    date: &str,
) -> (String, String, String, String, String, String) {
    (t.into(), actor.into(), place.into(), origin.into(), destination.into(), date.into())
}

#[test]
fn captures_with_lists_and_weekdays() {
    assert_eq!(
        summary("2021-08-10", "The Taliban captured Sar-e Pul, Sheberghan and Taloqan on Sunday."),
        [
            ev("control", "taliban", "Sar-e Pul", "", "", "2021-08-08"),
            ev("control", "taliban", "Sheberghan", "", "", "2021-08-08"),
            ev("control", "taliban", "Taloqan", "", "", "2021-08-08"),
        ]
    );
    assert_eq!(
        summary("2021-08-07", "Zaranj, the capital of Nimruz province, fell to the Taliban on Friday."),
        [ev("control", "taliban", "Zaranj", "", "", "2021-08-06")]
    );
    assert_eq!(
        summary("2021-08-10", "Kunduz, a city in northern Afghanistan, was overrun by the Taliban."),
        [ev("control", "taliban", "Kunduz", "", "", "2021-08-10")]
    );
}

#[test]
fn recaptures_belong_to_who_took_back() {
    assert_eq!(
        summary("2021-07-20", "Government forces recaptured Arghandab district yesterday."),
        [ev("control", "government", "Arghandab", "", "", "2021-07-19")]
    );
    assert_eq!(
        summary("2021-08-23", "Resistance fighters pushed the Taliban out of Andarab."),
        [ev("control", "resistance", "Andarab", "", "", "2021-08-23")]
    );
}

#[test]
fn hypotheses_intentions_and_aggregates_are_not_events() {
    assert!(summary("2021-08-10", "Mazar-i-Sharif, whose fall would signify the end of government power.").is_empty());
    assert!(summary("2021-08-10", "The Taliban threatened to take Kandahar.").is_empty());
    assert!(summary("2021-08-10", "If Kabul falls, the government is finished.").is_empty());
    assert!(summary("2021-08-10", "The Taliban took control of six provincial capitals on Tuesday.").is_empty());
}

#[test]
fn failures_are_fighting_and_denials_are_flagged() {
    assert_eq!(
        summary("2021-07-08", "The Taliban failed to capture Qala-e-Naw on Wednesday."),
        [ev("contested", "", "Qala-e-Naw", "", "", "2021-07-07")]
    );
    let denied = events("2021-08-11", "Officials denied that Ghazni had fallen to the Taliban.");
    assert_eq!(denied.len(), 1);
    assert!(denied[0].denied && denied[0].confidence < 0.5);
}

#[test]
fn entering_a_city_is_taking_it_unless_the_fighting_goes_on() {
    assert_eq!(
        summary("2021-08-15", "Taliban fighters entered Kabul on Sunday."),
        [ev("control", "taliban", "Kabul", "", "", "2021-08-15")]
    );
    assert_eq!(
        summary("2021-08-06", "Heavy fighting broke out inside Sheberghan as Taliban fighters entered the city."),
        [ev("contested", "", "Sheberghan", "", "", "2021-08-06")]
    );
    assert_eq!(
        summary("2021-08-06", "Fighting ended when Taliban fighters entered Sheberghan and raised their flag."),
        [ev("control", "taliban", "Sheberghan", "", "", "2021-08-06")]
    );
}

#[test]
fn a_person_who_fled_is_displacement_a_leader_or_a_force_is_not() {
    assert_eq!(
        summary("2021-08-10", "Rahima, who fled Sheberghan, is now camped in a park in Kabul."),
        [ev("displacement", "", "", "Sheberghan", "Kabul", "2021-08-10")]
    );
    assert_eq!(
        summary("2021-08-10", "She fled Kunduz on Sunday."),
        [ev("displacement", "", "", "Kunduz", "", "2021-08-08")]
    );
    assert!(summary("2021-08-15", "President Ashraf Ghani fled Kabul on Sunday.").is_empty());
    assert!(summary("2021-08-10", "The Taliban fled Kunduz.").is_empty());
}

#[test]
fn the_city_refers_back() {
    assert_eq!(
        summary("2021-08-12", "Herat was quiet. The Taliban captured the city on Thursday."),
        [ev("control", "taliban", "Herat", "", "", "2021-08-12")]
    );
}

#[test]
fn displacement_with_counts() {
    let e = events("2021-08-10", "About 17,000 families fled Kunduz to Kabul, officials said.");
    assert_eq!((name(e[0].origin), name(e[0].destination)), ("Kunduz".to_owned(), "Kabul".to_owned()));
    let count = e[0].count.unwrap();
    assert_eq!(
        (count.value, count.unit, count.vague, e[0].people),
        (17_000, CountUnit::Families, false, Some(119_000))
    );
    let e = events("2021-08-10", "Hundreds of families crossed into Chaman from Spin Boldak.");
    assert_eq!((name(e[0].origin), name(e[0].destination)), ("Spin Boldak".to_owned(), "Chaman".to_owned()));
    assert!(e[0].count.unwrap().vague);
}

#[test]
fn a_run_on_sentence_of_thousands_of_words_is_read_in_linear_time() {
    // 24,000 words without a full stop. Read as one sentence, every trigger looked across
    // all of it: 32 s of CPU (release) for 760 KB of this; now windows of 250 tokens.
    let body = "the Taliban captured Kabul and fighting in Herat, families fled from Kunduz to Mazar-i-Sharif, "
        .repeat(2000)
        + "and the Taliban captured Ghazni on Sunday.";
    let started = std::time::Instant::now();
    let found = summary("2021-08-10", &body);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    for place in ["Kabul", "Herat", "Ghazni"] {
        assert!(found.iter().any(|e| e.2 == place), "{place}: {found:?}");
    }
}
