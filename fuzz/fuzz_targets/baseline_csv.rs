//! Fuzzes the baseline CSV reader (`--baseline FILE`) on arbitrary bytes: never a
//! panic; one baseline at most; every refused row names the file and a line.

#![no_main]

mod common;

use eventmap::ledger::inputs::read_baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::scratch_file("baseline.csv", data);
    let value = path.display().to_string();
    match read_baseline(&value, common::gazetteer()) {
        Ok(read) => {
            assert!(read.items.len() <= 1);
            for error in &read.errors {
                assert_eq!(error.file, value);
                assert!(error.line >= 1, "row errors have a line: {error}");
            }
        }
        Err(error) => assert_eq!(error.file, value),
    }
});
