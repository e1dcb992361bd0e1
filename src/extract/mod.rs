//! Events that matter on a map, read sentence by sentence from a geoparsed article:
//! a place changing hands (`control`), fighting at a place (`contested`), people
//! leaving one place for another (`displacement`). Each keeps its evidence.
//!
//! For every trigger ("captured", "fell to", "fighting in", "fled … to") the places
//! it governs are found on its side of the clause (after an active verb, before a
//! passive one or "fell"), lists expand ("captured Sar-e Pol, Sheberghan and
//! Taloqan" is three events), "the city" refers back to the last city named, and
//! the words before the trigger can cancel it: a hypothesis or an intention ("if
//! Kabul falls", "vowed to take"), a negation, a failed attempt (fighting, not a
//! capture), a denial (kept with low confidence), or an earlier year (background).

mod counts;
mod dates;
mod lexicon;
pub mod record;

pub use counts::{Count, CountUnit, DEFAULT_FAMILY_SIZE};
pub use dates::last_weekday;

use crate::gazetteer::{EntryId, Gazetteer, Kind};
use crate::geoparse::{Mention, Parsed};
use crate::ingest::Article;
use crate::text::{Gap, Token};
use chrono::NaiveDate;
use lexicon::{Anaphor, Class, Side};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Control,
    Contested,
    Displacement,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Control => "control",
            EventType::Contested => "contested",
            EventType::Displacement => "displacement",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        [EventType::Control, EventType::Contested, EventType::Displacement].into_iter().find(|t| t.as_str() == s.trim())
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who took a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Taliban,
    Government,
    Resistance,
    Unknown,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Taliban => "taliban",
            Actor::Government => "government",
            Actor::Resistance => "resistance",
            Actor::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Actor> {
        [Actor::Taliban, Actor::Government, Actor::Resistance, Actor::Unknown]
            .into_iter()
            .find(|a| a.as_str() == s.trim().to_ascii_lowercase())
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event with its evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Article id and a sequence number in text order: stable for the same input.
    pub id: String,
    pub article: String,
    pub date: NaiveDate,
    /// ACLED's time precision: 1 the day, 2 within a few days, 3 the month.
    pub date_precision: u8,
    pub event_type: EventType,
    /// The new controller, for `control`.
    pub actor: Option<Actor>,
    /// The place of a control or contested event.
    pub place: Option<EntryId>,
    pub origin: Option<EntryId>,
    pub destination: Option<EntryId>,
    pub count: Option<Count>,
    /// Persons: families and households times the family size.
    pub people: Option<u64>,
    pub confidence: f32,
    /// Reported only to be denied ("officials denied that Ghazni had fallen").
    pub denied: bool,
    /// The sentence, whitespace collapsed.
    pub sentence: String,
    /// Byte range of the sentence in the article body.
    pub evidence: Range<usize>,
}

impl Event {
    /// Where the event goes on a map: the place; for displacement the origin if known,
    /// else the destination.
    pub fn location(&self) -> Option<EntryId> {
        self.place.or(self.origin).or(self.destination)
    }
}

/// Settings of the extractor.
#[derive(Clone, Debug)]
pub struct Options {
    /// Persons per family or household, to estimate `people`.
    pub family_size: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { family_size: DEFAULT_FAMILY_SIZE }
    }
}

/// Confidence given to a denied report: kept for the editor, below what the ledger acts on.
pub const DENIED_CONFIDENCE: f32 = 0.2;

/// Events of one article. An article without a date gives none (relative dates need it).
pub fn extract(article: &Article, parsed: &Parsed, gazetteer: &Gazetteer, options: &Options) -> Vec<Event> {
    let Some(article_date) = article.date else { return Vec::new() };
    let reader = Reader { g: gazetteer, body: &article.body, toks: &parsed.tokens.tokens, mentions: &parsed.mentions };
    let mut drafts: Vec<Draft> = Vec::new();
    for sentence in 0..parsed.tokens.sentences.len() {
        reader.sentence(&parsed.tokens.sentences[sentence], article_date, &mut drafts);
    }
    finish(article, drafts, gazetteer, options)
}

/// An event before ids and merging.
#[derive(Clone, Debug)]
struct Draft {
    event_type: EventType,
    actor: Option<Actor>,
    place: Option<EntryId>,
    origin: Option<EntryId>,
    destination: Option<EntryId>,
    count: Option<Count>,
    date: NaiveDate,
    precision: u8,
    confidence: f32,
    denied: bool,
    evidence: Range<usize>,
    /// Token of the trigger, for text order.
    at: usize,
}

struct Reader<'a> {
    g: &'a Gazetteer,
    body: &'a str,
    toks: &'a [Token],
    mentions: &'a [Mention],
}

/// A trigger found in a sentence.
struct Trigger {
    start: usize,
    end: usize,
    class: Class,
    side: Side,
    passive: bool,
}

impl<'a> Reader<'a> {
    fn word(&self, t: usize) -> String {
        self.toks[t].text(self.body).to_lowercase()
    }

    /// Places a map can show: Afghan places (not regions or metonyms), and foreign places
    /// and countries as destinations.
    fn mappable(&self, m: &Mention, foreign_ok: bool) -> bool {
        if m.metonym {
            return false;
        }
        let e = self.g.entry(m.entry);
        match e.kind {
            Kind::Region => false,
            Kind::Country => foreign_ok && e.country_code != "AF",
            Kind::ForeignPlace => foreign_ok,
            _ => true,
        }
    }

    fn sentence(&self, range: &Range<usize>, article_date: NaiveDate, out: &mut Vec<Draft>) {
        if range.is_empty() {
            return;
        }
        let words: Vec<String> = range.clone().map(|t| self.word(t)).collect();
        let clause = self.clauses(range);
        let evidence = self.toks[range.start].start..self.toks[range.end - 1].end;
        if dates::mentions_earlier_year(&words, article_date) {
            return; // background: "overran the city in 2015"
        }
        // Background state, not a change: "has been under Taliban control since July".
        let since_state = words.iter().any(|w| w == "since") && words.iter().any(|w| w == "control");
        let date_mentions: Vec<dates::DateMention> = dates::find(&words, article_date)
            .into_iter()
            .map(|d| dates::DateMention { token: d.token + range.start, ..d })
            .collect();
        let date_for = |t: usize| -> (NaiveDate, u8) {
            // The date expression nearest the trigger, in its clause if there is one.
            let in_clause: Vec<&dates::DateMention> =
                date_mentions.iter().filter(|d| clause(d.token) == clause(t)).collect();
            let pool: Vec<&dates::DateMention> =
                if in_clause.is_empty() { date_mentions.iter().collect() } else { in_clause };
            pool.into_iter()
                .min_by_key(|d| (d.token as isize - t as isize).unsigned_abs())
                .map(|d| (d.date, d.precision))
                .unwrap_or((article_date, 1))
        };
        let triggers = self.triggers(range, &words);
        let mut displacement_seen = false;
        for trigger in &triggers {
            let modality = self.modality(range, trigger, &clause, &words);
            if modality == Modality::Cancelled {
                continue;
            }
            let (date, precision) = date_for(trigger.start);
            match trigger.class {
                Class::Capture | Class::Fall | Class::Reverse | Class::Enter => {
                    if since_state && trigger.class == Class::Fall {
                        continue;
                    }
                    let capture = match trigger.class {
                        Class::Enter => words.iter().any(|w| w == "flag" || w == "control"),
                        _ => true,
                    };
                    let places = self.places_for(range, trigger, &clause);
                    let event_type = if capture && modality != Modality::Attempt {
                        EventType::Control
                    } else {
                        EventType::Contested
                    };
                    let actor = (event_type == EventType::Control).then(|| self.actor(range, trigger, &words));
                    for place in places {
                        out.push(Draft {
                            event_type,
                            actor,
                            place: Some(place),
                            origin: None,
                            destination: None,
                            count: None,
                            date,
                            precision,
                            confidence: match modality {
                                Modality::Denied if event_type == EventType::Control => DENIED_CONFIDENCE,
                                _ => 0.85,
                            },
                            denied: modality == Modality::Denied && event_type == EventType::Control,
                            evidence: evidence.clone(),
                            at: trigger.start,
                        });
                    }
                }
                Class::Contest => {
                    for place in self.places_for(range, trigger, &clause) {
                        out.push(Draft {
                            event_type: EventType::Contested,
                            actor: None,
                            place: Some(place),
                            origin: None,
                            destination: None,
                            count: None,
                            date,
                            precision,
                            confidence: 0.8,
                            denied: false,
                            evidence: evidence.clone(),
                            at: trigger.start,
                        });
                    }
                }
                Class::Flee | Class::Arrive | Class::Evacuee => {
                    if displacement_seen || modality != Modality::Asserted {
                        continue;
                    }
                    displacement_seen = true;
                    self.displacement(range, &triggers, &words, date, precision, &evidence, out);
                }
            }
        }
    }

    /// Clause of each token: a new clause after ";", ":", a dash, or "but", "while",
    /// "whereas", "although", "however".
    fn clauses(&self, range: &Range<usize>) -> impl Fn(usize) -> usize {
        let mut ids = Vec::with_capacity(range.len());
        let mut id = 0;
        for t in range.clone() {
            if t > range.start {
                let gap = &self.body[self.toks[t - 1].end..self.toks[t].start];
                let word = self.toks[t].text(self.body).to_ascii_lowercase();
                let next = self.toks.get(t + 1).map(|n| n.text(self.body).to_ascii_lowercase()).unwrap_or_default();
                let after_comma = self.toks[t - 1].gap == Gap::Comma;
                let boundary_word = matches!(word.as_str(), "but" | "while" | "whereas" | "although" | "though" | "however" | "until" | "unless")
                    || (after_comma && word == "as")
                    // ", and in Kunar the provincial capital …": a new clause with its own place.
                    || (after_comma && word == "and" && matches!(next.as_str(), "in" | "on" | "at" | "the" | "a" | "an" | "then"));
                if gap.contains([';', ':', '—']) || gap.contains(" – ") || gap.contains(" - ") || boundary_word {
                    id += 1;
                }
            }
            ids.push(id);
        }
        let start = range.start;
        move |t: usize| ids.get(t.wrapping_sub(start)).copied().unwrap_or(usize::MAX)
    }

    /// Triggers in the sentence, longest pattern first at each position.
    fn triggers(&self, range: &Range<usize>, words: &[String]) -> Vec<Trigger> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = None;
            for pattern in lexicon::PATTERNS {
                if let Some(len) = match_words(&words[i..], pattern.words) {
                    matched = Some((pattern, len));
                    break;
                }
            }
            let Some((pattern, len)) = matched else {
                i += 1;
                continue;
            };
            let start = range.start + i;
            // "was captured", "has been seized": the place is the subject.
            let passive = pattern.participle && self.preceded_by_be(range, start);
            let side = if passive { Side::Subject } else { pattern.side };
            // "took" alone is a capture only when a place follows at once: "took Kunduz".
            let bare_take = matches!(pattern.words, ["took"] | ["taken"] | ["take"] | ["retake"]);
            if bare_take && !passive && !self.mentions.iter().any(|m| m.tokens.start == start + len) {
                i += 1;
                continue;
            }
            found.push(Trigger { start, end: start + len, class: pattern.class, side, passive });
            i += len;
        }
        found
    }

    fn preceded_by_be(&self, range: &Range<usize>, t: usize) -> bool {
        let mut p = t;
        let mut steps = 0;
        while p > range.start && steps < 3 {
            p -= 1;
            steps += 1;
            let w = self.word(p);
            if lexicon::PASSIVE_AUXILIARIES.contains(&w.as_str()) {
                return true;
            }
            // Adverbs between: "was quickly captured", "has reportedly been seized".
            if !(w.ends_with("ly") || matches!(w.as_str(), "also" | "now" | "then" | "again" | "finally" | "been")) {
                return false;
            }
        }
        false
    }

    /// What the words before a trigger do to it.
    fn modality(
        &self,
        range: &Range<usize>,
        trigger: &Trigger,
        clause: &impl Fn(usize) -> usize,
        words: &[String],
    ) -> Modality {
        let local = |t: usize| &words[t - range.start];
        let window_start = trigger.start.saturating_sub(6).max(range.start);
        let mut attempt = false;
        let mut denied = false;
        // Denials reach over the clause: "officials denied that Ghazni had fallen".
        for t in range.start..trigger.start {
            if lexicon::DENIAL.contains(&local(t).as_str()) {
                denied = true;
            }
        }
        for t in window_start..trigger.start {
            if clause(t) != clause(trigger.start) {
                continue;
            }
            let w = local(t).as_str();
            if lexicon::ATTEMPT.contains(&w) {
                attempt = true;
            } else if lexicon::INTENTION.contains(&w) {
                // "the Taliban will" / "whose fall would": an attempt word nearer wins.
                if !attempt {
                    return Modality::Cancelled;
                }
            } else if lexicon::NEGATION.contains(&w) && !matches!(w, "no") {
                return Modality::Cancelled;
            }
        }
        // "no fighting", "no new displacement".
        if trigger.start > range.start {
            let before = local(trigger.start - 1).as_str();
            let two_before = if trigger.start >= range.start + 2 { local(trigger.start - 2).as_str() } else { "" };
            if before == "no"
                || (two_before == "no" && matches!(before, "new" | "further" | "major" | "heavy" | "more"))
            {
                return Modality::Cancelled;
            }
        }
        // "whose fall would signify", "its fall would open the north".
        let after: Vec<&str> = (trigger.end..(trigger.end + 3).min(range.end)).map(|t| local(t).as_str()).collect();
        if matches!(trigger.class, Class::Fall)
            && after.iter().take(2).any(|w| matches!(*w, "would" | "could" | "will" | "might"))
        {
            return Modality::Cancelled;
        }
        // "to capture" after no attempt word: an aim ("vowed to capture", "the push to take").
        if trigger.start > range.start && local(trigger.start - 1) == "to" && !attempt && trigger.class != Class::Fall {
            let fall_to =
                trigger.start >= range.start + 2 && matches!(local(trigger.start - 2).as_str(), "fell" | "surrendered");
            if !fall_to && !matches!(trigger.class, Class::Arrive | Class::Flee) {
                return Modality::Cancelled;
            }
        }
        if attempt && matches!(trigger.class, Class::Capture | Class::Fall | Class::Reverse | Class::Enter) {
            return Modality::Attempt;
        }
        if denied {
            return Modality::Denied;
        }
        Modality::Asserted
    }

    /// The places a control or contest trigger governs.
    fn places_for(&self, range: &Range<usize>, trigger: &Trigger, clause: &impl Fn(usize) -> usize) -> Vec<EntryId> {
        let contest = trigger.class == Class::Contest;
        let reach = if contest { 8 } else { 6 };
        let object = || self.object_places(range, trigger, clause, reach, !contest);
        let subject = || self.subject_places(range, trigger, clause, contest);
        let mut places = match trigger.side {
            Side::Object => object(),
            Side::Subject => subject(),
            Side::Either => {
                let o = object();
                if o.is_empty() {
                    subject()
                } else {
                    o
                }
            }
        };
        // Fighting is where the clause says it is: "clashes … continued around Kunduz city
        // and in Khanabad district".
        if contest {
            let c = clause(trigger.start);
            for m in self.mentions_in(range).filter(|m| clause(m.tokens.start) == c && self.mappable(m, false)) {
                if matches!(
                    self.governor(m, range.start).as_deref(),
                    Some("in" | "around" | "near" | "outside" | "inside" | "at")
                ) {
                    places.extend(self.chain_from(m, range, false).into_iter().map(|x| self.head(x)));
                }
            }
        }
        let mut unique = Vec::new();
        for p in places {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        unique
    }

    fn mentions_in(&self, range: &Range<usize>) -> impl Iterator<Item = &'a Mention> + '_ {
        let first = self.mentions.partition_point(|m| m.tokens.start < range.start);
        let end = range.end;
        self.mentions[first..].iter().take_while(move |m| m.tokens.end <= end)
    }

    /// Mentions after the trigger, in the clause, within `reach` words: the first one and
    /// the list it starts. "the provincial capital" refers back. For a change of hands, a
    /// plural before the place makes it a container, not the place: "captured several
    /// districts of Badghis" (unless a list follows a colon: "… districts: A, B and C").
    fn object_places(
        &self,
        range: &Range<usize>,
        trigger: &Trigger,
        clause: &impl Fn(usize) -> usize,
        reach: usize,
        control: bool,
    ) -> Vec<EntryId> {
        let c = clause(trigger.start);
        let mut plural = false;
        // "retook three districts of Baghlan's Andarab valley …: Deh Salah, Pul-e Hisar and Banu".
        let plural_ahead = (trigger.end..(trigger.end + 3).min(range.end)).any(|t| {
            matches!(self.word(t).as_str(), "districts" | "provinces" | "capitals" | "cities" | "towns" | "villages")
        });
        if control && plural_ahead {
            let colon = (trigger.end + 1..range.end)
                .find(|&t| self.body[self.toks[t - 1].end..self.toks[t].start].contains(':'));
            if let Some(after) = colon {
                if let Some(m) = self.mention_at(after).filter(|m| self.mappable(m, false)) {
                    return self.chain_from(m, range, false).into_iter().map(|m| self.head(m)).collect();
                }
            }
        }
        for t in trigger.end..(trigger.end + reach).min(range.end) {
            if clause(t) != c {
                let colon = self.body[self.toks[t - 1].end..self.toks[t].start].contains(':');
                if plural && colon {
                    if let Some(m) = self.mentions_in(&(t..range.end)).find(|m| self.mappable(m, false)) {
                        return self.chain_from(m, range, false).into_iter().map(|m| self.head(m)).collect();
                    }
                }
                break;
            }
            let w = self.word(t);
            if control
                && matches!(
                    w.as_str(),
                    "districts" | "provinces" | "capitals" | "cities" | "towns" | "villages" | "areas" | "parts"
                )
            {
                plural = true;
            }
            if let Some(m) = self.mention_at(t) {
                let contained = plural && m.tokens.start > range.start && self.word(m.tokens.start - 1) == "of";
                if self.mappable(m, false) && !contained {
                    return self.chain_from(m, range, false).into_iter().map(|m| self.head(m)).collect();
                }
                continue;
            }
            if let Some((anaphor, len)) = anaphor_at(&self.words_from(t, 3)) {
                // "the city of Kunduz": the name follows.
                if let Some(m) = self.mention_at(t + len + 1).filter(|_| self.word(t + len) == "of") {
                    if self.mappable(m, false) {
                        return vec![m.entry];
                    }
                }
                return self.resolve_anaphor(anaphor, t).into_iter().collect();
            }
        }
        Vec::new()
    }

    /// Mentions before the trigger in the clause: the subject ("Kunduz, Sar-e Pul and
    /// Taloqan fell"), the nearest list not governed by a preposition, which skips
    /// appositions ("Zaranj, the capital of Nimruz, fell"). Fighting may also be placed
    /// by a locative ("In Kandahar and Helmand, … forces are fighting").
    fn subject_places(
        &self,
        range: &Range<usize>,
        trigger: &Trigger,
        clause: &impl Fn(usize) -> usize,
        locative_ok: bool,
    ) -> Vec<EntryId> {
        const REACH: usize = 12;
        let c = clause(trigger.start);
        let candidates: Vec<&Mention> = self
            .mentions_in(&(range.start..trigger.start))
            .filter(|m| clause(m.tokens.start) == c && self.mappable(m, false))
            .collect();
        let mut chains: Vec<Vec<&Mention>> = Vec::new();
        for m in candidates {
            if chains.iter().any(|chain| chain.iter().any(|x| std::ptr::eq(*x, m))) {
                continue;
            }
            chains
                .push(self.chain_from(m, range, false).into_iter().filter(|x| x.tokens.end <= trigger.start).collect());
        }
        let near =
            |chain: &&Vec<&Mention>| chain.last().map(|m| m.tokens.end + REACH >= trigger.start).unwrap_or(false);
        let free = chains.iter().rev().filter(near).find(|chain| self.governor(chain[0], range.start).is_none());
        let locative = || {
            chains.iter().find(|chain| {
                matches!(self.governor(chain[0], range.start).as_deref(), Some("in" | "around" | "near" | "at"))
            })
        };
        // "Government forces in Maimana … surrendered": the forces' place.
        let chosen = free.or_else(|| if locative_ok || trigger.class == Class::Fall { locative() } else { None });
        if let Some(chain) = chosen {
            return chain.iter().map(|m| self.head(m)).collect();
        }
        // "the city fell", "the district was captured".
        for t in (range.start..trigger.start).rev().take(6) {
            if clause(t) != c {
                break;
            }
            if let Some((anaphor, _)) = anaphor_at(&self.words_from(t, 3)) {
                return self.resolve_anaphor(anaphor, t).into_iter().collect();
            }
        }
        Vec::new()
    }

    /// The preposition governing a mention: the nearest one a few words before it, over
    /// articles, adjectives and containers ("in central Kabul", "from the provinces of
    /// Takhar", "on the outskirts of Herat" → in/from/on).
    fn governor(&self, m: &Mention, floor: usize) -> Option<String> {
        let mut t = m.tokens.start;
        let mut steps = 0;
        while t > floor && steps < 6 {
            t -= 1;
            steps += 1;
            let w = self.word(t);
            if self.toks[t].gap == Gap::SentenceEnd {
                return None;
            }
            // "the outskirts of Herat", "the provinces of Takhar" lead on to the place; "the
            // Nerkh district of Wardak" does not (Wardak only qualifies Nerkh).
            if w == "of"
                && t >= floor + 2
                && lexicon::CONTAINERS.contains(&self.word(t - 1).as_str())
                && self.mention_at(t - 2).is_none()
                && !self.ends_mention(t - 2)
            {
                t -= 1;
                continue;
            }
            if lexicon::PREPOSITIONS.contains(&w.as_str()) {
                return Some(w);
            }
            if !lexicon::MODIFIERS.contains(&w.as_str()) || self.toks[t].gap == Gap::Comma {
                return None;
            }
        }
        None
    }

    /// "the capital of Jowzjan": a province named after "capital of" stands for its
    /// capital, unless a city was just named in apposition ("Sheberghan, the capital of …").
    fn head(&self, m: &Mention) -> EntryId {
        let e = self.g.entry(m.entry);
        if e.kind == Kind::Province && m.tokens.start >= 2 {
            let of = self.word(m.tokens.start - 1);
            let noun = self.word(m.tokens.start - 2);
            if of == "of" && matches!(noun.as_str(), "capital" | "centre" | "center") {
                let named_before = self.mentions.iter().any(|x| {
                    x.tokens.end < m.tokens.start
                        && x.tokens.end + 5 >= m.tokens.start
                        && self.g.entry(x.entry).kind.is_settlement()
                });
                if !named_before {
                    if let Some(shape) = e.admin1_code.as_deref().and_then(|code| self.g.province(code)) {
                        return shape.capital;
                    }
                }
            }
        }
        m.entry
    }

    /// A mention and the list it heads: "Sar-e Pol, Sheberghan and Taloqan".
    fn chain_from(&self, first: &'a Mention, range: &Range<usize>, foreign_ok: bool) -> Vec<&'a Mention> {
        let mut chain = vec![first];
        let mut last = first;
        loop {
            let next_start = last.tokens.end;
            let gap = self.toks[last.tokens.end - 1].gap;
            // Skip a kind word: "Imam Sahib district and Khanabad".
            let mut t = next_start;
            if t < range.end
                && matches!(self.word(t).as_str(), "district" | "districts" | "province" | "city" | "town")
                && gap == Gap::Space
            {
                t += 1;
            }
            let sep_gap = if t > next_start { self.toks[t - 1].gap } else { gap };
            let mut joined = None;
            if sep_gap == Gap::Comma && t < range.end {
                let w = self.word(t);
                joined = Some(if w == "and" || w == "or" { t + 1 } else { t });
            } else if sep_gap == Gap::Space && t < range.end && matches!(self.word(t).as_str(), "and" | "or") {
                joined = Some(t + 1);
            }
            // "… and in Khanabad": a preposition repeated in the list.
            if let Some(start) = joined {
                if start < range.end
                    && matches!(self.word(start).as_str(), "in" | "to" | "from")
                    && self.mention_at(start + 1).is_some()
                {
                    joined = Some(start + 1);
                }
            }
            let Some(start) = joined else { break };
            match self.mention_at(start) {
                Some(m) if self.mappable(m, foreign_ok) && m.tokens.end <= range.end => {
                    chain.push(m);
                    last = m;
                }
                _ => break,
            }
        }
        chain
    }

    fn ends_mention(&self, t: usize) -> bool {
        self.mentions.iter().any(|m| m.tokens.end == t + 1)
    }

    fn mention_at(&self, t: usize) -> Option<&'a Mention> {
        let i = self.mentions.partition_point(|m| m.tokens.start < t);
        self.mentions.get(i).filter(|m| m.tokens.start == t)
    }

    fn words_from(&self, t: usize, n: usize) -> Vec<String> {
        (t..(t + n).min(self.toks.len())).map(|i| self.word(i)).collect()
    }

    /// The last place of the anaphor's kind named before token `t` in the article.
    fn resolve_anaphor(&self, anaphor: Anaphor, t: usize) -> Option<EntryId> {
        if anaphor == Anaphor::NationalCapital {
            return (0..self.g.entries.len() as EntryId).find(|id| self.g.entry(*id).feature_code == "PPLC");
        }
        self.mentions.iter().rev().filter(|m| m.tokens.end <= t && !m.metonym).find_map(|m| {
            let e = self.g.entry(m.entry);
            let fits = match anaphor {
                Anaphor::City => matches!(e.kind, Kind::City | Kind::Town),
                Anaphor::District => e.kind == Kind::District || (e.kind == Kind::Town && e.feature_code == "PPLA2"),
                Anaphor::Province => e.kind == Kind::Province,
                Anaphor::Crossing => e.kind == Kind::BorderCrossing,
                Anaphor::NationalCapital => false,
            };
            // A province named where a city is meant ("fighting in Kunduz … the city") is its capital.
            if !fits && anaphor == Anaphor::City && e.kind == Kind::Province {
                return e.admin1_code.as_deref().and_then(|c| self.g.province(c)).map(|p| p.capital);
            }
            fits.then_some(m.entry)
        })
    }

    /// Who took the place: the actor nearest the trigger on the agent's side.
    fn actor(&self, range: &Range<usize>, trigger: &Trigger, words: &[String]) -> Actor {
        let local = |i: usize| i - range.start;
        let inside = &words[local(trigger.start)..local(trigger.end)];
        let after = &words[local(trigger.end)..words.len().min(local(trigger.end) + 5)];
        let before = &words[..local(trigger.start)];
        // "under Taliban control", "in Taliban hands" (but in "pushed the Taliban out of"
        // the words inside are who lost it).
        if trigger.class == Class::Fall {
            if let Some(actor) = find_actor(inside) {
                return actor;
            }
        }
        // "fell to the Taliban", "was captured by government forces".
        if trigger.passive || trigger.class == Class::Fall {
            if let Some(actor) = find_actor(after) {
                return actor;
            }
        }
        // "Taliban fighters captured", "government forces retook".
        if let Some(actor) = find_actor_nearest_end(before).or_else(|| find_actor(after)) {
            return actor;
        }
        if let Some(actor) = find_actor(words) {
            return actor;
        }
        if trigger.class == Class::Reverse {
            return Actor::Government;
        }
        // "The spokesman said the crossing had also been captured": the actor of the story
        // so far, named in the sentences before.
        let earlier: Vec<String> = (range.start.saturating_sub(80)..range.start).map(|t| self.word(t)).collect();
        find_actor_nearest_end(&earlier).unwrap_or(Actor::Unknown)
    }

    /// Origin, destination and count of the displacement a sentence reports. The
    /// preposition before each place says its role ("from", "to", "for", "into"); "in"
    /// is where people fled from when it comes with the flight ("fled their villages in
    /// Panjshir", "In Ali Abad district, 480 households fled") and where they are
    /// otherwise ("identified in Taloqan", "camped in a park in Kabul").
    #[allow(clippy::too_many_arguments)]
    fn displacement(
        &self,
        range: &Range<usize>,
        triggers: &[Trigger],
        words: &[String],
        date: NaiveDate,
        precision: u8,
        evidence: &Range<usize>,
        out: &mut Vec<Draft>,
    ) {
        let local = |t: usize| words[t - range.start].as_str();
        // "Taliban fighters had reached the city": fighters moving are not displaced people.
        let moving: Vec<&Trigger> = triggers
            .iter()
            .filter(|t| matches!(t.class, Class::Flee | Class::Arrive | Class::Evacuee))
            .filter(|t| {
                let before = &words[(t.start - range.start).saturating_sub(3)..t.start - range.start];
                !before.iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "fighters"
                            | "forces"
                            | "troops"
                            | "soldiers"
                            | "taliban"
                            | "insurgents"
                            | "militants"
                            | "commandos"
                            | "police"
                    )
                })
            })
            .collect();
        let Some(first) = moving.first() else { return };
        let count = counts::find(words).into_iter().next();
        // Civilians moving, not troops: "families", "residents", a count of people.
        let civilians = count.is_some() || words.iter().any(|w| lexicon::CIVILIANS.contains(&w.as_str()));
        if !civilians {
            return;
        }
        let mut roles: Vec<(&Mention, bool)> = Vec::new(); // (mention, is_origin)
        for m in self.mentions_in(range).filter(|m| self.mappable(m, true)) {
            let start = m.tokens.start;
            let foreign = matches!(self.g.entry(m.entry).kind, Kind::ForeignPlace | Kind::Country);
            let before = moving.iter().rev().find(|t| t.end <= start);
            let governor = self.governor(m, range.start);
            let evacuee =
                m.tokens.end < range.end && matches!(local(m.tokens.end), "evacuee" | "evacuees" | "idps" | "natives");
            // "according to US officials", "the ministry in Berlin said": attribution.
            let attribution = (m.tokens.end < range.end && lexicon::SPEECH.contains(&local(m.tokens.end)))
                || (start >= range.start + 2 && local(start - 2) == "according");
            // "to Shibirghan in neighbouring Jawzjan province": the province only locates the town.
            let qualifier = governor.as_deref() == Some("in")
                && self.g.entry(m.entry).kind == Kind::Province
                && self.mentions_in(&(start.saturating_sub(4)..start)).any(|x| {
                    let e = self.g.entry(x.entry);
                    e.kind != Kind::Province && e.admin1_code == self.g.entry(m.entry).admin1_code
                });
            if attribution || qualifier {
                continue;
            }
            let role = match governor.as_deref() {
                Some("from") => Some(true),
                Some("to" | "towards" | "toward" | "into" | "for") => Some(false),
                Some("in" | "at") => match before {
                    None => Some(first.class == Class::Flee),
                    Some(t) if t.class == Class::Flee => {
                        let between: Vec<&str> = (t.end..start).map(local).collect();
                        Some(
                            between.iter().all(|w| lexicon::HOME_WORDS.contains(w) || *w == "in") && between.len() <= 4,
                        )
                    }
                    Some(_) => Some(false),
                },
                Some("of") if start >= 2 && local(start - 2) == "safety" => Some(false),
                None if evacuee => Some(true),
                None => before.filter(|t| t.end == start).map(|t| t.class == Class::Flee),
                _ => None,
            };
            match role {
                Some(true) if !foreign => roles.push((m, true)),
                Some(false) => roles.push((m, false)),
                _ => {}
            }
        }
        let mut origins: Vec<EntryId> = Vec::new();
        let mut destinations: Vec<EntryId> = Vec::new();
        for (m, is_origin) in &roles {
            for member in self.chain_from(m, range, !is_origin) {
                let list = if *is_origin { &mut origins } else { &mut destinations };
                if !list.contains(&member.entry) {
                    list.push(member.entry);
                }
            }
        }
        // "fled the city", "arrived in the capital": anaphors by the verbs.
        for trigger in &moving {
            let mut t = trigger.end;
            if t < range.end && matches!(local(t), "in" | "to" | "from" | "into") {
                t += 1;
            }
            if let Some((anaphor, _)) = anaphor_at(&self.words_from(t, 3)) {
                if let Some(e) = self.resolve_anaphor(anaphor, trigger.start) {
                    let origin_side =
                        trigger.class == Class::Flee && local(trigger.end) != "to" && local(trigger.end) != "into";
                    if !origins.contains(&e) && !destinations.contains(&e) {
                        if origin_side {
                            origins.push(e);
                        } else {
                            destinations.push(e);
                        }
                    }
                }
            }
        }
        destinations.retain(|d| !origins.contains(d));
        let pairs: Vec<(Option<EntryId>, Option<EntryId>)> = match (origins.is_empty(), destinations.is_empty()) {
            (false, false) => {
                origins.iter().flat_map(|o| destinations.iter().map(move |d| (Some(*o), Some(*d)))).collect()
            }
            (false, true) => origins.iter().map(|o| (Some(*o), None)).collect(),
            (true, false) => destinations.iter().map(|d| (None, Some(*d))).collect(),
            (true, true) => return,
        };
        for (i, (origin, destination)) in pairs.into_iter().enumerate() {
            out.push(Draft {
                event_type: EventType::Displacement,
                actor: None,
                place: None,
                origin,
                destination,
                count: if i == 0 { count } else { None },
                date,
                precision,
                confidence: if origin.is_some() && destination.is_some() { 0.8 } else { 0.7 },
                denied: false,
                evidence: evidence.clone(),
                at: first.start,
            });
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Modality {
    Asserted,
    /// A failed or attempted capture: fighting.
    Attempt,
    /// Reported as denied.
    Denied,
    /// A hypothesis, an intention or a negation: no event.
    Cancelled,
}

/// Matches `pattern` at the start of `words`; `*` takes up to three words. Returns the
/// number of words matched.
fn match_words(words: &[String], pattern: &[&str]) -> Option<usize> {
    fn go(words: &[String], pattern: &[&str], used: usize) -> Option<usize> {
        let Some((first, rest)) = pattern.split_first() else { return Some(used) };
        if *first == "*" {
            for skip in 1..=3 {
                if skip > words.len() {
                    break;
                }
                if let Some(n) = go(&words[skip..], rest, used + skip) {
                    return Some(n);
                }
            }
            return None;
        }
        if words.first().map(|w| w == first).unwrap_or(false) {
            go(&words[1..], rest, used + 1)
        } else {
            None
        }
    }
    go(words, pattern, 0)
}

fn anaphor_at(words: &[String]) -> Option<(Anaphor, usize)> {
    lexicon::ANAPHORS.iter().find_map(|(phrase, anaphor)| {
        (words.len() >= phrase.len() && words.iter().zip(phrase.iter()).all(|(w, p)| w == p))
            .then_some((*anaphor, phrase.len()))
    })
}

/// The first actor phrase in `words`.
fn find_actor(words: &[String]) -> Option<Actor> {
    (0..words.len()).find_map(|i| actor_at(&words[i..]))
}

/// The actor phrase nearest the end of `words` (the subject just before a verb).
fn find_actor_nearest_end(words: &[String]) -> Option<Actor> {
    (0..words.len()).rev().find_map(|i| actor_at(&words[i..]))
}

fn actor_at(words: &[String]) -> Option<Actor> {
    lexicon::ACTORS
        .iter()
        .find(|(phrase, _)| words.len() >= phrase.len() && words.iter().zip(phrase.iter()).all(|(w, p)| w == p))
        .map(|(_, actor)| *actor)
}

/// Ids, counts, merging: one event per (type, place) or (origin, destination) per
/// article; a place captured in the article gets no contested event for the same day.
fn finish(article: &Article, mut drafts: Vec<Draft>, g: &Gazetteer, options: &Options) -> Vec<Event> {
    drafts.sort_by_key(|d| d.at);
    let mut kept: Vec<Draft> = Vec::new();
    for draft in drafts {
        let same = kept.iter_mut().find(|k| {
            k.event_type == draft.event_type
                && match draft.event_type {
                    EventType::Displacement => k.origin == draft.origin && k.destination == draft.destination,
                    EventType::Control => {
                        k.place == draft.place
                            && (k.actor == draft.actor
                                || draft.actor == Some(Actor::Unknown)
                                || k.actor == Some(Actor::Unknown))
                    }
                    EventType::Contested => k.place == draft.place,
                }
        });
        match same {
            Some(existing) => {
                if existing.actor == Some(Actor::Unknown) && draft.actor.is_some() {
                    existing.actor = draft.actor;
                }
                if existing.count.is_none() && draft.count.is_some() {
                    existing.count = draft.count;
                }
                // A denial and a confirmation of the same capture: the confirmation stands.
                if existing.denied && !draft.denied {
                    existing.denied = false;
                    existing.confidence = draft.confidence;
                }
            }
            None => kept.push(draft),
        }
    }
    let controlled: Vec<(EntryId, NaiveDate)> = kept
        .iter()
        .filter(|d| d.event_type == EventType::Control && !d.denied)
        .filter_map(|d| d.place.map(|p| (p, d.date)))
        .collect();
    kept.retain(|d| {
        !(d.event_type == EventType::Contested
            && controlled.iter().any(|(p, date)| Some(*p) == d.place && *date == d.date))
    });
    // "recaptured Khanabad district in Kunduz province": the province only locates the
    // place; an event for the province itself would colour all of it.
    let specific: Vec<(Range<usize>, String)> = kept
        .iter()
        .filter(|d| d.event_type != EventType::Displacement)
        .filter_map(|d| d.place.map(|p| (d.evidence.clone(), g.entry(p))))
        .filter(|(_, e)| e.kind != Kind::Province)
        .filter_map(|(r, e)| e.admin1_code.clone().map(|c| (r, c)))
        .collect();
    kept.retain(|d| {
        let Some(place) = d.place.map(|p| g.entry(p)) else { return true };
        !(place.kind == Kind::Province
            && specific.iter().any(|(r, code)| *r == d.evidence && Some(code) == place.admin1_code.as_ref()))
    });
    kept.into_iter()
        .enumerate()
        .map(|(i, d)| Event {
            id: format!("{}-{:03}", article.id, i + 1),
            article: article.id.clone(),
            date: d.date,
            date_precision: d.precision,
            event_type: d.event_type,
            actor: d.actor,
            place: d.place,
            origin: d.origin,
            destination: d.destination,
            people: d.count.map(|c| c.people(options.family_size)),
            count: d.count,
            confidence: d.confidence,
            denied: d.denied,
            sentence: article.body[d.evidence.clone()].split_whitespace().collect::<Vec<_>>().join(" "),
            evidence: d.evidence,
        })
        .collect()
}

#[cfg(test)]
mod tests;
