//! Text measured with the bundled DejaVu Sans, and label placement without overlaps:
//! labels are tried in order of importance at a few positions around their anchor,
//! and a label that fits nowhere is dropped rather than drawn over another.

use super::projection::{Rect, Xy};
use ab_glyph::{Font, FontRef};
use std::sync::OnceLock;

/// The family name the SVG refers to and the PNG renderer registers.
pub const FAMILY: &str = "DejaVu Sans";

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        regular: FontRef::try_from_slice(dejavu::sans::regular()).expect("the bundled DejaVu Sans parses"),
        bold: FontRef::try_from_slice(dejavu::sans::bold()).expect("the bundled DejaVu Sans Bold parses"),
    })
}

/// Horizontal alignment of a text on its anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// The ink extent of a text relative to its start on the baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extent {
    /// Advance width.
    pub width: f64,
    /// Height above the baseline of the tallest glyph.
    pub ascent: f64,
    /// Depth below the baseline of the deepest glyph (positive).
    pub descent: f64,
}

/// Baseline to baseline of the lines of a label, in ems.
pub const LINE_SPACING: f64 = 1.2;

/// Measures a text at a font size in pixels (the em size, as SVG's `font-size`),
/// with kerning, as the PNG renderer will set it. Lines split at `\n` share an
/// alignment; the ascent is the first line's, the descent reaches below the last.
pub fn measure(text: &str, size: f64, bold: bool) -> Extent {
    let lines: Vec<Extent> = text.split('\n').map(|line| measure_line(line, size, bold)).collect();
    let last = lines.len() - 1;
    Extent {
        width: lines.iter().map(|e| e.width).fold(0.0, f64::max),
        ascent: lines[0].ascent,
        descent: last as f64 * LINE_SPACING * size + lines[last].descent,
    }
}

fn measure_line(text: &str, size: f64, bold: bool) -> Extent {
    let fonts = fonts();
    let font = if bold { &fonts.bold } else { &fonts.regular };
    let upem = f64::from(font.units_per_em().unwrap_or(2048.0));
    let (mut width, mut ascent, mut descent) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut previous = None;
    for ch in text.chars() {
        let id = font.glyph_id(ch);
        if let Some(prev) = previous {
            width += f64::from(font.kern_unscaled(prev, id));
        }
        width += f64::from(font.h_advance_unscaled(id));
        // ab_glyph keeps font units (y up) but stores the top in `min.y` and the
        // bottom in `max.y`.
        if let Some(outline) = font.outline(id) {
            ascent = ascent.max(f64::from(outline.bounds.min.y));
            descent = descent.max(-f64::from(outline.bounds.max.y));
        }
        previous = Some(id);
    }
    let k = size / upem;
    Extent { width: width * k, ascent: ascent * k, descent: descent * k }
}

/// Cap height of DejaVu Sans as a share of the em: centres labels on their dots
/// whatever letters they hold.
pub const CAP_HEIGHT: f64 = 0.729;

/// A text's ink box when drawn with its baseline at `baseline` and aligned on `x`.
pub fn ink_box(extent: Extent, x: f64, baseline: f64, align: Align) -> Rect {
    let x0 = match align {
        Align::Left => x,
        Align::Centre => x - extent.width / 2.0,
        Align::Right => x - extent.width,
    };
    Rect { x0, y0: baseline - extent.ascent, x1: x0 + extent.width, y1: baseline + extent.descent }
}

/// Where a placed text goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anchor {
    pub x: f64,
    pub baseline: f64,
    pub align: Align,
}

/// The eight positions around a point, best first by cartographic convention
/// (Imhof): right and slightly above, then the other sides, then the diagonals.
pub fn around_point(point: Xy, radius: f64, gap: f64, size: f64, extent: Extent) -> Vec<Anchor> {
    let (x, y) = point;
    let d = radius + gap;
    // Baseline that puts the cap height centred on the point.
    let mid = y + CAP_HEIGHT * size / 2.0;
    let above = y - d * 0.7;
    let below = y + d * 0.7 + CAP_HEIGHT * size;
    let diagonal = d * 0.7;
    vec![
        Anchor { x: x + d, baseline: mid, align: Align::Left },
        Anchor { x: x - d, baseline: mid, align: Align::Right },
        Anchor { x: x + diagonal, baseline: above, align: Align::Left },
        Anchor { x: x + diagonal, baseline: below, align: Align::Left },
        Anchor { x: x - diagonal, baseline: above, align: Align::Right },
        Anchor { x: x - diagonal, baseline: below, align: Align::Right },
        Anchor { x, baseline: y - d - extent.descent, align: Align::Centre },
        Anchor { x, baseline: y + d + CAP_HEIGHT * size, align: Align::Centre },
    ]
}

/// Greedy placement: first come, first served, so callers add labels most
/// important first.
pub struct Placer {
    /// Every label must lie inside this.
    pub bounds: Rect,
    /// Boxes labels must not cover (dots, legend, scale bar), and placed labels.
    taken: Vec<Rect>,
    /// Extra room kept free around each label (its halo and some air).
    pad: f64,
}

impl Placer {
    pub fn new(bounds: Rect, pad: f64) -> Placer {
        Placer { bounds, taken: Vec::new(), pad }
    }

    /// Marks an area labels may not cover.
    pub fn block(&mut self, rect: Rect) {
        self.taken.push(rect);
    }

    /// Takes the first candidate whose box is free, ignoring the boxes in `own`
    /// (the label's own dot or arrow). Returns the anchor and the ink box.
    pub fn place(&mut self, extent: Extent, candidates: &[Anchor], own: &[Rect]) -> Option<(Anchor, Rect)> {
        for anchor in candidates {
            let rect = ink_box(extent, anchor.x, anchor.baseline, anchor.align);
            let padded = rect.inset(-self.pad);
            let free = self.bounds.contains_rect(&rect)
                && !self.taken.iter().any(|t| t.intersects(&padded) && !own.contains(t));
            if free {
                self.taken.push(rect);
                return Some((*anchor, rect));
            }
        }
        None
    }
}

/// `12345` → `"12,345"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_like_the_font() {
        // DejaVu Sans "H" advances 1540/2048 em and stands 1493/2048 em tall.
        let e = measure("H", 2048.0, false);
        assert!((e.width - 1540.0).abs() < 1.0 && (e.ascent - 1493.0).abs() < 1.0 && e.descent < 1.0, "{e:?}");
        assert!(measure("Kabul", 30.0, true).width > measure("Kabul", 30.0, false).width);
        assert!(measure("Kunduz", 30.0, false).descent < measure("Sheberghan", 30.0, false).descent);
        let two = measure("To Doha\n6,000 people", 30.0, true);
        assert_eq!(two.width, measure("6,000 people", 30.0, true).width);
        assert!((two.descent - (36.0 + measure("6,000 people", 30.0, true).descent)).abs() < 1e-9);
    }

    #[test]
    fn placer_never_overlaps_and_drops_what_does_not_fit() {
        let mut placer = Placer::new(Rect { x0: 0.0, y0: 0.0, x1: 200.0, y1: 100.0 }, 2.0);
        let e = measure("Label", 20.0, false);
        let here = around_point((100.0, 50.0), 4.0, 3.0, 20.0, e);
        let (_, a) = placer.place(e, &here, &[]).unwrap();
        let (_, b) = placer.place(e, &here, &[]).unwrap();
        assert!(!a.intersects(&b));
        let mut placed = vec![a, b];
        while let Some((_, r)) = placer.place(e, &here, &[]) {
            placed.push(r);
        }
        assert!(placed.len() < 8);
        for (i, r) in placed.iter().enumerate() {
            assert!(placed[i + 1..].iter().all(|s| !s.intersects(r)));
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(17000), "17,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
