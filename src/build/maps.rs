//! The map cache, kept in `OUT/.eventmap/hashes.json` beside the outputs' hashes: for
//! each day, the fingerprint of the data its PNG and SVG maps were drawn from and the
//! files that drawing gave, so a day rebuilt for its layers (a new event in its recent
//! window, say) does not draw its maps again when what they show did not change.
//!
//! A day's fingerprint (in the manifest) covers everything its files are made from, so a
//! late report of a fight five days ago rebuilds five days; but the maps show only the
//! statuses, the recent displacement flows and the number of reports
//! ([`render::map_data`]), which such a report often leaves as they were. Drawing the
//! maps is nine tenths of building a day, while the layers are cheap text.
//!
//! The map fingerprint hashes exactly what the map renderers take, [`MapData`], with the
//! running executable's identity (any rebuild of eventmap, not only a new version), the
//! gazetteer and the options. A recorded map is reused only if its fingerprint matches
//! and every one of its files is in place with the bytes the manifest lists, so the
//! result is the same as drawing it. Only a shortcut: a missing, damaged or foreign cache
//! means drawing the maps.

use super::{sha256, tool_identity, FileRecord};
use crate::render::map::MapData;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The maps of each day as last drawn.
#[derive(Default, Serialize, Deserialize)]
pub struct MapCache {
    key: String,
    days: BTreeMap<NaiveDate, DrawnMaps>,
}

/// One day's maps: the fingerprint of their data, and their files (paths in `OUT`) in
/// the order they were produced.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DrawnMaps {
    pub fingerprint: String,
    pub files: Vec<FileRecord>,
}

impl MapCache {
    /// An empty cache that will be written under `key` (`--force`: draw everything).
    pub fn empty(key: &str) -> MapCache {
        MapCache { key: key.to_owned(), days: BTreeMap::new() }
    }

    /// This cache if it was written under `key` (see [`key`]); else an empty one.
    pub fn under(self, key: &str) -> MapCache {
        if self.key == key {
            self
        } else {
            MapCache::empty(key)
        }
    }

    /// The files of `date`'s maps, if they were drawn from data with this fingerprint and
    /// `intact` says each is in place as recorded.
    pub fn reusable(
        &self,
        date: NaiveDate,
        fingerprint: &str,
        intact: impl Fn(&FileRecord) -> bool,
    ) -> Option<&[FileRecord]> {
        let drawn = self.days.get(&date)?;
        (drawn.fingerprint == fingerprint && !drawn.files.is_empty() && drawn.files.iter().all(intact))
            .then_some(drawn.files.as_slice())
    }

    /// Records `date`'s maps as drawn (or reused) by this run.
    pub fn insert(&mut self, date: NaiveDate, drawn: DrawnMaps) {
        self.days.insert(date, drawn);
    }
}

/// What a map fingerprint depends on besides its data: the running executable, the
/// gazetteer's version and the options that change the files.
pub fn key(gazetteer_version: &str, options_key: &str) -> String {
    format!("{}|{gazetteer_version}|{options_key}", tool_identity())
}

/// The fingerprint of the data a day's maps are drawn from: every field of [`MapData`]
/// but the gazetteer, which the cache's key covers.
pub fn fingerprint(data: &MapData<'_>) -> String {
    let MapData { gazetteer: _, date, provinces, places, flows, reports } = data;
    let mut text = String::new();
    let _ = writeln!(text, "{date} {reports}");
    for (code, status) in provinces {
        let _ = writeln!(text, "{code} {status:?}");
    }
    for (id, status) in places {
        let _ = writeln!(text, "{id} {status:?}");
    }
    for flow in flows {
        let _ = writeln!(text, "{flow:?}");
    }
    sha256(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Gazetteer;
    use crate::ledger::Status;

    #[test]
    fn maps_are_reused_only_for_the_same_data_key_and_intact_files() {
        let g = Gazetteer::bundled();
        let date = NaiveDate::from_ymd_opt(2021, 8, 10).unwrap();
        let mut data = MapData {
            gazetteer: &g,
            date,
            provinces: BTreeMap::new(),
            places: BTreeMap::new(),
            flows: Vec::new(),
            reports: 3,
        };
        let empty = fingerprint(&data);
        data.provinces.insert("AF-KAN".to_owned(), Status::Taliban);
        let taken = fingerprint(&data);
        assert_ne!(empty, taken);
        data.reports = 4;
        assert_ne!(fingerprint(&data), taken, "the source line counts the reports");

        let file = FileRecord { path: "2021-08-10/control.png".to_owned(), sha256: "ab".to_owned(), bytes: 2 };
        let mut cache = MapCache::empty("key");
        cache.insert(date, DrawnMaps { fingerprint: taken.clone(), files: vec![file] });
        assert!(cache.reusable(date, &taken, |_| true).is_some());
        assert!(cache.reusable(date, &empty, |_| true).is_none(), "other data");
        assert!(cache.reusable(date, &taken, |_| false).is_none(), "a file altered or missing");
        assert!(cache.reusable(date.succ_opt().unwrap(), &taken, |_| true).is_none(), "another day");
        assert!(cache.under("another key").reusable(date, &taken, |_| true).is_none(), "another build");
    }
}
