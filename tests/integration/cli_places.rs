//! `eventmap places` run as a process: the places of a news report (the team's own
//! retelling in tests/fixtures/articles, and the shared seed article when it is on the
//! machine), byte offsets into the body, JSON beside CSV, and every input form: a
//! folder, JSON Lines, standard input, BOM and CRLF, no date line, a bad date.

use crate::util::{assert_no_panic, repo, Dir, Run};
use std::collections::BTreeMap;
use std::path::PathBuf;

type Row = BTreeMap<String, String>;

/// The team's retelling of a report of 10 August 2021 (same places, people and traps
/// as the seed article, in our own words).
pub fn fixture() -> PathBuf {
    repo().join("tests/fixtures/articles/2021-08-10-northern-blitz.txt")
}

/// The seed article the fixture retells: not ours to commit, so read only when it is on
/// the machine (in `shared/` beside the repository).
pub fn seed() -> Option<(PathBuf, Vec<u8>)> {
    let beside = repo().join("../shared/seed/article-2021-08-10.txt");
    [beside, PathBuf::from("/work/shared/seed/article-2021-08-10.txt")]
        .into_iter()
        .find_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
}

/// The body as eventmap reads it: everything after the first (date) line.
fn body_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    match text.find('\n') {
        Some(i) => text[i + 1..].to_owned(),
        None => String::new(),
    }
}

/// Every row's `text` is the body between its byte offsets.
#[track_caller]
fn assert_offsets(body: &str, rows: &[Row]) {
    for row in rows {
        let (start, end): (usize, usize) = (row["start"].parse().unwrap(), row["end"].parse().unwrap());
        assert_eq!(body.get(start..end), Some(row["text"].as_str()), "offsets {start}..{end} of {row:?}");
    }
}

fn rows_with<'a>(rows: &'a [Row], text: &str) -> Vec<&'a Row> {
    rows.iter().filter(|r| r["text"] == text).collect()
}

/// The places of the 10 August report, whichever telling.
#[track_caller]
fn assert_report_places(body: &str, rows: &[Row]) {
    assert_offsets(body, rows);
    let kabul = rows_with(rows, "Kabul");
    assert_eq!(kabul.len(), 2, "Kabul twice: {kabul:?}");
    for row in kabul {
        assert_eq!((row["kind"].as_str(), row["admin1_code"].as_str()), ("city", "AF-KAB"), "{row:?}");
    }
    for (text, kind, province) in [
        ("Mazar-i-Sharif", "city", "AF-BAL"),
        ("Kandahar", "province", "AF-KAN"),
        ("Helmand", "province", "AF-HEL"),
        ("Sheberghan", "city", "AF-JOW"),
        ("Kunduz", "city", "AF-KDZ"),
    ] {
        let found = rows_with(rows, text);
        assert!(!found.is_empty(), "{text} not found in {rows:#?}");
        for row in found {
            assert_eq!((row["kind"].as_str(), row["admin1_code"].as_str()), (kind, province), "{text}: {row:?}");
        }
    }
    for country in ["Qatar", "Pakistan", "China", "Iran"] {
        let found = rows_with(rows, country);
        assert_eq!(found.len(), 1, "{country}: {found:?}");
        assert_eq!(found[0]["kind"], "country", "{country}");
        assert_eq!(found[0]["admin1_code"], "", "{country} has no province");
    }
    // People and a newspaper's name are never places, not even in part.
    for phrase in ["Washington Newsday", "Rahima", "Farid", "Wilson", "Kirby", "Khalilzad"] {
        for (at, _) in body.match_indices(phrase) {
            let overlapping: Vec<&Row> = rows
                .iter()
                .filter(|r| {
                    let (s, e): (usize, usize) = (r["start"].parse().unwrap(), r["end"].parse().unwrap());
                    s < at + phrase.len() && at < e
                })
                .collect();
            assert!(overlapping.is_empty(), "{phrase:?} at byte {at} read as a place: {overlapping:?}");
        }
    }
}

#[test]
fn the_places_of_a_news_report() {
    let dir = Dir::new();
    let run = dir.run(&["places", fixture().to_str().unwrap()]);
    run.ok();
    let rows = run.csv();
    assert!(rows.iter().all(|r| r["article"] == "2021-08-10-northern-blitz"));
    let body = body_of(&std::fs::read(fixture()).unwrap());
    assert_report_places(&body, &rows);
    // Positions and coordinates come with every Afghan place.
    for row in rows.iter().filter(|r| matches!(r["kind"].as_str(), "city" | "province")) {
        let (lat, lon): (f64, f64) = (row["latitude"].parse().unwrap(), row["longitude"].parse().unwrap());
        assert!((29.0..39.0).contains(&lat) && (60.0..75.0).contains(&lon), "{row:?}");
        assert!(!row["admin1"].is_empty(), "{row:?}");
    }
}

#[test]
fn the_seed_article_when_present() {
    let Some((_, bytes)) = seed() else {
        eprintln!("skipped: the seed article is not on this machine");
        return;
    };
    let dir = Dir::new();
    let path = dir.write("article-2021-08-10.txt", &bytes);
    let run = dir.run(&["places", path.to_str().unwrap()]);
    run.ok();
    assert_report_places(&body_of(&bytes), &run.csv());
}

#[test]
fn json_agrees_with_csv() {
    let dir = Dir::new();
    let input = fixture();
    let csv = dir.run(&["places", input.to_str().unwrap()]);
    csv.ok();
    let json = dir.run(&["places", "--format", "json", input.to_str().unwrap()]);
    json.ok();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON array");
    let objects = value.as_array().expect("an array");
    let rows = csv.csv();
    assert_eq!(objects.len(), rows.len());
    for (object, row) in objects.iter().zip(&rows) {
        assert_eq!(object["article"], row["article"].as_str());
        assert_eq!(object["start"].as_u64().unwrap().to_string(), row["start"]);
        assert_eq!(object["end"].as_u64().unwrap().to_string(), row["end"]);
        assert_eq!(object["text"], row["text"].as_str());
        assert_eq!(object["place_id"], row["place_id"].as_str());
        assert_eq!(object["kind"], row["kind"].as_str());
        assert_eq!(object["admin1_code"].as_str().unwrap_or(""), row["admin1_code"]);
        let confidence = object["confidence"].as_f64().unwrap();
        assert!((confidence - row["confidence"].parse::<f64>().unwrap()).abs() < 0.006, "{object} {row:?}");
        if let Some(lat) = object["latitude"].as_f64() {
            assert!((lat - row["latitude"].parse::<f64>().unwrap()).abs() < 1e-4);
        }
    }
    // An input with no places is an empty array, not an empty output.
    let empty = dir.write("quiet.txt", "date 2021-08-10\nNothing happened.\n");
    let run = dir.run(&["places", "--format", "json", empty.to_str().unwrap()]);
    run.ok();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap(), serde_json::json!([]));
}

/// The articles in the order their rows first appear.
fn article_order(run: &Run) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for row in run.csv() {
        if order.last() != Some(&row["article"]) {
            order.push(row["article"].clone());
        }
    }
    order
}

#[test]
fn a_folder_is_read_recursively_in_sorted_order() {
    let dir = Dir::new();
    dir.write("news/2021/08/kunduz.txt", "date 2021-08-08\nThe Taliban entered Kunduz.\n");
    dir.write("news/2021/07/herat.txt", "date 2021-07-30\nFighting reached Herat.\n");
    dir.write("news/a-feed.jsonl", "{\"id\":\"feed-1\",\"date\":\"2021-08-01\",\"text\":\"Shelling in Ghazni.\"}\n");
    dir.write("news/zaranj.txt", "date 2021-08-06\nZaranj fell.\n");
    // Neither hidden files nor other extensions are read.
    dir.write("news/.draft.txt", "date 2021-08-06\nKhost.\n");
    dir.write("news/notes.md", "date 2021-08-06\nFaizabad.\n");
    dir.write("news/2021/readme", "Jalalabad.\n");
    let run = dir.run(&["places", "news"]);
    run.ok();
    assert_eq!(article_order(&run), ["herat", "kunduz", "feed-1", "zaranj"]);
    let texts: Vec<String> = run.csv().iter().map(|r| r["text"].clone()).collect();
    assert_eq!(texts, ["Herat", "Kunduz", "Ghazni", "Zaranj"]);
}

#[test]
fn json_lines_records_with_titles() {
    let dir = Dir::new();
    let feed = dir.write(
        "feed.jsonl",
        concat!(
            "{\"id\":\"r1\",\"date\":\"2021-08-10\",\"title\":\"Herat besieged\",\"text\":\"Fighting near Kandahar airport.\"}\n",
            "\n",
            "{\"id\":7,\"date\":\"2021-08-11\",\"title\":\"\",\"text\":\"Families arrived in Kabul from Kunduz.\"}\n",
        ),
    );
    let run = dir.run(&["places", feed.to_str().unwrap()]);
    run.ok();
    let rows = run.csv();
    let got: Vec<(&str, &str)> = rows.iter().map(|r| (r["article"].as_str(), r["text"].as_str())).collect();
    // The title is not geoparsed: offsets are into `text`.
    assert_eq!(got, [("r1", "Kandahar"), ("7", "Kabul"), ("7", "Kunduz")]);
    assert_offsets("Fighting near Kandahar airport.", &rows[..1]);
    assert_offsets("Families arrived in Kabul from Kunduz.", &rows[1..]);
}

#[test]
fn standard_input_text_or_json_lines() {
    let dir = Dir::new();
    let run = dir.run_stdin(&["places", "-"], b"date 2021-08-10 From stdin\nKunduz fell.\n");
    run.ok();
    let rows = run.csv();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["article"].as_str(), rows[0]["text"].as_str()), ("stdin", "Kunduz"));

    let run = dir.run_stdin(&["places", "-"], b"{\"id\":\"s1\",\"date\":\"2021-08-10\",\"text\":\"Taloqan fell.\"}\n");
    run.ok();
    let rows = run.csv();
    assert_eq!((rows[0]["article"].as_str(), rows[0]["text"].as_str()), ("s1", "Taloqan"));
}

#[test]
fn bom_and_crlf() {
    let dir = Dir::new();
    let bytes = b"\xEF\xBB\xBFdate 2021-08-10 Windows\r\nClashes in Kunduz.\r\n\r\nFamilies fled to Kabul.\r\n";
    let path = dir.write("windows.txt", bytes);
    let run = dir.run(&["places", path.to_str().unwrap()]);
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let rows = run.csv();
    let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str()).collect();
    assert_eq!(texts, ["Kunduz", "Kabul"]);
    assert_offsets(&body_of(bytes), &rows);
    assert_eq!(rows[0]["start"], "11", "offsets count from the body, after BOM and date line");
}

#[test]
fn no_date_line_is_a_warning_and_the_text_is_still_read() {
    let dir = Dir::new();
    let path = dir.write("undated.txt", "Kunduz fell on Sunday.\nFamilies fled to Kabul.\n");
    let run = dir.run(&["places", path.to_str().unwrap()]);
    run.ok();
    assert!(run.stderr.contains("warning") && run.stderr.contains("undated.txt:1"), "{}", run.stderr);
    let rows = run.csv();
    let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str()).collect();
    assert_eq!(texts, ["Kunduz", "Kabul"]);
    // With no date line the whole file is the body.
    assert_offsets("Kunduz fell on Sunday.\nFamilies fled to Kabul.\n", &rows);
    // --quiet silences warnings.
    let run = dir.run(&["--quiet", "places", path.to_str().unwrap()]);
    run.ok();
    assert_eq!(run.stderr, "");
}

#[test]
fn a_bad_date_skips_that_file_only() {
    let dir = Dir::new();
    dir.write("in/a.txt", "date 2021-08-10\nFighting in Herat.\n");
    dir.write("in/b.txt", "date 2021-13-45 Impossible\nKunduz fell.\n");
    dir.write("in/c.txt", "date 2021-08-12\nTaloqan fell.\n");
    let run = dir.run(&["places", "in"]);
    assert_no_panic(&run);
    run.expect_code(1);
    assert!(run.stderr.contains("b.txt:1") && run.stderr.contains("2021-13-45"), "{}", run.stderr);
    let texts: Vec<String> = run.csv().iter().map(|r| r["text"].clone()).collect();
    assert_eq!(texts, ["Herat", "Taloqan"]);
}

#[test]
fn a_missing_input_is_named() {
    let dir = Dir::new();
    dir.write("a.txt", "date 2021-08-10\nFighting in Herat.\n");
    let run = dir.run(&["places", "a.txt", "nowhere.txt"]);
    assert_no_panic(&run);
    run.expect_code(1);
    assert!(run.stderr.contains("nowhere.txt"), "{}", run.stderr);
    assert_eq!(run.csv().len(), 1);
}
