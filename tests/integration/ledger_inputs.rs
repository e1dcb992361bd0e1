//! Bad editor's files given to the ledger: a bad row is skipped and named (file, line,
//! value), the rest is used and the exit code is 1; a file that cannot be used at all is
//! fatal (exit code 2) and writes nothing, so what an earlier run wrote is not lost.

use crate::ledger_series::{arg, series};
use crate::util::{assert_no_panic, Dir, Run};
use std::collections::BTreeMap;

const HEADER: &str = "event_id,article,event_date,event_type,actor,location,admin1_code,confidence,drop,sentence\n";

fn ledger(dir: &Dir, extra: &[&str]) -> Run {
    let articles = series("articles");
    let mut args = vec!["ledger", arg(&articles), "--date", "2021-07-07"];
    args.extend_from_slice(extra);
    let run = dir.run(&args);
    assert_no_panic(&run);
    run
}

/// The ledger row of a place on 2021-07-07.
fn status(run: &Run, place_id: &str) -> Option<String> {
    run.csv().into_iter().find(|r| r["place_id"] == place_id).map(|r| r["status"].clone())
}

#[test]
fn malformed_rows_are_skipped_and_named_and_the_rest_is_used() {
    let dir = Dir::new();
    let body = concat!(
        "desk-010,desk,2021-07-07,control,taliban,Almar\n",
        "desk-011,desk,2021-07-07,control,taliban,Almar,AF-FYB,,,a good row\n",
        "desk-012,desk,2021-07-07,control,taliban,\"Qaisar,AF-FYB,,,an unbalanced quote\n",
    );
    let file = dir.write("fixes.csv", format!("{HEADER}{body}"));
    let run = ledger(&dir, &["--events", file.to_str().unwrap()]);
    run.expect_code(1);
    assert!(run.stderr.contains("eventmap: skipped: "), "{}", run.stderr);
    assert!(run.stderr.contains("fixes.csv:2: 6 cells, the header has 10"), "{}", run.stderr);
    assert!(run.stderr.contains("fixes.csv:4: "), "{}", run.stderr);
    assert_eq!(status(&run, "gn:7052928").as_deref(), Some("taliban"), "the good row (Almar) is applied");
}

#[test]
fn unknown_place_names_file_line_value_and_close_names() {
    let dir = Dir::new();
    let body = concat!(
        "desk-020,desk,2021-07-07,control,taliban,Sheberghanabad,,,,a misspelling\n",
        "desk-021,desk,2021-07-07,control,taliban,Maimana,AF-JOW,,,the wrong province\n",
    );
    let file = dir.write("fixes.csv", format!("{HEADER}{body}"));
    let run = ledger(&dir, &["--events", file.to_str().unwrap()]);
    run.expect_code(1);
    let line = |n: &str| run.stderr.lines().find(|l| l.contains(&format!("fixes.csv:{n}:"))).unwrap_or("").to_owned();
    let misspelt = line("2");
    assert!(misspelt.contains("unknown place \"Sheberghanabad\""), "{}", run.stderr);
    assert!(misspelt.contains("did you mean Sheberghan (gn:1125444, AF-JOW)"), "{misspelt}");
    let elsewhere = line("3");
    assert!(elsewhere.contains("\"Maimana\"") && elsewhere.contains("Maimana (gn:1133453, AF-FYB)"), "{elsewhere}");
}

#[test]
fn bad_dates_are_skipped_and_named() {
    let dir = Dir::new();
    let body = "desk-030,desk,2021-07-32,control,taliban,Almar,AF-FYB,,,no such day\n";
    let fixes = dir.write("fixes.csv", format!("{HEADER}{body}"));
    let baseline = dir.write("start.csv", "place_id_or_name,status,date\nMaimana,government,07/01/2021\n");
    let run = ledger(&dir, &["--events", fixes.to_str().unwrap(), "--baseline", baseline.to_str().unwrap()]);
    run.expect_code(1);
    assert!(run.stderr.contains("fixes.csv:2: bad event_date \"2021-07-32\": expected YYYY-MM-DD"), "{}", run.stderr);
    assert!(run.stderr.contains("start.csv:2: bad date \"07/01/2021\": expected YYYY-MM-DD"), "{}", run.stderr);
    assert_eq!(status(&run, "gn:7052928"), None, "the bad row added nothing");
}

#[test]
fn bad_baseline_status_in_a_file_is_skipped_on_the_command_line_is_fatal() {
    let dir = Dir::new();
    let file = dir.write("start.csv", "place_id_or_name,status,date\nMaimana,occupied,\nSheberghan,government,\n");
    let run = ledger(&dir, &["--baseline", file.to_str().unwrap()]);
    run.expect_code(1);
    assert!(
        run.stderr.contains(
            "start.csv:2: bad status \"occupied\": expected taliban, government, resistance, contested or unknown"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(status(&run, "gn:1125444").as_deref(), Some("government"), "the good row is used");

    let run = ledger(&dir, &["--baseline", "occupied"]);
    run.expect_code(2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("--baseline occupied: not a status (taliban, government, resistance, contested or unknown)"),
        "{}",
        run.stderr
    );
}

#[test]
fn acled_file_without_its_columns_is_fatal() {
    let dir = Dir::new();
    let file = dir.write(
        "export.csv",
        "event_id_cnty,event_date,event_type,actor1,admin1,location\nAFG1,07 July 2021,Battles,Taliban,Jowzjan,Aqcha\n",
    );
    let run = ledger(&dir, &["--acled", file.to_str().unwrap()]);
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "no partial ledger: {}", run.stdout);
    assert!(run.stderr.contains("export.csv:1: missing column(s) sub_event_type"), "{}", run.stderr);
}

#[test]
fn clean_files_exit_zero() {
    let dir = Dir::new();
    let (fixes, acled, start) = (series("corrections.csv"), series("acled.csv"), series("baseline.csv"));
    let run = ledger(&dir, &["--events", arg(&fixes), "--acled", arg(&acled), "--baseline", arg(&start)]);
    run.ok();
    assert!(!run.stderr.contains("skipped"), "{}", run.stderr);
}

/// Every file under `dir`, by name.
fn files(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn a_fatal_error_loses_nothing_already_written() {
    let dir = Dir::new();
    let articles = series("articles");
    let out = dir.join("out");
    let out_arg = out.to_str().unwrap().to_owned();
    let first = dir.run(&["render", arg(&articles), "--date", "2021-07-08", "--format", "geojson", "--out", &out_arg]);
    first.ok();
    let before = files(&out);
    assert!(before.contains_key("provinces.geojson") && before.contains_key("eventmap.qgs"), "{:?}", before.keys());

    // The next day, with an ACLED file that lacks its columns, and with a style that is
    // not TOML: both fatal.
    let bad_acled = dir.write("export.csv", "event_id_cnty,event_date\nAFG1,07 July 2021\n");
    let bad_style = dir.write("desk.toml", "[palette\n");
    for extra in [["--acled", bad_acled.to_str().unwrap()], ["--style", bad_style.to_str().unwrap()]] {
        let mut args = vec!["render", arg(&articles), "--date", "2021-07-09", "--out", &out_arg];
        args.extend_from_slice(&extra);
        let run = dir.run(&args);
        assert_no_panic(&run);
        run.expect_code(2);
        assert!(!run.stderr.contains("eventmap: wrote"), "{}", run.stderr);
        assert_eq!(files(&out), before, "after {extra:?}: the previous day's files are as they were");
    }
    // And they are still whole: every layer parses, with the first day's date.
    for (name, bytes) in &before {
        if name.ends_with(".geojson") {
            let text = std::str::from_utf8(bytes).unwrap();
            let parsed: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parsed["type"], "FeatureCollection", "{name}");
        }
    }
    assert!(String::from_utf8_lossy(&before["provinces.geojson"]).contains("\"date\":\"2021-07-08\""));
}
