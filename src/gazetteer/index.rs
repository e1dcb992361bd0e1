//! The name index: folded key → entries, with exact/folded/fuzzy tiers and ranking.

use super::fold::{self, Folder};
use super::{Entry, EntryId, Kind};
use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// How much a name is trusted to mean its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trust {
    /// The display name.
    Primary,
    /// A spelling the project or the data's curators chose (authored aliases, the
    /// GeoNames name and ASCII name, ISO names).
    Curated,
    /// A GeoNames alternate name: many spellings, some noisy.
    Alternate,
}

/// How a query met a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchTier {
    /// Same letters as a primary or curated name (case, accents and punctuation aside).
    Exact,
    /// Same letters as an alternate name.
    ExactAlternate,
    /// Same folded key as a primary or curated name.
    Folded,
    /// Same folded key as an alternate name.
    FoldedAlternate,
    /// One edit away from a primary or curated name's key.
    Fuzzy,
}

impl MatchTier {
    pub fn score(self) -> f32 {
        match self {
            MatchTier::Exact => 1.0,
            MatchTier::ExactAlternate => 0.9,
            MatchTier::Folded => 0.85,
            MatchTier::FoldedAlternate => 0.75,
            MatchTier::Fuzzy => 0.6,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatchTier::Exact => "exact",
            MatchTier::ExactAlternate => "exact_alternate",
            MatchTier::Folded => "folded",
            MatchTier::FoldedAlternate => "folded_alternate",
            MatchTier::Fuzzy => "fuzzy",
        }
    }
}

/// One name of one entry, under its folded key.
#[derive(Clone, Debug)]
pub struct Posting {
    pub entry: EntryId,
    pub trust: Trust,
    /// Lowercase letters and digits without accents: what "exact" compares.
    pub simple: Box<str>,
    /// Short all-capital names (US, UK) match only when written in capitals.
    pub capitals_only: bool,
}

/// A lookup answer.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub entry: EntryId,
    pub tier: MatchTier,
    pub score: f32,
}

/// Folded names of every entry.
#[derive(Default)]
pub struct NameIndex {
    by_key: FxHashMap<Box<str>, Vec<Posting>>,
    /// Folded first token of every indexed name: a text token not in here starts no name.
    first_tokens: FxHashSet<Box<str>>,
    /// Folded first tokens of names written in lower case ("northern Afghanistan").
    lowercase_first_tokens: FxHashSet<Box<str>>,
    /// Longest indexed name, in tokens.
    pub max_tokens: usize,
    /// Names with connectors, under their key without them (`fold::bare_key`).
    bare_keys: FxHashMap<Box<str>, Vec<Posting>>,
    /// One-deletion variants of trusted keys → those keys (symmetric-delete fuzzy match).
    deletions: FxHashMap<Box<str>, Vec<Box<str>>>,
    /// Longest key (in letters) with fuzzy variants: a longer query is more than one edit
    /// from all of them, and its own deletions would cost its length squared.
    max_fuzzy_key: usize,
    /// Lowercase common English words (the bundled list's own lines). Asked of every
    /// unknown capitalised word: a hash set, since a binary search of the sorted list
    /// (no set to build at start, 1 ms) made geoparsing a sixth slower.
    english_words: FxHashSet<&'static str>,
}

/// What a name's spelling says of its place in the index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Refused,
    Accepted,
    /// Let in unless its key is a common English word's.
    UnlessEnglish,
}

/// Which names go in: alternate names are many and noisy, so codes ("KBL"), machine
/// transliterations (all lowercase), inflections of the name itself ("Kabuli", "Kabulas":
/// a demonym or a foreign case ending) and common English words are left out (the last
/// is for the caller to ask).
fn screen(name: &str, key: &str, trust: Trust, primary_key: &str) -> Screen {
    if key.chars().count() < 2 {
        return Screen::Refused;
    }
    if trust < Trust::Alternate {
        return Screen::Accepted;
    }
    if key.chars().count() < 4 || name.chars().any(|c| c.is_ascii_digit()) {
        return Screen::Refused;
    }
    // (Letters read from the name each time, not collected: most names are turned away
    // or let in by the first test that reads them.)
    let letters = || name.chars().filter(|c| c.is_alphabetic());
    let latin = letters().all(|c| c.is_ascii() || (c as u32) < 0x0250);
    if latin && letters().all(|c| !c.is_lowercase()) {
        return Screen::Refused;
    }
    if latin && letters().all(|c| !c.is_uppercase()) {
        return Screen::Refused;
    }
    if key != primary_key && key.starts_with(primary_key) && key.len() - primary_key.len() <= 2 {
        return Screen::Refused;
    }
    Screen::UnlessEnglish
}

/// Shortest key (in letters) that fuzzy matching is tried on: below this, one edit
/// turns too many names into others.
pub const FUZZY_MIN_LEN: usize = 6;

impl NameIndex {
    /// The index of `entries`' names. `english_words` is the bundled list.
    pub fn build(entries: &[Entry], english_words: &'static str) -> NameIndex {
        let mut index = NameIndex { english_words: english_set(english_words), ..NameIndex::default() };
        // Sized up front: growing it one insert at a time rehashed it a dozen times.
        index.by_key.reserve(entries.iter().map(|e| e.names.len()).sum());
        // Pass 1: each name cut into tokens (kept as slices of it) and folded once, into one
        // buffer: its key, its first token's key (a prefix of the key) and, later, its key
        // without connectors all come from the same pieces. A String per token and per key
        // cost more than the folding.
        let mut folder = Folder::default();
        let mut keys = String::new();
        let mut pieces: Vec<&str> = Vec::new();
        // Per name: end of its key in `keys`, its first token's key length, end of its
        // pieces in `pieces`, what `screen` says of it.
        let mut names: Vec<(usize, usize, usize, Screen)> = Vec::new();
        for entry in entries {
            let primary_key = fold::key(&entry.name);
            for (name, trust) in &entry.names {
                let start = pieces.len();
                pieces.extend(fold::raw_tokens(name));
                folder.clear();
                let mut first_len = 0;
                for (i, piece) in pieces[start..].iter().enumerate() {
                    folder.push_token(piece);
                    if i == 0 {
                        first_len = folder.len();
                    }
                }
                keys.push_str(folder.as_str());
                let screen = screen(name, folder.as_str(), *trust, &primary_key);
                names.push((keys.len(), first_len, pieces.len(), screen));
            }
        }
        // Pass 2: which of the keys that only an English word would keep out are English
        // words' keys. Only these few are looked for among the 40,000 words folded: a set
        // of every word's key cost a String each to make and to free.
        let key_at = |n: usize| {
            let start = if n == 0 { 0 } else { names[n - 1].0 };
            &keys[start..names[n].0]
        };
        let mut english: FxHashMap<&str, bool> =
            (0..names.len()).filter(|&n| names[n].3 == Screen::UnlessEnglish).map(|n| (key_at(n), false)).collect();
        for word in english_words.lines().map(str::trim).filter(|w| !w.is_empty()) {
            folder.clear();
            folder.push_token(word);
            if let Some(is_english) = english.get_mut(folder.as_str()) {
                *is_english = true;
            }
        }
        // Pass 3: the names let in, indexed.
        let mut bare = Folder::default();
        let mut simple_form = String::new();
        let mut variant = String::new();
        let mut n = 0;
        for (id, entry) in entries.iter().enumerate() {
            for (name, trust) in &entry.names {
                let (_, first_len, pieces_end, screen) = names[n];
                let key = key_at(n);
                let pieces = &pieces[if n == 0 { 0 } else { names[n - 1].2 }..pieces_end];
                n += 1;
                let accepted = match screen {
                    Screen::Refused => false,
                    Screen::Accepted => true,
                    Screen::UnlessEnglish => !english.get(key).copied().unwrap_or(false),
                };
                if !accepted {
                    continue;
                }
                // (Counting stops at the fourth letter.)
                let capitals_only = name.chars().all(|c| !c.is_lowercase())
                    && name.chars().filter(|c| c.is_alphabetic()).take(4).count() <= 3;
                simple_form.clear();
                push_simple(name, &mut simple_form);
                if !index.by_key.contains_key(key) {
                    index.by_key.insert(key.into(), Vec::new());
                }
                let Some(postings) = index.by_key.get_mut(key) else { continue };
                if postings.iter().any(|p| p.entry == id as EntryId && p.trust <= *trust && *p.simple == *simple_form) {
                    continue;
                }
                let posting =
                    Posting { entry: id as EntryId, trust: *trust, simple: simple_form.as_str().into(), capitals_only };
                // Also under the key without "-e-"/"-i-" connectors, for spellings that drop
                // them (the same key when there are none inside the name).
                let inner = pieces.len().saturating_sub(1);
                if pieces.get(1..inner).is_some_and(|p| p.iter().any(|t| fold::is_connector_raw(t))) {
                    bare.clear();
                    for (i, piece) in pieces.iter().enumerate() {
                        if !(i > 0 && i < inner && fold::is_connector_raw(piece)) {
                            bare.push_token(piece);
                        }
                    }
                    if bare.as_str() != key && bare.as_str().chars().count() >= 4 {
                        let bare_postings = index.bare_keys.entry(bare.as_str().into()).or_default();
                        if !bare_postings.iter().any(|p| p.entry == posting.entry) {
                            bare_postings.push(posting.clone());
                        }
                    }
                }
                postings.push(posting);
                index.max_tokens = index.max_tokens.max(pieces.len());
                if let Some(first) = pieces.first() {
                    let first_key = &key[..first_len];
                    let lowercase = first.chars().find(|c| !fold::is_inner_mark(*c)).is_some_and(char::is_lowercase);
                    let firsts = if lowercase { &mut index.lowercase_first_tokens } else { &mut index.first_tokens };
                    if !firsts.contains(first_key) {
                        firsts.insert(first_key.into());
                    }
                }
                if *trust <= Trust::Curated && fuzzy_kind(entry.kind) && key.chars().count() >= FUZZY_MIN_LEN {
                    index.max_fuzzy_key = index.max_fuzzy_key.max(key.chars().count());
                    let mut add_variant = |variant: &str| match index.deletions.get_mut(variant) {
                        Some(keys) if keys.iter().any(|k| **k == *key) => {}
                        Some(keys) => keys.push(key.into()),
                        None => {
                            index.deletions.insert(variant.into(), vec![key.into()]);
                        }
                    };
                    add_variant(key);
                    for_each_deletion(key, &mut variant, add_variant);
                }
            }
        }
        index
    }

    /// Every folded key names are indexed under, with and without connectors (in no order).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.by_key.keys().chain(self.bare_keys.keys()).map(|k| &**k)
    }

    /// Is any name indexed under this folded key?
    pub fn has_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Is any name with connectors indexed under this key without them?
    pub fn has_bare_key(&self, bare: &str) -> bool {
        self.bare_keys.contains_key(bare)
    }

    pub fn postings(&self, key: &str) -> &[Posting] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Candidates for a key with the connectors dropped (a folded match at best).
    pub fn collect_bare(&self, bare: &str, raw: &str, found: &mut Vec<Candidate>) {
        for posting in self.bare_keys.get(bare).map(Vec::as_slice).unwrap_or(&[]) {
            if posting.capitals_only && raw.chars().any(|c| c.is_lowercase()) {
                continue;
            }
            let tier = if posting.trust == Trust::Alternate { MatchTier::FoldedAlternate } else { MatchTier::Folded };
            if !found.iter().any(|c| c.entry == posting.entry) {
                found.push(Candidate { entry: posting.entry, tier, score: tier.score() });
            }
        }
    }

    /// Can a capitalised text token (folded) start a name?
    pub fn starts_a_name(&self, folded_token: &str) -> bool {
        self.first_tokens.contains(folded_token)
    }

    /// Folded first tokens of names: capitalised ones, and those written in lower case.
    pub fn first_token_keys(&self, lowercase: bool) -> impl Iterator<Item = &str> {
        let firsts = if lowercase { &self.lowercase_first_tokens } else { &self.first_tokens };
        firsts.iter().map(|k| &**k)
    }

    pub fn is_english_word(&self, lowercase: &str) -> bool {
        self.english_words.contains(lowercase)
    }

    /// Trusted keys one edit (insertion, deletion, substitution or transposition)
    /// from `key`.
    pub fn fuzzy_keys(&self, key: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let letters = key.chars().count();
        if letters + 1 < FUZZY_MIN_LEN || letters > self.max_fuzzy_key + 1 {
            return out;
        }
        let mut probe = |variant: &str| {
            if let Some(keys) = self.deletions.get(variant) {
                for k in keys {
                    if !out.contains(&&**k) && **k != *key && within_one_edit(k, key) {
                        out.push(k);
                    }
                }
            }
        };
        probe(key);
        // A deletion made twice ("lashkar" without either a) is probed twice: harmless, as
        // `out` skips keys it has, and cheaper than collecting, sorting and deduplicating.
        for_each_deletion(key, &mut String::with_capacity(key.len()), probe);
        out.sort_unstable();
        out
    }

    /// Candidates for a name, best first.
    pub fn lookup(&self, name: &str, entries: &[Entry]) -> Vec<Candidate> {
        let key = fold::key(name);
        let query_simple = simple(name);
        let mut found: Vec<Candidate> = Vec::new();
        self.collect(&key, &query_simple, name, false, &mut found);
        // "Nad-e Ali" also finds "Nad Ali", and "Pul Khumri" finds "Pul-e Khumri".
        let bare = fold::bare_key(name);
        let before = found.len();
        if bare != key {
            self.collect(&bare, &query_simple, name, false, &mut found);
        }
        self.collect_bare(&bare, name, &mut found);
        for c in &mut found[before..] {
            c.tier = c.tier.max(MatchTier::Folded);
            c.score = c.tier.score();
        }
        if found.is_empty() {
            for fuzzy in self.fuzzy_keys(&key) {
                self.collect(fuzzy, &query_simple, name, true, &mut found);
            }
        }
        rank(&mut found, entries);
        found
    }

    /// Postings under `key`, as candidates.
    pub fn collect(&self, key: &str, query_simple: &str, raw: &str, fuzzy: bool, found: &mut Vec<Candidate>) {
        for posting in self.postings(key) {
            if posting.capitals_only && raw.chars().any(|c| c.is_lowercase()) {
                continue;
            }
            if fuzzy && posting.trust == Trust::Alternate {
                continue;
            }
            let tier = match (fuzzy, *posting.simple == *query_simple, posting.trust) {
                (true, _, _) => MatchTier::Fuzzy,
                (false, true, Trust::Alternate) => MatchTier::ExactAlternate,
                (false, true, _) => MatchTier::Exact,
                (false, false, Trust::Alternate) => MatchTier::FoldedAlternate,
                (false, false, _) => MatchTier::Folded,
            };
            match found.iter_mut().find(|c| c.entry == posting.entry) {
                Some(existing) if existing.tier <= tier => {}
                Some(existing) => {
                    existing.tier = tier;
                    existing.score = tier.score();
                }
                None => found.push(Candidate { entry: posting.entry, tier, score: tier.score() }),
            }
        }
    }

    /// Every entry whose names are within a few edits of `name`, closest first: for
    /// "did you mean" suggestions, not for resolving.
    pub fn lookup_loose(&self, name: &str, entries: &[Entry]) -> Vec<Candidate> {
        let key = fold::key(name);
        let mut scored: Vec<(usize, EntryId, MatchTier)> = Vec::new();
        let limit = (key.chars().count() / 3).max(2);
        for (k, postings) in &self.by_key {
            let distance = levenshtein(k, &key);
            if distance <= limit {
                for p in postings {
                    scored.push((distance, p.entry, MatchTier::Fuzzy));
                }
            }
        }
        scored.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(entries[a.1 as usize].rank().cmp(&entries[b.1 as usize].rank()))
                .then(entries[b.1 as usize].population.cmp(&entries[a.1 as usize].population))
                .then(a.1.cmp(&b.1))
        });
        scored.into_iter().map(|(_, entry, tier)| Candidate { entry, tier, score: 0.0 }).collect()
    }
}

/// First line of a prebuilt index (`gazetteer/name_index.tsv`): the format's version.
const PREBUILT_HEADER: &str = "# eventmap name index 1";

impl NameIndex {
    /// The index as text, for `gazetteer/name_index.tsv`: what [`NameIndex::build`] made of
    /// the bundled files, so that a start reads it instead of building it again (three
    /// quarters of loading the gazetteer). Sorted, one fact a line, so a change to the
    /// data shows in its diff.
    pub fn to_prebuilt(&self, entries: &[Entry]) -> String {
        use std::fmt::Write;
        let mut out = format!("{PREBUILT_HEADER}\n");
        out.push_str("# made by `cargo run -p xtask -- name-index` from the files beside it; do not edit\n");
        let _ = writeln!(out, "max_tokens\t{}", self.max_tokens);
        let _ = writeln!(out, "max_fuzzy_key\t{}", self.max_fuzzy_key);
        for (tag, map) in [("name", &self.by_key), ("bare", &self.bare_keys)] {
            let mut keys: Vec<&Box<str>> = map.keys().collect();
            keys.sort_unstable();
            for key in keys {
                for p in &map[key] {
                    let trust = match p.trust {
                        Trust::Primary => "primary",
                        Trust::Curated => "curated",
                        Trust::Alternate => "alternate",
                    };
                    let id = &entries[p.entry as usize].id;
                    let _ = writeln!(out, "{tag}\t{key}\t{id}\t{trust}\t{}\t{}", p.simple, u8::from(p.capitals_only));
                }
            }
        }
        let mut variants: Vec<&Box<str>> = self.deletions.keys().collect();
        variants.sort_unstable();
        for variant in variants {
            for key in &self.deletions[variant] {
                let _ = writeln!(out, "near\t{variant}\t{key}");
            }
        }
        for (tag, set) in [("first", &self.first_tokens), ("lower", &self.lowercase_first_tokens)] {
            let mut tokens: Vec<&Box<str>> = set.iter().collect();
            tokens.sort_unstable();
            for token in tokens {
                let _ = writeln!(out, "{tag}\t{token}");
            }
        }
        out
    }

    /// An index written by [`NameIndex::to_prebuilt`], its entries named by id. An error
    /// is the line and what is wrong with it.
    pub fn from_prebuilt(
        text: &str,
        by_id: &FxHashMap<String, EntryId>,
        english_words: &'static str,
    ) -> Result<NameIndex, (usize, String)> {
        let mut index = NameIndex { english_words: english_set(english_words), ..NameIndex::default() };
        let mut lines = text.lines().enumerate().map(|(n, line)| (n + 1, line));
        match lines.next() {
            Some((_, PREBUILT_HEADER)) => {}
            other => return Err((1, format!("expected {PREBUILT_HEADER:?}, found {:?}", other.map_or("", |l| l.1)))),
        }
        // The lines of one key are consecutive: each list is made whole, then put in its
        // map once (looking the key up at every line was a third of reading the file).
        let (mut names, mut bare, mut near) = (Run::default(), Run::default(), Run::default());
        for (n, line) in lines.filter(|(_, line)| !line.starts_with('#')) {
            let mut fields = [""; 7];
            let mut count = 0;
            for field in line.split('\t').take(fields.len()) {
                fields[count] = field;
                count += 1;
            }
            let number = |field: &str| field.parse::<usize>().map_err(|_| (n, format!("{field:?} is not a number")));
            match &fields[..count] {
                ["max_tokens", value] => index.max_tokens = number(value)?,
                ["max_fuzzy_key", value] => index.max_fuzzy_key = number(value)?,
                [tag @ ("name" | "bare"), key, id, trust, simple, capitals_only] => {
                    let entry = *by_id.get(*id).ok_or_else(|| (n, format!("no entry {id:?}")))?;
                    let trust = match *trust {
                        "primary" => Trust::Primary,
                        "curated" => Trust::Curated,
                        "alternate" => Trust::Alternate,
                        other => return Err((n, format!("unknown trust {other:?}"))),
                    };
                    let capitals_only = match *capitals_only {
                        "0" => false,
                        "1" => true,
                        other => return Err((n, format!("capitals_only is {other:?}, not 0 or 1"))),
                    };
                    let posting = Posting { entry, trust, simple: (*simple).into(), capitals_only };
                    if *tag == "name" {
                        names.push(&mut index.by_key, key, posting);
                    } else {
                        bare.push(&mut index.bare_keys, key, posting);
                    }
                }
                ["near", variant, key] => near.push(&mut index.deletions, variant, (*key).into()),
                ["first", token] => {
                    index.first_tokens.insert((*token).into());
                }
                ["lower", token] => {
                    index.lowercase_first_tokens.insert((*token).into());
                }
                _ => return Err((n, format!("unreadable line {line:?}"))),
            }
        }
        names.finish(&mut index.by_key);
        bare.finish(&mut index.bare_keys);
        near.finish(&mut index.deletions);
        Ok(index)
    }
}

/// The values of consecutive lines with the same key, gathered before they go in a map.
struct Run<'t, V> {
    key: &'t str,
    values: Vec<V>,
}

impl<V> Default for Run<'_, V> {
    fn default() -> Self {
        Run { key: "", values: Vec::new() }
    }
}

impl<'t, V> Run<'t, V> {
    fn push(&mut self, map: &mut FxHashMap<Box<str>, Vec<V>>, key: &'t str, value: V) {
        if key != self.key {
            self.finish(map);
            self.key = key;
        }
        self.values.push(value);
    }

    /// Puts the values gathered in the map (after any it has under the key: a file whose
    /// lines of one key are not together still reads whole).
    fn finish(&mut self, map: &mut FxHashMap<Box<str>, Vec<V>>) {
        if !self.values.is_empty() {
            let values = std::mem::take(&mut self.values);
            match map.get_mut(self.key) {
                Some(earlier) => earlier.extend(values),
                None => {
                    map.insert(self.key.into(), values);
                }
            }
        }
    }
}

/// The words of the bundled list, one a line.
fn english_set(words: &'static str) -> FxHashSet<&'static str> {
    let mut set = FxHashSet::default();
    // Sized up front: growing it one insert at a time rehashed it a dozen times.
    set.reserve(words.lines().count());
    set.extend(words.lines().map(str::trim).filter(|w| !w.is_empty()));
    set
}

/// Best first: match tier, then kind (capital before province before district seat
/// before village), then population, then id for a stable order.
pub fn rank(found: &mut [Candidate], entries: &[Entry]) {
    found.sort_by(|a, b| {
        let (ea, eb) = (&entries[a.entry as usize], &entries[b.entry as usize]);
        a.tier
            .cmp(&b.tier)
            .then(ea.rank().cmp(&eb.rank()))
            .then(eb.population.cmp(&ea.population))
            .then(ea.id.cmp(&eb.id))
    });
}

/// Fuzzy matching is for Afghan names a translator misspells; foreign names are too
/// close to people's names ("Ismail" is one letter from "Israel").
fn fuzzy_kind(kind: Kind) -> bool {
    kind.is_afghan() && kind != Kind::Village
}

/// Lowercase letters and digits without accents.
pub fn simple(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_simple(name, &mut out);
    out
}

/// [`simple`], onto the end of `out`.
fn push_simple(name: &str, out: &mut String) {
    for c in name.chars() {
        if c.is_ascii() {
            // An ASCII letter decomposes to itself: no Unicode lookups for it.
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
            continue;
        }
        decompose_canonical(c, |d| {
            if d.is_alphanumeric() && !is_combining_mark(d) {
                out.extend(d.to_lowercase());
            }
        });
    }
}

/// Calls `f` with `key` less each of its letters in turn, made in one reused buffer.
fn for_each_deletion(key: &str, buffer: &mut String, mut f: impl FnMut(&str)) {
    for (at, letter) in key.char_indices() {
        buffer.clear();
        buffer.push_str(&key[..at]);
        buffer.push_str(&key[at + letter.len_utf8()..]);
        f(buffer);
    }
}

/// Damerau-Levenshtein distance of at most one (adjacent transposition counts one).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..short.len()).filter(|&i| short[i] != long[i]).collect();
            match diffs.as_slice() {
                [] | [_] => true,
                [i, j] => *j == i + 1 && short[*i] == long[*j] && short[*j] == long[*i],
                _ => false,
            }
        }
        1 => {
            let first = (0..short.len()).find(|&i| short[i] != long[i]).unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push((previous[j + 1] + 1).min(current[j] + 1).min(previous[j] + cost));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("zaranj", "zaranc"));
        assert!(within_one_edit("lashkarga", "lashkargar"));
        assert!(within_one_edit("mihtarlam", "mihtalam"));
        assert!(within_one_edit("abcd", "abdc"));
        assert!(!within_one_edit("abcd", "badc"));
        assert!(!within_one_edit("kandahar", "kandahari1"));
    }

    /// A word of a million letters (a line with no spaces) used to make a million
    /// deletion variants of a million letters each: it must be answered at once.
    #[test]
    fn fuzzy_keys_of_a_huge_word_are_none() {
        let g = crate::gazetteer::Gazetteer::bundled();
        assert_eq!(g.index.fuzzy_keys("lashkargar"), ["lashkarga"]);
        let huge: String = (0..1_000_000u32).map(|i| char::from(b'a' + (i * 7 % 26) as u8)).collect();
        let started = std::time::Instant::now();
        assert!(g.index.fuzzy_keys(&huge).is_empty());
        assert!(started.elapsed().as_secs() < 5);
    }

    /// A key whose lines are not together (an edited file) keeps all its postings.
    #[test]
    fn prebuilt_runs_of_one_key_add_up() {
        let g = crate::gazetteer::Gazetteer::bundled();
        let text = format!(
            "{PREBUILT_HEADER}\nname\tkabul\tAF-KAB\tprimary\tkabul\t0\nname\tkunduz\tAF-KDZ\tprimary\tkunduz\t0\n\
             name\tkabul\tAF-BAL\tcurated\tkabul\t1\nfirst\tkabul\n"
        );
        let index = NameIndex::from_prebuilt(&text, &g.by_id, "a\nb\n").expect("reads");
        let entries: Vec<&str> = index.postings("kabul").iter().map(|p| g.entry(p.entry).id.as_str()).collect();
        assert_eq!(entries, ["AF-KAB", "AF-BAL"]);
        assert!(index.postings("kabul")[1].capitals_only);
        assert!(index.starts_a_name("kabul") && !index.starts_a_name("kunduz"));
        assert!(index.is_english_word("b"));
        let error =
            NameIndex::from_prebuilt(&format!("{PREBUILT_HEADER}\nname\tx\tAF-NOPE\tprimary\tx\t0\n"), &g.by_id, "");
        assert_eq!(error.err(), Some((2, "no entry \"AF-NOPE\"".to_owned())));
    }

    #[test]
    fn simple_drops_case_accents_and_punctuation() {
        assert_eq!(simple("Mazār-e Sharīf"), "mazaresharif");
        assert_eq!(simple("Pul-e ‘Alam"), "pulealam");
    }
}
