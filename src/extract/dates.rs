//! When an event happened, from the words around it and the article's date.
//!
//! "on Tuesday" is the latest Tuesday on or before the article date; "yesterday" and
//! "overnight" the day before; "last week" seven days before; "on 6 August", "6 Aug",
//! "August 6" that day (in the year before, if it would fall after the article).
//! Precision follows ACLED: 1 the exact day, 2 within a few days, 3 only the month.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A date expression found in a sentence, with the token where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateMention {
    pub token: usize,
    pub date: NaiveDate,
    pub precision: u8,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(word: &str) -> Option<u32> {
    // Compared without lower-casing into a new String: this runs on every word twice.
    let w = word.trim_end_matches('.').as_bytes();
    // Most words are no month: a month's name or abbreviation has 3 to 9 letters and
    // begins with one of these, so the twelve comparisons below are skipped for the rest.
    let first = w.first().map(u8::to_ascii_lowercase);
    if !(3..=9).contains(&w.len()) || !matches!(first, Some(b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd')) {
        return None;
    }
    // The months differ in their first three letters: the one a word can be is found by
    // them, then the word is that month's name, its abbreviation ("Aug") or "Sept".
    let i = MONTHS.iter().position(|m| m.as_bytes()[..3].eq_ignore_ascii_case(&w[..3]))?;
    let name = MONTHS[i].as_bytes();
    let matches = w.len() == 3 || name.eq_ignore_ascii_case(w) || (i == 8 && w.eq_ignore_ascii_case(b"sept"));
    matches.then_some(i as u32 + 1)
}

/// "a", "two", "3": a small number of days or weeks.
fn amount(word: &str) -> Option<i64> {
    match word {
        "a" | "one" => Some(1),
        "two" => Some(2),
        "three" => Some(3),
        "four" => Some(4),
        "five" => Some(5),
        "six" => Some(6),
        _ => word.parse().ok().filter(|n| (1..=60).contains(n)),
    }
}

/// Latest `weekday` on or before `date`.
pub fn last_weekday(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + date.weekday().num_days_from_monday() as i64 - weekday.num_days_from_monday() as i64) % 7;
    date - Duration::days(back)
}

/// A day and month with no year: in the article's year, or the year before if that
/// would be after the article.
fn day_month(article: NaiveDate, day: u32, month: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(article.year(), month, day)?;
    if this_year <= article {
        Some(this_year)
    } else {
        NaiveDate::from_ymd_opt(article.year() - 1, month, day)
    }
}

/// Date expressions in `words` (lower-case tokens of one sentence), relative to `article`.
pub fn find(words: &[&str], article: NaiveDate) -> Vec<DateMention> {
    let mut found = Vec::new();
    let word = |i: usize| words.get(i).copied().unwrap_or("");
    let mut i = 0;
    while i < words.len() {
        let w = word(i);
        // Every expression below begins with a digit, a "+" (which number parsing takes),
        // or a word beginning with one of these letters: most words are passed at once.
        let first = w.as_bytes().first().map(u8::to_ascii_lowercase);
        if !matches!(
            first,
            Some(
                b'0'..=b'9'
                    | b'+'
                    | b'a'
                    | b'd'
                    | b'e'
                    | b'f'
                    | b'j'
                    | b'l'
                    | b'm'
                    | b'n'
                    | b'o'
                    | b'p'
                    | b's'
                    | b't'
                    | b'w'
                    | b'y'
            )
        ) {
            i += 1;
            continue;
        }
        let mut push = |token: usize, date: NaiveDate, precision: u8| {
            if date <= article {
                found.push(DateMention { token, date, precision });
            }
        };
        if let Some((_, weekday)) = WEEKDAYS.iter().find(|(name, _)| w.ends_with("day") && *name == w) {
            // "last Tuesday" is still the latest Tuesday before the article.
            push(i, last_weekday(article, *weekday), 1);
        } else if w == "yesterday" || w == "overnight" || (w == "last" && word(i + 1) == "night") {
            push(i, article - Duration::days(1), 1);
        } else if w == "today" || (w == "this" && word(i + 1) == "morning") || w == "tonight" {
            push(i, article, 1);
        } else if let (Some(n), "days" | "day" | "weeks" | "week", "ago") = (amount(w), word(i + 1), word(i + 2)) {
            // "two days ago", "a week ago"
            let days = if word(i + 1).starts_with("week") { 7 * n } else { n };
            push(i, article - Duration::days(days), if days <= 2 { 1 } else { 2 });
        } else if w == "last" && word(i + 1) == "week" {
            push(i, article - Duration::days(7), 2);
        } else if (w == "this" || w == "past") && (word(i + 1) == "week" || word(i + 1) == "weekend") {
            push(i, article, 2);
        } else if (w == "earlier" && word(i + 1) == "this" && word(i + 2) == "month")
            || (w == "this" && word(i + 1) == "month")
        {
            push(i, article, 3);
        } else if let Some((day, month)) =
            // (A month is looked for only after a number, and the reverse below: both
            // tests ran on every word when they were made together.)
            w.parse::<u32>().ok().and_then(|day| month_number(word(i + 1)).map(|month| (day, month)))
        {
            // "6 August", "6 Aug"
            if let Some(date) = day_month(article, day, month) {
                push(i, date, 1);
                i += 2;
                continue;
            }
        } else if let Some((month, day)) = month_number(w).and_then(|month| {
            word(i + 1).trim_end_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().ok().map(|day| (month, day))
        }) {
            // "August 6", "Aug 6"; "may" only before a day number.
            if let Some(date) = day_month(article, day, month) {
                push(i, date, 1);
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// A year before the article's ("in 2015", "in the 1990s"): the sentence is background.
pub fn mentions_earlier_year(words: &[&str], article: NaiveDate) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        // (A year begins with a digit: other words are passed before they are trimmed.)
        let digits = if w.as_bytes().first().is_some_and(u8::is_ascii_digit) { w.trim_end_matches('s') } else { "" };
        let year = digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit());
        // (The word before is read only after a year: this runs on every word.)
        let preceded = || i > 0 && matches!(words[i - 1], "in" | "since" | "of" | "the" | "until" | "by");
        year && preceded() && digits.parse::<i32>().map(|y| (1900..article.year()).contains(&y)).unwrap_or(false)
    }) || words.windows(2).any(|w| w[0] == "last" && w[1] == "year")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn weekdays_are_the_latest_on_or_before_the_article() {
        // 10 August 2021 was a Tuesday.
        assert_eq!(last_weekday(d(2021, 8, 10), Weekday::Tue), d(2021, 8, 10));
        assert_eq!(last_weekday(d(2021, 8, 10), Weekday::Sun), d(2021, 8, 8));
        assert_eq!(last_weekday(d(2021, 8, 10), Weekday::Wed), d(2021, 8, 4));
    }

    #[test]
    fn relative_and_explicit_dates() {
        let article = d(2021, 8, 10);
        let found = |s: &str| find(&words(s), article).into_iter().map(|m| (m.date, m.precision)).collect::<Vec<_>>();
        assert_eq!(found("fell on sunday night"), [(d(2021, 8, 8), 1)]);
        assert_eq!(found("captured yesterday"), [(d(2021, 8, 9), 1)]);
        assert_eq!(found("seized overnight"), [(d(2021, 8, 9), 1)]);
        assert_eq!(found("taken last week"), [(d(2021, 8, 3), 2)]);
        assert_eq!(found("entered kabul a week ago"), [(d(2021, 8, 3), 2)]);
        assert_eq!(found("two days ago"), [(d(2021, 8, 8), 1)]);
        assert_eq!(found("on 6 august"), [(d(2021, 8, 6), 1)]);
        assert_eq!(found("on aug 6"), [(d(2021, 8, 6), 1)]);
        assert_eq!(found("on 13 july"), [(d(2021, 7, 13), 1)]);
        assert_eq!(found("on 30 december"), [(d(2020, 12, 30), 1)]);
        assert!(found("they may take it").is_empty());
    }

    #[test]
    fn earlier_years_mark_background() {
        assert!(mentions_earlier_year(&words("overran the city in 2015"), d(2021, 8, 10)));
        assert!(mentions_earlier_year(&words("held it in the 1990s"), d(2021, 8, 10)));
        assert!(!mentions_earlier_year(&words("on 6 august 2021"), d(2021, 8, 10)));
    }
}
