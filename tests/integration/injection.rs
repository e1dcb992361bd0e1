//! Data never becomes code: articles, ids and a user gazetteer carrying payloads, run
//! through the real binary. Formula cells come out neutralised in every CSV (the rule of
//! `output::spreadsheet_safe`, docs/security.md); markup reaches the SVG maps and the
//! QGIS files escaped, and they parse as XML; an article id never names a file, so no
//! id writes outside `--out`.

use crate::util::{assert_no_panic, Dir, Run};
use std::path::{Path, PathBuf};

/// Article ids and sentences a spreadsheet would run as formulas.
const FORMULA_IDS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "=1+1",
    "＝HYPERLINK(\"http://evil.example/\")",
];

/// One JSON Lines record.
fn record(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "date": "2021-08-10", "title": "=T()", "text": text }).to_string() + "\n"
}

/// Articles whose ids are formulas and whose text reports events in Kunduz, Herat and
/// Kabul, with formulas and markup in it.
fn formula_articles(dir: &Dir) -> PathBuf {
    let mut jsonl = String::new();
    for id in FORMULA_IDS {
        jsonl += &record(
            id,
            "=HYPERLINK(\"http://evil.example/\") The Taliban captured Kunduz on Sunday, officials said. \
             @SUM(1) Fighting continued in Herat. -1+1 Hundreds of families fled from Kunduz to Kabul \
             <script>alert(1)</script> & \"quotes\" ]]> yesterday.",
        );
    }
    dir.write("articles.jsonl", jsonl)
}

/// A small gazetteer folder (two provinces, three places, a district, a country, a
/// region) with the given replacements made in its files.
pub fn mini_gazetteer(dir: &Dir, name: &str, replace: &[(&str, &str, &str)]) -> PathBuf {
    let files = [
        (
            "provinces.geojson",
            concat!(
                "{\"type\":\"FeatureCollection\",\"features\":[\n",
                "{\"type\":\"Feature\",\"id\":\"AF-KAB\",\"properties\":{\"id\":\"AF-KAB\",\"name\":\"Kabul\",\"capital_id\":\"gn:1\",\"label_lon\":69.2,\"label_lat\":34.5},",
                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[68.5,34.0],[70.0,34.0],[70.0,35.0],[68.5,35.0],[68.5,34.0]]]}}\n",
                ",{\"type\":\"Feature\",\"id\":\"AF-KDZ\",\"properties\":{\"id\":\"AF-KDZ\",\"name\":\"Kunduz\",\"capital_id\":\"gn:2\",\"label_lon\":68.8,\"label_lat\":36.7},",
                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[68.0,36.0],[69.5,36.0],[69.5,37.3],[68.0,37.3],[68.0,36.0]]]}}\n",
                "]}\n"
            ),
        ),
        (
            "countries.geojson",
            concat!(
                "{\"type\":\"FeatureCollection\",\"features\":[\n",
                "{\"type\":\"Feature\",\"id\":\"AFG\",\"properties\":{\"iso_a2\":\"AF\",\"name\":\"Afghanistan\",\"label_lon\":66.5,\"label_lat\":34.2},",
                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[60.5,29.4],[74.9,29.4],[74.9,38.5],[60.5,38.5],[60.5,29.4]]]}}\n",
                "]}\n"
            ),
        ),
        (
            "districts.tsv",
            "id\tname\tadmin1_code\tlatitude\tlongitude\taliases\talternatenames\n\
             gb:1\tImam Sahib\tAF-KDZ\t37.18\t68.91\t\t\n",
        ),
        (
            "places.tsv",
            "id\tname\tkind\tfeature_code\tadmin1_code\tdistrict_id\tlatitude\tlongitude\tpopulation\taliases\talternatenames\tsource\n\
             gn:1\tKabul\tcity\tPPLC\tAF-KAB\t\t34.52813\t69.17233\t3043532\tKabol\t\tgeonames\n\
             gn:2\tKunduz\tcity\tPPLA\tAF-KDZ\t\t36.72895\t68.85700\t259809\tKondoz\t\tgeonames\n\
             gn:3\tHerat\tcity\tPPL\tAF-KAB\tgb:1\t34.9\t69.6\t500000\t\t\tgeonames\n",
        ),
        (
            "foreign.tsv",
            "id\tkind\tname\tcountry_code\tlatitude\tlongitude\tpopulation\taliases\tsource\n\
             country:PK\tcountry\tPakistan\tPK\t30.0\t70.0\t220000000\t\tNatural Earth\n",
        ),
        ("regions.tsv", "id\tname\taliases\tprovinces\nregion:north\tnorthern Afghanistan\tthe north\tAF-KDZ\n"),
    ];
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for (file, text) in files {
        let mut text = text.to_owned();
        for (target, from, to) in replace {
            if *target == file {
                assert!(text.contains(from), "{from:?} is in {file}");
                text = text.replace(from, to);
            }
        }
        std::fs::write(folder.join(file), text).unwrap();
    }
    folder
}

/// A gazetteer whose ids and names are formulas and markup (ids carry no spaces).
fn hostile_gazetteer(dir: &Dir) -> PathBuf {
    mini_gazetteer(
        dir,
        "hostile-gazetteer",
        &[
            ("places.tsv", "gn:1\tKabul\t", "gn:1\tKabul <script>alert(1)</script> & \"q\" ']]> \u{1}\t"),
            ("places.tsv", "\tKabol\t", "\tKabol|Kabul\t"),
            ("places.tsv", "gn:2\tKunduz\t", "=HYPERLINK(\"http://evil.example/\")\t@Kunduz\t"),
            ("places.tsv", "\tKondoz\t", "\tKondoz|Kunduz\t"),
            ("places.tsv", "gn:3\tHerat\tcity\tPPL\tAF-KAB\tgb:1", "+gn:3\t-Herat+1\tcity\t=PPL\tAF-KAB\t-1+gb"),
            ("districts.tsv", "gb:1\tImam Sahib", "-1+gb\t+Imam Sahib"),
            ("provinces.geojson", "\"name\":\"Kunduz\"", "\"name\":\"=Kunduz()\",\"aliases\":\"Kunduz\""),
            (
                "provinces.geojson",
                "\"capital_id\":\"gn:2\"",
                "\"capital_id\":\"=HYPERLINK(\\\"http://evil.example/\\\")\"",
            ),
        ],
    )
}

/// Fails on any cell a spreadsheet would run: one that starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return and is not a plain number.
#[track_caller]
fn assert_neutralised(what: &str, csv_text: &str) -> usize {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    let mut rows = 0;
    for (row, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("{what}: not CSV: {e}"));
        rows += 1;
        for cell in record.iter() {
            let number = cell.parse::<f64>().is_ok() && cell.bytes().all(|b| b"0123456789+-.eE".contains(&b));
            let live = cell.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) && !number;
            assert!(!live, "{what}: row {row}: a spreadsheet would run {cell:?}\n{csv_text}");
        }
    }
    rows
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[track_caller]
fn succeeded(run: &Run) -> &Run {
    assert_no_panic(run);
    run.ok()
}

#[test]
fn formula_ids_and_text_are_neutralised_in_every_csv_output() {
    let dir = Dir::new();
    let articles = formula_articles(&dir);
    let a = arg(&articles);
    let places = dir.run(&["places", a]);
    succeeded(&places);
    assert!(places.stdout.contains("'=HYPERLINK("), "the payload reached the output:\n{}", places.stdout);
    assert!(assert_neutralised("places", &places.stdout) > FORMULA_IDS.len());

    let events = dir.run(&["events", a]);
    succeeded(&events);
    assert!(events.stdout.contains("'@SUM(A1:A9)-"), "{}", events.stdout);
    assert!(assert_neutralised("events", &events.stdout) > FORMULA_IDS.len());
    let acled = dir.run(&["events", a, "--format", "acled"]);
    succeeded(&acled);
    assert!(assert_neutralised("events --format acled", &acled.stdout) > 1);

    let ledger = dir.run(&["ledger", a, "--date", "2021-08-10"]);
    succeeded(&ledger);
    assert!(
        ledger.stdout.contains(",'") || ledger.stdout.contains(",\"'"),
        "an event id or article reached the ledger:\n{}",
        ledger.stdout
    );
    assert_neutralised("ledger", &ledger.stdout);

    // An editor's corrections carrying formulas of their own.
    let fixes = dir.write(
        "fixes.csv",
        "event_id,article,event_date,event_type,actor,location,sentence\n\
         =add(1),@desk,2021-08-09,control,government,Herat,\"=HYPERLINK(\"\"http://evil.example/\"\")\"\n",
    );
    let build = dir.run(&["build", a, "--events", arg(&fixes), "--out", "out", "--format", "geojson", "-q"]);
    succeeded(&build);
    let mut checked = 0;
    for csv_path in files_under(&dir.join("out")).into_iter().filter(|p| p.extension().is_some_and(|e| e == "csv")) {
        let text = std::fs::read_to_string(&csv_path).unwrap();
        assert_neutralised(&csv_path.display().to_string(), &text);
        checked += 1;
    }
    assert!(checked >= 2, "build wrote events.csv and a day's events.csv");
    let all = std::fs::read_to_string(dir.join("out/events.csv")).unwrap();
    assert!(all.contains("'=add(1)") && all.contains("'=HYPERLINK"), "{all}");
}

#[test]
fn a_user_gazetteer_cannot_put_formulas_in_csv_outputs() {
    let dir = Dir::new();
    let g = hostile_gazetteer(&dir);
    let articles = formula_articles(&dir);
    let (g, a) = (arg(&g), arg(&articles));
    for args in [
        vec!["--gazetteer", g, "places", a],
        vec!["--gazetteer", g, "events", a],
        vec!["--gazetteer", g, "events", a, "--format", "acled"],
        vec!["--gazetteer", g, "ledger", a, "--date", "2021-08-10", "--baseline", "government"],
        vec!["--gazetteer", g, "gazetteer", "list"],
        vec!["--gazetteer", g, "gazetteer", "lookup", "Kunduz", "Herat", "=1+1"],
    ] {
        let run = dir.run(&args);
        succeeded(&run);
        assert_neutralised(&args[2..].join(" "), &run.stdout);
        if args[2] != "gazetteer" || args[3] == "list" {
            assert!(
                run.stdout.contains("'=HYPERLINK("),
                "{}: the hostile id reached it\n{}",
                args.join(" "),
                run.stdout
            );
        }
    }
}

/// The text of an XML file, which must parse and hold no `script` element.
fn parse_xml(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    // A QGIS project opens with `<!DOCTYPE qgis ...>`; no entity is defined in it.
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    assert!(!text.contains("<!ENTITY"), "{}: an entity", path.display());
    for node in doc.descendants() {
        assert_ne!(node.tag_name().name().to_ascii_lowercase(), "script", "{}: a script element", path.display());
    }
    text
}

#[test]
fn markup_in_names_and_titles_reaches_svg_and_qgis_escaped() {
    let dir = Dir::new();
    let g = hostile_gazetteer(&dir);
    let articles = formula_articles(&dir);
    let run = dir.run(&[
        "--gazetteer",
        arg(&g),
        "render",
        arg(&articles),
        "--date",
        "2021-08-10",
        "--baseline",
        "government",
        "--out",
        "out",
        "--format",
        "svg,geojson",
        "--width",
        "600",
        "--title",
        "<script>alert(2)</script> & \"title\" ]]> \u{7}",
        "--subtitle",
        "</svg><svg onload=alert(3)>",
        "-q",
    ]);
    succeeded(&run);
    for map in ["control.svg", "displacement.svg"] {
        let svg = parse_xml(&dir.join("out").join(map));
        assert!(!svg.contains("<script") && !svg.contains("<svg onload"), "{map}");
    }
    let control = std::fs::read_to_string(dir.join("out/control.svg")).unwrap();
    assert!(control.contains("&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;title&quot; ]]&gt;"), "the title");
    assert!(control.contains("Kabul &lt;script&gt;alert(1)&lt;/script&gt; &amp;"), "the capital's name");
    let mut qgis = 0;
    for path in files_under(&dir.join("out")) {
        if path.extension().is_some_and(|e| e == "qml" || e == "qgs") {
            parse_xml(&path);
            qgis += 1;
        }
    }
    assert!(qgis >= 1, "the QGIS files are written beside the layers");
    // The layers carry the names as JSON strings.
    let places: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/places.geojson")).unwrap()).unwrap();
    assert!(places["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["properties"]["name"].as_str().is_some_and(|n| n.starts_with("Kabul <script>"))));
}

/// Every file under a folder, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn article_ids_never_name_files_outside_out() {
    let dir = Dir::new();
    let run_in = dir.join("a/b/run");
    std::fs::create_dir_all(&run_in).unwrap();
    let mut jsonl = String::new();
    for id in ["../../x", "../../../escaped", "CON", "a/b", "/tmp/eventmap-absolute-id", "..", "NUL.txt", "x\u{0}y"] {
        jsonl += &record(id, "The Taliban captured Kunduz on Sunday. Hundreds of families fled from Kunduz to Kabul.");
    }
    let articles = dir.write("a/b/run/articles.jsonl", jsonl);
    // And a text article whose file name is its id.
    dir.write("a/b/run/in/..CON.txt", "date 2021-08-10\nFighting continued in Herat.\n");
    let before = files_under(dir.path());
    let commands: [&[&str]; 2] = [
        &["render", "articles.jsonl", "in", "--out", "out", "--format", "svg,geojson", "--width", "400", "-q"],
        &["build", "articles.jsonl", "in", "--out", "out", "--format", "svg,geojson", "--width", "400", "-q"],
    ];
    for args in commands {
        let run = crate::util::Run::from(dir.command().current_dir(&run_in).args(args).output().unwrap());
        succeeded(&run);
    }
    let out = run_in.join("out");
    let created: Vec<PathBuf> =
        files_under(dir.path()).into_iter().filter(|p| !before.contains(p) && !p.starts_with(&out)).collect();
    assert!(created.is_empty(), "files outside --out: {created:?}");
    assert!(!Path::new("/tmp/eventmap-absolute-id").exists());
    assert!(files_under(&out).len() > 5, "the maps were written");
    let _ = &articles;
}
