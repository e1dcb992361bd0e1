//! The control map: provinces filled by who holds them (contested ones hatched),
//! provincial capitals as dots in their own status, labelled most important first
//! without overlaps, and a legend with the count of capitals each side holds.

use super::labels::{self, measure, Align};
use super::page::{rect_ring, Page};
use super::projection::{Rect, Xy};
use super::scene::{Dot, Item, LabelKind, Scene, Text};
use super::style::StatusColours;
use super::{MapData, MapOptions};
use crate::ledger::Status;

/// Lays out the control map.
pub fn scene(data: &MapData, options: &MapOptions) -> Scene {
    let date = data.date.format("%-d %B %Y");
    let mut page =
        Page::new(data, options, "Who holds Afghanistan's provincial capitals".to_owned(), format!("As of {date}"));
    let style = page.style;
    let u = page.u;
    page.draw_neighbours();

    let statuses: Vec<Status> = data
        .gazetteer
        .provinces
        .iter()
        .map(|p| data.provinces.get(&p.iso_code).copied().unwrap_or(Status::Unknown))
        .collect();
    for (rings, status) in page.provinces.iter().zip(&statuses) {
        for ring in rings {
            page.items.push(Item::Fill { ring: ring.clone(), colour: style.palette.area.of(*status), opacity: 1.0 });
        }
    }
    let mut hatching = Vec::new();
    for (rings, status) in page.provinces.iter().zip(&statuses) {
        if *status == Status::Contested {
            hatch(
                &mut hatching,
                rings,
                &style.palette.area,
                style.size.hatch_spacing.0 * u,
                style.size.hatch_width.0 * u,
            );
        }
    }
    page.items.extend(hatching);
    page.draw_borders(
        style.palette.province_border,
        style.size.province_border.0,
        style.palette.country_outline,
        style.size.country_outline.0,
    );

    // Capitals: every province's, with the capital's own status where it has one.
    let mut capitals: Vec<(Dot, &str, u64, bool)> = Vec::new();
    for (province, province_status) in data.gazetteer.provinces.iter().zip(&statuses) {
        let entry = data.gazetteer.entry(province.capital);
        let Some(point) = entry.point else { continue };
        let status = data.places.get(&province.capital).copied().or(Some(*province_status));
        let kabul = entry.feature_code == "PPLC";
        let radius = if kabul { style.size.kabul_dot_radius.0 } else { style.size.dot_radius.0 } * u;
        let centre = page.to_px(point.x(), point.y());
        capitals.push((
            Dot { entry: province.capital, centre, radius, status },
            entry.name.as_str(),
            entry.population,
            kabul,
        ));
    }
    // Most important first: Kabul, then the larger cities.
    capitals.sort_by(|a, b| b.3.cmp(&a.3).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));

    let legend = legend_size(&page, &capitals);
    let legend_rect = page.legend_box(legend.0, legend.1);
    draw_legend(&mut page, legend_rect, &capitals);
    page.draw_scale_bar();

    let outline = style.size.dot_outline.0 * u;
    for (dot, _, _, kabul) in &capitals {
        page.placer.block(dot_box(dot, outline));
        draw_dot(
            &mut page.items,
            dot,
            *kabul,
            &style.palette.point,
            style.palette.dot_outline,
            style.palette.halo,
            outline,
        );
    }
    for (dot, name, _, kabul) in &capitals {
        let size = if *kabul { style.font.kabul.0 } else { style.font.label.0 } * u;
        let extent = measure(name, size, *kabul);
        let candidates = labels::around_point(dot.centre, dot.radius + outline, 4.0 * u, size, extent);
        match page.placer.place(extent, &candidates, &[dot_box(dot, outline)]) {
            Some((anchor, rect)) => {
                page.push_label((*name).to_owned(), LabelKind::Capital, anchor, rect, size, *kabul, style.palette.text)
            }
            None => page.dropped.push((*name).to_owned()),
        }
    }
    page.label_neighbours();
    let dots = capitals.into_iter().map(|(dot, ..)| dot).collect();
    page.finish(dots)
}

fn dot_box(dot: &Dot, outline: f64) -> Rect {
    let r = dot.radius + outline;
    Rect { x0: dot.centre.0 - r, y0: dot.centre.1 - r, x1: dot.centre.0 + r, y1: dot.centre.1 + r }
}

/// A capital: its status colour inside a dark outline and a light ring, so it
/// reads on a province of any colour; Kabul's dot is larger with a centre dot.
fn draw_dot(
    items: &mut Vec<Item>,
    dot: &Dot,
    kabul: bool,
    colours: &StatusColours,
    outline: super::style::Colour,
    halo: super::style::Colour,
    width: f64,
) {
    let fill = colours.of(dot.status.unwrap_or(Status::Unknown));
    items.push(Item::Circle {
        centre: dot.centre,
        radius: dot.radius + width,
        fill: Some(halo),
        stroke: None,
        opacity: 1.0,
    });
    items.push(Item::Circle { centre: dot.centre, radius: dot.radius, fill: Some(fill), stroke: None, opacity: 1.0 });
    items.push(Item::Circle {
        centre: dot.centre,
        radius: dot.radius - width / 2.0,
        fill: None,
        stroke: Some((outline, width * 0.7)),
        opacity: 1.0,
    });
    if kabul {
        items.push(Item::Circle {
            centre: dot.centre,
            radius: dot.radius * 0.35,
            fill: Some(outline),
            stroke: None,
            opacity: 1.0,
        });
    }
}

/// Diagonal hatching inside rings (even-odd): lines at 45° on a grid fixed to the
/// page, so neighbouring contested provinces hatch as one.
fn hatch(items: &mut Vec<Item>, rings: &[Vec<Xy>], colours: &StatusColours, spacing: f64, width: f64) {
    if spacing <= 0.0 {
        return;
    }
    // Lines x + y = c run from bottom left to top right on screen.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in rings.iter().flatten() {
        lo = lo.min(p.0 + p.1);
        hi = hi.max(p.0 + p.1);
    }
    let step = spacing * std::f64::consts::SQRT_2;
    let mut c = (lo / step).ceil() * step;
    while c <= hi {
        let mut xs: Vec<f64> = Vec::new();
        for ring in rings {
            for i in 0..ring.len() {
                let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
                let (ca, cb) = (a.0 + a.1, b.0 + b.1);
                if (ca > c) != (cb > c) {
                    let t = (c - ca) / (cb - ca);
                    xs.push(a.0 + (b.0 - a.0) * t);
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            items.push(Item::Line {
                points: vec![(pair[0], c - pair[0]), (pair[1], c - pair[1])],
                colour: colours.contested_hatch,
                width,
                closed: false,
            });
        }
        c += step;
    }
}

/// Legend rows: statuses always shown, then the rarer ones only when present.
fn legend_rows(capitals: &[(Dot, &str, u64, bool)]) -> Vec<(Status, String)> {
    let total = capitals.len();
    let mut rows = Vec::new();
    for status in [Status::Taliban, Status::Contested, Status::Government, Status::Resistance, Status::Unknown] {
        let n = capitals.iter().filter(|(d, ..)| d.status.unwrap_or(Status::Unknown) == status).count();
        if n > 0 || matches!(status, Status::Taliban | Status::Contested | Status::Government) {
            rows.push((status, format!("{}: {n} of {total} provincial capitals", status.label())));
        }
    }
    rows
}

const LEGEND_TITLE: &str = "Held by";

fn legend_size(page: &Page, capitals: &[(Dot, &str, u64, bool)]) -> (f64, f64) {
    let u = page.u;
    let size = page.style.font.legend.0 * u;
    let rows = legend_rows(capitals);
    let text_width =
        rows.iter().map(|(_, t)| measure(t, size, false).width).fold(measure(LEGEND_TITLE, size, true).width, f64::max);
    let pad = 24.0 * u;
    let swatch = 1.9 * size;
    (2.0 * pad + swatch + 0.5 * size + text_width, 2.0 * pad + size * 1.6 * (rows.len() + 1) as f64 - size * 0.4)
}

fn draw_legend(page: &mut Page, rect: Rect, capitals: &[(Dot, &str, u64, bool)]) {
    let u = page.u;
    let style = page.style;
    let size = style.font.legend.0 * u;
    let pad = 24.0 * u;
    let row = size * 1.6;
    let (x, mut top) = (rect.x0 + pad, rect.y0 + pad);
    page.items.push(Item::Text(Text {
        text: LEGEND_TITLE.to_owned(),
        x,
        baseline: top + labels::CAP_HEIGHT * size,
        size,
        bold: true,
        colour: style.palette.text,
        align: Align::Left,
        halo: None,
    }));
    top += row;
    let swatch_w = 1.9 * size;
    let swatch_h = 1.15 * size;
    for (status, text) in legend_rows(capitals) {
        let sw = Rect { x0: x, y0: top - 0.2 * size, x1: x + swatch_w, y1: top - 0.2 * size + swatch_h };
        let ring = rect_ring(&sw);
        page.items.push(Item::Fill { ring: ring.clone(), colour: style.palette.area.of(status), opacity: 1.0 });
        if status == Status::Contested {
            hatch(
                &mut page.items,
                std::slice::from_ref(&ring),
                &style.palette.area,
                style.size.hatch_spacing.0 * u,
                style.size.hatch_width.0 * u,
            );
        }
        page.items.push(Item::Line {
            points: ring,
            colour: style.palette.neighbour_label,
            width: 1.0 * u,
            closed: true,
        });
        let dot = Dot {
            entry: 0,
            centre: ((sw.x0 + sw.x1) / 2.0, (sw.y0 + sw.y1) / 2.0),
            radius: style.size.dot_radius.0 * u,
            status: Some(status),
        };
        let outline = style.size.dot_outline.0 * u;
        draw_dot(
            &mut page.items,
            &dot,
            false,
            &style.palette.point,
            style.palette.dot_outline,
            style.palette.halo,
            outline,
        );
        page.items.push(Item::Text(Text {
            text,
            x: sw.x1 + 0.5 * size,
            baseline: (sw.y0 + sw.y1) / 2.0 + labels::CAP_HEIGHT * size / 2.0,
            size,
            bold: false,
            colour: style.palette.text,
            align: Align::Left,
            halo: None,
        }));
        top += row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hatching_stays_inside_the_ring() {
        let square = vec![(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)];
        let mut items = Vec::new();
        hatch(&mut items, &[square], &StatusColours::default(), 10.0, 2.0);
        assert!(items.len() > 10);
        for item in items {
            let Item::Line { points, .. } = item else { panic!("hatching is lines") };
            for (x, y) in points {
                assert!((-1e-9..=100.0 + 1e-9).contains(&x) && (-1e-9..=100.0 + 1e-9).contains(&y));
            }
        }
    }
}
