//! Fuzzes the JSON Lines reader on arbitrary bytes: never a panic, one item per
//! non-blank line at most, line numbers increasing, every error naming the file.

#![no_main]

use eventmap::ingest::{parse_json_lines, IngestError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|b| *b == b'\n').count();
    let mut last = 0;
    let mut items = 0;
    for item in parse_json_lines("fuzz.jsonl", data.to_vec()) {
        items += 1;
        let line = match &item {
            Ok(article) => article.origin.line.expect("a JSON Lines article has a line"),
            Err(IngestError::BadDate { line, .. } | IngestError::BadRecord { line, .. }) => *line,
            Err(other) => panic!("unexpected error from memory: {other}"),
        };
        assert!(line > last, "line numbers increase: {line} after {last}");
        assert!(line <= lines, "line {line} of {lines}");
        last = line;
        if let Err(error) = &item {
            assert!(error.to_string().starts_with("fuzz.jsonl:"), "{error}");
        }
    }
    assert!(items <= lines);
});
