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
pub mod serial;
pub mod sorted;

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
    /// The day the Republic's government fell (15 August 2021, when the Taliban took
    /// Kabul). From then on "government forces" are the Taliban's, and militias and
    /// uprisings fighting them are the resistance.
    pub government_fell: Option<NaiveDate>,
}

impl Default for Options {
    fn default() -> Self {
        Options { family_size: DEFAULT_FAMILY_SIZE, government_fell: NaiveDate::from_ymd_opt(2021, 8, 15) }
    }
}

/// How many mentions back an anaphor ("the city") may look for its place.
const ANAPHOR_REACH: usize = 200;

/// Confidence given to a denied report: kept for the editor, below what the ledger acts on.
pub const DENIED_CONFIDENCE: f32 = 0.2;

/// Events of one article. An article without a date gives none (relative dates need it).
pub fn extract(article: &Article, parsed: &Parsed, gazetteer: &Gazetteer, options: &Options) -> Vec<Event> {
    let Some(article_date) = article.date else { return Vec::new() };
    // The lookups below binary-search the mentions by start and by end.
    debug_assert!(parsed.mentions.windows(2).all(|w| w[0].tokens.end <= w[1].tokens.start));
    let words = LowerWords::new(&article.body, &parsed.tokens.tokens);
    let words = words.as_strs();
    let reader = Reader {
        g: gazetteer,
        body: &article.body,
        toks: &parsed.tokens.tokens,
        words: &words,
        mentions: &parsed.mentions,
        last_agent: std::cell::Cell::new(None),
        government_fell: options.government_fell,
        current_date: std::cell::Cell::new(None),
    };
    let mut drafts: Vec<Draft> = Vec::new();
    for sentence in &parsed.tokens.sentences {
        // Each trigger looks across its sentence, so a "sentence" of thousands of words (a
        // list without full stops, or a hostile article) is read in windows: reading stays
        // linear in the article's length.
        let mut start = sentence.start;
        while start < sentence.end {
            let end = (start + MAX_SENTENCE_TOKENS).min(sentence.end);
            reader.sentence(&(start..end), article_date, &mut drafts);
            start = end;
        }
    }
    finish(article, drafts, gazetteer, options)
}

/// The tokens of an article in lower case, in one buffer: the rules compare words many
/// times, and a `String` per token per sentence cost more than the rules themselves.
struct LowerWords {
    text: String,
    ends: Vec<usize>,
}

impl LowerWords {
    fn new(body: &str, toks: &[Token]) -> LowerWords {
        let mut text = String::with_capacity(body.len());
        let mut ends = Vec::with_capacity(toks.len());
        for token in toks {
            let word = token.text(body);
            if word.is_ascii() {
                // Copied whole, then lower-cased in place: not a char pushed at a time.
                let start = text.len();
                text.push_str(word);
                text[start..].make_ascii_lowercase();
            } else {
                text.push_str(&word.to_lowercase());
            }
            ends.push(text.len());
        }
        LowerWords { text, ends }
    }

    /// The words, one a token.
    fn as_strs(&self) -> Vec<&str> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let word = &self.text[start..end];
                start = end;
                word
            })
            .collect()
    }
}

/// Longest run of tokens read as one sentence; real sentences are far shorter.
const MAX_SENTENCE_TOKENS: usize = 250;

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

impl Draft {
    /// A control or contested event at a place.
    #[allow(clippy::too_many_arguments)] // one event's fields
    fn at_place(
        event_type: EventType,
        actor: Option<Actor>,
        place: EntryId,
        (date, precision): (NaiveDate, u8),
        confidence: f32,
        denied: bool,
        evidence: &Range<usize>,
        at: usize,
    ) -> Draft {
        Draft {
            event_type,
            actor,
            place: Some(place),
            origin: None,
            destination: None,
            count: None,
            date,
            precision,
            confidence,
            denied,
            evidence: evidence.clone(),
            at,
        }
    }
}

struct Reader<'a> {
    g: &'a Gazetteer,
    body: &'a str,
    toks: &'a [Token],
    /// Every token in lower case (`words[t]` is token `t`): what the rules compare.
    words: &'a [&'a str],
    mentions: &'a [Mention],
    /// Who did the article's last taking or retaking, named as the subject (even of a
    /// sentence with no place: "Local militias pushed the Taliban out of three districts").
    last_agent: std::cell::Cell<Option<Actor>>,
    government_fell: Option<NaiveDate>,
    /// The date of the trigger being read, for the rules that depend on it.
    current_date: std::cell::Cell<Option<NaiveDate>>,
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
    fn word(&self, t: usize) -> &'a str {
        self.words[t]
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
        let words = &self.words[range.clone()];
        let clause = self.clauses(range);
        let evidence = self.toks[range.start].start..self.toks[range.end - 1].end;
        if dates::mentions_earlier_year(words, article_date) {
            return; // background: "overran the city in 2015"
        }
        // Background state, not a change: "has been under Taliban control since July".
        let since_state = words.contains(&"since") && words.contains(&"control");
        let date_mentions: Vec<dates::DateMention> = dates::find(words, article_date)
            .into_iter()
            .map(|d| dates::DateMention { token: d.token + range.start, ..d })
            .collect();
        // "on the same day", "that day": the date of the article's last event.
        let same_day = words.windows(2).any(|w| matches!((w[0], w[1]), ("same", "day") | ("that", "day")));
        let previous_date = out.last().map(|d| (d.date, d.precision));
        let date_for = |t: usize| -> (NaiveDate, u8) {
            if same_day {
                if let Some(previous) = previous_date {
                    return previous;
                }
            }
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
        let triggers = self.triggers(range, words);
        let mut displacement_seen = false;
        for trigger in &triggers {
            let modality = self.modality(range, trigger, &clause, words);
            if modality == Modality::Cancelled {
                continue;
            }
            let (date, precision) = date_for(trigger.start);
            self.current_date.set(Some(date));
            match trigger.class {
                Class::Capture | Class::Fall | Class::Reverse | Class::Enter => {
                    if since_state && trigger.class == Class::Fall {
                        continue;
                    }
                    // "still under Taliban control", "remains under the control of": a state, not news.
                    let still = (trigger.start.saturating_sub(3).max(range.start)..trigger.start)
                        .any(|t| matches!(self.word(t), "still" | "remains" | "remained" | "remain"));
                    if trigger.class == Class::Fall && still {
                        continue;
                    }
                    // "entered the city" is a capture unless the sentence reports fighting
                    // there ("fighting broke out inside Sheberghan as fighters entered"),
                    // or says outright that they took control or raised their flag.
                    let capture = trigger.class != Class::Enter
                        || words.iter().any(|w| *w == "flag" || *w == "control")
                        || !triggers.iter().any(|t| t.class == Class::Contest);
                    let mut places = self.places_for(range, trigger, &clause);
                    // "In Kunduz, …, fighters seized the governor's office": the place the
                    // sentence opens with.
                    if places.is_empty() {
                        places.extend(self.fronted_place(range, trigger));
                    }
                    let event_type = if capture && modality != Modality::Attempt {
                        EventType::Control
                    } else {
                        EventType::Contested
                    };
                    let recent = out
                        .iter()
                        .rev()
                        .filter(|d| d.event_type == EventType::Control)
                        .find_map(|d| d.actor.filter(|a| *a != Actor::Unknown))
                        .or(self.last_agent.get());
                    let actor = self.actor(range, trigger, words, recent);
                    if matches!(trigger.class, Class::Capture | Class::Reverse | Class::Enter)
                        && actor != Actor::Unknown
                    {
                        self.last_agent.set(Some(actor));
                    }
                    let actor = (event_type == EventType::Control).then_some(actor);
                    let denied = modality == Modality::Denied && event_type == EventType::Control;
                    let confidence = if denied { DENIED_CONFIDENCE } else { 0.85 };
                    for place in places {
                        out.push(Draft::at_place(
                            event_type,
                            actor,
                            place,
                            (date, precision),
                            confidence,
                            denied,
                            &evidence,
                            trigger.start,
                        ));
                    }
                }
                Class::Contest => {
                    for place in self.places_for(range, trigger, &clause) {
                        out.push(Draft::at_place(
                            EventType::Contested,
                            None,
                            place,
                            (date, precision),
                            0.8,
                            false,
                            &evidence,
                            trigger.start,
                        ));
                    }
                }
                Class::Flee | Class::Arrive | Class::Evacuee => {
                    if displacement_seen || modality != Modality::Asserted {
                        continue;
                    }
                    displacement_seen = true;
                    self.displacement(range, &triggers, &clause, words, date, precision, &evidence, out);
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
                // Compared in place, not lower-cased into a String: this runs for every token.
                let is = |w: &str, any: &[&str]| any.iter().any(|a| w.eq_ignore_ascii_case(a));
                let word = self.toks[t].text(self.body);
                let after_comma = self.toks[t - 1].gap == Gap::Comma;
                let boundary_word = is(word, &["but", "while", "whereas", "although", "though", "however", "until", "unless"])
                    || (after_comma && word.eq_ignore_ascii_case("as"))
                    // ", and in Kunar the provincial capital …": a new clause with its own place.
                    || (after_comma
                        && word.eq_ignore_ascii_case("and")
                        && self.toks.get(t + 1).is_some_and(|n| {
                            is(n.text(self.body), &["in", "on", "at", "the", "a", "an", "then"])
                        }));
                let marks = gap != " " && (gap.contains([';', ':', '—']) || gap.contains(" – ") || gap.contains(" - "));
                if marks || boundary_word {
                    id += 1;
                }
            }
            ids.push(id);
        }
        let start = range.start;
        move |t: usize| ids.get(t.wrapping_sub(start)).copied().unwrap_or(usize::MAX)
    }

    /// Triggers in the sentence, longest pattern first at each position.
    fn triggers(&self, range: &Range<usize>, words: &[&str]) -> Vec<Trigger> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = None;
            for pattern in lexicon::patterns_starting_with(words[i]) {
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
            // "troops fell back", "talks fell apart": not a place falling.
            if pattern.class == Class::Fall
                && matches!(words.get(i + len).copied(), Some("back" | "apart" | "silent" | "ill" | "short" | "asleep"))
            {
                i += len;
                continue;
            }
            // "was taken into custody", "captured … prisoner": people, not places.
            let next_word = words.get(i + len).copied().unwrap_or("");
            if matches!(pattern.class, Class::Capture)
                && matches!(next_word, "into" | "prisoner" | "prisoners" | "hostage" | "hostages" | "captive")
            {
                i += len;
                continue;
            }
            // "took" alone is a capture only when a place follows at once: "took Kunduz".
            let bare_take = matches!(pattern.words, ["took"] | ["taken"] | ["take"] | ["taking"] | ["retake"]);
            // "displaced families", "newly arrived families": adjectives, not movements.
            if matches!(pattern.class, Class::Flee | Class::Arrive)
                && len == 1
                && words.get(i + 1).is_some_and(|w| {
                    matches!(
                        *w,
                        "families"
                            | "households"
                            | "people"
                            | "persons"
                            | "children"
                            | "civilians"
                            | "residents"
                            | "afghans"
                    )
                })
            {
                i += 1;
                continue;
            }
            let place_next = |t: usize| self.mention_at(t).is_some();
            // "took the Torghundi port", "taking the capital".
            let the_place = words.get(i + len).copied() == Some("the")
                && (place_next(start + len + 1) || anaphor_at(&words[(i + len).min(words.len())..]).is_some());
            if bare_take && !passive && !place_next(start + len) && !the_place {
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
            if lexicon::PASSIVE_AUXILIARIES.contains(&w) {
                return true;
            }
            // Adverbs between: "was quickly captured", "has reportedly been seized".
            if !(w.ends_with("ly") || matches!(w, "also" | "now" | "then" | "again" | "finally" | "been")) {
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
        words: &[&str],
    ) -> Modality {
        let local = |t: usize| &words[t - range.start];
        let window_start = trigger.start.saturating_sub(6).max(range.start);
        let mut attempt = false;
        let mut denied = false;
        // Denials reach over the clause: "officials denied that Ghazni had fallen".
        for t in range.start..trigger.start {
            if lexicon::DENIAL.contains(local(t)) {
                denied = true;
            }
        }
        for t in window_start..trigger.start {
            if clause(t) != clause(trigger.start) {
                continue;
            }
            let w = local(t);
            if lexicon::ATTEMPT.contains(w) {
                attempt = true;
            } else if lexicon::INTENTION.contains(w) {
                // "the Taliban will" / "whose fall would": an attempt word nearer wins.
                if !attempt {
                    return Modality::Cancelled;
                }
            }
        }
        // "did not fall", "has not yet been captured": a negation among the auxiliaries just
        // before the verb (not one in a clause before it: "whose origin was not recorded arrived").
        let mut t = trigger.start;
        while t > range.start {
            t -= 1;
            let w = local(t);
            if lexicon::NEGATION.contains(w) && *w != "no" {
                return Modality::Cancelled;
            }
            if !matches!(
                *w,
                "has"
                    | "have"
                    | "had"
                    | "been"
                    | "be"
                    | "was"
                    | "were"
                    | "is"
                    | "are"
                    | "did"
                    | "do"
                    | "does"
                    | "yet"
                    | "so"
                    | "far"
                    | "still"
                    | "also"
                    | "ever"
            ) {
                break;
            }
        }
        // "no fighting", "no new displacement".
        if trigger.start > range.start {
            let before = local(trigger.start - 1);
            let two_before = if trigger.start >= range.start + 2 { local(trigger.start - 2) } else { "" };
            if *before == "no"
                || (two_before == "no" && matches!(*before, "new" | "further" | "major" | "heavy" | "more"))
            {
                return Modality::Cancelled;
            }
        }
        // "whose fall would signify", "its fall would open the north".
        let after: Vec<&str> = (trigger.end..(trigger.end + 3).min(range.end)).map(|t| *local(t)).collect();
        if matches!(trigger.class, Class::Fall)
            && after.iter().take(2).any(|w| matches!(*w, "would" | "could" | "will" | "might"))
        {
            return Modality::Cancelled;
        }
        // "Herat has fallen before": history, not news.
        if matches!(trigger.class, Class::Fall | Class::Capture)
            && after.first().is_some_and(|w| matches!(*w, "before" | "previously" | "once" | "twice"))
        {
            return Modality::Cancelled;
        }
        // "to capture" after no attempt word: an aim ("vowed to capture", "the push to take").
        if trigger.start > range.start && *local(trigger.start - 1) == "to" && !attempt && trigger.class != Class::Fall
        {
            let fall_to =
                trigger.start >= range.start + 2 && matches!(*local(trigger.start - 2), "fell" | "surrendered");
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
                if matches!(self.governor(m, range.start), Some("in" | "around" | "near" | "outside" | "inside" | "at"))
                {
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
        let plural_ahead = (trigger.end..(trigger.end + 3).min(range.end))
            .any(|t| matches!(self.word(t), "districts" | "provinces" | "capitals" | "cities" | "towns" | "villages"));
        if control && plural_ahead {
            // "…: A, B and C", "… – A, B and C".
            let colon = (trigger.end + 1..range.end).find(|&t| {
                let gap = &self.body[self.toks[t - 1].end..self.toks[t].start];
                gap.contains([':', '–', '—']) || gap.contains(" - ")
            });
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
                    w,
                    "districts" | "provinces" | "capitals" | "cities" | "towns" | "villages" | "areas" | "parts"
                )
            {
                plural = true;
            }
            if let Some(m) = self.mention_at(t) {
                let contained = plural && m.tokens.start > range.start && self.word(m.tokens.start - 1) == "of";
                // "took control of the Wazakhwa district centre in Paktika": Paktika only locates it.
                let locative = control
                    && t > trigger.end
                    && matches!(self.governor(m, trigger.end), Some("in" | "near" | "at" | "around" | "outside"));
                if self.mappable(m, false) && !contained && !locative {
                    return self.chain_from(m, range, false).into_iter().map(|m| self.head(m)).collect();
                }
                continue;
            }
            if let Some((anaphor, len)) =
                anaphor_at(self.words_from(t, 3)).filter(|(_, len)| !self.toks[t + len - 1].possessive)
            {
                // "the city of Kunduz": the name follows. ("the city's radio station" is not the city.)
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
        // "Helmand's rural districts have fallen": the districts fell, not Helmand.
        let container = |m: &Mention| {
            self.toks[m.tokens.end - 1].possessive
                && (m.tokens.end..(m.tokens.end + 2).min(range.end))
                    .any(|t| matches!(self.word(t), "districts" | "villages" | "areas" | "towns" | "provinces"))
        };
        let candidates: Vec<&Mention> = self
            .mentions_in(&(range.start..trigger.start))
            .filter(|m| clause(m.tokens.start) == c && self.mappable(m, false) && !container(m))
            .collect();
        let mut chains: Vec<Vec<&Mention>> = Vec::new();
        for m in candidates {
            if chains.iter().any(|chain| chain.iter().any(|x| std::ptr::eq(*x, m))) {
                continue;
            }
            chains
                .push(self.chain_from(m, range, false).into_iter().filter(|x| x.tokens.end <= trigger.start).collect());
        }
        // Near the verb, or the clause's first words (a long subject: "The Sher Khan Bandar
        // port on the northern border …, which is …, has fallen"); not when a plural stands
        // between ("Zaranj and Shibirghan lost …, five provincial capitals have now fallen").
        let first_in_clause = (range.start..trigger.start).find(|&t| clause(t) == c);
        let near = |chain: &&Vec<&Mention>| {
            let Some(end) = chain.last().map(|m| m.tokens.end) else { return false };
            // Only a plural in the trigger's own stretch of words counts, not one in an
            // apposition ("Ishkashim and Shighnan, two districts on the border, which fell").
            // The list's own kind word is not an aggregate ("… and Shuhada districts were").
            let after_kind =
                if end < trigger.start && matches!(self.word(end), "districts" | "provinces" | "cities" | "towns") {
                    end + 1
                } else {
                    end
                };
            let segment = (after_kind..trigger.start)
                .rev()
                .find(|&t| self.toks[t].gap == Gap::Comma)
                .map(|t| t + 1)
                .unwrap_or(after_kind);
            let aggregate = (segment..trigger.start)
                .any(|t| matches!(self.word(t), "capitals" | "districts" | "provinces" | "cities" | "towns"));
            // An apposition between subject and verb does not count ("Pul-e Khumri, the capital
            // of Baghlan province on the main highway from Kabul, also fell").
            let apposition = self.toks[end - 1].gap == Gap::Comma
                && end < trigger.start
                && matches!(self.word(end), "the" | "a" | "an")
                && (end..trigger.start).filter(|&t| self.toks[t].gap == Gap::Comma).count() == 1
                && trigger.start - (end..trigger.start).rev().find(|&t| self.toks[t].gap == Gap::Comma).unwrap_or(end)
                    <= 4;
            !aggregate && (end + REACH >= trigger.start || Some(chain[0].tokens.start) == first_in_clause || apposition)
        };
        let free = chains.iter().rev().filter(near).find(|chain| self.governor(chain[0], range.start).is_none());
        // A plural subject is no place's: "officials in Badakhshan said six districts of the province have fallen".
        let aggregate_subject = (trigger.start.saturating_sub(6).max(range.start)..trigger.start)
            .any(|t| matches!(self.word(t), "capitals" | "districts" | "provinces" | "cities" | "towns"))
            && !chains.iter().any(|chain| chain.last().is_some_and(|m| m.tokens.end + 2 >= trigger.start));
        let locative = || {
            (!aggregate_subject)
                .then(|| {
                    chains.iter().find(|chain| {
                        matches!(self.governor(chain[0], range.start), Some("in" | "around" | "near" | "at"))
                    })
                })
                .flatten()
        };
        // "the governor and several hundred troops surrendered in Tarinkot".
        if trigger.class == Class::Fall && trigger.end < range.end && self.word(trigger.end) == "in" {
            if let Some(m) = self.mention_at(trigger.end + 1).filter(|m| self.mappable(m, false)) {
                return vec![self.head(m)];
            }
        }
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
            if let Some((anaphor, _)) = anaphor_at(self.words_from(t, 3)) {
                return self.resolve_anaphor(anaphor, t).into_iter().collect();
            }
        }
        Vec::new()
    }

    /// A place the sentence opens with ("In Kunduz, …"), before the trigger.
    fn fronted_place(&self, range: &Range<usize>, trigger: &Trigger) -> Option<EntryId> {
        let m = self.mention_at(range.start + 1)?;
        let opens = matches!(self.word(range.start), "in" | "at") && self.toks[m.tokens.end - 1].gap == Gap::Comma;
        (opens && m.tokens.end <= trigger.start && self.mappable(m, false)).then_some(m.entry)
    }

    /// The preposition governing a mention: the nearest one a few words before it, over
    /// articles, adjectives and containers ("in central Kabul", "from the provinces of
    /// Takhar", "on the outskirts of Herat" → in/from/on).
    fn governor(&self, m: &Mention, floor: usize) -> Option<&'a str> {
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
                && lexicon::CONTAINERS.contains(&self.word(t - 1))
                && self.mention_at(t - 2).is_none()
                && !self.ends_mention(t - 2)
            {
                t -= 1;
                continue;
            }
            if lexicon::PREPOSITIONS.contains(&w) {
                return Some(w);
            }
            if !lexicon::MODIFIERS.contains(&w) || self.toks[t].gap == Gap::Comma {
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
            if of == "of" && matches!(noun, "capital" | "centre" | "center") {
                let named_before = self
                    .mentions_before(m.tokens.start - 1)
                    .iter()
                    .rev()
                    .take_while(|x| x.tokens.end + 5 >= m.tokens.start)
                    .any(|x| self.g.entry(x.entry).kind.is_settlement());
                if !named_before {
                    if let Some(shape) = e.admin1_code.as_deref().and_then(|code| self.g.province(code)) {
                        return shape.capital;
                    }
                }
            }
        }
        m.entry
    }

    /// A mention and the list it heads: "Sar-e Pol, Sheberghan and Taloqan", "Asadabad,
    /// the capital of Kunar, and Mehtar Lam", "Deh Salah and the town of Banu".
    fn chain_from(&self, first: &'a Mention, range: &Range<usize>, foreign_ok: bool) -> Vec<&'a Mention> {
        let mut chain = vec![first];
        let mut last = first;
        loop {
            let mut t = last.tokens.end;
            let mut gap = self.toks[t - 1].gap;
            // A kind word: "Imam Sahib district and Khanabad"; with its province: "Gardez city of
            // Paktiya and Sharana city of Paktika".
            if t < range.end
                && gap == Gap::Space
                && matches!(self.word(t), "district" | "districts" | "province" | "city" | "town")
            {
                gap = self.toks[t].gap;
                t += 1;
                if gap == Gap::Space && t + 1 < range.end && self.word(t) == "of" {
                    if let Some(province) =
                        self.mention_at(t + 1).filter(|m| self.g.entry(m.entry).kind == Kind::Province)
                    {
                        t = province.tokens.end;
                        gap = self.toks[t - 1].gap;
                    }
                }
            }
            // An apposition: ", the capital of Kunar," — skipped, the list goes on after it.
            if gap == Gap::Comma && t < range.end && matches!(self.word(t), "the" | "a" | "an") {
                let close = (t..(t + 8).min(range.end)).find(|&u| self.toks[u].gap == Gap::Comma);
                match close {
                    Some(u) => {
                        t = u + 1;
                        gap = Gap::Comma;
                    }
                    None => break,
                }
            }
            let mut start = match gap {
                Gap::Comma if t < range.end => {
                    let w = self.word(t);
                    if w == "and" || w == "or" {
                        t + 1
                    } else {
                        t
                    }
                }
                Gap::Space if t < range.end && matches!(self.word(t), "and" | "or") => t + 1,
                _ => break,
            };
            let conjunction = start > t;
            // "… and in Khanabad", "… and the town of Banu".
            if start < range.end
                && matches!(self.word(start), "in" | "to" | "from")
                && self.mention_at(start + 1).is_some()
            {
                start += 1;
            }
            if start + 3 < range.end
                && self.word(start) == "the"
                && self.word(start + 2) == "of"
                && matches!(self.word(start + 1), "town" | "city" | "district")
            {
                start += 3;
            }
            match self.mention_at(start) {
                // Without "and", a comma joins only names of one kind ("Kunduz, Sar-e Pul"),
                // not "the capital of Takhar province, Taloqan".
                Some(m)
                    if self.mappable(m, foreign_ok)
                        && m.tokens.end <= range.end
                        && (conjunction
                            || (self.g.entry(m.entry).kind == Kind::Province)
                                == (self.g.entry(last.entry).kind == Kind::Province)) =>
                {
                    chain.push(m);
                    last = m;
                }
                _ => break,
            }
        }
        chain
    }

    /// A person is the subject of the verb at `t`: "Rahima fled", "she had fled", "Farid
    /// and his family left". Someone named or a pronoun, not a place or a fighting force.
    fn person_before(&self, range: &Range<usize>, t: usize) -> bool {
        let mut u = t;
        while u > range.start {
            u -= 1;
            let w = self.word(u);
            // "Rahima, who fled": the relative pronoun stands for the name before it.
            if matches!(w, "who" | "had" | "has" | "have" | "also" | "then" | "later" | "eventually" | "finally")
                || w.ends_with("ly")
            {
                continue;
            }
            if matches!(w, "she" | "he" | "i" | "we") {
                return true;
            }
            // "Farid and his family": the name a few words back. Not a force ("Taliban
            // fled"), nor an official: "President Ghani fled" is not the displacement of
            // civilians a map of flight shows.
            let named = |v: usize| {
                let word = self.word(v);
                self.toks[v].shape == crate::text::Shape::Capitalized
                    && !self.g.index.is_english_word(word)
                    && self.mention_at(v).is_none()
                    && !self.ends_mention(v)
                    && !lexicon::ACTORS.iter().any(|(phrase, _)| phrase == &[word])
                    && !(v.saturating_sub(3).max(range.start)..=v).any(|x| lexicon::TITLES.contains(&self.word(x)))
            };
            return named(u)
                || (matches!(w, "family" | "children" | "husband" | "wife" | "relatives")
                    && (range.start..u).rev().take(4).any(named));
        }
        false
    }

    fn ends_mention(&self, t: usize) -> bool {
        self.mentions_before(t + 1).last().is_some_and(|m| m.tokens.end == t + 1)
    }

    /// The mentions that end at or before token `t` (mentions are in order and do not overlap).
    fn mentions_before(&self, t: usize) -> &'a [Mention] {
        &self.mentions[..self.mentions.partition_point(|m| m.tokens.end <= t)]
    }

    fn mention_at(&self, t: usize) -> Option<&'a Mention> {
        let i = self.mentions.partition_point(|m| m.tokens.start < t);
        self.mentions.get(i).filter(|m| m.tokens.start == t)
    }

    fn words_from(&self, t: usize, n: usize) -> &'a [&'a str] {
        let end = (t + n).min(self.words.len());
        &self.words[t.min(end)..end]
    }

    /// The last place of the anaphor's kind named before token `t` in the article.
    fn resolve_anaphor(&self, anaphor: Anaphor, t: usize) -> Option<EntryId> {
        if anaphor == Anaphor::NationalCapital {
            return (0..self.g.entries.len() as EntryId).find(|id| self.g.entry(*id).feature_code == "PPLC");
        }
        // An anaphor refers to a place named in the last few paragraphs: the walk back is
        // bounded so an article of a million words with no such place stays linear.
        self.mentions_before(t).iter().rev().take(ANAPHOR_REACH).filter(|m| !m.metonym).find_map(|m| {
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
    fn actor(&self, range: &Range<usize>, trigger: &Trigger, words: &[&str], recent: Option<Actor>) -> Actor {
        let actor = self.actor_by_position(range, trigger, words, recent);
        let date = self.sentence_date(range);
        if let (Some(fell), Some(date)) = (self.government_fell, date) {
            if date >= fell && actor == Actor::Government {
                // After the fall: militias are the resistance, "government" is the Taliban's.
                let militia = words.iter().any(|w| {
                    matches!(*w, "militia" | "militias" | "militiamen" | "uprising" | "fighters" | "commander")
                });
                return if militia { Actor::Resistance } else { Actor::Taliban };
            }
        }
        // Militias fought for the government until it fell; after, and wherever the story is
        // about the resistance, they are the resistance.
        let militia = words.iter().any(|w| matches!(*w, "militia" | "militias" | "militiamen" | "uprising"));
        let official = words.iter().any(|w| {
            matches!(
                *w,
                "army" | "troops" | "soldiers" | "commandos" | "police" | "government" | "security" | "andsf" | "ansf"
            )
        });
        if actor == Actor::Government && militia && !official {
            let context = &self.words[range.start.saturating_sub(200)..range.end];
            if context.iter().any(|w| matches!(*w, "resistance" | "anti-taliban" | "nrf" | "massoud")) {
                return Actor::Resistance;
            }
        }
        actor
    }

    /// `recent`: the holder of the article's last reported change of hands, the best guess
    /// for a fall whose holder this sentence does not name ("Taloqan fell in the evening").
    /// The date the sentence's events take (set by `sentence` while it runs).
    fn sentence_date(&self, _range: &Range<usize>) -> Option<NaiveDate> {
        self.current_date.get()
    }

    fn actor_by_position(
        &self,
        range: &Range<usize>,
        trigger: &Trigger,
        words: &[&str],
        recent: Option<Actor>,
    ) -> Actor {
        let local = |i: usize| i - range.start;
        let inside = &words[local(trigger.start)..local(trigger.end)];
        // From the trigger's own last word when it is the preposition: "fell to", "under the control of".
        let from = if matches!(words[local(trigger.end) - 1], "to" | "of" | "by") {
            local(trigger.end) - 1
        } else {
            local(trigger.end)
        };
        let after = &words[from..words.len().min(local(trigger.end) + 8)];
        let before = &words[..local(trigger.start)];
        // "The spokesman said the crossing had also been captured": the actor of the story
        // so far, named in the sentences before.
        let earlier = || find_actor_nearest_end(&self.words[range.start.saturating_sub(80)..range.start]);
        match (trigger.class, trigger.passive) {
            // "under Taliban control", "fell to the Taliban", "the fall of Sheberghan to the
            // insurgents". The subject is the place or the forces that lost it, never the
            // new holder ("the security forces there surrendered").
            (Class::Fall, _) => find_actor(inside)
                .or_else(|| actor_after_preposition(after))
                .or(recent)
                .or_else(earlier)
                .unwrap_or(Actor::Unknown),
            // "was captured by government forces".
            (_, true) => actor_after_preposition(after).or(recent).or_else(earlier).unwrap_or(Actor::Unknown),
            // "Taliban fighters captured", "government forces retook"; "pushed the Taliban
            // out of": the words inside are who lost it. The rest of the sentence may name the
            // loser ("… while government troops fell back"), so the article's holder comes first.
            _ => find_actor_nearest_end(before)
                .or_else(|| (trigger.class == Class::Reverse).then_some(Actor::Government))
                .or(recent)
                .or_else(|| find_actor(words))
                .or_else(earlier)
                .unwrap_or(Actor::Unknown),
        }
    }

    /// Origin, destination and count of the displacement a sentence reports. Places are
    /// read in the clause of a movement trigger, by the word that governs them: "from",
    /// "residents of" → origin; "to", "into", "for", "towards", the object of "reached"
    /// → destination; "in"/"at" → where people left when it comes with the flight ("fled
    /// their villages in Panjshir", "In Ali Abad district, 480 households fled", "At
    /// Spin Boldak, hundreds crossed") and where they are when it comes with an arrival
    /// ("arrived in Kabul"). "the city", "the port" refer back.
    #[allow(clippy::too_many_arguments)]
    fn displacement(
        &self,
        range: &Range<usize>,
        triggers: &[Trigger],
        clause: &impl Fn(usize) -> usize,
        words: &[&str],
        date: NaiveDate,
        precision: u8,
        evidence: &Range<usize>,
        out: &mut Vec<Draft>,
    ) {
        let local = |t: usize| words[t - range.start];
        let military = |w: &str| {
            matches!(
                w,
                "fighters"
                    | "forces"
                    | "troops"
                    | "soldiers"
                    | "taliban"
                    | "insurgents"
                    | "militants"
                    | "commandos"
                    | "police"
                    | "assistance"
                    | "aid"
                    | "food"
                    | "supplies"
            )
        };
        let civilian = |w: &str| lexicon::CIVILIANS.contains(&w);
        // Who moves: civilians, not fighters or aid ("Taliban fighters reached the city",
        // "food assistance reached 1,900 people"). An arrival needs them before the verb.
        let moving: Vec<&Trigger> = triggers
            .iter()
            .filter(|t| matches!(t.class, Class::Flee | Class::Arrive | Class::Evacuee))
            .filter(|t| {
                let c = clause(t.start);
                let before: Vec<&str> = (range.start..t.start).filter(|&u| clause(u) == c).map(local).collect();
                let subject_military = before.iter().rev().take(3).any(|w| military(w));
                let civilians_before =
                    before.iter().any(|w| lexicon::CIVILIANS.contains(w)) || !counts::find(&before).is_empty();
                let civilians_after = (t.end..(t.end + 6).min(range.end)).any(|u| clause(u) == c && civilian(local(u)));
                // "camps for families from Dand": a noun takes its people after it.
                let camp_for = matches!(local(t.start), "camps" | "camp") && t.end < range.end && local(t.end) == "for";
                if matches!(local(t.start), "camps" | "camp") && !camp_for {
                    return false;
                }
                let noun = camp_for || matches!(local(t.start), "arrivals" | "displacement");
                !subject_military
                    && (civilians_before
                        || (!noun && self.person_before(range, t.start))
                        || ((t.class == Class::Flee || noun) && civilians_after)
                        || t.class == Class::Evacuee)
            })
            .collect();
        let Some(first) = moving.first() else { return };
        let count = counts::find(words).into_iter().next();
        let in_moving_clause = |t: usize| moving.iter().any(|m| clause(m.start) == clause(t));
        let mut origins: Vec<EntryId> = Vec::new();
        let mut destinations: Vec<EntryId> = Vec::new();
        let assign = |entry: EntryId, origin: bool, origins: &mut Vec<EntryId>, destinations: &mut Vec<EntryId>| {
            if origins.contains(&entry) || destinations.contains(&entry) {
                return;
            }
            if origin {
                origins.push(entry);
            } else {
                destinations.push(entry);
            }
        };
        // The role a place (or anaphor) at token `start`, governed by `governor`, plays.
        let role = |start: usize, end: usize, governor: Option<&str>| -> Option<bool> {
            let before = moving.iter().rev().find(|t| t.end <= start && clause(t.start) == clause(start));
            let next = moving.iter().find(|t| t.start >= end && clause(t.start) == clause(start));
            let reach = |t: &&&Trigger| start - t.end <= 10;
            let near_any = moving.iter().any(|t| {
                clause(t.start) == clause(start) && (start.abs_diff(t.end) <= 12 || end.abs_diff(t.start) <= 12)
            });
            match governor {
                Some("from") => near_any.then_some(true),
                // "left Afghanistan for Pakistan through the Torkham border crossing": the way out.
                Some("through" | "via") => near_any.then_some(true),
                Some("of")
                    if start >= range.start + 2
                        && matches!(
                            local(start - 2),
                            "residents" | "people" | "families" | "households" | "villagers" | "inhabitants"
                        ) =>
                {
                    Some(true)
                }
                Some("of") if start >= range.start + 2 && local(start - 2) == "safety" => Some(false),
                Some("to" | "towards" | "toward" | "into" | "for") => before.filter(reach).map(|_| false),
                Some("in" | "at") => match (before, next) {
                    // "fled their villages in Panjshir": only home words between.
                    (Some(t), _) if t.class == Class::Flee => {
                        let between: Vec<&str> = (t.end..start).map(local).collect();
                        Some(
                            between.len() <= 4 && between.iter().all(|w| lexicon::HOME_WORDS.contains(w) || *w == "in"),
                        )
                        .filter(|_| reach(&t))
                        .or(Some(false))
                    }
                    (Some(t), _) => reach(&t).then_some(false),
                    // "In Ali Abad district, 480 households fled", "At Spin Boldak, hundreds crossed".
                    (None, Some(t)) => Some(t.class == Class::Flee),
                    (None, None) => None,
                },
                // "fled Sheberghan", "reached the western part of Kabul".
                None => before
                    .filter(|t| {
                        (t.end..start).all(|u| {
                            matches!(local(u), "the" | "a" | "of")
                                || lexicon::MODIFIERS.contains(&local(u))
                                || lexicon::CONTAINERS.contains(&local(u))
                        }) && start - t.end <= 5
                    })
                    .map(|t| t.class == Class::Flee),
                _ => None,
            }
        };
        for m in self.mentions_in(range).filter(|m| self.mappable(m, true) && in_moving_clause(m.tokens.start)) {
            let start = m.tokens.start;
            let foreign = matches!(self.g.entry(m.entry).kind, Kind::ForeignPlace | Kind::Country);
            // "a Kunduz evacuee", "IDPs from X": the place before the word.
            let evacuee =
                m.tokens.end < range.end && matches!(local(m.tokens.end), "evacuee" | "evacuees" | "idps" | "natives");
            // "according to US officials", "the ministry in Berlin said": attribution.
            let attribution = (m.tokens.end < range.end && lexicon::SPEECH.contains(&local(m.tokens.end)))
                || (start >= range.start + 2 && local(start - 2) == "according");
            // "to Shibirghan in neighbouring Jawzjan province": the province locates the town.
            let qualifier = self.g.entry(m.entry).kind == Kind::Province
                && self.mentions_in(&(start.saturating_sub(5)..start)).any(|x| {
                    let e = self.g.entry(x.entry);
                    e.kind != Kind::Province && e.admin1_code == self.g.entry(m.entry).admin1_code
                });
            if attribution || qualifier {
                continue;
            }
            // "Islam Qala, where 2,500 people crossed into Iran": the place the clause is about.
            let where_clause = m.tokens.end < range.end
                && self.toks[m.tokens.end - 1].gap == Gap::Comma
                && local(m.tokens.end) == "where";
            // "- Torkham: on 1 September, 6,500 people crossed …": a heading names the place.
            let heading = m.tokens.start <= range.start + 1
                && self.body[self.toks[m.tokens.end - 1].end
                    ..self.toks.get(m.tokens.end).map(|t| t.start).unwrap_or(self.body.len())]
                    .contains(':');
            let governor = if where_clause || heading { Some("at") } else { self.governor(m, range.start) };
            let is_origin = if evacuee { Some(true) } else { role(start, m.tokens.end, governor) };
            match is_origin {
                Some(true) if !foreign => {
                    for member in self.chain_from(m, range, false) {
                        assign(member.entry, true, &mut origins, &mut destinations);
                    }
                }
                Some(false) => {
                    for member in self.chain_from(m, range, true) {
                        assign(member.entry, false, &mut origins, &mut destinations);
                    }
                }
                _ => {}
            }
        }
        // "from the city", "left the port", "arrived in the capital": anaphors by their
        // governing word, unless the name follows ("the city of Herat").
        for t in range.clone().filter(|&t| in_moving_clause(t)) {
            let Some((anaphor, len)) = anaphor_at(self.words_from(t, 3)) else { continue };
            if t + len < range.end && local(t + len) == "of" {
                continue;
            }
            // The word governing the anaphor, over containers: "in the west of the city".
            let mut g = t;
            while g > range.start
                && (lexicon::CONTAINERS.contains(&local(g - 1))
                    || matches!(local(g - 1), "of" | "the" | "west" | "east" | "north" | "south" | "centre" | "center"))
            {
                g -= 1;
            }
            let governor = (g > range.start).then(|| local(g - 1)).filter(|w| lexicon::PREPOSITIONS.contains(w));
            if let Some(origin) = role(t, t + len, governor) {
                if let Some(e) = self.resolve_anaphor(anaphor, t) {
                    assign(e, origin, &mut origins, &mut destinations);
                }
            }
        }
        // "In Khost province, 42 families … arrived in Khost city": the province only
        // locates a place named in the sentence.
        let named: Vec<EntryId> = origins.iter().chain(destinations.iter()).copied().collect();
        let contains_named = |p: &EntryId| {
            let e = self.g.entry(*p);
            e.kind == Kind::Province
                && named.iter().any(|n| {
                    *n != *p && self.g.entry(*n).kind != Kind::Province && self.g.entry(*n).admin1_code == e.admin1_code
                })
        };
        origins.retain(|p| !contains_named(p));
        destinations.retain(|p| !contains_named(p));
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
fn match_words(words: &[&str], pattern: &[&str]) -> Option<usize> {
    fn go(words: &[&str], pattern: &[&str], used: usize) -> Option<usize> {
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

fn anaphor_at(words: &[&str]) -> Option<(Anaphor, usize)> {
    // "the capital of Takhar" names a province's capital, not Kabul.
    if words.len() >= 3 && words[1] == "capital" && words[2] == "of" {
        return None;
    }
    lexicon::ANAPHORS.iter().find_map(|(phrase, anaphor)| {
        (words.len() >= phrase.len() && words.iter().zip(phrase.iter()).all(|(w, p)| w == p))
            .then_some((*anaphor, phrase.len()))
    })
}

/// The actor of a "to …", "by …" or "of …" phrase opening within `words`: "fell to the
/// Taliban", "captured by government forces", "under the control of the Islamic Emirate".
fn actor_after_preposition(words: &[&str]) -> Option<Actor> {
    let at = words.iter().position(|w| matches!(*w, "to" | "by" | "of"))?;
    let rest = &words[at + 1..];
    let skip = rest.iter().take_while(|w| matches!(**w, "the" | "a" | "an" | "local" | "afghan")).count();
    (skip..rest.len().min(skip + 2)).find_map(|i| actor_at(&rest[i..]))
}

/// The first actor phrase in `words`.
fn find_actor(words: &[&str]) -> Option<Actor> {
    (0..words.len()).find_map(|i| actor_at(&words[i..]))
}

/// The actor phrase nearest the end of `words` (the subject just before a verb).
fn find_actor_nearest_end(words: &[&str]) -> Option<Actor> {
    (0..words.len()).rev().find_map(|i| actor_at(&words[i..]))
}

fn actor_at(words: &[&str]) -> Option<Actor> {
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
                    // One sentence tells one change of hands per place: "captured Maimana after
                    // the security forces there surrendered".
                    EventType::Control => {
                        k.place == draft.place
                            && (k.evidence == draft.evidence
                                || k.actor == draft.actor
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
    // "3,500 families have been displaced from Alingar. Most have moved to Mehtarlam": an
    // origin and, in the next sentence, where the same people went.
    let mut merged: Vec<Draft> = Vec::new();
    for draft in kept {
        if draft.event_type == EventType::Displacement && draft.origin.is_none() && draft.destination.is_some() {
            let gap_ok = |previous: &Draft| {
                let between = &article.body[previous.evidence.end.min(draft.evidence.start)..draft.evidence.start];
                between.split(['.', '!', '?']).count() <= 2
            };
            if let Some(previous) = merged.last_mut().filter(|p| {
                p.event_type == EventType::Displacement && p.destination.is_none() && p.origin.is_some() && gap_ok(p)
            }) {
                if draft.count.is_none() || previous.count.is_none() {
                    previous.destination = draft.destination;
                    previous.count = previous.count.or(draft.count);
                    continue;
                }
            }
        }
        merged.push(draft);
    }
    let mut kept = merged;
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
            sentence: collapse_whitespace(&article.body[d.evidence.clone()]),
            evidence: d.evidence,
        })
        .collect()
}

/// The words of `text` joined by one space (as `split_whitespace` then `join(" ")`,
/// without the vector of words between).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests;

/// An event for the tests of what stores and sorts events: a displacement with a count
/// on `day` August 2021, the keys and the sentence as given.
#[cfg(test)]
pub(crate) fn test_event(day: u32, article: &str, id: &str, sentence: &str) -> Event {
    Event {
        id: id.to_owned(),
        article: article.to_owned(),
        date: chrono::NaiveDate::from_ymd_opt(2021, 8, day).expect("a day of August"),
        date_precision: 1,
        event_type: EventType::Displacement,
        actor: None,
        place: None,
        origin: None,
        destination: None,
        count: Some(Count { value: 17_000, unit: CountUnit::Families, vague: false, token: 3 }),
        people: Some(119_000),
        confidence: 0.85,
        denied: false,
        sentence: sentence.to_owned(),
        evidence: 10..42,
    }
}
