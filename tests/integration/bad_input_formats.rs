//! Bad input in each format, beyond `bad_input`: a file of only the date line, deeply
//! nested JSON in JSON Lines, an editor's CSV with quoted line breaks and rows of the
//! wrong width, days that do not exist (`2021-02-30`) in articles and CSVs, coordinates
//! out of range in a user gazetteer. Each is named by file, line and value, with the
//! right exit code (1: skipped, the rest processed; 2: fatal), and never a panic.

use crate::injection::mini_gazetteer;
use crate::util::{assert_no_panic, Dir, Run};

/// A good article beside each bad input: its event must still come out.
const GOOD: &str = "date 2021-08-10 Good\nThe Taliban captured Taloqan on Monday.\n";

fn run(dir: &Dir, args: &[&str]) -> Run {
    let run = dir.run(args);
    assert_no_panic(&run);
    run
}

#[track_caller]
fn says(run: &Run, message: &str) {
    assert!(run.stderr.contains(message), "expected {message:?} on stderr:\n{}", run.stderr);
}

#[test]
fn a_file_of_only_the_date_line_is_an_article_with_no_text() {
    let dir = Dir::new();
    dir.write("good.txt", GOOD);
    dir.write("only.txt", "date 2021-08-11 A headline and nothing else");
    dir.write("only-newline.txt", "date 2021-08-11\n");
    dir.write("only-crlf.txt", "\u{feff}date 2021-08-11\r\n");
    for command in ["places", "events"] {
        let run = run(&dir, &[command, "good.txt", "only.txt", "only-newline.txt", "only-crlf.txt"]);
        run.ok();
        assert!(run.stdout.contains("Taloqan"), "{command}: the good article\n{}", run.stdout);
        assert_eq!(run.stdout.lines().count(), 2, "{command}: a header and Taloqan only\n{}", run.stdout);
    }
    // Only date lines: no events, so the ledger asks for a date instead of guessing one.
    let ledger = run(&dir, &["ledger", "only.txt", "only-newline.txt"]);
    ledger.expect_code(2);
    says(&ledger, "no events, so no dates: give --date");
    run(&dir, &["ledger", "only.txt", "--date", "2021-08-11"]).ok();
}

#[test]
fn deeply_nested_json_is_refused_by_line_not_by_stack_overflow() {
    let dir = Dir::new();
    let deep = 100_000;
    let lines = [
        r#"{"id":"one","date":"2021-08-09","text":"The Taliban captured Aybak."}"#.to_owned(),
        format!(r#"{{"id":{}{},"text":"x"}}"#, "[".repeat(deep), "]".repeat(deep)),
        // Deep nesting in a field eventmap does not read is skipped over, not refused.
        format!(
            r#"{{"extra":{}{},"date":"2021-08-10","text":"The Taliban captured Kunduz."}}"#,
            "[".repeat(deep),
            "]".repeat(deep)
        ),
        format!(r#"{{"date":"2021-08-10","text":{}1{}}}"#, r#"{"a":"#.repeat(deep), "}".repeat(deep)),
        format!(
            r#"{{"id":"five","date":"2021-08-11","text":"The Taliban captured Farah.", "title": {}}}"#,
            "[".repeat(deep)
        ),
        r#"{"id":"six","date":"2021-08-11","text":"The Taliban captured Farah."}"#.to_owned(),
    ];
    dir.write("feed.jsonl", lines.join("\n") + "\n");
    let run = run(&dir, &["places", "feed.jsonl"]);
    run.expect_code(1);
    says(&run, "feed.jsonl:2: not a JSON article record: recursion limit exceeded");
    says(&run, "feed.jsonl:4: not a JSON article record: invalid type: map, expected a string");
    says(&run, "feed.jsonl:5: not a JSON article record: ");
    assert!(!run.stderr.contains("feed.jsonl:3:"), "{}", run.stderr);
    for place in ["Aybak", "Kunduz", "Farah"] {
        assert!(run.stdout.contains(place), "{place}\n{}", run.stdout);
    }
}

#[test]
fn quoted_line_breaks_and_wrong_widths_in_an_events_csv_are_named_by_their_line() {
    let dir = Dir::new();
    dir.write("good.txt", GOOD);
    dir.write(
        "fixes.csv",
        concat!(
            "event_id,article,event_date,event_type,actor,location,sentence\n",
            "desk-1,desk,2021-08-09,control,taliban,Kunduz,\"a sentence\nover two lines, with \"\"quotes\"\"\"\n",
            "desk-2,desk,2021-08-09,control,taliban,Herat\n",
            "desk-3,desk,2021-08-09,control,taliban,Farah,\"x\ny\",extra\n",
            "desk-4,desk,2021-08-10,contested,,Kandahar,\"ok\n\nthree\"\n",
            "desk-5,desk,2021-08-10,control,taliban,Ghazni,\"an unclosed quote\n",
        ),
    );
    let run = run(&dir, &["ledger", "good.txt", "--events", "fixes.csv", "--date", "2021-08-10"]);
    run.expect_code(1);
    says(&run, "fixes.csv:4: 6 cells, the header has 7");
    says(&run, "fixes.csv:5: 8 cells, the header has 7");
    says(&run, "fixes.csv:10: malformed CSV row: a quote opened in this row is never closed");
    assert!(!run.stderr.contains("fixes.csv:2:") && !run.stderr.contains("fixes.csv:7:"), "{}", run.stderr);
    let rows = run.csv();
    let status = |id: &str| rows.iter().find(|r| r["place_id"] == id).map(|r| r["status"].as_str());
    assert_eq!(status("gn:1135689"), Some("taliban"), "Kunduz, the row with a quoted line break, is applied");
    assert_eq!(status("gn:1138336"), Some("contested"), "Kandahar, after a blank line inside quotes");
    assert_eq!(status("gn:1123004"), Some("taliban"), "Taloqan, from the article");
    assert_eq!(status("gn:1140026"), Some("unknown"), "Herat's short row is skipped");
}

#[test]
fn days_that_do_not_exist_are_named_in_articles_and_csvs() {
    let dir = Dir::new();
    dir.write("good.txt", GOOD);
    dir.write("leap.txt", "date 2021-02-30 Not a day\nThe Taliban captured Kunduz.\n");
    dir.write(
        "feed.jsonl",
        concat!(
            "{\"id\":\"a\",\"date\":\"2021-02-29\",\"text\":\"The Taliban captured Kunduz.\"}\n",
            "{\"id\":\"b\",\"date\":\"2020-02-29\",\"text\":\"The Taliban captured Aybak.\"}\n",
        ),
    );
    let places = run(&dir, &["places", "good.txt", "leap.txt", "feed.jsonl"]);
    places.expect_code(1);
    says(&places, "leap.txt:1: bad date \"2021-02-30\": expected YYYY-MM-DD, a real calendar day");
    says(&places, "feed.jsonl:1: bad date \"2021-02-29\"");
    assert!(places.stdout.contains("Taloqan") && places.stdout.contains("Aybak"), "{}", places.stdout);
    assert!(!places.stdout.contains("Kunduz"), "{}", places.stdout);

    dir.write(
        "fixes.csv",
        "event_id,event_date,event_type,actor,location,date_precision\n\
         d-1,2021-02-30,control,taliban,Herat,\n\
         d-2,2021-08-09,control,taliban,Zaranj,9\n",
    );
    dir.write("start.csv", "place_id_or_name,status,date\nKabul,government,2021-02-30\nHerat,government,\n");
    dir.write(
        "acled.csv",
        "event_id_cnty,event_date,event_type,sub_event_type,actor1,admin1,location,time_precision\n\
         AFG1,30 February 2021,Battles,Armed clash,Taliban,Kandahar,Kandahar,1\n\
         AFG2,10 August 2021,Battles,Armed clash,Taliban,Kandahar,Kandahar,\n\
         AFG3,10 August 2021,Battles,Armed clash,Taliban,Herat,Herat,200\n",
    );
    let args = ["ledger", "good.txt", "--events", "fixes.csv", "--baseline", "start.csv", "--acled", "acled.csv"];
    let ledger = run(&dir, &[&args[..], &["--date", "2021-08-10"]].concat());
    ledger.expect_code(1);
    says(&ledger, "fixes.csv:2: bad event_date \"2021-02-30\"");
    says(&ledger, "start.csv:2: bad date \"2021-02-30\"");
    says(&ledger, "acled.csv:2: bad event_date \"30 February 2021\"");
    says(&ledger, "fixes.csv:3: bad date_precision \"9\": expected 1 (the day), 2 (within a few days) or 3");
    says(&ledger, "acled.csv:4: bad time_precision \"200\"");
    let rows = ledger.csv();
    let status = |id: &str| rows.iter().find(|r| r["place_id"] == id).map(|r| r["status"].clone());
    assert_eq!(status("gn:1140026").as_deref(), Some("government"), "Herat's good baseline row is used");
    assert_eq!(status("gn:1138336").as_deref(), Some("contested"), "the good ACLED row is used");
}

#[test]
fn coordinates_out_of_range_in_a_user_gazetteer_are_fatal_and_named() {
    let dir = Dir::new();
    dir.write("good.txt", GOOD);
    let cases = [
        (
            "places.tsv",
            "34.52813\t69.17233",
            "95.2\t69.17233",
            "places.tsv:2: column latitude: 95.2 is outside [-90, 90]",
        ),
        (
            "places.tsv",
            "34.52813\t69.17233",
            "34.5\t-181",
            "places.tsv:2: column longitude: -181 is outside [-180, 180]",
        ),
        ("places.tsv", "34.52813\t69.17233", "NaN\t69.1", "places.tsv:2: column latitude: NaN is outside [-90, 90]"),
        ("places.tsv", "34.52813\t69.17233", "34.5\tinf", "places.tsv:2: column longitude: inf is outside [-180, 180]"),
        ("places.tsv", "34.52813\t69.17233", "north\t69.1", "places.tsv:2: column latitude: \"north\" is not a number"),
        ("districts.tsv", "37.18\t68.91", "-91\t68.91", "districts.tsv:2: column latitude: -91 is outside [-90, 90]"),
        ("foreign.tsv", "30.0\t70.0", "30.0\t1e400", "foreign.tsv:2: column longitude: 1e400 is outside [-180, 180]"),
        (
            "provinces.geojson",
            "\"label_lat\":34.5",
            "\"label_lat\":134.5",
            "provinces.geojson:2: latitude 134.5 is outside [-90, 90]",
        ),
        (
            "countries.geojson",
            "[74.9,29.4]",
            "[274.9,29.4]",
            "countries.geojson:2: longitude 274.9 is outside [-180, 180]",
        ),
    ];
    for (n, (file, from, to, message)) in cases.into_iter().enumerate() {
        let folder = mini_gazetteer(&dir, &format!("g{n}"), &[(file, from, to)]);
        let run = run(&dir, &["--gazetteer", folder.to_str().unwrap(), "events", "good.txt"]);
        run.expect_code(2);
        says(&run, &format!("g{n}/{message}"));
        assert!(run.stdout.is_empty(), "nothing is written with a refused gazetteer");
    }
    // The same folder, unchanged, loads: the refusals are the values'.
    let folder = mini_gazetteer(&dir, "ok", &[]);
    run(&dir, &["--gazetteer", folder.to_str().unwrap(), "events", "good.txt"]).ok();
}

#[test]
fn a_mistyped_year_does_not_build_a_century_of_days() {
    let dir = Dir::new();
    dir.write("good.txt", GOOD);
    dir.write("typo.txt", "date 1921-08-10 A century early\nThe Taliban captured Kunduz on Sunday.\n");
    let build = run(&dir, &["build", "good.txt", "typo.txt", "--out", "out", "--format", "geojson"]);
    build.expect_code(2);
    says(&build, "the events run from 1921-08-07 to 2021-08-09, 36528 days: more than 3660 without --from and --to");
    assert!(!dir.join("out/1921-08-07").exists(), "no day was built");
    let ledger = run(&dir, &["ledger", "good.txt", "typo.txt"]);
    ledger.expect_code(2);
    says(&ledger, "the events run from 1921-08-07 to 2021-08-09, 36528 days");
    // Asked for, the days are built.
    let args = ["build", "good.txt", "typo.txt", "--out", "out", "--format", "geojson", "--from", "2021-08-08"];
    run(&dir, &[&args[..], &["--to", "2021-08-09", "-q"]].concat()).ok();
    run(&dir, &["ledger", "good.txt", "typo.txt", "--date", "2021-08-09"]).ok();
}
