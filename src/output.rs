//! Writing files safely: atomically (temporary file, then rename), cells that a
//! spreadsheet would run as a formula neutralised, and text escaped for XML.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` through a temporary file in the same folder and a rename,
/// so a reader (or a crash) sees the old file or the new one, never a partial one.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let prefix = format!(".{}.", path.file_name().and_then(|n| n.to_str()).unwrap_or("out"));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Temporary files are private (0600) by default; an output is a file like any other,
    // readable as the umask allows (as `std::fs::write` would create it), so that a web
    // server or a colleague's QGIS can open the maps.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A CSV cell as it is safe to open in a spreadsheet.
///
/// Following OWASP's advice on CSV injection, a cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return is prefixed with a single quote, so Excel,
/// LibreOffice and Google Sheets show it as text instead of running it. The full-width
/// forms (`＝` `＋` `－` `＠`) are treated the same: Excel with an East Asian input
/// method turns them into their ASCII forms as a cell is edited. Numbers that
/// eventmap writes itself (coordinates, counts) never pass through here, so a
/// negative longitude stays a number.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// What a cell must not start with to be shown as text.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// A whole CSV row as it is safe to open in a spreadsheet: every cell through
/// [`spreadsheet_safe`] except plain numbers (`-12.5`, `1e3`), which a spreadsheet reads
/// as numbers, never as formulas. For rows whose cells come from outside: article ids,
/// text, and a user gazetteer's ids and names.
pub fn spreadsheet_safe_row<S: AsRef<str>>(row: impl IntoIterator<Item = S>) -> Vec<String> {
    row.into_iter().map(|cell| spreadsheet_safe_cell(cell.as_ref()).into_owned()).collect()
}

/// One cell of [`spreadsheet_safe_row`], borrowed unless it changes.
pub fn spreadsheet_safe_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_plain_number(cell) {
        cell.into()
    } else {
        spreadsheet_safe(cell)
    }
}

fn is_plain_number(cell: &str) -> bool {
    cell.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && cell.bytes().any(|b| b.is_ascii_digit())
        && cell.parse::<f64>().is_ok()
}

/// A cell read back from a CSV eventmap wrote: the quote [`spreadsheet_safe`] put before
/// `=`, `+`, `-`, `@`, a tab or a carriage return is taken off again, so an editor's
/// corrected events file names the same event ids and places as the export it came from.
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// Where [`xml_escape`]d text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlPlace {
    /// Element text (an SVG label): tab, line feed and carriage return stay as they are.
    Text,
    /// An attribute value, or text that may be one (the QGIS files): the apostrophe is
    /// escaped too, and tab, line feed and carriage return become character references,
    /// which a parser keeps (it turns them, written as they are, into spaces).
    Attribute,
}

/// Appends `s` to `out` escaped for XML. Characters XML 1.0 does not allow at all (the
/// other control characters, U+FFFE, U+FFFF), even as references, become U+FFFD: a name
/// or title carrying one is data that shows, not a file that does not parse.
pub fn xml_escape(out: &mut String, s: &str, place: XmlPlace) {
    let attribute = place == XmlPlace::Attribute;
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\r' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters_in_text_are_escaped() {
        let mut out = String::new();
        xml_escape(&mut out, "a<b>&\"c\u{1}\t\u{ffff}", XmlPlace::Text);
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c\u{fffd}\t\u{fffd}");
        // In an attribute the apostrophe is escaped and whitespace kept as references.
        out.clear();
        xml_escape(&mut out, "it's\n\ta\u{1}", XmlPlace::Attribute);
        assert_eq!(out, "it&apos;s&#10;&#9;a\u{fffd}");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("Kabul"), "Kabul");
        assert_eq!(spreadsheet_safe("＝1+1"), "'＝1+1");
        assert_eq!(spreadsheet_safe("Ｋabul"), "Ｋabul");
    }

    #[test]
    fn whole_rows_are_neutralised_but_numbers_stay_numbers() {
        let row = spreadsheet_safe_row(["=1+1", "-2+3", "-12.5", "1e3", "+7", "@x", "-", "-inf", "Kabul", ""]);
        assert_eq!(row, ["'=1+1", "'-2+3", "-12.5", "1e3", "+7", "'@x", "'-", "'-inf", "Kabul", ""]);
    }

    #[test]
    fn neutralised_cells_read_back_as_written() {
        for cell in ["=HYPERLINK(\"x\")", "@a", "+b", "-c", "\tx", "＠x", "Kabul", "'quoted", "", "'"] {
            assert_eq!(from_spreadsheet(&spreadsheet_safe(cell)), cell);
        }
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new contents").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new contents");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_gives_the_permissions_of_a_plain_write() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("a.csv"), b"x").unwrap();
        std::fs::write(dir.path().join("b.csv"), b"x").unwrap();
        let mode = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("a.csv"), mode("b.csv"), "the umask decides, not the temporary file");
    }
}
