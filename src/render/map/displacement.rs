//! The displacement map: faint provinces, curved arrows from origin to destination
//! as wide as the square root of the people moving (so arrow area reads true),
//! circles at destinations sized the same way by arrivals, and count labels as
//! reported ("17,000 families"; "~" marks a vague count).

use super::labels::{self, measure, Align, Anchor};
use super::page::Page;
use super::projection::{Rect, Xy};
use super::scene::{Dot, Item, LabelKind, Scene, Text};
use super::{CountUnit, Flow, MapData, MapOptions};
use crate::gazetteer::{EntryId, Kind};
use std::collections::BTreeMap;

/// How far a flow bows sideways, as a share of its length.
const BEND: f64 = 0.18;

/// Lays out the displacement map.
pub fn scene(data: &MapData, options: &MapOptions) -> Scene {
    let date = data.date.format("%-d %B %Y");
    let mut page = Page::new(
        data,
        options,
        "People displaced by the fighting".to_owned(),
        format!("Movements reported up to {date}"),
    );
    let style = page.style;
    let palette = &style.palette;
    let u = page.u;
    page.draw_neighbours();
    for ring in page.provinces.iter().flatten() {
        page.items.push(Item::Fill { ring: ring.clone(), colour: palette.faint_province, opacity: 1.0 });
    }
    page.draw_borders(
        palette.background,
        style.size.province_border.0,
        palette.neighbour_label,
        style.size.country_outline.0 * 0.6,
    );

    let reference = style.flow_reference_people.max(1) as f64;
    let width_of = |people: u64| {
        (style.size.flow_reference_width.0 * (people as f64 / reference).sqrt()).max(style.size.flow_min_width.0) * u
    };
    let radius_of = |people: u64| {
        (style.size.arrivals_reference_radius.0 * (people as f64 / reference).sqrt())
            .max(style.size.arrivals_min_radius.0)
            * u
    };
    // Every place the map needs, projected once: flow ends and Kabul.
    let kabul = data.gazetteer.entries.iter().position(|e| e.feature_code == "PPLC").map(|i| i as EntryId);
    let mut located: BTreeMap<EntryId, Xy> = BTreeMap::new();
    for id in data.flows.iter().flat_map(|f| [f.origin, f.destination]).chain([kabul]).flatten() {
        if let Some(p) = data.gazetteer.entry(id).point {
            located.insert(id, page.to_px(p.x(), p.y()));
        }
    }
    let point =
        |id: Option<EntryId>| -> Option<(EntryId, Xy)> { id.and_then(|id| located.get(&id).map(|at| (id, *at))) };
    let inner = page.frame.rect.inset(page.margin());

    // The flows drawn: the largest by people, at most `max_flows`; the legend says how
    // many were left off.
    let mut order: Vec<usize> = (0..data.flows.len()).collect();
    order.sort_by(|a, b| data.flows[*b].people.cmp(&data.flows[*a].people).then(a.cmp(b)));
    order.truncate(style.max_flows.max(1));
    let shown: Vec<&Flow> = order.iter().map(|&i| &data.flows[i]).collect();

    // Arrivals at the drawn flows' destinations inside the frame, counting every flow
    // that ends there (a circle with no arrow to it would be a place without a name).
    let mut arrivals: BTreeMap<EntryId, (Xy, u64)> = BTreeMap::new();
    for flow in &shown {
        if let Some((id, at)) = point(flow.destination).filter(|(_, at)| inner.contains(*at)) {
            arrivals.insert(id, (at, 0));
        }
    }
    for flow in &data.flows {
        if let Some(arrived) = flow.destination.and_then(|id| arrivals.get_mut(&id)) {
            arrived.1 += flow.people;
        }
    }
    let rows = legend_rows(&page, &shown, data.flows.len());
    let legend = legend_size(&page, &rows);
    let legend_rect = page.legend_box(legend.0, legend.1);
    draw_legend(&mut page, legend_rect, rows, &width_of, &radius_of);
    page.draw_scale_bar();

    // Largest circles first, so small ones stay visible on top.
    let mut circles: Vec<(EntryId, Xy, u64)> = arrivals.iter().map(|(id, (at, n))| (*id, *at, *n)).collect();
    circles.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for (_, at, n) in &circles {
        let r = radius_of(*n);
        page.items.push(Item::Circle {
            centre: *at,
            radius: r,
            fill: Some(palette.arrivals),
            stroke: None,
            opacity: 0.45,
        });
        page.items.push(Item::Circle {
            centre: *at,
            radius: r,
            fill: None,
            stroke: Some((palette.arrivals_outline, 2.5 * u)),
            opacity: 1.0,
        });
        page.placer.block(circle_box(*at, r * 0.7));
    }

    // Flows, widest first.
    let origin_r = 7.0 * u;
    // Flows leave a place from the edge of its arrivals circle if it has one (people
    // left Kabul while others arrived), else from its dot.
    let start_gap = |id: EntryId| match arrivals.get(&id) {
        Some((_, n)) => radius_of(*n) + 4.0 * u,
        None => origin_r + 3.0 * u,
    };
    let mut flow_labels: Vec<(String, Vec<Spot>, Vec<Rect>)> = Vec::new();
    let mut places: BTreeMap<EntryId, (Xy, f64)> = BTreeMap::new();
    // Arrows keep count labels off them, not place names: a name (with its halo)
    // may cross a flow, as on any flow map, or crowded origins go unnamed.
    let mut arrow_boxes: Vec<Rect> = Vec::new();
    let centre = afghan_centre(&page);
    for flow in shown {
        let w = width_of(flow.people);
        let label = count_label(flow);
        // Two lines when there is a count, the note alone when there is none.
        let with = |note: String| match &label {
            Some(count) => format!("{note}\n{count}"),
            None => note,
        };
        let then = |note: &str| match &label {
            Some(count) => format!("{count}\n{note}"),
            None => note.to_owned(),
        };
        let drawn = match (point(flow.origin), point(flow.destination)) {
            (Some((oid, from)), Some((did, to))) if inner.contains(to) => {
                places.entry(oid).or_insert((from, origin_r));
                let r = radius_of(arrivals.get(&did).map_or(flow.people, |a| a.1));
                places.entry(did).or_insert((to, r));
                arrow(from, to, start_gap(oid), r + 4.0 * u, w, u, BEND, &MIDDLE).map(|a| (a, label.clone()))
            }
            (Some((oid, from)), Some((did, to))) => {
                // Off the map (Doha): to the frame's edge, nearly straight so the
                // direction reads, labelled where it leaves.
                places.entry(oid).or_insert((from, origin_r));
                let name = &data.gazetteer.entry(did).name;
                arrow(from, edge_point(from, to, &inner), start_gap(oid), 0.0, w, u, BEND / 3.0, &NEAR_END)
                    .map(|a| (a, Some(with(format!("To {name}")))))
            }
            (Some((oid, from)), None) => {
                // Destination unknown: a short arrow out of the origin, away from the
                // middle of the country.
                places.entry(oid).or_insert((from, origin_r));
                let (dx, dy) = unit(from.0 - centre.0, from.1 - centre.1).unwrap_or((0.0, -1.0));
                let end = (from.0 + dx * 130.0 * u, from.1 + dy * 130.0 * u);
                // The label reads on from the arrow's tip, where the destination would be.
                arrow(from, end, start_gap(oid), 0.0, w, u, BEND, &MIDDLE).map(|mut a| {
                    a.label_spots.rotate_right(1);
                    (a, Some(then("destination unknown")))
                })
            }
            (None, Some((did, to))) => {
                if inner.contains(to) {
                    let r = radius_of(arrivals.get(&did).map_or(flow.people, |a| a.1));
                    places.entry(did).or_insert((to, r));
                    flow_labels.push((
                        then("origin unknown"),
                        vec![Spot::Around(to, r)],
                        vec![circle_box(to, r * 0.7)],
                    ));
                }
                None
            }
            (None, None) => None,
        };
        if let Some((arrow, text)) = drawn {
            // A flow without a number is drawn faint: the movement is reported, its size is not.
            let opacity = if flow.count == 0 { UNCOUNTED_OPACITY } else { FLOW_OPACITY };
            push_arrow(&mut page, &arrow.outline, u, opacity);
            arrow_boxes.extend(arrow.boxes.iter().copied());
            if let Some(text) = text {
                flow_labels.push((text, arrow.label_spots, arrow.boxes));
            }
        }
    }

    // Origins as small dots; Kabul always, for orientation.
    if let Some((id, at)) = point(kabul) {
        places.entry(id).or_insert((at, origin_r));
    }
    let mut dots = Vec::new();
    for (id, (at, r)) in &places {
        if !arrivals.contains_key(id) {
            page.items.push(Item::Circle {
                centre: *at,
                radius: origin_r + 2.0 * u,
                fill: Some(palette.halo),
                stroke: None,
                opacity: 1.0,
            });
            page.items.push(Item::Circle {
                centre: *at,
                radius: origin_r,
                fill: Some(palette.text),
                stroke: None,
                opacity: 1.0,
            });
            page.placer.block(circle_box(*at, origin_r + 2.0 * u));
        }
        dots.push(Dot { entry: *id, centre: *at, radius: *r, status: None });
    }

    // Place names first: a count whose origin is unnamed says nothing.
    let mut named: Vec<(EntryId, Xy, f64)> = places.iter().map(|(id, (at, r))| (*id, *at, *r)).collect();
    named.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    for (id, at, r) in named {
        let entry = data.gazetteer.entry(id);
        let kabul = entry.feature_code == "PPLC";
        let size = if kabul { style.font.kabul.0 } else { style.font.label.0 } * u;
        // A province is drawn at its label point: say so, or "Sar-e Pul" the
        // province reads as Sar-e Pul the city beside it.
        let name = if entry.kind == Kind::Province { format!("{} province", entry.name) } else { entry.name.clone() };
        let extent = measure(&name, size, kabul);
        // A place that people both left and reached is labelled round its circle.
        let r = arrivals.get(&id).map_or(r, |(_, n)| radius_of(*n));
        let own = if arrivals.contains_key(&id) { circle_box(at, r * 0.7) } else { circle_box(at, origin_r + 2.0 * u) };
        let candidates = labels::around_point(at, r, 6.0 * u, size, extent);
        match page.placer.place(extent, &candidates, &[own]) {
            Some((anchor, rect)) => page.push_label(name, LabelKind::Place, anchor, rect, size, kabul, palette.text),
            None => page.dropped.push(name),
        }
    }
    for rect in &arrow_boxes {
        page.placer.block(*rect);
    }
    // Then the counts: they have more places to go along their arrows. A label
    // may touch its own arrow or circle, not another's.
    let size = style.font.flow_label.0 * u;
    // Where flows crowd (everything converging on Kabul) a count that fits nowhere
    // clear of other arrows may cross one, halo and all, rather than go missing;
    // it still never covers a label, a dot or a circle.
    let mut crowded = Vec::new();
    for (text, spots, own) in flow_labels {
        let extent = measure(&text, size, true);
        let anchors = anchors(&spots, extent, size, u);
        match page.placer.place(extent, &anchors, &own) {
            Some((anchor, rect)) => page.push_label(text, LabelKind::Flow, anchor, rect, size, true, palette.flow),
            None => crowded.push((text, extent, anchors)),
        }
    }
    for (text, extent, anchors) in crowded {
        match page.placer.place(extent, &anchors, &arrow_boxes) {
            Some((anchor, rect)) => page.push_label(text, LabelKind::Flow, anchor, rect, size, true, palette.flow),
            None => page.dropped.push(text),
        }
    }
    page.label_neighbours();
    page.finish(dots)
}

/// Where along a flow its count label goes, best first (shares of the shaft).
const MIDDLE: [f64; 7] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];
const NEAR_END: [f64; 7] = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];

/// "17,000 families"; "~200 families" for a vague count; `None` when the report
/// gave no number (count 0).
pub fn count_label(flow: &Flow) -> Option<String> {
    if flow.count == 0 {
        return None;
    }
    let unit = match (flow.unit, flow.count == 1) {
        (CountUnit::People, true) => "person",
        (CountUnit::People, false) => "people",
        (CountUnit::Families, true) => "family",
        (CountUnit::Families, false) => "families",
        (CountUnit::Households, true) => "household",
        (CountUnit::Households, false) => "households",
    };
    let tilde = if flow.vague { "~" } else { "" };
    Some(format!("{tilde}{} {unit}", labels::thousands(flow.count)))
}

fn circle_box(at: Xy, r: f64) -> Rect {
    Rect { x0: at.0 - r, y0: at.1 - r, x1: at.0 + r, y1: at.1 + r }
}

fn unit(dx: f64, dy: f64) -> Option<Xy> {
    let len = (dx * dx + dy * dy).sqrt();
    (len > 1e-9).then(|| (dx / len, dy / len))
}

/// Where the line from `from` towards `to` (outside) leaves `rect`.
fn edge_point(from: Xy, to: Xy, rect: &Rect) -> Xy {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let mut t = 1.0_f64;
    if dx < 0.0 {
        t = t.min((rect.x0 - from.0) / dx);
    }
    if dx > 0.0 {
        t = t.min((rect.x1 - from.0) / dx);
    }
    if dy < 0.0 {
        t = t.min((rect.y0 - from.1) / dy);
    }
    if dy > 0.0 {
        t = t.min((rect.y1 - from.1) / dy);
    }
    (from.0 + dx * t.max(0.0), from.1 + dy * t.max(0.0))
}

/// The middle of Afghanistan on the page (bounding box of the provinces).
fn afghan_centre(page: &Page) -> Xy {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in page.provinces.iter().flatten().flatten() {
        x0 = x0.min(p.0);
        y0 = y0.min(p.1);
        x1 = x1.max(p.0);
        y1 = y1.max(p.1);
    }
    ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
}

struct Arrow {
    outline: Vec<Xy>,
    /// Places for its count label, best first: beside the middle of the curve.
    label_spots: Vec<Spot>,
    boxes: Vec<Rect>,
}

/// A curved arrow from `from` to `to`, leaving `start_gap` and `end_gap` pixels
/// free at its ends, `w` wide, as one outline (shaft and head). A flow too short
/// to draw between its ends starts further back, so its head still shows.
#[allow(clippy::too_many_arguments)]
fn arrow(from: Xy, to: Xy, start_gap: f64, end_gap: f64, w: f64, u: f64, bend: f64, label_at: &[f64]) -> Option<Arrow> {
    let (dx, dy) = unit(to.0 - from.0, to.1 - from.1)?;
    let head_w = (w * 2.0).max(w + 18.0 * u);
    let head_l = head_w * 0.9;
    let min_len = head_l * 1.6 + 30.0 * u;
    let end = (to.0 - dx * end_gap, to.1 - dy * end_gap);
    let mut start = (from.0 + dx * start_gap, from.1 + dy * start_gap);
    let len = (end.0 - start.0) * dx + (end.1 - start.1) * dy;
    if len < min_len {
        start = (end.0 - dx * min_len, end.1 - dy * min_len);
    }
    let len = ((end.0 - start.0).powi(2) + (end.1 - start.1).powi(2)).sqrt();
    // Bow to the left of the direction of travel (on screen), consistently.
    let normal = (dy, -dx);
    let control = ((start.0 + end.0) / 2.0 + normal.0 * bend * len, (start.1 + end.1) / 2.0 + normal.1 * bend * len);
    let at = |t: f64| {
        let s = 1.0 - t;
        (
            s * s * start.0 + 2.0 * s * t * control.0 + t * t * end.0,
            s * s * start.1 + 2.0 * s * t * control.1 + t * t * end.1,
        )
    };
    let tangent = |t: f64| {
        let (tx, ty) = (
            2.0 * (1.0 - t) * (control.0 - start.0) + 2.0 * t * (end.0 - control.0),
            2.0 * (1.0 - t) * (control.1 - start.1) + 2.0 * t * (end.1 - control.1),
        );
        unit(tx, ty).unwrap_or((dx, dy))
    };
    // Arc length table to find where the head begins.
    const STEPS: usize = 48;
    let mut lengths = vec![0.0];
    let mut previous = start;
    for i in 1..=STEPS {
        let p = at(i as f64 / STEPS as f64);
        lengths.push(lengths[i - 1] + ((p.0 - previous.0).powi(2) + (p.1 - previous.1).powi(2)).sqrt());
        previous = p;
    }
    let total = lengths[STEPS];
    let head_start = total - head_l;
    let t_head = lengths.iter().position(|l| *l >= head_start).unwrap_or(STEPS) as f64 / STEPS as f64;
    let mut left = Vec::new();
    let mut right = Vec::new();
    let shaft_steps = ((t_head * STEPS as f64).ceil() as usize).max(1);
    for i in 0..=shaft_steps {
        let t = t_head * i as f64 / shaft_steps as f64;
        let p = at(t);
        let (tx, ty) = tangent(t);
        let n = (ty, -tx);
        left.push((p.0 + n.0 * w / 2.0, p.1 + n.1 * w / 2.0));
        right.push((p.0 - n.0 * w / 2.0, p.1 - n.1 * w / 2.0));
    }
    let base = at(t_head);
    let (tx, ty) = tangent(t_head);
    let n = (ty, -tx);
    let mut outline = left;
    outline.push((base.0 + n.0 * head_w / 2.0, base.1 + n.1 * head_w / 2.0));
    outline.push(end);
    outline.push((base.0 - n.0 * head_w / 2.0, base.1 - n.1 * head_w / 2.0));
    outline.extend(right.into_iter().rev());

    // Beside the shaft, the outer side of the bow first (it has more room); then
    // further out; then round the tip.
    let mut spots = Vec::new();
    for gap in [8.0 * u, 40.0 * u, 80.0 * u] {
        for &t in label_at {
            let p = at(t * t_head);
            let (tx, ty) = tangent(t * t_head);
            for side in [1.0, -1.0] {
                let n = (ty * side, -tx * side);
                let d = w / 2.0 + gap;
                spots.push(Spot::Beside((p.0 + n.0 * d, p.1 + n.1 * d), n));
            }
        }
    }
    spots.push(Spot::Around(end, 4.0 * u));
    // Squares along the centre line: what other labels must keep off.
    let boxes = (0..=STEPS / 4)
        .map(|i| {
            let p = at(i as f64 * 4.0 / STEPS as f64);
            let half = (w / 2.0).max(3.0 * u);
            Rect { x0: p.0 - half, y0: p.1 - half, x1: p.0 + half, y1: p.1 + half }
        })
        .collect();
    Some(Arrow { outline, label_spots: spots, boxes })
}

/// A place a label may go: beside a point of a curve (with the side's normal),
/// or around a point or circle.
#[derive(Clone, Copy, Debug)]
enum Spot {
    Beside(Xy, Xy),
    Around(Xy, f64),
}

/// Candidate anchors for a text of this extent at these spots, best first.
fn anchors(spots: &[Spot], extent: labels::Extent, size: f64, u: f64) -> Vec<Anchor> {
    let mut out = Vec::new();
    for spot in spots {
        match *spot {
            Spot::Around(at, r) => out.extend(labels::around_point(at, r, 6.0 * u, size, extent)),
            Spot::Beside((x, y), n) => {
                // Text on the side the normal points to: left-aligned when it
                // points right, above when it points up, and so on.
                let (align, baseline) = if n.0 > 0.35 {
                    (Align::Left, y + extent.ascent / 2.0 + n.1 * extent.ascent / 2.0)
                } else if n.0 < -0.35 {
                    (Align::Right, y + extent.ascent / 2.0 + n.1 * extent.ascent / 2.0)
                } else if n.1 < 0.0 {
                    (Align::Centre, y - extent.descent)
                } else {
                    (Align::Centre, y + extent.ascent)
                };
                out.push(Anchor { x, baseline, align });
            }
        }
    }
    out
}

const FLOW_OPACITY: f64 = 0.92;
const UNCOUNTED_OPACITY: f64 = 0.45;

fn push_arrow(page: &mut Page, outline: &[Xy], u: f64, opacity: f64) {
    let palette = &page.style.palette;
    page.items.push(Item::Fill { ring: outline.to_vec(), colour: palette.flow, opacity });
    page.items.push(Item::Line {
        points: outline.to_vec(),
        colour: palette.flow_outline,
        width: 2.0 * u,
        closed: true,
    });
}

/// The symbol of a legend row.
enum Key {
    /// An arrow as wide as this many people, at this opacity.
    Arrow(u64, f64),
    /// An arrivals circle for this many people.
    Circle(u64),
    /// Text only.
    Note,
}

const LEGEND_TITLE: &str = "People displaced";

/// Rows: two reference arrows and a circle always; notes for vague and uncounted
/// flows when the map shows them, and for the flows left off (of `all`).
fn legend_rows(page: &Page, flows: &[&Flow], all: usize) -> Vec<(Key, String)> {
    let reference = page.style.flow_reference_people.max(1);
    let mut rows = vec![
        (Key::Arrow(reference, FLOW_OPACITY), format!("{} people", labels::thousands(reference))),
        (Key::Arrow(reference / 10, FLOW_OPACITY), format!("{} people", labels::thousands(reference / 10))),
        (Key::Circle(reference / 10), format!("Arrivals: {} people", labels::thousands(reference / 10))),
    ];
    if flows.iter().any(|f| f.count == 0) {
        rows.push((Key::Arrow(0, UNCOUNTED_OPACITY), "Number not reported".to_owned()));
    }
    if flows.iter().any(|f| f.vague) {
        rows.push((Key::Note, "~ vague count (“hundreds of”)".to_owned()));
    }
    if all > flows.len() {
        let all = labels::thousands(all as u64);
        rows.push((Key::Note, format!("The {} largest of {all} movements", flows.len())));
    }
    rows
}

fn legend_size(page: &Page, rows: &[(Key, String)]) -> (f64, f64) {
    let u = page.u;
    let size = page.style.font.legend.0 * u;
    let text_width =
        rows.iter().map(|(_, t)| measure(t, size, false).width).fold(measure(LEGEND_TITLE, size, true).width, f64::max);
    let pad = 24.0 * u;
    let key = 4.0 * size;
    let row = size * 1.9;
    (2.0 * pad + key + 0.6 * size + text_width, 2.0 * pad + size * 1.6 + row * rows.len() as f64 - size * 0.5)
}

fn draw_legend(
    page: &mut Page,
    rect: Rect,
    rows: Vec<(Key, String)>,
    width_of: &dyn Fn(u64) -> f64,
    radius_of: &dyn Fn(u64) -> f64,
) {
    let u = page.u;
    let style = page.style;
    let size = style.font.legend.0 * u;
    let pad = 24.0 * u;
    let row = size * 1.9;
    let x = rect.x0 + pad;
    let mut y = rect.y0 + pad;
    page.items.push(Item::Text(Text {
        text: LEGEND_TITLE.to_owned(),
        x,
        baseline: y + labels::CAP_HEIGHT * size,
        size,
        bold: true,
        colour: style.palette.text,
        align: Align::Left,
        halo: None,
    }));
    y += size * 1.6;
    let key = 4.0 * size;
    for (symbol, text) in rows {
        let mid = y + row / 2.0 - size * 0.2;
        match symbol {
            Key::Arrow(people, opacity) => {
                if let Some(a) = arrow((x, mid), (x + key, mid), 0.0, 0.0, width_of(people), u, BEND, &MIDDLE) {
                    page.items.push(Item::Fill { ring: a.outline, colour: style.palette.flow, opacity });
                }
            }
            Key::Circle(people) => {
                let r = radius_of(people);
                page.items.push(Item::Circle {
                    centre: (x + key / 2.0, mid),
                    radius: r,
                    fill: Some(style.palette.arrivals),
                    stroke: None,
                    opacity: 0.45,
                });
                page.items.push(Item::Circle {
                    centre: (x + key / 2.0, mid),
                    radius: r,
                    fill: None,
                    stroke: Some((style.palette.arrivals_outline, 2.5 * u)),
                    opacity: 1.0,
                });
            }
            Key::Note => {}
        }
        let indent = if matches!(symbol, Key::Note) { 0.0 } else { key + 0.6 * size };
        page.items.push(Item::Text(Text {
            text,
            x: x + indent,
            baseline: mid + labels::CAP_HEIGHT * size / 2.0,
            size,
            bold: false,
            colour: style.palette.text,
            align: Align::Left,
            halo: None,
        }));
        y += row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(count: u64, unit: CountUnit, vague: bool) -> Flow {
        Flow { origin: None, destination: None, people: count, count, unit, vague }
    }

    #[test]
    fn count_labels_read_as_reported() {
        let label = |count, unit, vague| count_label(&flow(count, unit, vague));
        assert_eq!(label(17_000, CountUnit::Families, false).unwrap(), "17,000 families");
        assert_eq!(label(200, CountUnit::Families, true).unwrap(), "~200 families");
        assert_eq!(label(1, CountUnit::People, false).unwrap(), "1 person");
        assert_eq!(label(40, CountUnit::Households, false).unwrap(), "40 households");
        assert_eq!(label(0, CountUnit::People, false), None);
    }

    #[test]
    fn edge_point_is_on_the_frame() {
        let rect = Rect { x0: 0.0, y0: 0.0, x1: 100.0, y1: 50.0 };
        assert_eq!(edge_point((50.0, 25.0), (-50.0, 25.0), &rect), (0.0, 25.0));
        assert_eq!(edge_point((50.0, 25.0), (50.0, 500.0), &rect), (50.0, 50.0));
    }

    #[test]
    fn arrows_end_at_their_tip_and_short_ones_still_show() {
        let a = arrow((0.0, 0.0), (300.0, 0.0), 10.0, 20.0, 12.0, 1.0, BEND, &MIDDLE).unwrap();
        let tip = a.outline.iter().map(|p| p.0).fold(f64::MIN, f64::max);
        assert!((tip - 280.0).abs() < 0.5, "{tip}");
        let short = arrow((0.0, 0.0), (10.0, 0.0), 5.0, 5.0, 12.0, 1.0, BEND, &MIDDLE).unwrap();
        let span = short.outline.iter().map(|p| p.0).fold(f64::MIN, f64::max)
            - short.outline.iter().map(|p| p.0).fold(f64::MAX, f64::min);
        assert!(span > 60.0, "{span}");
    }
}
