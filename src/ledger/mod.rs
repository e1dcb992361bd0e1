//! Control of each place over time, built from events and an editor's corrections.

mod status;

pub use status::Status;
