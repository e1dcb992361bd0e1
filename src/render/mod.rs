//! Output stage: GeoJSON layers, QGIS styles and projects, PNG and SVG maps.

pub mod geojson;
