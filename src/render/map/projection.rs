//! From longitude/latitude to map pixels: a Lambert conformal conic projection fitted
//! to Afghanistan (through proj4rs), the frame that maps projected metres to pixels,
//! and the screen-space thinning and clipping that keep the drawing small.

use geo::{LineString, MultiPolygon};
use proj4rs::proj::Proj;

/// Lambert conformal conic with standard parallels at one sixth and five sixths of
/// Afghanistan's span (29.4–38.5°N), central meridian through its middle: the usual
/// choice for a country wider than tall in the mid-latitudes; scale error under 1%.
const LCC: &str = "+proj=lcc +lat_0=34 +lat_1=31 +lat_2=37 +lon_0=67 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
const WGS84: &str = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";

/// Geographic area the maps show (degrees): Afghanistan with room around it.
pub const EXTENT: (f64, f64, f64, f64) = (59.6, 28.7, 75.4, 39.2);

/// A point in projected metres or in pixels.
pub type Xy = (f64, f64);

/// The map projection.
pub struct Projection {
    from: Proj,
    to: Proj,
}

impl Projection {
    pub fn new() -> Projection {
        Projection {
            from: Proj::from_proj_string(WGS84).expect("a valid proj string"),
            to: Proj::from_proj_string(LCC).expect("a valid proj string"),
        }
    }

    /// Projected metres of a longitude, latitude (degrees). Points the projection
    /// cannot take (none in the region) come back as NaN and are dropped by callers.
    pub fn project(&self, lon: f64, lat: f64) -> Xy {
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        match proj4rs::transform::transform(&self.from, &self.to, &mut p) {
            Ok(()) => (p.0, p.1),
            Err(_) => (f64::NAN, f64::NAN),
        }
    }

    /// Scale factor of the projection at a latitude (1 on the standard parallels),
    /// measured rather than derived so it stays right if the projection changes.
    pub fn scale_at(&self, lon: f64, lat: f64) -> f64 {
        let d = 0.01_f64;
        let a = self.project(lon, lat - d);
        let b = self.project(lon, lat + d);
        let metres = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        // Metres along a meridian for 0.02° at this latitude on the WGS84 ellipsoid.
        let e2 = 0.006_694_379_990_14_f64;
        let phi = lat.to_radians();
        let m = 6_378_137.0 * (1.0 - e2) / (1.0 - e2 * phi.sin().powi(2)).powf(1.5);
        metres / (m * (2.0 * d).to_radians())
    }
}

impl Default for Projection {
    fn default() -> Self {
        Projection::new()
    }
}

/// Projected metres → pixels for one map frame (y grows downward).
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Pixel rectangle of the map: left, top, right, bottom.
    pub rect: Rect,
    min_x: f64,
    max_y: f64,
    /// Pixels per metre.
    pub scale: f64,
}

impl Frame {
    /// Fits projected bounds into a rectangle `width` wide at `left, top`; the height follows.
    pub fn fit(bounds: (Xy, Xy), left: f64, top: f64, width: f64) -> Frame {
        let ((min_x, min_y), (max_x, max_y)) = bounds;
        let scale = width / (max_x - min_x);
        let height = (max_y - min_y) * scale;
        Frame { rect: Rect { x0: left, y0: top, x1: left + width, y1: top + height }, min_x, max_y, scale }
    }

    pub fn to_px(&self, (x, y): Xy) -> Xy {
        (self.rect.x0 + (x - self.min_x) * self.scale, self.rect.y0 + (self.max_y - y) * self.scale)
    }
}

/// An axis-aligned rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }

    pub fn contains(&self, (x, y): Xy) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    pub fn inset(&self, d: f64) -> Rect {
        Rect { x0: self.x0 + d, y0: self.y0 + d, x1: self.x1 - d, y1: self.y1 - d }
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// A ring projected to metres.
pub type Ring = Vec<Xy>;

/// Projects every ring (exterior and holes) of a multipolygon.
pub fn project_rings(projection: &Projection, geometry: &MultiPolygon<f64>) -> Vec<Ring> {
    let mut rings = Vec::new();
    for polygon in &geometry.0 {
        rings.push(project_line(projection, polygon.exterior()));
        for hole in polygon.interiors() {
            rings.push(project_line(projection, hole));
        }
    }
    rings
}

fn project_line(projection: &Projection, line: &LineString<f64>) -> Ring {
    line.coords().map(|c| projection.project(c.x, c.y)).filter(|p| p.0.is_finite() && p.1.is_finite()).collect()
}

/// A ring in pixels, thinned so no two kept points are closer than `tolerance`
/// pixels: at map scale the dropped vertices are invisible, and the SVG shrinks
/// several times. The first and last points are always kept.
pub fn to_px_thinned(frame: &Frame, ring: &[Xy], tolerance: f64) -> Vec<Xy> {
    let mut out: Vec<Xy> = Vec::with_capacity(ring.len() / 2);
    let t2 = tolerance * tolerance;
    for (i, p) in ring.iter().enumerate() {
        let q = frame.to_px(*p);
        match out.last() {
            Some(last) if i + 1 < ring.len() && (q.0 - last.0).powi(2) + (q.1 - last.1).powi(2) < t2 => {}
            _ => out.push(q),
        }
    }
    out
}

/// Sutherland–Hodgman clipping of a closed ring to a rectangle. Rings that leave
/// the rectangle gain edges along its border, which is fine for fills.
pub fn clip_ring(ring: &[Xy], rect: &Rect) -> Vec<Xy> {
    let mut points: Vec<Xy> = ring.to_vec();
    let edges: [(usize, f64, bool); 4] =
        [(0, rect.x0, true), (0, rect.x1, false), (1, rect.y0, true), (1, rect.y1, false)];
    for (axis, bound, keep_greater) in edges {
        if points.is_empty() {
            break;
        }
        let inside = |p: &Xy| {
            let v = if axis == 0 { p.0 } else { p.1 };
            if keep_greater {
                v >= bound
            } else {
                v <= bound
            }
        };
        let mut out = Vec::with_capacity(points.len());
        for i in 0..points.len() {
            let cur = points[i];
            let prev = points[(i + points.len() - 1) % points.len()];
            let crossing = |a: Xy, b: Xy| {
                let (va, vb) = if axis == 0 { (a.0, b.0) } else { (a.1, b.1) };
                let t = (bound - va) / (vb - va);
                (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
            };
            match (inside(&prev), inside(&cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(crossing(prev, cur)),
                (false, true) => {
                    out.push(crossing(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        points = out;
    }
    points
}

/// A line to stroke: its points, and whether it is a ring (its last point is its first).
#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    pub points: Vec<Xy>,
    pub closed: bool,
}

/// The edges of `rings`, each once, as lines: an edge that two rings share (the
/// border between two provinces, walked once by each) is kept from the first ring
/// that has it. Stroking every ring drew each inner border twice, which cost the
/// rasteriser a third of its time on a control map, darkened the border's
/// anti-aliased edges and gave an SVG editor two lines to move. Shared edges are
/// found by their exact end points: the bundled boundaries share their vertices.
pub fn edges_once<'r>(rings: impl IntoIterator<Item = &'r Ring>) -> Vec<Stroke> {
    let key = |a: Xy, b: Xy| {
        let (a, b) = ((a.0.to_bits(), a.1.to_bits()), (b.0.to_bits(), b.1.to_bits()));
        if a <= b {
            (a, b)
        } else {
            (b, a)
        }
    };
    let mut seen = rustc_hash::FxHashSet::default();
    let mut strokes = Vec::new();
    for ring in rings {
        let edges = ring.len().saturating_sub(1);
        let new: Vec<bool> = (0..edges).map(|i| seen.insert(key(ring[i], ring[i + 1]))).collect();
        if new.iter().all(|&n| n) {
            if edges > 0 {
                strokes.push(Stroke { points: ring.clone(), closed: ring.first() == ring.last() });
            }
            continue;
        }
        // Runs of new edges; a run that reaches the ring's end continues into its start.
        let mut runs: Vec<Vec<Xy>> = Vec::new();
        let mut run: Vec<Xy> = Vec::new();
        for i in 0..edges {
            if new[i] {
                if run.is_empty() {
                    run.push(ring[i]);
                }
                run.push(ring[i + 1]);
            } else if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
        }
        let closed = ring.first() == ring.last();
        if !run.is_empty() {
            if closed && new[0] && !runs.is_empty() {
                let first = runs.remove(0);
                run.extend_from_slice(&first[1..]);
            }
            runs.push(run);
        }
        strokes.extend(runs.into_iter().map(|points| Stroke { points, closed: false }));
    }
    strokes
}

/// The parts of a line inside a rectangle (Liang–Barsky, edge by edge).
pub fn clip_line(points: &[Xy], rect: &Rect) -> Vec<Vec<Xy>> {
    let mut parts: Vec<Vec<Xy>> = Vec::new();
    let mut part: Vec<Xy> = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let mut visible = true;
        for (p, q) in [(-dx, a.0 - rect.x0), (dx, rect.x1 - a.0), (-dy, a.1 - rect.y0), (dy, rect.y1 - a.1)] {
            if p == 0.0 {
                if q < 0.0 {
                    visible = false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        if !visible || t0 > t1 {
            if !part.is_empty() {
                parts.push(std::mem::take(&mut part));
            }
            continue;
        }
        let at = |t: f64| {
            if t == 0.0 {
                a
            } else if t == 1.0 {
                b
            } else {
                (a.0 + dx * t, a.1 + dy * t)
            }
        };
        let (start, end) = (at(t0), at(t1));
        if part.last() != Some(&start) {
            if !part.is_empty() {
                parts.push(std::mem::take(&mut part));
            }
            part.push(start);
        }
        part.push(end);
        if t1 < 1.0 {
            parts.push(std::mem::take(&mut part));
        }
    }
    if part.len() >= 2 {
        parts.push(part);
    }
    parts.retain(|p| p.len() >= 2);
    parts
}

/// Is a pixel inside a set of rings (even-odd)?
#[cfg(test)]
fn point_in_rings(rings: &[Vec<Xy>], (x, y): Xy) -> bool {
    let mut inside = false;
    for ring in rings {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            if (a.1 > y) != (b.1 > y) && x < a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0) {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kabul_is_north_east_of_kandahar_and_scale_is_near_one() {
        let p = Projection::new();
        let kabul = p.project(69.17, 34.53);
        let kandahar = p.project(65.71, 31.61);
        assert!(kabul.0 > kandahar.0 && kabul.1 > kandahar.1);
        // Kabul–Kandahar is about 450 km on the ground.
        let km = ((kabul.0 - kandahar.0).powi(2) + (kabul.1 - kandahar.1).powi(2)).sqrt() / 1000.0;
        assert!((440.0..470.0).contains(&km), "{km}");
        for lat in [29.5, 31.0, 34.0, 37.0, 38.5] {
            let k = p.scale_at(67.0, lat);
            assert!((0.99..1.01).contains(&k), "{lat}: {k}");
        }
        assert!((p.scale_at(67.0, 31.0) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn clipping_keeps_the_inside_part() {
        let square = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
        let clipped = clip_ring(&square, &Rect { x0: 0.0, y0: 0.0, x1: 2.0, y1: 2.0 });
        assert_eq!(clipped.len(), 4);
        assert!(clipped.iter().all(|p| p.0 >= 0.0 && p.1 >= 0.0 && p.0 <= 1.0 && p.1 <= 1.0));
        assert!(clip_ring(&square, &Rect { x0: 5.0, y0: 5.0, x1: 6.0, y1: 6.0 }).is_empty());
    }

    #[test]
    fn thinning_keeps_ends_and_drops_close_points() {
        let frame = Frame::fit(((0.0, 0.0), (10.0, 10.0)), 0.0, 0.0, 10.0);
        let ring = [(0.0, 0.0), (0.1, 0.0), (0.2, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 0.0)];
        let thinned = to_px_thinned(&frame, &ring, 1.0);
        assert_eq!(thinned, vec![(0.0, 10.0), (5.0, 10.0), (5.0, 5.0), (0.0, 10.0)]);
        assert!(point_in_rings(&[thinned], (3.0, 9.0)));
    }

    #[test]
    fn a_shared_edge_is_kept_once_from_the_first_ring() {
        // Two unit squares side by side share the edge x = 1, walked in opposite directions.
        let left = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)];
        let right = vec![(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 0.0)];
        let strokes = edges_once([&left, &right]);
        assert_eq!(strokes[0], Stroke { points: left.clone(), closed: true });
        assert_eq!(
            strokes[1..],
            [Stroke { points: vec![(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0)], closed: false }]
        );
        // A ring whose shared edge is in its middle: the run after it wraps into its start.
        let right = vec![(2.0, 1.0), (1.0, 1.0), (1.0, 0.0), (2.0, 0.0), (2.0, 1.0)];
        let strokes = edges_once([&left, &right]);
        assert_eq!(
            strokes[1..],
            [Stroke { points: vec![(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0)], closed: false }]
        );
        let edges: usize = strokes.iter().map(|s| s.points.len() - 1).sum();
        assert_eq!(edges, 7);
    }

    #[test]
    fn line_clipping_keeps_the_inside_parts() {
        let rect = Rect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
        // In, out across the right side, back in: two parts, cut at x = 10.
        let line = [(5.0, 5.0), (15.0, 5.0), (15.0, 8.0), (5.0, 8.0)];
        assert_eq!(clip_line(&line, &rect), vec![vec![(5.0, 5.0), (10.0, 5.0)], vec![(10.0, 8.0), (5.0, 8.0)]]);
        assert_eq!(
            clip_line(&[(1.0, 1.0), (2.0, 2.0), (3.0, 1.0)], &rect),
            vec![vec![(1.0, 1.0), (2.0, 2.0), (3.0, 1.0)]]
        );
        assert!(clip_line(&[(20.0, 20.0), (30.0, 20.0)], &rect).is_empty());
        // Through the rectangle from outside to outside.
        assert_eq!(clip_line(&[(-5.0, 5.0), (15.0, 5.0)], &rect), vec![vec![(0.0, 5.0), (10.0, 5.0)]]);
    }
}
