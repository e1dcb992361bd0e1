//! Properties over generated input (proptest): any ledger's GeoJSON layers parse back
//! with the same features; every mention's byte range slices the body to the mention;
//! no event is dated after its article; `write_atomic` never leaves a partial file.

use chrono::{Duration, NaiveDate};
use eventmap::extract::{self, record, Actor, Count, CountUnit, Event, EventType};
use eventmap::gazetteer::{EntryId, Gazetteer, Kind};
use eventmap::geoparse::Geoparser;
use eventmap::ingest::{Article, Origin};
use eventmap::ledger::{self, Baseline, Ledger, Status};
use eventmap::output::{from_spreadsheet, write_atomic};
use eventmap::render::layers::{self, Day};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

fn parser() -> &'static Geoparser<'static> {
    static P: OnceLock<Geoparser<'static>> = OnceLock::new();
    P.get_or_init(|| Geoparser::new(gazetteer()))
}

/// Places events happen at: provinces, towns, districts, a few without coordinates.
fn places() -> &'static [EntryId] {
    static P: OnceLock<Vec<EntryId>> = OnceLock::new();
    P.get_or_init(|| {
        let g = gazetteer();
        let mut ids: Vec<EntryId> =
            (0..g.entries.len() as EntryId).filter(|id| g.entry(*id).kind.is_afghan()).step_by(17).collect();
        ids.extend(g.provinces.iter().map(|p| p.entry).take(5));
        ids.extend((0..g.entries.len() as EntryId).filter(|id| g.entry(*id).kind == Kind::Region).take(2));
        ids
    })
}

const FIRST_DAY: (i32, u32, u32) = (2021, 7, 1);

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).unwrap() + Duration::days(offset)
}

/// Text with what breaks writers: quotes, backslashes, control characters, formula
/// starts, markup, non-Latin scripts.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.-]{0,20}",
        "[=+@\t\r-][ -~]{0,12}",
        "\\PC{0,12}",
        Just("\"quoted\" \\ back\\slash </script> ]]> & \u{2028}\u{1}".to_owned()),
        Just("کابل ښار".to_owned()),
    ]
}

fn event_strategy() -> impl Strategy<Value = Event> {
    let n = places().len();
    (
        (0..3u8, prop::option::of(0..4u8), 0..n, prop::option::of(0..n), prop::option::of(0..n)),
        (0..40i64, 0.0f32..=1.0, any::<bool>(), prop::option::of((1..100_000u64, 0..3u8, any::<bool>()))),
        (hostile_text(), hostile_text(), hostile_text()),
    )
        .prop_map(|((kind, actor, place, origin, destination), (offset, confidence, denied, count), texts)| {
            let (id, article, sentence) = texts;
            let at = |i: usize| places()[i];
            let event_type = [EventType::Control, EventType::Contested, EventType::Displacement][kind as usize];
            let actor =
                actor.map(|a| [Actor::Taliban, Actor::Government, Actor::Resistance, Actor::Unknown][a as usize]);
            let displacement = event_type == EventType::Displacement;
            let count = count.map(|(value, unit, vague)| Count {
                value,
                unit: [CountUnit::People, CountUnit::Families, CountUnit::Households][unit as usize],
                vague,
                token: 0,
            });
            Event {
                id: format!("{id}-{offset}"),
                article,
                date: day(offset),
                date_precision: 1,
                event_type,
                actor: actor.filter(|_| event_type == EventType::Control),
                place: (!displacement).then(|| at(place)),
                origin: if displacement { origin.map(at).or(Some(at(place))) } else { None },
                destination: if displacement { destination.map(at) } else { None },
                people: count.map(|c| c.people(7.0)),
                count,
                confidence,
                denied,
                sentence,
                evidence: 0..0,
            }
        })
}

/// The features of a layer, parsed back: ids and properties.
fn parse_layer(name: &str, text: &str) -> Vec<geojson::Feature> {
    let collection: geojson::FeatureCollection =
        text.parse().unwrap_or_else(|e| panic!("{name}.geojson does not parse back: {e}\n{text:.2000}"));
    collection.features
}

fn feature_ids(features: &[geojson::Feature]) -> Vec<String> {
    features
        .iter()
        .map(|f| match &f.id {
            Some(geojson::feature::Id::String(s)) => s.clone(),
            other => panic!("feature id {other:?}"),
        })
        .collect()
}

fn string_prop<'a>(f: &'a geojson::Feature, key: &str) -> Option<&'a str> {
    f.property(key).and_then(|v| v.as_str())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_ledger_renders_to_geojson_that_parses_back_with_the_same_features(
        mut events in prop::collection::vec(event_strategy(), 0..25),
        date_offset in 0..45i64,
        recent_days in 1..10i64,
        baseline in prop::option::of(0..5u8),
    ) {
        let g = gazetteer();
        // Ids are unique in a ledger's input (article id and a sequence number).
        let mut seen = BTreeSet::new();
        events.retain(|e| seen.insert(e.id.clone()));
        record::sort(&mut events);
        let entries: Vec<ledger::Entry<'_>> =
            events.iter().enumerate().map(|(order, event)| ledger::Entry { event, published: None, order }).collect();
        let statuses = [Status::Taliban, Status::Government, Status::Resistance, Status::Contested, Status::Unknown];
        let baseline = Baseline { default: baseline.map(|b| statuses[b as usize]), places: Default::default() };
        let ledger = Ledger::build(g, &entries, baseline, ledger::Options::default());
        let date = day(date_offset);
        let timeline = ledger.span().map(|(a, b)| (a.min(date), b.max(date))).unwrap_or((date, date));
        let day = Day { gazetteer: g, ledger: &ledger, events: &events, date, recent_days, timeline };

        // provinces: every province, by ISO code.
        let provinces = parse_layer("provinces", &layers::provinces(&day));
        let expected: Vec<String> = g.provinces.iter().map(|p| p.iso_code.clone()).collect();
        prop_assert_eq!(feature_ids(&provinces), expected);

        // places: every tracked place with a point, not a province, with its status.
        let places = parse_layer("places", &layers::places(&day));
        let expected: Vec<EntryId> = ledger
            .tracked()
            .iter()
            .copied()
            .filter(|id| g.entry(*id).point.is_some() && g.entry(*id).kind != Kind::Province)
            .collect();
        prop_assert_eq!(feature_ids(&places), expected.iter().map(|id| g.entry(*id).id.clone()).collect::<Vec<_>>());
        for (feature, id) in places.iter().zip(&expected) {
            prop_assert_eq!(string_prop(feature, "status"), Some(ledger.state(*id, date).status.as_str()));
        }

        // events: the recent events that have a point, with their text as given.
        let layer = parse_layer("events", &layers::events(&day));
        let recent: Vec<&Event> =
            day.recent_events().filter(|e| e.location().and_then(|id| g.entry(id).point).is_some()).collect();
        prop_assert_eq!(feature_ids(&layer), recent.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
        for (feature, event) in layer.iter().zip(&recent) {
            // As given, but for a quote before a formula character, which reads as the
            // CSV's guard (docs/security.md).
            let text = |s: &str| if s.is_empty() { None } else { Some(from_spreadsheet(s).to_owned()) };
            prop_assert_eq!(string_prop(feature, "event_id").map(str::to_owned), text(&event.id));
            prop_assert_eq!(string_prop(feature, "article").map(str::to_owned), text(&event.article));
            prop_assert_eq!(string_prop(feature, "sentence").map(str::to_owned), text(&event.sentence));
            prop_assert_eq!(string_prop(feature, "event_type"), Some(event.event_type.as_str()));
            let event_date = event.date.to_string();
            prop_assert_eq!(string_prop(feature, "event_date"), Some(event_date.as_str()));
        }

        // flows: one line per origin and destination with points.
        let flows = parse_layer("flows", &layers::flows(&day));
        let expected: Vec<String> = layers::flow_lines(&day)
            .iter()
            .filter(|f| g.entry(f.origin).point.is_some() && g.entry(f.destination).point.is_some())
            .map(|f| format!("{}>{}", g.entry(f.origin).id, g.entry(f.destination).id))
            .collect();
        prop_assert_eq!(feature_ids(&flows), expected);

        // timeline: each province's periods tile the timeline, in order.
        let periods = parse_layer("timeline", &layers::timeline(&day));
        for shape in &g.provinces {
            let mine: Vec<(String, String)> = periods
                .iter()
                .filter(|f| string_prop(f, "iso_code") == Some(shape.iso_code.as_str()))
                .map(|f| (string_prop(f, "valid_from").unwrap().to_owned(), string_prop(f, "valid_to").unwrap().to_owned()))
                .collect();
            prop_assert!(!mine.is_empty(), "{} has no period", shape.iso_code);
            prop_assert_eq!(mine[0].0.clone(), timeline.0.to_string());
            prop_assert_eq!(mine[mine.len() - 1].1.clone(), timeline.1.to_string());
        }
    }
}

/// Words that make places, triggers and dates, and some that break tokenisers.
fn article_words() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "Kabul",
        "Kunduz",
        "Mazar-i-Sharif",
        "Lashkar Gah",
        "Spin Boldak",
        "Herat",
        "province",
        "city",
        "district",
        "the",
        "Taliban",
        "captured",
        "seized",
        "fell",
        "to",
        "fighting",
        "in",
        "clashes",
        "around",
        "fled",
        "from",
        "families",
        "2,100",
        "17,000",
        "people",
        "yesterday",
        "overnight",
        "on",
        "Sunday",
        "last",
        "week",
        "two",
        "days",
        "ago",
        "6",
        "August",
        "30",
        "December",
        "Aug",
        "July",
        "13",
        "this",
        "month",
        "2015",
        "since",
        "control",
        "entered",
        "raised",
        "flag",
        "denied",
        "not",
        "if",
        "Kabul's",
        "Gen.",
        "U.S.",
        ".",
        ",",
        ";",
        "\n",
        "\n\n",
        "’s",
        "-",
        "—",
        "\"",
        "کابل",
        "Kondoz",
        "KUNDUZ",
        "é",
        "\u{200c}",
        "\u{FFFD}",
        "ﬁ",
        "İ",
    ]);
    prop::collection::vec(prop_oneof![4 => words.prop_map(str::to_owned), 1 => "\\PC{1,3}"], 0..80)
        .prop_map(|words| words.join(" "))
}

fn article(body: String, date: NaiveDate) -> Article {
    Article {
        id: "prop".to_owned(),
        date: Some(date),
        title: String::new(),
        body,
        source: None,
        url: None,
        origin: Origin { path: "prop.txt".to_owned(), line: None },
        warnings: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn byte_offsets_of_every_mention_slice_the_text_to_the_mention(body in article_words()) {
        let parsed = parser().parse(&body);
        let tokens = &parsed.tokens.tokens;
        for m in &parsed.mentions {
            prop_assert!(m.start < m.end && m.end <= body.len(), "{}..{} in {} bytes", m.start, m.end, body.len());
            prop_assert!(body.is_char_boundary(m.start) && body.is_char_boundary(m.end));
            prop_assert!(!m.tokens.is_empty() && m.tokens.end <= tokens.len());
            // The range is exactly its tokens, first to last.
            prop_assert_eq!(m.start, tokens[m.tokens.start].start);
            prop_assert_eq!(m.end, tokens[m.tokens.end - 1].end);
            let text = &body[m.start..m.end];
            prop_assert!(text.chars().next().is_some_and(|c| c.is_alphanumeric()), "{:?}", text);
        }
    }

    #[test]
    fn event_dates_are_never_after_the_article_date(body in article_words(), offset in 0..20_000i64) {
        let date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(offset);
        let article = article(body, date);
        let parsed = parser().parse(&article.body);
        for event in extract::extract(&article, &parsed, gazetteer(), &extract::Options::default()) {
            prop_assert!(event.date <= date, "{} is dated {}, the article {}", event.id, event.date, date);
            prop_assert!(article.body.get(event.evidence.clone()).is_some(), "evidence {:?}", event.evidence);
        }
    }

    #[test]
    fn write_atomic_leaves_the_last_contents_and_no_temporary_file(
        contents in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..4096), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layer.geojson");
        for bytes in &contents {
            write_atomic(&path, bytes).unwrap();
            prop_assert_eq!(&std::fs::read(&path).unwrap(), bytes);
            let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            prop_assert_eq!(names.len(), 1, "{:?}", names);
        }
    }
}

/// A reader that reads while another thread rewrites sees the old file or the new one,
/// whole, never a mix or a prefix.
#[test]
fn write_atomic_is_never_seen_partial() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.svg");
    let versions: Vec<Vec<u8>> = vec![vec![b'a'; 1 << 20], vec![b'b'; 3 << 19], vec![b'c'; 10]];
    write_atomic(&path, &versions[0]).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let bytes = std::fs::read(&path).unwrap();
                assert!(versions.contains(&bytes), "a partial file of {} bytes", bytes.len());
                reads += 1;
            }
            reads
        });
        for i in 0..60 {
            write_atomic(&path, &versions[i % versions.len()]).unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
}

/// A write that fails (the target is a folder) leaves the folder as it was.
#[test]
fn a_failed_atomic_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("events.csv");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), b"x").unwrap();
    assert!(write_atomic(&target, b"new").is_err());
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["events.csv"], "no temporary file is left");
    assert_eq!(std::fs::read(target.join("keep")).unwrap(), b"x");
}
