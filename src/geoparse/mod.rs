//! Geoparsing: every place an article names, found and resolved against the gazetteer.
//!
//! Three passes over the body's tokens:
//! 1. **spans**: runs of capitalised tokens (and `-i-`/`wa` connectors) whose folded
//!    key is a gazetteer name, longest first; a bounded fuzzy match (one edit, trusted
//!    names of 6+ letters, never an English word or a demonym like "Panjshiri") for
//!    the typos translators make;
//! 2. **context**: drops what is not a place (a person: "Mullah Farah", "Farah, a
//!    nurse", "said Farah"; part of a longer name: "Kabul University", "Washington
//!    Newsday"; a capital that acts: "Kabul said" → a metonym), and picks the reading
//!    ("Kunduz province" → province, "the city of Kunduz" → city);
//! 3. **lists**: "In Kandahar and Helmand, the southern provinces" makes every name of
//!    the list a province.

mod words;

use crate::gazetteer::{Candidate, Entry, EntryId, Folder, Gazetteer, Kind, MatchTier, Trust};
use crate::text::{self, Gap, Shape, Token, Tokens};
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;
use words::contains;

/// One place named in the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    /// Byte range in the body.
    pub start: usize,
    pub end: usize,
    /// Token range.
    pub tokens: Range<usize>,
    /// The chosen reading.
    pub entry: EntryId,
    /// The government rather than the place ("Kabul said"): recognised, never mapped.
    pub metonym: bool,
    pub confidence: f32,
    pub tier: MatchTier,
    /// Other readings, best first, with their confidence.
    pub alternatives: Vec<(EntryId, f32)>,
}

/// An article's tokens and the places in it.
pub struct Parsed {
    pub tokens: Tokens,
    pub mentions: Vec<Mention>,
}

/// Finds places in text. Build once per gazetteer, use for many articles.
pub struct Geoparser<'g> {
    gazetteer: &'g Gazetteer,
    /// Lower-case words that may sit inside a name ("-i-", "wa", "e").
    connectors: FxHashSet<String>,
    /// Every key of the name index (with and without connectors), sorted: a span whose key
    /// begins none of them cannot grow into a name, so the spotter stops growing it.
    sorted_keys: Vec<&'g str>,
    /// The folded first token of every name written capitalised.
    first_tokens: FxHashMap<&'g str, FirstToken>,
    /// The same for names written in lower case.
    lowercase_first_tokens: FxHashMap<&'g str, FirstToken>,
    /// Which words, by their first three letters or digits as written (`prefix_index`),
    /// may be the first token of a name written in lower case: read at every lower-case
    /// word, it turns most of them away with no folding. A word of one or two letters is
    /// answered exactly; a longer one, by whether any first token begins with the key of
    /// its first three (a word's key begins with the key of its first letters).
    lowercase_prefixes: Vec<u64>,
    /// The province of every entry, by number.
    provinces: EntryProvinces,
}

/// The folded first token of a name, as the spotter reads it.
struct FirstToken {
    /// The range of `sorted_keys` that begins with it: a growing span's key is looked for
    /// only inside the range of its shorter key.
    keys: Range<usize>,
    /// The letters and digits that follow it in the longer keys (bits by `prefix_slot`):
    /// most spans go no further than their first token ("the Taliban"), and the next
    /// token's first letter tells them before it is folded.
    next_letters: u64,
    /// Is it a whole key ("kabul"), or only the start of some ("thi", of "the north")?
    whole: bool,
}

impl FirstToken {
    /// Can the key `first` (this token's) followed by `token` begin an indexed key?
    fn may_go_on(&self, first: &str, token: &str) -> bool {
        let mut letter = None;
        crate::gazetteer::walk_folded_ascii(token, |l| {
            letter = Some(l);
            false
        });
        match letter {
            // (A letter the key ends with folds into it: the token's next letter decides.)
            Some(letter) if first.as_bytes().last() != Some(&letter) => {
                self.next_letters & (1 << prefix_slot(Some(letter))) != 0
            }
            _ => true,
        }
    }
}

/// Reading the context asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    Province,
    City,
    District,
    Town,
    Village,
    Crossing,
}

impl Cue {
    fn accepts(self, kind: Kind) -> bool {
        match self {
            Cue::Province => kind == Kind::Province,
            Cue::City => matches!(kind, Kind::City | Kind::Town | Kind::ForeignPlace),
            Cue::District => kind == Kind::District,
            Cue::Town => matches!(kind, Kind::Town | Kind::City | Kind::Village),
            Cue::Village => matches!(kind, Kind::Village | Kind::Town),
            Cue::Crossing => matches!(kind, Kind::BorderCrossing | Kind::Town),
        }
    }

    fn from_word(word: &str) -> Option<Cue> {
        const CUES: &[(&str, Cue)] = &[
            // "Bamyan governor", "Kunduz police chief": officials of the province.
            ("province", Cue::Province),
            ("provinces", Cue::Province),
            ("provincial", Cue::Province),
            ("valley", Cue::Province),
            ("governor", Cue::Province),
            ("governor's", Cue::Province),
            ("police", Cue::Province),
            ("city", Cue::City),
            ("cities", Cue::City),
            ("capital", Cue::City),
            ("airport", Cue::City),
            ("airfield", Cue::City),
            ("district", Cue::District),
            ("districts", Cue::District),
            ("town", Cue::Town),
            ("towns", Cue::Town),
            ("village", Cue::Village),
            ("villages", Cue::Village),
            ("crossing", Cue::Crossing),
            ("port", Cue::Crossing),
        ];
        // Compared in place, not lower-cased into a String: asked of the word after every name.
        CUES.iter().find(|(cue_word, _)| word.eq_ignore_ascii_case(cue_word)).map(|(_, cue)| *cue)
    }
}

/// Folded endings that turn a name into an adjective or a family name.
const DEMONYM_SUFFIXES: &[&str] =
    &["i", "is", "ia", "ian", "ians", "a", "an", "ans", "n", "ns", "s", "ic", "isi", "vi", "vial"];

/// A span whose key is a gazetteer name.
struct Span {
    tokens: Range<usize>,
    candidates: Vec<Candidate>,
}

impl<'g> Geoparser<'g> {
    pub fn new(gazetteer: &'g Gazetteer) -> Geoparser<'g> {
        let mut connectors = FxHashSet::default();
        for entry in &gazetteer.entries {
            for (name, trust) in &entry.names {
                if *trust == Trust::Alternate {
                    continue;
                }
                let tokens: Vec<String> = crate::gazetteer::fold_tokens(name).collect();
                if tokens.len() < 3 {
                    continue;
                }
                for token in &tokens[1..tokens.len() - 1] {
                    if token.len() <= 3 && token.chars().all(|c| c.is_lowercase()) {
                        connectors.insert(token.clone());
                    }
                }
            }
        }
        let mut sorted_keys: Vec<&'g str> = gazetteer.index.keys().collect();
        sorted_keys.sort_unstable();
        sorted_keys.dedup();
        let first_token_map = |lowercase: bool| -> FxHashMap<&'g str, FirstToken> {
            let index = &gazetteer.index;
            let first_token = |key: &str| {
                let keys = keys_beginning(&sorted_keys, key, 0..sorted_keys.len());
                let next = sorted_keys[keys.clone()].iter().filter_map(|k| k.as_bytes().get(key.len()));
                let next_letters = next
                    .filter(|b| b.is_ascii_alphanumeric())
                    .fold(0, |letters, b| letters | 1 << prefix_slot(Some(*b)));
                FirstToken { keys, next_letters, whole: index.has_key(key) }
            };
            index.first_token_keys(lowercase).map(|k| (k, first_token(k))).collect()
        };
        let first_tokens = first_token_map(false);
        let lowercase_first_tokens = first_token_map(true);
        let mut sorted_lowercase_firsts: Vec<&str> = lowercase_first_tokens.keys().copied().collect();
        sorted_lowercase_firsts.sort_unstable();
        let mut lowercase_prefixes = vec![0u64; PREFIX_SLOTS.pow(3).div_ceil(64)];
        let mut folder = Folder::default();
        // Is the key of `letters` a first token (`whole`), or the beginning of one?
        let mut fits = |letters: &[u8], whole: bool| {
            folder.clear();
            folder.push_token(std::str::from_utf8(letters).expect("ASCII"));
            let key = folder.as_str();
            let at = sorted_lowercase_firsts.partition_point(|k| *k < key);
            sorted_lowercase_firsts.get(at).is_some_and(|k| if whole { *k == key } else { k.starts_with(key) })
        };
        let mut mark = |letters: &[u8]| {
            let slot = prefix_index(std::str::from_utf8(letters).expect("ASCII")).expect("letters and digits");
            lowercase_prefixes[slot / 64] |= 1 << (slot % 64);
        };
        let letters = || (b'0'..=b'9').chain(b'a'..=b'z');
        for a in letters() {
            if fits(&[a], true) {
                mark(&[a]);
            }
            for b in letters() {
                if fits(&[a, b], true) {
                    mark(&[a, b]);
                }
                // The key of "abc" begins with the key of "ab": no first token begins with
                // it if none begins with that.
                if !fits(&[a, b], false) {
                    continue;
                }
                for c in letters().filter(|&c| fits(&[a, b, c], false)) {
                    mark(&[a, b, c]);
                }
            }
        }
        Geoparser {
            gazetteer,
            connectors,
            sorted_keys,
            first_tokens,
            lowercase_first_tokens,
            lowercase_prefixes,
            provinces: EntryProvinces::new(gazetteer),
        }
    }

    pub fn gazetteer(&self) -> &'g Gazetteer {
        self.gazetteer
    }

    /// The lower-case word as the first token of a name written in lower case ("northern
    /// Afghanistan", "the north"), if it is one. Almost no word is, and most are told so
    /// by their first letters, never folded nor hashed. When it starts a name, `folder` is
    /// left holding its key.
    fn lowercase_first(&self, word: &str, folder: &mut Folder) -> Option<&FirstToken> {
        if let Some(slot) = prefix_index(word) {
            if self.lowercase_prefixes[slot / 64] & (1 << (slot % 64)) == 0 {
                return None;
            }
        }
        folder.clear();
        folder.push_token(word);
        self.lowercase_first_tokens.get(folder.as_str())
    }

    /// Every place named in `body`.
    pub fn parse(&self, body: &str) -> Parsed {
        let tokens = text::tokenize(body);
        let spans = self.spans(body, &tokens.tokens);
        let mut mentions: Vec<Mention> = Vec::new();
        for span in spans {
            // "Deh Salah, Pul-e Hisar and Banu, a commander said": the last item of a list
            // of places is a place, whatever follows it.
            let first = span.tokens.start;
            let toks = &tokens.tokens;
            let listed = mentions.last().is_some_and(|m| {
                let joined_by_word = m.tokens.end + 1 == first && matches!(toks[m.tokens.end].text(body), "and" | "or");
                let joined_by_comma = m.tokens.end == first && toks[first - 1].gap == Gap::Comma;
                joined_by_word || joined_by_comma
            });
            if let Some(mention) = self.resolve(body, &tokens, span, listed) {
                mentions.push(mention);
            }
        }
        apply_list_cues(self.gazetteer, body, &tokens.tokens, &mut mentions);
        apply_document_context(self.gazetteer, &self.provinces, &mut mentions);
        Parsed { tokens, mentions }
    }

    /// Pass 1: spans whose folded key is a name, longest first, left to right.
    fn spans(&self, body: &str, tokens: &[Token]) -> Vec<Span> {
        let index = &self.gazetteer.index;
        let max_tokens = index.max_tokens.max(1);
        let mut spans = Vec::new();
        // The key of span i..=j is a prefix of the folder's key (keys only grow), so the
        // keys of every span length are kept as byte lengths, with no String each.
        let mut folder = Folder::default();
        let mut key_lens: Vec<usize> = Vec::with_capacity(max_tokens);
        let mut bare = Folder::default();
        let mut bare_key_lens: Vec<Option<usize>> = Vec::with_capacity(max_tokens);
        // Buffers of `fuzzy_span`, made once for the article.
        let (mut fuzzy, mut lower) = (Folder::default(), String::new());
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            let lowercase_start = match token.shape {
                Shape::Capitalized | Shape::AllCaps | Shape::Uncased => false,
                Shape::Lower => true,
                Shape::Digit => {
                    i += 1;
                    continue;
                }
            };
            let first = if lowercase_start {
                self.lowercase_first(token.text(body), &mut folder)
            } else {
                folder.clear();
                folder.push_token(token.text(body));
                self.first_tokens.get(folder.as_str())
            };
            let Some(first) = first else {
                if !lowercase_start {
                    if let Some(span) = self.fuzzy_span(body, tokens, i, folder.as_str(), &mut fuzzy, &mut lower) {
                        i = span.tokens.end;
                        spans.push(span);
                        continue;
                    }
                }
                i += 1;
                continue;
            };
            // Keys of the spans i..=j.
            key_lens.clear();
            key_lens.push(folder.len());
            // The same keys without "-e-"/"-i-" connectors ("Nad-e Ali" meets "Nad Ali").
            bare.clear();
            bare.push_key(folder.as_str());
            bare_key_lens.clear();
            bare_key_lens.push(None);
            // The indexed keys that begin with each key (the same range while no connector
            // has been left out of the bare key).
            let mut key_range = first.keys.clone();
            let mut bare_range = first.keys.clone();
            let mut bare_differs = false;
            let mut j = i;
            while j + 1 < tokens.len() && j + 1 - i < max_tokens {
                let gap = tokens[j].gap;
                if !(gap == Gap::Space || gap == Gap::Hyphen) || tokens[j].possessive {
                    break;
                }
                let next = &tokens[j + 1];
                let next_text = next.text(body);
                let joins = next.is_capitalized()
                    || (next.shape == Shape::Lower && (lowercase_start || self.connectors.contains(next_text)));
                if !joins {
                    break;
                }
                let connector = next.shape == Shape::Lower && crate::gazetteer::is_connector(next_text);
                // (A connector leaves the bare key as it was, which may go on.)
                if j == i && !connector && !first.may_go_on(folder.as_str(), next_text) {
                    break;
                }
                folder.push_token(next_text);
                if !connector {
                    bare.push_token(next_text);
                }
                // Keys only grow: once neither key begins an indexed key, no longer span is a
                // name ("the" starts "the east", but "the Taliban took …" is read no further).
                key_range = keys_beginning(&self.sorted_keys, folder.as_str(), key_range);
                bare_differs |= connector;
                if !bare_differs {
                    bare_range = key_range.clone();
                } else if !connector {
                    bare_range = keys_beginning(&self.sorted_keys, bare.as_str(), bare_range);
                }
                if key_range.is_empty() && bare_range.is_empty() {
                    break;
                }
                key_lens.push(folder.len());
                if connector {
                    bare_key_lens.push(None);
                } else {
                    let has_connector = bare_key_lens.iter().any(Option::is_none) && bare_key_lens.len() > 1;
                    bare_key_lens.push(has_connector.then(|| bare.len()));
                }
                j += 1;
            }
            let mut found = None;
            for len in (1..=key_lens.len()).rev() {
                let last = &tokens[i + len - 1];
                if len > 1 && last.shape == Shape::Lower && self.connectors.contains(last.text(body)) {
                    continue; // a name does not end in a connector
                }
                let key = &folder.as_str()[..key_lens[len - 1]];
                let bare_key = bare_key_lens.get(len - 1).copied().flatten().map(|n| &bare.as_str()[..n]);
                // Most spans name nothing: answer them before making the span's simple form.
                let indexed = if len == 1 { first.whole } else { index.has_key(key) };
                if !indexed && !bare_key.is_some_and(|b| index.has_key(b) || index.has_bare_key(b)) {
                    continue;
                }
                let mut candidates = Vec::new();
                let raw = &body[token.start..last.end];
                let simple = crate::gazetteer::simple_form(raw);
                index.collect(key, &simple, raw, false, &mut candidates);
                if let Some(bare_key) = bare_key {
                    let before = candidates.len();
                    index.collect(bare_key, &simple, raw, false, &mut candidates);
                    index.collect_bare(bare_key, raw, &mut candidates);
                    for c in &mut candidates[before..] {
                        c.tier = c.tier.max(crate::gazetteer::MatchTier::Folded);
                        c.score = c.tier.score();
                    }
                }
                if !candidates.is_empty() {
                    crate::gazetteer::rank_candidates(&mut candidates, &self.gazetteer.entries);
                    found = Some(Span { tokens: i..i + len, candidates });
                    break;
                }
            }
            // "Dand-e Ghori" when only "Dand" is known: the hyphenated run is a longer name
            // the gazetteer lacks, not "Dand".
            if let Some(span) = &found {
                let end = span.tokens.end;
                let continues = end + 1 < tokens.len()
                    && tokens[end - 1].gap == Gap::Hyphen
                    && tokens[end].shape == Shape::Lower
                    && self.connectors.contains(tokens[end].text(body))
                    && matches!(tokens[end].gap, Gap::Hyphen | Gap::Space)
                    && tokens[end + 1].is_capitalized();
                if continues {
                    i = end + 2;
                    continue;
                }
            }
            match found {
                Some(span) => {
                    i = span.tokens.end;
                    spans.push(span);
                }
                None => {
                    let first_key = &folder.as_str()[..key_lens[0]];
                    let fuzzy_span = || self.fuzzy_span(body, tokens, i, first_key, &mut fuzzy, &mut lower);
                    if let Some(span) = (!lowercase_start).then(fuzzy_span).flatten() {
                        i = span.tokens.end;
                        spans.push(span);
                    } else {
                        i += 1;
                    }
                }
            }
        }
        spans
    }

    /// A misspelt name: one edit from a trusted name of 6+ letters. Two-token spans are
    /// tried first ("Lashkar Gar"). `first_key` is the key of the first token, which the
    /// spotter has folded; `folder` and `lower` are buffers.
    fn fuzzy_span(
        &self,
        body: &str,
        tokens: &[Token],
        i: usize,
        first_key: &str,
        folder: &mut Folder,
        lower: &mut String,
    ) -> Option<Span> {
        let index = &self.gazetteer.index;
        let token = &tokens[i];
        if token.shape != Shape::Capitalized {
            return None;
        }
        let mut is_english_word = |word: &str| {
            if word.is_ascii() {
                lower.clear();
                lower.push_str(word);
                lower.make_ascii_lowercase();
                index.is_english_word(lower)
            } else {
                index.is_english_word(&word.to_lowercase())
            }
        };
        let first = token.text(body);
        // A month or a weekday ("Monday", "August"), capitalised in every sentence, is no
        // misspelt place: answered before its deletion variants are probed.
        if first.len() < 4 || contains(words::DATE_WORDS, first) || is_english_word(first) {
            return None;
        }
        folder.clear();
        folder.push_key(first_key);
        let mut two_tokens = false;
        if i + 1 < tokens.len() && tokens[i].gap == Gap::Space && tokens[i + 1].shape == Shape::Capitalized {
            let second = tokens[i + 1].text(body);
            if !is_english_word(second) || second.len() <= 3 {
                folder.push_token(second);
                two_tokens = true;
            }
        }
        let attempts = [(i + 2, folder.as_str()), (i + 1, first_key)];
        for (end, key) in attempts.into_iter().skip(usize::from(!two_tokens)) {
            let mut candidates = Vec::new();
            for fuzzy in index.fuzzy_keys(key) {
                // "Panjshiri", "Laghmani", "Kabulis": a name plus a suffix is a demonym or a surname.
                if key.strip_prefix(fuzzy).map(|suffix| DEMONYM_SUFFIXES.contains(&suffix)).unwrap_or(false) {
                    continue;
                }
                index.collect(fuzzy, "", "", true, &mut candidates);
            }
            candidates.retain(|c| self.gazetteer.entry(c.entry).kind != Kind::Region);
            if !candidates.is_empty() {
                crate::gazetteer::rank_candidates(&mut candidates, &self.gazetteer.entries);
                return Some(Span { tokens: i..end, candidates });
            }
        }
        None
    }

    /// Pass 2: is the span a place, and which reading?
    fn resolve(&self, body: &str, tokens: &Tokens, span: Span, listed: bool) -> Option<Mention> {
        let g = self.gazetteer;
        let toks = &tokens.tokens;
        let (first, last) = (span.tokens.start, span.tokens.end - 1);
        let word = |t: usize| toks[t].text(body);
        // Neighbours in the same sentence.
        let prev = (first > 0 && toks[first - 1].gap != Gap::SentenceEnd).then(|| first - 1);
        let next = (toks[last].gap != Gap::SentenceEnd && last + 1 < toks.len()).then_some(last + 1);
        let best = g.entry(span.candidates[0].entry);
        let region = best.kind == Kind::Region;
        let subject = prev.map(|p| is_subject_boundary(word(p), toks[p].gap)).unwrap_or(true);

        if !region {
            // A person's title before: "Mullah Farah", "Gen. Sami Kabul".
            if let Some(p) = prev {
                if contains(words::PERSON_TITLES, word(p)) && toks[p].is_capitalized() {
                    return None;
                }
            }
            // Part of a longer proper name: "Kabul University", "Washington Newsday".
            if let Some(n) = next {
                if toks[last].gap == Gap::Space
                    && toks[n].is_capitalized()
                    && toks[n].shape != Shape::AllCaps
                    && !contains(words::GEO_WORDS, word(n))
                    && !contains(words::DATE_WORDS, word(n))
                    && !self.starts_a_place(body, &toks[n])
                {
                    return None;
                }
            }
            // "Woodrow Wilson", "Abdul Ali Mazari": a capitalised word before that is not
            // the start of the sentence.
            if let Some(p) = prev {
                if toks[p].gap == Gap::Space
                    && toks[p].shape == Shape::Capitalized
                    && !toks[p].sentence_start
                    && !contains(words::PLACE_PREFIXES, word(p))
                    && !self.starts_a_place(body, &toks[p])
                {
                    return None;
                }
            }
            if !listed && self.is_person(body, toks, last, prev, next, best, subject) {
                return None;
            }
            // "X said" reads X as a speaker only when X is the subject: not after "in",
            // "of", "from" ("officials in Kabul said", "residents of Farah said").
            if subject {
                if let Some(n) = next {
                    let speaks = toks[last].gap == Gap::Space && contains(words::SPEECH_VERBS, word(n));
                    if speaks && !seat_of_government(best) && best.kind != Kind::Country {
                        return None; // "Farah said": a person
                    }
                }
            }
            // A lone English word ("Bust", "Nawa"?) that is a village or district name.
            if span.tokens.len() == 1
                && matches!(best.kind, Kind::Village | Kind::District | Kind::Town | Kind::Area)
                && g.index.is_english_word(&word(first).to_lowercase())
                && next.map(|n| Cue::from_word(word(n)).is_none()).unwrap_or(true)
            {
                return None;
            }
        }

        // The reading the context asks for.
        let cue = if region { None } else { self.cue(body, toks, last, prev, next) };
        let mut order = span.candidates;
        if let Some(cue) = cue {
            if let Some(pos) = order.iter().position(|c| cue.accepts(g.entry(c.entry).kind)) {
                order[..=pos].rotate_right(1);
            }
        }
        let chosen = &order[0];
        let chosen_entry = g.entry(chosen.entry);
        let ambiguous = order.iter().skip(1).any(|c| {
            let e = g.entry(c.entry);
            c.tier == chosen.tier && e.kind != chosen_entry.kind && e.kind != Kind::District
        });
        let mut confidence = chosen.score;
        confidence *= match (cue.map(|c| c.accepts(chosen_entry.kind)).unwrap_or(false), ambiguous) {
            (true, _) => 0.98,
            (false, true) => 0.8,
            (false, false) => 0.95,
        };
        let metonym = !region && subject && self.is_metonym(body, toks, last, next, chosen_entry);
        let alternatives = order
            .iter()
            .skip(1)
            .take(4)
            .map(|c| (c.entry, (c.score * if ambiguous { 0.6 } else { 0.4 } * 100.0).round() / 100.0))
            .collect();
        Some(Mention {
            start: toks[first].start,
            end: toks[last].end,
            tokens: span.tokens,
            entry: chosen.entry,
            metonym,
            confidence: (confidence * 100.0).round() / 100.0,
            tier: chosen.tier,
            alternatives,
        })
    }

    /// Does this token start a name (so it is a place beside a place, not a compound)?
    fn starts_a_place(&self, body: &str, token: &Token) -> bool {
        let mut folder = Folder::default();
        folder.push_token(token.text(body));
        self.gazetteer.index.starts_a_name(folder.as_str())
    }

    /// "Farah Ahmadi, a nurse" is not the city: a person, by the words around the name.
    #[allow(clippy::too_many_arguments)] // the context of one mention, read by one rule
    fn is_person(
        &self,
        body: &str,
        toks: &[Token],
        last: usize,
        prev: Option<usize>,
        next: Option<usize>,
        entry: &Entry,
        subject: bool,
    ) -> bool {
        let word = |t: usize| toks[t].text(body);
        // Capitals and countries that speak are governments (see `is_metonym`), not people.
        let speaks_as_state = seat_of_government(entry) || entry.kind == Kind::Country;
        if let Some(n) = next {
            // "Farah, 29", "Farah, who fled", "Farah, a nurse".
            // Not "fled to Kabul, a lawmaker said": only a subject can be the person described.
            if toks[last].gap == Gap::Comma && subject {
                let after = word(n);
                // An age: "Farah, 29," — not a dateline's date ("GENEVA, 13 July").
                let age = toks[n].gap == Gap::Comma
                    || toks
                        .get(n + 1)
                        .is_some_and(|t| matches!(t.text(body).to_ascii_lowercase().as_str(), "years" | "year-old"));
                if toks[n].shape == Shape::Digit && after.len() <= 3 && age {
                    return true;
                }
                if after.eq_ignore_ascii_case("who") || after.eq_ignore_ascii_case("aged") {
                    return true;
                }
                if (after.eq_ignore_ascii_case("a") || after.eq_ignore_ascii_case("an")) && n + 1 < toks.len() {
                    let window = n + 1..(n + 4).min(toks.len());
                    if let Some(noun) = window.clone().find(|&t| contains(words::PERSON_NOUNS, word(t))) {
                        // "a 32-year-old teacher": only lower-case words between.
                        if (n + 1..noun).all(|t| toks[t].shape != Shape::Capitalized) {
                            return true;
                        }
                    }
                }
            }
        }
        // "… ," said Farah, / "… ," said Farah.: the speaker after a quote (not "officials
        // say Firozkoh, also known as Chaghcharan").
        if let Some(p) = prev {
            let after_quote = p > 0 && matches!(toks[p - 1].gap, Gap::Comma | Gap::Other);
            if contains(words::SPEECH_VERBS, word(p))
                && toks[p].shape == Shape::Lower
                && after_quote
                && !speaks_as_state
                && matches!(toks[last].gap, Gap::Comma | Gap::SentenceEnd)
            {
                return true;
            }
        }
        false
    }

    /// "Kabul said", "Washington urged restraint", "Islamabad has denied": the government.
    fn is_metonym(&self, body: &str, toks: &[Token], last: usize, next: Option<usize>, entry: &Entry) -> bool {
        if !seat_of_government(entry) {
            return false;
        }
        let Some(mut n) = next else { return false };
        if toks[last].gap != Gap::Space {
            return false;
        }
        let word = |t: usize| toks[t].text(body);
        // "Washington and its allies".
        if word(n).eq_ignore_ascii_case("and")
            && n + 1 < toks.len()
            && matches!(word(n + 1).to_ascii_lowercase().as_str(), "its" | "their")
        {
            return true;
        }
        let mut steps = 0;
        while contains(words::AUXILIARIES, word(n)) && toks[n].gap == Gap::Space && n + 1 < toks.len() && steps < 3 {
            n += 1;
            steps += 1;
        }
        let verb = word(n);
        if contains(words::PLACE_PASSIVES, verb) {
            return false;
        }
        contains(words::GOVERNMENT_VERBS, verb) || contains(words::SPEECH_VERBS, verb)
    }

    /// The reading the words around a name ask for.
    fn cue(&self, body: &str, toks: &[Token], last: usize, prev: Option<usize>, next: Option<usize>) -> Option<Cue> {
        let word = |t: usize| toks[t].text(body);
        // "Kunduz province", "Kunduz city", "Nad Ali district".
        if let Some(n) = next {
            if toks[last].gap == Gap::Space || toks[last].gap == Gap::Hyphen {
                if let Some(cue) = Cue::from_word(word(n)) {
                    return Some(cue);
                }
            }
            // "Kunduz, a city in the north", "Sheberghan, the capital of Jowzjan".
            if toks[last].gap == Gap::Comma && ["a", "an", "the"].iter().any(|a| word(n).eq_ignore_ascii_case(a)) {
                let mut t = n + 1;
                while t < toks.len() && t <= n + 4 {
                    if let Some(cue) = Cue::from_word(word(t)) {
                        return Some(cue);
                    }
                    if toks[t].gap != Gap::Space {
                        break;
                    }
                    t += 1;
                }
            }
        }
        // "the province of Kunduz", "the city of Kunduz", "the capital of Jowzjan".
        if let Some(p) = prev {
            if word(p).eq_ignore_ascii_case("of") && p > 0 && toks[p - 1].gap == Gap::Space {
                let before = word(p - 1).to_ascii_lowercase();
                return match before.as_str() {
                    "capital" | "capitals" => Some(Cue::Province),
                    // "the centres of Deh Salah, Bano and Pul-e Hesar": district centres.
                    "centre" | "centres" | "center" | "centers" => Some(Cue::District),
                    other => Cue::from_word(other),
                };
            }
        }
        None
    }
}

/// Slots of the three-letter table: the digits, the lower-case letters (all a folded
/// ASCII word is made of), and the end of a word shorter than three.
const PREFIX_SLOTS: usize = 37;

fn prefix_slot(b: Option<u8>) -> usize {
    match b {
        Some(b @ b'0'..=b'9') => usize::from(b - b'0'),
        Some(b @ b'a'..=b'z') => usize::from(b - b'a') + 10,
        _ => PREFIX_SLOTS - 1,
    }
}

/// The slot of a word's first three letters or digits in the three-letter table; `None`
/// if another character is among them.
fn prefix_index(word: &str) -> Option<usize> {
    // (A byte's slot read from a table: asked of every lower-case word.)
    const SLOTS: [u8; 256] = {
        let mut slots = [u8::MAX; 256];
        let mut b = 0;
        while b < 256 {
            let lower = (b as u8).to_ascii_lowercase();
            if lower.is_ascii_digit() {
                slots[b] = lower - b'0';
            } else if lower.is_ascii_lowercase() {
                slots[b] = lower - b'a' + 10;
            }
            b += 1;
        }
        slots
    };
    let slot = |at: usize| match word.as_bytes().get(at) {
        Some(&b) => (SLOTS[usize::from(b)] != u8::MAX).then(|| usize::from(SLOTS[usize::from(b)])),
        None => Some(PREFIX_SLOTS - 1),
    };
    Some((slot(0)? * PREFIX_SLOTS + slot(1)?) * PREFIX_SLOTS + slot(2)?)
}

/// The keys within `within` (a range of the sorted `keys`) that begin with `prefix`. The
/// keys beginning with a prefix are consecutive, and those beginning with a longer one
/// lie among them: a growing key narrows its range.
fn keys_beginning(keys: &[&str], prefix: &str, within: Range<usize>) -> Range<usize> {
    let keys = &keys[within.clone()];
    let start = keys.partition_point(|k| *k < prefix);
    let len = keys[start..].partition_point(|k| k.starts_with(prefix));
    within.start + start..within.start + start + len
}

/// The word before a name leaves it the subject of what follows: nothing, a conjunction,
/// a comma or a quote ("and Kabul said", "“Washington will lose"), not a preposition or a
/// verb ("in Kabul said", "reached Kabul described").
fn is_subject_boundary(word: &str, gap: Gap) -> bool {
    // A time or a list number before the name: "13:05 Islamabad denied …".
    if matches!(gap, Gap::Comma | Gap::Other | Gap::SentenceEnd) || word.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    const CONJUNCTIONS: &[&str] = &[
        "and",
        "but",
        "while",
        "as",
        "that",
        "because",
        "since",
        "although",
        "though",
        "when",
        "if",
        "so",
        "yet",
        "what",
        "how",
        "where",
        "whereas",
        "whether",
        "after",
        "before",
        "until",
        "unless",
        "once",
        "meanwhile",
    ];
    contains(CONJUNCTIONS, word)
}

/// The national capital or a foreign city: its name often stands for its government.
fn seat_of_government(entry: &Entry) -> bool {
    entry.feature_code == "PPLC" || entry.kind == Kind::ForeignPlace
}

/// Pass 3: "In Kandahar and Helmand, the southern provinces", "the provinces of Kunduz
/// and Takhar", "Kandahar and Helmand provinces": every name of the list takes the cue.
fn apply_list_cues(g: &Gazetteer, body: &str, toks: &[Token], mentions: &mut [Mention]) {
    let word = |t: usize| toks[t].text(body);
    let mut start = 0;
    while start < mentions.len() {
        // Grow the list while mentions are joined by ",", "and", "or", ", and".
        let mut end = start + 1;
        while end < mentions.len() {
            let between = mentions[end - 1].tokens.end..mentions[end].tokens.start;
            let gap_ok = match between.len() {
                0 => matches!(toks[mentions[end - 1].tokens.end - 1].gap, Gap::Comma),
                1 => {
                    let w = word(between.start);
                    (w == "and" || w == "or") && toks[mentions[end - 1].tokens.end - 1].gap != Gap::SentenceEnd
                }
                _ => false,
            };
            if !gap_ok {
                break;
            }
            end += 1;
        }
        // "Paghman and other districts", "Kabul and other cities".
        let single_cue = and_other(body, toks, mentions[end - 1].tokens.end - 1);
        if end - start == 1 {
            if let Some(cue) = single_cue {
                retarget(g, &mut mentions[start], cue);
            }
        }
        if end - start >= 2 {
            let last_token = mentions[end - 1].tokens.end - 1;
            let first_token = mentions[start].tokens.start;
            let mut cue = single_cue;
            // After: "… and Helmand provinces" or "…, the southern Pashto-speaking provinces".
            let mut t = last_token;
            let mut steps = 0;
            while toks[t].gap != Gap::SentenceEnd && t + 1 < toks.len() && steps < 7 {
                t += 1;
                steps += 1;
                if let Some(plural) = plural_cue(word(t)) {
                    cue = Some(plural);
                    break;
                }
                // Another place starts another phrase. (Mentions are in text order: look
                // only as far as `t`, or a long article makes this quadratic.)
                if mentions[end..].iter().take_while(|m| m.tokens.start <= t).any(|m| m.tokens.start == t) {
                    break;
                }
            }
            // Before: "the provinces of Kunduz and Takhar", "the northern provinces Kunduz and Takhar".
            if cue.is_none() && first_token >= 1 {
                let lookback = first_token.saturating_sub(5)..first_token;
                for t in lookback.rev() {
                    // Only words leading into the list: "districts of Takhar province, X and Y",
                    // not an earlier clause ("Tulak districts, and the road between X and Y").
                    if toks[t].gap == Gap::SentenceEnd || (toks[t].gap == Gap::Comma && t + 1 != first_token) {
                        break;
                    }
                    if let Some(plural) = plural_cue(word(t)) {
                        cue = Some(plural);
                        break;
                    }
                    if word(t).eq_ignore_ascii_case("centres") || word(t).eq_ignore_ascii_case("centers") {
                        cue = Some(Cue::District);
                        break;
                    }
                }
            }
            // No word says it: a list that is mostly provinces ("Kunduz, Baghlan, Takhar,
            // Balkh and Kandahar") is a list of provinces.
            if cue.is_none() {
                let only_province = mentions[start..end]
                    .iter()
                    .filter(|m| {
                        g.entry(m.entry).kind == Kind::Province
                            && !m.alternatives.iter().any(|(e, _)| g.entry(*e).kind == Kind::City)
                    })
                    .count();
                if only_province * 2 > end - start {
                    cue = Some(Cue::Province);
                }
            }
            if let Some(cue) = cue {
                for mention in &mut mentions[start..end] {
                    retarget(g, mention, cue);
                }
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests;

/// A name found in several provinces ("Arghandab" in Kandahar and in Zabul, "Nawa" in
/// Helmand and Ghazni) takes the reading in a province the article names elsewhere.
fn apply_document_context(g: &Gazetteer, provinces: &EntryProvinces, mentions: &mut [Mention]) {
    let kind_of = |id: EntryId| g.entry(id).kind;
    let province_of = |id: EntryId| provinces.of[id as usize];
    let spans_provinces = |m: &Mention| {
        let (kind, province) = (kind_of(m.entry), province_of(m.entry));
        m.alternatives.iter().any(|(a, _)| kind_of(*a) == kind && province_of(*a) != province)
    };
    // Provinces by number: a BTreeSet of codes, and reading the codes, cost more than the
    // rest of this pass.
    let mut named = vec![false; provinces.count + 1];
    for m in mentions.iter().filter(|m| !m.metonym && !spans_provinces(m)) {
        named[usize::from(province_of(m.entry))] = true;
    }
    let is_named = |id: EntryId| province_of(id) != 0 && named[usize::from(province_of(id))];
    for m in mentions.iter_mut().filter(|m| !m.metonym) {
        if is_named(m.entry) {
            continue;
        }
        let kind = kind_of(m.entry);
        let better = m.alternatives.iter().position(|(a, _)| kind_of(*a) == kind && is_named(*a));
        if let Some(pos) = better {
            let (entry, confidence) = m.alternatives.remove(pos);
            m.alternatives.insert(0, (m.entry, confidence));
            m.entry = entry;
        }
    }
}

/// The province of every entry by number (1 and up; 0 for none), for the document
/// context to compare at every mention without reading the entries' codes.
struct EntryProvinces {
    of: Vec<u16>,
    count: usize,
}

impl EntryProvinces {
    fn new(g: &Gazetteer) -> EntryProvinces {
        let mut numbers: FxHashMap<&str, u16> = FxHashMap::default();
        let mut of = Vec::with_capacity(g.entries.len());
        for code in g.entries.iter().map(|e| e.admin1_code.as_deref()) {
            let next = u16::try_from(numbers.len() + 1).expect("fewer than 65,535 provinces");
            of.push(code.map_or(0, |code| *numbers.entry(code).or_insert(next)));
        }
        EntryProvinces { of, count: numbers.len() }
    }
}

/// The cue of a plural that names a list's kind: "provinces", "cities", "districts".
fn plural_cue(word: &str) -> Option<Cue> {
    let plural = ["provinces", "cities", "districts"].iter().any(|p| word.eq_ignore_ascii_case(p));
    plural.then(|| Cue::from_word(word)).flatten()
}

/// "X and other districts": the cue after a name followed by "and other".
fn and_other(body: &str, toks: &[Token], last: usize) -> Option<Cue> {
    let word = |t: usize| toks[t].text(body);
    if last + 3 >= toks.len() || toks[last].gap == Gap::SentenceEnd {
        return None;
    }
    if word(last + 1).eq_ignore_ascii_case("and") && word(last + 2).eq_ignore_ascii_case("other") {
        let noun = word(last + 3).to_ascii_lowercase();
        if matches!(noun.as_str(), "districts" | "provinces" | "cities" | "towns" | "villages") {
            return Cue::from_word(&noun);
        }
    }
    None
}

/// Switches a mention to the reading a list cue asks for, if it has one.
fn retarget(g: &Gazetteer, mention: &mut Mention, cue: Cue) {
    if cue.accepts(g.entry(mention.entry).kind) {
        return;
    }
    if let Some(pos) = mention.alternatives.iter().position(|(e, _)| cue.accepts(g.entry(*e).kind)) {
        let (entry, _) = mention.alternatives.remove(pos);
        mention.alternatives.insert(0, (mention.entry, (mention.confidence * 0.5 * 100.0).round() / 100.0));
        mention.entry = entry;
        mention.confidence = 0.9;
    }
}
