//! `OUT/.eventmap/extracted.json`: the articles and events of each input file as the last
//! build extracted them, so a build over a year of reports re-reads only the files that
//! changed (extraction is most of a no-change run otherwise).
//!
//! An entry is used only if the file's bytes hash to what they did and the key matches:
//! the running executable (any rebuild of eventmap, not only a new version), the
//! gazetteer and the extraction settings. A file whose size, modification time and inode
//! are those recorded when it was last read, two seconds or more after it was last
//! modified, is taken to have the same bytes without reading it (the rule `hashes.json`
//! has for the outputs: a year of reports is 36,500 files). Files with a problem (a bad
//! date, a bad line) are not kept, so their problems are reported on every run. Standard
//! input is never cached. A missing, damaged or foreign cache only means extracting
//! everything.

use super::{gazetteer_version, input_record, tool_identity, FileRecord, InputFiles, InputRecords, Lock, Seen};
use crate::extract::{self, serial::SerialEvent, Event};
use crate::gazetteer::Gazetteer;
use crate::geoparse::Geoparser;
use crate::ingest;
use crate::ledger::inputs::InputError;
use crate::pipeline::{self, ArticleSummary, Assembled, Inputs, Problem, Settings};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

const FILE: &str = "extracted.json";

/// The file's name in `.eventmap/`, kept when a build clears what a killed one left.
pub fn file_name() -> &'static str {
    FILE
}

/// The cache as read. On disk it is JSON Lines: a [`Header`], then one [`Line`] per input
/// file, so that the lines parse on every core and a run that changed one file copies the
/// other lines as they were instead of writing them again.
#[derive(Default)]
struct Cache {
    key: String,
    /// By the input's path as given (after folders are expanded).
    files: BTreeMap<String, CachedFile>,
    /// The file read, to copy lines from, and where each entry's line is in it, while the
    /// entry is as read there. (Read back when the cache is written rather than held: a
    /// year's cache is about as large as its events.)
    file: Option<File>,
    lines: BTreeMap<String, Range<u64>>,
}

/// The first line of the file.
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    key: String,
}

/// This layout's number in [`Header`]: a file in another layout is not read.
const FORMAT: u32 = 2;

/// Each line after the first.
#[derive(Serialize, Deserialize)]
struct Line<N, F> {
    name: N,
    file: F,
}

/// Lines read at a time, then parsed on every core.
const CHUNK: usize = 1024;

impl Cache {
    /// The cache in `path`, if it is whole and was written under `key`. Read a chunk of
    /// lines at a time, so that memory holds the entries, not the file as well.
    fn read(path: &Path, key: &str) -> Option<Cache> {
        let file = File::open(path).ok()?;
        let mut reader = BufReader::with_capacity(1 << 16, file.try_clone().ok()?);
        let mut line = Vec::new();
        let mut offset = reader.read_until(b'\n', &mut line).ok()? as u64;
        let header: Header = serde_json::from_slice(&line).ok()?;
        if header.format != FORMAT || header.key != key {
            return None;
        }
        let mut cache = Cache { key: header.key, file: Some(file), ..Cache::default() };
        loop {
            let mut chunk: Vec<(Range<u64>, Vec<u8>)> = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                let mut line = Vec::new();
                let n = reader.read_until(b'\n', &mut line).ok()?;
                let range = offset..offset + n as u64;
                offset += n as u64;
                // A last line without its newline was cut short: left out, as are empty lines.
                if n == 0 || line.last() != Some(&b'\n') {
                    break;
                }
                if n > 1 {
                    chunk.push((range, line));
                }
            }
            if chunk.is_empty() {
                return Some(cache);
            }
            let parsed: Vec<Line<String, CachedFile>> = chunk
                .par_iter()
                .map(|(_, line)| serde_json::from_slice::<Line<String, CachedFile>>(line))
                .collect::<Result<_, _>>()
                .ok()?;
            for (Line { name, file }, (range, _)) in parsed.into_iter().zip(chunk) {
                cache.lines.insert(name.clone(), range);
                cache.files.insert(name, file);
            }
        }
    }
}

/// Writes the new cache next to the old one, line by line as the inputs are gone
/// through, and renames it into place at the end. Best effort: after an error it writes
/// nothing more and leaves the old cache as it was.
struct CacheWriter {
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
    /// The old cache, lines of which are copied.
    old: Option<File>,
}

impl CacheWriter {
    fn new(path: &Path, key: &str, old: Option<File>) -> CacheWriter {
        let tmp = path.with_extension("json.tmp");
        let out = File::create(&tmp).ok().map(|f| BufWriter::with_capacity(1 << 16, f));
        let mut writer = CacheWriter { tmp, out, old };
        writer.write(|out| {
            serde_json::to_writer(&mut *out, &Header { format: FORMAT, key: key.to_owned() })?;
            Ok(out.write_all(b"\n")?)
        });
        writer
    }

    fn write(&mut self, f: impl FnOnce(&mut BufWriter<File>) -> Result<(), Box<dyn std::error::Error>>) {
        if let Some(out) = self.out.as_mut() {
            if f(out).is_err() {
                self.out = None;
            }
        }
    }

    /// A line of the old cache, as it was.
    fn copy(&mut self, range: Range<u64>) {
        let Some(mut old) = self.old.take() else {
            self.out = None;
            return;
        };
        self.write(|out| {
            old.seek(std::io::SeekFrom::Start(range.start))?;
            std::io::copy(&mut (&mut old).take(range.end - range.start), out)?;
            Ok(())
        });
        self.old = Some(old);
    }

    /// A new line.
    fn entry(&mut self, name: &str, file: Entry<'_>) {
        self.write(|out| {
            serde_json::to_writer(&mut *out, &Line { name, file })?;
            Ok(out.write_all(b"\n")?)
        });
    }

    /// Renames the new cache into place (not synced: a cache is a shortcut).
    fn finish(self, path: &Path) {
        let done = self.out.map(|out| out.into_inner().is_ok()).unwrap_or(false);
        if !(done && std::fs::rename(&self.tmp, path).is_ok()) {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A [`CachedFile`] to write, its events as the build holds them (the same JSON).
#[derive(Serialize)]
struct Entry<'a> {
    sha256: &'a str,
    seen: &'a Option<Seen>,
    articles: &'a [CachedArticle],
    events: Events<'a>,
}

/// Events written as [`SerialEvent`]s, one at a time.
struct Events<'a>(&'a [Event]);

impl Serialize for Events<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(SerialEvent::from))
    }
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
struct CachedFile {
    sha256: String,
    /// The file's size, time and inode when it was last hashed: while they stay the same
    /// the file is not read again (as `hashes.json` does for the outputs).
    #[serde(default)]
    seen: Option<Seen>,
    articles: Vec<CachedArticle>,
    events: Vec<SerialEvent>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
struct CachedArticle {
    id: String,
    date: Option<NaiveDate>,
    origin: String,
    bytes: usize,
}

/// What one input gave: articles, events and problems, in input order.
#[derive(Default)]
struct Found {
    articles: Vec<ArticleSummary>,
    events: Vec<Event>,
    problems: Vec<Problem>,
}

/// [`pipeline::assemble`], with the events of unchanged input files taken from the cache
/// in `lock`'s folder, and the cache brought up to date. The result is the same as
/// extracting every file. Also returns the article files read (folders expanded, standard
/// input left out) with the records (hash and size) of those it could read, for the
/// manifest.
pub fn assemble(
    lock: &Lock,
    inputs: &Inputs,
    gazetteer: &Gazetteer,
    settings: &Settings,
) -> Result<(Assembled, InputFiles), InputError> {
    let path = lock.out().join(".eventmap").join(FILE);
    let key = format!("{}|{}|{:?}", tool_identity(), gazetteer_version(gazetteer), settings.extract);
    let loaded = Cache::read(&path, &key);
    let fresh_start = loaded.is_none();
    let mut cache = loaded.unwrap_or_else(|| Cache { key, ..Cache::default() });

    // Each input (folders expanded): cached, to extract (with its hash, if it can be
    // cached), or an error of its own.
    enum Unit {
        Cached(String),
        /// With the file's hash and how it looked before it was read, if it can be cached.
        Extract(PathBuf, Option<(String, Option<Seen>)>),
        Failed(ingest::IngestError),
    }
    let mut records = InputRecords::new();
    let mut newly_seen = false;
    let expanded = ingest::expand_inputs(&inputs.articles);
    let paths: Vec<PathBuf> =
        expanded.iter().filter_map(|r| r.as_ref().ok()).filter(|p| p.as_os_str() != "-").cloned().collect();
    let units: Vec<Unit> = expanded
        .into_iter()
        .map(|entry| match entry {
            Err(error) => Unit::Failed(error),
            Ok(path) if path.as_os_str() == "-" => Unit::Extract(path, None),
            Ok(path) => {
                let name = path.display().to_string();
                // Looked at before reading, so an edit made while it is read shows next time.
                let now = Seen::now(&path, "");
                let cached = cache.files.get_mut(&name);
                let known = match (&now, cached.as_deref()) {
                    (Some(now), Some(CachedFile { seen: Some(seen), sha256, .. })) if seen.unchanged(now) => {
                        Some(FileRecord { path: name.clone(), sha256: sha256.clone(), bytes: now.bytes })
                    }
                    _ => None,
                };
                let trusted = known.is_some();
                match known.map(Ok).unwrap_or_else(|| input_record(&path)) {
                    Ok(record) => {
                        let sha = record.sha256.clone();
                        records.insert(path.clone(), record);
                        match cached.filter(|f| f.sha256 == sha) {
                            Some(file) => {
                                // Read (not trusted): remember how it looked when read.
                                let seen = if trusted {
                                    file.seen.clone()
                                } else {
                                    now.map(|now| Seen { sha256: sha, ..now })
                                };
                                if file.seen != seen {
                                    file.seen = seen;
                                    cache.lines.remove(&name);
                                    newly_seen = true;
                                }
                                Unit::Cached(name)
                            }
                            None => Unit::Extract(path, Some((sha, now))),
                        }
                    }
                    Err(_) => Unit::Extract(path, None), // the reader reports why
                }
            }
        })
        .collect();

    // Extract the others in one pass, grouped by the file they came from.
    let to_extract: Vec<PathBuf> =
        units.iter().filter_map(|u| if let Unit::Extract(p, _) = u { Some(p.clone()) } else { None }).collect();
    let found = std::cell::RefCell::new(BTreeMap::<String, Found>::new());
    if !to_extract.is_empty() {
        let parser = Geoparser::new(gazetteer);
        pipeline::each_article(
            &to_extract,
            |a| extract::extract(a, &parser.parse(&a.body), gazetteer, &settings.extract),
            |article, events| {
                let mut found = found.borrow_mut();
                let group = found.entry(article.origin.path.clone()).or_default();
                group.articles.push(ArticleSummary {
                    id: article.id.clone(),
                    date: article.date,
                    origin: article.origin.to_string(),
                    bytes: article.body.len(),
                });
                group.events.extend(events);
                Ok(())
            },
            |error| found.borrow_mut().entry(error.path().to_owned()).or_default().problems.push(error.into()),
        )
        .expect("collecting in memory cannot fail");
    }

    let mut found = found.into_inner();
    let mut all = Found::default();
    // A cache is a shortcut: written when it changed (an entry extracted, or one for a
    // file no longer read), not synced, errors ignored. It is written as the inputs are
    // gone through below, each entry from the events in hand, so that the events are in
    // memory once (not also as the cache's entries, nor as the file's bytes).
    let cached: std::collections::BTreeSet<&str> =
        units.iter().filter_map(|u| if let Unit::Cached(name) = u { Some(name.as_str()) } else { None }).collect();
    let stale = cache.files.keys().any(|name| !cached.contains(name.as_str()));
    let mut writer = (fresh_start || newly_seen || !to_extract.is_empty() || stale)
        .then(|| CacheWriter::new(&path, &cache.key, cache.file.take()));
    // The cached events as events, on every core, each entry's given up as it is converted.
    let taken: Vec<Vec<SerialEvent>> = units
        .iter()
        .map(|unit| match unit {
            Unit::Cached(name) => cache.files.get_mut(name).map(|f| std::mem::take(&mut f.events)).unwrap_or_default(),
            _ => Vec::new(),
        })
        .collect();
    let cached_events: Vec<Vec<Event>> =
        taken.into_par_iter().map(|events| events.into_iter().map(Event::from).collect()).collect();
    for (unit, events) in units.into_iter().zip(cached_events) {
        match unit {
            Unit::Failed(error) => all.problems.push(error.into()),
            Unit::Cached(name) => {
                let file = cache.files.remove(&name).expect("a cached unit is in the cache");
                if let Some(writer) = writer.as_mut() {
                    match cache.lines.remove(&name) {
                        Some(range) => writer.copy(range),
                        None => writer.entry(
                            &name,
                            Entry {
                                sha256: &file.sha256,
                                seen: &file.seen,
                                articles: &file.articles,
                                events: Events(&events),
                            },
                        ),
                    }
                }
                all.articles.extend(file.articles.into_iter().map(|a| ArticleSummary {
                    id: a.id,
                    date: a.date,
                    origin: a.origin,
                    bytes: a.bytes,
                }));
                all.events.extend(events);
            }
            Unit::Extract(path, sha) => {
                let name = if path.as_os_str() == "-" { "-".to_owned() } else { path.display().to_string() };
                let group = found.remove(&name).unwrap_or_default();
                if let Some(((sha256, seen), writer)) = sha.filter(|_| group.problems.is_empty()).zip(writer.as_mut()) {
                    let seen = seen.map(|seen| Seen { sha256: sha256.clone(), ..seen });
                    let articles: Vec<CachedArticle> = group
                        .articles
                        .iter()
                        .map(|a| CachedArticle {
                            id: a.id.clone(),
                            date: a.date,
                            origin: a.origin.clone(),
                            bytes: a.bytes,
                        })
                        .collect();
                    let entry =
                        Entry { sha256: &sha256, seen: &seen, articles: &articles, events: Events(&group.events) };
                    writer.entry(&name, entry);
                }
                all.articles.extend(group.articles);
                all.events.extend(group.events);
                all.problems.extend(group.problems);
            }
        }
    }
    // Problems the reader attributed to no input of ours (none expected) are not lost.
    for (_, rest) in found {
        all.problems.extend(rest.problems);
    }
    if let Some(writer) = writer {
        writer.finish(&path);
    }
    let assembled =
        pipeline::assemble_with_events(inputs, gazetteer, settings, all.articles, all.events, all.problems)?;
    Ok((assembled, InputFiles { paths, known: records }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> Event {
        crate::extract::test_event(10, "a", id, "Fighting in \"Kunduz\".")
    }

    fn write(writer: &mut CacheWriter, name: &str, events: &[Event]) {
        let articles = [CachedArticle { id: name.to_owned(), date: None, origin: name.to_owned(), bytes: 7 }];
        writer.entry(name, Entry { sha256: name, seen: &None, articles: &articles, events: Events(events) });
    }

    /// A cache is written line by line, some lines copied from the one it replaces: read
    /// back, it has exactly the entries written, events and all.
    #[test]
    fn copied_and_new_lines_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut writer = CacheWriter::new(&path, "k", None);
        write(&mut writer, "a", &[event("a-1"), event("a-2")]);
        write(&mut writer, "b", &[event("b-1")]);
        writer.finish(&path);
        let first = Cache::read(&path, "k").unwrap();
        assert!(Cache::read(&path, "other key").is_none());
        assert_eq!(first.files.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(first.files["a"].events.iter().cloned().map(Event::from).eq([event("a-1"), event("a-2")]));

        let mut writer = CacheWriter::new(&path, "k", first.file);
        writer.copy(first.lines["a"].clone());
        write(&mut writer, "c", &[]);
        writer.finish(&path);
        let second = Cache::read(&path, "k").unwrap();
        assert_eq!(second.files.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert!(second.files["a"] == first.files["a"]);
        assert!(!dir.path().join("extracted.json.tmp").exists());

        // A last line cut short (a kill while writing) is left out; the rest is read.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        assert_eq!(Cache::read(&path, "k").unwrap().files.keys().collect::<Vec<_>>(), ["a"]);
    }
}
