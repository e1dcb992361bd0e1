//! `eventmap gazetteer lookup|list|export` run as a process.

use crate::util::{assert_no_panic, repo, Dir};

#[test]
fn lookup_prints_ranked_candidates_with_provinces() {
    let dir = Dir::new();
    let run = dir.run(&["gazetteer", "lookup", "Sheberghan", "Kunduz", "Faizabad"]);
    run.ok();
    let rows = run.csv();
    let first = |q: &str| rows.iter().find(|r| r["query"] == q && r["rank"] == "1").unwrap().clone();
    let sheberghan = first("Sheberghan");
    assert_eq!((sheberghan["kind"].as_str(), sheberghan["admin1"].as_str()), ("city", "Jowzjan"));
    let kunduz_kinds: Vec<&str> = rows.iter().filter(|r| r["query"] == "Kunduz").map(|r| r["kind"].as_str()).collect();
    assert!(kunduz_kinds.contains(&"city") && kunduz_kinds.contains(&"province"), "{kunduz_kinds:?}");
    let faizabad = first("Faizabad");
    assert_eq!((faizabad["kind"].as_str(), faizabad["admin1_code"].as_str()), ("city", "AF-BDS"));
    for row in &rows {
        let score: f64 = row["score"].parse().unwrap();
        assert!((0.0..=1.0).contains(&score));
    }
}

#[test]
fn lookup_json_has_the_same_answer() {
    let dir = Dir::new();
    let run = dir.run(&["gazetteer", "lookup", "--format", "json", "Mazar-e Sharif"]);
    run.ok();
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value[0]["query"], "Mazar-e Sharif");
    assert_eq!(value[0]["candidates"][0]["name"], "Mazar-i-Sharif");
    assert_eq!(value[0]["candidates"][0]["admin1_code"], "AF-BAL");
}

#[test]
fn list_filters_by_kind() {
    let dir = Dir::new();
    let run = dir.run(&["gazetteer", "list", "--kind", "province"]);
    run.ok();
    let rows = run.csv();
    assert_eq!(rows.len(), 34);
    assert!(rows.iter().all(|r| r["kind"] == "province" && r["id"].starts_with("AF-")));
}

#[test]
fn export_writes_one_valid_layer_per_geometry_type() {
    let dir = Dir::new();
    dir.run(&["gazetteer", "export", "--format", "geojson", "--out", "layers"]).ok();
    for (file, geometry, min) in [
        ("provinces.geojson", "MultiPolygon", 34),
        ("places.geojson", "Point", 320),
        ("districts.geojson", "Point", 390),
        ("countries.geojson", "MultiPolygon", 10),
    ] {
        let text = std::fs::read_to_string(dir.join("layers").join(file)).unwrap();
        let collection: geojson::FeatureCollection = text.parse().unwrap();
        assert!(collection.features.len() >= min, "{file}: {} features", collection.features.len());
        for feature in &collection.features {
            let g = feature.geometry.as_ref().unwrap();
            assert_eq!(g.value.type_name(), geometry, "{file}");
        }
        assert!(!text.contains("\"crs\""));
    }
}

/// A copy of the bundled gazetteer with one file replaced, for bad-input tests.
fn broken_gazetteer(dir: &Dir, file: &str, edit: impl Fn(&str) -> String) -> String {
    let folder = dir.join("gz");
    std::fs::create_dir_all(&folder).unwrap();
    for name in ["provinces.geojson", "countries.geojson", "districts.tsv", "places.tsv", "foreign.tsv", "regions.tsv"]
    {
        let text = std::fs::read_to_string(repo().join("gazetteer").join(name)).unwrap();
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(folder.join(name), text).unwrap();
    }
    folder.display().to_string()
}

#[test]
fn a_broken_gazetteer_folder_is_reported_with_file_line_and_value() {
    // A bad coordinate on the row of Sheberghan.
    let dir = Dir::new();
    let folder = broken_gazetteer(&dir, "places.tsv", |t| t.replace("36.66757\t65.75290", "366.66757\t65.75290"));
    let run = dir.run(&["--gazetteer", &folder, "gazetteer", "lookup", "Kabul"]);
    assert_no_panic(&run);
    run.expect_code(2);
    let line = std::fs::read_to_string(repo().join("gazetteer/places.tsv"))
        .unwrap()
        .lines()
        .position(|l| l.contains("366.66757") || l.contains("36.66757\t65.75290"))
        .unwrap()
        + 1;
    assert!(run.stderr.contains(&format!("places.tsv:{line}:")), "{}", run.stderr);
    assert!(run.stderr.contains("366.66757"), "{}", run.stderr);

    // A row with a missing cell.
    let dir = Dir::new();
    let folder = broken_gazetteer(&dir, "districts.tsv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        lines[5] = lines[5].splitn(3, '\t').take(2).collect::<Vec<_>>().join("\t");
        lines.join("\n")
    });
    let run = dir.run(&["--gazetteer", &folder, "gazetteer", "list"]);
    assert_no_panic(&run);
    run.expect_code(2);
    assert!(run.stderr.contains("districts.tsv:6:") && run.stderr.contains("cells"), "{}", run.stderr);

    // A missing file.
    let dir = Dir::new();
    let folder = broken_gazetteer(&dir, "regions.tsv", |t| t.to_owned());
    std::fs::remove_file(std::path::Path::new(&folder).join("regions.tsv")).unwrap();
    let run = dir.run(&["--gazetteer", &folder, "gazetteer", "list"]);
    assert_no_panic(&run);
    run.expect_code(2);
    assert!(run.stderr.contains("regions.tsv") && run.stderr.contains("cannot read"), "{}", run.stderr);

    // An unknown kind.
    let dir = Dir::new();
    let folder = broken_gazetteer(&dir, "places.tsv", |t| t.replacen("\tborder_crossing\t", "\tcastle\t", 1));
    let run = dir.run(&["--gazetteer", &folder, "gazetteer", "list"]);
    assert_no_panic(&run);
    run.expect_code(2);
    assert!(run.stderr.contains("places.tsv:") && run.stderr.contains("\"castle\""), "{}", run.stderr);

    // Broken JSON in the polygons.
    let dir = Dir::new();
    let folder = broken_gazetteer(&dir, "provinces.geojson", |t| t.replacen("\"Polygon\"", "\"Polygon", 1));
    let run = dir.run(&["--gazetteer", &folder, "gazetteer", "list"]);
    assert_no_panic(&run);
    run.expect_code(2);
    assert!(run.stderr.contains("provinces.geojson:"), "{}", run.stderr);
}

#[test]
fn a_valid_gazetteer_folder_is_used_instead_of_the_bundled_one() {
    let dir = Dir::new();
    let folder = broken_gazetteer(&dir, "places.tsv", |t| t.replace("\tSheberghan\t", "\tShebergan Test\t"));
    let run = dir.run(&["--gazetteer", &folder, "gazetteer", "lookup", "Shebergan Test"]);
    run.ok();
    assert_eq!(run.csv()[0]["id"], "gn:1125444");
}
