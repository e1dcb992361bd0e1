//! `eventmap build` run as a process on small series: incremental rebuilds, crash safety
//! (killed with SIGKILL before every step of its write protocol and at increasing delays
//! while it stages), the lock, exit codes, hostile article ids, determinism, and the
//! `--animate`, `--log-format json` and `--quiet` options.
//!
//! The series are copied from `examples/2021-offensive/` at test time, plus a few small
//! articles written here. Most runs use `--format geojson` or a small control SVG so the
//! debug binary stays quick; one test renders every format at a small width.

use crate::util::{repo, Dir, Run};
use eventmap::build::Manifest;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Fighting in Qala-i-Naw on 6 August: one contested event, at a place no example
/// article of 4–7 August names.
const QALA_I_NAW: &str = "date 2021-08-06 Fighting in Qala-i-Naw\n\nTaliban fighters attacked Qala-i-Naw, \
the capital of Badghis province, on Friday. Heavy fighting was reported around the city.\n";

/// Clashes in Kunduz on 5 August: one contested event.
const KUNDUZ: &str = "date 2021-08-05 Kunduz clashes\n\nClashes broke out in Kunduz city on Thursday as \
Taliban fighters attacked government positions.\n";

/// Copies the example articles whose file names start with one of `days` (`"2021-08-04"`…)
/// into `dir/articles/`.
fn examples(dir: &Dir, days: &[&str]) {
    let source = repo().join("examples/2021-offensive");
    let mut copied = 0;
    for entry in std::fs::read_dir(&source).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".txt") && days.iter().any(|d| name.starts_with(d)) {
            dir.write(&format!("articles/{name}"), std::fs::read(source.join(&name)).unwrap());
            copied += 1;
        }
    }
    assert!(copied > 0, "no example articles for {days:?}");
}

/// `build articles --out out --baseline government` and `extra`.
fn build_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["build", "articles", "--out", "out", "--baseline", "government"];
    args.extend_from_slice(extra);
    args
}

const GEOJSON: [&str; 2] = ["--format", "geojson"];
/// The smallest set of files a day can have: a control map as SVG and the events CSV.
const SMALL: [&str; 6] = ["--format", "svg", "--map", "control", "--width", "300"];

/// Every file under `root` but `.eventmap/`, by path relative to `root` with `/`.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    walk(root, root, &mut |relative, path| {
        files.insert(relative.to_owned(), std::fs::read(path).unwrap());
    });
    files
}

/// Each file's inode and modification time: a file replaced by a rename gets a new inode,
/// one rewritten in place a new time.
fn stamps(root: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    let mut files = BTreeMap::new();
    walk(root, root, &mut |relative, path| {
        let m = std::fs::metadata(path).unwrap();
        files.insert(relative.to_owned(), (m.ino(), m.mtime(), m.mtime_nsec()));
    });
    files
}

fn walk(root: &Path, dir: &Path, visit: &mut dyn FnMut(&str, &Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        let relative = path.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
        if relative == ".eventmap" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, visit);
        } else {
            visit(&relative, &path);
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn manifest(out: &Path) -> Manifest {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    eventmap::build::sha256(bytes)
}

/// Paths whose stamps differ between two snapshots (or that appear in only one).
fn touched(before: &BTreeMap<String, (u64, i64, i64)>, after: &BTreeMap<String, (u64, i64, i64)>) -> BTreeSet<String> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter().filter(|k| before.get(*k) != after.get(*k)).cloned().collect()
}

/// The JSON day lines of a `--log-format json` run: date → status.
fn day_statuses(run: &Run) -> BTreeMap<String, String> {
    run.stderr
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .filter(|v| v.get("date").is_some())
        .map(|v| (v["date"].as_str().unwrap().to_owned(), v["status"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn second_run_with_the_same_inputs_writes_nothing() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05", "2021-08-06"]);
    dir.run(&build_args(&GEOJSON)).ok();
    let out = dir.join("out");
    let (files, times, manifest_bytes) = (tree(&out), stamps(&out), std::fs::read(out.join("manifest.json")).unwrap());
    assert!(files.contains_key("2021-08-06/provinces.geojson") && files.contains_key("latest/events.csv"));
    // Outputs are ordinary files: as readable as the umask allows, not private temporaries.
    let plain = dir.write("plain.txt", "x");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for path in ["manifest.json", "2021-08-06/provinces.geojson", "latest/events.csv"] {
        assert_eq!(mode(&out.join(path)), mode(&plain), "{path}");
    }

    let run = dir.run(&build_args(&GEOJSON));
    run.ok();
    assert!(run.stderr.contains("up to date, nothing written"), "{}", run.stderr);
    assert_eq!(tree(&out), files);
    assert_eq!(stamps(&out), times, "no file is rewritten");
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest_bytes);

    // The caches in .eventmap/ are shortcuts: damaged or gone, the run is the same.
    std::fs::write(out.join(".eventmap/extracted.json"), "{\"key\":").unwrap();
    std::fs::write(out.join(".eventmap/hashes.json"), "[]").unwrap();
    assert!(dir.run(&build_args(&GEOJSON)).ok().stderr.contains("up to date, nothing written"));
    std::fs::remove_file(out.join(".eventmap/extracted.json")).unwrap();
    assert!(dir.run(&build_args(&GEOJSON)).ok().stderr.contains("up to date, nothing written"));
    assert_eq!(stamps(&out), times, "no file is rewritten");
}

#[test]
fn a_new_article_rebuilds_its_day_and_later_ones_only() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05", "2021-08-06", "2021-08-07"]);
    dir.run(&build_args(&GEOJSON)).ok();
    let out = dir.join("out");
    let before = stamps(&out);
    let manifest_before = manifest(&out);

    dir.write("articles/zz-qala-i-naw.txt", QALA_I_NAW);
    let run = dir.run(&build_args(&[GEOJSON.as_slice(), &["--log-format", "json"]].concat()));
    run.ok();
    let statuses = day_statuses(&run);
    let expected: BTreeMap<String, String> =
        [("2021-08-04", "unchanged"), ("2021-08-05", "unchanged"), ("2021-08-06", "built"), ("2021-08-07", "built")]
            .iter()
            .map(|(d, s)| (d.to_string(), s.to_string()))
            .collect();
    assert_eq!(statuses, expected, "{}", run.stderr);

    let rewritten = touched(&before, &stamps(&out));
    assert!(!rewritten.iter().any(|p| p.starts_with("2021-08-04/") || p.starts_with("2021-08-05/")), "{rewritten:?}");
    assert!(rewritten.contains("2021-08-06/events.geojson") && rewritten.contains("2021-08-07/events.geojson"));
    assert!(rewritten.contains("events.csv") && rewritten.contains("manifest.json"), "{rewritten:?}");
    // The manifest's changes are exactly the files rewritten.
    let old: BTreeMap<String, String> = manifest_before.outputs.into_iter().map(|f| (f.path, f.sha256)).collect();
    let new: BTreeMap<String, String> = manifest(&out).outputs.into_iter().map(|f| (f.path, f.sha256)).collect();
    let changed: BTreeSet<String> =
        new.iter().filter(|(p, s)| old.get(*p) != Some(s)).map(|(p, _)| p.clone()).collect();
    let mut rewritten_outputs = rewritten.clone();
    rewritten_outputs.remove("manifest.json");
    assert_eq!(changed, rewritten_outputs);
    assert_eq!(tree(&out), clean_build(&dir, &GEOJSON), "incremental and clean builds agree");

    // A report of a later day lengthens the series: the days before it stay as they are
    // (a day folder's QGIS project covers that day, not the series' period).
    let before = stamps(&out);
    dir.write("articles/zz-monday.txt", QALA_I_NAW.replace("2021-08-06", "2021-08-09").replace("Friday", "Monday"));
    let run = dir.run(&build_args(&[GEOJSON.as_slice(), &["--log-format", "json"]].concat()));
    let statuses = day_statuses(run.ok());
    assert_eq!(statuses.len(), 6, "{}", run.stderr);
    assert!(statuses.iter().all(|(day, status)| (status == "built") == (day.as_str() >= "2021-08-08")), "{statuses:?}");
    let rewritten = touched(&before, &stamps(&out));
    assert!(!rewritten.iter().any(|p| p.as_str() < "2021-08-08"), "{rewritten:?}");
    assert!(rewritten.contains("timeline.geojson") && rewritten.contains("eventmap.qgs"), "{rewritten:?}");
    assert_eq!(tree(&out), clean_build(&dir, &GEOJSON), "incremental and clean builds agree");
}

/// The files of a clean build of `dir/articles` in a fresh folder, with the same relative paths.
fn clean_build(dir: &Dir, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let clean = Dir::new();
    copy_tree(&dir.join("articles"), &clean.join("articles"));
    clean.run(&build_args(extra)).ok();
    tree(&clean.join("out"))
}

#[test]
fn a_changed_article_rebuilds_and_force_rebuilds_every_day() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05", "2021-08-06"]);
    dir.write("articles/kunduz.txt", KUNDUZ);
    dir.run(&build_args(&GEOJSON)).ok();
    let out = dir.join("out");
    let before = stamps(&out);

    // The clashes move from Kunduz to Herat.
    dir.write("articles/kunduz.txt", KUNDUZ.replace("Kunduz", "Herat"));
    let run = dir.run(&build_args(&[GEOJSON.as_slice(), &["--log-format", "json"]].concat()));
    run.ok();
    let statuses = day_statuses(&run);
    assert_eq!(statuses["2021-08-04"], "unchanged");
    assert_eq!(statuses["2021-08-05"], "built");
    let rewritten = touched(&before, &stamps(&out));
    assert!(rewritten.contains("2021-08-05/events.csv"), "{rewritten:?}");
    assert!(String::from_utf8_lossy(&std::fs::read(out.join("2021-08-05/events.csv")).unwrap()).contains("Herat"));
    assert!(manifest(&out)
        .inputs
        .iter()
        .any(|f| f.path.ends_with("kunduz.txt") && f.sha256 == sha256(KUNDUZ.replace("Kunduz", "Herat").as_bytes())));

    // --force renders every day again; the bytes are the same, so nothing is replaced.
    let files = tree(&out);
    let run = dir.run(&build_args(&[GEOJSON.as_slice(), &["--force", "--log-format", "json"]].concat()));
    run.ok();
    assert!(day_statuses(&run).values().all(|s| s == "built"), "{}", run.stderr);
    assert_eq!(tree(&out), files);

    // Ledger settings are not options of the files but change what they show.
    let mut args = vec!["build", "articles", "--out", "out", "--baseline", "taliban", "--log-format", "json"];
    args.extend(GEOJSON);
    let run = dir.run(&args);
    assert!(day_statuses(run.ok()).values().all(|s| s == "built"), "{}", run.stderr);
}

#[test]
fn a_deleted_or_altered_output_is_restored() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    dir.run(&build_args(&GEOJSON)).ok();
    let out = dir.join("out");
    let files = tree(&out);
    let qgis = files.keys().find(|p| p.starts_with("2021-08-04/") && p.ends_with(".qgs")).cloned().unwrap();
    // One file at a time, of each kind: a day's layer, its QGIS project, latest/, the series.
    let damage: [(&str, Option<&str>); 5] = [
        ("2021-08-04/provinces.geojson", None),
        (&qgis, None),
        ("latest/events.geojson", None),
        ("timeline.geojson", None),
        ("2021-08-05/places.geojson", Some("{}")),
    ];
    for (path, contents) in damage {
        match contents {
            None => std::fs::remove_file(out.join(path)).unwrap(),
            Some(contents) => std::fs::write(out.join(path), contents).unwrap(),
        }
        let before = stamps(&out);
        let run = dir.run(&build_args(&GEOJSON));
        run.ok();
        assert_eq!(tree(&out), files, "{path} is back:\n{}", run.stderr);
        let rewritten = touched(&before, &stamps(&out));
        assert!(rewritten.contains(path), "{path} restored: {rewritten:?}");
        assert!(!rewritten.contains("events.csv"), "intact files are left alone: {rewritten:?}");
    }
    // A whole day folder removed comes back too.
    std::fs::remove_dir_all(out.join("2021-08-05")).unwrap();
    dir.run(&build_args(&GEOJSON)).ok();
    assert_eq!(tree(&out), files);

    // An edit in place that keeps the size is seen by its new time, even once the build
    // trusts its cache of hashes (files more than two seconds old)...
    std::thread::sleep(Duration::from_millis(2100));
    dir.run(&build_args(&GEOJSON)).ok();
    let path = out.join("2021-08-04/events.geojson");
    let edit = |bytes: &[u8]| {
        let mut edited = bytes.to_vec();
        edited[0] = b' ';
        edited
    };
    let original = std::fs::read(&path).unwrap();
    std::fs::write(&path, edit(&original)).unwrap();
    dir.run(&build_args(&GEOJSON)).ok();
    assert_eq!(std::fs::read(&path).unwrap(), original);
    // ...but one that also puts the time back is only seen by --force, which reads every file.
    std::thread::sleep(Duration::from_millis(2100));
    dir.run(&build_args(&GEOJSON)).ok();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(0).unwrap();
    std::io::Write::write_all(&mut &file, &edit(&original)).unwrap();
    file.set_modified(modified).unwrap();
    drop(file);
    assert!(dir.run(&build_args(&GEOJSON)).ok().stderr.contains("up to date"));
    assert_ne!(std::fs::read(&path).unwrap(), original);
    dir.run(&build_args(&[GEOJSON.as_slice(), &["--force"]].concat())).ok();
    assert_eq!(std::fs::read(&path).unwrap(), original);
}

#[test]
fn a_shorter_period_leaves_the_other_days_alone_and_the_manifest_matches_the_disk() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05", "2021-08-06"]);
    dir.run(&build_args(&GEOJSON)).ok();
    let out = dir.join("out");
    let files = tree(&out);
    let before = stamps(&out);

    let period = ["--from", "2021-08-05", "--to", "2021-08-05"];
    let run = dir.run(&build_args(&[GEOJSON.as_slice(), &period].concat()));
    run.ok();
    let rewritten = touched(&before, &stamps(&out));
    assert!(!rewritten.iter().any(|p| p.starts_with("2021-08-04/") || p.starts_with("2021-08-06/")), "{rewritten:?}");
    assert!(rewritten.contains("latest/places.geojson"), "latest/ is now 5 August: {rewritten:?}");
    assert_manifest_matches_disk(&out);
    let m = manifest(&out);
    let dates: Vec<String> = m.days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(dates, ["2021-08-04", "2021-08-05", "2021-08-06"], "day records are kept");

    // A file of a day outside the period deleted: it leaves the manifest, and comes back
    // with the next run that covers its day.
    std::fs::remove_file(out.join("2021-08-06/flows.geojson")).unwrap();
    dir.run(&build_args(&[GEOJSON.as_slice(), &period].concat())).ok();
    assert_manifest_matches_disk(&out);
    assert!(!manifest(&out).outputs.iter().any(|f| f.path == "2021-08-06/flows.geojson"));
    dir.run(&build_args(&GEOJSON)).ok();
    assert_manifest_matches_disk(&out);
    assert_eq!(tree(&out), files, "the whole period again gives the first build's files");
}

/// Every file the manifest lists is on disk with the listed hash and size, and every
/// output on disk is listed.
#[track_caller]
fn assert_manifest_matches_disk(out: &Path) {
    let files = tree(out);
    let m = manifest(out);
    assert!(m.commit.is_empty());
    for record in &m.outputs {
        let bytes = files.get(&record.path).unwrap_or_else(|| panic!("{} is listed but missing", record.path));
        assert_eq!((sha256(bytes), bytes.len() as u64), (record.sha256.clone(), record.bytes), "{}", record.path);
    }
    let listed: BTreeSet<&str> = m.outputs.iter().map(|f| f.path.as_str()).collect();
    for path in files.keys().filter(|p| *p != "manifest.json") {
        assert!(listed.contains(path.as_str()), "{path} is on disk but not listed");
    }
}

/// `eventmap build` started paused before step `n` of its write protocol
/// (`EVENTMAP_TEST_PAUSE`): the paused process and what it printed, or the finished run
/// when the build has fewer steps.
enum Started {
    Paused(Child, String),
    Finished(Run),
}

// The paused child is handed back; its callers kill or resume it and wait.
#[allow(clippy::zombie_processes)]
fn start_paused(dir: &Dir, args: &[&str], n: usize) -> Started {
    let mut child = dir
        .command()
        .args(args)
        .env("EVENTMAP_TEST_PAUSE", n.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("eventmap starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            return Started::Finished(Run {
                code: status.code().unwrap_or(-1),
                stdout: String::new(),
                stderr: printed,
            });
        }
        printed.push_str(&line);
        if line.contains("test pause at step") {
            // Keep draining stderr so the build never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
            return Started::Paused(child, printed);
        }
    }
}

/// After a kill: every output is its old or its new version, nothing else is in OUT, and
/// the manifest is the old one or the new one, whose files are in place or staged.
fn assert_old_or_new(out: &Path, v1: &BTreeMap<String, Vec<u8>>, v2: &BTreeMap<String, Vec<u8>>, when: &str) {
    let files = tree(out);
    for (path, bytes) in files.iter().filter(|(p, _)| *p != "manifest.json") {
        assert!(
            v1.get(path) == Some(bytes) || v2.get(path) == Some(bytes),
            "{when}: {path} is neither the old nor the new version ({} bytes)",
            bytes.len()
        );
    }
    for path in v1.keys() {
        assert!(files.contains_key(path), "{when}: {path} disappeared");
    }
    let mut manifest = manifest(out);
    let staged = out.join(".eventmap/staging");
    for record in &manifest.outputs {
        if files.get(&record.path).map(|b| sha256(b)).as_ref() == Some(&record.sha256) {
            continue;
        }
        assert!(manifest.commit.contains(&record.path), "{when}: {} differs from the manifest", record.path);
        let bytes = std::fs::read(staged.join(&record.path))
            .unwrap_or_else(|e| panic!("{when}: {} is to be moved but not staged: {e}", record.path));
        assert_eq!(sha256(&bytes), record.sha256, "{when}: staged {}", record.path);
    }
    let listed: BTreeSet<&str> = manifest.outputs.iter().map(|f| f.path.as_str()).collect();
    for path in files.keys().filter(|p| *p != "manifest.json") {
        assert!(listed.contains(path.as_str()), "{when}: {path} is not in the manifest");
    }
    manifest.commit.clear();
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    let (old, new) = (&v1["manifest.json"], &v2["manifest.json"]);
    assert!(
        old.strip_suffix(b"\n") == Some(&bytes) || new.strip_suffix(b"\n") == Some(&bytes),
        "{when}: the manifest is neither the old nor the new one"
    );
}

/// The crash test's series: v1 is 4–5 August, v2 adds an article on 5 August (changing
/// that day) and the articles of 6 August (a new day).
struct Versions {
    dir: Dir,
    /// OUT after a clean build of v1, kept to start every attempt from.
    v1_out: PathBuf,
    v1: BTreeMap<String, Vec<u8>>,
    v2: BTreeMap<String, Vec<u8>>,
}

fn versions() -> Versions {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    dir.run(&build_args(&SMALL)).ok();
    let v1_out = dir.join("v1-out");
    std::fs::rename(dir.join("out"), &v1_out).unwrap();
    let v1 = tree(&v1_out);
    dir.write("articles/kunduz.txt", KUNDUZ);
    examples(&dir, &["2021-08-06"]);
    let v2 = clean_build(&dir, &SMALL);
    for (path, bytes) in &v1 {
        if path != "2021-08-04/control.svg" && path != "2021-08-04/events.csv" {
            assert_ne!(v2.get(path), Some(bytes), "{path} should change from v1 to v2");
        }
    }
    Versions { dir, v1_out, v1, v2 }
}

impl Versions {
    fn reset(&self) -> PathBuf {
        let out = self.dir.join("out");
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        copy_tree(&self.v1_out, &out);
        out
    }

    /// Runs the build to the end and checks it produced v2 and left nothing behind.
    fn assert_repaired(&self, when: &str) -> Run {
        let run = self.dir.run(&build_args(&SMALL));
        assert_eq!(run.code, 0, "{when}: the next run fails:\n{}", run.stderr);
        let out = self.dir.join("out");
        let files = tree(&out);
        assert_eq!(files.keys().collect::<Vec<_>>(), self.v2.keys().collect::<Vec<_>>(), "{when}");
        assert!(files == self.v2, "{when}: the next run does not give the new version");
        let leftovers: Vec<String> = std::fs::read_dir(out.join(".eventmap"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !["lock", "hashes.json", "extracted.json"].contains(&n.as_str()))
            .collect();
        assert!(leftovers.is_empty(), "{when}: left in .eventmap: {leftovers:?}");
        run
    }
}

#[test]
fn killed_before_any_step_the_outputs_are_old_or_new_and_the_next_run_repairs() {
    let v = versions();
    let mut steps = Vec::new();
    for n in 1.. {
        let out = v.reset();
        match start_paused(&v.dir, &build_args(&SMALL), n) {
            Started::Finished(run) => {
                run.ok();
                assert_eq!(tree(&out), v.v2, "an uninterrupted run gives v2");
                break;
            }
            Started::Paused(mut child, printed) => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                let what = printed.lines().last().unwrap().to_owned();
                assert_old_or_new(&out, &v.v1, &v.v2, &what);
                let run = v.assert_repaired(&what);
                // Killed while moving files into place, the next run finishes the moves first.
                assert_eq!(
                    run.stderr.contains("interrupted build"),
                    what.contains(": move "),
                    "{what}:\n{}",
                    run.stderr
                );
                steps.push(what);
            }
        }
    }
    // Every kind of step was reached.
    for kind in
        ["stage ", "commit the manifest", "rename the manifest", "move ", "finish the manifest", "remove the staging"]
    {
        assert!(steps.iter().any(|s| s.contains(kind)), "no {kind:?} step in {steps:#?}");
    }
}

/// Starts the build from v1 towards v2 and waits for its first staged file; returns the
/// process and when that was.
fn start_staging(v: &Versions) -> (Child, Instant) {
    let out = v.reset();
    let mut child = v
        .dir
        .command()
        .args(build_args(&SMALL))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("eventmap starts");
    let staging = out.join(".eventmap/staging");
    let started = Instant::now();
    while !staging.exists() && child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_micros(100));
    }
    (child, Instant::now())
}

#[test]
fn killed_at_increasing_delays_the_outputs_are_old_or_new() {
    let v = versions();
    // How long the build runs once it has begun staging, on this machine, now.
    let (mut child, staging) = start_staging(&v);
    child.wait().unwrap();
    let span = staging.elapsed();
    let mut phases = BTreeMap::new();
    for attempt in 0..=12u32 {
        let (mut child, staging) = start_staging(&v);
        let delay = span * attempt / 12;
        std::thread::sleep(delay.saturating_sub(staging.elapsed()));
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let out = v.dir.join("out");
        let when = format!("killed {delay:?} after staging began (of {span:?})");
        assert_old_or_new(&out, &v.v1, &v.v2, &when);
        let phase = if !manifest(&out).commit.is_empty() {
            "moving files into place"
        } else if std::fs::read(out.join("manifest.json")).unwrap() == v.v1["manifest.json"] {
            "staging"
        } else {
            "committed"
        };
        *phases.entry(phase).or_insert(0) += 1;
        v.assert_repaired(&when);
    }
    eprintln!("build::killed_at_increasing_delays: kills by phase {phases:?}");
}

#[test]
fn a_second_build_on_the_same_folder_fails_at_once_and_the_first_completes() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    let Started::Paused(mut first, _) = start_paused(&dir, &build_args(&SMALL), 1) else {
        panic!("the first build pauses")
    };
    // The second one reads its articles from a standard input that never ends: it must
    // give up on the lock before reading anything.
    let mut second = dir
        .command()
        .args(["build", "-", "--out", "out"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = second.kill();
            let _ = first.kill();
            panic!("the second build waited instead of failing");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    second.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("lock held") && stderr.contains("out"), "{stderr}");

    drop(first.stdin.take()); // let the first one go on
    assert!(first.wait().unwrap().success());
    let files = tree(&dir.join("out"));
    assert_eq!(files, clean_build(&dir, &SMALL), "nothing is corrupted");
    let run = dir.run(&build_args(&SMALL));
    assert!(run.ok().stderr.contains("up to date"), "{}", run.stderr);
}

#[test]
fn two_builds_started_together_one_runs_the_other_waits_its_turn_or_fails() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    let start = || dir.command().args(build_args(&SMALL)).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (start(), start());
    let runs: Vec<Run> = [a, b].into_iter().map(|c| Run::from(c.wait_with_output().unwrap())).collect();
    for run in &runs {
        assert!(run.code == 0 || (run.code == 2 && run.stderr.contains("lock held")), "{}", run.stderr);
    }
    assert!(runs.iter().any(|r| r.code == 0));
    assert_eq!(tree(&dir.join("out")), clean_build(&dir, &SMALL));
}

#[test]
fn exit_codes() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04"]);
    // A bad date beside good articles: 1, the file and line named, the rest built.
    dir.write("articles/bad.txt", "date 2021-02-30 Not a day\n\nKabul.\n");
    dir.write(
        "articles/feed.jsonl",
        "{\"id\":\"ok\",\"date\":\"2021-08-04\",\"text\":\"Kabul.\"}\n{\"id\":\"x\",\"date\":\"04/08/2021\",\"text\":\"Herat.\"}\n",
    );
    let run = dir.run(&build_args(&GEOJSON));
    run.expect_code(1);
    assert!(run.stderr.contains("bad.txt:1: bad date \"2021-02-30\""), "{}", run.stderr);
    assert!(run.stderr.contains("feed.jsonl:2: bad date \"04/08/2021\""), "{}", run.stderr);
    assert!(dir.join("out/2021-08-04/provinces.geojson").is_file());
    // Again: the problems are reported on every run, not hidden by the extraction cache.
    let again = dir.run(&build_args(&GEOJSON));
    again.expect_code(1);
    assert!(again.stderr.contains("bad.txt:1: bad date") && again.stderr.contains("feed.jsonl:2"), "{}", again.stderr);

    std::fs::remove_file(dir.join("articles/bad.txt")).unwrap();
    std::fs::remove_file(dir.join("articles/feed.jsonl")).unwrap();
    dir.run(&build_args(&GEOJSON)).expect_code(0);

    // Fatal and usage errors: 2, and nothing is written.
    let before = tree(&dir.join("out"));
    let bad_from = dir.run(&build_args(&[GEOJSON.as_slice(), &["--from", "2021-13-01"]].concat()));
    bad_from.expect_code(2);
    assert!(bad_from.stderr.contains("2021-13-01"), "{}", bad_from.stderr);
    let reversed =
        dir.run(&build_args(&[GEOJSON.as_slice(), &["--from", "2021-08-05", "--to", "2021-08-04"]].concat()));
    reversed.expect_code(2);
    assert!(reversed.stderr.contains("after --to"), "{}", reversed.stderr);
    let missing = dir.run(&build_args(&[GEOJSON.as_slice(), &["--events", "missing.csv"]].concat()));
    missing.expect_code(2);
    assert!(missing.stderr.contains("missing.csv"), "{}", missing.stderr);
    std::fs::create_dir(dir.join("folder.csv")).unwrap();
    let folder = dir.run(&build_args(&[GEOJSON.as_slice(), &["--events", "folder.csv"]].concat()));
    folder.expect_code(2);
    assert!(folder.stderr.contains("folder.csv"), "{}", folder.stderr);
    assert_eq!(tree(&dir.join("out")), before);
}

#[test]
fn hostile_article_ids_write_nothing_outside_out() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04"]);
    let text = "Taliban fighters attacked Qala-i-Naw, the capital of Badghis province, on Wednesday.";
    let mut jsonl = String::new();
    for id in ["../../evil", "CON", "a/b", "/etc/evil", "..", "nul.txt", "x\\..\\y"] {
        jsonl.push_str(&serde_json::json!({"id": id, "date": "2021-08-04", "text": text}).to_string());
        jsonl.push('\n');
    }
    dir.write("articles/feed.jsonl", jsonl);
    dir.write("articles/CON.txt", format!("date 2021-08-04 CON\n\n{text}\n"));
    let run = dir.run(&["build", "articles", "--out", "a/b/out", "--baseline", "government", "--format", "geojson"]);
    run.ok();
    assert!(run.stderr.contains("1 of 1 days built"), "{}", run.stderr);
    let names = |p: &Path| -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(p).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    };
    assert_eq!(names(dir.path()), ["a", "articles"]);
    assert_eq!(names(&dir.join("a")), ["b"]);
    assert_eq!(names(&dir.join("a/b")), ["out"]);
    assert!(!Path::new("/etc/evil").exists());
    let out = tree(&dir.join("a/b/out"));
    for path in out.keys() {
        assert!(!path.contains("evil") && !path.contains("CON"), "an article id became a path: {path}");
    }
    // The articles were read: their events are in the day's CSV, ids as given.
    let events = String::from_utf8_lossy(&out["2021-08-04/events.csv"]).into_owned();
    for id in ["../../evil-001", "CON-001", "a/b-001", "/etc/evil-001", "..-001"] {
        assert!(events.contains(id), "{id} in\n{events}");
    }
}

#[test]
fn same_inputs_same_bytes_with_any_number_of_threads() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    let all = ["--format", "png,svg,geojson", "--width", "300"];
    let one = Dir::new();
    copy_tree(&dir.join("articles"), &one.join("articles"));
    one.run(&[&["--jobs", "1"], build_args(&all).as_slice()].concat()).ok();
    dir.run(&[&["--jobs", "2"], build_args(&all).as_slice()].concat()).ok();
    let (a, b) = (tree(&one.join("out")), tree(&dir.join("out")));
    assert!(a.contains_key("2021-08-05/control.png") && a.contains_key("2021-08-05/displacement.svg"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs between --jobs 1 and --jobs 2");
    }
    let again = clean_build(&dir, &all);
    for (path, bytes) in &a {
        assert!(again[path] == *bytes, "{path} differs between two clean builds");
    }
}

#[test]
fn animate_writes_a_gif_with_a_frame_a_day() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    dir.run(&build_args(&[GEOJSON.as_slice(), &["--animate"]].concat())).ok();
    let bytes = std::fs::read(dir.join("out/timeline.gif")).unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(bytes.as_slice()).unwrap();
    assert_eq!(decoder.width(), 800);
    let mut frames = 0;
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!(frame.delay, 100);
        frames += 1;
    }
    assert_eq!(frames, 2);
    assert!(manifest(&dir.join("out")).outputs.iter().any(|f| f.path == "timeline.gif" && f.sha256 == sha256(&bytes)));
}

#[test]
fn json_log_is_one_object_a_day_and_quiet_prints_nothing() {
    let dir = Dir::new();
    examples(&dir, &["2021-08-04", "2021-08-05"]);
    let run = dir.run(&build_args(&[GEOJSON.as_slice(), &["--log-format", "json"]].concat()));
    run.ok();
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    let days: Vec<&serde_json::Value> = lines.iter().filter(|v| v.get("date").is_some()).collect();
    assert_eq!(days.len(), 2, "{}", run.stderr);
    assert_eq!(days[0]["date"], "2021-08-04");
    assert_eq!(days[0]["status"], "built");
    assert!(days[0]["events"].as_u64().unwrap() > 0 && days[0]["files_written"].as_u64().unwrap() > 0);
    assert!(run.stdout.is_empty());

    std::fs::remove_dir_all(dir.join("out")).unwrap();
    let quiet = dir.run(&[&["--quiet"], build_args(&GEOJSON).as_slice()].concat());
    quiet.ok();
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("", ""));
    assert!(dir.join("out/latest/provinces.geojson").is_file());
    let again = dir.run(&build_args(&[GEOJSON.as_slice(), &["-q"]].concat()));
    assert_eq!(again.ok().stderr, "");
}
