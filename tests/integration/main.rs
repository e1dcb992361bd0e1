//! eventmap's integration tests, built into one binary.
//!
//! - `gazetteer_data`: invariants of the bundled gazetteer (real data);
//! - `cli_gazetteer`: `eventmap gazetteer …` run as a process;
//! - `geoparse_corpus`: geoparser precision and recall on tests/corpus/geoparse;
//! - `build`: `eventmap build` as a process: incremental, crash-safe, locked, exit codes;
//! - `ledger_series`: the control ledger day by day on tests/fixtures/series;
//! - `ledger_inputs`: bad corrections, ACLED and baseline files: named, skipped or fatal;
//! - `gis_layers`: the GeoJSON layers in GDAL (and headless QGIS), the QGIS files as XML;
//! - `injection`: data never becomes code: formulas neutralised in CSV, markup escaped in SVG and QGIS XML, ids never name files.

mod util;

mod build;
mod cli_gazetteer;
mod events_corpus;
mod gazetteer_data;
mod geoparse_corpus;
mod gis_layers;
mod injection;
mod ledger_inputs;
mod ledger_series;
mod render_maps;
