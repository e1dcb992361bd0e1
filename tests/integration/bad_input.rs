//! Bad input never crashes eventmap: an empty file, random bytes, a 100 MB file, a
//! megabyte without a space, invalid UTF-8, a broken JSON Lines record, a pipe in an
//! input folder. Each run ends
//! with 0 (or 1 when an input was skipped), names the file (and line) in its message,
//! and still processes the good inputs beside the bad one. The inputs are made here, in
//! the test's temporary folder.

use crate::util::{assert_no_panic, Dir, Run};
use std::time::{Duration, Instant};

/// A good article to put beside each bad one: its place must still come out.
const GOOD: &str = "date 2021-08-10 Good\nThe Taliban captured Taloqan on Monday.\n";

/// Runs `eventmap <command> <inputs…>` in `dir` with a deadline: a run that hangs is a
/// failure, not a stuck test suite.
fn run_within(dir: &Dir, args: &[&str], deadline: Duration) -> Run {
    let mut child = dir
        .command()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("eventmap starts");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).map(|_| bytes)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("eventmap {args:?} did not finish within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run::from(std::process::Output {
        status,
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
    })
}

/// Places and events, each given the good article and the bad input: no panic, the
/// expected exit code, the good article's place in the output.
#[track_caller]
fn both_commands(dir: &Dir, bad: &str, code: i32) -> Vec<Run> {
    dir.write("good.txt", GOOD);
    let mut runs = Vec::new();
    for command in ["places", "events"] {
        let run = run_within(dir, &[command, "good.txt", bad], Duration::from_secs(120));
        assert_no_panic(&run);
        run.expect_code(code);
        assert!(run.stdout.contains("Taloqan"), "{command}: the good article is processed\n{}", run.stdout);
        runs.push(run);
    }
    runs
}

/// Deterministic bytes (xorshift), NULs and invalid UTF-8 included.
fn random_bytes(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn an_empty_file() {
    let dir = Dir::new();
    dir.write("empty.txt", "");
    for run in both_commands(&dir, "empty.txt", 0) {
        assert!(run.stderr.contains("empty.txt:1"), "{}", run.stderr);
    }
    // Empty JSON Lines and empty standard input are nothing to do, not an error.
    dir.write("empty.jsonl", "");
    both_commands(&dir, "empty.jsonl", 0);
    let run = dir.run_stdin(&["places", "-"], b"");
    assert_no_panic(&run);
    run.ok();
}

#[test]
fn a_binary_file() {
    let dir = Dir::new();
    let mut bytes = random_bytes(256 * 1024, 0x9E37_79B9_7F4A_7C15);
    bytes[1000..1010].fill(0);
    dir.write("blob.txt", &bytes);
    for run in both_commands(&dir, "blob.txt", 0) {
        assert!(run.stderr.contains("blob.txt") && run.stderr.contains("invalid UTF-8"), "{}", run.stderr);
    }
    // The same bytes as JSON Lines: every line is a bad record, named, and skipped.
    dir.write("blob.jsonl", &bytes);
    for run in both_commands(&dir, "blob.jsonl", 1) {
        assert!(run.stderr.contains("blob.jsonl:1:"), "{}", run.stderr);
    }
}

/// 100 MB of news prose as one article. It costs about 40 s of CPU in a debug build
/// (5 s in release; more wall time on a busy machine, hence the generous deadline).
/// Before the fix to `apply_list_cues` it took six minutes even in release: each list
/// of places scanned every later mention of the article.
#[test]
fn a_100_mb_file() {
    let dir = Dir::new();
    let paragraph = "Fighting continued near Kunduz and Taloqan on Monday, officials said, as families \
                     from Sheberghan, Aybak and Pul-e Khumri reached Kabul. In Kandahar and Helmand, the \
                     southern provinces, government forces held the provincial capitals. The Taliban \
                     captured two districts of Badakhshan province, residents said.\n\n";
    let copies = 100_000_000 / paragraph.len() + 1;
    let mut text = String::with_capacity(copies * paragraph.len() + 32);
    text.push_str("date 2021-08-10 A very long file\n");
    for _ in 0..copies {
        text.push_str(paragraph);
    }
    dir.write("huge.txt", &text);
    drop(text);
    dir.write("good.txt", GOOD);
    let started = Instant::now();
    let run = run_within(&dir, &["--quiet", "places", "huge.txt", "good.txt"], Duration::from_secs(600));
    eprintln!("places on 100 MB: {:.1} s", started.elapsed().as_secs_f64());
    assert_no_panic(&run);
    run.ok();
    // Every copy of the paragraph gives its nine places: nothing is lost or duplicated.
    let rows = run.stdout.lines().filter(|l| l.starts_with("huge,")).count();
    assert_eq!(rows, copies * 9);
    assert!(run.stdout.lines().last().unwrap().contains("Taloqan"), "the good file after it is processed");
}

/// A megabyte of letters with no space or punctuation: one word. Before the fix to
/// fuzzy lookup it made a million misspelling variants of a million letters each.
#[test]
fn a_megabyte_without_spaces() {
    let dir = Dir::new();
    let letters: String = random_bytes(1 << 20, 42).iter().map(|b| char::from(b'a' + b % 26)).collect();
    dir.write("capital.txt", format!("date 2021-08-10\nK{letters}\n"));
    dir.write("lower.txt", format!("date 2021-08-10\n{letters}\n"));
    dir.write("line.jsonl", format!("{{\"id\":\"long\",\"date\":\"2021-08-10\",\"text\":\"Q{letters}\"}}\n"));
    for bad in ["capital.txt", "lower.txt", "line.jsonl"] {
        let started = Instant::now();
        both_commands(&dir, bad, 0);
        assert!(started.elapsed() < Duration::from_secs(60), "{bad}: {:?}", started.elapsed());
    }
}

#[test]
fn invalid_utf8() {
    let dir = Dir::new();
    dir.write("latin1.txt", b"date 2021-08-10 Caf\xe9\nThe Taliban captured Kab\xffl.\nFighting in Kunduz.\n");
    for run in both_commands(&dir, "latin1.txt", 0) {
        // Line 1 of the file: the first bad byte is in the title.
        assert!(run.stderr.contains("latin1.txt:1: invalid UTF-8"), "{}", run.stderr);
        assert!(run.stdout.contains("Kunduz"), "the rest of the file is read\n{}", run.stdout);
    }
    // Offsets are into the body with each bad byte replaced by U+FFFD.
    let run = dir.run(&["places", "latin1.txt"]);
    let row = run.csv().into_iter().find(|r| r["text"] == "Kunduz").unwrap();
    let body = "The Taliban captured Kab\u{FFFD}l.\nFighting in Kunduz.\n";
    assert_eq!(&body[row["start"].parse().unwrap()..row["end"].parse().unwrap()], "Kunduz");
    // Inside a JSON Lines record.
    // The warning names the record's line, and nothing that reads like a column.
    dir.write(
        "feed.jsonl",
        b"{\"id\":\"w\",\"date\":\"2021-08-10\",\"text\":\"Ghazni\"}\n{\"id\":\"x\",\"date\":\"2021-08-10\",\"text\":\"Herat \xff Kunduz\"}\n",
    );
    let runs = both_commands(&dir, "feed.jsonl", 0);
    for run in &runs {
        assert!(run.stderr.contains("feed.jsonl:2: invalid UTF-8"), "{}", run.stderr);
    }
    assert!(runs[0].stdout.contains("Herat") && runs[0].stdout.contains("Kunduz"), "{}", runs[0].stdout);
}

#[test]
fn a_broken_json_lines_record_between_good_ones() {
    let dir = Dir::new();
    dir.write(
        "feed.jsonl",
        concat!(
            "{\"id\":\"one\",\"date\":\"2021-08-09\",\"text\":\"The Taliban captured Aybak.\"}\n",
            "{\"id\":\"two\",\"date\":\"2021-08-10\",\"text\":\"The Taliban capt\n",
            "{\"id\":\"three\",\"date\":\"2021-08-10\",\"text\":\"The Taliban captured Kunduz.\"}\n",
            "[1, 2, 3]\n",
            "{\"id\":\"five\",\"date\":\"2021-08-11\"}\n",
            "{\"id\":\"six\",\"date\":\"2021-08-11\",\"text\":\"The Taliban captured Farah.\"}\n",
        ),
    );
    for run in both_commands(&dir, "feed.jsonl", 1) {
        for line in [2, 4, 5] {
            assert!(run.stderr.contains(&format!("feed.jsonl:{line}:")), "line {line}\n{}", run.stderr);
        }
        assert!(run.stderr.contains("missing \"text\""), "{}", run.stderr);
        for place in ["Aybak", "Kunduz", "Farah"] {
            assert!(run.stdout.contains(place), "{place}\n{}", run.stdout);
        }
    }
}

/// A pipe (or a link to nothing) named like an article inside an input folder is
/// named and skipped: reading the pipe would wait for a writer forever.
#[cfg(unix)]
#[test]
fn a_pipe_and_a_dangling_link_in_a_folder() {
    let dir = Dir::new();
    dir.write("feed/good.txt", GOOD);
    let pipe = dir.path().join("feed/pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status().expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink(dir.path().join("feed/gone.txt"), dir.path().join("feed/link.txt")).unwrap();
    for command in ["places", "events"] {
        let run = run_within(&dir, &[command, "feed"], Duration::from_secs(60));
        assert_no_panic(&run);
        run.expect_code(1);
        assert!(run.stdout.contains("Taloqan"), "{command}: the good article is processed\n{}", run.stdout);
        assert!(run.stderr.contains("pipe.txt: not a regular file (a pipe, socket or device)"), "{}", run.stderr);
        assert!(run.stderr.contains("link.txt: cannot read"), "{}", run.stderr);
    }
}
