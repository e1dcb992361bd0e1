//! The whole pipeline for a set of inputs: articles → places → events, corrected by an
//! editor's files, into a ledger. Shared by `eventmap ledger`, `render` and `build`.

use crate::extract::{self, Event};
use crate::gazetteer::Gazetteer;
use crate::geoparse::Geoparser;
use crate::ingest::{self, Article, IngestError};
use crate::ledger::inputs::{self, InputError};
use crate::ledger::{self, Baseline, Ledger};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What to read.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Article files, JSON Lines, folders, `-`.
    pub articles: Vec<PathBuf>,
    /// Corrected events CSVs (`--events`).
    pub corrections: Vec<PathBuf>,
    /// ACLED exports (`--acled`).
    pub acled: Vec<PathBuf>,
    /// Event ids to drop (`--drop`).
    pub drop: Vec<String>,
    /// `government`, `taliban`, `unknown`… or a CSV file (`--baseline`).
    pub baseline: Option<String>,
}

/// How to read it.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub extract: extract::Options,
    pub ledger: ledger::Options,
}

/// One article's contribution.
#[derive(Clone, Debug)]
pub struct ArticleSummary {
    pub id: String,
    pub date: Option<NaiveDate>,
    pub origin: String,
    pub bytes: usize,
}

/// Something that went wrong with one input, which was skipped; the rest was processed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Problem {
    #[error(transparent)]
    Article(#[from] ArticleProblem),
    #[error(transparent)]
    Input(#[from] InputError),
}

/// An article that could not be read, as text (ingest errors are not `Clone`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ArticleProblem(pub String);

impl From<IngestError> for Problem {
    fn from(e: IngestError) -> Problem {
        Problem::Article(ArticleProblem(e.to_string()))
    }
}

/// Everything the outputs are made from.
pub struct Assembled {
    pub articles: Vec<ArticleSummary>,
    /// All events after corrections, sorted by date, article, id.
    pub events: Vec<Event>,
    pub ledger: Ledger,
    /// Inputs skipped, each with its reason.
    pub problems: Vec<Problem>,
    /// Warnings (an article without a date…).
    pub warnings: Vec<String>,
}

/// Articles read per batch: enough to keep every core busy, few enough that memory does
/// not grow with the input.
const BATCH: usize = 256;

/// Runs `work` on every readable article of `paths` (in parallel within a batch) and
/// `emit` on the results in input order; unreadable articles go to `skipped`.
pub fn each_article<R: Send>(
    paths: &[PathBuf],
    work: impl Fn(&Article) -> R + Sync,
    mut emit: impl FnMut(&Article, R) -> anyhow::Result<()>,
    mut skipped: impl FnMut(IngestError),
) -> anyhow::Result<()> {
    let mut articles = ingest::read_articles(paths);
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        for item in articles.by_ref() {
            match item {
                Ok(article) => {
                    batch.push(article);
                    if batch.len() == BATCH {
                        break;
                    }
                }
                Err(error) => skipped(error),
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let results: Vec<R> = batch.par_iter().map(&work).collect();
        for (article, result) in batch.iter().zip(results) {
            emit(article, result)?;
        }
    }
}

/// Extracts the events of every readable article, in input order, on all cores.
pub fn extract_all(
    paths: &[PathBuf],
    gazetteer: &Gazetteer,
    options: &extract::Options,
    mut on_article: impl FnMut(&Article, &[Event]),
) -> (Vec<ArticleSummary>, Vec<Event>, Vec<Problem>) {
    let parser = Geoparser::new(gazetteer);
    let mut summaries = Vec::new();
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let result = each_article(
        paths,
        |a| extract::extract(a, &parser.parse(&a.body), gazetteer, options),
        |article, article_events| {
            on_article(article, &article_events);
            summaries.push(ArticleSummary {
                id: article.id.clone(),
                date: article.date,
                origin: article.origin.to_string(),
                bytes: article.body.len(),
            });
            events.extend(article_events);
            Ok(())
        },
        |error| problems.push(error.into()),
    );
    result.expect("collecting in memory cannot fail");
    (summaries, events, problems)
}

/// Reads the editor's files and builds the ledger over `events`.
pub fn assemble_with_events(
    inputs: &Inputs,
    gazetteer: &Gazetteer,
    settings: &Settings,
    articles: Vec<ArticleSummary>,
    mut events: Vec<Event>,
    mut problems: Vec<Problem>,
) -> Result<Assembled, InputError> {
    let mut warnings = Vec::new();
    for article in &articles {
        if article.date.is_none() {
            warnings.push(format!("{}: no date, so no events (relative dates need the article date)", article.origin));
        }
    }
    for path in &inputs.corrections {
        let read = inputs::read_corrections(path, gazetteer, settings.extract.family_size)?;
        problems.extend(read.errors.into_iter().map(Problem::from));
        inputs::apply_corrections(&mut events, read.items, &[]);
    }
    for path in &inputs.acled {
        let read = inputs::read_acled(path, gazetteer)?;
        problems.extend(read.errors.into_iter().map(Problem::from));
        events.extend(read.items);
    }
    inputs::apply_corrections(&mut events, Vec::new(), &inputs.drop);
    let baseline = match &inputs.baseline {
        None => Baseline::default(),
        Some(value) => {
            let mut read = inputs::read_baseline(value, gazetteer)?;
            problems.extend(read.errors.into_iter().map(Problem::from));
            read.items.pop().unwrap_or_default()
        }
    };
    let published: BTreeMap<&str, Option<NaiveDate>> = articles.iter().map(|a| (a.id.as_str(), a.date)).collect();
    let entries: Vec<ledger::Entry<'_>> = events
        .iter()
        .enumerate()
        .map(|(order, event)| ledger::Entry {
            event,
            published: published.get(event.article.as_str()).copied().flatten().or(Some(event.date)),
            order,
        })
        .collect();
    let ledger = Ledger::build(gazetteer, &entries, baseline, settings.ledger.clone());
    Ok(Assembled { articles, events, ledger, problems, warnings })
}

/// The whole pipeline.
pub fn assemble(inputs: &Inputs, gazetteer: &Gazetteer, settings: &Settings) -> Result<Assembled, InputError> {
    let (articles, events, problems) = extract_all(&inputs.articles, gazetteer, &settings.extract, |_, _| {});
    assemble_with_events(inputs, gazetteer, settings, articles, events, problems)
}
