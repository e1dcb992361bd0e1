//! A scene as SVG text, written element by element: the SVG maps, and what resvg
//! rasterises for the PNG maps.
//!
//! Written here rather than through plotters' SVG backend, for what a graphics desk
//! opens in Illustrator or Inkscape and for the raster's speed: a label's halo is one
//! stroked copy of the text under it (plotters has no stroked text, and eight offset
//! copies made every label nine text objects and the PNG a third slower); coordinates
//! keep two decimals instead of whole pixels; translucency is the paint's own
//! (`fill-opacity`), which resvg draws without compositing a layer per element; a
//! closed line is a closed shape, so its start has a join, not two butt ends.

use super::labels::{Align, FAMILY};
use super::projection::Xy;
use super::scene::{Item, Scene, Text};
use super::style::Colour;
use crate::output::{xml_escape, XmlPlace};
use std::fmt::Write as _;

/// Who reads the SVG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// A person, in a browser or a drawing program: the SVG maps. The background is a
    /// rectangle, and a label's halo is a copy of the text under it, as Illustrator
    /// draws it (it ignores `paint-order`, and would paint the halo over the text).
    Person,
    /// resvg, for the PNG maps. The background is left to the canvas (the raster fills
    /// its pixmap with it, cheaper than rasterising a rectangle), and a label is one
    /// element stroked under its fill (`paint-order="stroke"`): the same pixels, with
    /// the text laid out and its glyphs turned into outlines once instead of twice.
    Resvg,
}

/// The scene as a standalone SVG document: one element per item in paint order (for a
/// person, two for a text with a halo).
pub fn write(scene: &Scene, reader: Reader) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let (w, h) = (scene.width, scene.height);
    let _ = writeln!(out, r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#);
    if reader == Reader::Person {
        let _ = writeln!(out, r#"<rect x="0" y="0" width="{w}" height="{h}" fill="{}"/>"#, scene.background);
    }
    for item in &scene.items {
        match item {
            Item::Fill { ring, colour, opacity } => {
                out.push_str("<polygon points=\"");
                points(&mut out, ring);
                let _ = write!(out, "\" fill=\"{colour}\"");
                paint_opacity(&mut out, "fill-opacity", *opacity);
                out.push_str("/>\n");
            }
            Item::Line { points: line, colour, width, closed } => {
                out.push_str(if *closed { "<polygon points=\"" } else { "<polyline points=\"" });
                points(&mut out, line);
                let _ = write!(out, "\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"");
                number(&mut out, *width);
                out.push_str("\"/>\n");
            }
            Item::Circle { centre, radius, fill, stroke, opacity } => {
                out.push_str("<circle cx=\"");
                number(&mut out, centre.0);
                out.push_str("\" cy=\"");
                number(&mut out, centre.1);
                out.push_str("\" r=\"");
                number(&mut out, *radius);
                out.push('"');
                match fill {
                    Some(colour) => {
                        let _ = write!(out, " fill=\"{colour}\"");
                        paint_opacity(&mut out, "fill-opacity", *opacity);
                    }
                    None => out.push_str(" fill=\"none\""),
                }
                if let Some((colour, width)) = stroke {
                    let _ = write!(out, " stroke=\"{colour}\" stroke-width=\"");
                    number(&mut out, *width);
                    out.push('"');
                }
                out.push_str("/>\n");
            }
            Item::Text(text) => match (reader, text.halo) {
                (Reader::Resvg, Some(halo)) => text_element(&mut out, text, Some(halo), true),
                (Reader::Person, Some(halo)) => {
                    text_element(&mut out, text, Some(halo), false);
                    text_element(&mut out, text, None, false);
                }
                (_, None) => text_element(&mut out, text, None, false),
            },
        }
    }
    out.push_str("</svg>\n");
    out
}

/// One `<text>`. With a halo (colour, width), the text stroked in that colour that far
/// all round its glyphs (round joins, so corners stay round as the offset copies drew
/// them): filled in the text's colour under that stroke if `under`, else filled in the
/// halo's colour too, as the copy drawn under the text.
fn text_element(out: &mut String, text: &Text, halo: Option<(Colour, f64)>, under: bool) {
    out.push_str("<text x=\"");
    number(out, text.x);
    out.push_str("\" y=\"");
    number(out, text.baseline);
    let _ = write!(out, "\" font-family=\"{FAMILY}\" font-size=\"");
    number(out, text.size);
    out.push('"');
    if text.bold {
        out.push_str(" font-weight=\"bold\"");
    }
    match text.align {
        Align::Left => {}
        Align::Centre => out.push_str(" text-anchor=\"middle\""),
        Align::Right => out.push_str(" text-anchor=\"end\""),
    }
    let fill = match halo {
        Some((colour, _)) if !under => colour,
        _ => text.colour,
    };
    let _ = write!(out, " fill=\"{fill}\"");
    if let Some((colour, width)) = halo {
        let _ = write!(out, " stroke=\"{colour}\" stroke-width=\"");
        number(out, 2.0 * width);
        out.push_str("\" stroke-linejoin=\"round\"");
        if under {
            out.push_str(" paint-order=\"stroke\"");
        }
    }
    out.push('>');
    xml_escape(out, &text.text, XmlPlace::Text);
    out.push_str("</text>\n");
}

fn paint_opacity(out: &mut String, attribute: &str, opacity: f64) {
    if opacity < 1.0 {
        let _ = write!(out, " {attribute}=\"");
        number(out, opacity.max(0.0));
        out.push('"');
    }
}

fn points(out: &mut String, ring: &[Xy]) {
    for (i, (x, y)) in ring.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        number(out, *x);
        out.push(',');
        number(out, *y);
    }
}

/// A coordinate or length with at most two decimals and no trailing zeros: a
/// hundredth of a pixel is finer than any print, and the same value always gives
/// the same text. Not finite (a degenerate layout) is written as 0 so the SVG parses.
fn number(out: &mut String, value: f64) {
    let hundredths = if value.is_finite() { (value * 100.0).round() as i64 } else { 0 };
    if hundredths < 0 {
        out.push('-');
    }
    let magnitude = hundredths.unsigned_abs();
    let (whole, fraction) = (magnitude / 100, magnitude % 100);
    let _ = write!(out, "{whole}");
    match fraction {
        0 => {}
        f if f % 10 == 0 => {
            let _ = write!(out, ".{}", f / 10);
        }
        f => {
            let _ = write!(out, ".{f:02}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::map::{control_scene, scene_png, MapData, MapOptions};

    fn n(value: f64) -> String {
        let mut out = String::new();
        number(&mut out, value);
        out
    }

    #[test]
    fn numbers_have_at_most_two_decimals_and_no_trailing_zeros() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.5), "12.5");
        assert_eq!(n(12.345), "12.35");
        assert_eq!(n(0.04), "0.04");
        assert_eq!(n(-0.004), "0");
        assert_eq!(n(-3.1), "-3.1");
        assert_eq!(n(f64::NAN), "0");
    }

    #[test]
    fn control_characters_in_a_label_keep_the_svg_parseable() {
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
        let svg = write(&scene, Reader::Person);
        assert!(svg.contains("Kabul \u{fffd}\u{fffd} &lt;script&gt;&amp;&quot;]]&gt;"), "{svg}");
        // The PNG is drawn from the same SVG, which once failed to parse here and panicked.
        assert!(!scene_png(&scene, 1.0).is_empty());
    }
}
