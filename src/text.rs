//! Words and sentences of an article body, as byte ranges into the body.
//!
//! Shared by the geoparser (names are runs of tokens) and the event extractor
//! (events are read sentence by sentence).

use crate::gazetteer::{is_inner_mark, is_word_char};
use std::ops::Range;

/// How a token is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// First letter upper case, not all capitals: "Kabul".
    Capitalized,
    /// Two or more letters, all capitals: "KABUL", "US".
    AllCaps,
    /// First letter lower case: "province".
    Lower,
    /// Starts with a digit: "17,000", "2021".
    Digit,
    /// A script without case (Arabic, Dari, Pashto).
    Uncased,
}

/// What separates a token from the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// Spaces or tabs only.
    Space,
    /// A hyphen or dash with no space around it: "Mazar-i-Sharif", "Kabul-based".
    Hyphen,
    /// A comma (and spaces).
    Comma,
    /// The end of a sentence.
    SentenceEnd,
    /// A single line break (wrapped text).
    LineBreak,
    /// Anything else: quotes, brackets, colons, a spaced dash.
    Other,
}

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
    /// Followed by 's or ’s, which is not part of the token.
    pub possessive: bool,
    /// Separator to the next token.
    pub gap: Gap,
    /// First token of its sentence.
    pub sentence_start: bool,
}

impl Token {
    pub fn text<'a>(&self, body: &'a str) -> &'a str {
        &body[self.start..self.end]
    }

    pub fn is_capitalized(&self) -> bool {
        matches!(self.shape, Shape::Capitalized | Shape::AllCaps | Shape::Uncased)
    }
}

/// Tokens and sentences of a body.
pub struct Tokens {
    pub tokens: Vec<Token>,
    /// Token index ranges, one per sentence.
    pub sentences: Vec<Range<usize>>,
}

impl Tokens {
    /// Byte range of a sentence in the body.
    pub fn sentence_bytes(&self, sentence: usize) -> Range<usize> {
        let range = &self.sentences[sentence];
        self.tokens[range.start].start..self.tokens[range.end - 1].end
    }

    /// The sentence a token belongs to.
    pub fn sentence_of(&self, token: usize) -> usize {
        self.sentences.partition_point(|r| r.end <= token)
    }
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sgt", "capt", "maj", "st", "mt", "no", "gov", "sen", "rep", "prof",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "vs", "etc",
    "inc", "ltd", "co", "jr", "sr", "al",
];

pub fn tokenize(body: &str) -> Tokens {
    let bytes = body.as_bytes();
    let mut tokens: Vec<Token> = Vec::with_capacity(body.len() / 6);
    let mut i = 0;
    while i < bytes.len() {
        // Skip to the start of a word: in ASCII a letter or digit (an apostrophe is an
        // inner mark, which starts no word), without decoding a char.
        if bytes[i] < 0x80 {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
        } else {
            let (c, width) = char_at(body, i);
            if !is_word_char(c) || is_inner_mark(c) {
                i += width;
                continue;
            }
        }
        let start = i;
        let mut end = i;
        let mut ascii = true;
        loop {
            // ASCII letters and digits, most of every word, without decoding a char.
            end += ascii_alphanumeric_run(&bytes[end..]);
            if end == bytes.len() {
                break;
            }
            let (c, w) = char_at(body, end);
            ascii &= c.is_ascii();
            if !is_word_char(c) {
                // "17,000" and "1.2" are one number.
                let digits_around = matches!(c, ',' | '.')
                    && bytes[start].is_ascii_digit()
                    && bytes.get(end + 1).map(u8::is_ascii_digit).unwrap_or(false);
                if !digits_around {
                    break;
                }
            }
            end += w;
        }
        i = end;
        // Trailing apostrophes and quote marks are not part of the word (none after an
        // ASCII letter or digit, the usual last byte).
        let mut word_end = end;
        while word_end > start && !bytes[word_end - 1].is_ascii_alphanumeric() {
            let (c, w) = char_before(body, word_end);
            if is_inner_mark(c) {
                word_end -= w;
            } else {
                break;
            }
        }
        let mut possessive = false;
        let text = &body[start..word_end];
        let ends_in_s = matches!(bytes[word_end - 1], b's' | b'S');
        for suffix in ["'s", "’s", "'S", "’S"].into_iter().filter(|_| ends_in_s) {
            if text.len() > suffix.len() + 1 && text.ends_with(suffix) {
                word_end -= suffix.len();
                possessive = true;
                break;
            }
        }
        tokens.push(Token {
            start,
            end: word_end,
            shape: if ascii { shape_ascii(&bytes[start..word_end]) } else { shape(&body[start..word_end]) },
            possessive,
            gap: Gap::Other,
            sentence_start: false,
        });
    }
    // Gaps and sentences.
    let mut sentences = Vec::new();
    let mut sentence_begin = 0;
    for t in 0..tokens.len() {
        let gap_text = match tokens.get(t + 1) {
            Some(next) => &body[tokens[t].end..next.start],
            None => "",
        };
        let gap = classify_gap(gap_text, &tokens, t, body);
        tokens[t].gap = gap;
        if gap == Gap::SentenceEnd || t + 1 == tokens.len() {
            sentences.push(sentence_begin..t + 1);
            sentence_begin = t + 1;
        }
    }
    for range in &sentences {
        tokens[range.start].sentence_start = true;
    }
    Tokens { tokens, sentences }
}

fn classify_gap(gap: &str, tokens: &[Token], t: usize, body: &str) -> Gap {
    if gap.is_empty() {
        return Gap::Other;
    }
    // The usual gaps, answered before the tests below read them (a possessive's gap
    // begins with its 's).
    match gap {
        " " => return Gap::Space,
        ", " | "," if !tokens[t].possessive => return Gap::Comma,
        "-" if !tokens[t].possessive => return Gap::Hyphen,
        _ => {}
    }
    let newlines = gap.bytes().filter(|b| *b == b'\n').count();
    if newlines >= 2 {
        return Gap::SentenceEnd;
    }
    // The gap of a possessive starts with its 's.
    let gap_trimmed = if tokens[t].possessive {
        gap.trim_start_matches(['\'', '’']).strip_prefix(['s', 'S']).unwrap_or(gap)
    } else {
        gap
    };
    if gap_trimmed.chars().all(|c| c == ' ' || c == '\t' || c == '\u{a0}') {
        return Gap::Space;
    }
    if newlines == 1 && gap_trimmed.chars().all(char::is_whitespace) {
        // A heading or a dateline on its own line ("KANDAHAR", "SITUATION OVERVIEW")
        // ends there; a line of wrapped prose does not.
        let line_start = body[..tokens[t].end].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = body[line_start..tokens[t].end].trim();
        if tokens[t].shape == Shape::AllCaps || line.len() < 40 {
            return Gap::SentenceEnd;
        }
        return Gap::LineBreak;
    }
    if matches!(gap_trimmed, "-" | "–" | "‑") {
        return Gap::Hyphen;
    }
    if gap_trimmed.contains(['.', '!', '?']) && ends_sentence(gap_trimmed, tokens, t, body) {
        return Gap::SentenceEnd;
    }
    if gap_trimmed.trim() == "," {
        return Gap::Comma;
    }
    if newlines == 1 {
        // A line ending in a colon or a dash (a dateline, a heading) still breaks the flow.
        return Gap::SentenceEnd;
    }
    Gap::Other
}

fn ends_sentence(gap: &str, tokens: &[Token], t: usize, body: &str) -> bool {
    let Some(next) = tokens.get(t + 1) else { return true };
    let word = tokens[t].text(body);
    let dot_first = gap.trim_start().starts_with('.');
    if dot_first {
        // "Mr.", "Aug.", initials such as "U.S." or "A. Rahim".
        if ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
            || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
        {
            return false;
        }
        // A decimal point: "1.5".
        if gap.trim() == "." && tokens[t].shape == Shape::Digit && next.shape == Shape::Digit {
            return false;
        }
    }
    // "... said Ali. then" is not a sentence end; a lower-case next word rarely starts one.
    next.shape != Shape::Lower || gap.contains(['!', '?'])
}

fn shape(word: &str) -> Shape {
    if word.is_ascii() {
        return shape_ascii(word.as_bytes());
    }
    let mut letters = word.chars().filter(|c| c.is_alphanumeric());
    let Some(first) = letters.next() else { return Shape::Lower };
    if first.is_ascii_digit() || first.is_numeric() {
        Shape::Digit
    } else if first.is_uppercase() {
        let mut rest = word.chars().filter(|c| c.is_alphabetic()).skip(1).peekable();
        if rest.peek().is_some() && rest.all(|c| !c.is_lowercase()) {
            Shape::AllCaps
        } else {
            Shape::Capitalized
        }
    } else if first.is_lowercase() {
        Shape::Lower
    } else {
        Shape::Uncased
    }
}

/// [`shape`] of an ASCII word: the same tests on bytes, without decoding chars.
fn shape_ascii(bytes: &[u8]) -> Shape {
    let Some(at) = bytes.iter().position(u8::is_ascii_alphanumeric) else { return Shape::Lower };
    if bytes[at].is_ascii_digit() {
        Shape::Digit
    } else if bytes[at].is_ascii_uppercase() {
        let mut rest = bytes[at + 1..].iter().filter(|b| b.is_ascii_alphabetic()).peekable();
        if rest.peek().is_some() && rest.all(|b| !b.is_ascii_lowercase()) {
            Shape::AllCaps
        } else {
            Shape::Capitalized
        }
    } else {
        Shape::Lower
    }
}

/// Length of the run of ASCII letters and digits `bytes` begins with, read eight bytes
/// at a time: a word ends within the first eight, and one test of them costs less than
/// a branch per letter that is mispredicted at the word's end.
#[inline]
fn ascii_alphanumeric_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // The high bit of each byte b (below 0x80) set when lo <= b <= hi: no byte's sum carries.
    let within = |x: u64, lo: u8, hi: u8| (x + ONES * u64::from(0x80 - lo)) & !(x + ONES * u64::from(0x7f - hi)) & HIGH;
    let mut n = 0;
    while let Some(chunk) = bytes.get(n..n + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let low = x & !HIGH;
        let alphanumeric = (within(low | (ONES * 0x20), b'a', b'z') | within(low, b'0', b'9')) & !x;
        let others = !alphanumeric & HIGH;
        if others != 0 {
            return n + others.trailing_zeros() as usize / 8;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|b| b.is_ascii_alphanumeric()).count()
}

#[inline]
fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = s[i..].chars().next().expect("index on a char boundary");
    (c, c.len_utf8())
}

#[inline]
fn char_before(s: &str, i: usize) -> (char, usize) {
    let c = s[..i].chars().next_back().expect("non-empty");
    (c, c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(body: &str) -> Vec<&str> {
        tokenize(body).tokens.iter().map(|t| t.text(body)).collect()
    }

    #[test]
    fn words_hyphens_and_possessives() {
        let body = "Kabul's airport and Mazar-i-Sharif, Pul-e ‘Alam.";
        assert_eq!(words(body), ["Kabul", "airport", "and", "Mazar", "i", "Sharif", "Pul", "e", "Alam"]);
        let t = tokenize(body);
        assert!(t.tokens[0].possessive);
        assert_eq!(t.tokens[0].gap, Gap::Space);
        assert_eq!(t.tokens[3].gap, Gap::Hyphen);
        assert_eq!(t.tokens[5].gap, Gap::Comma);
    }

    #[test]
    fn sentences_skip_abbreviations_and_initials() {
        let body = "Gen. Sami Sadat said the U.S. left. The Taliban took Kunduz.\n\nNext paragraph";
        let t = tokenize(body);
        let sentences: Vec<&str> = (0..t.sentences.len()).map(|s| &body[t.sentence_bytes(s)]).collect();
        assert_eq!(sentences, ["Gen. Sami Sadat said the U.S. left", "The Taliban took Kunduz", "Next paragraph"]);
        assert!(t.tokens[0].sentence_start);
        assert_eq!(t.sentence_of(9), 1);
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("KABUL"), Shape::AllCaps);
        assert_eq!(shape("Kabul"), Shape::Capitalized);
        assert_eq!(shape("US"), Shape::AllCaps);
        assert_eq!(shape("17,000"), Shape::Digit);
        assert_eq!(shape("کابل"), Shape::Uncased);
    }

    #[test]
    fn alphanumeric_runs() {
        for text in ["", "a", "Kabul's", "abcdefgh", "abcdefghijklmnopq r", "2021-08-15", "Mazār", "az@[`{/:AZ09"] {
            for start in 0..text.len() {
                let bytes = &text.as_bytes()[start..];
                let expected = bytes.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                assert_eq!(ascii_alphanumeric_run(bytes), expected, "{text:?} from {start}");
            }
        }
        for b in 0..=255u8 {
            let bytes = [b'a', b'b', b'c', b, b'x', 0xff, b'y', b'z', b'9'];
            let expected = if b.is_ascii_alphanumeric() { 5 } else { 3 };
            assert_eq!(ascii_alphanumeric_run(&bytes), expected, "{b:#x}");
        }
    }

    #[test]
    fn arbitrary_bytes_do_not_panic() {
        for body in ["", "'", "’s", "a'", "\u{FFFD}\u{200C}x", "-- -", "x.\n\n.", "'s's's"] {
            let t = tokenize(body);
            for token in &t.tokens {
                let _ = token.text(body);
            }
        }
    }
}
