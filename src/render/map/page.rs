//! What both maps share: the page (title, subtitle, map frame, source line), the
//! base map (neighbouring countries with their names, provinces, the national
//! outline), the scale bar and the legend box.

use super::labels::{self, measure, Align, Anchor, Placer};
use super::projection::{
    clip_line, clip_ring, edges_once, project_rings, to_px_thinned, Frame, Projection, Rect, Ring, Stroke, Xy,
};
use super::scene::{Item, LabelKind, PlacedLabel, Scene, Text};
use super::style::{Colour, Style};
use super::{MapData, MapOptions};

/// Vertices closer than this many output pixels are merged: invisible, and it
/// keeps the SVG and the rasteriser's work small.
const THIN_PX: f64 = 0.6;

/// Sizes below are in pixels of a 2400 px wide map; `u` converts them.
pub const DESIGN_WIDTH: f64 = 2400.0;

/// A page being laid out.
pub struct Page<'a> {
    pub data: &'a MapData<'a>,
    pub style: &'a Style,
    /// Output pixels per design pixel.
    pub u: f64,
    pub width: f64,
    pub frame: Frame,
    pub projection: Projection,
    pub items: Vec<Item>,
    pub placer: Placer,
    pub labels: Vec<PlacedLabel>,
    pub dropped: Vec<String>,
    /// Province rings in pixels, in gazetteer order.
    pub provinces: Vec<Vec<Vec<Xy>>>,
    /// Country rings in pixels, in gazetteer order.
    countries: Vec<Vec<Vec<Xy>>>,
    /// Every province border once, in pixels (see [`edges_once`]).
    province_borders: Vec<Stroke>,
    /// Every neighbouring country's border once, in pixels, cut to the frame.
    neighbour_borders: Vec<Stroke>,
    title: String,
    subtitle: String,
    source: String,
}

impl<'a> Page<'a> {
    pub fn new(data: &'a MapData<'a>, options: &'a MapOptions, title: String, subtitle: String) -> Page<'a> {
        let style = &options.style;
        let width = f64::from(options.width_px.clamp(200, super::raster::MAX_PNG_SIDE));
        let u = width / DESIGN_WIDTH;
        let title = options.title.clone().unwrap_or(title);
        let subtitle = options.subtitle.clone().unwrap_or(subtitle);
        let reports = if data.reports == 1 { "report".to_owned() } else { "news reports".to_owned() };
        let source = options
            .source
            .clone()
            .unwrap_or_else(|| format!("Source: eventmap, from {} {reports}", labels::thousands(data.reports as u64)));
        let margin = style.size.margin.0 * u;
        let title_size = style.font.title.0 * u;
        let subtitle_size = style.font.subtitle.0 * u;
        let mut header_height = margin + labels::CAP_HEIGHT * title_size;
        header_height += subtitle_size * 1.5;
        header_height += margin * 0.75;
        // Every outline is projected once, here.
        let projection = Projection::new();
        let provinces: Vec<Vec<Ring>> =
            data.gazetteer.provinces.iter().map(|p| project_rings(&projection, &p.geometry)).collect();
        let countries: Vec<Vec<Ring>> =
            data.gazetteer.countries.iter().map(|c| project_rings(&projection, &c.geometry)).collect();
        let frame = Frame::fit(map_bounds(&provinces, &projection), 0.0, header_height, width);
        let thin = THIN_PX / f64::from(options.scale.max(1.0));
        let to_px = |shapes: Vec<Vec<Ring>>| -> Vec<Vec<Vec<Xy>>> {
            shapes.iter().map(|rings| rings.iter().map(|r| to_px_thinned(&frame, r, thin)).collect()).collect()
        };
        let thinned = |strokes: Vec<Stroke>| -> Vec<Stroke> {
            let thin = |s: Stroke| Stroke { points: to_px_thinned(&frame, &s.points, thin), closed: s.closed };
            strokes.into_iter().map(thin).collect()
        };
        let province_borders = thinned(edges_once(provinces.iter().flatten()));
        let neighbours = data.gazetteer.countries.iter().zip(&countries).filter(|(c, _)| c.iso_a2 != "AF");
        let neighbours = neighbours.flat_map(|(_, rings)| rings);
        let neighbour_borders = thinned(edges_once(neighbours))
            .into_iter()
            .flat_map(|stroke| {
                // A closed stroke ends on its first point, so clipping it cuts every edge.
                let parts = clip_line(&stroke.points, &frame.rect);
                let whole = parts.len() == 1 && parts[0].len() == stroke.points.len();
                parts.into_iter().map(move |points| Stroke { points, closed: whole && stroke.closed })
            })
            .collect();
        let provinces = to_px(provinces);
        let countries = to_px(countries);
        let placer = Placer::new(frame.rect.inset(margin * 0.25), style.size.halo.0 * u + 2.0 * u);
        Page {
            data,
            style,
            u,
            width,
            frame,
            projection,
            items: Vec::new(),
            placer,
            labels: Vec::new(),
            dropped: Vec::new(),
            provinces,
            countries,
            province_borders,
            neighbour_borders,
            title,
            subtitle,
            source,
        }
    }

    pub fn margin(&self) -> f64 {
        self.style.size.margin.0 * self.u
    }

    /// Longitude, latitude → pixels.
    pub fn to_px(&self, lon: f64, lat: f64) -> Xy {
        self.frame.to_px(self.projection.project(lon, lat))
    }

    /// Neighbouring countries: the frame in their grey, then their borders, clipped
    /// to the frame (the whole frame is land, so their fills would repaint the same grey).
    pub fn draw_neighbours(&mut self) {
        let palette = &self.style.palette;
        self.items.push(Item::Fill { ring: rect_ring(&self.frame.rect), colour: palette.neighbour, opacity: 1.0 });
        for border in &self.neighbour_borders {
            self.items.push(Item::Line {
                points: border.points.clone(),
                colour: palette.neighbour_border,
                width: self.style.size.neighbour_border.0 * self.u,
                closed: border.closed,
            });
        }
    }

    /// Province borders and the national outline on top of the fills.
    pub fn draw_borders(
        &mut self,
        province_colour: Colour,
        province_width: f64,
        outline_colour: Colour,
        outline_width: f64,
    ) {
        for border in &self.province_borders {
            self.items.push(Item::Line {
                points: border.points.clone(),
                colour: province_colour,
                width: province_width * self.u,
                closed: border.closed,
            });
        }
        for (country, rings) in self.data.gazetteer.countries.iter().zip(&self.countries) {
            if country.iso_a2 != "AF" {
                continue;
            }
            for ring in rings {
                self.items.push(Item::Line {
                    points: ring.clone(),
                    colour: outline_colour,
                    width: outline_width * self.u,
                    closed: true,
                });
            }
        }
    }

    /// Neighbour names in grey capitals, where there is room: at Natural Earth's
    /// label point if it is in the frame, else in the middle of the visible part.
    pub fn label_neighbours(&mut self) {
        let size = self.style.font.neighbour.0 * self.u;
        let inner = self.frame.rect.inset(self.margin());
        let mut found = Vec::new();
        for (country, rings) in self.data.gazetteer.countries.iter().zip(&self.countries) {
            if country.iso_a2 == "AF" {
                continue;
            }
            let label = self.to_px(country.label.x(), country.label.y());
            let anchor = if inner.contains(label) {
                Some(label)
            } else {
                let mut best: Option<(f64, Xy)> = None;
                for ring in rings {
                    let visible = clip_ring(ring, &inner);
                    if let Some((area, centre)) = area_centroid(&visible) {
                        if best.is_none_or(|(a, _)| area > a) {
                            best = Some((area, centre));
                        }
                    }
                }
                best.map(|(_, c)| c)
            };
            if let Some(point) = anchor {
                found.push((country.name.to_uppercase(), point));
            }
        }
        for (name, (x, y)) in found {
            let extent = measure(&name, size, false);
            let step = size * 1.2;
            let mut candidates = Vec::new();
            for dy in [0.0, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0] {
                for dx in [0.0, -3.0, 3.0, -6.0, 6.0] {
                    candidates.push(Anchor {
                        x: x + dx * step,
                        baseline: y + dy * step + labels::CAP_HEIGHT * size / 2.0,
                        align: Align::Centre,
                    });
                }
            }
            match self.placer.place(extent, &candidates, &[]) {
                Some((anchor, rect)) => self.push_label(
                    name,
                    LabelKind::Neighbour,
                    anchor,
                    rect,
                    size,
                    false,
                    self.style.palette.neighbour_label,
                ),
                None => self.dropped.push(name),
            }
        }
    }

    /// Adds a placed label's text (with its halo; one text a line) and records its box.
    #[allow(clippy::too_many_arguments)]
    pub fn push_label(
        &mut self,
        text: String,
        kind: LabelKind,
        anchor: Anchor,
        rect: Rect,
        size: f64,
        bold: bool,
        colour: Colour,
    ) {
        for (i, line) in text.split('\n').enumerate() {
            self.items.push(Item::Text(Text {
                text: line.to_owned(),
                x: anchor.x,
                baseline: anchor.baseline + i as f64 * labels::LINE_SPACING * size,
                size,
                bold,
                colour,
                align: anchor.align,
                halo: Some((self.style.palette.halo, self.style.size.halo.0 * self.u)),
            }));
        }
        self.labels.push(PlacedLabel { text, kind, rect });
    }

    /// A scale bar in the bottom-left corner of the frame, true at the centre of the map.
    pub fn draw_scale_bar(&mut self) {
        let u = self.u;
        let size = self.style.font.legend.0 * u * 0.85;
        let k = self.projection.scale_at(67.0, 34.0);
        let px_per_km = self.frame.scale * 1000.0 * k;
        let target = self.frame.rect.width() * 0.12;
        let km = [25.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 500.0]
            .into_iter()
            .min_by(|a, b| (a * px_per_km - target).abs().total_cmp(&(b * px_per_km - target).abs()))
            .unwrap_or(100.0);
        let length = km * px_per_km;
        let x0 = self.frame.rect.x0 + self.margin();
        let y = self.frame.rect.y1 - self.margin();
        let text = &self.style.palette.text;
        let tick = 10.0 * u;
        let line = 3.0 * u;
        // A white backing keeps the bar readable wherever it falls.
        let label = format!("{} km", km as u32);
        let extent = measure(&label, size, false);
        let pad = 10.0 * u;
        let back = Rect {
            x0: x0 - pad,
            y0: y - tick - pad,
            x1: x0 + length + extent.width / 2.0 + pad,
            y1: y + size * 1.25 + pad,
        };
        self.items.push(Item::Fill { ring: rect_ring(&back), colour: self.style.palette.background, opacity: 0.8 });
        self.items.push(Item::Line {
            points: vec![(x0, y), (x0 + length, y)],
            colour: *text,
            width: line,
            closed: false,
        });
        for x in [x0, x0 + length / 2.0, x0 + length] {
            self.items.push(Item::Line {
                points: vec![(x, y - tick), (x, y)],
                colour: *text,
                width: line,
                closed: false,
            });
        }
        for (x, t) in [(x0, "0".to_owned()), (x0 + length, label)] {
            self.items.push(Item::Text(Text {
                text: t,
                x,
                baseline: y + size * 1.05,
                size,
                bold: false,
                colour: *text,
                align: Align::Centre,
                halo: None,
            }));
        }
        self.placer.block(back);
    }

    /// A white box in the bottom-right corner of the frame, `w` × `h` pixels; returns its rectangle.
    pub fn legend_box(&mut self, w: f64, h: f64) -> Rect {
        let m = self.margin();
        let rect = Rect {
            x0: self.frame.rect.x1 - m - w,
            y0: self.frame.rect.y1 - m - h,
            x1: self.frame.rect.x1 - m,
            y1: self.frame.rect.y1 - m,
        };
        self.items.push(Item::Fill { ring: rect_ring(&rect), colour: self.style.palette.background, opacity: 0.92 });
        self.items.push(Item::Line {
            points: rect_ring(&rect),
            colour: self.style.palette.neighbour_label,
            width: 1.5 * self.u,
            closed: true,
        });
        self.placer.block(rect);
        rect
    }

    /// Title, subtitle and source line; the page height follows from the source line.
    pub fn finish(mut self, dots: Vec<super::scene::Dot>) -> Scene {
        let u = self.u;
        let m = self.margin();
        let palette = &self.style.palette;
        let title_size = self.style.font.title.0 * u;
        let subtitle_size = self.style.font.subtitle.0 * u;
        let source_size = self.style.font.source.0 * u;
        let title_baseline = m + labels::CAP_HEIGHT * title_size;
        let mut texts = vec![
            Text {
                text: self.title.clone(),
                x: m,
                baseline: title_baseline,
                size: title_size,
                bold: true,
                colour: palette.text,
                align: Align::Left,
                halo: None,
            },
            Text {
                text: self.subtitle.clone(),
                x: m,
                baseline: title_baseline + subtitle_size * 1.5,
                size: subtitle_size,
                bold: false,
                colour: palette.text_muted,
                align: Align::Left,
                halo: None,
            },
        ];
        let credits = "Map data: Natural Earth; GeoNames (CC BY 4.0)";
        let line = format!("{}. {credits}", self.source.trim_end_matches('.'));
        let lines = wrap(&line, source_size, self.width - 2.0 * m);
        let mut baseline = self.frame.rect.y1 + m * 0.5 + labels::CAP_HEIGHT * source_size;
        for text in lines {
            texts.push(Text {
                text,
                x: m,
                baseline,
                size: source_size,
                bold: false,
                colour: palette.text_muted,
                align: Align::Left,
                halo: None,
            });
            baseline += source_size * 1.35;
        }
        let height = baseline - source_size * 1.35 + source_size * 0.3 + m * 0.6;
        self.items.extend(texts.into_iter().map(Item::Text));
        Scene {
            width: self.width.round() as u32,
            height: height.round() as u32,
            background: palette.background,
            items: self.items,
            frame: self.frame,
            labels: self.labels,
            dots,
            dropped: self.dropped,
        }
    }
}

/// The projected bounds of Afghanistan with room for the neighbours' names, the
/// legend (bottom right, over Pakistan) and the scale bar (bottom left, over Iran).
fn map_bounds(provinces: &[Vec<Ring>], projection: &Projection) -> (Xy, Xy) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for rings in provinces {
        for ring in rings {
            for &(x, y) in ring {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    if !x0.is_finite() {
        let (lon0, lat0, lon1, lat1) = super::projection::EXTENT;
        let a = projection.project(lon0, lat0);
        let b = projection.project(lon1, lat1);
        return (a, b);
    }
    let (w, h) = (x1 - x0, y1 - y0);
    ((x0 - 0.07 * w, y0 - 0.08 * h), (x1 + 0.05 * w, y1 + 0.05 * h))
}

pub fn rect_ring(r: &Rect) -> Vec<Xy> {
    vec![(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1)]
}

/// Area and centroid of a ring (shoelace); `None` for a degenerate ring.
fn area_centroid(ring: &[Xy]) -> Option<(f64, Xy)> {
    if ring.len() < 3 {
        return None;
    }
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..ring.len() {
        let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
        let cross = p.0 * q.1 - q.0 * p.1;
        a += cross;
        cx += (p.0 + q.0) * cross;
        cy += (p.1 + q.1) * cross;
    }
    if a.abs() < 1e-9 {
        return None;
    }
    Some((a.abs() / 2.0, (cx / (3.0 * a), cy / (3.0 * a))))
}

/// Greedy word wrap to a pixel width.
pub fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if !current.is_empty() && measure(&candidate, size, false).width > width {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries() {
        let lines = wrap("one two three four five six", 20.0, 120.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "one two three four five six");
        assert!(lines.iter().all(|l| measure(l, 20.0, false).width <= 120.0));
    }

    #[test]
    fn centroid_of_a_square() {
        let (a, c) = area_centroid(&[(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]).unwrap();
        assert_eq!((a, c), (4.0, (1.0, 1.0)));
    }
}
