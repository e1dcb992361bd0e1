//! Speed of the text half of the pipeline: loading the bundled gazetteer, looking
//! names up, geoparsing (`eventmap places`), geoparsing then extracting events
//! (`eventmap events`) on one core, and the same on every core with rayon in batches
//! as the command line does.
//!
//! The corpus is made here, deterministically, from the repository's own articles
//! (`tests/corpus/*/*.txt`, `tests/fixtures/articles/*.txt`): copies of them with
//! their single-word place names swapped for others, to about 5 MB of body text
//! (`EVENTMAP_BENCH_MB` to change it). Nothing outside the repository is read, unless
//! `EVENTMAP_BENCH_CORPUS` names an input to read instead (anything `eventmap places`
//! reads: a JSON Lines file, a folder): `benches/geotext_ratio.sh` gives it the corpus
//! geotext reads, for a ratio on the same text in the same run. The other way round,
//! `EVENTMAP_BENCH_WRITE_CORPUS=FILE` writes the corpus benchmarked as the peers read
//! one (`../shared/peers/make_corpus.py`'s format: an article a line, `date YYYY-MM-DD`
//! then its text, line breaks as spaces).
//!
//! `cargo bench --bench pipeline`; one core: `taskset -c 0 cargo bench --bench pipeline`.
//! On a machine shared with other work, `EVENTMAP_BENCH_CPU=1` times the one-thread
//! benchmarks by the thread's CPU time (Linux, `/proc/thread-self/schedstat`) instead
//! of wall time, so other processes' load does not count.
//! Figures and the side-by-side with other geoparsers: `docs/performance.md`.

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, criterion_main, Bencher, Criterion, Throughput};
use eventmap::extract::{self, Options};
use eventmap::gazetteer::Gazetteer;
use eventmap::geoparse::Geoparser;
use eventmap::ingest::{self, Article};
use rayon::prelude::*;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Articles per parallel batch, as in `eventmap places|events`.
const BATCH: usize = 256;

/// Single-word place names the corpus copies swap among themselves: capitals,
/// provinces and a few district seats, all in the bundled gazetteer.
const SWAP: &[&str] = &[
    "Kabul",
    "Kandahar",
    "Herat",
    "Kunduz",
    "Jalalabad",
    "Ghazni",
    "Helmand",
    "Farah",
    "Faizabad",
    "Taloqan",
    "Zaranj",
    "Sheberghan",
    "Maymana",
    "Aybak",
    "Bamyan",
    "Gardez",
    "Khost",
    "Badakhshan",
    "Baghlan",
    "Takhar",
    "Balkh",
    "Jowzjan",
    "Faryab",
    "Nangarhar",
    "Laghman",
    "Kunar",
    "Logar",
    "Wardak",
    "Uruzgan",
    "Zabul",
    "Nimroz",
    "Badghis",
    "Ghor",
    "Paktia",
    "Panjshir",
    "Sangin",
    "Andkhoy",
];

/// Names looked up: capitals, provinces, spelling variants, typos, foreign places and
/// words that are no place at all (40 names, cycled).
const LOOKUPS: &[&str] = &[
    "Kabul",
    "Kandahar",
    "Herat",
    "Mazar-i-Sharif",
    "Kunduz",
    "Jalalabad",
    "Lashkar Gah",
    "Helmand",
    "Badakhshan",
    "Nangarhar",
    "Jowzjan",
    "Panjshir",
    "Mazar-e Sharif",
    "Mazār-e Sharīf",
    "Shibirghan",
    "Qandahar",
    "Khowst",
    "Sar-e Pol",
    "Kondoz",
    "Pul-i-Khumri",
    "Lashkargah",
    "Lashkar Gar",
    "Jalalabd",
    "Sheberghen",
    "Kandahr",
    "Islamabad",
    "Peshawar",
    "Quetta",
    "Chaman",
    "Doha",
    "Tehran",
    "Dushanbe",
    "Washington",
    "Taliban",
    "Rahima",
    "Newsday",
    "Pentagon",
    "Zalmay Khalilzad",
    "government",
    "Thursday",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's own articles, in file-name order.
fn base_articles() -> Vec<Article> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["tests/corpus/geoparse", "tests/corpus/events", "tests/fixtures/articles"] {
        let Ok(entries) = std::fs::read_dir(repo().join(dir)) else { continue };
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "txt")));
    }
    files.sort();
    let articles: Vec<Article> = files.iter().filter_map(|path| read(path)).collect();
    assert!(!articles.is_empty(), "no articles under tests/corpus: run from a clone of the repository");
    articles
}

fn read(path: &Path) -> Option<Article> {
    let bytes = std::fs::read(path).ok()?;
    let id = path.file_stem()?.to_string_lossy().into_owned();
    ingest::parse_text_article(&id, &path.display().to_string(), &bytes).ok().filter(|a| a.date.is_some())
}

/// A small deterministic generator (xorshift64*), so every run benchmarks the same text.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// `body` with every word that is one of [`SWAP`] replaced by a name drawn from it.
fn swap_names(body: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let word = &rest[..end];
        if SWAP.contains(&word) {
            out.push_str(SWAP[rng.below(SWAP.len())]);
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// About `mb` MB (10^6 bytes) of article bodies: the repository's articles, then copies
/// with names swapped and dates moved on a day per round.
fn corpus(mb: f64) -> Vec<Article> {
    let base = base_articles();
    let target = (mb * 1e6) as usize;
    let mut rng = Rng(0x2021_0810_2021_0815);
    let mut out: Vec<Article> = Vec::new();
    let mut size = 0;
    for round in 0u64.. {
        for article in &base {
            if size >= target {
                return out;
            }
            let mut copy = article.clone();
            if round > 0 {
                copy.id = format!("{}-{round}", article.id);
                copy.body = swap_names(&article.body, &mut rng);
                copy.date = article.date.and_then(|d: NaiveDate| d.checked_add_days(Days::new(round)));
            }
            size += copy.body.len();
            out.push(copy);
        }
    }
    out
}

/// The benchmark's articles: those of `EVENTMAP_BENCH_CORPUS` if set, else [`corpus`].
fn articles() -> Vec<Article> {
    let Some(input) = std::env::var_os("EVENTMAP_BENCH_CORPUS") else { return corpus(corpus_mb()) };
    let articles: Vec<Article> = ingest::read_articles(&[PathBuf::from(&input)])
        .map(|article| article.unwrap_or_else(|e| panic!("EVENTMAP_BENCH_CORPUS: {e}")))
        .collect();
    assert!(!articles.is_empty(), "EVENTMAP_BENCH_CORPUS={}: no articles", input.to_string_lossy());
    articles
}

fn corpus_mb() -> f64 {
    std::env::var("EVENTMAP_BENCH_MB").ok().and_then(|v| v.parse().ok()).filter(|mb: &f64| *mb > 0.0).unwrap_or(5.0)
}

/// Nanoseconds this thread has run on a CPU (Linux; `None` elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Times `routine` by wall clock, or by this thread's CPU time when `EVENTMAP_BENCH_CPU`
/// is set (for one-thread benchmarks only: other threads' work is not counted).
fn one_thread<O>(b: &mut Bencher, mut routine: impl FnMut() -> O) {
    if std::env::var_os("EVENTMAP_BENCH_CPU").is_some() && thread_cpu_ns().is_some() {
        b.iter_custom(|iterations| {
            let start = thread_cpu_ns().unwrap_or(0);
            for _ in 0..iterations {
                black_box(routine());
            }
            Duration::from_nanos(thread_cpu_ns().unwrap_or(start).saturating_sub(start))
        })
    } else {
        b.iter(routine)
    }
}

fn gazetteer(c: &mut Criterion) {
    let mut group = c.benchmark_group("gazetteer");
    group.sample_size(20);
    group.bench_function("load_bundled", |b| one_thread(b, Gazetteer::bundled));

    let g = Gazetteer::bundled();
    let names: Vec<&str> = LOOKUPS.iter().copied().cycle().take(10_000).collect();
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("lookup_10k_mixed", |b| {
        one_thread(b, || {
            let mut answers = 0;
            for name in &names {
                answers += g.lookup(black_box(name)).len();
            }
            answers
        })
    });
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let g = Gazetteer::bundled();
    let parser = Geoparser::new(&g);
    let options = Options::default();
    let articles = articles();
    if let Some(path) = std::env::var_os("EVENTMAP_BENCH_WRITE_CORPUS") {
        let mut lines = String::new();
        for article in &articles {
            let date = article.date.map(|d| d.to_string()).unwrap_or_default();
            let text: String = article.body.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
            lines.push_str(&format!("date {date} {text}\n"));
        }
        std::fs::write(&path, lines).unwrap_or_else(|e| panic!("EVENTMAP_BENCH_WRITE_CORPUS: {e}"));
    }
    let bytes: u64 = articles.iter().map(|a| a.body.len() as u64).sum();
    eprintln!(
        "pipeline corpus: {} articles, {bytes} bytes of body text; {} rayon threads",
        articles.len(),
        rayon::current_num_threads()
    );

    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::BytesDecimal(bytes));

    group.bench_function("places_1_thread", |b| {
        one_thread(b, || articles.iter().map(|a| parser.parse(&a.body).mentions.len()).sum::<usize>())
    });
    group.bench_function("places_events_1_thread", |b| {
        one_thread(b, || {
            articles.iter().map(|a| extract::extract(a, &parser.parse(&a.body), &g, &options).len()).sum::<usize>()
        })
    });
    group.bench_function("places_all_cores", |b| {
        b.iter(|| {
            let mut mentions = 0;
            for batch in articles.chunks(BATCH) {
                let found: Vec<usize> = batch.par_iter().map(|a| parser.parse(&a.body).mentions.len()).collect();
                mentions += found.iter().sum::<usize>();
            }
            mentions
        })
    });
    group.bench_function("places_events_all_cores", |b| {
        b.iter(|| {
            let mut events = 0;
            for batch in articles.chunks(BATCH) {
                let found: Vec<usize> =
                    batch.par_iter().map(|a| extract::extract(a, &parser.parse(&a.body), &g, &options).len()).collect();
                events += found.iter().sum::<usize>();
            }
            events
        })
    });
    group.finish();
}

criterion_group!(benches, gazetteer, pipeline);
criterion_main!(benches);
