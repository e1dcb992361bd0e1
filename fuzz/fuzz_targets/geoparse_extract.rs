//! Fuzzes the geoparser and the event extractor on arbitrary UTF-8 against the
//! bundled gazetteer: never a panic; every mention's byte range lies on char
//! boundaries inside the body; every event's evidence does too, and no event is dated
//! after its article.

#![no_main]

mod common;

use chrono::NaiveDate;
use eventmap::extract::{extract, Options};
use eventmap::geoparse::Geoparser;
use eventmap::ingest::{Article, Origin};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn parser() -> &'static Geoparser<'static> {
    static P: OnceLock<Geoparser<'static>> = OnceLock::new();
    P.get_or_init(|| Geoparser::new(common::gazetteer()))
}

fn check_range(body: &str, start: usize, end: usize, what: &str) {
    assert!(start <= end && end <= body.len(), "{what} {start}..{end} outside a body of {} bytes", body.len());
    assert!(body.is_char_boundary(start) && body.is_char_boundary(end), "{what} {start}..{end} splits a char");
}

fuzz_target!(|data: &[u8]| {
    // The first two bytes pick the article date (any day of 2000–2089), the rest is the body.
    let (date, body) = match data {
        [a, b, rest @ ..] => {
            let days = u16::from_le_bytes([*a, *b]) as i64 % (90 * 365);
            (NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days), rest)
        }
        _ => return,
    };
    let Ok(body) = std::str::from_utf8(body) else { return };
    let parsed = parser().parse(body);
    for m in &parsed.mentions {
        check_range(body, m.start, m.end, "mention");
        assert!(m.start < m.end, "an empty mention at {}", m.start);
        assert!(m.tokens.start < m.tokens.end && m.tokens.end <= parsed.tokens.tokens.len());
        assert!((0.0..=1.0).contains(&m.confidence), "confidence {}", m.confidence);
    }
    let article = Article {
        id: "fuzz".to_owned(),
        date: Some(date),
        title: String::new(),
        body: body.to_owned(),
        source: None,
        url: None,
        origin: Origin { path: "fuzz.txt".to_owned(), line: None },
        warnings: Vec::new(),
    };
    let events = extract(&article, &parsed, common::gazetteer(), &Options::default());
    for event in &events {
        assert!(event.date <= date, "event {} dated {} after the article ({date})", event.id, event.date);
        check_range(body, event.evidence.start, event.evidence.end, "evidence");
        assert!((0.0..=1.0).contains(&event.confidence));
    }
});
