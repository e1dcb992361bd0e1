//! eventmap: news reports about the conflict in Afghanistan, turned into maps.
//!
//! The pipeline, one module a stage, each a function from typed input to typed
//! output; files are read and written only at the ends (`ingest`, `render`):
//!
//! - [`ingest`]: dated articles from text files, JSON Lines, folders, stdin;
//! - [`gazetteer`]: every place eventmap knows, and lookup by name;
//! - [`extract`]: events (control, contested, displacement) with their evidence;
//! - [`geoparse`]: the places an article names, resolved ([`text`] splits words and sentences);
//! - [`ledger`]: control of each place over time;
//! - [`render`]: GeoJSON layers, QGIS styles, PNG and SVG maps;
//! - [`output`]: atomic file writes and spreadsheet-safe CSV cells.

pub mod build;
pub mod extract;
pub mod gazetteer;
pub mod geoparse;
pub mod ingest;
pub mod ledger;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod text;
