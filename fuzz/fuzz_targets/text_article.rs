//! Fuzzes the text-article reader (`date YYYY-MM-DD Title` line, then the body) on
//! arbitrary bytes: never a panic; a read article keeps its date line out of the body.

#![no_main]

use eventmap::ingest::parse_text_article;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_text_article("fuzz", "fuzz.txt", data) {
        Ok(article) => {
            // The body is what follows the first line, or all of the text without a date.
            assert!(article.body.len() <= data.len() * 3, "U+FFFD at most triples a byte");
            if article.date.is_some() {
                assert!(!article.title.contains('\n'), "the title is on the date line");
            }
        }
        Err(error) => {
            assert!(error.to_string().starts_with("fuzz.txt:"), "the message names the file: {error}");
        }
    }
});
