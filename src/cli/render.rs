//! `eventmap render INPUT... --date D`: the day's GeoJSON layers and PNG/SVG maps.

use super::pipeline_args::{report, PipelineArgs};
use super::Outcome;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::ValueEnum;
use eventmap::gazetteer::Gazetteer;
use eventmap::output::write_atomic;
use eventmap::pipeline;
use eventmap::render::{self, layers::Day, map, qgis::LayerKind};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The day to show (default: the last event's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
    pub date: Option<NaiveDate>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How the maps and layers look and where they go; shared with `eventmap build`.
#[derive(clap::Args, Clone, Debug)]
pub struct OutputArgs {
    /// Output formats, comma-separated: png, svg, geojson.
    #[arg(long = "format", alias = "formats", value_delimiter = ',', value_enum, default_value = "png,svg,geojson")]
    pub formats: Vec<Format>,
    /// The output folder.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Which maps.
    #[arg(long = "map", value_enum, default_value = "all")]
    pub map: MapChoice,
    /// Map width in pixels (print: 2400).
    #[arg(long, default_value_t = 2400, value_name = "PX")]
    pub width: u32,
    /// PNG pixel density (2 for high-density screens).
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub scale: f32,
    /// Map title (default: "Who holds Afghanistan's provincial capitals"; for the
    /// displacement map, "People displaced by the fighting").
    #[arg(long)]
    pub title: Option<String>,
    /// Subtitle (default: the date: "As of 10 August 2021", "Movements reported up to …").
    #[arg(long)]
    pub subtitle: Option<String>,
    /// Replaces the source line's first part; the data credits always follow.
    #[arg(long)]
    pub source: Option<String>,
    /// A style file (TOML): palette, font sizes, sizes.
    #[arg(long, value_name = "TOML")]
    pub style: Option<PathBuf>,
    /// Labels' language; only `en` (English transliteration) for now.
    #[arg(long, default_value = "en", value_parser = ["en"])]
    pub lang: String,
    /// Events and displacement reported in this many days up to the map's date are shown.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub recent_days: i64,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
    Geojson,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum MapChoice {
    Control,
    Displacement,
    All,
}

impl OutputArgs {
    pub fn formats(&self) -> render::Formats {
        render::Formats {
            geojson: self.formats.contains(&Format::Geojson),
            png: self.formats.contains(&Format::Png),
            svg: self.formats.contains(&Format::Svg),
            control: self.map != MapChoice::Displacement,
            displacement: self.map != MapChoice::Control,
        }
    }

    pub fn map_options(&self) -> Result<map::MapOptions> {
        let style = match &self.style {
            Some(path) => map::Style::from_toml_file(path)?,
            None => map::Style::default(),
        };
        if !(0.25..=8.0).contains(&self.scale) {
            bail!("--scale {} is out of range (0.25 to 8)", self.scale);
        }
        if !(200..=20_000).contains(&self.width) {
            bail!("--width {} is out of range (200 to 20000 px)", self.width);
        }
        Ok(map::MapOptions {
            width_px: self.width,
            scale: self.scale,
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            source: self.source.clone(),
            style,
        })
    }
}

pub fn run(args: RenderArgs, gazetteer: &Gazetteer, quiet: bool) -> Result<Outcome> {
    let options = args.output.map_options()?;
    let assembled = pipeline::assemble(&args.pipeline.inputs(), gazetteer, &args.pipeline.settings())?;
    let outcome = report(&assembled, quiet);
    let span = assembled.ledger.span();
    let date = match (args.date, span) {
        (Some(date), _) => date,
        (None, Some((_, last))) => last,
        (None, None) => bail!("no events: give --date"),
    };
    let timeline = span.map(|(first, last)| (first.min(date), last.max(date))).unwrap_or((date, date));
    let day = Day {
        gazetteer,
        ledger: &assembled.ledger,
        events: &assembled.events,
        date,
        recent_days: args.output.recent_days,
        timeline,
    };
    for (name, bytes) in
        render::outputs(&day, assembled.articles.len(), &args.output.formats(), &options, &LayerKind::ALL)
    {
        let path = args.output.out.join(&name);
        write_atomic(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        if !quiet {
            eprintln!("eventmap: wrote {}", path.display());
        }
    }
    Ok(outcome)
}
