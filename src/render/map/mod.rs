//! Publication maps (PNG and SVG) for a newsroom graphics desk: the control map
//! (who holds each province and provincial capital) and the displacement map (who
//! fled from where to where). Data in, bytes out, no I/O; the same input always
//! gives the same bytes.
//!
//! How a map is made: [`control_scene`] or [`displacement_scene`] lays the map out
//! (projection, labels without overlaps, legend) into a [`Scene`]; the scene is
//! written out as SVG, and for PNG that SVG is rasterised by resvg with anti-aliasing. Text is set in DejaVu Sans from the `dejavu` crate, never a
//! system font; the SVG keeps it as text and names the family.
//!
//! # Examples
//! ```
//! use eventmap::gazetteer::Gazetteer;
//! use eventmap::render::map::{control_svg, MapData, MapOptions};
//! let gazetteer = Gazetteer::bundled();
//! let data = MapData {
//!     gazetteer: &gazetteer,
//!     date: chrono::NaiveDate::from_ymd_opt(2021, 8, 10).unwrap(),
//!     provinces: Default::default(),
//!     places: Default::default(),
//!     flows: Vec::new(),
//!     reports: 0,
//! };
//! let svg = control_svg(&data, &MapOptions { width_px: 800, ..MapOptions::default() });
//! assert!(svg.contains("As of 10 August 2021"));
//! ```

mod control;
mod displacement;
mod labels;
mod page;
mod projection;
pub mod raster;
mod scene;
mod style;
mod svg;

pub use displacement::count_label;
pub use labels::FAMILY;
pub use projection::{Frame, Rect};
pub use scene::{Dot, Item, LabelKind, PlacedLabel, Scene, Text};
pub use style::{Colour, FontSizes, Palette, Px, Sizes, StatusColours, Style, StyleError};

use crate::gazetteer::{EntryId, Gazetteer};
use crate::ledger::Status;
use std::collections::BTreeMap;

/// What a map is drawn from.
pub struct MapData<'a> {
    pub gazetteer: &'a Gazetteer,
    pub date: chrono::NaiveDate,
    /// Status of every province by ISO 3166-2 code; a province missing here is drawn as "no reports".
    pub provinces: BTreeMap<String, Status>,
    /// Status of places that have one (provincial capitals at least), by gazetteer entry.
    pub places: BTreeMap<EntryId, Status>,
    /// Displacement flows for the displacement map.
    pub flows: Vec<Flow>,
    /// Number of reports (articles) the map is built from, for the source line.
    pub reports: usize,
}

/// People moving from one place to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// `None`: origin not reported (only the arrivals are drawn).
    pub origin: Option<EntryId>,
    /// `None`: destination not reported (a short arrow out of the origin).
    pub destination: Option<EntryId>,
    /// Persons (families and households already multiplied out): sizes the arrow.
    pub people: u64,
    /// The count as reported, in `unit`: the label.
    pub count: u64,
    pub unit: CountUnit,
    /// A vague count ("hundreds of", "thousands of"), labelled with "~".
    pub vague: bool,
}

/// What a reported count counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CountUnit {
    People,
    Families,
    Households,
}

/// How to draw a map.
#[derive(Clone, Debug)]
pub struct MapOptions {
    /// Width of the map in pixels (PNG at scale 1, and the SVG's size), 200 to 16384.
    pub width_px: u32,
    /// PNG pixel density: 2 doubles every dimension for high-density screens. A
    /// PNG's longest side is capped at 16384 px.
    pub scale: f32,
    /// Replaces the default title.
    pub title: Option<String>,
    /// Replaces the default subtitle (which carries the date).
    pub subtitle: Option<String>,
    /// Replaces "Source: eventmap, from N news reports"; the data credits always follow.
    pub source: Option<String>,
    pub style: Style,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions { width_px: 2400, scale: 1.0, title: None, subtitle: None, source: None, style: Style::default() }
    }
}

/// The control map laid out, for callers that want the label boxes or dots.
pub fn control_scene(data: &MapData, options: &MapOptions) -> Scene {
    control::scene(data, options)
}

/// The displacement map laid out.
pub fn displacement_scene(data: &MapData, options: &MapOptions) -> Scene {
    displacement::scene(data, options)
}

/// The control map as SVG.
pub fn control_svg(data: &MapData, options: &MapOptions) -> String {
    svg::write(&control_scene(data, options), svg::Reader::Person)
}

/// The control map as PNG, `width_px × scale` pixels wide.
pub fn control_png(data: &MapData, options: &MapOptions) -> Vec<u8> {
    raster::to_png(&control_scene(data, options), options.scale)
}

/// The displacement map as SVG.
pub fn displacement_svg(data: &MapData, options: &MapOptions) -> String {
    svg::write(&displacement_scene(data, options), svg::Reader::Person)
}

/// The displacement map as PNG, `width_px × scale` pixels wide.
pub fn displacement_png(data: &MapData, options: &MapOptions) -> Vec<u8> {
    raster::to_png(&displacement_scene(data, options), options.scale)
}

/// A scene as SVG (for a scene the caller has inspected or changed).
pub fn scene_svg(scene: &Scene) -> String {
    svg::write(scene, svg::Reader::Person)
}

/// A scene as PNG at `scale`.
pub fn scene_png(scene: &Scene, scale: f32) -> Vec<u8> {
    raster::to_png(scene, scale)
}
