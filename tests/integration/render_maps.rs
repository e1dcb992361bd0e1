//! Publication maps on real gazetteer data for two days of the 2021 offensive:
//! goldens (SVG exact, PNG within a small tolerance; `EVENTMAP_UPDATE_GOLDENS=1`
//! rewrites them), and checks that need no golden (status colours under province
//! interiors, no overlapping labels, a dot for every capital with a status).

use eventmap::gazetteer::{EntryId, Gazetteer};
use eventmap::ledger::Status;
use eventmap::render::map::{
    control_png, control_scene, control_svg, displacement_png, displacement_scene, displacement_svg, scene_png, Colour,
    CountUnit, Flow, Item, LabelKind, MapData, MapOptions, Rect, Scene, Style,
};
use geo::{Contains, Point};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

fn id(g: &Gazetteer, id: &str) -> EntryId {
    g.by_id(id).unwrap_or_else(|| panic!("{id} is in the gazetteer"))
}

/// Provinces whose capitals had fallen by 10 August 2021 (Zaranj, Sheberghan,
/// Sar-e Pul, Kunduz, Taloqan, Aibak, Farah, Pul-e Khumri).
const FALLEN_BY_10: [&str; 8] = ["AF-NIM", "AF-JOW", "AF-SAR", "AF-KDZ", "AF-TAK", "AF-SAM", "AF-FRA", "AF-BGL"];
/// And by 14 August (Faizabad, Ghazni, Herat, Kandahar, Lashkar Gah, Qala-i-Naw,
/// Chaghcharan, Pul-e Alam, Tarinkot, Qalat, Sharana, Asadabad, Mehtar Lam, Gardez,
/// Maimana, Mazar-i-Sharif, Nili).
const FALLEN_BY_14: [&str; 17] = [
    "AF-BDS", "AF-GHA", "AF-HER", "AF-KAN", "AF-HEL", "AF-BDG", "AF-GHO", "AF-LOG", "AF-URU", "AF-ZAB", "AF-PKA",
    "AF-KNR", "AF-LAG", "AF-PIA", "AF-FYB", "AF-BAL", "AF-DAY",
];

/// A plausible state of the map on a day in August 2021, with a few flows.
pub fn day(d: u32) -> MapData<'static> {
    let g = gazetteer();
    let mut provinces = BTreeMap::new();
    for p in &g.provinces {
        provinces.insert(p.iso_code.clone(), Status::Government);
    }
    let mut set = |codes: &[&str], status: Status| {
        for code in codes {
            provinces.insert((*code).to_owned(), status);
        }
    };
    set(&FALLEN_BY_10, Status::Taliban);
    set(&["AF-PAN"], Status::Resistance);
    if d >= 14 {
        set(&FALLEN_BY_14, Status::Taliban);
        set(&["AF-WAR"], Status::Contested);
    } else {
        set(&["AF-KAN", "AF-HEL", "AF-HER"], Status::Contested);
    }
    let places: BTreeMap<EntryId, Status> = g.provinces.iter().map(|p| (p.capital, provinces[&p.iso_code])).collect();
    let kabul = id(g, "gn:1138958");
    let flows = vec![
        Flow {
            origin: Some(id(g, "gn:1135689")),
            destination: Some(kabul),
            people: 119_000,
            count: 17_000,
            unit: CountUnit::Families,
            vague: false,
        },
        Flow {
            origin: Some(id(g, "gn:1125444")),
            destination: Some(kabul),
            people: 1_400,
            count: 200,
            unit: CountUnit::Families,
            vague: true,
        },
        Flow {
            origin: Some(id(g, "gn:1123906")),
            destination: Some(id(g, "gn:1181611")),
            people: 8_000,
            count: 8_000,
            unit: CountUnit::People,
            vague: false,
        },
        Flow {
            origin: None,
            destination: Some(kabul),
            people: 12_000,
            count: 12_000,
            unit: CountUnit::People,
            vague: false,
        },
        Flow {
            origin: Some(kabul),
            destination: Some(id(g, "gn:290030")),
            people: 6_000,
            count: 6_000,
            unit: CountUnit::People,
            vague: false,
        },
        Flow {
            origin: Some(id(g, "gn:1134720")),
            destination: None,
            people: 8_400,
            count: 1_200,
            unit: CountUnit::Families,
            vague: false,
        },
    ];
    MapData {
        gazetteer: g,
        date: chrono::NaiveDate::from_ymd_opt(2021, 8, d).unwrap(),
        provinces,
        places,
        flows,
        reports: if d >= 14 { 214 } else { 163 },
    }
}

fn width(px: u32) -> MapOptions {
    MapOptions { width_px: px, ..MapOptions::default() }
}

/// Writes every map of both days to `$EVENTMAP_MAP_OUT` for a person to look at.
#[test]
fn write_maps_for_review() {
    let Some(dir) = std::env::var_os("EVENTMAP_MAP_OUT") else { return };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    for d in [10, 14] {
        let data = day(d);
        for (name, w, scale) in [("", 2400, 1.0), ("-800", 800, 1.0), ("-1200x2", 1200, 2.0)] {
            let options = MapOptions { width_px: w, scale, ..MapOptions::default() };
            std::fs::write(dir.join(format!("control-{d}{name}.png")), control_png(&data, &options)).unwrap();
            std::fs::write(dir.join(format!("displacement-{d}{name}.png")), displacement_png(&data, &options)).unwrap();
        }
        std::fs::write(dir.join(format!("control-{d}.svg")), control_svg(&data, &width(2400))).unwrap();
        // The anti-aliasing measured against: plotters' bitmap backend supersampled.
        let scene = control_scene(&data, &width(2400));
        for factor in [2, 3] {
            let png = eventmap::render::map::raster::to_png_supersampled(&scene, 1.0, factor);
            std::fs::write(dir.join(format!("control-{d}-supersampled-{factor}x.png")), png).unwrap();
        }
        std::fs::write(dir.join(format!("displacement-{d}.svg")), displacement_svg(&data, &width(2400))).unwrap();
    }
}

// ---------------------------------------------------------------- goldens

/// Goldens are rendered 800 px wide so the repository stays small; the layout is
/// the same at every width (sizes scale with it).
const GOLDEN_WIDTH: u32 = 800;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/maps").join(name)
}

fn updating() -> bool {
    std::env::var_os("EVENTMAP_UPDATE_GOLDENS").is_some_and(|v| v == "1")
}

/// Where a failing render is written, to look at beside the golden.
fn actual_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden-actual");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[track_caller]
fn assert_svg_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (EVENTMAP_UPDATE_GOLDENS=1 writes it)", path.display()));
    if expected != actual {
        let out = actual_path(name);
        std::fs::write(&out, actual).unwrap();
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
        panic!(
            "{name} differs from its golden (first at line {line}); got {}\nlook at both, then rerun with EVENTMAP_UPDATE_GOLDENS=1 if the change is wanted",
            out.display()
        );
    }
}

/// Decoded RGB pixels of a PNG: (width, height, bytes).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG pixels");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// PNGs match when their sizes do and at most 0.05% of pixels differ by more
/// than 2 in any channel: room for floating-point differences between machines,
/// none for a moved label or a changed colour.
#[track_caller]
fn assert_png_golden(name: &str, actual: &[u8]) {
    let path = golden_path(name);
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (EVENTMAP_UPDATE_GOLDENS=1 writes it)", path.display()));
    let (ew, eh, e) = decode(&expected);
    let (aw, ah, a) = decode(actual);
    let out = actual_path(name);
    if (ew, eh) != (aw, ah) {
        std::fs::write(&out, actual).unwrap();
        panic!("{name}: size {aw}x{ah}, golden {ew}x{eh}; got {}", out.display());
    }
    let differing = e
        .chunks_exact(3)
        .zip(a.chunks_exact(3))
        .filter(|(p, q)| p.iter().zip(*q).any(|(x, y)| x.abs_diff(*y) > 2))
        .count();
    let allowed = (ew * eh) as usize / 2000;
    if differing > allowed {
        std::fs::write(&out, actual).unwrap();
        panic!("{name}: {differing} pixels differ (allowed {allowed}); got {}", out.display());
    }
}

#[test]
fn control_map_matches_its_golden() {
    let data = day(10);
    let options = width(GOLDEN_WIDTH);
    assert_svg_golden("control-2021-08-10.svg", &control_svg(&data, &options));
    assert_png_golden("control-2021-08-10.png", &control_png(&data, &options));
}

#[test]
fn displacement_map_matches_its_golden() {
    let data = day(10);
    let options = width(GOLDEN_WIDTH);
    assert_svg_golden("displacement-2021-08-10.svg", &displacement_svg(&data, &options));
    assert_png_golden("displacement-2021-08-10.png", &displacement_png(&data, &options));
}

// ---------------------------------------------------------------- checks without goldens

#[test]
fn same_input_same_bytes() {
    let data = day(14);
    let options = width(600);
    assert_eq!(control_svg(&data, &options), control_svg(&data, &options));
    assert_eq!(control_png(&data, &options), control_png(&data, &options));
    assert_eq!(displacement_svg(&data, &options), displacement_svg(&data, &options));
}

#[test]
fn svg_keeps_text_as_text_in_the_bundled_family() {
    let data = day(10);
    let svg = control_svg(&data, &width(800));
    assert!(svg.contains(r#"font-family="DejaVu Sans""#));
    for text in [
        "As of 10 August 2021",
        "Taliban: 8 of 34 provincial capitals",
        "Kabul",
        "PAKISTAN",
        "GeoNames (CC BY 4.0)",
        "Natural Earth",
        "163 news reports",
        "km",
    ] {
        assert!(svg.contains(text), "{text:?} missing from the SVG");
    }
    let svg = displacement_svg(&data, &width(800));
    for text in [
        "17,000 families",
        "~200 families",
        "To Doha",
        "6,000 people",
        "destination unknown",
        "origin unknown",
        "Chaman",
    ] {
        assert!(svg.contains(text), "{text:?} missing from the SVG");
    }
}

#[test]
fn options_replace_title_subtitle_and_source_but_keep_the_credits() {
    let data = day(10);
    let options = MapOptions {
        width_px: 800,
        title: Some("Taliban sweep the north".to_owned()),
        subtitle: Some("Ten days in August".to_owned()),
        source: Some("Source: our correspondents".to_owned()),
        ..MapOptions::default()
    };
    let svg = control_svg(&data, &options);
    assert!(svg.contains("Taliban sweep the north") && svg.contains("Ten days in August"));
    assert!(svg.contains("Source: our correspondents. Map data: Natural Earth; GeoNames (CC BY 4.0)"));
    assert!(!svg.contains("As of 10 August"));
}

#[test]
fn high_density_png_doubles_every_dimension() {
    let data = day(10);
    let one = decode(&control_png(&data, &width(500)));
    let two = decode(&control_png(&data, &MapOptions { width_px: 500, scale: 2.0, ..MapOptions::default() }));
    assert_eq!((two.0, two.1), (one.0 * 2, one.1 * 2));
    // Nonsense sizes give a usable map, not a panic (the cap on huge ones is a unit test).
    let (w, _, _) = decode(&control_png(&data, &MapOptions { width_px: 0, scale: f32::NAN, ..MapOptions::default() }));
    assert_eq!(w, 200);
}

#[track_caller]
fn assert_no_label_overlaps(scene: &Scene) {
    for (i, a) in scene.labels.iter().enumerate() {
        assert!(scene.frame.rect.contains_rect(&a.rect), "{} leaves the map frame", a.text);
        for b in &scene.labels[i + 1..] {
            assert!(!a.rect.intersects(&b.rect), "{:?} and {:?} overlap", a.text, b.text);
        }
    }
}

#[test]
fn placed_labels_never_overlap() {
    for d in [10, 14] {
        let data = day(d);
        for w in [800, 1200, 2400] {
            assert_no_label_overlaps(&control_scene(&data, &width(w)));
            assert_no_label_overlaps(&displacement_scene(&data, &width(w)));
        }
    }
    // Kabul is the most important label and is always placed.
    let scene = control_scene(&day(10), &width(2400));
    assert!(scene.labels.iter().any(|l| l.text == "Kabul" && l.kind == LabelKind::Capital));
    let capitals = scene.labels.iter().filter(|l| l.kind == LabelKind::Capital).count();
    assert!(capitals >= 30, "only {capitals} capitals labelled; dropped {:?}", scene.dropped);
}

#[test]
fn every_capital_with_a_status_has_a_dot_in_its_colour() {
    let data = day(10);
    let options = width(1200);
    let scene = control_scene(&data, &options);
    let (w, _, pixels) = decode(&scene_png(&scene, 1.0));
    let point = Style::default().palette.point;
    for (id, status) in &data.places {
        let dot = scene
            .dots
            .iter()
            .find(|d| d.entry == *id)
            .unwrap_or_else(|| panic!("no dot for {}", data.gazetteer.entry(*id).name));
        assert_eq!(dot.status, Some(*status));
        let expected = match status {
            Status::Taliban => point.taliban,
            Status::Government => point.government,
            Status::Resistance => point.resistance,
            Status::Contested => point.contested,
            Status::Unknown => point.unknown,
        };
        // Kabul's dot has a dark centre: look between it and the outline.
        let kabul = data.gazetteer.entry(*id).feature_code == "PPLC";
        let (x, y) = if kabul { (dot.centre.0 + dot.radius * 0.6, dot.centre.1) } else { dot.centre };
        let got = pixel(&pixels, w, x, y);
        assert!(near(got, expected, 6), "{}: dot pixel {got:?}, expected {expected}", data.gazetteer.entry(*id).name);
    }
}

fn pixel(pixels: &[u8], w: u32, x: f64, y: f64) -> [u8; 3] {
    let i = ((y.round() as u32 * w + x.round() as u32) * 3) as usize;
    [pixels[i], pixels[i + 1], pixels[i + 2]]
}

fn near(p: [u8; 3], c: Colour, tolerance: u8) -> bool {
    p[0].abs_diff(c.0) <= tolerance && p[1].abs_diff(c.1) <= tolerance && p[2].abs_diff(c.2) <= tolerance
}

/// A point well inside a province and clear of labels and dots: its label point
/// if that is clear, else the nearest clear point on a grid around it.
fn clear_interior_point(data: &MapData, scene: &Scene, iso: &str) -> (f64, f64) {
    let g = data.gazetteer;
    let province = g.province(iso).unwrap();
    let label = g.entry(province.entry).point.unwrap();
    let keep_off: Vec<Rect> = scene
        .labels
        .iter()
        .map(|l| l.rect)
        .chain(scene.dots.iter().map(|d| Rect {
            x0: d.centre.0 - d.radius,
            y0: d.centre.1 - d.radius,
            x1: d.centre.0 + d.radius,
            y1: d.centre.1 + d.radius,
        }))
        .map(|r| Rect { x0: r.x0 - 8.0, y0: r.y0 - 8.0, x1: r.x1 + 8.0, y1: r.y1 + 8.0 })
        .collect();
    let step = 0.05;
    let mut candidates: Vec<(f64, f64)> = Vec::new();
    for i in -30..=30 {
        for j in -30..=30 {
            candidates.push((label.x() + f64::from(i) * step, label.y() + f64::from(j) * step));
        }
    }
    candidates.sort_by(|a, b| {
        let da = (a.0 - label.x()).powi(2) + (a.1 - label.y()).powi(2);
        let db = (b.0 - label.x()).powi(2) + (b.1 - label.y()).powi(2);
        da.total_cmp(&db)
    });
    for (lon, lat) in candidates {
        // Well inside: a ring of points 0.06° away is inside too, so borders are far.
        let inside = [(0.0, 0.0), (0.06, 0.0), (-0.06, 0.0), (0.0, 0.06), (0.0, -0.06)]
            .iter()
            .all(|(dx, dy)| province.geometry.contains(&Point::new(lon + dx, lat + dy)));
        let px = scene.to_px(lon, lat);
        if inside && !keep_off.iter().any(|r| r.contains(px)) {
            return px;
        }
    }
    panic!("{iso}: no clear interior point");
}

#[test]
fn province_interiors_have_their_status_colour() {
    for d in [10, 14] {
        let data = day(d);
        let scene = control_scene(&data, &width(1200));
        let (w, _, pixels) = decode(&scene_png(&scene, 1.0));
        let area = Style::default().palette.area;
        for (iso, status) in &data.provinces {
            let (x, y) = clear_interior_point(&data, &scene, iso);
            if *status == Status::Contested {
                // Hatching: both the ground and the lines show within a few pixels.
                let mut ground = false;
                let mut lines = false;
                for dx in -6..=6 {
                    for dy in -6..=6 {
                        let p = pixel(&pixels, w, x + f64::from(dx), y + f64::from(dy));
                        ground |= near(p, area.contested, 6);
                        lines |= near(p, area.contested_hatch, 6);
                    }
                }
                assert!(ground && lines, "{iso} on the {d}th: contested but not hatched at {x:.0},{y:.0}");
                continue;
            }
            let expected = match status {
                Status::Taliban => area.taliban,
                Status::Government => area.government,
                Status::Resistance => area.resistance,
                Status::Contested => unreachable!(),
                Status::Unknown => area.unknown,
            };
            let got = pixel(&pixels, w, x, y);
            assert!(
                near(got, expected, 3),
                "{iso} on the {d}th ({status}): pixel {got:?} at {x:.0},{y:.0}, expected {expected}"
            );
        }
    }
}

#[test]
fn a_bad_style_file_is_an_error_naming_file_line_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.toml");
    std::fs::write(&path, "[palette.area]\ntaliban = \"#a8431e\"\ngovernment = \"blue\"\n").unwrap();
    let err = Style::from_toml_file(&path).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:3:14: ", path.display())), "{err}");
    assert!(err.contains("\"blue\""), "{err}");
    let err = Style::from_toml_file(&dir.path().join("missing.toml")).unwrap_err().to_string();
    assert!(err.contains("missing.toml: cannot read"), "{err}");
    // A good file changes the map.
    std::fs::write(&path, "[palette.area]\ntaliban = \"#000000\"\n").unwrap();
    let style = Style::from_toml_file(&path).unwrap();
    let svg = control_svg(&day(10), &MapOptions { width_px: 600, style, ..MapOptions::default() });
    assert!(svg.contains("#000000"));
}

#[test]
fn the_bundled_style_file_is_the_house_style() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/map-style.toml");
    let style = Style::from_toml_file(&path).unwrap();
    let data = day(10);
    let from_file = MapOptions { width_px: 600, style, ..MapOptions::default() };
    assert_eq!(control_svg(&data, &from_file), control_svg(&data, &width(600)));
    assert_eq!(displacement_svg(&data, &from_file), displacement_svg(&data, &width(600)));
}

#[test]
fn uncounted_flows_and_province_ends_read_right() {
    let mut data = day(10);
    let g = data.gazetteer;
    let herat = id(g, "gn:1140026");
    let jowzjan = g.province("AF-JOW").unwrap().entry;
    data.flows = vec![
        Flow {
            origin: Some(jowzjan),
            destination: Some(herat),
            people: 0,
            count: 0,
            unit: CountUnit::People,
            vague: false,
        },
        Flow { origin: None, destination: Some(herat), people: 0, count: 0, unit: CountUnit::People, vague: false },
    ];
    let svg = displacement_svg(&data, &width(800));
    // (The legend has "10,000 people".)
    assert!(!svg.contains(">0 people<"), "a flow without a number is not labelled \"0 people\"");
    assert!(svg.contains("Number not reported") && svg.contains("origin unknown"));
    // The province is drawn at its label point, and named as a province.
    assert!(svg.contains("Jowzjan province"));
    assert!(!svg.contains("vague count"), "no vague flows, no vague note");
}

/// A busy week draws its largest flows only, at most `max_flows`, with arrival circles
/// at their destinations, and the legend says how many movements were left off.
#[test]
fn a_busy_day_draws_its_largest_flows_and_says_how_many_were_left_off() {
    let mut data = day(10);
    let g = data.gazetteer;
    // Thirty flows, each provincial capital to the next, 1,000 to 30,000 people.
    let capitals: Vec<EntryId> = g.provinces.iter().map(|p| p.capital).take(31).collect();
    data.flows = (0..30)
        .map(|i| Flow {
            origin: Some(capitals[i]),
            destination: Some(capitals[i + 1]),
            people: 1_000 * (i as u64 + 1),
            count: 1_000 * (i as u64 + 1),
            unit: CountUnit::People,
            vague: false,
        })
        .collect();
    let style = Style::default();
    let drawn = |options: &MapOptions| {
        let scene = displacement_scene(&data, options);
        let arrows =
            scene.items.iter().filter(|i| matches!(i, Item::Fill { colour, .. } if *colour == style.palette.flow));
        let circles = scene
            .items
            .iter()
            .filter(|i| matches!(i, Item::Circle { fill: Some(c), .. } if *c == style.palette.arrivals));
        // The legend has two arrows and a circle of its own.
        (arrows.count() - 2, circles.count() - 1)
    };
    assert_eq!(style.max_flows, 20);
    // Each flow ends at its own capital: as many circles as flows drawn.
    assert_eq!(drawn(&width(2400)), (20, 20));
    let svg = displacement_svg(&data, &width(2400));
    assert!(svg.contains("The 20 largest of 30 movements"), "the legend says what was left off");
    // The largest are drawn: flows 11 to 30 (11,000 people and up), so the circles are
    // at capitals 12 to 31, not at 2 to 11.
    let scene = displacement_scene(&data, &width(2400));
    let circle_at = |entry: EntryId| {
        let p = g.entry(entry).point.expect("a capital has a point");
        let (x, y) = scene.to_px(p.x(), p.y());
        scene.items.iter().any(|i| {
            matches!(i, Item::Circle { centre, fill: Some(c), .. }
                if *c == style.palette.arrivals && (centre.0 - x).abs() < 0.01 && (centre.1 - y).abs() < 0.01)
        })
    };
    assert!(capitals[11..=30].iter().all(|c| circle_at(*c)), "the destinations of the largest flows");
    assert!(!capitals[1..=10].iter().any(|c| circle_at(*c)), "no circle where no flow is drawn");
    let all = MapOptions { style: Style { max_flows: 40, ..Style::default() }, ..width(2400) };
    assert_eq!(drawn(&all), (30, 30));
    assert!(!displacement_svg(&data, &all).contains("largest of"));
}
