//! Reading dated articles: text files (`date YYYY-MM-DD Title` on the first line),
//! JSON Lines, folders of both, and standard input.
//!
//! Articles are yielded one at a time, so a folder of any size is read in bounded
//! memory. A bad article is an error for that article only; the iterator goes on.

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// One article.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    /// File name without extension, or the JSON Lines `id`.
    pub id: String,
    /// Publication date; `None` when the file has no date line.
    pub date: Option<NaiveDate>,
    pub title: String,
    /// The text after the date line, exactly as read (BOM removed, invalid UTF-8
    /// replaced). Mention offsets are byte offsets into this string.
    pub body: String,
    pub source: Option<String>,
    pub url: Option<String>,
    /// Where the article was read from.
    pub origin: Origin,
    /// Problems that did not stop the article from being read.
    pub warnings: Vec<String>,
}

/// A file (or standard input) and, for JSON Lines, the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub path: String,
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// An article (or a whole input) that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}: bad date {value:?}: expected YYYY-MM-DD, a real calendar day")]
    BadDate { path: String, line: usize, value: String },
    #[error("{path}:{line}: {message}")]
    BadRecord { path: String, line: usize, message: String },
    #[error("{path}: not a file, folder or '-'")]
    NotFound { path: String },
    #[error("{path}: not a regular file (a pipe, socket or device)")]
    NotRegular { path: String },
}

impl IngestError {
    /// The file (or `-`) the error is about.
    pub fn path(&self) -> &str {
        match self {
            IngestError::Read { path, .. }
            | IngestError::BadDate { path, .. }
            | IngestError::BadRecord { path, .. }
            | IngestError::NotFound { path }
            | IngestError::NotRegular { path } => path,
        }
    }
}

/// Longest JSON Lines record accepted (a guard against a runaway line, not a limit on articles).
pub const MAX_JSONL_LINE: usize = 64 << 20;

/// The files to read for the given inputs: files as given, folders expanded to their
/// `*.txt` and `*.jsonl` files (recursively, sorted, hidden files skipped), `-` for stdin.
pub fn expand_inputs(inputs: &[PathBuf]) -> Vec<Result<PathBuf, IngestError>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" || input.is_file() {
            out.push(Ok(input.clone()));
        } else if input.is_dir() {
            let mut files = Vec::new();
            walk(input, &mut files, &mut out);
            files.sort();
            out.extend(files.into_iter().map(Ok));
        } else {
            out.push(Err(IngestError::NotFound { path: input.display().to_string() }));
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Result<PathBuf, IngestError>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(Err(IngestError::Read { path: dir.display().to_string(), source }));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = path.file_name().and_then(|n| n.to_str()).map(|n| n.starts_with('.')).unwrap_or(false);
        if hidden {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            walk(&path, files, errors);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("txt" | "jsonl")) {
            // A pipe named like an article would block the run until something wrote to
            // it; a link is followed to see what it is.
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_file() => files.push(path),
                Ok(_) => errors.push(Err(IngestError::NotRegular { path: path.display().to_string() })),
                Err(source) => errors.push(Err(IngestError::Read { path: path.display().to_string(), source })),
            }
        }
    }
}

/// Reads articles from the inputs, one at a time.
pub fn read_articles(inputs: &[PathBuf]) -> Articles {
    Articles { files: expand_inputs(inputs).into(), current: None }
}

/// Iterator over the articles of several inputs.
pub struct Articles {
    files: VecDeque<Result<PathBuf, IngestError>>,
    current: Option<JsonLines>,
}

impl Iterator for Articles {
    type Item = Result<Article, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(lines) = &mut self.current {
                match lines.next() {
                    Some(item) => return Some(item),
                    None => self.current = None,
                }
            }
            let path = match self.files.pop_front()? {
                Ok(path) => path,
                Err(error) => return Some(Err(error)),
            };
            let display = if path.as_os_str() == "-" { "-".to_owned() } else { path.display().to_string() };
            let is_jsonl = path.extension().and_then(|e| e.to_str()) == Some("jsonl");
            if is_jsonl {
                match std::fs::File::open(&path) {
                    Ok(file) => self.current = Some(JsonLines::new(display, Box::new(std::io::BufReader::new(file)))),
                    Err(source) => return Some(Err(IngestError::Read { path: display, source })),
                }
                continue;
            }
            let bytes = if path.as_os_str() == "-" {
                let mut bytes = Vec::new();
                if let Err(source) = std::io::stdin().lock().read_to_end(&mut bytes) {
                    return Some(Err(IngestError::Read { path: display, source }));
                }
                // Standard input may carry JSON Lines or one text article.
                if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
                    self.current = Some(JsonLines::new(display, Box::new(std::io::Cursor::new(bytes))));
                    continue;
                }
                bytes
            } else {
                match std::fs::read(&path) {
                    Ok(bytes) => bytes,
                    Err(source) => return Some(Err(IngestError::Read { path: display, source })),
                }
            };
            let id = if path.as_os_str() == "-" {
                "stdin".to_owned()
            } else {
                path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
            };
            return Some(parse_text_article(&id, &display, &bytes));
        }
    }
}

/// The articles of JSON Lines held in memory, as read from a `.jsonl` file or standard
/// input; `path` names them in messages. The same reader as [`read_articles`] uses.
pub fn parse_json_lines(path: &str, bytes: Vec<u8>) -> impl Iterator<Item = Result<Article, IngestError>> {
    JsonLines::new(path.to_owned(), Box::new(std::io::Cursor::new(bytes)))
}

/// Decodes UTF-8, dropping a BOM and replacing invalid bytes (with a warning naming
/// where the first one is: `at` turns the line within `bytes` into a place in a file).
fn decode(bytes: &[u8], warnings: &mut Vec<String>, at: impl FnOnce(usize) -> String) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(error) => {
            let line = bytes[..error.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            warnings.push(format!("{}: invalid UTF-8 replaced with U+FFFD", at(line)));
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// A text article: `date YYYY-MM-DD [title]` on the first line (leading spaces
/// allowed), then the body.
pub fn parse_text_article(id: &str, path: &str, bytes: &[u8]) -> Result<Article, IngestError> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings, |line| format!("{path}:{line}"));
    let (first, rest) = match text.find('\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text.as_str(), ""),
    };
    let first_line = first.trim_end_matches('\r').trim_start();
    let mut words = first_line.splitn(3, [' ', '\t']);
    let (date, title, body) = if words.next().map(|w| w.eq_ignore_ascii_case("date")).unwrap_or(false) {
        let value = words.next().unwrap_or("").trim();
        let date = parse_date(value).ok_or_else(|| IngestError::BadDate {
            path: path.to_owned(),
            line: 1,
            value: value.to_owned(),
        })?;
        (Some(date), words.next().unwrap_or("").trim().to_owned(), rest.to_owned())
    } else {
        warnings.push(format!("{path}:1: no `date YYYY-MM-DD` line; the article has no date"));
        (None, String::new(), text.clone())
    };
    Ok(Article {
        id: id.to_owned(),
        date,
        title,
        body,
        source: None,
        url: None,
        origin: Origin { path: path.to_owned(), line: None },
        warnings,
    })
}

/// `YYYY-MM-DD`, a real calendar day.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    if value.len() != 10 || value.as_bytes()[4] != b'-' || value.as_bytes()[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
}

#[derive(Deserialize)]
struct Record {
    id: Option<serde_json::Value>,
    date: Option<String>,
    #[serde(default)]
    title: Option<String>,
    text: Option<String>,
    source: Option<String>,
    url: Option<String>,
}

/// Articles of a JSON Lines stream, one a line.
struct JsonLines {
    path: String,
    reader: Box<dyn BufRead>,
    line: usize,
    done: bool,
}

impl JsonLines {
    fn new(path: String, reader: Box<dyn BufRead>) -> JsonLines {
        JsonLines { path, reader, line: 0, done: false }
    }

    fn stem(&self) -> String {
        Path::new(&self.path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "stdin".to_owned())
    }
}

impl Iterator for JsonLines {
    type Item = Result<Article, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let mut buffer = Vec::new();
            self.line += 1;
            let read = (&mut self.reader).take(MAX_JSONL_LINE as u64 + 1).read_until(b'\n', &mut buffer);
            match read {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(source) => {
                    self.done = true;
                    return Some(Err(IngestError::Read { path: self.path.clone(), source }));
                }
            }
            if buffer.len() > MAX_JSONL_LINE {
                // Skip the rest of the oversized line.
                let mut sink = Vec::new();
                let _ = self.reader.read_until(b'\n', &mut sink);
                return Some(Err(self.bad(format!("line longer than {} MiB; skipped", MAX_JSONL_LINE >> 20))));
            }
            if buffer.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(self.parse(&buffer));
        }
        None
    }
}

impl JsonLines {
    fn bad(&self, message: String) -> IngestError {
        IngestError::BadRecord { path: self.path.clone(), line: self.line, message }
    }

    fn parse(&self, bytes: &[u8]) -> Result<Article, IngestError> {
        let mut warnings = Vec::new();
        let where_ = format!("{}:{}", self.path, self.line);
        // A record is one line of its file: the place is that line, not a line within it.
        let text = decode(bytes, &mut warnings, |_| where_.clone());
        let record: Record =
            serde_json::from_str(&text).map_err(|e| self.bad(format!("not a JSON article record: {e}")))?;
        let body = record.text.ok_or_else(|| self.bad("missing \"text\"".to_owned()))?;
        let id = match record.id {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            None | Some(serde_json::Value::Null) => format!("{}-{}", self.stem(), self.line),
            Some(other) => return Err(self.bad(format!("\"id\" must be a string or a number, got {other}"))),
        };
        let date = match record.date.as_deref().map(str::trim) {
            None | Some("") => {
                warnings.push(format!("{where_}: no \"date\"; the article has no date"));
                None
            }
            Some(value) => Some(parse_date(value).ok_or_else(|| IngestError::BadDate {
                path: self.path.clone(),
                line: self.line,
                value: value.to_owned(),
            })?),
        };
        Ok(Article {
            id,
            date,
            title: record.title.unwrap_or_default(),
            body,
            source: record.source,
            url: record.url,
            origin: Origin { path: self.path.clone(), line: Some(self.line) },
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_line_with_title_and_leading_space() {
        let a = parse_text_article("a", "a.txt", b" date 2021-08-10 Thousands flee\n\nBody text.").unwrap();
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2021, 8, 10));
        assert_eq!(a.title, "Thousands flee");
        assert_eq!(a.body, "\nBody text.");
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn bom_and_crlf() {
        let a = parse_text_article("a", "a.txt", b"\xEF\xBB\xBFdate 2021-08-10\r\nKabul.\r\n").unwrap();
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2021, 8, 10));
        assert_eq!(a.title, "");
        assert_eq!(a.body, "Kabul.\r\n");
    }

    #[test]
    fn bad_date_names_file_line_and_value() {
        let e = parse_text_article("a", "x/a.txt", b"date 2021-13-45 Title\nBody").unwrap_err();
        assert_eq!(e.to_string(), "x/a.txt:1: bad date \"2021-13-45\": expected YYYY-MM-DD, a real calendar day");
        assert!(parse_text_article("a", "a.txt", b"date 2021-02-30\n").is_err());
    }

    #[test]
    fn missing_date_line_is_a_warning() {
        let a = parse_text_article("a", "a.txt", b"Kunduz fell on Sunday.").unwrap();
        assert_eq!(a.date, None);
        assert_eq!(a.body, "Kunduz fell on Sunday.");
        assert_eq!(a.warnings.len(), 1);
    }

    #[test]
    fn invalid_utf8_is_replaced_with_a_warning() {
        let a = parse_text_article("a", "a.txt", b"date 2021-08-10\nKab\xffl").unwrap();
        assert_eq!(a.body, "Kab\u{FFFD}l");
        assert!(a.warnings[0].contains("a.txt:2: invalid UTF-8"), "{:?}", a.warnings);
    }

    #[test]
    fn json_lines_records_and_errors() {
        let input = "{\"id\":\"a1\",\"date\":\"2021-08-10\",\"title\":\"T\",\"text\":\"Kabul\"}\n\n{\"id\":2,\"date\":\"2021-13-01\",\"text\":\"x\"}\nnot json\n{\"date\":\"2021-08-11\",\"text\":\"Herat\",\"source\":\"S\",\"url\":\"u\"}\n";
        let items: Vec<_> =
            JsonLines::new("feed.jsonl".into(), Box::new(std::io::Cursor::new(input.as_bytes().to_vec()))).collect();
        assert_eq!(items.len(), 4);
        let first = items[0].as_ref().unwrap();
        assert_eq!((first.id.as_str(), first.body.as_str(), first.origin.line), ("a1", "Kabul", Some(1)));
        assert!(matches!(&items[1], Err(IngestError::BadDate { line: 3, .. })));
        assert!(matches!(&items[2], Err(IngestError::BadRecord { line: 4, .. })));
        let last = items[3].as_ref().unwrap();
        assert_eq!((last.id.as_str(), last.source.as_deref()), ("feed-5", Some("S")));
    }
}
