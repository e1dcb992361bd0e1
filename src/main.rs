//! The eventmap command line.
fn main() {}
