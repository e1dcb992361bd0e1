//! Geoparser behaviour on short sentences, against the bundled gazetteer.

use super::*;
use std::sync::OnceLock;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

/// (text, kind, province) of each mention; metonyms as kind "metonym".
fn places(body: &str) -> Vec<(String, String, String)> {
    let g = gazetteer();
    let parser = Geoparser::new(g);
    parser
        .parse(body)
        .mentions
        .iter()
        .map(|m| {
            let e = g.entry(m.entry);
            let kind = if m.metonym { "metonym".to_owned() } else { e.kind.to_string() };
            (body[m.start..m.end].to_owned(), kind, e.admin1_code.clone().unwrap_or_default())
        })
        .collect()
}

fn p(text: &str, kind: &str, admin1: &str) -> (String, String, String) {
    (text.to_owned(), kind.to_owned(), admin1.to_owned())
}

#[test]
fn spelling_variants_and_multiword_names() {
    assert_eq!(
        places("Fighting reached Mazar-e Sharif, Pul-i-Khumri and Lashkargah."),
        [p("Mazar-e Sharif", "city", "AF-BAL"), p("Pul-i-Khumri", "city", "AF-BGL"), p("Lashkargah", "city", "AF-HEL")]
    );
    assert_eq!(places("They reached Spin Boldak."), [p("Spin Boldak", "town", "AF-KAN")]);
}

#[test]
fn typos_are_matched_fuzzily() {
    assert_eq!(places("Shelling hit Lashkar Gar overnight."), [p("Lashkar Gar", "city", "AF-HEL")]);
    assert_eq!(places("Families fled Zaranc."), [p("Zaranc", "city", "AF-NIM")]);
    assert_eq!(places("The road to Mehtalam was closed."), [p("Mehtalam", "city", "AF-LAG")]);
}

#[test]
fn demonyms_and_surnames_are_not_places() {
    assert!(places("Panjshiri fighters and Helmandi farmers met Mr Laghmani and Nasir Andarabi.").is_empty());
    assert!(places("They ate Kabuli pulao with Farahnaz.").is_empty());
}

#[test]
fn province_or_city_by_cue() {
    assert_eq!(places("Fighting in Kunduz province."), [p("Kunduz", "province", "AF-KDZ")]);
    assert_eq!(places("Fighting in the province of Kunduz."), [p("Kunduz", "province", "AF-KDZ")]);
    assert_eq!(places("Fighting in the city of Kunduz."), [p("Kunduz", "city", "AF-KDZ")]);
    assert_eq!(
        places("Kunduz, a city in northern Afghanistan, fell."),
        [p("Kunduz", "city", "AF-KDZ"), p("northern Afghanistan", "region", "")]
    );
    assert_eq!(places("Fighting in Kunduz."), [p("Kunduz", "city", "AF-KDZ")]);
    assert_eq!(
        places("In Kandahar and Helmand, the southern Pashto-speaking provinces, forces are fighting."),
        [p("Kandahar", "province", "AF-KAN"), p("Helmand", "province", "AF-HEL")]
    );
}

#[test]
fn a_misnamed_place_resolves_to_what_exists() {
    assert_eq!(places("Rahima, who fled Sheberghan province, is in a park."), [p("Sheberghan", "city", "AF-JOW")]);
}

#[test]
fn people_and_governments_are_not_mapped() {
    assert!(places("Farah Ahmadi, a nurse, stayed.").is_empty());
    assert!(places("\"We left,\" said Farah, 29.").is_empty());
    assert_eq!(places("Kabul said on Monday it would fight."), [p("Kabul", "metonym", "AF-KAB")]);
    assert_eq!(places("Washington urged restraint."), [p("Washington", "metonym", "")]);
    assert_eq!(places("Kabul has fallen."), [p("Kabul", "city", "AF-KAB")]);
    assert!(places("Brief News from Washington Newsday.").is_empty());
    assert!(places("She studied at Kabul University.").is_empty());
    assert!(places("Woodrow Wilson and John Kirby spoke.").is_empty());
}

#[test]
fn hyphenated_adjectives_and_possessives_name_the_place() {
    assert_eq!(places("A Kabul-based analyst."), [p("Kabul", "city", "AF-KAB")]);
    assert_eq!(places("At Kabul's airport."), [p("Kabul", "city", "AF-KAB")]);
}

#[test]
fn foreign_places_and_countries_are_recognised() {
    assert_eq!(
        places("Officials from Pakistan, China and Iran met in Doha."),
        [
            p("Pakistan", "country", ""),
            p("China", "country", ""),
            p("Iran", "country", ""),
            p("Doha", "foreign_place", "")
        ]
    );
    assert!(places("Let us go.").is_empty());
}

#[test]
fn offsets_slice_the_body() {
    let body = "\r\nThe Taliban took Kunduz.\r\nMazār-e Sharīf held; Kabul's airport too.";
    let parsed = Geoparser::new(gazetteer()).parse(body);
    assert_eq!(parsed.mentions.len(), 3);
    for m in &parsed.mentions {
        assert!(body.is_char_boundary(m.start) && body.is_char_boundary(m.end));
    }
    assert_eq!(&body[parsed.mentions[1].start..parsed.mentions[1].end], "Mazār-e Sharīf");
}

/// The three-letter table and the walk answer as folding the word and looking it up would.
#[test]
fn lowercase_first_tokens_as_folded_lookup() {
    let g = gazetteer();
    let parser = Geoparser::new(g);
    let firsts: FxHashSet<&str> = g.index.first_token_keys(true).collect();
    let words = include_str!("../../gazetteer/english_words.txt")
        .lines()
        .chain(include_str!("../../gazetteer/places.tsv").split(|c: char| !crate::gazetteer::is_word_char(c)))
        .chain(["the", "they", "north", "in", "a", "ah", "gh", "oow", "eeast", "weest", "x'y", "é", "ab'c", "1st"]);
    let mut folder = Folder::default();
    for word in words.filter(|w| w.chars().next().is_some_and(|c| c.is_alphanumeric())) {
        let word = word.to_lowercase();
        let expected = firsts.contains(crate::gazetteer::fold_key(&word).as_str());
        assert_eq!(parser.lowercase_first(&word, &mut folder).is_some(), expected, "{word:?}");
    }
}

/// A first token's next letters turn a following word away only when no indexed key
/// begins with the two.
#[test]
fn next_letters_turn_away_only_dead_ends() {
    let parser = Geoparser::new(gazetteer());
    let words =
        ["Taliban", "east", "north", "Sharif", "i", "e", "Gah", "ghar", "Owl", "Qala", "yak", "Kot", "ab", "1st"];
    let firsts = parser.first_tokens.iter().chain(&parser.lowercase_first_tokens);
    let mut folder = Folder::default();
    let mut turned_away = 0;
    for ((key, first), word) in firsts.flat_map(|f| words.iter().map(move |w| (f, w))) {
        if !first.may_go_on(key, word) {
            folder.clear();
            folder.push_key(key);
            folder.push_token(word);
            assert!(
                keys_beginning(&parser.sorted_keys, folder.as_str(), first.keys.clone()).is_empty(),
                "{key} {word}"
            );
            turned_away += 1;
        }
    }
    assert!(turned_away > 0);
}
