//! The eventmap command line: parses arguments, runs one pipeline stage or the daily
//! build, and reports errors once. Exit codes: 0 success, 1 finished but some input
//! was skipped (each named on stderr), 2 fatal or usage error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
