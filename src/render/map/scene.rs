//! The format-neutral drawing of a map: filled rings, lines, circles and texts in
//! pixels, in paint order, plus what tests need to check the layout (placed label
//! boxes, capital dots, the frame). `svg` writes it out; resvg rasterises that.

use super::labels::Align;
use super::projection::{Frame, Rect, Xy};
use super::style::Colour;
use crate::gazetteer::EntryId;
use crate::ledger::Status;

/// One thing to paint.
#[derive(Clone, Debug)]
pub enum Item {
    /// A filled ring (no outline).
    Fill {
        ring: Vec<Xy>,
        colour: Colour,
        opacity: f64,
    },
    /// A stroked line; `closed` joins the last point to the first.
    Line {
        points: Vec<Xy>,
        colour: Colour,
        width: f64,
        closed: bool,
    },
    Circle {
        centre: Xy,
        radius: f64,
        fill: Option<Colour>,
        stroke: Option<(Colour, f64)>,
        opacity: f64,
    },
    Text(Text),
}

/// A single line of text; `baseline` is the y of its baseline.
#[derive(Clone, Debug)]
pub struct Text {
    pub text: String,
    pub x: f64,
    pub baseline: f64,
    pub size: f64,
    pub bold: bool,
    pub colour: Colour,
    pub align: Align,
    /// A surround in this colour and width that keeps the text legible on any ground.
    pub halo: Option<(Colour, f64)>,
}

/// What a placed map label is, for tests and for the caller's curiosity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelKind {
    Capital,
    Neighbour,
    Place,
    Flow,
}

/// A label the placer put on the map.
#[derive(Clone, Debug)]
pub struct PlacedLabel {
    pub text: String,
    pub kind: LabelKind,
    /// Ink box in pixels (at scale 1).
    pub rect: Rect,
}

/// A place's dot.
#[derive(Clone, Copy, Debug)]
pub struct Dot {
    pub entry: EntryId,
    pub centre: Xy,
    pub radius: f64,
    pub status: Option<Status>,
}

/// A laid-out map.
#[derive(Clone, Debug)]
pub struct Scene {
    /// Pixels at scale 1.
    pub width: u32,
    pub height: u32,
    pub background: Colour,
    pub items: Vec<Item>,
    /// The map area and its projection to pixels.
    pub frame: Frame,
    pub labels: Vec<PlacedLabel>,
    pub dots: Vec<Dot>,
    /// Labels that did not fit and were left off, most important first.
    pub dropped: Vec<String>,
}

impl Scene {
    /// Pixel (at scale 1) of a longitude, latitude.
    pub fn to_px(&self, lon: f64, lat: f64) -> Xy {
        self.frame.to_px(super::projection::Projection::new().project(lon, lat))
    }
}
