//! Invariants of the bundled gazetteer, checked on the real data.

use eventmap::gazetteer::{Gazetteer, Kind};
use geo::{Area, BooleanOps, BoundingRect, Closest, ClosestPoint, Contains, Distance, Haversine, Point, Validation};
use std::collections::HashSet;
use std::sync::OnceLock;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

#[test]
fn ids_are_unique_and_coordinates_in_range() {
    let g = gazetteer();
    let mut ids = HashSet::new();
    for entry in &g.entries {
        assert!(ids.insert(entry.id.as_str()), "duplicate id {}", entry.id);
        if let Some(p) = entry.point {
            assert!((-180.0..=180.0).contains(&p.x()) && (-90.0..=90.0).contains(&p.y()), "{} at {:?}", entry.id, p);
        }
    }
    assert_eq!(g.entries.iter().filter(|e| e.kind == Kind::Province).count(), 34);
    let districts = g.entries.iter().filter(|e| e.kind == Kind::District).count();
    assert!((390..=420).contains(&districts), "{districts} districts");
    let places = g.entries.iter().filter(|e| e.kind.is_settlement()).count();
    assert!(places >= 320, "{places} places");
}

/// Kilometres from a point to the nearest edge of a geometry (0 inside).
fn km_outside(geometry: &geo::MultiPolygon<f64>, point: Point<f64>) -> f64 {
    if geometry.contains(&point) {
        return 0.0;
    }
    geometry
        .0
        .iter()
        .map(|polygon| match polygon.exterior().closest_point(&point) {
            Closest::Intersection(_) => 0.0,
            Closest::SinglePoint(p) => Haversine.distance(point, p) / 1000.0,
            Closest::Indeterminate => f64::INFINITY,
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn every_afghan_place_lies_in_its_province() {
    let g = gazetteer();
    let mut checked = 0;
    for entry in g.entries.iter().filter(|e| e.kind.is_afghan() && e.kind != Kind::Province) {
        let Some(point) = entry.point else { continue };
        let code = entry.admin1_code.as_deref().expect("Afghan entries have a province");
        let province = g.province(code).unwrap_or_else(|| panic!("{}: unknown province {code}", entry.id));
        let km = km_outside(&province.geometry, point);
        assert!(km <= 5.0, "{} {} lies {km:.1} km outside its province {code}", entry.id, entry.name);
        checked += 1;
    }
    assert!(checked > 700, "only {checked} places checked");
}

#[test]
fn every_province_has_a_capital_inside_it_and_a_label_point_inside_it() {
    let g = gazetteer();
    for province in &g.provinces {
        let capital = g.entry(province.capital);
        assert!(capital.is_capital(), "{}: capital {} is not PPLA/PPLC", province.iso_code, capital.id);
        assert_eq!(capital.admin1_code.as_deref(), Some(province.iso_code.as_str()));
        assert!(province.geometry.contains(&capital.point.unwrap()), "{} capital outside", province.iso_code);
        let label = g.entry(province.entry).point.unwrap();
        assert!(province.geometry.contains(&label), "{} label point outside", province.iso_code);
    }
}

#[test]
fn provinces_are_valid_disjoint_and_cover_the_country() {
    let g = gazetteer();
    for province in &g.provinces {
        assert!(province.geometry.is_valid(), "{} is not a valid polygon", province.iso_code);
    }
    for (i, a) in g.provinces.iter().enumerate() {
        for b in &g.provinces[i + 1..] {
            let (ra, rb) = (a.geometry.bounding_rect().unwrap(), b.geometry.bounding_rect().unwrap());
            if ra.max().x < rb.min().x || rb.max().x < ra.min().x || ra.max().y < rb.min().y || rb.max().y < ra.min().y
            {
                continue;
            }
            let overlap = a.geometry.intersection(&b.geometry).unsigned_area();
            assert!(overlap < 1e-8, "{} and {} overlap by {overlap} deg²", a.iso_code, b.iso_code);
        }
    }
    let afghanistan = g.countries.iter().find(|c| c.iso_a2 == "AF").expect("Afghanistan outline");
    let union = g.provinces.iter().fold(geo::MultiPolygon::<f64>(vec![]), |acc, p| acc.union(&p.geometry));
    let country_area = afghanistan.geometry.unsigned_area();
    let difference = union.xor(&afghanistan.geometry).unsigned_area();
    assert!(
        difference / country_area < 1e-3,
        "provinces and the country outline differ by {:.5}%",
        100.0 * difference / country_area
    );
}

#[test]
fn every_reference_points_at_an_existing_entry() {
    let g = gazetteer();
    for entry in &g.entries {
        if let Some(d) = &entry.district_id {
            let district = g.by_id(d).unwrap_or_else(|| panic!("{}: district {d} missing", entry.id));
            assert_eq!(g.entry(district).kind, Kind::District);
            assert_eq!(
                g.entry(district).admin1_code,
                entry.admin1_code,
                "{} and its district in different provinces",
                entry.id
            );
        }
    }
}

/// The spellings the news uses, from the issue and DATA.md, each with the province it must reach.
const PROVINCE_SPELLINGS: &[(&str, &[&str])] = &[
    ("AF-HEL", &["Helmand", "Hilmand"]),
    ("AF-SAR", &["Sar-e Pol", "Sar-e Pul", "Sari Pul", "Saripul"]),
    ("AF-PIA", &["Paktia", "Paktya", "Paktiya"]),
    ("AF-NIM", &["Nimruz", "Nimroz"]),
    ("AF-DAY", &["Daykundi", "Daikundi", "Dai Kundi"]),
    ("AF-URU", &["Uruzgan", "Oruzgan", "Urozgan"]),
    ("AF-WAR", &["Wardak", "Maidan Wardak", "Vardak"]),
    ("AF-JOW", &["Jowzjan", "Jawzjan", "Jozjan"]),
    ("AF-BAM", &["Bamyan", "Bamiyan"]),
    ("AF-PAN", &["Panjshir", "Panjsher", "Panjshayr"]),
    ("AF-HER", &["Herat", "Hirat"]),
    ("AF-KNR", &["Kunar", "Konar"]),
    ("AF-GHO", &["Ghor", "Ghowr"]),
    ("AF-KHO", &["Khost", "Khowst"]),
    ("AF-KDZ", &["Kunduz", "Kondoz", "Qunduz"]),
];

#[test]
fn provinces_resolve_by_every_listed_spelling() {
    let g = gazetteer();
    for (iso, spellings) in PROVINCE_SPELLINGS {
        for spelling in *spellings {
            let found = g.lookup(spelling);
            assert!(found.iter().any(|c| g.entry(c.entry).id == *iso), "{spelling:?} does not reach {iso}");
        }
    }
}

#[test]
fn all_34_provinces_and_capitals_resolve_by_their_names() {
    let g = gazetteer();
    for province in &g.provinces {
        let entry = g.entry(province.entry);
        for (name, _) in entry.names.iter().filter(|(n, _)| n.is_ascii()) {
            let found = g.lookup(name);
            assert!(found.iter().any(|c| c.entry == province.entry), "{name:?} does not reach {}", entry.id);
        }
        let capital = g.entry(province.capital);
        let found = g.lookup(&capital.name);
        assert_eq!(
            found.first().map(|c| c.entry),
            Some(province.capital),
            "{:?} does not resolve first to the capital",
            capital.name
        );
    }
}

#[test]
fn capitals_resolve_by_news_spellings() {
    let g = gazetteer();
    let cases = [
        ("Mazar-i-Sharif", "AF-BAL"),
        ("Mazar-e Sharif", "AF-BAL"),
        ("Mazar Sharif", "AF-BAL"),
        ("Mazār-e Sharīf", "AF-BAL"),
        ("Sheberghan", "AF-JOW"),
        ("Shibirghan", "AF-JOW"),
        ("Shiberghan", "AF-JOW"),
        ("Lashkar Gah", "AF-HEL"),
        ("Lashkargah", "AF-HEL"),
        ("Pul-e Khumri", "AF-BGL"),
        ("Pul-i-Khumri", "AF-BGL"),
        ("Puli Khumri", "AF-BGL"),
        ("Tarin Kot", "AF-URU"),
        ("Tarin Kowt", "AF-URU"),
        ("Chaghcharan", "AF-GHO"),
        ("Maidan Shahr", "AF-WAR"),
        ("Mahmud-i-Raqi", "AF-KAP"),
        ("Qala-e-Naw", "AF-BDG"),
        ("Faizabad", "AF-BDS"),
        ("Aybak", "AF-SAM"),
        ("Taloqan", "AF-TAK"),
        ("Maimana", "AF-FYB"),
    ];
    for (name, iso) in cases {
        let found = g.lookup(name);
        let first = g.entry(found.first().unwrap_or_else(|| panic!("{name:?}: nothing found")).entry);
        assert!(first.is_capital(), "{name:?} resolves first to {} ({}), not a capital", first.id, first.kind);
        assert_eq!(first.admin1_code.as_deref(), Some(iso), "{name:?}");
    }
}

#[test]
fn same_named_province_and_capital_are_both_listed() {
    let g = gazetteer();
    let kinds: Vec<Kind> = g.lookup("Kunduz").iter().map(|c| g.entry(c.entry).kind).collect();
    assert!(kinds.contains(&Kind::City) && kinds.contains(&Kind::Province), "{kinds:?}");
}

#[test]
fn foreign_names_never_resolve_to_afghan_places_first() {
    let g = gazetteer();
    for name in [
        "Chaman",
        "Quetta",
        "Peshawar",
        "Termez",
        "Mashhad",
        "Doha",
        "Washington",
        "Islamabad",
        "Tehran",
        "Moscow",
        "Pakistan",
        "Iran",
        "Qatar",
        "China",
    ] {
        let found = g.lookup(name);
        let first = g.entry(found.first().unwrap_or_else(|| panic!("{name:?}: nothing found")).entry);
        assert!(
            matches!(first.kind, Kind::Country | Kind::ForeignPlace),
            "{name:?} resolves first to {} {}",
            first.id,
            first.kind
        );
        assert!(first.admin1_code.is_none());
    }
}

#[test]
fn authored_places_are_present_with_their_kind() {
    let g = gazetteer();
    for (name, kind, iso) in [
        ("Torkham", Kind::BorderCrossing, "AF-NAN"),
        ("Islam Qala", Kind::BorderCrossing, "AF-HER"),
        ("Sher Khan Bandar", Kind::BorderCrossing, "AF-KDZ"),
        ("Hairatan", Kind::BorderCrossing, "AF-BAL"),
        ("Marjah", Kind::Area, "AF-HEL"),
        ("Greshk", Kind::Town, "AF-HEL"),
        ("Spin Boldak", Kind::Town, "AF-KAN"),
        ("Zhari", Kind::District, "AF-KAN"),
    ] {
        let found = g.lookup(name);
        let first = g.entry(found.first().unwrap_or_else(|| panic!("{name:?}: nothing found")).entry);
        assert_eq!((first.kind, first.admin1_code.as_deref()), (kind, Some(iso)), "{name:?} → {}", first.id);
    }
}
