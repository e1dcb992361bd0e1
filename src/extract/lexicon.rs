//! The words events are read from: triggers, actors, modality. Lower-case.

/// What a trigger says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Someone took the place: "captured", "seized", "took control of".
    Capture,
    /// The place went to someone: "fell to", "surrendered to", "is now under … control".
    Fall,
    /// Someone took it back: "retook", "recaptured", "pushed … out of".
    Reverse,
    /// "entered": a capture when the sentence says so (a flag raised, control), else fighting.
    Enter,
    /// Fighting at the place.
    Contest,
    /// People left the place.
    Flee,
    /// People reached the place.
    Arrive,
    /// "a Kunduz evacuee": the place before the word is where they fled from.
    Evacuee,
}

/// Where the place is, relative to the trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// After it: "captured Kunduz", "the fall of Kunduz", "fighting in Kunduz".
    Object,
    /// Before it: "Kunduz fell", "Kunduz is now under Taliban control".
    Subject,
    /// After it, else before it.
    Either,
}

pub struct Pattern {
    /// Words to match; `*` stands for up to three words ("took full control of").
    pub words: &'static [&'static str],
    pub class: Class,
    pub side: Side,
    /// The verb is a past participle: after "was", "has been", the place is the subject.
    pub participle: bool,
}

const fn p(words: &'static [&'static str], class: Class, side: Side, participle: bool) -> Pattern {
    Pattern { words, class, side, participle }
}

use Class::*;
use Side::*;

/// Longest patterns first, so "took control of" wins over "took".
pub const PATTERNS: &[Pattern] = &[
    // Capture
    p(&["took", "*", "control", "of"], Capture, Object, false),
    p(&["taken", "*", "control", "of"], Capture, Object, false),
    p(&["taking", "*", "control", "of"], Capture, Object, false),
    p(&["take", "*", "control", "of"], Capture, Object, false),
    p(&["seized", "*", "control", "of"], Capture, Object, false),
    p(&["gained", "*", "control", "of"], Capture, Object, false),
    p(&["won", "*", "control", "of"], Capture, Object, false),
    p(&["took", "control", "of"], Capture, Object, false),
    p(&["taken", "control", "of"], Capture, Object, false),
    p(&["took", "over"], Capture, Object, false),
    p(&["taken", "over"], Capture, Either, true),
    p(&["taking", "over"], Capture, Object, false),
    p(&["captured"], Capture, Object, true),
    p(&["capture", "of"], Capture, Object, false),
    p(&["captures"], Capture, Object, false),
    p(&["capturing"], Capture, Object, false),
    p(&["capture"], Capture, Object, false),
    p(&["seize"], Capture, Object, false),
    p(&["storm"], Capture, Object, false),
    p(&["take"], Capture, Object, false),
    p(&["seized"], Capture, Object, true),
    p(&["seizure", "of"], Capture, Object, false),
    p(&["seizes"], Capture, Object, false),
    p(&["seizing"], Capture, Object, false),
    p(&["overran"], Capture, Object, false),
    p(&["overrun"], Capture, Either, true),
    p(&["overrunning"], Capture, Object, false),
    p(&["stormed"], Capture, Object, false),
    p(&["conquered"], Capture, Object, true),
    p(&["took"], Capture, Object, false),
    p(&["taken"], Capture, Either, true),
    p(&["entered", "into"], Enter, Object, false),
    p(&["entered"], Enter, Object, false),
    p(&["walked", "into"], Capture, Object, false),
    p(&["rolled", "into"], Capture, Object, false),
    p(&["swept", "into"], Capture, Object, false),
    p(&["taking"], Capture, Object, false),
    // Fall
    p(&["fell", "to"], Fall, Subject, false),
    p(&["fallen", "to"], Fall, Subject, false),
    p(&["falls", "to"], Fall, Subject, false),
    p(&["fall", "of"], Fall, Object, false),
    p(&["fell"], Fall, Subject, false),
    p(&["fallen"], Fall, Subject, false),
    p(&["collapsed"], Fall, Subject, false),
    p(&["surrendered", "to"], Fall, Subject, false),
    p(&["surrendered", "*", "to"], Fall, Object, false),
    p(&["abandoned"], Fall, Object, true),
    p(&["surrendered"], Fall, Subject, false),
    p(&["handed", "over", "to"], Fall, Subject, false),
    p(&["handed", "*", "to"], Fall, Either, false),
    p(&["handed", "over"], Fall, Subject, false),
    p(&["under", "*", "control"], Fall, Subject, false),
    p(&["under", "the", "control", "of"], Fall, Subject, false),
    p(&["in", "taliban", "hands"], Fall, Subject, false),
    p(&["in", "the", "hands", "of"], Fall, Subject, false),
    // Reverse
    p(&["regained", "*", "control", "of"], Reverse, Object, false),
    p(&["retook", "*", "control", "of"], Reverse, Object, false),
    p(&["pushed", "*", "out", "of"], Reverse, Object, false),
    p(&["drove", "*", "out", "of"], Reverse, Object, false),
    p(&["driven", "out", "of"], Reverse, Object, false),
    p(&["expelled", "*", "from"], Reverse, Object, false),
    p(&["took", "back"], Reverse, Object, false),
    p(&["taken", "back"], Reverse, Either, true),
    p(&["won", "back"], Reverse, Object, false),
    p(&["retook"], Reverse, Object, false),
    p(&["retake"], Reverse, Object, false),
    p(&["recapture"], Reverse, Object, false),
    p(&["retaken"], Reverse, Either, true),
    p(&["retakes"], Reverse, Object, false),
    p(&["recaptured"], Reverse, Object, true),
    p(&["recaptures"], Reverse, Object, false),
    p(&["recapture", "of"], Reverse, Object, false),
    p(&["regained"], Reverse, Object, true),
    p(&["reclaimed"], Reverse, Object, true),
    p(&["liberated"], Reverse, Object, true),
    p(&["cleared"], Reverse, Object, true),
    // Contest
    p(&["focusing", "their", "efforts", "on"], Contest, Object, false),
    p(&["focused", "their", "efforts", "on"], Contest, Object, false),
    p(&["closing", "in", "on"], Contest, Object, false),
    p(&["pushing", "towards"], Contest, Object, false),
    p(&["pushing", "toward"], Contest, Object, false),
    p(&["pushed", "towards"], Contest, Object, false),
    p(&["pushed", "toward"], Contest, Object, false),
    p(&["pushed", "into"], Contest, Object, false),
    p(&["pushing", "into"], Contest, Object, false),
    p(&["advanced", "on"], Contest, Object, false),
    p(&["advancing", "on"], Contest, Object, false),
    p(&["under", "attack"], Contest, Subject, false),
    p(&["under", "siege"], Contest, Subject, false),
    p(&["battle", "for"], Contest, Object, false),
    p(&["siege", "of"], Contest, Object, false),
    p(&["outskirts", "of"], Contest, Object, false),
    p(&["gates", "of"], Contest, Object, false),
    p(&["fighting"], Contest, Either, false),
    p(&["fought"], Contest, Either, false),
    p(&["clashes"], Contest, Either, false),
    p(&["clash"], Contest, Either, false),
    p(&["clashed"], Contest, Either, false),
    p(&["gunfights"], Contest, Either, false),
    p(&["firefights"], Contest, Either, false),
    p(&["skirmishes"], Contest, Either, false),
    p(&["battles"], Contest, Either, false),
    p(&["battling"], Contest, Either, false),
    p(&["battle"], Contest, Either, false),
    p(&["besieged"], Contest, Either, true),
    p(&["besieging"], Contest, Object, false),
    p(&["encircled"], Contest, Either, true),
    p(&["surrounded"], Contest, Either, true),
    p(&["attack", "on"], Contest, Object, false),
    p(&["attacks", "on"], Contest, Object, false),
    p(&["attacked"], Contest, Either, true),
    p(&["attacking"], Contest, Object, false),
    p(&["assault", "on"], Contest, Object, false),
    p(&["assault"], Contest, Either, false),
    p(&["offensive", "on"], Contest, Object, false),
    p(&["offensive", "against"], Contest, Object, false),
    p(&["offensive", "in"], Contest, Object, false),
    p(&["shelling"], Contest, Either, false),
    p(&["shelled"], Contest, Either, true),
    p(&["airstrikes"], Contest, Either, false),
    p(&["airstrike"], Contest, Either, false),
    p(&["air", "strikes"], Contest, Either, false),
    p(&["air", "strike"], Contest, Either, false),
    p(&["bombardment"], Contest, Either, false),
    p(&["bombarded"], Contest, Either, true),
    p(&["struck"], Contest, Object, false),
    p(&["strikes", "on"], Contest, Object, false),
    p(&["repelled"], Contest, Either, true),
    p(&["repulsed"], Contest, Either, true),
    p(&["fended", "off"], Contest, Either, false),
    // Displacement
    p(&["left", "their", "homes", "in"], Flee, Object, false),
    p(&["forced", "from"], Flee, Object, false),
    p(&["fled"], Flee, Object, false),
    p(&["flee"], Flee, Object, false),
    p(&["fleeing"], Flee, Object, false),
    p(&["flees"], Flee, Object, false),
    p(&["escaped"], Flee, Object, false),
    p(&["escaping"], Flee, Object, false),
    p(&["evacuated"], Flee, Object, false),
    p(&["evacuate"], Flee, Object, false),
    p(&["evacuating"], Flee, Object, false),
    p(&["displaced"], Flee, Object, false),
    p(&["displacement"], Flee, Object, false),
    p(&["uprooted"], Flee, Object, false),
    p(&["left"], Flee, Object, false),
    p(&["carried"], Flee, Object, false),
    p(&["carrying"], Flee, Object, false),
    p(&["airlifted"], Flee, Object, false),
    p(&["flown", "out"], Flee, Object, false),
    p(&["moved", "toward"], Arrive, Object, false),
    p(&["moved", "towards"], Arrive, Object, false),
    p(&["moved", "to"], Arrive, Object, false),
    p(&["staying"], Arrive, Object, false),
    p(&["scattered", "into"], Arrive, Object, false),
    p(&["arriving"], Arrive, Object, false),
    p(&["landed", "in"], Arrive, Object, false),
    p(&["camps"], Arrive, Object, false),
    p(&["camp"], Arrive, Object, false),
    p(&["arrived"], Arrive, Object, false),
    p(&["arriving"], Arrive, Object, false),
    p(&["arrivals"], Arrive, Object, false),
    p(&["arrive"], Arrive, Object, false),
    p(&["reached"], Arrive, Object, false),
    p(&["crossed", "into"], Flee, Object, false),
    p(&["crossing", "into"], Flee, Object, false),
    p(&["crossed"], Flee, Object, false),
    p(&["poured", "into"], Arrive, Object, false),
    p(&["streamed", "into"], Arrive, Object, false),
    p(&["sought", "refuge"], Arrive, Object, false),
    p(&["seeking", "refuge"], Arrive, Object, false),
    p(&["taken", "refuge"], Arrive, Object, false),
    p(&["took", "refuge"], Arrive, Object, false),
    p(&["sheltering"], Arrive, Object, false),
    p(&["taking", "shelter"], Arrive, Object, false),
    p(&["camped"], Arrive, Object, false),
    p(&["camping"], Arrive, Object, false),
    p(&["came", "to"], Arrive, Object, false),
    p(&["have", "come", "to"], Arrive, Object, false),
    p(&["evacuee"], Evacuee, Subject, false),
    p(&["evacuees"], Evacuee, Subject, false),
    p(&["idps"], Evacuee, Subject, false),
];

/// Forms of "be" and "have" before a participle that make it passive: "was captured".
pub const PASSIVE_AUXILIARIES: &[&str] = &["was", "were", "is", "are", "been", "being", "be", "got"];

/// Words before a trigger that make it a hope, a threat or a hypothesis, not an event.
pub const INTENTION: &[&str] = &[
    "if",
    "would",
    "could",
    "might",
    "may",
    "will",
    "shall",
    "threatened",
    "threatening",
    "threatens",
    "threat",
    "vowed",
    "vows",
    "vowing",
    "vow",
    "pledged",
    "pledges",
    "promised",
    "promises",
    "promising",
    "plan",
    "plans",
    "planned",
    "planning",
    "aim",
    "aims",
    "aiming",
    "intend",
    "intends",
    "intended",
    "intention",
    "hope",
    "hopes",
    "hoped",
    "hoping",
    "want",
    "wants",
    "wanted",
    "wanting",
    "expected",
    "expect",
    "expects",
    "fear",
    "fears",
    "feared",
    "fearing",
    "likely",
    "preparing",
    "prepare",
    "prepares",
    "ready",
    "whose",
    "unless",
    "urged",
    "urging",
    "told",
    "asked",
    "ordered",
    "calling",
    "called",
    "warned",
    "warning",
    "allowed",
    "order",
    "help",
    "helped",
    "prevent",
    "prevented",
    "avoid",
    "board",
    "should",
    "must",
    "ought",
    "able",
    "can",
    "wait",
    "waiting",
];

/// Words before a trigger that make it a failed or attempted action: fighting, not a change of hands.
pub const ATTEMPT: &[&str] = &[
    "failed",
    "fail",
    "fails",
    "failing",
    "tried",
    "try",
    "tries",
    "trying",
    "attempt",
    "attempted",
    "attempts",
    "attempting",
    "bid",
    "sought",
    "seeking",
    "struggled",
    "struggling",
    "effort",
    "efforts",
    "push",
    "unable",
];

/// Words that negate the trigger.
pub const NEGATION: &[&str] = &[
    "not", "never", "no", "didn't", "hasn't", "haven't", "wasn't", "weren't", "isn't", "hadn't", "doesn't", "don't",
    "cannot", "couldn't", "nor", "neither", "without",
];

/// Words that report a denial of the trigger.
pub const DENIAL: &[&str] =
    &["denied", "denies", "deny", "denying", "dismissed", "rejected", "refuted", "false", "rumours", "rumors"];

/// Office holders: their flight is news, not the displacement of civilians.
pub const TITLES: &[&str] = &[
    "president",
    "vice",
    "governor",
    "minister",
    "general",
    "marshal",
    "commander",
    "mayor",
    "chief",
    "ambassador",
    "spokesman",
    "official",
    "officials",
    "mp",
    "lawmaker",
];

/// Who did it: (phrase, actor). Longest phrases first.
pub const ACTORS: &[(&[&str], super::Actor)] = {
    use super::Actor::*;
    &[
        (&["national", "resistance", "front"], Resistance),
        (&["islamic", "emirate"], Taliban),
        (&["government", "forces"], Government),
        (&["afghan", "forces"], Government),
        (&["security", "forces"], Government),
        (&["special", "forces"], Government),
        (&["national", "army"], Government),
        (&["pro-government"], Government),
        (&["anti-taliban"], Resistance),
        (&["taliban"], Taliban),
        (&["insurgents"], Taliban),
        (&["insurgent"], Taliban),
        (&["militants"], Taliban),
        (&["rebels"], Taliban),
        (&["mujahideen"], Taliban),
        (&["nsag"], Taliban),
        (&["resistance"], Resistance),
        (&["nrf"], Resistance),
        (&["uprising"], Resistance),
        (&["massoud"], Resistance),
        (&["saleh"], Resistance),
        (&["dostum"], Government),
        (&["government"], Government),
        (&["army"], Government),
        (&["troops"], Government),
        (&["soldiers"], Government),
        (&["commandos"], Government),
        (&["police"], Government),
        (&["andsf"], Government),
        (&["ansf"], Government),
        (&["military"], Government),
        (&["militia"], Government),
        (&["militias"], Government),
        (&["militiamen"], Government),
    ]
};

/// Phrases standing for the place named just before: "the city", "the provincial capital".
pub const ANAPHORS: &[(&[&str], Anaphor)] = &[
    (&["the", "provincial", "capital"], Anaphor::City),
    (&["the", "provincial", "centre"], Anaphor::City),
    (&["the", "provincial", "center"], Anaphor::City),
    (&["the", "district", "centre"], Anaphor::District),
    (&["the", "district", "center"], Anaphor::District),
    (&["the", "city", "centre"], Anaphor::City),
    (&["the", "city", "center"], Anaphor::City),
    (&["the", "city"], Anaphor::City),
    (&["the", "afghan", "capital"], Anaphor::NationalCapital),
    (&["the", "capital"], Anaphor::NationalCapital),
    (&["the", "port"], Anaphor::Crossing),
    (&["the", "town"], Anaphor::City),
    (&["the", "district"], Anaphor::District),
    (&["the", "province"], Anaphor::Province),
    (&["the", "border", "crossing"], Anaphor::Crossing),
    (&["the", "crossing"], Anaphor::Crossing),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anaphor {
    City,
    /// "the capital": Kabul.
    NationalCapital,
    District,
    Province,
    Crossing,
}

/// Prepositions that govern a place.
pub const PREPOSITIONS: &[&str] = &[
    "in", "at", "near", "around", "outside", "inside", "from", "to", "towards", "toward", "into", "for", "on",
    "across", "through", "between", "of", "by", "via", "within", "beyond", "along", "with", "without",
];

/// Words between a preposition and its place: "in central Kabul", "from the restive".
pub const MODIFIERS: &[&str] = &[
    "the",
    "a",
    "an",
    "central",
    "northern",
    "southern",
    "eastern",
    "western",
    "north",
    "south",
    "east",
    "west",
    "north-eastern",
    "north-western",
    "south-eastern",
    "south-western",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "neighbouring",
    "neighboring",
    "nearby",
    "restive",
    "besieged",
    "provincial",
    "rural",
    "its",
    "their",
    "his",
    "her",
    "downtown",
    "volatile",
    "strategic",
    "key",
    "remote",
    "mountainous",
];

/// "X of": nouns whose "of" leads on to the place ("the outskirts of Herat", "the
/// provinces of Takhar").
pub const CONTAINERS: &[&str] = &[
    "provinces",
    "province",
    "districts",
    "district",
    "city",
    "town",
    "outskirts",
    "edge",
    "edges",
    "gates",
    "parts",
    "part",
    "villages",
    "areas",
    "area",
    "suburbs",
    "heart",
];

/// Who flees: a displacement needs civilians (or a count of people), not troops.
pub const CIVILIANS: &[&str] = &[
    "families",
    "family",
    "households",
    "people",
    "civilians",
    "residents",
    "displaced",
    "idps",
    "refugees",
    "evacuees",
    "evacuee",
    "children",
    "women",
    "villagers",
    "afghans",
    "thousands",
    "hundreds",
    "dozens",
    "returnees",
    "passengers",
    "inhabitants",
    "population",
];

/// Words of a flight's object that keep "in X" the place left: "fled their villages in Panjshir".
pub const HOME_WORDS: &[&str] = &[
    "their",
    "his",
    "her",
    "our",
    "my",
    "homes",
    "home",
    "villages",
    "village",
    "houses",
    "house",
    "district",
    "areas",
    "area",
    "the",
    "fighting",
    "violence",
    "clashes",
    "insecurity",
];

/// Speech verbs: a place just before one is where a speaker is ("officials in Kabul said").
pub const SPEECH: &[&str] = &["said", "says", "say", "told", "reported", "added", "confirmed", "announced", "stated"];

/// The patterns by their first word, each list in `PATTERNS` order (earlier patterns win),
/// so a word that starts no pattern costs one hash lookup.
pub fn patterns_starting_with(word: &str) -> &'static [&'static Pattern] {
    static BY_FIRST_WORD: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, Vec<&'static Pattern>>> =
        std::sync::OnceLock::new();
    let index = BY_FIRST_WORD.get_or_init(|| {
        let mut index: rustc_hash::FxHashMap<&'static str, Vec<&'static Pattern>> = Default::default();
        for pattern in PATTERNS {
            index.entry(pattern.words[0]).or_default().push(pattern);
        }
        index
    });
    index.get(word).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_starts_with_a_word_so_the_first_word_index_finds_it() {
        for pattern in PATTERNS {
            assert!(pattern.words.first().is_some_and(|w| *w != "*"), "{:?}", pattern.words);
            assert!(patterns_starting_with(pattern.words[0])
                .iter()
                .any(|p| p.words == pattern.words && p.class == pattern.class));
        }
        assert!(patterns_starting_with("kabul").is_empty());
    }
}
