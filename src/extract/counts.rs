//! How many people moved: "17,000 families", "10,350 people", "hundreds of families",
//! "tens of thousands of civilians".
//!
//! Vague quantities take ACLED's convention (dozens = 12, hundreds = 100, thousands =
//! 1000, tens of thousands = 10000) and are flagged vague.

use serde::{Deserialize, Serialize};

/// What a count counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountUnit {
    People,
    Families,
    Households,
}

impl CountUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            CountUnit::People => "people",
            CountUnit::Families => "families",
            CountUnit::Households => "households",
        }
    }

    pub fn parse(s: &str) -> Option<CountUnit> {
        match s.trim().to_ascii_lowercase().as_str() {
            "people" | "persons" | "individuals" => Some(CountUnit::People),
            "families" => Some(CountUnit::Families),
            "households" => Some(CountUnit::Households),
            _ => None,
        }
    }
}

/// A count found in a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub value: u64,
    pub unit: CountUnit,
    pub vague: bool,
    /// Token where the count starts.
    pub token: usize,
}

impl Count {
    /// Persons: families and households times `family_size`.
    pub fn people(&self, family_size: f64) -> u64 {
        match self.unit {
            CountUnit::People => self.value,
            CountUnit::Families | CountUnit::Households => (self.value as f64 * family_size).round() as u64,
        }
    }
}

/// Persons per family or household: 7, as OCHA's Afghanistan figures use.
pub const DEFAULT_FAMILY_SIZE: f64 = 7.0;

fn unit_of(word: &str) -> Option<CountUnit> {
    Some(match word {
        "families" | "family" => CountUnit::Families,
        "households" | "household" => CountUnit::Households,
        "people" | "persons" | "individuals" | "civilians" | "residents" | "children" | "women" | "men" | "idps"
        | "afghans" | "villagers" | "displaced" | "returnees" | "refugees" | "others" | "evacuees" => CountUnit::People,
        _ => return None,
    })
}

const VAGUE: &[(&[&str], u64)] = &[
    (&["hundreds", "of", "thousands"], 100_000),
    (&["tens", "of", "thousands"], 10_000),
    (&["several", "thousand"], 1000),
    (&["thousands"], 1000),
    (&["several", "hundred"], 100),
    (&["hundreds"], 100),
    (&["scores"], 20),
    (&["dozens"], 12),
    (&["a", "dozen"], 12),
];

const NUMBER_WORDS: &[(&str, u64)] = &[
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("twelve", 12),
    ("fifteen", 15),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("hundred", 100),
];

/// A written number at `i` ("17,000", "1.2 million", "two thousand") and how many
/// tokens it takes.
fn number_at(words: &[&str], i: usize) -> Option<(u64, usize)> {
    let w = words.get(i)?;
    let scale = |next: Option<&&str>| match next.copied() {
        Some("million") => Some(1_000_000.0),
        Some("thousand") => Some(1000.0),
        Some("hundred") => Some(100.0),
        _ => None,
    };
    if w.bytes().next()?.is_ascii_digit() {
        let cleaned: String = w.chars().filter(|c| *c != ',').collect();
        let value: f64 = cleaned.parse().ok()?;
        if let Some(factor) = scale(words.get(i + 1)) {
            return Some(((value * factor).round() as u64, 2));
        }
        return Some((value.round() as u64, 1));
    }
    let (_, value) = NUMBER_WORDS.iter().find(|(name, _)| *name == *w)?;
    if let Some(factor) = scale(words.get(i + 1)) {
        return Some(((*value as f64 * factor) as u64, 2));
    }
    Some((*value, 1))
}

/// Counts of people, families or households in a sentence (lower-case tokens).
pub fn find(words: &[&str]) -> Vec<Count> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // Skip "about", "some", "an estimated", "more than", "nearly".
        if let Some((pattern, value)) = VAGUE.iter().find(|(p, _)| words[i..].starts_with_words(p)) {
            let mut j = i + pattern.len();
            if words.get(j).copied() == Some("of") {
                j += 1;
            }
            // "hundreds of families", "thousands of displaced people": a unit within two words.
            if let Some(unit) = (j..(j + 3).min(words.len())).find_map(|k| unit_of(words[k])) {
                found.push(Count { value: *value, unit, vague: true, token: i });
                i = j;
                continue;
            }
        }
        if let Some((value, len)) = number_at(words, i) {
            let is_year = len == 1 && (1900..2100).contains(&value) && !words[i].contains(',');
            let j = i + len;
            if !is_year {
                if let Some(unit) = (j..(j + 3).min(words.len())).find_map(|k| unit_of(words[k])) {
                    found.push(Count { value, unit, vague: false, token: i });
                    i = j;
                    continue;
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    found
}

trait StartsWithWords {
    fn starts_with_words(&self, pattern: &[&str]) -> bool;
}

impl StartsWithWords for [&str] {
    fn starts_with_words(&self, pattern: &[&str]) -> bool {
        self.len() >= pattern.len() && self.iter().zip(pattern).all(|(a, b)| a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(s: &str) -> Vec<(u64, CountUnit, bool)> {
        let words: Vec<String> = s
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| c == '.' || c == ',' && !w.contains(",0")).to_lowercase())
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        find(&words).into_iter().map(|c| (c.value, c.unit, c.vague)).collect()
    }

    #[test]
    fn exact_counts() {
        assert_eq!(counts("some 17,000 families fled"), [(17_000, CountUnit::Families, false)]);
        assert_eq!(counts("10,350 people were displaced"), [(10_350, CountUnit::People, false)]);
        assert_eq!(counts("1.2 million people"), [(1_200_000, CountUnit::People, false)]);
        assert_eq!(counts("about 480 households"), [(480, CountUnit::Households, false)]);
        assert_eq!(counts("two thousand families"), [(2000, CountUnit::Families, false)]);
    }

    #[test]
    fn vague_counts_take_acled_values() {
        assert_eq!(counts("hundreds of families"), [(100, CountUnit::Families, true)]);
        assert_eq!(counts("tens of thousands of civilians"), [(10_000, CountUnit::People, true)]);
        assert_eq!(counts("dozens of households"), [(12, CountUnit::Households, true)]);
        assert_eq!(counts("thousands of displaced people"), [(1000, CountUnit::People, true)]);
    }

    #[test]
    fn years_and_other_numbers_are_not_counts() {
        assert!(counts("in 2021 the war").is_empty());
        assert!(counts("34 provincial capitals").is_empty());
    }

    #[test]
    fn families_become_people() {
        let c = Count { value: 17_000, unit: CountUnit::Families, vague: false, token: 0 };
        assert_eq!(c.people(DEFAULT_FAMILY_SIZE), 119_000);
    }
}
