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
//! - **Cheap when nothing changed**: `.eventmap/` keeps two private caches, each only a
//!   shortcut (damaged or missing, the build reads everything and draws every map it
//!   rebuilds): the events extracted from each input file by its hash, with the file's
//!   size, time and inode (`extracted.json`, see [`assemble`]); and each output's size,
//!   time and inode when it was last hashed, with each day's maps by the data they were
//!   drawn from (`hashes.json`, see `maps`), so a day rebuilt for its layers does not
//!   draw maps that would come out the same.
//! - **Never deletes**: days outside `--from`/`--to` keep their files and their manifest
//!   records; a file the previous manifest listed but this run no longer produces stays
//!   on disk. The manifest lists exactly the files whose bytes it vouches for: an entry
//!   whose file was since deleted or edited by hand, and not rewritten, is dropped.

use crate::extract::{record, Event};
use crate::gazetteer::Gazetteer;
use crate::output::write_atomic;
use crate::pipeline::Assembled;
use crate::render::qgis::{self, LayerKind};
use crate::render::{self, layers::Day, map::MapOptions, Formats};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use store::EventStore;

mod extracted;
mod maps;
mod store;
pub use extracted::assemble;

/// The tool's version, recorded in the manifest and in every fingerprint (which are in
/// the manifest, and so the same for every build of one version: a development build
/// that draws differently without a new version needs `--force`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The running program: its version and the hash of its executable, the key of the
/// private extraction cache, so that any rebuild of eventmap (not only a new version)
/// extracts again. The version alone if the executable cannot be read.
pub fn tool_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        // Read in blocks: a release build with debug information is 70 MB.
        let exe = std::env::current_exe().and_then(|path| input_record(&path));
        match exe {
            Ok(record) => format!("{VERSION}+{}", &record.sha256[..16]),
            Err(_) => VERSION.to_owned(),
        }
    })
}

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
    #[error(
        "the events run from {from} to {to}, {days} days: more than {} without --from and --to, so a date is \
         probably wrong; give --from and --to to build them all",
        crate::ledger::MAX_DEFAULT_DAYS
    )]
    TooLong { from: NaiveDate, to: NaiveDate, days: i64 },
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
    /// The day's files, by name in its folder, as the build that made them wrote them.
    #[serde(default)]
    pub files: Vec<String>,
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
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An input file's record: its SHA-256 and size, read in blocks (an input may be a
/// gigabyte of JSON Lines, which need not be in memory at once).
pub fn input_record(path: &Path) -> std::io::Result<FileRecord> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0u64;
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buffer[..n]);
                bytes += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(FileRecord { path: path.display().to_string(), sha256: hex(&hasher.finalize()), bytes })
}

/// The inputs' records as [`assemble`] read them, by path, so that [`run`] need not
/// read them again.
pub type InputRecords = BTreeMap<PathBuf, FileRecord>;

/// The files a build reads, recorded in the manifest with their hashes.
pub struct InputFiles {
    pub paths: Vec<PathBuf>,
    /// The records of those already read (by [`assemble`]); the others are read by [`run`].
    pub known: InputRecords,
}

/// Holds `OUT/.eventmap/lock` for the length of a build. Take it before reading any
/// input, so a second build on the same folder fails at once rather than after minutes
/// of work. Released when dropped, or by the system when the process dies.
pub struct Lock {
    _file: std::fs::File,
    out: PathBuf,
}

impl Lock {
    /// Creates `out` if need be and takes its lock, or fails at once if another process
    /// holds it.
    pub fn acquire(out: &Path) -> Result<Lock, BuildError> {
        std::fs::create_dir_all(out).map_err(io(out))?;
        let dir = out.join(".eventmap");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join("lock");
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file, out: out.to_owned() }),
            Err(std::fs::TryLockError::WouldBlock) => Err(BuildError::Locked { path: out.display().to_string() }),
            Err(std::fs::TryLockError::Error(source)) => {
                Err(BuildError::Io { path: path.display().to_string(), source })
            }
        }
    }

    /// The output folder this lock is for.
    pub fn out(&self) -> &Path {
        &self.out
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
    let bad = |message: String| BuildError::Manifest { path: path.display().to_string(), message };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
            // The moves a build left to finish rename files: only ever within OUT, whatever
            // the manifest (a file on disk, like any input) says.
            if let Some(outside) = manifest.commit.iter().find(|p| !inside(p)) {
                return Err(bad(format!("{outside:?} is not a path inside the output folder")));
            }
            Ok(manifest)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(source) => Err(BuildError::Io { path: path.display().to_string(), source }),
    }
}

/// A relative path with only plain components: no root, no `..`, no `.`.
fn inside(relative: &str) -> bool {
    !relative.is_empty() && Path::new(relative).components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Replaces the manifest in one rename. The new one is written (and synced) under
/// `.eventmap/` first, so a build killed while writing it leaves no temporary file among
/// the outputs; the folder is synced after the rename so the switch survives a power cut.
fn write_manifest(out: &Path, manifest: &Manifest) -> Result<(), BuildError> {
    let mut bytes = serde_json::to_vec_pretty(manifest).expect("a manifest serialises");
    bytes.push(b'\n');
    let next = out.join(".eventmap").join("manifest.json");
    write_atomic(&next, &bytes).map_err(io(&next))?;
    step(|| "rename the manifest into place".to_owned());
    let path = manifest_path(out);
    std::fs::rename(&next, &path).map_err(io(&path))?;
    sync_dir(out)
}

/// Writes a staged file. Not through a temporary file and not synced one by one: a
/// partial staged file is never moved (the manifest names the staged files only once
/// they are all written and synced, by [`sync_staged`]).
fn stage_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::io::Write::write_all(&mut std::fs::File::create(path)?, bytes)
}

/// Makes the staged files durable before the manifest names them: all at once, on every
/// core, which lets the file system write them out together instead of waiting on each
/// in turn (a year of layers: 3,700 files, 20 s with a sync after each write, 13 s so),
/// then the folders that hold them.
fn sync_staged(stage: &Path, paths: &[String]) -> Result<(), BuildError> {
    paths.par_iter().try_for_each(|relative| {
        let path = stage.join(relative);
        std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(io(&path))
    })?;
    let mut folders: std::collections::BTreeSet<&Path> =
        paths.iter().filter_map(|p| Path::new(p).parent()).filter(|p| !p.as_os_str().is_empty()).collect();
    folders.insert(Path::new(""));
    for folder in folders {
        sync_dir(&stage.join(folder))?;
    }
    sync_dir(stage.parent().unwrap_or(stage))
}

/// Makes the renames into `dir` durable. (A kill cannot undo a rename; a power cut can.)
fn sync_dir(dir: &Path) -> Result<(), BuildError> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Finishes the moves a killed build left in its manifest's `commit` list. Returns how
/// many files it moved.
pub fn recover(lock: &Lock) -> Result<usize, BuildError> {
    let out = lock.out();
    let mut manifest = read_manifest(out)?;
    if manifest.commit.is_empty() {
        return Ok(0);
    }
    let moved = move_staged(out, &manifest.commit)?;
    manifest.commit.clear();
    write_manifest(out, &manifest)?;
    Ok(moved)
}

/// Moves the staged files into place (those still staged: a recovery may find some
/// already moved), then syncs the folders they went into.
fn move_staged(out: &Path, paths: &[String]) -> Result<usize, BuildError> {
    let mut moved = 0;
    let mut folders = std::collections::BTreeSet::new();
    for relative in paths {
        step(|| format!("move {relative}"));
        let from = staging(out).join(relative);
        let to = out.join(relative);
        if from.exists() {
            let parent = to.parent().unwrap_or(out);
            if folders.insert(parent.to_owned()) {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::rename(&from, &to).map_err(io(&to))?;
            moved += 1;
        }
    }
    for folder in &folders {
        sync_dir(folder)?;
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
    hex(&hasher.finalize()[..8])
}

/// What a day's files are made from, and the figures the manifest keeps.
struct DayFiles {
    date: NaiveDate,
    fingerprint: String,
    events: usize,
    reports: usize,
    provinces: BTreeMap<String, usize>,
}

/// A file this run produced: its record, and whether it differs from what is in place
/// (and so was staged).
struct Produced {
    record: FileRecord,
    staged: bool,
    /// How the file looked when staged or hashed, if this run looked.
    seen: Option<Seen>,
}

/// Runs the build in the folder `lock` holds. `input_files` are the files read (recorded
/// with their hashes); `log` is called once per day in date order.
///
/// Once the ledger is built, the events are moved to a temporary file (see [`store`]),
/// from which each day reads the events of its recent window: memory holds the ledger and
/// a few bytes an event, not the events.
///
/// Days outside `--from`/`--to` are left alone: their files stay on disk and in the
/// manifest with their day records, so a run over a shorter period never deletes what an
/// earlier run made. The manifest lists only files whose bytes it vouches for: an entry
/// whose file has since been deleted or altered, and that this run does not rewrite, is
/// dropped (the next run whose period covers that day rebuilds it).
pub fn run(
    lock: &Lock,
    gazetteer: &Gazetteer,
    assembled: Assembled,
    input_files: &InputFiles,
    options: &Options,
    mut log: impl FnMut(&DayOutcome),
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Summary, BuildError> {
    let out = lock.out();
    let recovered = recover(lock)?;
    // Whatever else is in .eventmap/ (staged files, a manifest not yet renamed, their
    // temporary files) belongs to no manifest: a build killed before its commit.
    let private = out.join(".eventmap");
    let mut hashes = if options.force { HashCache::default() } else { HashCache::read(out) };
    let maps_before = std::mem::take(&mut hashes.maps);
    let hashes = hashes;
    for entry in std::fs::read_dir(&private).map_err(io(&private))? {
        let path = entry.map_err(io(&private))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name != "lock" && name != HashCache::FILE && name != extracted::file_name() {
            let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            removed.map_err(io(&path))?;
        }
    }
    let stage = staging(out);
    let previous = read_manifest(out)?;

    let span = assembled.ledger.span();
    let from = options.from.or(span.map(|s| s.0)).ok_or(BuildError::NoDays)?;
    let to = options.to.or(span.map(|s| s.1)).ok_or(BuildError::NoDays)?;
    if from > to {
        return Err(BuildError::Range { from, to });
    }
    let span_days = (to - from).num_days() + 1;
    if (options.from.is_none() || options.to.is_none()) && span_days > crate::ledger::MAX_DEFAULT_DAYS {
        return Err(BuildError::TooLong { from, to, days: span_days });
    }
    let days: Vec<NaiveDate> = crate::ledger::days(from, to).collect();
    let last = to;
    let gazetteer_version = gazetteer_version(gazetteer);
    let options_key = options_key(options);
    let previous_days: BTreeMap<NaiveDate, &DayRecord> = previous.days.iter().map(|d| (d.date, d)).collect();
    let previous_outputs: BTreeMap<&str, &FileRecord> = previous.outputs.iter().map(|f| (f.path.as_str(), f)).collect();
    // The hash of every file the previous manifest lists, as it is on disk now: read once
    // (or taken from the cache when the file's size, time and inode have not changed).
    let on_disk: BTreeMap<&str, Option<Seen>> =
        previous.outputs.par_iter().map(|f| (f.path.as_str(), hashes.hash(out, &f.path))).collect();
    let intact = |path: &str| -> bool {
        let Some(record) = previous_outputs.get(path) else { return false };
        on_disk.get(path).and_then(|h| h.as_ref()).map(|seen| &seen.sha256) == Some(&record.sha256)
    };
    let Assembled { articles, events, ledger, .. } = assembled;
    let mut article_dates: Vec<NaiveDate> = articles.iter().filter_map(|a| a.date).collect();
    article_dates.sort_unstable();
    drop(articles);
    let reports_by = |date: NaiveDate| article_dates.partition_point(|d| *d <= date);

    // Fingerprints, computed for every day: what its files are made from, as the
    // renderers read it through `Day` (see there): the state of every tracked place and
    // every province on the day, and the events of its recent window, each event hashed
    // once, whole. As precise as hashing the day's GeoJSON text, at a tenth of the cost.
    let event_digests: Vec<[u8; 32]> =
        events.par_iter().map(|e| Sha256::digest(format!("{e:?}").as_bytes()).into()).collect();
    let store = EventStore::new(events, &private).map_err(io(&private))?;
    // A day's files are made from the events of its recent window (`Day::recent_events`),
    // read back from the store. The events are sorted by date, so the events of a span
    // of days are one run of them, found by two binary searches.
    let dates = store.dates();
    let dated = |days: std::ops::RangeInclusive<NaiveDate>| {
        dates.partition_point(|d| d < days.start())..dates.partition_point(|d| d <= days.end())
    };
    let recent = |date: NaiveDate| dated(render::layers::recent_window(date, options.recent_days));
    let read_recent = |date: NaiveDate| store.get(recent(date)).map_err(io(&private));
    let fingerprints: Vec<DayFiles> = days
        .par_iter()
        .map(|&date| {
            let day = make_day(gazetteer, &ledger, options, date, &[]);
            let reports = reports_by(date);
            let mut hasher = Sha256::new();
            hasher.update(VERSION.as_bytes());
            hasher.update(gazetteer_version.as_bytes());
            hasher.update(options_key.as_bytes());
            hasher.update(format!("{date} {:?} {reports}\n", day.timeline).as_bytes());
            let mut text = String::new();
            for id in day.ledger.tracked() {
                let _ = writeln!(text, "{id} {:?}", day.ledger.state(*id, date));
            }
            let mut provinces = BTreeMap::new();
            for shape in &gazetteer.provinces {
                let state = day.ledger.province_state(gazetteer, &shape.iso_code, date);
                let _ = writeln!(text, "{} {state:?}", shape.iso_code);
                if let Some(state) = state {
                    *provinces.entry(state.state.status.as_str().to_owned()).or_default() += 1;
                }
            }
            hasher.update(text.as_bytes());
            for i in recent(date) {
                hasher.update(event_digests[i]);
            }
            let events = dated(date..=date).len();
            DayFiles { date, fingerprint: sha256(&hasher.finalize()), events, reports, provinces }
        })
        .collect();

    // A day is rebuilt when its fingerprint changed or one of its files is missing or altered.
    let to_build: Vec<&DayFiles> = fingerprints
        .iter()
        .filter(|d| {
            let Some(record) = previous_days.get(&d.date).filter(|_| !options.force) else { return true };
            record.fingerprint != d.fingerprint
                || record.files.is_empty()
                || !record.files.iter().all(|name| intact(&day_path(d.date, name)))
        })
        .collect();

    // A file is staged when it differs from the one in place (or there is none).
    let in_place = |record: &FileRecord| -> (bool, Option<Seen>) {
        match previous_outputs.get(record.path.as_str()) {
            Some(previous) => (previous.sha256 == record.sha256 && intact(&record.path), None),
            None => {
                let seen = hashes.hash(out, &record.path);
                (seen.as_ref().map(|s| &s.sha256) == Some(&record.sha256), seen)
            }
        }
    };
    let produce = |path: String, bytes: &[u8]| -> Result<Produced, BuildError> {
        let record = FileRecord { sha256: sha256(bytes), bytes: bytes.len() as u64, path };
        let (in_place, mut seen) = in_place(&record);
        if !in_place {
            step(|| format!("stage {}", record.path));
            let target = stage.join(&record.path);
            stage_file(&target, bytes).map_err(io(&target))?;
            // A rename keeps the inode and time: this is how the file will look in place.
            seen = Seen::now(&target, &record.sha256);
        }
        Ok(Produced { record, staged: !in_place, seen })
    };
    // The same for a file too large to hold: `write` writes it to `.eventmap/` through a
    // hash, and it is moved to the staging folder, or deleted if it is the file in place.
    let produce_streamed = |path: String,
                            write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>|
     -> Result<Produced, BuildError> {
        let part = private.join(format!("{}.part", path.replace('/', "_")));
        let mut writer = HashingWriter::new(std::fs::File::create(&part).map_err(io(&part))?);
        write(&mut writer).map_err(io(&part))?;
        let (sha256, bytes) = writer.finish().map_err(io(&part))?;
        let record = FileRecord { sha256, bytes, path };
        let (in_place, mut seen) = in_place(&record);
        if in_place {
            std::fs::remove_file(&part).map_err(io(&part))?;
        } else {
            step(|| format!("stage {}", record.path));
            let target = stage.join(&record.path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::rename(&part, &target).map_err(io(&target))?;
            seen = Seen::now(&target, &record.sha256);
        }
        Ok(Produced { record, staged: !in_place, seen })
    };

    // Render the days to build in parallel, staging each day's files as it is done, so
    // memory holds a few days' files, not the series'. The last day's are kept for latest/.
    // A day's maps are drawn again only if the data they show changed (see `maps`).
    let drawn_before = maps_before.under(&maps::key(&gazetteer_version, &options_key));
    let map_intact = |file: &FileRecord| {
        previous_outputs.get(file.path.as_str()).is_some_and(|p| p.sha256 == file.sha256) && intact(&file.path)
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    // The series' two big files are made meanwhile: a run that builds one day has a core
    // to spare for them. All the events as CSV are written as they are read back, not
    // held; the timeline is made from the ledger alone.
    let series_text = || -> Result<(Produced, Option<String>), BuildError> {
        let events_csv = produce_streamed("events.csv".to_owned(), &|out| {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(record::HEADER)?;
            store.for_each(|event| Ok(csv.write_record(record::row(&event, gazetteer))?))?;
            csv.flush()
        })?;
        let timeline = options.formats.geojson.then(|| {
            let latest = Day { timeline: (from, to), ..make_day(gazetteer, &ledger, options, last, &[]) };
            render::layers::timeline(&latest)
        });
        Ok((events_csv, timeline))
    };
    let build_days = || -> Result<Vec<Built>, BuildError> {
        to_build
            .par_iter()
            .map(|d| {
                let recent = read_recent(d.date)?;
                let day = make_day(gazetteer, &ledger, options, d.date, &recent);
                let maps_wanted = options.formats.png || options.formats.svg;
                let fingerprint = maps_wanted.then(|| maps::fingerprint(&render::map_data(&day, d.reports)));
                let reused = fingerprint.as_ref().and_then(|f| drawn_before.reusable(d.date, f, map_intact));
                let (layers, maps, events) = day_files(&day, d.reports, options, reused.is_none());
                let mut produced = Vec::new();
                for (name, bytes) in &layers {
                    produced.push(produce(day_path(d.date, name), bytes)?);
                }
                let mut map_files = Vec::new();
                match reused {
                    Some(records) => {
                        for record in records {
                            produced.push(Produced { record: record.clone(), staged: false, seen: None });
                        }
                        if d.date == last {
                            // For latest/: the maps as they are in place (intact, just checked).
                            for record in records {
                                let path = out.join(&record.path);
                                let name = record.path.split_once('/').map_or("", |(_, name)| name).to_owned();
                                map_files.push((name, std::fs::read(&path).map_err(io(&path))?));
                            }
                        }
                    }
                    None => {
                        for (name, bytes) in &maps {
                            produced.push(produce(day_path(d.date, name), bytes)?);
                        }
                    }
                }
                let first_map = layers.len();
                let drawn = fingerprint.map(|fingerprint| maps::DrawnMaps {
                    fingerprint,
                    files: produced[first_map..].iter().map(|p| p.record.clone()).collect(),
                });
                produced.push(produce(day_path(d.date, &events.0), &events.1)?);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, to_build.len());
                let files = (d.date == last).then(|| {
                    let maps = if map_files.is_empty() { maps } else { map_files };
                    layers.into_iter().chain(maps).chain([events]).collect()
                });
                Ok(Built { date: d.date, produced, files, drawn })
            })
            .collect::<Result<_, BuildError>>()
    };
    let (built, series_files) = rayon::join(build_days, series_text);
    let built = built?;
    let (events_csv, timeline) = series_files?;

    // Whole-series files: all events, the timeline, the latest day, the animation.
    let mut series: Vec<Produced> = Vec::new();
    series.push(events_csv);
    if let Some(timeline) = timeline {
        // The series' own layer, and a QGIS project opening it under the latest day.
        let latest_events = read_recent(last)?;
        let latest = Day { timeline: (from, to), ..make_day(gazetteer, &ledger, options, last, &latest_events) };
        series.push(produce("timeline.geojson".to_owned(), timeline.as_bytes())?);
        let style = qgis::style(LayerKind::Timeline, &options.map.style);
        series.push(produce("timeline.qml".to_owned(), style.as_bytes())?);
        let paths: Vec<(String, LayerKind)> = LayerKind::DRAW_ORDER
            .into_iter()
            .map(|kind| match kind {
                LayerKind::Timeline => ("timeline.geojson".to_owned(), kind),
                _ => (format!("latest/{}.geojson", kind.stem()), kind),
            })
            .collect();
        let layers: Vec<(&str, LayerKind)> = paths.iter().map(|(path, kind)| (path.as_str(), *kind)).collect();
        let mut project_options = render::qgis_options(&latest, &options.map);
        project_options.title = format!("eventmap: Afghanistan, {from} to {to}");
        series.push(produce(qgis::PROJECT_FILE.to_owned(), qgis::project(&layers, &project_options).as_bytes())?);
    }
    // latest/: the newest day, as just built or as it stands on disk (intact, or it
    // would have been rebuilt).
    let latest_files: Files = match built.iter().find_map(|b| b.files.clone()) {
        Some(files) => files,
        None => {
            let record = previous_days.get(&last).expect("a day not rebuilt has a record");
            let mut files = Vec::new();
            for name in &record.files {
                let path = out.join(day_path(last, name));
                files.push((name.clone(), std::fs::read(&path).map_err(io(&path))?));
            }
            files
        }
    };
    for (name, bytes) in &latest_files {
        series.push(produce(format!("latest/{name}"), bytes)?);
    }
    if options.animate {
        let gif = animation(&days, |date| {
            let mut small = options.map.clone();
            small.width_px = 800;
            small.scale = 1.0;
            let events = read_recent(date)?;
            let data = render::map_data(&make_day(gazetteer, &ledger, options, date, &events), reports_by(date));
            Ok(render::map::scene_png(&render::map::control_scene(&data, &small), 1.0))
        })?;
        series.push(produce("timeline.gif".to_owned(), &gif)?);
    }

    // The new manifest: this run's files; the earlier ones it did not produce, if intact.
    let produced: Vec<&Produced> = built.iter().flat_map(|b| &b.produced).chain(&series).collect();
    let mut outputs: BTreeMap<String, FileRecord> =
        previous.outputs.iter().filter(|f| intact(&f.path)).map(|f| (f.path.clone(), f.clone())).collect();
    for p in &produced {
        outputs.insert(p.record.path.clone(), p.record.clone());
    }
    let mut inputs = Vec::new();
    for path in &input_files.paths {
        inputs.push(match input_files.known.get(path) {
            Some(record) => record.clone(),
            None => input_record(path).map_err(io(path))?,
        });
    }
    inputs.sort();
    let mut day_records: BTreeMap<NaiveDate, DayRecord> =
        previous.days.iter().filter(|d| d.date < from || d.date > to).map(|d| (d.date, d.clone())).collect();
    for d in &fingerprints {
        let files = match built.iter().find(|b| b.date == d.date) {
            Some(Built { produced, .. }) => {
                produced.iter().map(|p| p.record.path.split_once('/').map_or("", |(_, name)| name).to_owned()).collect()
            }
            None => previous_days[&d.date].files.clone(),
        };
        day_records.insert(
            d.date,
            DayRecord {
                date: d.date,
                fingerprint: d.fingerprint.clone(),
                events: d.events,
                reports: d.reports,
                provinces: d.provinces.clone(),
                files,
            },
        );
    }
    let mut commit: Vec<String> = produced.iter().filter(|p| p.staged).map(|p| p.record.path.clone()).collect();
    commit.sort();
    let manifest = Manifest {
        tool: "eventmap".to_owned(),
        version: VERSION.to_owned(),
        gazetteer: gazetteer_version.clone(),
        inputs,
        outputs: outputs.into_values().collect(),
        days: day_records.into_values().collect(),
        commit,
    };

    let summary_days: Vec<DayOutcome> = fingerprints
        .iter()
        .map(|d| {
            let produced = built.iter().find(|b| b.date == d.date).map(|b| &b.produced);
            DayOutcome {
                date: d.date,
                rebuilt: produced.is_some(),
                events: d.events,
                files: produced.map(|p| p.iter().filter(|p| p.staged).count()).unwrap_or(0),
            }
        })
        .collect();

    let files_written = manifest.commit.len();
    if !manifest.commit.is_empty() {
        // Commit the manifest listing the staged files, move them into place, finish.
        sync_staged(&stage, &manifest.commit)?;
        step(|| "commit the manifest".to_owned());
        write_manifest(out, &manifest)?;
        move_staged(out, &manifest.commit)?;
        let mut done = manifest;
        done.commit.clear();
        step(|| "finish the manifest".to_owned());
        write_manifest(out, &done)?;
    } else if manifest != previous {
        // New inputs or records, the same files.
        step(|| "update the manifest".to_owned());
        write_manifest(out, &manifest)?;
    }
    // Remember how the outputs looked when hashed or written, so the next run need not
    // read them all.
    let mut seen: BTreeMap<&str, &Seen> =
        on_disk.iter().filter_map(|(path, seen)| Some((*path, seen.as_ref()?))).collect();
    seen.extend(produced.iter().filter_map(|p| Some((p.record.path.as_str(), p.seen.as_ref()?))));
    let mut drawn = drawn_before;
    for day in &built {
        if let Some(maps) = &day.drawn {
            drawn.insert(day.date, maps.clone());
        }
    }
    HashCache::record(out, &read_manifest(out)?.outputs, &seen, drawn);
    if stage.exists() {
        step(|| "remove the staging folder".to_owned());
        let _ = std::fs::remove_dir_all(&stage);
    }
    for day in &summary_days {
        log(day);
    }
    // The process ends after the summary: freeing a year's ledger one entry at a time
    // would only cost time (a few percent of a run that finds little to do).
    std::mem::forget(ledger);
    Ok(Summary { days: summary_days, files_written, recovered })
}

/// A day as the renderers take it, with `events` (its recent ones, or none where only the
/// ledger is read). A day folder is that day alone: its QGIS project's time range is the
/// day, not the series' period, so the folders of past days do not change (and are not
/// rebuilt) when the series grows by a day. The series' files cover the period.
fn make_day<'a>(
    gazetteer: &'a Gazetteer,
    ledger: &'a crate::ledger::Ledger,
    options: &Options,
    date: NaiveDate,
    events: &'a [Event],
) -> Day<'a> {
    Day { gazetteer, ledger, events, date, recent_days: options.recent_days, timeline: (date, date) }
}

/// Writes through to a file and hashes what it writes.
struct HashingWriter {
    out: std::io::BufWriter<std::fs::File>,
    hasher: Sha256,
    bytes: u64,
}

impl HashingWriter {
    fn new(file: std::fs::File) -> HashingWriter {
        HashingWriter { out: std::io::BufWriter::with_capacity(1 << 16, file), hasher: Sha256::new(), bytes: 0 }
    }

    /// Flushes the file; its SHA-256 and size.
    fn finish(mut self) -> std::io::Result<(String, u64)> {
        std::io::Write::flush(&mut self.out)?;
        Ok((hex(&self.hasher.finalize()), self.bytes))
    }
}

impl std::io::Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Files by name or path, and their bytes.
type Files = Vec<(String, Vec<u8>)>;

/// A day this run built.
struct Built {
    date: NaiveDate,
    /// Its files, in the order the day record lists them.
    produced: Vec<Produced>,
    /// The last day's files, for latest/.
    files: Option<Files>,
    /// Its maps, for the map cache (`None` when no maps are made).
    drawn: Option<maps::DrawnMaps>,
}

/// `YYYY-MM-DD/name`.
fn day_path(date: NaiveDate, name: &str) -> String {
    format!("{}/{name}", date.format("%Y-%m-%d"))
}

/// The SHA-256 of a file, or `None` if it cannot be read.
fn hash_file(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|bytes| sha256(&bytes))
}

/// `.eventmap/hashes.json`: each output's size, modification time and inode as a build
/// saw them just before hashing (or just after writing) it, with the hash. A file whose
/// three are unchanged is taken to have that hash without being read, as git's index and
/// make trust a file's times: a build over a year of maps (3 GB) need not read them all
/// to learn that nothing changed. Outputs are replaced by renames (a new inode), so a
/// build's own writes always show; an edit in place that kept the size and the time to
/// the nanosecond would not, and `--force` reads everything. An entry is trusted only if
/// the file was already two seconds old when it was seen, in case the clock is coarse
/// (FAT keeps times to two seconds). Only ever a shortcut: a missing, stale or damaged
/// cache means reading the files.
#[derive(Default, Serialize, Deserialize)]
struct HashCache {
    files: BTreeMap<String, Seen>,
    /// Each day's maps as last drawn (see [`maps`]).
    #[serde(default)]
    maps: maps::MapCache,
}

/// A file as seen at one moment.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Seen {
    bytes: u64,
    /// Modification time, nanoseconds since 1970.
    modified: i128,
    inode: u64,
    /// When it was seen, nanoseconds since 1970.
    seen: i128,
    sha256: String,
}

impl Seen {
    /// The file's size, time and inode now, with the hash the caller knows it has.
    fn now(path: &Path, sha256: &str) -> Option<Seen> {
        let seen = nanos(std::time::SystemTime::now());
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Seen { bytes: meta.len(), modified: nanos(meta.modified().ok()?), inode, seen, sha256: sha256.to_owned() })
    }

    /// Whether `now` is the file as this was seen: the same size, time and inode, and this
    /// was seen two seconds or more after the file's time (see [`HashCache`]).
    fn unchanged(&self, now: &Seen) -> bool {
        let settled = self.modified + 2_000_000_000 <= self.seen;
        settled && (now.bytes, now.modified, now.inode) == (self.bytes, self.modified, self.inode)
    }
}

impl HashCache {
    const FILE: &'static str = "hashes.json";

    fn read(out: &Path) -> HashCache {
        std::fs::read(out.join(".eventmap").join(Self::FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The file as it is now with its hash: from the cache if its size, time and inode
    /// are as recorded, else read (looked at before reading, so an edit made while it is
    /// read shows next time). `None` if it cannot be read.
    fn hash(&self, out: &Path, path: &str) -> Option<Seen> {
        let full = out.join(path);
        let now = Seen::now(&full, "")?;
        if let Some(known) = self.files.get(path).filter(|known| known.unchanged(&now)) {
            return Some(known.clone());
        }
        Some(Seen { sha256: hash_file(&full)?, ..now })
    }

    /// Writes the cache for the outputs the manifest lists, as last seen, with the maps as
    /// last drawn (best effort: a cache that cannot be written only means reading the
    /// files, and drawing the maps, next time).
    fn record(out: &Path, outputs: &[FileRecord], seen: &BTreeMap<&str, &Seen>, maps: maps::MapCache) {
        let files = outputs
            .iter()
            .filter_map(|f| {
                let seen = seen.get(f.path.as_str()).filter(|s| s.sha256 == f.sha256 && s.bytes == f.bytes)?;
                Some((f.path.clone(), (*seen).clone()))
            })
            .collect();
        let bytes = serde_json::to_vec(&HashCache { files, maps }).expect("a cache serialises");
        let _ = write_atomic(&out.join(".eventmap").join(Self::FILE), &bytes);
    }
}

fn nanos(time: std::time::SystemTime) -> i128 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// A step of the write protocol, for the crash-safety tests. With `EVENTMAP_TEST_PAUSE=N`
/// in the environment the build stops before its Nth step, prints `eventmap: test pause
/// at step N: WHAT` on stderr and waits for a line (or the end) on standard input; the
/// tests kill it there (SIGKILL) or let it go on. Without the variable this does nothing.
fn step(what: impl FnOnce() -> String) {
    static TARGET: OnceLock<Option<usize>> = OnceLock::new();
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let target = TARGET.get_or_init(|| std::env::var("EVENTMAP_TEST_PAUSE").ok().and_then(|v| v.parse().ok()));
    let Some(target) = *target else { return };
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    if n == target {
        eprintln!("eventmap: test pause at step {n}: {}", what());
        let _ = std::io::stdin().read_line(&mut String::new());
    }
}

/// The layers of a day folder: the timeline covers the series, so it is written once, at the top.
const DAY_LAYERS: [LayerKind; 4] = [LayerKind::Provinces, LayerKind::Places, LayerKind::Events, LayerKind::Flows];

/// A day's files in three parts, in the order the day record lists them: its layers
/// (with their styles and project), its maps (none unless `draw_maps`) and that day's
/// events as CSV. The first two together are [`render::outputs`] with every format
/// asked for, which writes the layers first and the maps after them.
fn day_files(day: &Day<'_>, reports: usize, options: &Options, draw_maps: bool) -> (Files, Files, (String, Vec<u8>)) {
    let formats = &options.formats;
    let layers_only = Formats { png: false, svg: false, ..formats.clone() };
    let layers = render::outputs(day, reports, &layers_only, &options.map, &DAY_LAYERS);
    // The two maps drawn on two cores (a run that builds one day, the newest, waits on them).
    let map = |control: bool| {
        let one = Formats { geojson: false, control, displacement: !control, ..formats.clone() };
        let wanted = if control { formats.control } else { formats.displacement };
        if draw_maps && wanted && (formats.png || formats.svg) {
            render::outputs(day, reports, &one, &options.map, &DAY_LAYERS)
        } else {
            Vec::new()
        }
    };
    let (mut maps, displacement) = rayon::join(|| map(true), || map(false));
    maps.extend(displacement);
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(record::HEADER).expect("in memory");
    // The day's events are among its recent ones (the window ends on the day).
    for event in day.events.iter().filter(|e| e.date == day.date) {
        csv.write_record(record::row(event, day.gazetteer)).expect("in memory");
    }
    (layers, maps, ("events.csv".to_owned(), csv.into_inner().expect("in memory")))
}

/// Everything in the options that changes the files.
fn options_key(options: &Options) -> String {
    format!("{:?}|{:?}|{}|{:?}", options.formats, options.map, options.recent_days, options.animate)
}

/// `timeline.gif`: a frame a day (`frame` renders a day as PNG), one second a frame,
/// looping. Frames are rendered and quantised in parallel a few at a time and written in
/// order, so memory holds a few frames, not a year of them.
fn animation(
    days: &[NaiveDate],
    frame: impl Fn(NaiveDate) -> Result<Vec<u8>, BuildError> + Sync,
) -> Result<Vec<u8>, BuildError> {
    let mut encoder: Option<gif::Encoder<Vec<u8>>> = None;
    let mut size = None;
    for chunk in days.chunks(2 * rayon::current_num_threads().max(1)) {
        let frames: Vec<Option<gif::Frame<'static>>> = chunk
            .par_iter()
            .map(|&date| {
                let Some((w, h, mut rgba)) = decode_rgba(&frame(date)?) else { return Ok(None) };
                let mut frame = gif::Frame::from_rgba_speed(w, h, &mut rgba, 10);
                frame.delay = 100;
                Ok(Some(frame))
            })
            .collect::<Result<_, BuildError>>()?;
        for frame in frames.into_iter().flatten() {
            let (width, height) = *size.get_or_insert((frame.width, frame.height));
            if (frame.width, frame.height) != (width, height) {
                continue;
            }
            if encoder.is_none() {
                let mut e = gif::Encoder::new(Vec::new(), width, height, &[]).expect("writing to memory");
                let _ = e.set_repeat(gif::Repeat::Infinite);
                encoder = Some(e);
            }
            if let Some(e) = encoder.as_mut() {
                let _ = e.write_frame(&frame);
            }
        }
    }
    Ok(encoder.map(|e| e.into_inner().expect("writing to memory")).unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_cannot_move_files_outside_the_output_folder() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(out.join(".eventmap/staging")).unwrap();
        std::fs::write(out.join("victim.txt"), b"kept").unwrap();
        for entry in ["../../victim.txt", "/tmp/victim.txt", "a/../../victim.txt", "./x", ""] {
            let manifest = Manifest { commit: vec![entry.to_owned()], ..Manifest::default() };
            std::fs::write(out.join("manifest.json"), serde_json::to_vec(&manifest).unwrap()).unwrap();
            let lock = Lock::acquire(&out).unwrap();
            let error = recover(&lock).unwrap_err().to_string();
            drop(lock);
            assert!(error.contains("is not a path inside the output folder"), "{entry}: {error}");
        }
        assert_eq!(std::fs::read(out.join("victim.txt")).unwrap(), b"kept");
        assert!(inside("2021-08-10/control.svg") && inside("latest/events.csv"));
    }
}
