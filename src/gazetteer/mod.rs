//! The gazetteer: every place eventmap knows, loaded from `gazetteer/` (bundled in the
//! binary, or another folder of the same schema), and looked up by name.

mod fold;
mod index;
mod load;

pub use fold::{
    bare_key, is_connector, is_inner_mark, is_word_char, key as fold_key, tokens as fold_tokens,
    walk_ascii as walk_folded_ascii, Folder,
};
pub use index::{rank as rank_candidates, simple as simple_form, Candidate, MatchTier, NameIndex, Posting, Trust};
pub use load::{LoadError, Source, PREBUILT_FILE};

use geo::{MultiPolygon, Point};
use std::fmt;

/// What kind of place an entry is. The order is the tie-break when two entries
/// answer a name equally well: a provincial capital before the province it names,
/// a town before the district it is the seat of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    City,
    Province,
    Country,
    ForeignPlace,
    BorderCrossing,
    Town,
    Area,
    District,
    Village,
    Region,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::City,
        Kind::Province,
        Kind::Country,
        Kind::ForeignPlace,
        Kind::BorderCrossing,
        Kind::Town,
        Kind::Area,
        Kind::District,
        Kind::Village,
        Kind::Region,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::City => "city",
            Kind::Province => "province",
            Kind::Country => "country",
            Kind::ForeignPlace => "foreign_place",
            Kind::BorderCrossing => "border_crossing",
            Kind::Town => "town",
            Kind::Area => "area",
            Kind::District => "district",
            Kind::Village => "village",
            Kind::Region => "region",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Inside Afghanistan, with a province.
    pub fn is_afghan(self) -> bool {
        !matches!(self, Kind::Country | Kind::ForeignPlace | Kind::Region)
    }

    /// A point place (not an area that is drawn as a polygon or not at all).
    pub fn is_settlement(self) -> bool {
        matches!(self, Kind::City | Kind::Town | Kind::Village | Kind::BorderCrossing | Kind::Area)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Index of an entry in [`Gazetteer::entries`].
pub type EntryId = u32;

/// One place.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Stable id: `AF-BAL` (province), `gn:1133616` (GeoNames), `gb:…` (geoBoundaries
    /// district), `em:marjah` (project-authored), `country:PK`, `region:north`.
    pub id: String,
    /// The name eventmap displays.
    pub name: String,
    pub kind: Kind,
    /// ISO 3166-2 code of the Afghan province it lies in (itself, for a province).
    pub admin1_code: Option<String>,
    pub district_id: Option<String>,
    /// Longitude, latitude (WGS 84). A province's is its label point.
    pub point: Option<Point<f64>>,
    pub population: u64,
    /// GeoNames feature code (PPLC, PPLA, PPLA2, PPL…), empty for others.
    pub feature_code: String,
    /// ISO 3166-1 alpha-2 of the country (AF for Afghan places).
    pub country_code: String,
    /// Every name it is known by: display name, curated spellings, then the rest.
    pub names: Vec<(String, Trust)>,
    /// Named or kept by the project's own tables (a town the news knows as a town).
    pub curated: bool,
}

impl Entry {
    /// Order among entries that answer a name equally well: by kind, except that a
    /// district seat ranks after its district, since the news names the district
    /// ("Sangin", "Rustaq", "Jurm") unless the town is known as a town in its own right
    /// (curated in `authored/place_names.tsv`: Spin Boldak, Gereshk, Andkhoy…).
    pub fn rank(&self) -> u8 {
        let minor_seat = self.kind == Kind::Town && self.feature_code == "PPLA2" && !self.curated;
        if minor_seat {
            Kind::District as u8 * 2 + 1
        } else {
            self.kind as u8 * 2
        }
    }

    /// Provincial or national capital.
    pub fn is_capital(&self) -> bool {
        matches!(self.feature_code.as_str(), "PPLA" | "PPLC")
    }
}

/// A province's shape and its capital.
#[derive(Clone, Debug)]
pub struct ProvinceShape {
    pub entry: EntryId,
    pub iso_code: String,
    pub geometry: MultiPolygon<f64>,
    pub capital: EntryId,
}

/// A country outline for the map's context, clipped to the region.
#[derive(Clone, Debug)]
pub struct CountryShape {
    pub iso_a2: String,
    pub name: String,
    pub label: Point<f64>,
    pub geometry: MultiPolygon<f64>,
}

/// Everything the pipeline resolves names against.
pub struct Gazetteer {
    pub entries: Vec<Entry>,
    pub provinces: Vec<ProvinceShape>,
    pub countries: Vec<CountryShape>,
    pub index: NameIndex,
    by_id: rustc_hash::FxHashMap<String, EntryId>,
    /// Where it was loaded from, for messages.
    pub source: Source,
}

impl Gazetteer {
    pub fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id as usize]
    }

    pub fn by_id(&self, id: &str) -> Option<EntryId> {
        self.by_id.get(id).copied()
    }

    pub fn province(&self, iso_code: &str) -> Option<&ProvinceShape> {
        self.provinces.iter().find(|p| p.iso_code == iso_code)
    }

    /// The English name of a province by ISO code.
    pub fn province_name(&self, iso_code: &str) -> Option<&str> {
        self.province(iso_code).map(|p| self.entry(p.entry).name.as_str())
    }

    /// Candidates for a name, best first.
    pub fn lookup(&self, name: &str) -> Vec<Candidate> {
        self.index.lookup(name, &self.entries)
    }

    /// Gazetteer names closest to `name`, for "did you mean" in error messages.
    pub fn suggest(&self, name: &str, limit: usize) -> Vec<&Entry> {
        let mut seen = Vec::new();
        for candidate in self.index.lookup_loose(name, &self.entries) {
            if !seen.contains(&candidate.entry) {
                seen.push(candidate.entry);
            }
            if seen.len() == limit {
                break;
            }
        }
        seen.into_iter().map(|id| self.entry(id)).collect()
    }
}
