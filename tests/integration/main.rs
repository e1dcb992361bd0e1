//! eventmap's integration tests, built into one binary.
//!
//! - `gazetteer_data`: invariants of the bundled gazetteer (real data);
//! - `cli_gazetteer`: `eventmap gazetteer …` run as a process;
//! - `geoparse_corpus`, `events_corpus`: precision and recall of places and events on the
//!   development, holdout and blind corpora (tests/corpus);
//! - `build`: `eventmap build` as a process: incremental, crash-safe, locked, exit codes;
//! - `ledger_series`: the control ledger day by day on tests/fixtures/series;
//! - `ledger_inputs`: bad corrections, ACLED and baseline files: named, skipped or fatal;
//! - `example_series`: the bundled example built day by day against the public timeline it encodes;
//! - `gis_layers`: the GeoJSON layers in GDAL (and headless QGIS), the QGIS files as XML;
//! - `injection`: data never becomes code: formulas neutralised in CSV, markup escaped in SVG and QGIS XML, ids never name files;
//! - `cli_places`: `eventmap places` as a process: a report's places, byte offsets, every input form;
//! - `cli_events`: `eventmap events` as a process: a report's events, row order, ACLED and JSON;
//! - `bad_input`: empty, binary, 100 MB, space-less, invalid UTF-8 and broken JSON Lines inputs never crash;
//! - `bad_input_formats`: a date line alone, nested JSON, CSV line breaks and widths, 2021-02-30, coordinates out of range;
//! - `render_maps`: the control and displacement maps against goldens (`EVENTMAP_UPDATE_GOLDENS=1` rewrites them);
//! - `properties`: generated ledgers, texts and writes: layers parse back, offsets slice, dates never after the article.

mod util;

mod bad_input;
mod bad_input_formats;
mod build;
mod cli_events;
mod cli_gazetteer;
mod cli_places;
mod events_corpus;
mod example_series;
mod gazetteer_data;
mod geoparse_corpus;
mod gis_layers;
mod injection;
mod ledger_inputs;
mod ledger_series;
mod properties;
mod render_maps;
