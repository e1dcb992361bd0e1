//! Fuzzes the ACLED export reader (`--acled`) on arbitrary bytes: never a panic;
//! every refused row names the file and a line; every event has a place.

#![no_main]

mod common;

use eventmap::ledger::inputs::read_acled;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch_file("acled.csv", data);
    match read_acled(&path, common::gazetteer()) {
        Ok(read) => {
            for error in &read.errors {
                assert_eq!(error.file, path.display().to_string());
                assert!(error.line >= 1, "row errors have a line: {error}");
            }
            for event in &read.items {
                assert!(event.place.is_some());
            }
        }
        Err(error) => assert_eq!(error.file, path.display().to_string()),
    }
});
