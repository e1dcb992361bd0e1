//! eventmap's GeoJSON layers opened by real GIS clients: GDAL's `ogrinfo` and `ogr2ogr`
//! (geometry types, feature counts, field types, validity, RFC 7946 rings, GeoPackage),
//! and, where installed, headless QGIS on `eventmap.qgs`. The QGIS files are also checked
//! as XML without any client.
//!
//! GDAL tests are skipped, with a message, when `ogrinfo` is not installed; `.ci/run`
//! installs gdal-bin so they run in CI. The QGIS test needs PyQGIS (Debian's
//! python3-qgis), which CI does not install; see docs/qgis.md.
//!
//! The day rendered is 2021-07-12 of `tests/fixtures/series`, chosen so that every
//! typed column has a value in some feature: GDAL types a column that is null in every
//! feature of a file as String (a day without counted displacement would give flows a
//! String `count`).

use crate::ledger_series::{arg, series};
use crate::util::{repo, Dir};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const DAY: &str = "2021-07-12";

/// The series rendered as GeoJSON (with its QGIS files) into `out/`.
fn rendered() -> Dir {
    let dir = Dir::new();
    let articles = series("articles");
    let out = dir.join("out");
    dir.run(&["render", arg(&articles), "--date", DAY, "--format", "geojson", "--out", out.to_str().unwrap()]).ok();
    dir
}

fn gdal() -> bool {
    let found = Command::new("ogrinfo").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !found {
        eprintln!("skipped: ogrinfo not found; install gdal-bin (`.ci/run` does) to open the layers with GDAL");
    }
    found
}

/// Runs a GDAL tool; panics with its output if it fails.
fn tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{program} {args:?} failed\n{stdout}\n{stderr}");
    stdout
}

/// `ogrinfo -so` of a layer: geometry, feature count and field types.
struct Summary {
    geometry: String,
    count: usize,
    fields: BTreeMap<String, String>,
}

fn summary(path: &Path) -> Summary {
    let text = tool("ogrinfo", &["-ro", "-so", "-al", path.to_str().unwrap()]);
    let value = |key: &str| {
        text.lines().find_map(|l| l.strip_prefix(key)).map(str::trim).unwrap_or_else(|| panic!("no {key}\n{text}"))
    };
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        // "name: String (0.0)", "capital: Integer(Boolean) (1.0)"
        let Some((name, rest)) = line.split_once(": ") else { continue };
        let Some((kind, width)) = rest.rsplit_once(" (") else { continue };
        if width.strip_suffix(')').is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            && !name.contains(' ')
        {
            fields.insert(name.to_owned(), kind.to_owned());
        }
    }
    Summary { geometry: value("Geometry:").to_owned(), count: value("Feature Count:").parse().unwrap(), fields }
}

fn features(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    parsed["features"].as_array().unwrap().clone()
}

/// The GDAL type every typed column must have; columns not listed must be String.
fn expected_types(layer: &str) -> (&'static str, Vec<(&'static str, &'static str)>) {
    let boolean = "Integer(Boolean)";
    match layer {
        "provinces" => (
            "Multi Polygon",
            vec![
                ("since", "Date"),
                ("date", "Date"),
                ("disputed", boolean),
                ("places_taliban", "Integer"),
                ("places_government", "Integer"),
                ("places_resistance", "Integer"),
                ("places_contested", "Integer"),
            ],
        ),
        "places" => ("Point", vec![("since", "Date"), ("date", "Date"), ("capital", boolean), ("disputed", boolean)]),
        "events" => (
            "Point",
            vec![
                ("event_date", "Date"),
                ("date_precision", "Integer"),
                ("geo_precision", "Integer"),
                ("latitude", "Real"),
                ("longitude", "Real"),
                ("confidence", "Real"),
                ("count", "Integer"),
                ("people", "Integer"),
                ("count_vague", boolean),
            ],
        ),
        "flows" => (
            "Line String",
            vec![
                ("people", "Integer"),
                ("count", "Integer"),
                ("events", "Integer"),
                ("count_vague", boolean),
                ("date", "Date"),
            ],
        ),
        "timeline" => ("Multi Polygon", vec![("valid_from", "Date"), ("valid_to", "Date")]),
        other => panic!("no layer {other}"),
    }
}

const LAYERS: [&str; 5] = ["provinces", "places", "events", "flows", "timeline"];

#[test]
fn ogrinfo_reads_each_layer_with_its_geometry_count_and_field_types() {
    if !gdal() {
        return;
    }
    let dir = rendered();
    for layer in LAYERS {
        let path = dir.join(&format!("out/{layer}.geojson"));
        let s = summary(&path);
        let (geometry, typed) = expected_types(layer);
        assert_eq!(s.geometry, geometry, "{layer}");
        assert_eq!(s.count, features(&path).len(), "{layer}");
        assert!(s.count > 0, "{layer} is empty on {DAY}");
        for (name, kind) in &s.fields {
            let expected = typed.iter().find(|(n, _)| n == name).map_or("String", |(_, k)| *k);
            assert_eq!(kind, expected, "{layer}.{name}");
        }
        for (name, _) in &typed {
            assert!(s.fields.contains_key(*name), "{layer} has no {name}: {:?}", s.fields);
        }
    }
    assert_eq!(summary(&dir.join("out/provinces.geojson")).count, 34);
}

#[test]
fn every_geometry_is_valid() {
    if !gdal() {
        return;
    }
    let dir = rendered();
    for layer in LAYERS {
        let path = dir.join(&format!("out/{layer}.geojson"));
        let sql = format!("SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry)) AS valid FROM \"{layer}\"");
        let text = tool("ogrinfo", &["-ro", "-q", path.to_str().unwrap(), "-dialect", "SQLite", "-sql", &sql]);
        let number = |key: &str| -> usize {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(key))
                .and_then(|rest| rest.rsplit_once("= "))
                .map(|(_, v)| v.trim().parse().unwrap())
                .unwrap_or_else(|| panic!("no {key} in\n{text}"))
        };
        let n = number("n (Integer)");
        assert_eq!(n, features(&path).len(), "{layer}");
        assert_eq!(number("valid (Integer)"), n, "{layer}: invalid geometries\n{text}");
    }
}

/// A geometry's coordinates as polygons of rings (lines and points as one "ring").
fn rings(geometry: &serde_json::Value) -> Vec<Vec<Vec<(f64, f64)>>> {
    let pair = |p: &serde_json::Value| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
    let ring = |r: &serde_json::Value| r.as_array().unwrap().iter().map(pair).collect::<Vec<_>>();
    let polygon = |p: &serde_json::Value| p.as_array().unwrap().iter().map(ring).collect::<Vec<_>>();
    let c = &geometry["coordinates"];
    match geometry["type"].as_str().unwrap() {
        "MultiPolygon" => c.as_array().unwrap().iter().map(polygon).collect(),
        // GDAL writes a one-part MultiPolygon back as a Polygon.
        "Polygon" => vec![polygon(c)],
        "LineString" => vec![vec![ring(c)]],
        "Point" => vec![vec![vec![pair(c)]]],
        other => panic!("unexpected geometry {other}"),
    }
}

fn signed_area(ring: &[(f64, f64)]) -> f64 {
    ring.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum::<f64>() / 2.0
}

#[test]
fn rfc7946_rewrite_leaves_coordinates_and_winding_unchanged() {
    if !gdal() {
        return;
    }
    let dir = rendered();
    for layer in LAYERS {
        let path = dir.join(&format!("out/{layer}.geojson"));
        let rewritten = dir.join(&format!("{layer}.rfc7946.geojson"));
        tool("ogr2ogr", &["-f", "GeoJSON", "-lco", "RFC7946=YES", rewritten.to_str().unwrap(), path.to_str().unwrap()]);
        let (ours, theirs) = (features(&path), features(&rewritten));
        assert_eq!(ours.len(), theirs.len(), "{layer}");
        for (a, b) in ours.iter().zip(&theirs) {
            let (ra, rb) = (rings(&a["geometry"]), rings(&b["geometry"]));
            let same = ra.len() == rb.len()
                && ra.iter().zip(&rb).all(|(pa, pb)| {
                    pa.len() == pb.len()
                        && pa.iter().zip(pb).all(|(x, y)| {
                            x.len() == y.len()
                                && x.iter().zip(y).all(|(p, q)| (p.0 - q.0).abs() < 1e-9 && (p.1 - q.1).abs() < 1e-9)
                        })
                });
            assert!(same, "{layer} {}: GDAL rewrote the geometry, so it was not RFC 7946 as written", a["id"]);
            // And directly: outer rings counter-clockwise, holes clockwise.
            if layer == "provinces" || layer == "timeline" {
                for polygon in &ra {
                    assert!(signed_area(&polygon[0]) > 0.0, "{layer} {}: clockwise outer ring", a["id"]);
                    assert!(polygon[1..].iter().all(|hole| signed_area(hole) < 0.0), "{layer} {}", a["id"]);
                }
            }
        }
    }
}

#[test]
fn ogr2ogr_converts_every_layer_to_geopackage() {
    if !gdal() {
        return;
    }
    let dir = rendered();
    for layer in LAYERS {
        let path = dir.join(&format!("out/{layer}.geojson"));
        let gpkg = dir.join(&format!("{layer}.gpkg"));
        tool("ogr2ogr", &["-f", "GPKG", gpkg.to_str().unwrap(), path.to_str().unwrap()]);
        let s = summary(&gpkg);
        assert_eq!(s.count, features(&path).len(), "{layer}");
        let (_, typed) = expected_types(layer);
        // GeoPackage keeps dates as dates.
        for (name, kind) in typed.iter().filter(|(_, k)| *k == "Date") {
            assert_eq!(s.fields.get(*name).map(String::as_str), Some(*kind), "{layer}.{name} in GeoPackage");
        }
    }
}

/// Parses XML as QGIS writes it (with a DOCTYPE); panics naming the file if malformed.
fn xml<'a>(text: &'a str, name: &str) -> roxmltree::Document<'a> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    roxmltree::Document::parse_with_options(text, options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn qgis_files_are_well_formed_and_point_at_the_layers() {
    let dir = rendered();
    let out = dir.join("out");
    for layer in LAYERS {
        let text = std::fs::read_to_string(out.join(format!("{layer}.qml"))).unwrap();
        let doc = xml(&text, &format!("{layer}.qml"));
        assert_eq!(doc.root_element().tag_name().name(), "qgis");
        let attr = if layer == "events" { "event_type" } else { "status" };
        let renderer = doc.descendants().find(|n| n.has_tag_name("renderer-v2")).unwrap();
        if layer != "flows" {
            assert_eq!(renderer.attribute("attr"), Some(attr), "{layer}.qml");
        }
    }
    let text = std::fs::read_to_string(out.join("eventmap.qgs")).unwrap();
    let doc = xml(&text, "eventmap.qgs");
    let sources: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("datasource")).filter_map(|n| n.text()).collect();
    assert_eq!(sources.len(), 5);
    for source in &sources {
        assert!(source.starts_with("./"), "relative: {source}");
        assert!(out.join(source).is_file(), "{source} is not beside the project");
    }
    // QGIS replaces a layer id of 10 characters or fewer with a random one, and the
    // layer tree then finds no layers.
    for id in doc.descendants().filter(|n| n.has_tag_name("id")).filter_map(|n| n.text()) {
        assert!(id.len() > 10, "layer id {id:?} too short for QGIS");
    }
    let temporal = doc
        .descendants()
        .filter(|n| n.has_tag_name("maplayer"))
        .find(|n| n.descendants().any(|c| c.has_tag_name("layername") && c.text() == Some("timeline")))
        .and_then(|n| n.descendants().find(|c| c.has_tag_name("temporal")))
        .unwrap();
    assert_eq!(temporal.attribute("enabled"), Some("1"));
    assert!(text.contains("<start>2021-07-05T00:00:00Z</start>"), "the temporal range starts with the series");
    // Same input, same bytes.
    let again = rendered();
    for name in ["eventmap.qgs", "provinces.qml", "flows.qml"] {
        assert_eq!(std::fs::read(out.join(name)).unwrap(), std::fs::read(again.join(&format!("out/{name}"))).unwrap());
    }
}

#[test]
fn headless_qgis_loads_and_renders_the_project() {
    let python = Path::new("/usr/bin/python3");
    let pyqgis = python.is_file()
        && Command::new(python).args(["-c", "import qgis.core"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !pyqgis {
        eprintln!("skipped: PyQGIS not found (Debian: python3-qgis); see docs/qgis.md");
        return;
    }
    let dir = rendered();
    let runtime = dir.join("xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let png = dir.join("map.png");
    let output = Command::new(python)
        .arg(repo().join("scripts/qgis_render.py"))
        .arg(dir.join("out/eventmap.qgs"))
        .arg(&png)
        .args(["--width", "800", "--date", "2021-07-09", "--show", "timeline"])
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for layer in LAYERS {
        assert!(stdout.contains(&format!("layer {layer} valid=True")), "{layer}\n{stdout}");
    }
    assert!(stdout.contains("by status: taliban=#a8431e"), "house palette\n{stdout}");
    assert!(stdout.contains("temporal"), "{stdout}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000, "{} bytes", bytes.len());
}

/// A build's projects: each day's opens that day's four layers (the timeline is the
/// series', at the top), and the top one opens the timeline under `latest/`.
#[test]
fn a_builds_projects_open_only_files_that_exist() {
    let dir = Dir::new();
    let out = dir.join("out");
    let articles = series("articles");
    dir.run(&["build", arg(&articles), "--formats", "geojson", "--out", out.to_str().unwrap(), "--quiet"]).ok();
    let mut projects: Vec<std::path::PathBuf> = vec![out.join("eventmap.qgs"), out.join("latest/eventmap.qgs")];
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path().join("eventmap.qgs");
        if path.is_file() && !projects.contains(&path) {
            projects.push(path);
        }
    }
    assert!(projects.len() > 3, "{projects:?}");
    for project in &projects {
        let text = std::fs::read_to_string(project).unwrap_or_else(|e| panic!("{}: {e}", project.display()));
        let doc = xml(&text, &project.display().to_string());
        let sources: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("datasource")).filter_map(|n| n.text()).collect();
        let folder = project.parent().unwrap();
        for source in &sources {
            assert!(folder.join(source).is_file(), "{}: {source} does not exist", project.display());
        }
        let top = folder == out;
        let expected: &[&str] = if top {
            &[
                "./latest/places.geojson",
                "./latest/flows.geojson",
                "./latest/events.geojson",
                "./latest/provinces.geojson",
                "./timeline.geojson",
            ]
        } else {
            &["./places.geojson", "./flows.geojson", "./events.geojson", "./provinces.geojson"]
        };
        assert_eq!(sources, expected, "{}", project.display());
    }
    assert!(out.join("timeline.qml").is_file());
}
