//! Shared by the fuzz targets: the bundled gazetteer, loaded once, and a scratch folder
//! for the readers that take a path.

#![allow(dead_code)]

use eventmap::gazetteer::Gazetteer;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The bundled gazetteer, loaded on first use.
pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

/// A folder that lives as long as the fuzzing process.
pub fn scratch() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder")).path()
}

/// Writes `data` to `name` in the scratch folder and returns its path.
pub fn scratch_file(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, data).expect("writing the scratch file");
    path
}
