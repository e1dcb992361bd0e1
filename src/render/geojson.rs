//! GeoJSON writing as GIS clients expect it: RFC 7946 (longitude, latitude;
//! counter-clockwise outer rings; no `crs`), coordinates rounded to 6 decimals,
//! flat scalar properties only (QGIS cannot write layers with nested or
//! always-empty-array fields), one geometry type per file, same bytes for the same
//! input.

use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use std::fmt::Write as _;

/// A property value: scalars only.
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    Str(String),
    /// A calendar date, written `YYYY-MM-DD` (GDAL reads it as a Date field).
    Date(chrono::NaiveDate),
    Int(i64),
    /// A real number with a fixed number of decimals.
    Real(f64, usize),
    Bool(bool),
    Null,
}

impl From<&str> for Prop {
    fn from(s: &str) -> Prop {
        Prop::Str(s.to_owned())
    }
}

impl From<String> for Prop {
    fn from(s: String) -> Prop {
        Prop::Str(s)
    }
}

impl From<i64> for Prop {
    fn from(v: i64) -> Prop {
        Prop::Int(v)
    }
}

impl From<u64> for Prop {
    fn from(v: u64) -> Prop {
        Prop::Int(v as i64)
    }
}

impl From<bool> for Prop {
    fn from(v: bool) -> Prop {
        Prop::Bool(v)
    }
}

impl<T: Into<Prop>> From<Option<T>> for Prop {
    fn from(v: Option<T>) -> Prop {
        v.map(Into::into).unwrap_or(Prop::Null)
    }
}

/// A geometry to write.
pub enum Shape<'a> {
    Point(Point<f64>),
    LineString(&'a LineString<f64>),
    MultiPolygon(&'a MultiPolygon<f64>),
}

/// Writes a FeatureCollection, one feature a line.
pub struct CollectionWriter {
    out: String,
    count: usize,
}

impl Default for CollectionWriter {
    fn default() -> Self {
        CollectionWriter::new()
    }
}

impl CollectionWriter {
    pub fn new() -> CollectionWriter {
        CollectionWriter { out: String::from("{\"type\":\"FeatureCollection\",\"features\":[\n"), count: 0 }
    }

    /// Adds a feature. `id` becomes the feature's `id` member.
    pub fn feature(&mut self, id: &str, properties: &[(&str, Prop)], shape: Shape<'_>) {
        if self.count > 0 {
            self.out.push_str(",\n");
        }
        self.count += 1;
        self.out.push_str("{\"type\":\"Feature\",\"id\":");
        push_json_string(&mut self.out, id);
        self.out.push_str(",\"properties\":{");
        for (i, (key, value)) in properties.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_json_string(&mut self.out, key);
            self.out.push(':');
            push_prop(&mut self.out, value);
        }
        self.out.push_str("},\"geometry\":");
        push_shape(&mut self.out, &shape);
        self.out.push('}');
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("\n]}\n");
        self.out
    }
}

fn push_prop(out: &mut String, value: &Prop) {
    match value {
        Prop::Str(s) => push_json_string(out, s),
        Prop::Date(d) => {
            let _ = write!(out, "\"{}\"", d.format("%Y-%m-%d"));
        }
        Prop::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Prop::Real(v, decimals) if v.is_finite() => push_fixed(out, *v, *decimals),
        Prop::Real(..) | Prop::Null => out.push_str("null"),
        Prop::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// A fixed-precision number without a negative zero.
pub fn push_fixed(out: &mut String, v: f64, decimals: usize) {
    let start = out.len();
    let _ = write!(out, "{v:.decimals$}");
    if out[start..].starts_with('-') && out[start + 1..].bytes().all(|b| b == b'0' || b == b'.') {
        out.remove(start);
    }
}

pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

const DECIMALS: usize = 6;

fn push_coord(out: &mut String, c: Coord<f64>) {
    out.push('[');
    push_fixed(out, c.x, DECIMALS);
    out.push(',');
    push_fixed(out, c.y, DECIMALS);
    out.push(']');
}

fn push_shape(out: &mut String, shape: &Shape<'_>) {
    match shape {
        Shape::Point(p) => {
            out.push_str("{\"type\":\"Point\",\"coordinates\":");
            push_coord(out, p.0);
            out.push('}');
        }
        Shape::LineString(line) => {
            out.push_str("{\"type\":\"LineString\",\"coordinates\":[");
            for (i, c) in line.coords().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_coord(out, *c);
            }
            out.push_str("]}");
        }
        Shape::MultiPolygon(multi) => {
            out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (i, polygon) in multi.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_polygon(out, polygon);
            }
            out.push_str("]}");
        }
    }
}

fn push_polygon(out: &mut String, polygon: &Polygon<f64>) {
    out.push('[');
    push_ring(out, polygon.exterior(), true);
    for ring in polygon.interiors() {
        out.push(',');
        push_ring(out, ring, false);
    }
    out.push(']');
}

/// Twice the signed area: positive for counter-clockwise rings.
pub fn signed_area2(ring: &LineString<f64>) -> f64 {
    ring.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum()
}

fn push_ring(out: &mut String, ring: &LineString<f64>, counter_clockwise: bool) {
    let reverse = (signed_area2(ring) > 0.0) != counter_clockwise;
    out.push('[');
    let coords: Box<dyn Iterator<Item = &Coord<f64>>> =
        if reverse { Box::new(ring.0.iter().rev()) } else { Box::new(ring.0.iter()) };
    for (i, c) in coords.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_coord(out, *c);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn clockwise_rings_are_written_counter_clockwise() {
        let clockwise = polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)];
        assert!(signed_area2(clockwise.exterior()) < 0.0);
        let mut w = CollectionWriter::new();
        w.feature("a", &[], Shape::MultiPolygon(&MultiPolygon(vec![clockwise])));
        let text = w.finish();
        let parsed: geojson::FeatureCollection = text.parse().unwrap();
        let geometry: geo::Geometry<f64> = parsed.features[0].geometry.clone().unwrap().try_into().unwrap();
        let geo::Geometry::MultiPolygon(m) = geometry else { panic!("not a multipolygon") };
        assert!(signed_area2(m.0[0].exterior()) > 0.0);
    }

    #[test]
    fn properties_are_flat_scalars_with_fixed_precision() {
        let mut w = CollectionWriter::new();
        w.feature(
            "x",
            &[
                ("name", Prop::from("Qala \"i\" Naw")),
                ("count", Prop::Int(3)),
                ("share", Prop::Real(-0.0000001, 3)),
                ("date", Prop::Date(chrono::NaiveDate::from_ymd_opt(2021, 8, 10).unwrap())),
                ("none", Prop::Null),
            ],
            Shape::Point(Point::new(69.172334, 34.528127)),
        );
        let text = w.finish();
        assert!(
            text.contains(r#""name":"Qala \"i\" Naw","count":3,"share":0.000,"date":"2021-08-10","none":null"#),
            "{text}"
        );
        assert!(text.contains("[69.172334,34.528127]"));
        let _: geojson::FeatureCollection = text.parse().unwrap();
    }
}
