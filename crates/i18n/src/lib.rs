//! Synergies' translations. Every text that the web pages and the reports show comes from the
//! Fluent files under `locales/<language>/`, one directory per language. Adding a language
//! (Spanish, Arabic, Chinese, Russian…) is adding a directory with the same files and keys:
//! nothing in the code names a language except English, the fallback. The test
//! `every_language_has_every_key` fails when a key is missing in any language.
//!
//! Numbers are formatted with each language's own separators, read from the same files
//! (`number-group-separator`, `number-decimal-separator`), and each language declares its
//! writing direction (`language-direction`, `ltr` or `rtl`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

mod message;

pub use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};
pub use message::{Message, MessageArg};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around placeables would end up in PDFs and spreadsheet cells.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// One language that Synergies has translations for. Cheap to copy: it points at the
/// translations compiled into the binary.
#[derive(Clone, Copy)]
pub struct Lang(&'static LanguageIdentifier);

impl Lang {
    /// English, the language every other one falls back on.
    pub fn english() -> Lang {
        Lang::parse("en").expect("English translations are compiled in")
    }

    /// The language whose code (`en`, `fr`, `fr-CH`…) is given, matching on the primary
    /// language when the region has no files of its own. `None` when there are no translations.
    pub fn parse(code: &str) -> Option<Lang> {
        let wanted: LanguageIdentifier = code.trim().parse().ok()?;
        let locales: Vec<&'static LanguageIdentifier> = LOCALES.locales().collect();
        locales
            .iter()
            .find(|l| **l == &wanted)
            .or_else(|| locales.iter().find(|l| l.language == wanted.language))
            .map(|l| Lang(l))
    }

    /// Every language with translations, English first, then by code.
    pub fn all() -> Vec<Lang> {
        let mut all: Vec<Lang> = LOCALES.locales().map(Lang).collect();
        all.sort_by_key(|l| (l.code() != "en", l.code()));
        all
    }

    /// The first language of an HTTP `Accept-Language` header that has translations.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut ranges: Vec<(f32, &str)> = accept_language
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!tag.is_empty() && tag != "*").then_some((q, tag))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges.into_iter().find_map(|(_, tag)| Lang::parse(tag))
    }

    /// The language's code as its directory names it, e.g. `fr`.
    pub fn code(&self) -> String {
        self.0.to_string()
    }

    /// The language's name in itself (`English`, `Français`).
    pub fn name(&self) -> String {
        self.text("language-name")
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        self.text("language-direction") == "rtl"
    }

    /// `ltr` or `rtl`, for the HTML `dir` attribute.
    pub fn direction(&self) -> &'static str {
        if self.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The text of `key`. A key missing in this language falls back to English; a key missing
    /// everywhere comes back as the key itself, so it shows on the page (and the key test fails).
    pub fn text(&self, key: &str) -> String {
        LOCALES
            .try_lookup(self.0, key)
            .unwrap_or_else(|| key.to_string())
    }

    /// The text of `key` with its placeables filled from `args`.
    pub fn text_with(&self, key: &str, args: &[(&str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), v.clone()))
            .collect();
        LOCALES
            .try_lookup_with_args(self.0, key, &args)
            .unwrap_or_else(|| key.to_string())
    }

    /// A calendar date as a reader writes it in a sentence: `5 October 2026`, `5 octobre 2026`.
    pub fn date(&self, year: i32, month: u32, day: u32) -> String {
        self.text_with(
            "report-date",
            &[
                ("day", FluentValue::from(day.to_string())),
                (
                    "month",
                    FluentValue::from(self.text(&format!("report-month-{month}"))),
                ),
                ("year", FluentValue::from(year.to_string())),
            ],
        )
    }

    /// An amount in minor units written with this language's separators, e.g. `12345678` with
    /// two decimals is `123,456.78` in English and `123 456,78` in French. Exact: no floating point.
    pub fn amount(&self, minor: i64, decimals: u32) -> String {
        let group = self.text("number-group-separator");
        let decimal = self.text("number-decimal-separator");
        let digits = minor.unsigned_abs().to_string();
        let width = decimals as usize + 1;
        let digits = format!("{digits:0>width$}");
        let (whole, fraction) = digits.split_at(digits.len() - decimals as usize);
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(&group);
            }
            grouped.push(c);
        }
        let sign = if minor < 0 { "-" } else { "" };
        if decimals == 0 {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{decimal}{fraction}")
        }
    }
}

impl Lang {
    /// A number as a person types it in this language, in the machine form the services read
    /// (`80000.50`, `0.13`), exactly (the digits are moved, never computed): the language's
    /// decimal separator or the machine's `.` (unless `.` groups digits in the language), its
    /// group separator or any space between groups of three digits (`80 000,50`, `80,000.50`),
    /// and a percentage (`13 %` is `0.13`). `None` when the text is no number in this
    /// language, e.g. `1,5` in English, where the comma groups thousands.
    pub fn read_number(&self, text: &str) -> Option<String> {
        let group = self.text("number-group-separator");
        let decimal = self.text("number-decimal-separator");
        let is_space = |c: char| c.is_whitespace() || c == '\u{202F}' || c == '\u{A0}';
        let mut t = text.trim_matches(is_space);
        let percent = t.ends_with('%');
        if percent {
            t = t[..t.len() - 1].trim_end_matches(is_space);
        }
        let (sign, t) = match t.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", t.strip_prefix('+').unwrap_or(t)),
        };
        let group_char = group.chars().next().filter(|c| !is_space(*c));
        let decimal_char = decimal.chars().next().unwrap_or('.');
        let is_decimal = |c: char| c == decimal_char || (c == '.' && group_char != Some('.'));
        let mut whole_groups: Vec<String> = vec![String::new()];
        let mut fraction: Option<String> = None;
        for c in t.chars() {
            if c.is_ascii_digit() {
                match &mut fraction {
                    Some(f) => f.push(c),
                    None => whole_groups.last_mut().expect("one group").push(c),
                }
            } else if fraction.is_none() && is_decimal(c) {
                fraction = Some(String::new());
            } else if fraction.is_none() && (is_space(c) || Some(c) == group_char) {
                whole_groups.push(String::new());
            } else {
                return None;
            }
        }
        // Groups after the first hold three digits; the first one to three.
        let (first, rest) = whole_groups.split_first().expect("one group");
        let grouped_right = rest.iter().all(|g| g.len() == 3)
            && (rest.is_empty() || (1..=3).contains(&first.len()));
        let whole: String = whole_groups.concat();
        let fraction = fraction.unwrap_or_default();
        if !grouped_right || (whole.is_empty() && fraction.is_empty()) {
            return None;
        }
        let whole = if whole.is_empty() {
            "0".to_string()
        } else {
            whole
        };
        if !percent {
            return Some(if fraction.is_empty() {
                format!("{sign}{whole}")
            } else {
                format!("{sign}{whole}.{fraction}")
            });
        }
        // A percentage: the decimal point two places to the left.
        let digits = format!("{whole:0>3}{fraction}");
        let point = digits.len() - fraction.len() - 2;
        let (w, f) = digits.split_at(point);
        let w = w.trim_start_matches('0');
        let f = f.trim_end_matches('0');
        let w = if w.is_empty() { "0" } else { w };
        Some(if f.is_empty() {
            format!("{sign}{w}")
        } else {
            format!("{sign}{w}.{f}")
        })
    }
}

impl Lang {
    /// A fraction in machine form (`0.13`, `0.125`) as this language writes it as a
    /// percentage (`13%`, `12,5 %`), exactly: the decimal point moves two places, nothing is
    /// computed. A text that is no machine decimal is shown as it is.
    pub fn percent(&self, fraction: &str) -> String {
        let t = fraction.trim();
        let (sign, t) = match t.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", t),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole
                .chars()
                .chain(frac.chars())
                .all(|c| c.is_ascii_digit())
        {
            return fraction.to_string();
        }
        let frac = format!("{frac:0<2}");
        let (moved, rest) = frac.split_at(2);
        let whole = format!("{whole}{moved}");
        let whole = whole.trim_start_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        let rest = rest.trim_end_matches('0');
        let value = if rest.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!(
                "{sign}{whole}{}{rest}",
                self.text("number-decimal-separator")
            )
        };
        self.text_with("report-percent", &[("value", FluentValue::from(value))])
    }
}

/// The narrow no-break space that French writes before `; : ! ?` and inside « ».
const NARROW_NBSP: char = '\u{202F}';

impl Lang {
    /// A text set in this language's typography, as its translators write it, with the rules
    /// read from the language's files: a narrow no-break space before the marks of
    /// `typography-space-before` (French: `; : ! ?` and `%`, replacing an ordinary space there; not
    /// inside `10:30` or `https://`), quotation marks `"…"` and `“…”` as the language's
    /// (`typography-quote-open`, `-close`: French « … » with narrow no-break spaces inside),
    /// and the apostrophe between letters (`typography-apostrophe`: French ’). A language whose
    /// rules are empty (English) gets its text back unchanged.
    pub fn typeset(&self, text: &str) -> String {
        let space_before = self.text("typography-space-before");
        let open = self.text("typography-quote-open");
        let close = self.text("typography-quote-close");
        let apostrophe = self.text("typography-apostrophe");
        let french_quotes = open.starts_with('«');
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len() + 8);
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let ends_word =
                |n: Option<char>| n.is_none_or(|n| n.is_whitespace() || ")]}»”\"'.,".contains(n));
            if space_before.contains(c) && ends_word(next) {
                match prev {
                    Some(' ' | '\u{A0}') => {
                        out.pop();
                        out.push(NARROW_NBSP);
                    }
                    Some(p) if p != NARROW_NBSP && !p.is_whitespace() => out.push(NARROW_NBSP),
                    _ => {}
                }
                out.push(c);
            } else if (c == '"' || c == '“' || c == '”') && !open.is_empty() && open != "\"" {
                let opening = match c {
                    '“' => true,
                    '”' => false,
                    _ => prev.is_none_or(|p| p.is_whitespace() || "([{".contains(p)),
                };
                if opening {
                    out.push_str(&open);
                    if french_quotes {
                        out.push(NARROW_NBSP);
                    }
                } else {
                    if french_quotes {
                        if out.ends_with(' ') {
                            out.pop();
                        }
                        out.push(NARROW_NBSP);
                    }
                    out.push_str(&close);
                }
            } else if c == '\''
                && !apostrophe.is_empty()
                && prev.is_some_and(char::is_alphabetic)
                && next.is_some_and(char::is_alphabetic)
            {
                out.push_str(&apostrophe);
            } else if french_quotes && c == ' ' && prev == Some('«') {
                // « followed by an ordinary space: the space becomes the narrow one.
                out.push(NARROW_NBSP);
            } else if french_quotes && c == ' ' && next == Some('»') {
                out.push(NARROW_NBSP);
            } else {
                out.push(c);
            }
        }
        out
    }
}

impl PartialEq for Lang {
    fn eq(&self, other: &Lang) -> bool {
        self.0 == other.0
    }
}

impl Eq for Lang {}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn a_fraction_is_written_as_a_percentage_exactly() {
        let en = Lang::english();
        let fr = Lang::parse("fr").unwrap();
        assert_eq!(en.percent("0.13"), "13%");
        assert!(
            matches!(
                fr.percent("0.13").as_str(),
                "13 %" | "13\u{202F}%" | "13\u{A0}%"
            ),
            "{}",
            fr.percent("0.13")
        );
        assert_eq!(en.percent("0.125"), "12.5%");
        assert!(fr.percent("0.125").starts_with("12,5"));
        assert_eq!(en.percent("0"), "0%");
        assert_eq!(en.percent("0.07"), "7%");
        assert_eq!(en.percent("0.1300"), "13%");
        assert_eq!(en.percent("1"), "100%");
        assert_eq!(en.percent("0.0005"), "0.05%");
        assert_eq!(en.percent("abc"), "abc");
        assert_eq!(
            fr.read_number(&fr.percent("0.125")).as_deref(),
            Some("0.125")
        );
    }
    use std::path::Path;

    /// Message ids of every file of every language: language → file → ids.
    fn keys_on_disk() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut all = BTreeMap::new();
        for lang in std::fs::read_dir(&root).unwrap() {
            let lang = lang.unwrap();
            let mut files = BTreeMap::new();
            for file in std::fs::read_dir(lang.path()).unwrap() {
                let file = file.unwrap();
                let source = std::fs::read_to_string(file.path()).unwrap();
                let resource = fluent_syntax::parser::parse(source.as_str())
                    .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.path().display()));
                let ids = resource
                    .body
                    .iter()
                    .filter_map(|entry| match entry {
                        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                        fluent_syntax::ast::Entry::Term(t) => Some(format!("-{}", t.id.name)),
                        _ => None,
                    })
                    .collect();
                files.insert(file.file_name().to_string_lossy().into_owned(), ids);
            }
            all.insert(lang.file_name().to_string_lossy().into_owned(), files);
        }
        all
    }

    #[test]
    fn every_language_has_every_key() {
        let all = keys_on_disk();
        let english = &all["en"];
        assert!(all.len() >= 2, "English and French at least");
        for (lang, files) in &all {
            assert_eq!(
                files.keys().collect::<Vec<_>>(),
                english.keys().collect::<Vec<_>>(),
                "{lang} has the same files as English"
            );
            for (file, ids) in english {
                let missing: Vec<_> = ids.difference(&files[file]).collect();
                let extra: Vec<_> = files[file].difference(ids).collect();
                assert!(missing.is_empty(), "{lang}/{file} lacks {missing:?}");
                assert!(
                    extra.is_empty(),
                    "{lang}/{file} has keys English lacks: {extra:?}"
                );
            }
        }
        // And the loader sees the same languages as the directories.
        let loaded: BTreeSet<String> = Lang::all().iter().map(Lang::code).collect();
        assert_eq!(loaded, all.keys().cloned().collect::<BTreeSet<_>>());
    }

    #[test]
    fn languages_are_found_by_code_and_header() {
        assert_eq!(Lang::parse("fr").unwrap().code(), "fr");
        assert_eq!(Lang::parse("fr-CH").unwrap().code(), "fr");
        assert!(Lang::parse("tlh").is_none());
        assert!(Lang::parse("").is_none());
        assert_eq!(
            Lang::negotiate("de-DE,fr;q=0.8,en;q=0.5").unwrap().code(),
            "fr"
        );
        assert_eq!(Lang::negotiate("en-GB,fr;q=0.9").unwrap().code(), "en");
        assert!(Lang::negotiate("de").is_none());
        assert_eq!(Lang::all()[0].code(), "en");
    }

    #[test]
    fn texts_are_translated_and_fall_back() {
        let fr = Lang::parse("fr").unwrap();
        assert_eq!(fr.name(), "Français");
        assert_eq!(Lang::english().name(), "English");
        assert_eq!(fr.direction(), "ltr");
        assert_eq!(fr.text("no-such-key"), "no-such-key");
    }

    #[test]
    fn texts_are_set_in_each_languages_typography() {
        let fr = Lang::parse("fr").expect("French");
        let n = NARROW_NBSP;
        for (text, set) in [
            (
                "Note : voir ci-dessous ; merci !",
                format!("Note{n}: voir ci-dessous{n}; merci{n}!"),
            ),
            (
                "Décision MC-6/20: titre",
                format!("Décision MC-6/20{n}: titre"),
            ),
            ("Vraiment ?", format!("Vraiment{n}?")),
            ("au taux de 13 %.", format!("au taux de 13{n}%.")),
            ("le \"cadre\" stable", format!("le «{n}cadre{n}» stable")),
            ("le “cadre” stable", format!("le «{n}cadre{n}» stable")),
            ("« déjà »", format!("«{n}déjà{n}»")),
            (
                "l'exercice d'aujourd'hui",
                "l’exercice d’aujourd’hui".to_string(),
            ),
            (
                "à 10:30 sur https://example.org",
                "à 10:30 sur https://example.org".to_string(),
            ),
            (&format!("déjà{n}; fait"), format!("déjà{n}; fait")),
            ("(voir annexe I)", "(voir annexe I)".to_string()),
        ] {
            assert_eq!(fr.typeset(text), set, "{text:?}");
        }
        for text in [
            "Note: see below; thanks!",
            "the \"framework\"",
            "the secretariat's",
        ] {
            assert_eq!(
                Lang::english().typeset(text),
                text,
                "English is left as written"
            );
        }
    }

    #[test]
    fn numbers_are_read_as_each_language_writes_them_exactly() {
        let fr = Lang::parse("fr").expect("French");
        let en = Lang::english();
        for (text, machine) in [
            ("0,13", "0.13"),
            ("80 000,50", "80000.50"),
            ("80\u{202F}000,50", "80000.50"),
            ("80\u{A0}000,50", "80000.50"),
            ("80000.50", "80000.50"),
            ("13 %", "0.13"),
            ("13,5 %", "0.135"),
            ("0,5%", "0.005"),
            ("100 %", "1"),
            ("-1 234,5", "-1234.5"),
            (" 42 ", "42"),
            (",5", "0.5"),
        ] {
            assert_eq!(
                fr.read_number(text).as_deref(),
                Some(machine),
                "fr {text:?}"
            );
        }
        for (text, machine) in [
            ("0.13", "0.13"),
            ("80,000.50", "80000.50"),
            ("80 000.50", "80000.50"),
            ("13%", "0.13"),
            ("1,234,567", "1234567"),
        ] {
            assert_eq!(
                en.read_number(text).as_deref(),
                Some(machine),
                "en {text:?}"
            );
        }
        for text in [
            "", "abc", "1,5", "1,23,456", "1.2.3", "12 34", "--1", "1e5", "%",
        ] {
            assert_eq!(en.read_number(text), None, "en {text:?}");
        }
        for text in ["", "1,2,3", "1 2", "0,13,", "12 3456", "1.2,3"] {
            assert_eq!(fr.read_number(text), None, "fr {text:?}");
        }
    }

    #[test]
    fn amounts_use_each_languages_separators_exactly() {
        let en = Lang::english();
        let fr = Lang::parse("fr").unwrap();
        assert_eq!(en.amount(12_345_678, 2), "123,456.78");
        assert_eq!(fr.amount(12_345_678, 2), "123\u{202f}456,78");
        assert_eq!(en.amount(-5, 2), "-0.05");
        assert_eq!(en.amount(0, 2), "0.00");
        assert_eq!(en.amount(1_000, 0), "1,000");
        assert_eq!(en.amount(i64::MIN, 2), "-92,233,720,368,547,758.08");
    }
}
