//! Geoparser accuracy on the team's own corpora: precision and recall of place mentions,
//! at least 0.95 each on tests/corpus/geoparse (the development corpus) and 0.9 on
//! tests/corpus/holdout (written separately, first scored before any tuning on it), and a
//! floor of 0.9 on tests/corpus/blind (written last, by another hand, from other sources).

use crate::util::repo;
use eventmap::gazetteer::{Gazetteer, Kind};
use eventmap::geoparse::Geoparser;
use eventmap::ingest;
use std::collections::BTreeMap;

/// (article, text, kind, admin1) → how many times.
type Bag = BTreeMap<(String, String, String, String), usize>;

fn gold(answers: &str) -> Bag {
    let mut reader = csv::Reader::from_path(repo().join(answers)).unwrap();
    let mut bag = Bag::new();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[2] == "region" {
            continue; // regions are reported but not scored
        }
        *bag.entry((row[0].to_owned(), row[1].to_owned(), row[2].to_owned(), row[3].to_owned())).or_default() += 1;
    }
    bag
}

fn predicted(g: &Gazetteer, corpus: &str) -> Bag {
    let parser = Geoparser::new(g);
    let mut bag = Bag::new();
    for article in ingest::read_articles(&[repo().join(corpus)]) {
        let article = article.unwrap();
        for m in parser.parse(&article.body).mentions {
            let entry = g.entry(m.entry);
            if m.metonym || entry.kind == Kind::Region {
                continue;
            }
            let key = (
                article.id.clone(),
                article.body[m.start..m.end].to_owned(),
                entry.kind.to_string(),
                entry.admin1_code.clone().filter(|_| entry.kind.is_afghan()).unwrap_or_default(),
            );
            *bag.entry(key).or_default() += 1;
        }
    }
    bag
}

#[test]
fn geoparse_precision_and_recall_on_the_corpus() {
    score("tests/corpus/geoparse", "tests/corpus/geoparse/expected.csv", 0.95);
}

#[test]
fn geoparse_precision_and_recall_on_the_holdout() {
    score("tests/corpus/holdout", "tests/corpus/holdout/places.csv", 0.9);
}

/// The blind corpus scored 0.916 / 0.892 on its first run, before any change was made
/// with it in view, and 0.952 / 0.930 after general fixes; the floor guards against
/// sliding back, it is not a target to tune to.
#[test]
fn geoparse_precision_and_recall_on_the_blind_corpus() {
    score("tests/corpus/blind", "tests/corpus/blind/places.csv", 0.9);
}

fn score(corpus: &str, answers: &str, threshold: f64) {
    let g = Gazetteer::bundled();
    let (gold, predicted) = (gold(answers), predicted(&g, corpus));
    let mut true_positives = 0;
    let mut missed = Vec::new();
    let mut spurious = Vec::new();
    for (key, &n) in &gold {
        let p = predicted.get(key).copied().unwrap_or(0);
        true_positives += n.min(p);
        if n > p {
            missed.push(format!("{key:?} x{}", n - p));
        }
    }
    for (key, &p) in &predicted {
        let n = gold.get(key).copied().unwrap_or(0);
        if p > n {
            spurious.push(format!("{key:?} x{}", p - n));
        }
    }
    let gold_total: usize = gold.values().sum();
    let predicted_total: usize = predicted.values().sum();
    let precision = true_positives as f64 / predicted_total as f64;
    let recall = true_positives as f64 / gold_total as f64;
    let report = format!(
        "precision {precision:.3} ({true_positives}/{predicted_total}), recall {recall:.3} ({true_positives}/{gold_total})\nmissed:\n  {}\nspurious:\n  {}",
        missed.join("\n  "),
        spurious.join("\n  ")
    );
    println!("{report}");
    assert!(precision >= threshold && recall >= threshold, "{corpus}: {report}");
}
