//! Fuzzes the editor's events CSV reader (`--events`) on arbitrary bytes: never a
//! panic; every refused row names the file and a line.

#![no_main]

mod common;

use eventmap::ledger::inputs::read_corrections;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch_file("events.csv", data);
    match read_corrections(&path, common::gazetteer(), 5.0) {
        Ok(read) => {
            for error in &read.errors {
                assert_eq!(error.file, path.display().to_string());
                assert!(error.line >= 1, "row errors have a line: {error}");
            }
            for c in &read.items {
                assert!(!c.event.id.is_empty());
                assert!((0.0..=1.0).contains(&c.event.confidence));
            }
        }
        Err(error) => assert_eq!(error.file, path.display().to_string()),
    }
});
