//! Fuzzes the gazetteer loader (`--gazetteer DIR`): a small valid folder
//! (`fuzz/gazetteer/`) with one of its six files replaced by the input. The first byte
//! picks the file, the rest is its content. Never a panic; a refusal names a file of
//! the folder; a loaded gazetteer answers lookups of its own names.

#![no_main]

mod common;

use eventmap::gazetteer::{Gazetteer, LoadError};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const FILES: [&str; 6] =
    ["provinces.geojson", "countries.geojson", "districts.tsv", "places.tsv", "foreign.tsv", "regions.tsv"];

fn base(name: &str) -> &'static [u8] {
    match name {
        "provinces.geojson" => include_bytes!("../gazetteer/provinces.geojson"),
        "countries.geojson" => include_bytes!("../gazetteer/countries.geojson"),
        "districts.tsv" => include_bytes!("../gazetteer/districts.tsv"),
        "places.tsv" => include_bytes!("../gazetteer/places.tsv"),
        "foreign.tsv" => include_bytes!("../gazetteer/foreign.tsv"),
        "regions.tsv" => include_bytes!("../gazetteer/regions.tsv"),
        _ => unreachable!(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, content)) = data.split_first() else { return };
    let fuzzed = FILES[*which as usize % FILES.len()];
    let dir = common::scratch();
    for name in FILES {
        let bytes = if name == fuzzed { content } else { base(name) };
        std::fs::write(dir.join(name), bytes).expect("writing the gazetteer folder");
    }
    match Gazetteer::from_folder(dir) {
        Ok(g) => {
            assert!(!g.provinces.is_empty());
            for entry in g.entries.iter().take(50) {
                let _ = g.lookup(&entry.name);
                let _ = g.suggest(&entry.name, 3);
            }
        }
        Err(LoadError::Invalid { file, line, .. }) => {
            assert!(Path::new(&file).starts_with(dir), "{file}");
            assert!(line >= 1);
        }
        Err(LoadError::Read { path, .. }) => panic!("every file was written: {}", path.display()),
    }
});
