//! Limits on the text of records, shared by every record's validation (and so by every
//! importer, form and API route that goes through the application services), the collection
//! of every problem of an input in one report, and spreadsheet-safe CSV cells.
//!
//! Three kinds of text field:
//! - a **code** (organisation, fund, agreement, service, activity, meeting codes, grades,
//!   countries…): 1 to 64 characters, no whitespace, no control, format (bidirectional
//!   overrides, zero-width characters) or other invisible characters;
//! - a **name** (names and titles): up to 500 characters on one line, no control characters
//!   and no bidirectional overrides or isolates;
//! - a **text** (descriptions, minutes, notes): up to 10,000 characters; newlines and tabs
//!   allowed, no other control characters.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Code,
    Name,
    Text,
}

impl TextKind {
    /// The most characters (Unicode scalar values) a field of this kind holds.
    pub const fn max_chars(self) -> usize {
        match self {
            TextKind::Code => 64,
            TextKind::Name => 500,
            TextKind::Text => 10_000,
        }
    }
}

/// Bidirectional embeddings, overrides and isolates: they reorder what a reader sees.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters that make two codes look alike: zero-width spaces and joiners, marks,
/// the byte-order mark, soft hyphen, word joiner and invisible operators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

fn describe(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Why `value` is not a valid text of `kind`, if it is not. Names and texts may be empty
/// (a required one is checked by [`Issues::required`]); a code may not.
pub fn check_text(kind: TextKind, value: &str) -> Result<(), String> {
    let max = kind.max_chars();
    // Bytes bound characters from above: only long values are counted.
    if value.len() > max && value.chars().count() > max {
        return Err(format!(
            "is {} characters long; at most {max} are allowed",
            value.chars().count()
        ));
    }
    if kind == TextKind::Code && value.is_empty() {
        return Err("is empty; a code is needed".into());
    }
    for c in value.chars() {
        let allowed_control = kind == TextKind::Text && (c == '\n' || c == '\t');
        if c.is_control() && !allowed_control {
            return Err(format!("holds the control character {}", describe(c)));
        }
        if is_bidi_control(c) {
            return Err(format!(
                "holds the bidirectional control character {}",
                describe(c)
            ));
        }
        if kind == TextKind::Code {
            if c.is_whitespace() {
                return Err(format!(
                    "holds whitespace ({}); a code has none",
                    describe(c)
                ));
            }
            if is_invisible(c) {
                return Err(format!("holds the invisible character {}", describe(c)));
            }
        }
    }
    Ok(())
}

/// One problem of an input: which record, which field, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The record, as its reader knows it: `service CONF-INT`, `file.json: agreement 2`.
    pub record: String,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.record, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.record, self.field, self.reason)
        }
    }
}

/// Every problem found in an input, reported together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issues(pub Vec<Issue>);

impl fmt::Display for Issues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} problems; nothing was written", self.0.len())?;
        }
        Ok(())
    }
}

impl Issues {
    pub fn new() -> Issues {
        Issues::default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn push(
        &mut self,
        record: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.0.push(Issue {
            record: record.into(),
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// Checks a text field of `kind`.
    pub fn text(&mut self, record: &str, field: &str, kind: TextKind, value: &str) {
        if let Err(why) = check_text(kind, value) {
            self.push(record, field, why);
        }
    }

    /// Checks a text field of `kind` that may not be empty (or blank).
    pub fn required(&mut self, record: &str, field: &str, kind: TextKind, value: &str) {
        if value.trim().is_empty() {
            self.push(record, field, "is empty; it is required");
        } else {
            self.text(record, field, kind, value);
        }
    }

    /// Checks every text of a list.
    pub fn each<'a>(
        &mut self,
        record: &str,
        field: &str,
        kind: TextKind,
        values: impl IntoIterator<Item = &'a String>,
    ) {
        for v in values {
            self.required(record, field, kind, v);
        }
    }

    /// Adds every issue of `other`.
    pub fn extend(&mut self, other: Issues) {
        self.0.extend(other.0);
    }

    /// `Ok` when no problem was found, else every problem as one error.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self))
        }
    }
}

/// The characters that make a spreadsheet read a cell as a formula (OWASP's list).
fn starts_a_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A text cell as a CSV export writes it: a text that a spreadsheet would read as a formula
/// (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe,
/// as OWASP recommends, and so does a text that already starts with an apostrophe, so that
/// [`from_spreadsheet_cell`] gives back exactly the original. Numbers are not text cells:
/// write them as they are.
pub fn spreadsheet_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some(c) if starts_a_formula(c) || c == '\'' => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// The text a CSV cell written by [`spreadsheet_cell`] holds: one leading apostrophe before
/// a formula character or an apostrophe is dropped; any other cell is read as it is.
pub fn from_spreadsheet_cell(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .chars()
                .next()
                .is_some_and(|c| starts_a_formula(c) || c == '\'') =>
        {
            Cow::Borrowed(rest)
        }
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_kind_of_field_has_its_limits() {
        let cases: &[(TextKind, &str, bool)] = &[
            (TextKind::Code, "MC-BRS-2026", true),
            (TextKind::Code, "", false),
            (TextKind::Code, "A B", false),
            (TextKind::Code, "A\u{0}B", false),
            (TextKind::Code, "AB\u{202E}C", false),
            (TextKind::Code, "A\u{200B}B", false),
            (TextKind::Code, "A\u{FEFF}", false),
            (TextKind::Code, &"x".repeat(64), true),
            (TextKind::Code, &"x".repeat(65), false),
            (TextKind::Name, "Joint training, Genève", true),
            (TextKind::Name, "اتفاقية", true),
            (TextKind::Name, "", true),
            (TextKind::Name, "two\nlines", false),
            (TextKind::Name, "tab\there", false),
            (TextKind::Name, "nul\u{0}", false),
            (TextKind::Name, "a\u{202E}b", false),
            (TextKind::Name, &"é".repeat(500), true),
            (TextKind::Name, &"é".repeat(501), false),
            (TextKind::Name, &"x".repeat(40_000), false),
            (TextKind::Text, "line 1\nline 2\tcolumn", true),
            (TextKind::Text, "carriage\rreturn", false),
            (TextKind::Text, "bell\u{7}", false),
            (TextKind::Text, "escape\u{1b}[31m", false),
            (TextKind::Text, &"x".repeat(10_000), true),
            (TextKind::Text, &"x".repeat(10_001), false),
            (TextKind::Text, &"x".repeat(100_000), false),
        ];
        for (kind, value, ok) in cases {
            let got = check_text(*kind, value);
            assert_eq!(
                got.is_ok(),
                *ok,
                "{kind:?} {:?}: {got:?}",
                value.chars().take(20).collect::<String>()
            );
        }
    }

    #[test]
    fn issues_are_all_reported() {
        let mut i = Issues::new();
        i.required("service X", "name", TextKind::Name, " ");
        i.text("service X", "code", TextKind::Code, "a b");
        let e = i.into_result().unwrap_err().to_string();
        assert!(e.contains("service X: name: is empty"), "{e}");
        assert!(e.contains("service X: code: holds whitespace"), "{e}");
        assert!(e.contains("2 problems"), "{e}");
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back() {
        for (text, cell) in [
            ("=1+1", "'=1+1"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+41 22", "'+41 22"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("'quoted'", "''quoted'"),
            ("plain", "plain"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(spreadsheet_cell(text), cell);
            assert_eq!(from_spreadsheet_cell(cell), text);
        }
        // A hand-written apostrophe before ordinary text stays.
        assert_eq!(from_spreadsheet_cell("'tis"), "'tis");
    }

    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("=".to_string()),
            Just("+".to_string()),
            Just("-".to_string()),
            Just("@".to_string()),
            Just("'".to_string()),
            Just("\t".to_string()),
            Just("\r".to_string()),
            Just("\n".to_string()),
            Just("\u{0}".to_string()),
            Just("\u{202E}".to_string()),
            Just("\u{200B}".to_string()),
            Just("\"".to_string()),
            Just(",".to_string()),
            "[a-zA-Z0-9 ]{0,8}",
            "\\PC{0,4}",
            (0usize..3).prop_map(|n| "x".repeat([10, 10_001, 100_000][n])),
        ];
        proptest::collection::vec(piece, 0..6).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the text, a valid one holds no forbidden character nor too many, and the
        /// CSV writer's cell never starts a formula and reads back to the text.
        #[test]
        fn hostile_text_is_refused_or_safe(s in hostile()) {
            for kind in [TextKind::Code, TextKind::Name, TextKind::Text] {
                if check_text(kind, &s).is_ok() {
                    prop_assert!(s.chars().count() <= kind.max_chars());
                    let (nul, rlo, zwsp) = ('\u{0}', '\u{202E}', '\u{200B}');
                    prop_assert!(!s.contains(nul) && !s.contains('\r'));
                    prop_assert!(!s.contains(rlo));
                    if kind != TextKind::Text {
                        prop_assert!(!s.contains('\n') && !s.contains('\t'));
                    }
                    if kind == TextKind::Code {
                        prop_assert!(!s.contains(' ') && !s.contains(zwsp));
                    }
                }
            }
            let cell = spreadsheet_cell(&s);
            prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']));
            prop_assert_eq!(from_spreadsheet_cell(&cell), s.as_str());
        }
    }
}
