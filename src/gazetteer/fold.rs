//! Name folding: the key under which spellings of one place meet.
//!
//! Reporters and translators write the same name many ways ("Mazar-i-Sharif",
//! "Mazar-e Sharif", "Mazār-e Sharīf"; "Sheberghan", "Shibirghan"; "Khost",
//! "Khowst"). A name is cut into tokens (letters and digits; apostrophes and ayn
//! marks inside a word are dropped) and the tokens are folded as one stream:
//!
//! - case and diacritics are dropped (ā → a, ṟ → r, ẕ → z);
//! - transliteration pairs meet: q → k, e → i, y → i, o → u, w → v, gh → g,
//!   ow → u ("Khowst"), ou/oo → u, ee → i;
//! - a final h after a vowel is dropped at the end of each token ("Lashkar Gah",
//!   "Maymanah");
//! - repeated letters collapse, across token boundaries too ("Qalay-i-Naw").
//!
//! The `-i-`/`-e-`/`-ye-` connectors are kept and fold to `i`, so "Sar-e Pul",
//! "Sari Pul" and "Saripul" all fold to `saripul`.
//!
//! Arabic-script names (Dari, Pashto) fold by dropping harakat and unifying the
//! letter variants that differ between Arabic and Persian keyboards.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Splits a name into its tokens, the way the geoparser splits text.
pub fn tokens(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !is_word_char(c))
        .map(|t| t.chars().filter(|c| !is_inner_mark(*c)).collect::<String>())
        .filter(|t| !t.is_empty())
}

/// The pieces of a name that [`tokens`] makes its tokens of, as written: inner marks
/// are kept, which [`Folder::push_token`] drops as it folds, so no String is made per
/// token. A piece of marks alone is no token.
pub fn raw_tokens(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !is_word_char(c)).filter(|t| t.chars().any(|c| !is_inner_mark(c)))
}

/// The `-i-`, `-e-`, `-ye-` connector words inside a name.
pub fn is_connector(token: &str) -> bool {
    ["i", "e", "ye", "y", "yi"].iter().any(|c| token.eq_ignore_ascii_case(c))
}

/// [`is_connector`] of the token a raw piece ([`raw_tokens`]) makes.
pub fn is_connector_raw(piece: &str) -> bool {
    if piece.contains(is_inner_mark) {
        is_connector(&piece.chars().filter(|c| !is_inner_mark(*c)).collect::<String>())
    } else {
        is_connector(piece)
    }
}

/// The folded key without the connectors inside the name: "Nad-e Ali" and "Nad Ali",
/// "Pul-e Khumri" and "Pul Khumri" meet here.
pub fn bare_key(name: &str) -> String {
    let tokens: Vec<&str> = raw_tokens(name).collect();
    let mut folder = Folder::default();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 && i + 1 < tokens.len() && is_connector_raw(token) {
            continue;
        }
        folder.push_token(token);
    }
    folder.finish()
}

/// The folded key of a whole name.
pub fn key(name: &str) -> String {
    let mut folder = Folder::default();
    for token in raw_tokens(name) {
        folder.push_token(token);
    }
    folder.finish()
}

/// Letters and digits, plus the marks that may sit inside a transliterated word.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        // Most text is ASCII: skip the Unicode tables for it.
        return c.is_ascii_alphanumeric() || c == '\'' || c == '`';
    }
    c.is_alphanumeric() || is_inner_mark(c)
}

/// Apostrophes and ayn/hamza signs inside words ("Qal`a", "Pul-e ‘Alam", "Nād ‘Alī").
#[inline]
pub fn is_inner_mark(c: char) -> bool {
    matches!(c, '\'' | '‘' | '’' | 'ʼ' | 'ʻ' | '`' | 'ʿ' | 'ʾ' | '\u{200C}' | 'ـ')
}

/// Builds a folded key token by token, so that a span of text tokens and a gazetteer
/// name fold identically.
///
/// A key only ever grows: after each `push_token`, the key before it is a prefix of the
/// key after it, so a caller can keep the keys of a growing span as byte lengths.
#[derive(Default, Clone)]
pub struct Folder {
    key: String,
    /// A token's letters, lower-cased, before folding (non-ASCII tokens).
    scratch: Vec<char>,
    /// The letters of an ASCII token with marks inside ("Qal'a").
    ascii_scratch: Vec<u8>,
}

impl Folder {
    pub fn clear(&mut self) {
        self.key.clear();
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// Length of the key in bytes.
    pub fn len(&self) -> usize {
        self.key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    pub fn finish(self) -> String {
        self.key
    }

    /// Appends an already folded key (another folder's), as if its tokens were pushed.
    pub fn push_key(&mut self, folded: &str) {
        self.key.push_str(folded);
    }

    /// Appends one token's fold.
    pub fn push_token(&mut self, token: &str) {
        // (Letters and digits only, the usual token, answered by one pass over it.)
        if token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            append_folded_ascii(&mut self.key, token.as_bytes());
            return;
        }
        if token.is_ascii() {
            // "Qal'a": the letters without the marks, so that pairs meet across them.
            self.ascii_scratch.clear();
            self.ascii_scratch.extend(token.bytes().filter(|b| b.is_ascii_alphanumeric()));
            append_folded_ascii(&mut self.key, &self.ascii_scratch);
            return;
        }
        self.scratch.clear();
        for c in token.chars() {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) && !is_inner_mark(d) {
                    for lower in d.to_lowercase() {
                        self.scratch.push(simple_letter(lower));
                    }
                }
            });
        }
        append_folded(&mut self.key, &self.scratch);
    }
}

/// [`append_folded`] for ASCII letters and digits of either case, the common case (the
/// geoparser folds every word of every article): bytes in, no Unicode lookups, and the
/// key's last letter kept at hand. The rules are the same and must stay so.
fn append_folded_ascii(key: &mut String, letters: &[u8]) {
    // The last byte of a non-ASCII char is never ASCII, so comparing bytes is comparing chars.
    let last = key.as_bytes().last().copied();
    fold_ascii(letters, last, |folded| {
        key.push(char::from(folded));
        true
    });
}

/// The folded key of a token of ASCII letters and digits, as [`Folder::push_token`] makes
/// it after an empty key, given letter by letter to `emit` until it returns false (a
/// caller looking the key up letter by letter stops at the first letter no key continues
/// with). False, and nothing given, for any other token: fold it with a [`Folder`].
pub fn walk_ascii(token: &str, emit: impl FnMut(u8) -> bool) -> bool {
    if !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    fold_ascii(token.as_bytes(), None, emit);
    true
}

/// The ASCII folding rules: each letter of the key the `letters` fold to after a key
/// ending in `last`, given to `emit` in turn, until it returns false.
#[inline]
fn fold_ascii(letters: &[u8], mut last: Option<u8>, mut emit: impl FnMut(u8) -> bool) {
    let n = letters.len();
    let mut i = 0;
    while i < n {
        let c = letters[i].to_ascii_lowercase();
        let next = letters.get(i + 1).map(u8::to_ascii_lowercase);
        if c == b'h' && next.is_none() && i > 0 && is_vowel(letters[i - 1].to_ascii_lowercase().into()) {
            break;
        }
        // A pair folds to what its first letter alone does, and takes the second along.
        let pair = matches!((c, next), (b'g', Some(b'h')) | (b'o', Some(b'w' | b'u' | b'o')) | (b'e', Some(b'e')));
        // (A table, not a match: read at every letter of every capitalised word.)
        let folded = ASCII_FOLDS[usize::from(c & 0x7f)];
        if last != Some(folded) {
            if !emit(folded) {
                return;
            }
            last = Some(folded);
        }
        i += 1 + usize::from(pair);
    }
}

/// What each ASCII byte folds to alone, lower-cased: q → k, e and y → i, o → u, w → v.
const ASCII_FOLDS: [u8; 128] = {
    let mut folds = [0; 128];
    let mut b = 0;
    while b < 128 {
        folds[b] = match (b as u8).to_ascii_lowercase() {
            b'q' => b'k',
            b'e' | b'y' => b'i',
            b'o' => b'u',
            b'w' => b'v',
            other => other,
        };
        b += 1;
    }
    folds
};

/// Folds one token's lower-case letters onto the end of `key`: transliteration pairs,
/// a final h after a vowel, repeated letters (also across the token boundary).
fn append_folded(key: &mut String, letters: &[char]) {
    let n = letters.len();
    let at = |i: usize| letters[i];
    // The key's last letter, kept at hand (`ends_with(char)` costs a memcmp call per letter).
    let mut last = key.chars().next_back();
    let mut i = 0;
    while i < n {
        let c = at(i);
        let next = (i + 1 < n).then(|| at(i + 1));
        let (folded, advance) = match (c, next) {
            ('g', Some('h')) => ('g', 2),
            ('o', Some('w')) | ('o', Some('u')) | ('o', Some('o')) => ('u', 2),
            ('e', Some('e')) => ('i', 2),
            ('h', None) if i > 0 && is_vowel(at(i - 1)) => {
                i += 1;
                continue;
            }
            ('q', _) => ('k', 1),
            ('e', _) | ('y', _) => ('i', 1),
            ('o', _) => ('u', 1),
            ('w', _) => ('v', 1),
            _ => (arabic_variant(c), 1),
        };
        if last != Some(folded) {
            key.push(folded);
            last = Some(folded);
        }
        i += advance;
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Latin letters that do not decompose to a base letter.
fn simple_letter(c: char) -> char {
    match c {
        'ı' => 'i',
        'ł' => 'l',
        'ø' => 'o',
        'đ' | 'ð' => 'd',
        'ŧ' => 't',
        'ħ' => 'h',
        _ => c,
    }
}

/// Arabic and Persian letter variants that keyboards mix.
fn arabic_variant(c: char) -> char {
    match c {
        'ي' | 'ى' | 'ې' | 'ۍ' | 'ئ' => 'ی',
        'ك' => 'ک',
        'ة' => 'ه',
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    fn same(names: &[&str]) {
        let first = key(names[0]);
        for name in names {
            assert_eq!(key(name), first, "{name:?} should fold like {:?}", names[0]);
        }
    }

    #[test]
    fn mazar_i_sharif_spellings_meet() {
        same(&["Mazar-i-Sharif", "Mazar-e Sharif", "Mazār-e Sharīf", "Mazari Sharif", "MAZAR-I-SHARIF"]);
    }

    #[test]
    fn transliteration_pairs_meet() {
        same(&["Sheberghan", "Shibirghan", "Shiberghan", "Shibirghān", "Shebergan"]);
        same(&["Kunduz", "Kondoz", "Qunduz", "Kondūz"]);
        same(&["Khost", "Khowst", "Khōst"]);
        same(&["Lashkar Gah", "Lashkargah", "Lashkar Gāh"]);
        same(&["Sar-e Pul", "Sari Pul", "Sar-i-Pul", "Saripul", "Sar-e-Pol"]);
        same(&["Bamyan", "Bamiyan", "Bāmyān"]);
        same(&["Daykundi", "Daikundi", "Dai Kundi"]);
        same(&["Paktia", "Paktya", "Paktiya"]);
        same(&["Tarinkot", "Tarin Kot", "Tarin Kowt"]);
        same(&["Maymana", "Maimana", "Maimanah"]);
        same(&["Qala i Naw", "Qala-e-Naw", "Qalay-i-Naw"]);
        same(&["Pul-e ‘Alam", "Pul-e Alam", "Pul-i-Alam"]);
    }

    #[test]
    fn connectors_drop_in_the_bare_key() {
        assert_eq!(super::bare_key("Nad-e Ali"), super::bare_key("Nad Ali"));
        assert_eq!(super::bare_key("Pul-i-Khumri"), key("Pul Khumri"));
        assert_ne!(key("Nad-e Ali"), key("Nad Ali"));
    }

    #[test]
    fn distinct_places_stay_apart() {
        assert_ne!(key("Paktia"), key("Paktika"));
        assert_ne!(key("Kunduz"), key("Kunar"));
        assert_ne!(key("Herat"), key("Hirat Kalay"));
    }

    /// The ASCII fast path folds exactly as the general one, after any key ending.
    #[test]
    fn ascii_path_folds_as_the_char_path() {
        let words = include_str!("../../gazetteer/english_words.txt")
            .lines()
            .chain(include_str!("../../gazetteer/places.tsv").split(|c: char| !c.is_ascii_alphanumeric() && c != '\''))
            .chain(["GHowst", "Qal'a", "hh", "ah", "Oo", "eee", "Kabuloo", "sah", "h", "x'h", "ya'h"]);
        for word in words.filter(|w| !w.is_empty() && w.is_ascii()) {
            for before in ["", "k", "a", "ā", "i"] {
                let mut fast = String::from(before);
                let letters: Vec<u8> = word.bytes().filter(u8::is_ascii_alphanumeric).collect();
                super::append_folded_ascii(&mut fast, &letters);
                let mut general = String::from(before);
                let letters: Vec<char> =
                    word.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
                super::append_folded(&mut general, &letters);
                assert_eq!(fast, general, "{before:?} + {word:?}");
            }
        }
    }

    #[test]
    fn arabic_script_variants_meet() {
        same(&["مزار شريف", "مزار شریف"]);
        same(&["كابل", "کابل"]);
    }
}
