//! Reads the gazetteer files (bundled in the binary, or a folder of the same schema)
//! into a [`Gazetteer`], refusing bad rows with the file, line and value.

use super::{CountryShape, Entry, EntryId, Gazetteer, Kind, NameIndex, ProvinceShape, Trust};
use geo::{Geometry, MultiPolygon, Point};
use rustc_hash::FxHashMap;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The files of a gazetteer folder, in load order.
pub const FILES: [&str; 6] =
    ["provinces.geojson", "countries.geojson", "districts.tsv", "places.tsv", "foreign.tsv", "regions.tsv"];

const BUNDLED: [&str; 6] = [
    include_str!("../../gazetteer/provinces.geojson"),
    include_str!("../../gazetteer/countries.geojson"),
    include_str!("../../gazetteer/districts.tsv"),
    include_str!("../../gazetteer/places.tsv"),
    include_str!("../../gazetteer/foreign.tsv"),
    include_str!("../../gazetteer/regions.tsv"),
];

/// The bundled files' name index, made by `cargo run -p xtask -- name-index`
/// ([`NameIndex::to_prebuilt`]); a test checks it is what they make today.
/// The bundled name index's file, beside the data files.
pub const PREBUILT_FILE: &str = "name_index.tsv";

const BUNDLED_NAME_INDEX: &str = include_str!("../../gazetteer/name_index.tsv");

/// Common English words: a property of the language, not of the gazetteer, so always
/// the bundled list.
const ENGLISH_WORDS: &str = include_str!("../../gazetteer/english_words.txt");

/// Where a gazetteer came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Bundled,
    Folder(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Bundled => f.write_str("bundled gazetteer"),
            Source::Folder(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A gazetteer file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{file}:{line}: {message}")]
    Invalid { file: String, line: usize, message: String },
}

impl Gazetteer {
    /// The gazetteer built into the binary.
    pub fn bundled() -> Gazetteer {
        load(BUNDLED, Some(BUNDLED_NAME_INDEX), Source::Bundled)
            .expect("the bundled gazetteer is valid (checked by its tests)")
    }

    /// A folder with the same files as `gazetteer/`.
    pub fn from_folder(dir: &Path) -> Result<Gazetteer, LoadError> {
        let mut texts = Vec::new();
        for name in FILES {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|source| LoadError::Read { path: path.clone(), source })?;
            let text = String::from_utf8(bytes).map_err(|e| LoadError::Invalid {
                file: path.display().to_string(),
                line: line_of_offset(e.as_bytes(), e.utf8_error().valid_up_to()),
                message: "not valid UTF-8".to_owned(),
            })?;
            texts.push(text);
        }
        let texts: [&str; 6] = std::array::from_fn(|i| texts[i].as_str());
        load(texts, None, Source::Folder(dir.to_owned()))
    }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

struct Context {
    source: Source,
}

impl Context {
    fn file(&self, name: &str) -> String {
        match &self.source {
            Source::Bundled => format!("gazetteer/{name}"),
            Source::Folder(dir) => dir.join(name).display().to_string(),
        }
    }

    fn invalid(&self, name: &str, line: usize, message: impl Into<String>) -> LoadError {
        LoadError::Invalid { file: self.file(name), line, message: message.into() }
    }
}

/// The gazetteer of `texts` (the files of [`FILES`]), with their name index read from
/// `prebuilt` if given, else built.
fn load(texts: [&str; 6], prebuilt: Option<&str>, source: Source) -> Result<Gazetteer, LoadError> {
    let cx = Context { source };
    let [provinces_json, countries_json, districts_tsv, places_tsv, foreign_tsv, regions_tsv] = texts;
    let mut entries: Vec<Entry> = Vec::new();
    // (file, line) of each entry, for messages about it.
    let mut origins: Vec<(&'static str, usize)> = Vec::new();
    let mut shapes: Vec<(String, MultiPolygon<f64>, String)> = Vec::new();

    // Provinces: one feature a line in the bundled file, so line numbers point at the feature.
    let collection = parse_collection(&cx, "provinces.geojson", provinces_json)?;
    let lines = feature_lines(provinces_json);
    for (n, feature) in collection.features.iter().enumerate() {
        let line = lines.get(n).copied().unwrap_or(1);
        let prop = |key: &str| -> Result<String, LoadError> {
            feature.property(key).and_then(|v| v.as_str()).map(str::to_owned).ok_or_else(|| {
                cx.invalid("provinces.geojson", line, format!("feature {n}: property {key:?} missing or not a string"))
            })
        };
        let number = |key: &str| -> Result<f64, LoadError> {
            feature.property(key).and_then(|v| v.as_f64()).ok_or_else(|| {
                cx.invalid("provinces.geojson", line, format!("feature {n}: property {key:?} missing or not a number"))
            })
        };
        let id = prop("id")?;
        let name = prop("name")?;
        let label = point(&cx, "provinces.geojson", line, number("label_lon")?, number("label_lat")?)?;
        let mut names = vec![(name.clone(), Trust::Primary)];
        for key in ["name_iso", "aliases", "names_local"] {
            for alias in prop(key).unwrap_or_default().split('|').filter(|s| !s.is_empty()) {
                names.push((alias.to_owned(), Trust::Curated));
            }
        }
        let geometry = multipolygon(&cx, "provinces.geojson", line, feature.geometry.as_ref())?;
        shapes.push((id.clone(), geometry, prop("capital_id")?));
        origins.push(("provinces.geojson", line));
        entries.push(Entry {
            id: id.clone(),
            name,
            kind: Kind::Province,
            admin1_code: Some(id),
            district_id: None,
            point: Some(label),
            population: 0,
            feature_code: String::new(),
            country_code: "AF".to_owned(),
            names,
            curated: true,
        });
    }
    if entries.is_empty() {
        return Err(cx.invalid("provinces.geojson", 1, "no provinces"));
    }
    let province_codes: HashSet<String> = entries.iter().map(|e| e.id.clone()).collect();

    let check_province = |file: &str, line: usize, code: &str| -> Result<String, LoadError> {
        if province_codes.contains(code) {
            Ok(code.to_owned())
        } else {
            Err(cx.invalid(file, line, format!("admin1_code {code:?} is not a province in provinces.geojson")))
        }
    };

    for row in Table::parse(
        &cx,
        "districts.tsv",
        districts_tsv,
        &["id", "name", "admin1_code", "latitude", "longitude", "aliases", "alternatenames"],
    )? {
        let admin1 = check_province("districts.tsv", row.line, row.get("admin1_code"))?;
        origins.push((row.file, row.line));
        entries.push(Entry {
            id: row.id()?,
            name: row.name()?,
            kind: Kind::District,
            admin1_code: Some(admin1),
            district_id: None,
            point: row.optional_point()?,
            population: 0,
            feature_code: String::new(),
            country_code: "AF".to_owned(),
            names: row.names(),
            curated: false,
        });
    }

    for row in Table::parse(
        &cx,
        "places.tsv",
        places_tsv,
        &[
            "id",
            "name",
            "kind",
            "feature_code",
            "admin1_code",
            "district_id",
            "latitude",
            "longitude",
            "population",
            "aliases",
            "alternatenames",
        ],
    )? {
        let kind = row.kind(&[Kind::City, Kind::Town, Kind::Village, Kind::Area, Kind::BorderCrossing])?;
        let admin1 = check_province("places.tsv", row.line, row.get("admin1_code"))?;
        let point =
            row.optional_point()?.ok_or_else(|| row.invalid("latitude and longitude are required for a place"))?;
        origins.push((row.file, row.line));
        entries.push(Entry {
            id: row.id()?,
            name: row.name()?,
            kind,
            admin1_code: Some(admin1),
            district_id: Some(row.get("district_id").to_owned()).filter(|s| !s.is_empty()),
            point: Some(point),
            population: row.population()?,
            feature_code: row.get("feature_code").to_owned(),
            country_code: "AF".to_owned(),
            names: row.names(),
            curated: row.get("source").contains("eventmap"),
        });
    }

    for row in Table::parse(
        &cx,
        "foreign.tsv",
        foreign_tsv,
        &["id", "kind", "name", "country_code", "latitude", "longitude", "population", "aliases"],
    )? {
        let kind = row.kind(&[Kind::Country, Kind::ForeignPlace])?;
        origins.push((row.file, row.line));
        entries.push(Entry {
            id: row.id()?,
            name: row.name()?,
            kind,
            admin1_code: None,
            district_id: None,
            point: row.optional_point()?,
            population: row.population()?,
            feature_code: String::new(),
            country_code: row.get("country_code").to_owned(),
            names: row.names(),
            curated: false,
        });
    }

    for row in Table::parse(&cx, "regions.tsv", regions_tsv, &["id", "name", "aliases", "provinces"])? {
        for code in row.get("provinces").split('|').filter(|s| !s.is_empty()) {
            check_province("regions.tsv", row.line, code)?;
        }
        origins.push((row.file, row.line));
        entries.push(Entry {
            id: row.id()?,
            name: row.name()?,
            kind: Kind::Region,
            admin1_code: None,
            district_id: None,
            point: None,
            population: 0,
            feature_code: String::new(),
            country_code: "AF".to_owned(),
            names: row.names(),
            curated: false,
        });
    }

    let mut by_id: FxHashMap<String, EntryId> = FxHashMap::default();
    by_id.reserve(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        if let Some(first) = by_id.insert(entry.id.clone(), i as EntryId) {
            let (file, line) = origins[i];
            let (first_file, first_line) = origins[first as usize];
            return Err(cx.invalid(
                file,
                line,
                format!("duplicate id {:?} (first at {first_file}:{first_line})", entry.id),
            ));
        }
    }
    for (i, entry) in entries.iter().enumerate() {
        if let Some(district) = &entry.district_id {
            if !by_id.contains_key(district) {
                let (file, line) = origins[i];
                return Err(cx.invalid(file, line, format!("district_id {district:?} is not in districts.tsv")));
            }
        }
    }

    let mut provinces = Vec::new();
    for (iso, geometry, capital_id) in shapes {
        let capital = *by_id.get(&capital_id).ok_or_else(|| {
            cx.invalid("provinces.geojson", 1, format!("{iso}: capital_id {capital_id:?} is not in places.tsv"))
        })?;
        provinces.push(ProvinceShape { entry: by_id[&iso], iso_code: iso, geometry, capital });
    }

    let mut countries = Vec::new();
    let collection = parse_collection(&cx, "countries.geojson", countries_json)?;
    let lines = feature_lines(countries_json);
    for (n, feature) in collection.features.iter().enumerate() {
        let line = lines.get(n).copied().unwrap_or(1);
        let text = |key: &str| feature.property(key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let number = |key: &str| feature.property(key).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        let label = point(&cx, "countries.geojson", line, number("label_lon"), number("label_lat"))?;
        countries.push(CountryShape {
            iso_a2: text("iso_a2"),
            name: text("name"),
            label,
            geometry: multipolygon(&cx, "countries.geojson", line, feature.geometry.as_ref())?,
        });
    }

    let index = match prebuilt {
        Some(text) => NameIndex::from_prebuilt(text, &by_id, ENGLISH_WORDS)
            .map_err(|(line, message)| cx.invalid(PREBUILT_FILE, line, message))?,
        None => NameIndex::build(&entries, ENGLISH_WORDS),
    };
    Ok(Gazetteer { entries, provinces, countries, index, by_id, source: cx.source })
}

fn parse_collection(cx: &Context, file: &str, text: &str) -> Result<geojson::FeatureCollection, LoadError> {
    text.parse::<geojson::FeatureCollection>().map_err(|e| {
        let line = match &e {
            geojson::Error::MalformedGeoJson(json) => json.line(),
            _ => 1,
        };
        cx.invalid(file, line, format!("not a GeoJSON FeatureCollection: {e}"))
    })
}

/// The line of each feature in a file written one feature a line (as the converter
/// writes them), in order; a feature past the end is on line 1. Found in one pass: a
/// pass per feature made a file of 40,000 features take 14 s to load.
fn feature_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with("{\"type\":\"Feature\"") || line.starts_with(",{\"type\":\"Feature\""))
        .map(|(i, _)| i + 1)
        .collect()
}

fn point(cx: &Context, file: &str, line: usize, lon: f64, lat: f64) -> Result<Point<f64>, LoadError> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(cx.invalid(file, line, format!("longitude {lon} is outside [-180, 180]")));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(cx.invalid(file, line, format!("latitude {lat} is outside [-90, 90]")));
    }
    Ok(Point::new(lon, lat))
}

fn multipolygon(
    cx: &Context,
    file: &str,
    line: usize,
    geometry: Option<&geojson::Geometry>,
) -> Result<MultiPolygon<f64>, LoadError> {
    let geometry = geometry.ok_or_else(|| cx.invalid(file, line, "feature has no geometry"))?;
    let geometry: Geometry<f64> =
        geometry.clone().try_into().map_err(|e| cx.invalid(file, line, format!("bad geometry: {e}")))?;
    let multi = match geometry {
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        Geometry::MultiPolygon(m) => m,
        other => {
            return Err(cx.invalid(
                file,
                line,
                format!("expected a Polygon or MultiPolygon, got {}", geometry_name(&other)),
            ))
        }
    };
    for polygon in &multi.0 {
        for coord in polygon.exterior().coords().chain(polygon.interiors().iter().flat_map(|r| r.coords())) {
            point(cx, file, line, coord.x, coord.y)?;
        }
    }
    Ok(multi)
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// A tab-separated file with a header row.
struct Table;

struct Row<'a, 'c> {
    cx: &'c Context,
    file: &'static str,
    line: usize,
    header: Rc<[&'a str]>,
    cells: Vec<&'a str>,
}

impl Table {
    fn parse<'a, 'c>(
        cx: &'c Context,
        file: &'static str,
        text: &'a str,
        required: &[&str],
    ) -> Result<Vec<Row<'a, 'c>>, LoadError> {
        let mut lines = text.lines().enumerate();
        let header: Rc<[&str]> = match lines.by_ref().find(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()) {
            Some((_, l)) => l.split('\t').map(str::trim).collect(),
            None => return Err(cx.invalid(file, 1, "empty file: expected a header row")),
        };
        for column in required {
            if !header.contains(column) {
                return Err(cx.invalid(file, 1, format!("missing column {column:?} in the header")));
            }
        }
        let mut rows = Vec::new();
        for (number, line) in lines {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            if cells.len() != header.len() {
                return Err(cx.invalid(
                    file,
                    number + 1,
                    format!("{} cells, the header has {}: {:?}", cells.len(), header.len(), truncate(line, 80)),
                ));
            }
            rows.push(Row { cx, file, line: number + 1, header: header.clone(), cells });
        }
        Ok(rows)
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

impl Row<'_, '_> {
    fn get(&self, column: &str) -> &str {
        self.header.iter().position(|h| *h == column).map(|i| self.cells[i].trim()).unwrap_or("")
    }

    fn invalid(&self, message: impl Into<String>) -> LoadError {
        self.cx.invalid(self.file, self.line, message)
    }

    fn id(&self) -> Result<String, LoadError> {
        let id = self.get("id");
        if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(self.invalid(format!("column id: {id:?} is not a valid id (empty or contains spaces)")));
        }
        Ok(id.to_owned())
    }

    fn name(&self) -> Result<String, LoadError> {
        let name = self.get("name");
        if name.is_empty() {
            return Err(self.invalid("column name is empty"));
        }
        Ok(name.to_owned())
    }

    fn kind(&self, allowed: &[Kind]) -> Result<Kind, LoadError> {
        let value = self.get("kind");
        Kind::parse(value).filter(|k| allowed.contains(k)).ok_or_else(|| {
            let allowed: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
            self.invalid(format!("column kind: {value:?} is not one of {}", allowed.join(", ")))
        })
    }

    fn population(&self) -> Result<u64, LoadError> {
        let value = self.get("population");
        if value.is_empty() {
            return Ok(0);
        }
        value.parse().map_err(|_| self.invalid(format!("column population: {value:?} is not a whole number")))
    }

    fn optional_point(&self) -> Result<Option<Point<f64>>, LoadError> {
        let (lat, lon) = (self.get("latitude"), self.get("longitude"));
        if lat.is_empty() && lon.is_empty() {
            return Ok(None);
        }
        let parse = |column: &str, value: &str, limit: f64| -> Result<f64, LoadError> {
            let v: f64 =
                value.parse().map_err(|_| self.invalid(format!("column {column}: {value:?} is not a number")))?;
            if !v.is_finite() || v.abs() > limit {
                return Err(self.invalid(format!("column {column}: {value} is outside [-{limit}, {limit}]")));
            }
            Ok(v)
        };
        let lat = parse("latitude", lat, 90.0)?;
        let lon = parse("longitude", lon, 180.0)?;
        Ok(Some(Point::new(lon, lat)))
    }

    fn names(&self) -> Vec<(String, Trust)> {
        let mut names = vec![(self.get("name").to_owned(), Trust::Primary)];
        for (column, trust) in [("aliases", Trust::Curated), ("alternatenames", Trust::Alternate)] {
            for name in self.get(column).split('|').map(str::trim).filter(|s| !s.is_empty()) {
                names.push((name.to_owned(), trust));
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed index is the one the bundled files make today, and reads back whole.
    #[test]
    fn prebuilt_name_index_is_current() {
        let built = load(BUNDLED, None, Source::Bundled).expect("bundled files load");
        let text = built.index.to_prebuilt(&built.entries);
        assert!(
            text == BUNDLED_NAME_INDEX,
            "gazetteer/{PREBUILT_FILE} is not the index of the bundled files: run `cargo run -p xtask -- name-index`"
        );
        let read = Gazetteer::bundled();
        assert_eq!(read.index.to_prebuilt(&read.entries), text);
        for name in ["Kabul", "Mazar-e Sharif", "Lashkar Gar", "Pul Khumri", "northern Afghanistan", "Doha"] {
            let ids = |g: &Gazetteer| g.lookup(name).iter().map(|c| (c.entry, c.tier)).collect::<Vec<_>>();
            assert_eq!(ids(&read), ids(&built), "{name}");
        }
    }

    #[test]
    fn bad_prebuilt_index_names_its_line() {
        let text = BUNDLED_NAME_INDEX.replacen("\tprimary\t", "\tfirst\t", 1);
        let line = text.lines().position(|l| l.contains("\tfirst\t")).expect("replaced") + 1;
        let error = load(BUNDLED, Some(&text), Source::Bundled).err().expect("refused").to_string();
        assert_eq!(error, format!("gazetteer/{PREBUILT_FILE}:{line}: unknown trust \"first\""));
        let error = load(BUNDLED, Some("name\tx"), Source::Bundled).err().expect("refused").to_string();
        assert!(error.starts_with(&format!("gazetteer/{PREBUILT_FILE}:1: expected")), "{error}");
    }

    #[test]
    fn many_features_load_in_one_pass_and_keep_their_lines() {
        let feature = |i: usize, lat: f64| {
            format!(
                "{}{{\"type\":\"Feature\",\"id\":\"X{i}\",\"properties\":{{\"iso_a2\":\"XX\",\"name\":\"N\",\
                 \"label_lon\":66.5,\"label_lat\":{lat}}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":\
                 [[[60.5,29.4],[74.9,29.4],[74.9,38.5],[60.5,29.4]]]}}}}",
                if i == 0 { "" } else { "," }
            )
        };
        let n = 20_000;
        let features: Vec<String> = (0..n).map(|i| feature(i, if i == n - 1 { 95.0 } else { 34.2 })).collect();
        let countries = format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n", features.join("\n"));
        let mut texts = BUNDLED;
        texts[1] = &countries;
        let started = std::time::Instant::now();
        let error =
            load(texts, None, Source::Bundled).err().expect("the last feature's latitude is refused").to_string();
        assert_eq!(error, format!("gazetteer/countries.geojson:{}: latitude 95 is outside [-90, 90]", n + 1));
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
        assert_eq!(feature_lines("{\"type\":\"FeatureCollection\",\"features\":[]}"), Vec::<usize>::new());
    }
}
