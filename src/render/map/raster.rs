//! Pixels from a scene, with anti-aliased edges, lines and text: the scene's SVG
//! (see `svg`) rasterised by resvg (tiny-skia), with only the bundled DejaVu faces in
//! its font database. The other approach measured (plotters' bitmap backend at several
//! times the size, averaged down) is kept for the benchmark.

use super::labels::{Align, FAMILY};
use super::projection::Xy;
use super::scene::{Item, Scene, Text};
use super::style::Colour;
use super::svg;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::{Arc, OnceLock};

fn font_database() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        // Only the bundled bytes: a system font would make the PNG depend on the machine.
        for bytes in [dejavu::sans::regular(), dejavu::sans::bold()] {
            db.load_font_source(resvg::usvg::fontdb::Source::Binary(Arc::new(without_legacy_kern(bytes))));
        }
        Arc::new(db)
    })
    .clone()
}

/// The font with its legacy `kern` table hidden (its tag renamed in the table
/// directory). DejaVu kerns through GPOS, and a shaper applies a `kern` table only
/// to fonts without GPOS kerning (OpenType's rule, which harfrust follows), so the
/// glyph positions do not change; but usvg shapes every text with a new harfrust
/// `ShaperData`, which indexes every `kern` subtable first: a third of the time
/// usvg took to read a map's texts (370 of them when each halo was eight copies).
fn without_legacy_kern(font: &[u8]) -> Vec<u8> {
    let mut bytes = font.to_vec();
    let tables = bytes.get(4..6).map_or(0, |n| usize::from(u16::from_be_bytes([n[0], n[1]])));
    for record in 0..tables {
        let tag = 12 + 16 * record;
        if bytes.get(tag..tag + 4) == Some(b"kern".as_slice()) {
            // Still between `hmtx` and `loca`: the directory stays sorted by tag.
            bytes[tag + 3] = b'_';
        }
    }
    bytes
}

/// Longest side of a PNG: 16384 px is 1.4 m at 300 dpi, more than any page, and
/// keeps a mistyped width from asking for gigabytes.
pub const MAX_PNG_SIDE: u32 = 16384;

/// `scale` made finite, positive and small enough for [`MAX_PNG_SIDE`].
fn safe_scale(scene: &Scene, scale: f32) -> f64 {
    let scale = if scale.is_finite() { f64::from(scale).max(0.1) } else { 1.0 };
    let longest = f64::from(scene.width.max(scene.height).max(1));
    scale.min(f64::from(MAX_PNG_SIDE) / longest)
}

/// The scene as an RGB PNG of `scale` times its size (capped at [`MAX_PNG_SIDE`]).
pub fn to_png(scene: &Scene, scale: f32) -> Vec<u8> {
    let scale = safe_scale(scene, scale);
    let (w, h) = (px_size(scene.width, scale), px_size(scene.height, scale));
    let svg = svg::write(scene, svg::Reader::Resvg);
    let options = resvg::usvg::Options {
        font_family: super::labels::FAMILY.to_owned(),
        fontdb: font_database(),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(&svg, &options).expect("the scene's SVG is valid");
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).expect("a map has a non-zero size");
    advise_huge_pages(pixmap.data_mut());
    let background = scene.background;
    pixmap.fill(resvg::tiny_skia::Color::from_rgba8(background.0, background.1, background.2, 255));
    let s = scale as f32;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(s, s), &mut pixmap.as_mut());
    encode_rgb(w, h, &rgba_to_rgb(pixmap.take()))
}

/// Asks Linux to back the pixmap with 2 MiB pages where it can (transparent huge
/// pages in `madvise` mode, Debian's and Ubuntu's default): a 2400 px map is 20 MB,
/// and faulting it in 4 KiB at a time, 5,000 faults, was a tenth of the whole
/// `eventmap render` process. A hint only: refused, unsupported or on another
/// system, the pixels and the bytes written are the same.
#[cfg(target_os = "linux")]
fn advise_huge_pages(bytes: &mut [u8]) {
    const HUGE: usize = 2 << 20;
    let start = bytes.as_mut_ptr() as usize;
    let (first, last) = (start.next_multiple_of(HUGE), (start + bytes.len()) / HUGE * HUGE);
    if first < last {
        // SAFETY: [first, last) lies inside `bytes`, which this function borrows
        // mutably; MADV_HUGEPAGE changes how those pages are backed, never what they hold.
        unsafe {
            libc::madvise(first as *mut libc::c_void, last - first, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: &mut [u8]) {}

fn px_size(n: u32, scale: f64) -> u32 {
    ((f64::from(n) * scale).round() as u32).max(1)
}

/// The other way to anti-alias: plotters' bitmap backend (which fills polygons
/// without anti-aliasing) at `factor` times the size, box-filtered down. Kept to
/// measure against [`to_png`]; see `benches/render.rs`.
#[doc(hidden)]
pub fn to_png_supersampled(scene: &Scene, scale: f32, factor: u32) -> Vec<u8> {
    register_plotters_fonts();
    let scale = safe_scale(scene, scale);
    let (w, h) = (px_size(scene.width, scale), px_size(scene.height, scale));
    let (bw, bh) = (w * factor, h * factor);
    let mut big = vec![0u8; (bw * bh * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut big, (bw, bh)).into_drawing_area();
        draw(scene, &area, scale * f64::from(factor)).expect("drawing into a buffer cannot fail");
        area.present().expect("drawing into a buffer cannot fail");
    }
    let mut small = vec![0u8; (w * h * 3) as usize];
    let n = factor * factor;
    for y in 0..h {
        for x in 0..w {
            for c in 0..3u32 {
                let mut sum = 0u32;
                for dy in 0..factor {
                    let row = ((y * factor + dy) * bw + x * factor) as usize * 3;
                    for dx in 0..factor as usize {
                        sum += u32::from(big[row + dx * 3 + c as usize]);
                    }
                }
                small[((y * w + x) * 3 + c) as usize] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    encode_rgb(w, h, &small)
}

fn register_plotters_fonts() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let family = super::labels::FAMILY;
        plotters::style::register_font(family, FontStyle::Normal, dejavu::sans::regular())
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans parses"));
        plotters::style::register_font(family, FontStyle::Bold, dejavu::sans::bold())
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans Bold parses"));
    });
}

/// RGBA pixels to RGB, in place: the maps are opaque, so alpha is dropped (a copy
/// into a new buffer cost more than the PNG encoder's work).
fn rgba_to_rgb(mut pixels: Vec<u8>) -> Vec<u8> {
    let n = pixels.len() / 4;
    for i in 0..n {
        let rgba: [u8; 4] = pixels[4 * i..4 * i + 4].try_into().expect("four bytes");
        pixels[3 * i..3 * i + 3].copy_from_slice(&rgba[..3]);
    }
    pixels.truncate(3 * n);
    pixels
}

/// PNG of 8-bit RGB pixels.
fn encode_rgb(w: u32, h: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Flat map colours compress well even at the fast setting, which is several
        // times quicker than the default on a 2400 px map; one filter for every row
        // (Paeth) instead of trying all five per row halves the encoding time for
        // files 2-3 % larger.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::Filter::Paeth);
        let mut writer = encoder.write_header().expect("writing a PNG into memory cannot fail");
        writer.write_image_data(rgb).expect("writing a PNG into memory cannot fail");
    }
    out
}

// ---- plotters' drawing, for the supersampled alternative only

fn rgb(c: Colour) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn px(p: Xy, k: f64) -> (i32, i32) {
    ((p.0 * k).round() as i32, (p.1 * k).round() as i32)
}

/// Paints a scene onto a plotters drawing area, every coordinate multiplied by `k`.
fn draw<DB: DrawingBackend>(
    scene: &Scene,
    area: &DrawingArea<DB, Shift>,
    k: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&rgb(scene.background))?;
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

/// Plotters sets top-anchored text with its baseline 0.76 em below the anchor; the
/// anchor is placed to match.
const TOP_TO_BASELINE: f64 = 0.76;
/// Plotters' fonts are 1.24 times the size of an SVG `font-size` of the same number.
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
    let content = text.text.clone();
    // Plotters has no stroked text, so the halo is the text drawn in the halo colour
    // at offsets all round.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::map::projection::Frame;

    fn scene(width: u32, height: u32) -> Scene {
        Scene {
            width,
            height,
            background: crate::render::map::Colour(255, 255, 255),
            items: Vec::new(),
            frame: Frame::fit(((0.0, 0.0), (1.0, 1.0)), 0.0, 0.0, 1.0),
            labels: Vec::new(),
            dots: Vec::new(),
            dropped: Vec::new(),
        }
    }

    #[test]
    fn scale_is_capped_and_sane() {
        assert_eq!(safe_scale(&scene(2400, 2000), 2.0), 2.0);
        assert_eq!(safe_scale(&scene(8192, 4000), 40.0), 2.0);
        assert_eq!(safe_scale(&scene(800, 700), f32::NAN), 1.0);
        assert_eq!(safe_scale(&scene(800, 700), -3.0), 0.1);
    }

    /// Kerned pairs (AV, To, Wa, Ty) in both weights, rasterised with the fonts as
    /// bundled and with their `kern` tables hidden: the same pixels, so the shaper
    /// kerned through GPOS and never read the legacy table.
    #[test]
    fn hiding_the_legacy_kern_table_moves_no_glyph() {
        let svg = r#"<svg width="400" height="120" xmlns="http://www.w3.org/2000/svg">
            <text x="5" y="50" font-family="DejaVu Sans" font-size="40">AVATAR To Wa Ty, L'Yves</text>
            <text x="5" y="100" font-family="DejaVu Sans" font-size="40" font-weight="bold">AVATAR To Wa Ty, L'Yves</text>
            </svg>"#;
        let render = |fontdb: Arc<resvg::usvg::fontdb::Database>| {
            let options = resvg::usvg::Options { fontdb, ..resvg::usvg::Options::default() };
            let tree = resvg::usvg::Tree::from_str(svg, &options).unwrap();
            let mut pixmap = resvg::tiny_skia::Pixmap::new(400, 120).unwrap();
            resvg::render(&tree, resvg::tiny_skia::Transform::identity(), &mut pixmap.as_mut());
            pixmap.take()
        };
        let mut bundled = resvg::usvg::fontdb::Database::new();
        for bytes in [dejavu::sans::regular(), dejavu::sans::bold()] {
            bundled.load_font_source(resvg::usvg::fontdb::Source::Binary(Arc::new(bytes)));
        }
        let hidden = font_database();
        assert_eq!(hidden.len(), 2);
        let pixels = render(hidden);
        assert!(pixels.iter().any(|&b| b != 0), "the text is drawn");
        assert!(pixels == render(Arc::new(bundled)), "kerning changed");
        let renamed = without_legacy_kern(dejavu::sans::regular());
        assert_eq!(renamed.len(), dejavu::sans::regular().len());
        assert_eq!(renamed.windows(4).filter(|w| *w == b"ker_").count(), 1);
        assert_eq!(renamed.iter().zip(dejavu::sans::regular()).filter(|(a, b)| a != b).count(), 1);
    }

    /// A label with a halo, drawn on a dark fill from the SVG a person gets (the halo a
    /// copy under the text) and from the one resvg gets (one element, stroke painted
    /// first): the same picture. Were `paint-order` not honoured, the white stroke
    /// would cover the dark letters.
    #[test]
    fn a_halo_painted_under_its_text_draws_as_the_copy_under_it() {
        let mut labelled = scene(300, 80);
        labelled.items.push(Item::Fill {
            ring: vec![(0.0, 0.0), (300.0, 0.0), (300.0, 80.0), (0.0, 80.0)],
            colour: Colour(40, 60, 90),
            opacity: 1.0,
        });
        labelled.items.push(Item::Text(Text {
            text: "Mazar-i-Sharif".to_owned(),
            x: 10.0,
            baseline: 50.0,
            size: 34.0,
            bold: false,
            colour: Colour(30, 30, 30),
            align: Align::Left,
            halo: Some((Colour(255, 255, 255), 4.0)),
        }));
        let pixels = |reader: svg::Reader| {
            let options = resvg::usvg::Options { fontdb: font_database(), ..resvg::usvg::Options::default() };
            let tree = resvg::usvg::Tree::from_str(&svg::write(&labelled, reader), &options).unwrap();
            let mut pixmap = resvg::tiny_skia::Pixmap::new(300, 80).unwrap();
            resvg::render(&tree, resvg::tiny_skia::Transform::identity(), &mut pixmap.as_mut());
            pixmap.take()
        };
        let (copy, under) = (pixels(svg::Reader::Person), pixels(svg::Reader::Resvg));
        let dark = |p: &[u8]| p[0] < 60 && p[1] < 60;
        let letters = under.chunks(4).filter(|p| dark(p)).count();
        assert!(letters > 300, "the letters are drawn dark: {letters} pixels");
        assert_eq!(letters, copy.chunks(4).filter(|p| dark(p)).count());
        let worst = copy.iter().zip(&under).map(|(a, b)| a.abs_diff(*b)).max();
        assert!(worst <= Some(8), "the two differ by up to {worst:?}");
    }

    #[test]
    fn png_is_rgb_of_the_scaled_size() {
        let png = to_png(&scene(30, 20), 2.0);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height, info.color_type), (60, 40, png::ColorType::Rgb));
    }
}
