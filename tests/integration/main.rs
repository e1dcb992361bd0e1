//! eventmap's integration tests, built into one binary.
//!
//! - `gazetteer_data`: invariants of the bundled gazetteer (real data);
//! - `cli_gazetteer`: `eventmap gazetteer …` run as a process;
//! - `geoparse_corpus`: geoparser precision and recall on tests/corpus/geoparse.

mod util;

mod cli_gazetteer;
mod events_corpus;
mod gazetteer_data;
mod geoparse_corpus;
mod render_maps;
