//! QGIS styles (`.qml`) and projects (`.qgs`) for the GeoJSON layers, in the house
//! palette of the PNG maps, so a GIS desk opening our files sees the same map.
//!
//! QGIS loads `provinces.qml` by itself when `provinces.geojson` is added from the same
//! folder; `eventmap.qgs` opens all five layers at once, styled, in the Lambert conformal
//! conic projection of the PNG maps (the WGS 84 layers are reprojected on the fly), with
//! the temporal controller set on `timeline.geojson`. The files are written in the QGIS
//! 3.22 format (Debian 12's QGIS; later versions read it).
//!
//! Pure functions: text in, text out, the same bytes for the same input (no dates, user
//! names or random layer ids, which QGIS itself would write). Everything that reaches the
//! XML (paths, titles, names) is escaped, and characters XML 1.0 forbids are replaced.
//!
//! Symbol sizes come from the house style, whose sizes are pixels on a 2400 px map: we
//! read that map as a 20 cm print column at 300 dpi, so a pixel is 25.4/300 mm and
//! 72/300 pt, which also lands near QGIS's own defaults (a 2 mm dot, 8 pt labels).

use super::map::{Colour, StatusColours, Style};
use crate::ledger::Status;
use crate::output::{xml_escape, XmlPlace};
use chrono::NaiveDate;
use std::fmt::Write as _;

/// The layers eventmap writes, each with its style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LayerKind {
    Provinces,
    Places,
    Events,
    Flows,
    Timeline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Geometry {
    Polygon,
    Point,
    Line,
}

impl LayerKind {
    /// In the order `render::outputs` writes them.
    pub const ALL: [LayerKind; 5] =
        [LayerKind::Provinces, LayerKind::Places, LayerKind::Events, LayerKind::Flows, LayerKind::Timeline];

    /// The file stem: `provinces` for `provinces.geojson` and `provinces.qml`.
    pub fn stem(self) -> &'static str {
        match self {
            LayerKind::Provinces => "provinces",
            LayerKind::Places => "places",
            LayerKind::Events => "events",
            LayerKind::Flows => "flows",
            LayerKind::Timeline => "timeline",
        }
    }

    fn geometry(self) -> Geometry {
        match self {
            LayerKind::Provinces | LayerKind::Timeline => Geometry::Polygon,
            LayerKind::Places | LayerKind::Events => Geometry::Point,
            LayerKind::Flows => Geometry::Line,
        }
    }

    /// From the top of QGIS's layer list (drawn last) to the bottom.
    pub const DRAW_ORDER: [LayerKind; 5] =
        [LayerKind::Places, LayerKind::Flows, LayerKind::Events, LayerKind::Provinces, LayerKind::Timeline];

    /// Ticked when the project opens. The timeline is not: with the temporal controller
    /// off, QGIS draws every period of every province on top of each other. Nor are the
    /// events: most sit exactly under a place's dot, and the rest are detail.
    fn visible(self) -> bool {
        !matches!(self, LayerKind::Timeline | LayerKind::Events)
    }
}

/// The file name of the project written beside a day's layers.
pub const PROJECT_FILE: &str = "eventmap.qgs";

/// Written as the files' QGIS version: the oldest we test with.
const QGIS_VERSION: &str = "3.22.0";

/// The PNG maps' projection (`render::map::projection`), with the datum named so QGIS
/// can transform from EPSG:4326 without guessing.
pub const PROJ4: &str =
    "+proj=lcc +lat_0=34 +lat_1=31 +lat_2=37 +lon_0=67 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs";

const CRS_NAME: &str = "eventmap Afghanistan Lambert conformal conic";

/// [`PROJ4`] as WKT2, which QGIS prefers when both are given.
const WKT: &str = concat!(
    r#"PROJCRS["eventmap Afghanistan Lambert conformal conic",BASEGEOGCRS["WGS 84",DATUM["World Geodetic System 1984","#,
    r#"ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,"#,
    r#"ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4326]],CONVERSION["Afghanistan Lambert conformal conic","#,
    r#"METHOD["Lambert Conic Conformal (2SP)",ID["EPSG",9802]],"#,
    r#"PARAMETER["Latitude of false origin",34,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8821]],"#,
    r#"PARAMETER["Longitude of false origin",67,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8822]],"#,
    r#"PARAMETER["Latitude of 1st standard parallel",31,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8823]],"#,
    r#"PARAMETER["Latitude of 2nd standard parallel",37,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8824]],"#,
    r#"PARAMETER["Easting at false origin",0,LENGTHUNIT["metre",1],ID["EPSG",8826]],"#,
    r#"PARAMETER["Northing at false origin",0,LENGTHUNIT["metre",1],ID["EPSG",8827]]],"#,
    r#"CS[Cartesian,2],AXIS["easting (X)",east,ORDER[1],LENGTHUNIT["metre",1]],"#,
    r#"AXIS["northing (Y)",north,ORDER[2],LENGTHUNIT["metre",1]]]"#,
);

const WGS84_WKT: &str = concat!(
    r#"GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563,"#,
    r#"LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],"#,
    r#"AXIS["geodetic latitude (Lat)",north,ORDER[1],ANGLEUNIT["degree",0.0174532925199433]],"#,
    r#"AXIS["geodetic longitude (Lon)",east,ORDER[2],ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4326]]"#,
);

/// Afghanistan with a margin (degrees: west, south, east, north), the view the project opens on.
const VIEW: (f64, f64, f64, f64) = (60.2, 29.0, 75.2, 38.9);

const MM_PER_PX: f64 = 25.4 / 300.0;
const PT_PER_PX: f64 = 72.0 / 300.0;
const FONT: &str = "DejaVu Sans";

/// The `.qml` style of a layer.
pub fn style(kind: LayerKind, style: &Style) -> String {
    let mut x = Xml::new();
    x.raw("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    x.open(
        "qgis",
        &[
            ("version", QGIS_VERSION),
            ("styleCategories", "Symbology|Labeling|Temporal|Rendering"),
            ("labelsEnabled", bool01(has_labels(kind))),
        ],
    );
    layer_style(&mut x, kind, style);
    x.close("qgis");
    x.out
}

/// What a project is called and when it is.
#[derive(Clone, Debug)]
pub struct ProjectOptions<'a> {
    pub title: String,
    pub style: &'a Style,
    /// First and last day of the timeline, for the temporal controller's range.
    pub timeline: Option<(NaiveDate, NaiveDate)>,
}

/// A QGIS project opening `layers`, given by paths relative to the project file (`/`
/// between folders). Layers in a folder go into a group named after the folder; only
/// the last group is ticked, so a project over many days (one folder each, oldest
/// first) opens on the latest. Layers are drawn in the order given, first on top.
pub fn project(layers: &[(&str, LayerKind)], options: &ProjectOptions<'_>) -> String {
    let ids = layer_ids(layers);
    let mut x = Xml::new();
    x.raw("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    x.open("qgis", &[("version", QGIS_VERSION), ("projectname", &options.title)]);
    x.empty("homePath", &[("path", "")]);
    x.text("title", &[], &options.title);
    x.empty("autotransaction", &[("active", "0")]);
    x.empty("evaluateDefaultValues", &[("active", "0")]);
    x.empty("trust", &[("active", "0")]);
    x.open("projectCrs", &[]);
    project_crs(&mut x);
    x.close("projectCrs");

    // The layer tree: groups by folder, in order of first appearance.
    let mut groups: Vec<&str> = Vec::new();
    for (path, _) in layers {
        let folder = folder_of(path);
        if !groups.contains(&folder) {
            groups.push(folder);
        }
    }
    let shown = groups.iter().rev().find(|g| !g.is_empty()).copied();
    x.open("layer-tree-group", &[]);
    x.empty("customproperties", &[]);
    for group in &groups {
        let ticked = group.is_empty() || Some(*group) == shown;
        if !group.is_empty() {
            x.open("layer-tree-group", &[("name", group), ("checked", checked(ticked)), ("expanded", "1")]);
            x.empty("customproperties", &[]);
        }
        for ((path, kind), id) in layers.iter().zip(&ids) {
            if folder_of(path) != *group {
                continue;
            }
            x.open(
                "layer-tree-layer",
                &[
                    ("id", id),
                    ("name", kind.stem()),
                    ("source", &source(path)),
                    ("providerKey", "ogr"),
                    ("checked", checked(kind.visible())),
                    ("expanded", "1"),
                ],
            );
            x.empty("customproperties", &[]);
            x.close("layer-tree-layer");
        }
        if !group.is_empty() {
            x.close("layer-tree-group");
        }
    }
    x.close("layer-tree-group");

    x.open("projectlayers", &[]);
    for ((path, kind), id) in layers.iter().zip(&ids) {
        let (geometry, wkb) = match kind.geometry() {
            Geometry::Polygon => ("Polygon", "MultiPolygon"),
            Geometry::Point => ("Point", "Point"),
            Geometry::Line => ("Line", "LineString"),
        };
        x.open(
            "maplayer",
            &[
                ("type", "vector"),
                ("geometry", geometry),
                ("wkbType", wkb),
                ("labelsEnabled", bool01(has_labels(*kind))),
                ("readOnly", "0"),
            ],
        );
        x.text("id", &[], id);
        x.text("datasource", &[], &source(path));
        x.text("layername", &[], kind.stem());
        x.open("srs", &[]);
        wgs84(&mut x);
        x.close("srs");
        x.text("provider", &[("encoding", "UTF-8")], "ogr");
        layer_style(&mut x, *kind, options.style);
        x.close("maplayer");
    }
    x.close("projectlayers");
    x.open("layerorder", &[]);
    for id in &ids {
        x.empty("layer", &[("id", id)]);
    }
    x.close("layerorder");

    let background = options.style.palette.neighbour;
    x.open("properties", &[]);
    x.open("Gui", &[]);
    for (part, value) in [("Red", background.0), ("Green", background.1), ("Blue", background.2)] {
        x.text(&format!("CanvasColor{part}Part"), &[("type", "int")], &value.to_string());
    }
    x.close("Gui");
    x.open("Paths", &[]);
    x.text("Absolute", &[("type", "bool")], "false");
    x.close("Paths");
    x.open("SpatialRefSys", &[]);
    x.text("ProjectionsEnabled", &[("type", "int")], "1");
    x.close("SpatialRefSys");
    x.close("properties");

    let (xmin, ymin, xmax, ymax) = view_extent();
    let [xmin, ymin, xmax, ymax] = [xmin, ymin, xmax, ymax].map(|v| format!("{v:.0}"));
    // The desktop application reads the canvas; the project's default view serves the
    // server and scripts.
    x.open("mapcanvas", &[("name", "theMapCanvas"), ("annotationsVisible", "1")]);
    x.text("units", &[], "meters");
    x.open("extent", &[]);
    x.text("xmin", &[], &xmin);
    x.text("ymin", &[], &ymin);
    x.text("xmax", &[], &xmax);
    x.text("ymax", &[], &ymax);
    x.close("extent");
    x.text("rotation", &[], "0");
    x.open("destinationsrs", &[]);
    project_crs(&mut x);
    x.close("destinationsrs");
    x.text("rendermaptile", &[], "0");
    x.close("mapcanvas");
    x.open("ProjectViewSettings", &[("UseProjectScales", "0"), ("rotation", "0")]);
    x.empty("Scales", &[]);
    x.open("DefaultViewExtent", &[("xmin", &xmin), ("ymin", &ymin), ("xmax", &xmax), ("ymax", &ymax)]);
    project_crs(&mut x);
    x.close("DefaultViewExtent");
    x.close("ProjectViewSettings");

    // One frame a day. Frames are [day, next day), so the range ends the day after the
    // last, or the last day would have no frame.
    x.open(
        "ProjectTimeSettings",
        &[("timeStepUnit", "d"), ("timeStep", "1"), ("frameRate", "1"), ("cumulativeTemporalRange", "0")],
    );
    if let Some((from, to)) = options.timeline {
        let end = to.succ_opt().unwrap_or(to);
        x.open("TemporalRange", &[]);
        x.text("start", &[], &format!("{}T00:00:00Z", from.format("%Y-%m-%d")));
        x.text("end", &[], &format!("{}T00:00:00Z", end.format("%Y-%m-%d")));
        x.close("TemporalRange");
    }
    x.close("ProjectTimeSettings");
    x.close("qgis");
    x.out
}

/// The QGIS files of a folder holding the five layers: a `.qml` per layer, then the
/// project, by file name.
pub fn files(options: &ProjectOptions<'_>) -> Vec<(String, Vec<u8>)> {
    files_for(&LayerKind::ALL, options)
}

/// As [`files`], for a folder holding only some of the layers (a build's day folders
/// have no timeline): a `.qml` for each, and a project that opens just those, so QGIS
/// does not ask after a missing file.
pub fn files_for(kinds: &[LayerKind], options: &ProjectOptions<'_>) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = LayerKind::ALL
        .iter()
        .filter(|k| kinds.contains(k))
        .map(|k| (format!("{}.qml", k.stem()), style(*k, options.style).into_bytes()))
        .collect();
    let drawn: Vec<LayerKind> = LayerKind::DRAW_ORDER.into_iter().filter(|k| kinds.contains(k)).collect();
    let paths: Vec<String> = drawn.iter().map(|k| format!("{}.geojson", k.stem())).collect();
    let layers: Vec<(&str, LayerKind)> = paths.iter().map(String::as_str).zip(drawn).collect();
    out.push((PROJECT_FILE.to_owned(), project(&layers, options).into_bytes()));
    out
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// QGIS resolves `./x` against the project's folder (and writes relative paths so).
fn source(path: &str) -> String {
    if path.starts_with("./") || path.starts_with("../") {
        path.to_owned()
    } else {
        format!("./{path}")
    }
}

/// Layer ids from the paths: readable, unique, the same on every run. QGIS replaces an
/// id of 10 characters or fewer with a random one (and then the layer tree, which names
/// layers by id, finds none), hence the prefix.
fn layer_ids(layers: &[(&str, LayerKind)]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (path, _) in layers {
        let stem = path.strip_suffix(".geojson").unwrap_or(path);
        let base: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let base = format!("eventmap_{}", base.trim_start_matches('_'));
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        ids.push(id);
    }
    ids
}

fn checked(on: bool) -> &'static str {
    if on {
        "Qt::Checked"
    } else {
        "Qt::Unchecked"
    }
}

fn bool01(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

fn has_labels(kind: LayerKind) -> bool {
    kind != LayerKind::Events
}

/// The view: [`VIEW`]'s outline projected, whole kilometres around it.
fn view_extent() -> (f64, f64, f64, f64) {
    use proj4rs::proj::Proj;
    let from = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").expect("a valid proj string");
    let to = Proj::from_proj_string(PROJ4).expect("a valid proj string");
    let (w, s, e, n) = VIEW;
    let mut outline = Vec::new();
    for i in 0..=20 {
        let t = f64::from(i) / 20.0;
        outline.extend([(w + (e - w) * t, s), (w + (e - w) * t, n), (w, s + (n - s) * t), (e, s + (n - s) * t)]);
    }
    let mut bounds = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (lon, lat) in outline {
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        if proj4rs::transform::transform(&from, &to, &mut p).is_ok() {
            bounds = (bounds.0.min(p.0), bounds.1.min(p.1), bounds.2.max(p.0), bounds.3.max(p.1));
        }
    }
    let km = |v: f64, up: bool| if up { (v / 1000.0).ceil() * 1000.0 } else { (v / 1000.0).floor() * 1000.0 };
    (km(bounds.0, false), km(bounds.1, false), km(bounds.2, true), km(bounds.3, true))
}

fn project_crs(x: &mut Xml) {
    x.open("spatialrefsys", &[]);
    x.text("wkt", &[], WKT);
    x.text("proj4", &[], PROJ4);
    x.text("srsid", &[], "0");
    x.text("srid", &[], "0");
    x.text("authid", &[], "");
    x.text("description", &[], CRS_NAME);
    x.text("projectionacronym", &[], "lcc");
    x.text("ellipsoidacronym", &[], "EPSG:7030");
    x.text("geographicflag", &[], "false");
    x.close("spatialrefsys");
}

fn wgs84(x: &mut Xml) {
    x.open("spatialrefsys", &[]);
    x.text("wkt", &[], WGS84_WKT);
    x.text("proj4", &[], "+proj=longlat +datum=WGS84 +no_defs");
    x.text("srsid", &[], "3452");
    x.text("srid", &[], "4326");
    x.text("authid", &[], "EPSG:4326");
    x.text("description", &[], "WGS 84");
    x.text("projectionacronym", &[], "longlat");
    x.text("ellipsoidacronym", &[], "EPSG:7030");
    x.text("geographicflag", &[], "true");
    x.close("spatialrefsys");
}

/// The style of a layer: what a `.qml` holds and a project repeats per layer.
fn layer_style(x: &mut Xml, kind: LayerKind, style: &Style) {
    let palette = &style.palette;
    match kind {
        // A period runs from the start of `valid_from` to the end of `valid_to` (its last
        // day, included). Not mode 2 (start and end from fields) with the end included:
        // QGIS 3.22 then draws no period on its own last day (the hand-over days went
        // blank), as it compares the Date field with a date-time while drawing. Mode 4
        // (from expressions) with an exclusive end, the day after, draws every day right.
        LayerKind::Timeline => x.open(
            "temporal",
            &[
                ("enabled", "1"),
                ("mode", "4"),
                ("startExpression", "to_datetime(\"valid_from\")"),
                ("endExpression", "to_datetime(\"valid_to\") + to_interval('1 day')"),
                // IncludeBeginExcludeEnd
                ("limitMode", "0"),
                ("startField", "valid_from"),
                ("endField", "valid_to"),
                ("accumulate", "0"),
                ("durationField", ""),
                ("durationUnit", "d"),
                ("fixedDuration", "0"),
            ],
        ),
        _ => x.open("temporal", &[("enabled", "0"), ("mode", "0")]),
    }
    x.open("fixedRange", &[]);
    x.text("start", &[], "");
    x.text("end", &[], "");
    x.close("fixedRange");
    x.close("temporal");

    match kind {
        LayerKind::Provinces | LayerKind::Timeline => {
            let symbols: Vec<Symbol> = Status::ALL.iter().map(|s| province_symbol(&palette.area, *s, style)).collect();
            categorised(x, "status", &status_categories(), &symbols, None);
        }
        LayerKind::Places => {
            let symbols: Vec<Symbol> = Status::ALL
                .iter()
                .map(|s| {
                    let colour = palette.point.of(*s);
                    place_symbol(colour, style)
                })
                .collect();
            // Capitals last, so on top.
            categorised(x, "status", &status_categories(), &symbols, Some("\"capital\""));
        }
        LayerKind::Events => {
            let size = style.size.dot_radius.0 * 2.0 * MM_PER_PX;
            let outline = style.size.dot_outline.0 * 0.6 * MM_PER_PX;
            let marker = |shape: &str, colour: Colour| Symbol::Marker {
                shape: shape.to_owned(),
                colour,
                outline: palette.halo,
                outline_width: outline,
                size: size.to_string(),
            };
            let categories = [
                ("control", "Change of control"),
                ("contested", "Fighting (contested)"),
                ("displacement", "Displacement"),
            ];
            let symbols = [
                marker("square", palette.text),
                marker("triangle", palette.point.contested),
                marker("circle", palette.flow),
            ];
            categorised(x, "event_type", &categories, &symbols, None);
        }
        LayerKind::Flows => flow_renderer(x, style),
    }

    match kind {
        LayerKind::Provinces | LayerKind::Timeline => {
            // Light letters on the dark fills, muted ones on the light fills, each with a
            // thin halo in its own fill so the name reads across hatching and borders.
            let by_status = |pick: &dyn Fn(Colour) -> Colour| {
                // QGIS has only the searched CASE (`CASE WHEN condition`), not `CASE value`.
                let mut e = String::from("CASE");
                for status in Status::ALL {
                    let fill = palette.area.of(status);
                    let _ = write!(e, " WHEN \"status\" = '{}' THEN '{}'", status.as_str(), pick(fill));
                }
                e.push_str(" END");
                e
            };
            let ink = |fill: Colour| if fill.luminance() < 0.25 { palette.halo } else { palette.text_muted };
            labeling(
                x,
                &Label {
                    expression: "\"name\"".into(),
                    size: style.font.label.0 * 0.8 * PT_PER_PX,
                    colour: palette.text_muted,
                    bold: false,
                    uppercase: true,
                    halo: Some((palette.halo, style.size.halo.0 * 0.25 * MM_PER_PX)),
                    geometry: Geometry::Polygon,
                    priority: 3,
                    data_defined: vec![("Color", by_status(&ink)), ("BufferColor", by_status(&|fill| fill))],
                },
            );
        }
        LayerKind::Places => labeling(
            x,
            &Label {
                // Capitals only: districts and crossings would crowd the map.
                expression: "CASE WHEN \"capital\" THEN \"name\" END".into(),
                size: style.font.label.0 * PT_PER_PX,
                colour: palette.text,
                bold: false,
                uppercase: false,
                halo: Some((palette.halo, style.size.halo.0 * MM_PER_PX)),
                geometry: Geometry::Point,
                priority: 8,
                data_defined: Vec::new(),
            },
        ),
        LayerKind::Flows => labeling(
            x,
            &Label {
                expression: FLOW_LABEL.into(),
                size: style.font.flow_label.0 * PT_PER_PX,
                colour: palette.flow,
                bold: true,
                uppercase: false,
                halo: Some((palette.halo, style.size.halo.0 * MM_PER_PX)),
                geometry: Geometry::Line,
                priority: 6,
                data_defined: Vec::new(),
            },
        ),
        LayerKind::Events => {}
    }
    x.text("blendMode", &[], "0");
    x.text("featureBlendMode", &[], "0");
    x.text("layerOpacity", &[], "1");
    // What QGIS shows for a feature in lists and the identify tool.
    let preview = match kind {
        LayerKind::Flows => "\"origin\" || ' → ' || \"destination\"",
        LayerKind::Events => "\"event_type\" || ': ' || \"location\"",
        _ => "\"name\"",
    };
    x.text("previewExpression", &[], preview);
}

/// As the displacement map labels its arrows: the count in its unit, `~` when vague;
/// no label when no number was reported. `count` is read through `to_int` because GDAL
/// types a column that is null in every feature as a string.
const FLOW_LABEL: &str = concat!(
    "CASE WHEN \"count\" IS NOT NULL THEN ",
    "CASE WHEN \"count_vague\" THEN '~' ELSE '' END || format_number(to_int(\"count\"), 0) || ' ' || ",
    "CASE WHEN to_int(\"count\") <> 1 THEN coalesce(\"count_unit\", 'people') ",
    "WHEN \"count_unit\" = 'families' THEN 'family' WHEN \"count_unit\" = 'households' THEN 'household' ",
    "ELSE 'person' END ",
    "WHEN to_int(\"people\") > 0 THEN format_number(to_int(\"people\"), 0) || ' people' END",
);

fn status_categories() -> Vec<(&'static str, &'static str)> {
    Status::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}

/// A symbol, as much of QGIS's symbol model as the styles use.
enum Symbol {
    Fill { colour: Colour, border: Colour, border_width: f64, hatch: Option<(Colour, f64, f64)> },
    Marker { shape: String, colour: Colour, outline: Colour, outline_width: f64, size: String },
}

fn province_symbol(area: &StatusColours, status: Status, style: &Style) -> Symbol {
    let hatch = (status == Status::Contested).then_some((
        area.contested_hatch,
        style.size.hatch_width.0 * MM_PER_PX,
        style.size.hatch_spacing.0 * MM_PER_PX,
    ));
    Symbol::Fill {
        colour: area.of(status),
        border: style.palette.province_border,
        border_width: style.size.province_border.0 * MM_PER_PX,
        hatch,
    }
}

fn place_symbol(colour: Colour, style: &Style) -> Symbol {
    let capital = style.size.dot_radius.0 * 2.0 * MM_PER_PX;
    let other = capital * 0.6;
    Symbol::Marker {
        shape: "circle".to_owned(),
        colour,
        outline: style.palette.dot_outline,
        outline_width: style.size.dot_outline.0 * 0.5 * MM_PER_PX,
        size: format!("CASE WHEN \"capital\" THEN {} ELSE {} END", mm(capital), mm(other)),
    }
}

fn categorised(x: &mut Xml, field: &str, categories: &[(&str, &str)], symbols: &[Symbol], draw_last: Option<&str>) {
    let order = if draw_last.is_some() { "1" } else { "0" };
    x.open(
        "renderer-v2",
        &[
            ("type", "categorizedSymbol"),
            ("attr", field),
            ("symbollevels", "0"),
            ("forceraster", "0"),
            ("enableorderby", order),
            ("referencescale", "-1"),
        ],
    );
    x.open("categories", &[]);
    for (i, (value, label)) in categories.iter().enumerate() {
        x.empty("category", &[("render", "true"), ("symbol", &i.to_string()), ("value", value), ("label", label)]);
    }
    x.close("categories");
    x.open("symbols", &[]);
    for (i, symbol) in symbols.iter().enumerate() {
        write_symbol(x, &i.to_string(), symbol);
    }
    x.close("symbols");
    if let Some(expression) = draw_last {
        x.open("orderby", &[]);
        x.text("orderByClause", &[("asc", "1"), ("nullsFirst", "0")], expression);
        x.close("orderby");
    }
    x.empty("rotation", &[]);
    x.empty("sizescale", &[]);
    x.close("renderer-v2");
}

fn colour(c: Colour) -> String {
    format!("{},{},{},255", c.0, c.1, c.2)
}

/// Millimetres, to the hundredth (QGIS's own precision in its dialogs).
fn mm(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

fn props(x: &mut Xml, props: &[(&str, String)]) {
    for (k, v) in props {
        x.empty("prop", &[("k", k), ("v", v)]);
    }
}

/// Data-defined properties of a symbol layer, by QGIS property name.
fn data_defined(x: &mut Xml, properties: &[(&str, &str)]) {
    property_collection(x, "data_defined_properties", properties);
}

/// A QGIS property collection: each property an expression.
fn property_collection(x: &mut Xml, tag: &str, properties: &[(&str, &str)]) {
    x.open(tag, &[]);
    x.open("Option", &[("type", "Map")]);
    x.empty("Option", &[("type", "QString"), ("name", "name"), ("value", "")]);
    if properties.is_empty() {
        x.empty("Option", &[("name", "properties")]);
    } else {
        x.open("Option", &[("type", "Map"), ("name", "properties")]);
        for (name, expression) in properties {
            x.open("Option", &[("type", "Map"), ("name", name)]);
            x.empty("Option", &[("type", "bool"), ("name", "active"), ("value", "true")]);
            x.empty("Option", &[("type", "QString"), ("name", "expression"), ("value", expression)]);
            // 3: an expression-based property
            x.empty("Option", &[("type", "int"), ("name", "type"), ("value", "3")]);
            x.close("Option");
        }
        x.close("Option");
    }
    x.empty("Option", &[("type", "QString"), ("name", "type"), ("value", "collection")]);
    x.close("Option");
    x.close(tag);
}

fn symbol_open(x: &mut Xml, kind: &str, name: &str) {
    x.open("symbol", &[("type", kind), ("name", name), ("alpha", "1"), ("clip_to_extent", "1"), ("force_rhr", "0")]);
}

fn layer_open(x: &mut Xml, class: &str) {
    x.open("layer", &[("class", class), ("enabled", "1"), ("locked", "0"), ("pass", "0")]);
}

fn write_symbol(x: &mut Xml, name: &str, symbol: &Symbol) {
    match symbol {
        Symbol::Fill { colour: fill, border, border_width, hatch } => {
            symbol_open(x, "fill", name);
            layer_open(x, "SimpleFill");
            props(
                x,
                &[
                    ("color", colour(*fill)),
                    ("style", "solid".into()),
                    ("outline_color", colour(*border)),
                    ("outline_style", "solid".into()),
                    ("outline_width", mm(*border_width)),
                    ("outline_width_unit", "MM".into()),
                    ("joinstyle", "round".into()),
                ],
            );
            x.close("layer");
            if let Some((line, width, spacing)) = hatch {
                // As the control map hatches a contested province: 45° lines over the fill.
                layer_open(x, "LinePatternFill");
                props(
                    x,
                    &[
                        ("angle", "45".into()),
                        ("distance", mm(*spacing)),
                        ("distance_unit", "MM".into()),
                        ("line_width", mm(*width)),
                        ("line_width_unit", "MM".into()),
                        ("color", colour(*line)),
                    ],
                );
                symbol_open(x, "line", &format!("@{name}@1"));
                layer_open(x, "SimpleLine");
                props(
                    x,
                    &[
                        ("line_color", colour(*line)),
                        ("line_style", "solid".into()),
                        ("line_width", mm(*width)),
                        ("line_width_unit", "MM".into()),
                        ("capstyle", "flat".into()),
                    ],
                );
                x.close("layer");
                x.close("symbol");
                x.close("layer");
            }
            x.close("symbol");
        }
        Symbol::Marker { shape, colour: fill, outline, outline_width, size } => {
            symbol_open(x, "marker", name);
            layer_open(x, "SimpleMarker");
            let fixed = size.parse::<f64>().ok();
            props(
                x,
                &[
                    ("name", shape.clone()),
                    ("color", colour(*fill)),
                    ("outline_color", colour(*outline)),
                    ("outline_style", "solid".into()),
                    ("outline_width", mm(*outline_width)),
                    ("outline_width_unit", "MM".into()),
                    ("size", mm(fixed.unwrap_or(2.0))),
                    ("size_unit", "MM".into()),
                    ("scale_method", "diameter".into()),
                    ("joinstyle", "miter".into()),
                ],
            );
            if fixed.is_none() {
                data_defined(x, &[("size", size)]);
            }
            x.close("layer");
            x.close("symbol");
        }
    }
}

/// Flows as arrows in the flow colour, as wide as the displacement map draws them:
/// the reference width at the reference number of people, scaled by the square root
/// (so areas, not widths, follow the numbers), never under the minimum width.
fn flow_renderer(x: &mut Xml, style: &Style) {
    let palette = &style.palette;
    let reference = style.flow_reference_people.max(1);
    let width = format!(
        "max({}, {} * sqrt(coalesce(to_int(\"people\"), 0) / {reference}))",
        mm(style.size.flow_min_width.0 * MM_PER_PX),
        mm(style.size.flow_reference_width.0 * MM_PER_PX),
    );
    x.open(
        "renderer-v2",
        &[
            ("type", "singleSymbol"),
            ("symbollevels", "0"),
            ("forceraster", "0"),
            // The widest first, so narrow arrows stay visible on top.
            ("enableorderby", "1"),
            ("referencescale", "-1"),
        ],
    );
    x.open("symbols", &[]);
    symbol_open(x, "line", "0");
    layer_open(x, "ArrowLine");
    props(
        x,
        &[
            ("arrow_width", "1".into()),
            ("arrow_width_unit", "MM".into()),
            ("arrow_start_width", "1".into()),
            ("arrow_start_width_unit", "MM".into()),
            ("head_length", "2".into()),
            ("head_length_unit", "MM".into()),
            ("head_thickness", "1.5".into()),
            ("head_thickness_unit", "MM".into()),
            ("head_type", "0".into()),
            ("arrow_type", "0".into()),
            ("is_curved", "0".into()),
            ("is_repeated", "0".into()),
        ],
    );
    let head_length = format!("1.2 + 1.6 * {width}");
    let head_thickness = format!("0.6 + 0.6 * {width}");
    data_defined(
        x,
        &[
            ("arrowWidth", &width),
            ("arrowStartWidth", &width),
            ("arrowHeadLength", &head_length),
            ("arrowHeadThickness", &head_thickness),
        ],
    );
    symbol_open(x, "fill", "@0@0");
    layer_open(x, "SimpleFill");
    props(
        x,
        &[
            ("color", colour(palette.flow)),
            ("style", "solid".into()),
            ("outline_color", colour(palette.flow_outline)),
            ("outline_style", "solid".into()),
            ("outline_width", mm(0.6 * MM_PER_PX)),
            ("outline_width_unit", "MM".into()),
            ("joinstyle", "miter".into()),
        ],
    );
    // As on the displacement map, a flow whose number was not reported is pale.
    let f = palette.flow;
    let fill = format!(
        "CASE WHEN coalesce(to_int(\"people\"), 0) = 0 THEN '{},{},{},110' ELSE '{}' END",
        f.0,
        f.1,
        f.2,
        colour(f)
    );
    data_defined(x, &[("fillColor", &fill)]);
    x.close("layer");
    x.close("symbol");
    x.close("layer");
    x.close("symbol");
    x.close("symbols");
    x.open("orderby", &[]);
    x.text("orderByClause", &[("asc", "0"), ("nullsFirst", "0")], "\"people\"");
    x.close("orderby");
    x.empty("rotation", &[]);
    x.empty("sizescale", &[]);
    x.close("renderer-v2");
}

struct Label {
    expression: String,
    size: f64,
    colour: Colour,
    bold: bool,
    uppercase: bool,
    halo: Option<(Colour, f64)>,
    geometry: Geometry,
    priority: u8,
    /// Data-defined label settings (`Color`, `BufferColor`…), as expressions.
    data_defined: Vec<(&'static str, String)>,
}

fn labeling(x: &mut Xml, label: &Label) {
    let is_expression = !(label.expression.starts_with('"')
        && label.expression.ends_with('"')
        && label.expression[1..label.expression.len() - 1].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    let field = if is_expression { label.expression.clone() } else { label.expression.trim_matches('"').to_owned() };
    let size = format!("{:.1}", label.size);
    x.open("labeling", &[("type", "simple")]);
    x.open("settings", &[("calloutType", "simple")]);
    x.open(
        "text-style",
        &[
            ("fieldName", &field),
            ("isExpression", bool01(is_expression)),
            ("fontFamily", FONT),
            ("namedStyle", if label.bold { "Bold" } else { "Book" }),
            ("fontWeight", if label.bold { "75" } else { "50" }),
            ("fontItalic", "0"),
            ("fontSize", &size),
            ("fontSizeUnit", "Point"),
            ("textColor", &colour(label.colour)),
            ("textOpacity", "1"),
            // 1: all uppercase, as atlases letter regions.
            ("capitalization", if label.uppercase { "1" } else { "0" }),
            ("fontLetterSpacing", if label.uppercase { "0.6" } else { "0" }),
            ("fontWordSpacing", "0"),
            ("fontKerning", "1"),
            ("fontUnderline", "0"),
            ("fontStrikeout", "0"),
            ("multilineHeight", "1"),
            ("blendMode", "0"),
            ("allowHtml", "0"),
            ("textOrientation", "horizontal"),
            ("useSubstitutions", "0"),
        ],
    );
    let (halo, halo_size) = label.halo.unwrap_or((Colour(255, 255, 255), 0.0));
    x.empty(
        "text-buffer",
        &[
            ("bufferDraw", bool01(label.halo.is_some())),
            ("bufferSize", &mm(halo_size)),
            ("bufferSizeUnits", "MM"),
            ("bufferColor", &colour(halo)),
            ("bufferOpacity", "1"),
            ("bufferNoFill", "1"),
            ("bufferJoinStyle", "128"),
            ("bufferBlendMode", "0"),
        ],
    );
    x.empty("background", &[("shapeDraw", "0")]);
    x.empty("shadow", &[("shadowDraw", "0")]);
    x.empty("substitutions", &[]);
    x.close("text-style");
    x.empty(
        "text-format",
        &[
            ("wrapChar", ""),
            ("autoWrapLength", "0"),
            ("multilineAlign", "3"),
            ("formatNumbers", "0"),
            ("decimals", "3"),
            ("plussign", "0"),
            ("addDirectionSymbol", "0"),
        ],
    );
    let priority = label.priority.to_string();
    let placement: Vec<(&str, &str)> = match label.geometry {
        // Over the province's centroid, kept inside the province.
        Geometry::Polygon => vec![
            ("placement", "1"),
            ("centroidInside", "1"),
            ("centroidWhole", "0"),
            ("fitInPolygonOnly", "0"),
            ("layerType", "PolygonGeometry"),
        ],
        // Cartographic: the best free spot around the dot.
        Geometry::Point => vec![
            ("placement", "6"),
            ("dist", "0.6"),
            ("distUnits", "MM"),
            ("predefinedPositionOrder", "TR,TL,BR,BL,R,L,TSR,BSR"),
            ("layerType", "PointGeometry"),
        ],
        // Parallel to the arrow, above it, kept upright.
        Geometry::Line => vec![
            ("placement", "2"),
            ("placementFlags", "10"),
            ("dist", "0.5"),
            ("distUnits", "MM"),
            ("lineAnchorPercent", "0.5"),
            ("layerType", "LineGeometry"),
        ],
    };
    let mut attrs = placement;
    attrs.extend([("priority", priority.as_str()), ("offsetType", "0"), ("quadOffset", "4"), ("xOffset", "0")]);
    attrs.extend([("yOffset", "0"), ("rotationAngle", "0"), ("preserveRotation", "1")]);
    x.empty("placement", &attrs);
    // Only dots keep other labels off: a capital's name may cross a province or an arrow
    // (all arrows converge on Kabul, which would otherwise go unlabelled).
    let obstacle = bool01(label.geometry == Geometry::Point);
    x.empty(
        "rendering",
        &[
            ("drawLabels", "1"),
            ("obstacle", obstacle),
            ("obstacleFactor", "1"),
            ("obstacleType", "1"),
            ("displayAll", "0"),
            ("upsidedownLabels", "0"),
            ("labelPerPart", "0"),
            ("mergeLines", "0"),
            ("minFeatureSize", "0"),
            ("limitNumLabels", "0"),
            ("maxNumLabels", "2000"),
            ("fontLimitPixelSize", "0"),
            ("fontMinPixelSize", "0"),
            ("fontMaxPixelSize", "10000"),
            ("scaleVisibility", "0"),
            ("scaleMin", "0"),
            ("scaleMax", "0"),
            ("zIndex", "0"),
            ("unplacedVisibility", "0"),
        ],
    );
    let dd: Vec<(&str, &str)> = label.data_defined.iter().map(|(k, v)| (*k, v.as_str())).collect();
    property_collection(x, "dd_properties", &dd);
    x.close("settings");
    x.close("labeling");
}

/// A small XML writer: two-space indents, everything escaped.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new() -> Xml {
        Xml { out: String::new(), depth: 0 }
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(tag);
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"");
            xml_escape(&mut self.out, value, XmlPlace::Attribute);
            self.out.push('"');
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str("/>\n");
    }

    fn text(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(tag, attrs);
        self.out.push('>');
        xml_escape(&mut self.out, text, XmlPlace::Attribute);
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "</{tag}>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> roxmltree::Document<'_> {
        let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
        roxmltree::Document::parse_with_options(text, options).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn options(style: &Style) -> ProjectOptions<'_> {
        ProjectOptions {
            title: "eventmap".into(),
            style,
            timeline: Some((
                NaiveDate::from_ymd_opt(2021, 8, 4).unwrap(),
                NaiveDate::from_ymd_opt(2021, 8, 16).unwrap(),
            )),
        }
    }

    #[test]
    fn styles_are_well_formed_and_in_the_house_palette() {
        let house = Style::default();
        for kind in LayerKind::ALL {
            let text = style(kind, &house);
            let doc = parse(&text);
            assert_eq!(doc.root_element().tag_name().name(), "qgis");
            assert!(doc.descendants().any(|n| n.has_tag_name("renderer-v2")), "{kind:?}");
        }
        let provinces = style(LayerKind::Provinces, &house);
        let doc = parse(&provinces);
        let values: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("category")).filter_map(|n| n.attribute("value")).collect();
        assert_eq!(values, ["taliban", "government", "resistance", "contested", "unknown"]);
        let area = &house.palette.area;
        for c in [area.taliban, area.government, area.resistance, area.contested, area.unknown, area.contested_hatch] {
            assert!(provinces.contains(&format!("v=\"{}\"", colour(c))), "{c} missing");
        }
        let places = style(LayerKind::Places, &house);
        assert!(places.contains(&format!("v=\"{}\"", colour(house.palette.point.taliban))));
        let timeline = style(LayerKind::Timeline, &house);
        assert!(timeline.contains("startExpression=\"to_datetime(&quot;valid_from&quot;)\""), "{timeline}");
    }

    #[test]
    fn a_restyled_palette_reaches_the_qml() {
        let mut desk = Style::default();
        desk.palette.area.taliban = Colour(1, 2, 3);
        assert!(style(LayerKind::Provinces, &desk).contains("v=\"1,2,3,255\""));
    }

    #[test]
    fn project_is_deterministic_and_relative() {
        let house = Style::default();
        let a = files(&options(&house));
        let b = files(&options(&house));
        assert_eq!(a, b);
        let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["provinces.qml", "places.qml", "events.qml", "flows.qml", "timeline.qml", "eventmap.qgs"]);
        let project = String::from_utf8(a[5].1.clone()).unwrap();
        let doc = parse(&project);
        let sources: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("datasource")).filter_map(|n| n.text()).collect();
        assert_eq!(
            sources,
            ["./places.geojson", "./flows.geojson", "./events.geojson", "./provinces.geojson", "./timeline.geojson"]
        );
        assert!(project.contains("<start>2021-08-04T00:00:00Z</start>"));
        assert!(project.contains("<end>2021-08-17T00:00:00Z</end>"));
    }

    #[test]
    fn a_folder_without_a_timeline_gets_a_project_without_it() {
        let house = Style::default();
        let kinds = [LayerKind::Provinces, LayerKind::Places, LayerKind::Events, LayerKind::Flows];
        let out = files_for(&kinds, &options(&house));
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["provinces.qml", "places.qml", "events.qml", "flows.qml", "eventmap.qgs"]);
        let project = String::from_utf8(out[4].1.clone()).unwrap();
        assert!(!project.contains("timeline.geojson"));
        assert_eq!(parse(&project).descendants().filter(|n| n.has_tag_name("maplayer")).count(), 4);
    }

    #[test]
    fn data_in_the_xml_is_escaped() {
        let house = Style::default();
        let nasty = "a&b <c> \"d\" 'e'\u{1}\n";
        let mut o = options(&house);
        o.title = nasty.to_owned();
        let folder = format!("{nasty}/provinces.geojson");
        let text = project(&[(&folder, LayerKind::Provinces), ("places.geojson", LayerKind::Places)], &o);
        let doc = parse(&text);
        let title = doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap();
        assert_eq!(title, "a&b <c> \"d\" 'e'\u{FFFD}\n");
        let group = doc.descendants().filter(|n| n.has_tag_name("layer-tree-group")).nth(1).unwrap();
        assert_eq!(group.attribute("name"), Some("a&b <c> \"d\" 'e'\u{FFFD}\n"));
    }

    #[test]
    fn folders_become_groups_and_the_last_is_shown() {
        let house = Style::default();
        let layers = [
            ("2021-08-13/provinces.geojson", LayerKind::Provinces),
            ("2021-08-14/provinces.geojson", LayerKind::Provinces),
            ("timeline.geojson", LayerKind::Timeline),
        ];
        let text = project(&layers, &options(&house));
        let doc = parse(&text);
        let groups: Vec<(Option<&str>, Option<&str>)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("layer-tree-group"))
            .skip(1)
            .map(|n| (n.attribute("name"), n.attribute("checked")))
            .collect();
        assert_eq!(groups, [(Some("2021-08-13"), Some("Qt::Unchecked")), (Some("2021-08-14"), Some("Qt::Checked"))]);
        let ids: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("id")).filter_map(|n| n.text()).collect();
        assert_eq!(ids, ["eventmap_2021_08_13_provinces", "eventmap_2021_08_14_provinces", "eventmap_timeline"]);
    }

    #[test]
    fn view_covers_afghanistan() {
        let (xmin, ymin, xmax, ymax) = view_extent();
        // Roughly 1400 km by 1100 km around the central meridian and parallel of the projection.
        assert!(xmin < -600_000.0 && xmax > 600_000.0, "{xmin} {xmax}");
        assert!(ymin < -450_000.0 && ymax > 450_000.0, "{ymin} {ymax}");
        assert!(xmax - xmin < 1_800_000.0 && ymax - ymin < 1_400_000.0);
    }
}
