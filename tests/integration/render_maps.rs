//! Publication maps on real gazetteer data for two days of the 2021 offensive:
//! goldens (SVG exact, PNG within a small tolerance; `EVENTMAP_UPDATE_GOLDENS=1`
//! rewrites them), and checks that need no golden (status colours under province
//! interiors, no overlapping labels, a dot for every capital with a status).

use eventmap::gazetteer::{EntryId, Gazetteer};
use eventmap::ledger::Status;
use eventmap::render::map::{
    control_png, control_svg, displacement_png, displacement_svg, CountUnit, Flow, MapData, MapOptions,
};
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
        std::fs::write(dir.join(format!("displacement-{d}.svg")), displacement_svg(&data, &width(2400))).unwrap();
    }
}
