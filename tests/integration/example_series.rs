//! The bundled example, built as the README's first command builds it, checked day by
//! day against the public timeline its reports encode (examples/2021-offensive/timeline.csv):
//! each capital turns Taliban on the day it fell and not before, and no other capital
//! turns Taliban on any day.

use crate::util::{repo, Dir};
use std::collections::BTreeMap;

/// (name, admin1_code) of a provincial capital → its status in a day's places layer.
fn capitals(day: &std::path::Path) -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(day.join("places.geojson")).unwrap_or_else(|e| panic!("{}: {e}", day.display()));
    let layer: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut capitals = BTreeMap::new();
    for feature in layer["features"].as_array().unwrap() {
        let p = &feature["properties"];
        if p["capital"] == true {
            let key = (p["name"].as_str().unwrap().to_owned(), p["admin1_code"].as_str().unwrap().to_owned());
            capitals.insert(key, p["status"].as_str().unwrap().to_owned());
        }
    }
    capitals
}

#[test]
fn the_example_series_follows_the_public_timeline() {
    let dir = Dir::new();
    let example = repo().join("examples/2021-offensive");
    let out = dir.join("out");
    let run = dir.run(&[
        "build",
        example.to_str().unwrap(),
        "--baseline",
        "government",
        "--formats",
        "geojson",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let mut timeline = csv::Reader::from_path(example.join("timeline.csv")).unwrap();
    let mut fell_on: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    for row in timeline.records() {
        let row = row.unwrap();
        let date = Some(row[2].to_owned()).filter(|d| !d.is_empty());
        fell_on.insert((row[0].to_owned(), row[1].to_owned()), date);
    }

    let mut days: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("2021-"))
        .collect();
    days.sort();
    assert_eq!(days.first().map(String::as_str), Some("2021-08-04"));
    assert_eq!(days.last().map(String::as_str), Some("2021-08-16"));

    let mut wrong = Vec::new();
    let mut seen_falling = std::collections::BTreeSet::new();
    for day in &days {
        for (capital, status) in capitals(&out.join(day)) {
            let expected_fallen = fell_on.get(&capital).cloned().flatten().is_some_and(|date| date <= *day);
            if expected_fallen {
                seen_falling.insert(capital.clone());
            }
            if (status == "taliban") != expected_fallen {
                wrong.push(format!(
                    "{day} {} ({}): {status}, timeline says fell on {:?}",
                    capital.0,
                    capital.1,
                    fell_on.get(&capital)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} disagreements:\n{}", wrong.len(), wrong.join("\n"));
    // Every fall in the timeline was seen (a capital missing from the layer would pass above).
    let falls: Vec<_> = fell_on.iter().filter(|(_, date)| date.is_some()).map(|(k, _)| k.clone()).collect();
    let missing: Vec<_> = falls.iter().filter(|k| !seen_falling.contains(*k)).collect();
    assert!(missing.is_empty(), "never in the layer: {missing:?}");
    assert_eq!(falls.len(), 24);
}
