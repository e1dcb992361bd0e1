//! Reading articles for a subcommand: in input order, in batches processed on all
//! cores, with bad articles reported once on stderr and the rest processed.

use super::Outcome;
use eventmap::ingest::{self, Article};
use rayon::prelude::*;
use std::path::PathBuf;

/// Articles read per batch: enough to keep every core busy, few enough that memory
/// does not grow with the input.
const BATCH: usize = 256;

/// Calls `work` on every readable article (in parallel within a batch) and `emit` on
/// the results in input order. Returns `Partial` if any input was skipped.
pub fn for_each_article<R: Send>(
    inputs: &[PathBuf],
    quiet: bool,
    work: impl Fn(&Article) -> R + Sync,
    mut emit: impl FnMut(&Article, R) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    let mut articles = ingest::read_articles(inputs);
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        for item in articles.by_ref() {
            match item {
                Ok(article) => {
                    if !quiet {
                        for warning in &article.warnings {
                            eprintln!("eventmap: warning: {warning}");
                        }
                    }
                    batch.push(article);
                    if batch.len() == BATCH {
                        break;
                    }
                }
                Err(error) => {
                    eprintln!("eventmap: skipped: {error}");
                    outcome = Outcome::Partial;
                }
            }
        }
        if batch.is_empty() {
            return Ok(outcome);
        }
        let results: Vec<R> = batch.par_iter().map(&work).collect();
        for (article, result) in batch.iter().zip(results) {
            emit(article, result)?;
        }
    }
}
