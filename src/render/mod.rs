//! Output stage: GeoJSON layers, QGIS styles and projects, PNG and SVG maps.

pub mod geojson;
pub mod map;
