//! The daily build: every day's maps and layers in `OUT/YYYY-MM-DD/`, plus the whole
//! series at the top of `OUT`, written so a scheduler can rely on it.
//!
//! - **Incremental**: a day is rebuilt only when its content changes. Each day's
//!   fingerprint is the hash of what its files are made from (the ledger's state of
//!   that day, its recent events, the options, the tool and gazetteer versions); a day
//!   whose fingerprint and files match the manifest is skipped.
//! - **Crash-safe**: new files are written to `OUT/.eventmap/staging/` first; then the
//!   manifest, listing the new files and the moves still to make (`commit`), replaces
//!   the old one in one rename; then the files move into place and the manifest is
//!   rewritten without `commit`. Killed at any point, every output is the old or the new
//!   version, never partial, and the next run finishes the moves before anything else.
//! - **One build at a time** per `OUT`: a lock file; a second build fails at once with a
//!   clear message instead of interleaving writes.

use crate::extract::record;
use crate::gazetteer::Gazetteer;
use crate::output::write_atomic;
use crate::pipeline::Assembled;
use crate::render::{self, layers::Day, map::MapOptions, Formats};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tool's version, recorded in the manifest and in every fingerprint.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The build's settings.
#[derive(Clone, Debug)]
pub struct Options {
    pub formats: Formats,
    pub map: MapOptions,
    /// Events and flows within this many days up to a day are shown on it.
    pub recent_days: i64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Rebuild every day, whatever the manifest says.
    pub force: bool,
    /// Also write `timeline.gif`, the control map day by day.
    pub animate: bool,
}

/// A failure that stops the build.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{path}: another eventmap build is running on this folder (lock held); try again when it has finished")]
    Locked { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: unreadable manifest ({message}); move it away to rebuild everything")]
    Manifest { path: String, message: String },
    #[error("no events in the inputs, so no days to build: give --from and --to")]
    NoDays,
    #[error("--from {from} is after --to {to}")]
    Range { from: NaiveDate, to: NaiveDate },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io { path: path.display().to_string(), source }
}

/// `OUT/manifest.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub gazetteer: String,
    pub inputs: Vec<FileRecord>,
    pub outputs: Vec<FileRecord>,
    pub days: Vec<DayRecord>,
    /// Moves from staging still to make: present only while a build is committing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commit: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileRecord {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DayRecord {
    pub date: NaiveDate,
    pub fingerprint: String,
    /// Events dated that day.
    pub events: usize,
    /// Reports (articles) published up to that day.
    pub reports: usize,
    /// Provinces by status on that day.
    pub provinces: BTreeMap<String, usize>,
}

/// What a run did, for the summary lines.
#[derive(Debug, Default)]
pub struct Summary {
    pub days: Vec<DayOutcome>,
    pub files_written: usize,
    pub recovered: usize,
}

#[derive(Debug)]
pub struct DayOutcome {
    pub date: NaiveDate,
    pub rebuilt: bool,
    pub events: usize,
    pub files: usize,
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Holds `OUT/.eventmap/lock` for the length of a build.
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    pub fn acquire(out: &Path) -> Result<Lock, BuildError> {
        let dir = out.join(".eventmap");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join("lock");
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(BuildError::Locked { path: out.display().to_string() }),
            Err(std::fs::TryLockError::Error(source)) => {
                Err(BuildError::Io { path: path.display().to_string(), source })
            }
        }
    }
}

fn manifest_path(out: &Path) -> PathBuf {
    out.join("manifest.json")
}

fn staging(out: &Path) -> PathBuf {
    out.join(".eventmap").join("staging")
}

/// Reads the manifest (an empty one if there is none).
pub fn read_manifest(out: &Path) -> Result<Manifest, BuildError> {
    let path = manifest_path(out);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| BuildError::Manifest { path: path.display().to_string(), message: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(source) => Err(BuildError::Io { path: path.display().to_string(), source }),
    }
}

fn write_manifest(out: &Path, manifest: &Manifest) -> Result<(), BuildError> {
    let mut bytes = serde_json::to_vec_pretty(manifest).expect("a manifest serialises");
    bytes.push(b'\n');
    let path = manifest_path(out);
    write_atomic(&path, &bytes).map_err(io(&path))
}

/// Finishes the moves a killed build left in its manifest's `commit` list. Returns how
/// many files it moved.
pub fn recover(out: &Path) -> Result<usize, BuildError> {
    let mut manifest = read_manifest(out)?;
    if manifest.commit.is_empty() {
        return Ok(0);
    }
    let moved = move_staged(out, &manifest.commit)?;
    manifest.commit.clear();
    write_manifest(out, &manifest)?;
    Ok(moved)
}

fn move_staged(out: &Path, paths: &[String]) -> Result<usize, BuildError> {
    let mut moved = 0;
    for relative in paths {
        let from = staging(out).join(relative);
        let to = out.join(relative);
        if from.exists() {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::rename(&from, &to).map_err(io(&to))?;
            moved += 1;
        }
    }
    Ok(moved)
}

/// The hash of the bundled (or given) gazetteer: part of every fingerprint.
pub fn gazetteer_version(gazetteer: &Gazetteer) -> String {
    let mut hasher = Sha256::new();
    for entry in &gazetteer.entries {
        hasher.update(entry.id.as_bytes());
        hasher.update(entry.name.as_bytes());
        hasher.update(entry.kind.as_str().as_bytes());
        if let Some(p) = entry.point {
            hasher.update(format!("{:.5},{:.5}", p.x(), p.y()).as_bytes());
        }
    }
    for province in &gazetteer.provinces {
        for polygon in &province.geometry.0 {
            for c in polygon.exterior().coords() {
                hasher.update(c.x.to_le_bytes());
                hasher.update(c.y.to_le_bytes());
            }
        }
    }
    hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Files by path (relative to OUT) and bytes.
type Files = Vec<(String, Vec<u8>)>;

/// What a day's files are made from, and the figures the manifest keeps.
struct DayFiles {
    date: NaiveDate,
    fingerprint: String,
    events: usize,
    reports: usize,
    provinces: BTreeMap<String, usize>,
}

/// Runs the build. `inputs` are the files read (recorded with their hashes); `log` is
/// called once per day in date order.
pub fn run(
    out: &Path,
    gazetteer: &Gazetteer,
    assembled: &Assembled,
    input_files: &[PathBuf],
    options: &Options,
    mut log: impl FnMut(&DayOutcome),
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Summary, BuildError> {
    std::fs::create_dir_all(out).map_err(io(out))?;
    let _lock = Lock::acquire(out)?;
    let recovered = recover(out)?;
    let previous = read_manifest(out)?;

    let span = assembled.ledger.span();
    let from = options.from.or(span.map(|s| s.0)).ok_or(BuildError::NoDays)?;
    let to = options.to.or(span.map(|s| s.1)).ok_or(BuildError::NoDays)?;
    if from > to {
        return Err(BuildError::Range { from, to });
    }
    let days: Vec<NaiveDate> = crate::ledger::days(from, to).collect();
    let gazetteer_version = gazetteer_version(gazetteer);
    let options_key = options_key(options);
    let previous_days: BTreeMap<NaiveDate, &DayRecord> = previous.days.iter().map(|d| (d.date, d)).collect();
    let previous_outputs: BTreeMap<&str, &FileRecord> = previous.outputs.iter().map(|f| (f.path.as_str(), f)).collect();
    let timeline = (from, to);
    let make_day = |date: NaiveDate| Day {
        gazetteer,
        ledger: &assembled.ledger,
        events: &assembled.events,
        date,
        recent_days: options.recent_days,
        timeline,
    };
    let reports_by =
        |date: NaiveDate| assembled.articles.iter().filter(|a| a.date.map(|d| d <= date).unwrap_or(false)).count();

    // Fingerprints: cheap (the day's layers and events), computed for every day.
    let fingerprints: Vec<DayFiles> = days
        .par_iter()
        .map(|&date| {
            let day = make_day(date);
            let reports = reports_by(date);
            let mut hasher = Sha256::new();
            hasher.update(VERSION.as_bytes());
            hasher.update(gazetteer_version.as_bytes());
            hasher.update(options_key.as_bytes());
            hasher.update(date.to_string().as_bytes());
            hasher.update(reports.to_le_bytes());
            for layer in ["provinces", "places", "events", "flows"] {
                hasher.update(layer_text(&day, layer).as_bytes());
            }
            let mut provinces = BTreeMap::new();
            for shape in &gazetteer.provinces {
                if let Some(state) = assembled.ledger.province_state(gazetteer, &shape.iso_code, date) {
                    *provinces.entry(state.state.status.as_str().to_owned()).or_default() += 1;
                }
            }
            let events = assembled.events.iter().filter(|e| e.date == date).count();
            DayFiles { date, fingerprint: sha256(&hasher.finalize()), events, reports, provinces }
        })
        .collect();

    // A day is rebuilt when its fingerprint changed or one of its files is missing or altered.
    let day_paths = |date: NaiveDate| -> Vec<String> {
        let names = day_file_names(&options.formats);
        names.iter().map(|n| format!("{}/{}", date.format("%Y-%m-%d"), n)).collect()
    };
    let intact = |path: &str| -> bool {
        let Some(record) = previous_outputs.get(path) else { return false };
        std::fs::read(out.join(path)).map(|bytes| sha256(&bytes) == record.sha256).unwrap_or(false)
    };
    let to_build: Vec<&DayFiles> = fingerprints
        .iter()
        .filter(|d| {
            options.force
                || previous_days.get(&d.date).map(|p| p.fingerprint != d.fingerprint).unwrap_or(true)
                || !day_paths(d.date).iter().all(|p| intact(p))
        })
        .collect();

    // Render the days to build, in parallel, into memory; staged below.
    let done = std::sync::atomic::AtomicUsize::new(0);
    let built: Vec<(NaiveDate, Files)> = to_build
        .par_iter()
        .map(|d| {
            let day = make_day(d.date);
            let files = day_files(&day, d.reports, assembled, options);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, to_build.len());
            (d.date, files)
        })
        .collect();

    // Whole-series files: all events, the timeline, the latest day, the animation.
    let mut series: Vec<(String, Vec<u8>)> = Vec::new();
    let last = *days.last().expect("at least one day");
    let mut events_csv = csv::Writer::from_writer(Vec::new());
    events_csv.write_record(record::HEADER).expect("in memory");
    for event in &assembled.events {
        events_csv.write_record(record::row(event, gazetteer)).expect("in memory");
    }
    series.push(("events.csv".to_owned(), events_csv.into_inner().expect("in memory")));
    series.push(("timeline.geojson".to_owned(), render::layers::timeline(&make_day(last)).into_bytes()));
    // latest/: the newest day, as just built or as it stands on disk.
    let latest_files: Vec<(String, Vec<u8>)> = match built.iter().find(|(date, _)| *date == last) {
        Some((_, files)) => files.clone(),
        None => {
            let folder = out.join(last.format("%Y-%m-%d").to_string());
            let mut files = Vec::new();
            for name in day_file_names(&options.formats) {
                let path = folder.join(&name);
                files.push((name, std::fs::read(&path).map_err(io(&path))?));
            }
            files
        }
    };
    for (name, bytes) in latest_files {
        series.push((format!("latest/{name}"), bytes));
    }
    if options.animate {
        let mut small = options.map.clone();
        small.width_px = 800;
        small.scale = 1.0;
        let frames: Vec<Vec<u8>> = days
            .par_iter()
            .map(|&date| {
                let data = render::map_data(&make_day(date), reports_by(date));
                render::map::scene_png(&render::map::control_scene(&data, &small), 1.0)
            })
            .collect();
        series.push(("timeline.gif".to_owned(), animation(frames)));
    }

    // Everything that differs from what is on disk is staged.
    let mut staged: Vec<(String, Vec<u8>)> = Vec::new();
    for (date, files) in &built {
        for (name, bytes) in files {
            staged.push((format!("{}/{}", date.format("%Y-%m-%d"), name), bytes.clone()));
        }
    }
    staged.extend(series);
    let mut changed: Vec<(String, Vec<u8>)> = staged
        .into_iter()
        .filter(|(path, bytes)| {
            let current = previous_outputs.get(path.as_str()).map(|r| r.sha256.clone());
            let on_disk = std::fs::read(out.join(path)).ok().map(|b| sha256(&b));
            current.as_ref() != Some(&sha256(bytes)) || on_disk.as_ref() != Some(&sha256(bytes))
        })
        .collect();
    changed.sort_by(|a, b| a.0.cmp(&b.0));

    // The new manifest.
    let mut outputs: BTreeMap<String, FileRecord> =
        previous.outputs.iter().map(|f| (f.path.clone(), f.clone())).collect();
    for (path, bytes) in &changed {
        outputs
            .insert(path.clone(), FileRecord { path: path.clone(), sha256: sha256(bytes), bytes: bytes.len() as u64 });
    }
    let mut inputs = Vec::new();
    for path in input_files {
        let bytes = std::fs::read(path).map_err(io(path))?;
        inputs.push(FileRecord { path: path.display().to_string(), sha256: sha256(&bytes), bytes: bytes.len() as u64 });
    }
    inputs.sort();
    let manifest = Manifest {
        tool: "eventmap".to_owned(),
        version: VERSION.to_owned(),
        gazetteer: gazetteer_version.clone(),
        inputs,
        outputs: outputs.into_values().collect(),
        days: fingerprints
            .iter()
            .map(|d| DayRecord {
                date: d.date,
                fingerprint: d.fingerprint.clone(),
                events: d.events,
                reports: d.reports,
                provinces: d.provinces.clone(),
            })
            .collect(),
        commit: changed.iter().map(|(p, _)| p.clone()).collect(),
    };

    let summary_days: Vec<DayOutcome> = fingerprints
        .iter()
        .map(|d| DayOutcome {
            date: d.date,
            rebuilt: built.iter().any(|(date, _)| *date == d.date),
            events: d.events,
            files: changed.iter().filter(|(p, _)| p.starts_with(&d.date.format("%Y-%m-%d").to_string())).count(),
        })
        .collect();

    let nothing_changed = changed.is_empty() && manifest.days == previous.days && manifest.inputs == previous.inputs;
    if !nothing_changed {
        // Stage, commit the manifest, move into place, finish the manifest.
        let stage = staging(out);
        for (path, bytes) in &changed {
            let target = stage.join(path);
            write_atomic(&target, bytes).map_err(io(&target))?;
        }
        write_manifest(out, &manifest)?;
        move_staged(out, &manifest.commit)?;
        let mut done = manifest;
        done.commit.clear();
        write_manifest(out, &done)?;
        let _ = std::fs::remove_dir_all(&stage);
    }
    for day in &summary_days {
        log(day);
    }
    Ok(Summary { days: summary_days, files_written: changed.len(), recovered })
}

/// The names of a day's files, in a fixed order.
pub fn day_file_names(formats: &Formats) -> Vec<String> {
    let mut names = Vec::new();
    if formats.geojson {
        for layer in ["provinces", "places", "events", "flows"] {
            names.push(format!("{layer}.geojson"));
        }
    }
    for (name, wanted) in [("control", formats.control), ("displacement", formats.displacement)] {
        if wanted && formats.png {
            names.push(format!("{name}.png"));
        }
        if wanted && formats.svg {
            names.push(format!("{name}.svg"));
        }
    }
    names.push("events.csv".to_owned());
    names
}

fn layer_text(day: &Day<'_>, layer: &str) -> String {
    match layer {
        "provinces" => render::layers::provinces(day),
        "places" => render::layers::places(day),
        "events" => render::layers::events(day),
        "flows" => render::layers::flows(day),
        other => unreachable!("no layer {other}"),
    }
}

/// A day's files: its layers, maps and that day's events as CSV.
fn day_files(day: &Day<'_>, reports: usize, assembled: &Assembled, options: &Options) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = render::outputs(day, reports, &options.formats, &options.map)
        .into_iter()
        .filter(|(name, _)| !name.starts_with("timeline."))
        .collect();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(record::HEADER).expect("in memory");
    for event in assembled.events.iter().filter(|e| e.date == day.date) {
        csv.write_record(record::row(event, day.gazetteer)).expect("in memory");
    }
    files.push(("events.csv".to_owned(), csv.into_inner().expect("in memory")));
    files
}

/// Everything in the options that changes the files.
fn options_key(options: &Options) -> String {
    format!("{:?}|{:?}|{}|{:?}", options.formats, options.map, options.recent_days, options.animate)
}

/// `timeline.gif` from the frames (PNG), one second a frame, looping.
fn animation(frames: Vec<Vec<u8>>) -> Vec<u8> {
    let decoded: Vec<(u16, u16, Vec<u8>)> =
        frames.into_iter().filter_map(|png_bytes| decode_rgba(&png_bytes)).collect();
    let mut gif_bytes = Vec::new();
    let Some((width, height, _)) = decoded.first().map(|(w, h, _)| (*w, *h, ())) else { return gif_bytes };
    {
        let mut encoder = gif::Encoder::new(&mut gif_bytes, width, height, &[]).expect("writing to memory");
        let _ = encoder.set_repeat(gif::Repeat::Infinite);
        for (w, h, mut rgba) in decoded {
            if (w, h) != (width, height) {
                continue;
            }
            let mut frame = gif::Frame::from_rgba_speed(w, h, &mut rgba, 10);
            frame.delay = 100;
            let _ = encoder.write_frame(&frame);
        }
    }
    gif_bytes
}

/// A PNG as width, height and RGBA bytes.
fn decode_rgba(png_bytes: &[u8]) -> Option<(u16, u16, Vec<u8>)> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().ok()?;
    let mut buffer = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buffer).ok()?;
    let pixels = &buffer[..info.buffer_size()];
    let rgba = match info.color_type {
        png::ColorType::Rgba => pixels.to_vec(),
        png::ColorType::Rgb => pixels.chunks(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
        _ => return None,
    };
    Some((u16::try_from(info.width).ok()?, u16::try_from(info.height).ok()?, rgba))
}
