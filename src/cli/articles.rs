//! Reading articles for a subcommand: bad articles are reported once on stderr and the
//! rest processed; warnings are printed unless `--quiet`.

use super::Outcome;
use eventmap::ingest::Article;
use eventmap::pipeline::each_article;
use std::path::PathBuf;

/// Calls `work` on every readable article (in parallel) and `emit` on the results in
/// input order. Returns `Partial` if any input was skipped.
pub fn for_each_article<R: Send>(
    inputs: &[PathBuf],
    quiet: bool,
    work: impl Fn(&Article) -> R + Sync,
    mut emit: impl FnMut(&Article, R) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    each_article(
        inputs,
        work,
        |article, result| {
            if !quiet {
                for warning in &article.warnings {
                    eprintln!("eventmap: warning: {warning}");
                }
            }
            emit(article, result)
        },
        |error| {
            eprintln!("eventmap: skipped: {error}");
            outcome = Outcome::Partial;
        },
    )?;
    Ok(outcome)
}
