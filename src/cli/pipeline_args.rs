//! Options shared by the subcommands that build a ledger: inputs, an editor's files, rules.

use clap::ValueEnum;
use eventmap::extract;
use eventmap::ledger::{self, ProvinceRule};
use eventmap::pipeline::{Inputs, Settings};
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct PipelineArgs {
    /// Article files (`date YYYY-MM-DD Title` on the first line), JSON Lines files,
    /// folders of both, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Corrected or added events: a CSV in the `eventmap events` columns, with an optional
    /// `drop` column. May be given more than once.
    #[arg(long = "events", value_name = "CSV")]
    pub corrections: Vec<PathBuf>,
    /// An ACLED export (its own column names); territory changes become control, battles contested.
    #[arg(long, value_name = "CSV")]
    pub acled: Vec<PathBuf>,
    /// Leave out the event with this id. May be given more than once.
    #[arg(long = "drop", value_name = "EVENT_ID")]
    pub drop: Vec<String>,
    /// Starting state: `government`, `taliban`, `resistance`, `unknown` for every place, or a
    /// CSV `place_id_or_name,status,date`. Default: unknown.
    #[arg(long, value_name = "STATUS|CSV")]
    pub baseline: Option<String>,
    /// Days a place stays contested after the latest fighting reported there.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub contested_days: i64,
    /// How a province's status follows its places.
    #[arg(long, value_enum, default_value = "capital")]
    pub province_rule: ProvinceRuleArg,
    #[command(flatten)]
    pub extract: ExtractArgs,
}

/// How events are read from the text.
#[derive(clap::Args, Clone, Debug)]
pub struct ExtractArgs {
    /// Persons per family or household, to estimate `people` (OCHA's Afghanistan figures use 7).
    #[arg(long, default_value_t = extract::DEFAULT_FAMILY_SIZE, value_name = "N")]
    pub family_size: f64,
    /// The day the Republic's government fell: from then on "government forces" are the
    /// Taliban's and militias fighting them are the resistance. `never` turns this off.
    #[arg(long, default_value = "2021-08-15", value_name = "YYYY-MM-DD|never", value_parser = parse_fell)]
    pub government_fell: Fell,
}

/// `--government-fell`: a day, or never.
#[derive(Clone, Copy, Debug)]
pub struct Fell(pub Option<chrono::NaiveDate>);

fn parse_fell(value: &str) -> Result<Fell, String> {
    if value == "never" {
        return Ok(Fell(None));
    }
    super::parse_day(value).map(|d| Fell(Some(d)))
}

impl ExtractArgs {
    pub fn options(&self) -> extract::Options {
        extract::Options { family_size: self.family_size, government_fell: self.government_fell.0 }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ProvinceRuleArg {
    /// The status of the province's capital.
    Capital,
    /// The status held by more than half of the province's known places.
    Share,
}

impl PipelineArgs {
    pub fn inputs(&self) -> Inputs {
        Inputs {
            articles: self.inputs.clone(),
            corrections: self.corrections.clone(),
            acled: self.acled.clone(),
            drop: self.drop.clone(),
            baseline: self.baseline.clone(),
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            extract: self.extract.options(),
            ledger: ledger::Options {
                contested_days: self.contested_days.max(1),
                province_rule: match self.province_rule {
                    ProvinceRuleArg::Capital => ProvinceRule::Capital,
                    ProvinceRuleArg::Share => ProvinceRule::Share,
                },
            },
        }
    }
}

/// Reports the problems and warnings of an assembled run; `Partial` if anything was skipped.
pub fn report(assembled: &eventmap::pipeline::Assembled, quiet: bool) -> super::Outcome {
    if !quiet {
        for warning in &assembled.warnings {
            eprintln!("eventmap: warning: {warning}");
        }
    }
    for problem in &assembled.problems {
        eprintln!("eventmap: skipped: {problem}");
    }
    if assembled.problems.is_empty() {
        super::Outcome::Success
    } else {
        super::Outcome::Partial
    }
}
