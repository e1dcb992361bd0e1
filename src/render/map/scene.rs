//! The format-neutral drawing of a map: filled rings, lines, circles and texts in
//! pixels, in paint order, plus what tests need to check the layout (placed label
//! boxes, capital dots, the frame). One drawing function, generic over plotters'
//! `DrawingBackend`, turns it into SVG or pixels.

use super::labels::{Align, FAMILY};
use super::projection::{Frame, Rect, Xy};
use super::style::Colour;
use crate::gazetteer::EntryId;
use crate::ledger::Status;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

fn rgb(c: Colour) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn px(p: Xy, k: f64) -> (i32, i32) {
    ((p.0 * k).round() as i32, (p.1 * k).round() as i32)
}

/// Paints a scene onto a plotters drawing area, every coordinate multiplied by `k`.
///
/// Plotters' backends take integer pixels and line widths, so PNG output draws at
/// several times its size and lets the rasteriser scale down: the quarter pixels
/// survive. The SVG is drawn at `k = 1`.
pub fn draw<DB: DrawingBackend>(
    scene: &Scene,
    area: &DrawingArea<DB, Shift>,
    k: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&rgb(scene.background))?;
    draw_items(scene, area, k)
}

/// [`draw`] without the background, for a canvas already filled with it.
pub fn draw_items<DB: DrawingBackend>(
    scene: &Scene,
    area: &DrawingArea<DB, Shift>,
    k: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for item in &scene.items {
        match item {
            Item::Fill { ring, colour, opacity } => {
                let points: Vec<(i32, i32)> = ring.iter().map(|p| px(*p, k)).collect();
                area.draw(&Polygon::new(points, rgb(*colour).mix(*opacity).filled()))?;
            }
            Item::Line { points, colour, width, closed } => {
                let mut points: Vec<(i32, i32)> = points.iter().map(|p| px(*p, k)).collect();
                if *closed {
                    if let Some(first) = points.first().copied() {
                        points.push(first);
                    }
                }
                let width = ((width * k).round() as u32).max(1);
                area.draw(&PathElement::new(points, rgb(*colour).stroke_width(width)))?;
            }
            Item::Circle { centre, radius, fill, stroke, opacity } => {
                let r = ((radius * k).round() as i32).max(1);
                if let Some(colour) = fill {
                    area.draw(&Circle::new(px(*centre, k), r, rgb(*colour).mix(*opacity).filled()))?;
                }
                if let Some((colour, width)) = stroke {
                    let width = ((width * k).round() as u32).max(1);
                    area.draw(&Circle::new(px(*centre, k), r, rgb(*colour).stroke_width(width)))?;
                }
            }
            Item::Text(text) => draw_text(area, text, k)?,
        }
    }
    Ok(())
}

/// Plotters' SVG backend writes `dy="0.76em"` for top-anchored text, so the
/// baseline sits 0.76 em below the anchor; the anchor is placed to match.
const TOP_TO_BASELINE: f64 = 0.76;
/// Plotters' SVG backend divides the font size by 1.24 when it writes `font-size`.
const PLOTTERS_FONT_SCALE: f64 = 1.24;

/// Directions of the halo copies: 8 leave gaps under a tenth of a pixel at the
/// house halo width, and every copy costs text layout and rasterising.
const HALO_STEPS: usize = 8;

fn draw_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &Text,
    k: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let h = match text.align {
        Align::Left => HPos::Left,
        Align::Centre => HPos::Center,
        Align::Right => HPos::Right,
    };
    let font_style = if text.bold { FontStyle::Bold } else { FontStyle::Normal };
    let size = text.size * k * PLOTTERS_FONT_SCALE;
    // Built field by field: `TextStyle::color` ties the style to the colour's borrow.
    let style = |colour: Colour| TextStyle {
        font: (FAMILY, size).into_font().style(font_style),
        color: rgb(colour).to_backend_color(),
        pos: Pos::new(h, VPos::Top),
    };
    let top = text.baseline - TOP_TO_BASELINE * text.size;
    let content = xml_chars(&text.text);
    // Plotters has no stroked text, so the halo is the text drawn in the halo colour
    // at offsets all round: in the PNG it is indistinguishable from a stroke.
    if let Some((colour, width)) = text.halo {
        for i in 0..HALO_STEPS {
            let a = std::f64::consts::TAU * i as f64 / HALO_STEPS as f64;
            let at = (text.x + width * a.cos(), top + width * a.sin());
            area.draw(&plotters::element::Text::new(content.clone(), px(at, k), style(colour)))?;
        }
    }
    area.draw(&plotters::element::Text::new(content, px((text.x, top), k), style(text.colour)))?;
    Ok(())
}

/// The text with the characters XML 1.0 forbids (control characters other than tab,
/// line feed and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD. Plotters escapes
/// `<`, `&` and quotes but passes these through, and the SVG (and the PNG drawn from
/// it) would not parse: a place name or title carrying one is data, not a crash.
fn xml_chars(text: &str) -> String {
    let forbidden =
        |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    text.chars().map(|c| if forbidden(c) { '\u{fffd}' } else { c }).collect()
}

/// The scene as SVG: text stays text in the DejaVu Sans family.
pub fn to_svg(scene: &Scene) -> String {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (scene.width, scene.height)).into_drawing_area();
        draw(scene, &area, 1.0).expect("drawing into a string cannot fail");
        area.present().expect("drawing into a string cannot fail");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::map::{control_scene, scene_png, MapData, MapOptions};

    #[test]
    fn control_characters_in_a_label_keep_the_svg_parseable() {
        assert_eq!(xml_chars("a\u{1}b\tc\u{ffff}"), "a\u{fffd}b\tc\u{fffd}");
        let g = crate::gazetteer::Gazetteer::bundled();
        let data = MapData {
            gazetteer: &g,
            date: chrono::NaiveDate::from_ymd_opt(2021, 8, 10).unwrap(),
            provinces: Default::default(),
            places: Default::default(),
            flows: Vec::new(),
            reports: 0,
        };
        let options = MapOptions {
            width_px: 400,
            title: Some("Kabul \u{1}\u{b} <script>&\"]]>".to_owned()),
            ..MapOptions::default()
        };
        let scene = control_scene(&data, &options);
        let svg = to_svg(&scene);
        assert!(svg.contains("Kabul \u{fffd}\u{fffd} &lt;script&gt;&amp;&quot;]]&gt;"), "{svg}");
        // The PNG is drawn from the same SVG, which once failed to parse here and panicked.
        assert!(!scene_png(&scene, 1.0).is_empty());
    }
}
