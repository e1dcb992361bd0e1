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
use std::path::PathBuf;

const FILE: &str = "extracted.json";

/// The file's name in `.eventmap/`, kept when a build clears what a killed one left.
pub fn file_name() -> &'static str {
    FILE
}

/// The cache in memory. On disk it is JSON Lines: a [`Header`], then one [`Line`] per
/// input file, so that the lines parse on every core and a run that changed one file
/// copies the other lines as they were instead of writing them again.
#[derive(Default)]
struct Cache {
    key: String,
    /// By the input's path as given (after folders are expanded).
    files: BTreeMap<String, CachedFile>,
    /// The file as read, and where each entry's line is in it, while the entry is as read.
    bytes: Vec<u8>,
    lines: BTreeMap<String, std::ops::Range<usize>>,
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

impl Cache {
    /// The cache in `path`, if it is whole and was written under `key`.
    fn read(path: &std::path::Path, key: &str) -> Option<Cache> {
        let bytes = std::fs::read(path).ok()?;
        let mut starts = vec![0];
        starts.extend(line_ends(&bytes));
        let ranges: Vec<std::ops::Range<usize>> =
            starts.windows(2).map(|w| w[0]..w[1]).filter(|r| r.end > r.start + 1).collect();
        let (first, rest) = ranges.split_first()?;
        let header: Header = serde_json::from_slice(&bytes[first.clone()]).ok()?;
        if header.format != FORMAT || header.key != key {
            return None;
        }
        let parsed: Vec<(String, CachedFile)> = rest
            .par_iter()
            .map(|r| serde_json::from_slice::<Line<String, CachedFile>>(&bytes[r.clone()]).map(|l| (l.name, l.file)))
            .collect::<Result<_, _>>()
            .ok()?;
        let mut cache = Cache { key: header.key, ..Cache::default() };
        for ((name, file), range) in parsed.into_iter().zip(rest) {
            cache.lines.insert(name.clone(), range.clone());
            cache.files.insert(name, file);
        }
        cache.bytes = bytes;
        Some(cache)
    }

    /// The cache's bytes with `files` as its entries: lines read and unchanged copied.
    fn to_bytes(&self, files: &BTreeMap<String, CachedFile>) -> Vec<u8> {
        let mut out = serde_json::to_vec(&Header { format: FORMAT, key: self.key.clone() }).expect("serialises");
        out.push(b'\n');
        for (name, file) in files {
            match self.lines.get(name) {
                Some(range) => out.extend_from_slice(&self.bytes[range.clone()]),
                None => {
                    serde_json::to_writer(&mut out, &Line { name, file }).expect("serialises");
                    out.push(b'\n');
                }
            }
        }
        out
    }
}

/// The offset after each newline in `bytes`.
fn line_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1)
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
    let mut kept: BTreeMap<String, CachedFile> = BTreeMap::new();
    // The cached events as events, on every core.
    let mut cached_events: Vec<Vec<Event>> = units
        .par_iter()
        .map(|unit| match unit {
            Unit::Cached(name) => cache.files[name].events.iter().cloned().map(Event::from).collect(),
            _ => Vec::new(),
        })
        .collect();
    for (unit, events) in units.into_iter().zip(cached_events.drain(..)) {
        match unit {
            Unit::Failed(error) => all.problems.push(error.into()),
            Unit::Cached(name) => {
                let file = cache.files.remove(&name).expect("a cached unit is in the cache");
                all.articles.extend(file.articles.iter().map(|a| ArticleSummary {
                    id: a.id.clone(),
                    date: a.date,
                    origin: a.origin.clone(),
                    bytes: a.bytes,
                }));
                all.events.extend(events);
                kept.insert(name, file);
            }
            Unit::Extract(path, sha) => {
                let name = if path.as_os_str() == "-" { "-".to_owned() } else { path.display().to_string() };
                let group = found.remove(&name).unwrap_or_default();
                if let Some((sha256, seen)) = sha.filter(|_| group.problems.is_empty()) {
                    let seen = seen.map(|seen| Seen { sha256: sha256.clone(), ..seen });
                    let articles = group
                        .articles
                        .iter()
                        .map(|a| CachedArticle {
                            id: a.id.clone(),
                            date: a.date,
                            origin: a.origin.clone(),
                            bytes: a.bytes,
                        })
                        .collect();
                    let events = group.events.iter().map(SerialEvent::from).collect();
                    cache.lines.remove(&name);
                    kept.insert(name, CachedFile { sha256, seen, articles, events });
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

    // A cache is a shortcut: written when it changed (an entry extracted, or one for a
    // file no longer read), not synced, errors ignored.
    if fresh_start || newly_seen || !to_extract.is_empty() || !cache.files.is_empty() {
        let bytes = cache.to_bytes(&kept);
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    let assembled =
        pipeline::assemble_with_events(inputs, gazetteer, settings, all.articles, all.events, all.problems)?;
    Ok((assembled, InputFiles { paths, known: records }))
}
