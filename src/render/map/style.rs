//! The house style of the publication maps (palette, type sizes, line widths) and
//! its TOML form, so a graphics desk can restyle a map without a rebuild.
//!
//! Sizes are pixels on a map 2400 pixels wide; a narrower or wider map scales them,
//! so the same map at another width is the same design at another resolution.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// An opaque sRGB colour, written `"#rrggbb"` in TOML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    /// Parses `#rrggbb`.
    pub fn parse(s: &str) -> Option<Colour> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Colour(byte(0)?, byte(2)?, byte(4)?))
    }

    /// Relative luminance (WCAG), to check the palette still reads in greyscale.
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Colour, D::Error> {
        let s = String::deserialize(deserializer)?;
        Colour::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid colour {s:?}: expected \"#rrggbb\"")))
    }
}

/// A length in pixels at 2400 px width: finite and not negative.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Px(pub f64);

impl<'de> Deserialize<'de> for Px {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Px, D::Error> {
        let v = f64::deserialize(deserializer)?;
        if (0.0..=2400.0).contains(&v) {
            Ok(Px(v))
        } else {
            Err(serde::de::Error::custom(format!("invalid size {v}: expected pixels from 0 to 2400")))
        }
    }
}

/// Fill and point colours by control status.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusColours {
    pub taliban: Colour,
    pub government: Colour,
    pub resistance: Colour,
    /// Ground under the hatching of a contested province.
    pub contested: Colour,
    /// The hatching lines of a contested province.
    pub contested_hatch: Colour,
    pub unknown: Colour,
}

impl StatusColours {
    /// The colour of a status (a contested area's ground; its hatching is `contested_hatch`).
    pub fn of(&self, status: crate::ledger::Status) -> Colour {
        use crate::ledger::Status;
        match status {
            Status::Taliban => self.taliban,
            Status::Government => self.government,
            Status::Resistance => self.resistance,
            Status::Contested => self.contested,
            Status::Unknown => self.unknown,
        }
    }
}

/// Colours for everything that is not a control status.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Palette {
    /// Province fills (control map).
    pub area: StatusColours,
    /// Capital dots (control map): stronger than the fills, so a dot reads on its own province.
    pub point: StatusColours,
    pub background: Colour,
    pub neighbour: Colour,
    pub neighbour_border: Colour,
    pub neighbour_label: Colour,
    pub province_border: Colour,
    pub country_outline: Colour,
    pub text: Colour,
    pub text_muted: Colour,
    pub halo: Colour,
    pub dot_outline: Colour,
    /// Provinces on the displacement map.
    pub faint_province: Colour,
    pub flow: Colour,
    pub flow_outline: Colour,
    pub arrivals: Colour,
    pub arrivals_outline: Colour,
}

/// Type sizes (pixels at 2400 px width).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FontSizes {
    pub title: Px,
    pub subtitle: Px,
    pub legend: Px,
    pub label: Px,
    pub kabul: Px,
    pub neighbour: Px,
    pub flow_label: Px,
    pub source: Px,
}

/// Line widths and symbol sizes (pixels at 2400 px width).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sizes {
    pub margin: Px,
    pub province_border: Px,
    pub country_outline: Px,
    pub neighbour_border: Px,
    pub hatch_width: Px,
    pub hatch_spacing: Px,
    pub dot_radius: Px,
    pub kabul_dot_radius: Px,
    pub dot_outline: Px,
    pub halo: Px,
    /// Arrow width for `flow_reference_people`; other widths scale by the square root.
    pub flow_reference_width: Px,
    pub flow_min_width: Px,
    /// Circle radius for `flow_reference_people` arrivals; other radii scale by the square root.
    pub arrivals_reference_radius: Px,
    pub arrivals_min_radius: Px,
}

/// The whole style. [`Style::default`] is the house style.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Style {
    pub palette: Palette,
    pub font: FontSizes,
    pub size: Sizes,
    /// People at which a flow is `flow_reference_width` wide and its arrivals circle
    /// `arrivals_reference_radius` large: fixed, so maps of different days compare.
    pub flow_reference_people: u64,
    /// The most flows a displacement map draws, the largest by people; the legend says
    /// how many were left off (all are in `flows.geojson`). A map of a busy week with
    /// every reported movement drawn is a tangle no desk would print.
    pub max_flows: usize,
}

fn c(hex: &str) -> Colour {
    Colour::parse(hex).expect("house colours are valid")
}

impl Default for StatusColours {
    fn default() -> Self {
        // Orange against blue is the pair every kind of colour blindness keeps apart;
        // the lightness steps (Taliban dark, resistance middle, government light) keep
        // them apart in greyscale print too, and contested adds hatching on top.
        StatusColours {
            taliban: c("#a8431e"),
            government: c("#bcd4e9"),
            resistance: c("#8e86c0"),
            contested: c("#f6dcc6"),
            contested_hatch: c("#a8431e"),
            unknown: c("#f8f8f8"),
        }
    }
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            area: StatusColours::default(),
            point: StatusColours {
                taliban: c("#8a2f0f"),
                government: c("#3f86cc"),
                resistance: c("#54438f"),
                contested: c("#e8853a"),
                contested_hatch: c("#8a2f0f"),
                unknown: c("#9a9a9a"),
            },
            background: c("#ffffff"),
            neighbour: c("#ececea"),
            neighbour_border: c("#ffffff"),
            neighbour_label: c("#8c8c8c"),
            province_border: c("#ffffff"),
            country_outline: c("#3c3c3c"),
            text: c("#1e1e1e"),
            text_muted: c("#5c5c5c"),
            halo: c("#ffffff"),
            dot_outline: c("#1e1e1e"),
            faint_province: c("#dddad3"),
            flow: c("#b6312b"),
            flow_outline: c("#ffffff"),
            arrivals: c("#3b6fb0"),
            arrivals_outline: c("#1f4c86"),
        }
    }
}

impl Default for FontSizes {
    fn default() -> Self {
        FontSizes {
            title: Px(68.0),
            subtitle: Px(42.0),
            legend: Px(34.0),
            label: Px(34.0),
            kabul: Px(44.0),
            neighbour: Px(34.0),
            flow_label: Px(32.0),
            source: Px(28.0),
        }
    }
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            margin: Px(48.0),
            province_border: Px(2.0),
            country_outline: Px(4.0),
            neighbour_border: Px(3.0),
            hatch_width: Px(5.0),
            hatch_spacing: Px(16.0),
            dot_radius: Px(10.0),
            kabul_dot_radius: Px(15.0),
            dot_outline: Px(3.0),
            halo: Px(4.0),
            flow_reference_width: Px(30.0),
            flow_min_width: Px(4.0),
            arrivals_reference_radius: Px(64.0),
            arrivals_min_radius: Px(12.0),
        }
    }
}

impl Default for Style {
    fn default() -> Self {
        Style {
            palette: Palette::default(),
            font: FontSizes::default(),
            size: Sizes::default(),
            flow_reference_people: 100_000,
            max_flows: 20,
        }
    }
}

/// A style file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid { path: PathBuf, line: usize, column: usize, message: String },
}

impl Style {
    /// Reads a TOML style; keys it leaves out keep the house style.
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, or has an unknown key or a bad value;
    /// the error names the file, line, column and the value.
    pub fn from_toml_file(path: &Path) -> Result<Style, StyleError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| StyleError::Read { path: path.to_owned(), source })?;
        Style::from_toml_str(&text, path)
    }

    /// Parses a TOML style; `path` is only used in errors.
    ///
    /// # Errors
    /// As [`Style::from_toml_file`].
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Style, StyleError> {
        let style: Style = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |span| line_column(text, span.start));
            StyleError::Invalid { path: path.to_owned(), line, column, message: e.message().trim().to_owned() }
        })?;
        let zero = |key: &str, expected: &str| {
            let (line, column) = text.find(key).map_or((1, 1), |offset| line_column(text, offset));
            let message = format!("invalid {key} 0: expected {expected}");
            Err(StyleError::Invalid { path: path.to_owned(), line, column, message })
        };
        if style.flow_reference_people == 0 {
            return zero("flow_reference_people", "a positive number of people");
        }
        if style.max_flows == 0 {
            return zero("max_flows", "at least 1");
        }
        Ok(style)
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Style, StyleError> {
        Style::from_toml_str(text, Path::new("desk.toml"))
    }

    #[test]
    fn partial_file_keeps_the_house_style() {
        let style = parse("[palette.area]\ntaliban = \"#000000\"\n[font]\ntitle = 80\n").unwrap();
        assert_eq!(style.palette.area.taliban, Colour(0, 0, 0));
        assert_eq!(style.font.title, Px(80.0));
        assert_eq!(style.palette.area.government, Style::default().palette.area.government);
    }

    #[test]
    fn bad_colour_names_file_line_and_value() {
        let err = parse("[palette]\n\nflow = \"#12345g\"\n").unwrap_err().to_string();
        assert!(err.starts_with("desk.toml:3:8: "), "{err}");
        assert!(err.contains("\"#12345g\""), "{err}");
    }

    #[test]
    fn bad_size_and_unknown_key_are_errors() {
        let err = parse("[size]\nhalo = -2\n").unwrap_err().to_string();
        assert!(err.starts_with("desk.toml:2:8: invalid size -2"), "{err}");
        let err = parse("[font]\ntitel = 3\n").unwrap_err().to_string();
        assert!(err.starts_with("desk.toml:2:1: unknown field `titel`"), "{err}");
        let err = parse("flow_reference_people = 0\n").unwrap_err().to_string();
        assert!(err.starts_with("desk.toml:1:1: invalid flow_reference_people 0"), "{err}");
        let err = parse("# flows\nmax_flows = 0\n").unwrap_err().to_string();
        assert!(err.starts_with("desk.toml:2:1: invalid max_flows 0: expected at least 1"), "{err}");
        let err = parse("[font\n").unwrap_err().to_string();
        assert!(err.starts_with("desk.toml:1:"), "{err}");
    }

    #[test]
    fn statuses_differ_in_greyscale() {
        let a = StatusColours::default();
        let mut l = [a.taliban, a.resistance, a.government, a.unknown].map(Colour::luminance);
        l.sort_by(f64::total_cmp);
        for pair in l.windows(2) {
            // WCAG contrast of neighbouring steps: at least 1.4 so each reads as its own grey.
            assert!((pair[1] + 0.05) / (pair[0] + 0.05) >= 1.4, "{l:?}");
        }
    }
}
