//! Treaty bodies and their numbering schemes, as data: one file per body in
//! `crates/domain/data/decision-bodies/` (`basel.txt`, `cbd.txt`, …), compiled in and read once.
//! The format is written at the top of each file. A body is added as its file and one line of
//! [`bodies!`]; the reader's code names no treaty and no form of number.
//!
//! A number is read against every body's forms: a form that only one body writes
//! (`BC-10/3`, `8/CP.2`) names its treaty wherever it stands; a form that several write
//! (`III/1` is an older Basel decision and a CBD one) is the body's only in a text of its
//! treaty, and an ambiguous reference otherwise.

use std::sync::LazyLock;

use super::words::{count_phrase, fold, roman_value};

/// Declares the bodies the reader knows, each with its file named by its key.
macro_rules! bodies {
    ($($key:literal),+ $(,)?) => {
        const FILES: &[(&str, &str)] = &[$((
            $key,
            include_str!(concat!("../../data/decision-bodies/", $key, ".txt")),
        )),+];
    };
}

// The treaty bodies: a body is its file and one line here.
bodies! {
    "minamata",
    "basel",
    "rotterdam",
    "stockholm",
    "cbd",
    "unfccc",
    "ramsar",
    "unea",
}

/// A treaty body: its key, its convention's code, the names that make a text its own, and the
/// forms of its numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Body {
    pub treaty: String,
    pub convention: String,
    pub names: Vec<String>,
    pub forms: Vec<Form>,
}

/// A form of number, such as `BC-{n}/{i}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Form {
    pieces: Vec<Piece>,
    /// Shared with other bodies: read as this body's only in a text of its treaty.
    pub ambiguous: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    /// The meeting in figures.
    Meeting,
    /// The meeting in roman capitals.
    RomanMeeting,
    /// The index of the decision in figures.
    Index,
}

/// A number as a form reads it: the meeting, the index, and the number written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReadNumber {
    pub body: &'static Body,
    pub ambiguous: bool,
    pub meeting: u32,
    pub index: u32,
    pub text: String,
}

impl Form {
    fn parse(line: &str) -> Result<Form, String> {
        let (pattern, ambiguous) = match line.strip_suffix(" ambiguous") {
            Some(pattern) => (pattern.trim(), true),
            None => (line, false),
        };
        let mut pieces = vec![];
        let mut rest = pattern;
        while !rest.is_empty() {
            let placeholder = [
                ("{n}", Piece::Meeting),
                ("{R}", Piece::RomanMeeting),
                ("{i}", Piece::Index),
            ]
            .into_iter()
            .find(|(p, _)| rest.starts_with(p));
            match placeholder {
                Some((p, piece)) => {
                    pieces.push(piece);
                    rest = &rest[p.len()..];
                }
                None => {
                    let c = rest.chars().next().expect("rest is not empty");
                    if c.is_whitespace() || c == '{' || c == '}' {
                        return Err(format!("`{pattern}`: `{c}` in a form of number"));
                    }
                    match pieces.last_mut() {
                        Some(Piece::Literal(s)) => s.push(c),
                        _ => pieces.push(Piece::Literal(c.to_string())),
                    }
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        let meetings = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Meeting | Piece::RomanMeeting))
            .count();
        let indexes = pieces.iter().filter(|p| **p == Piece::Index).count();
        if meetings != 1 || indexes != 1 {
            return Err(format!(
                "`{pattern}` must have one meeting ({{n}} or {{R}}) and one index ({{i}})"
            ));
        }
        Ok(Form { pieces, ambiguous })
    }

    /// The meeting and index of `token` when it is written in this form.
    fn read(&self, token: &str) -> Option<(u32, u32)> {
        let (mut meeting, mut index) = (None, None);
        let mut rest = token;
        for piece in &self.pieces {
            match piece {
                Piece::Literal(s) => rest = rest.strip_prefix(s.as_str())?,
                Piece::Meeting | Piece::Index => {
                    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                    if !(1..=3).contains(&digits) {
                        return None;
                    }
                    let value: u32 = rest[..digits].parse().ok().filter(|&n| n > 0)?;
                    rest = &rest[digits..];
                    if *piece == Piece::Meeting {
                        meeting = Some(value);
                    } else {
                        index = Some(value);
                    }
                }
                Piece::RomanMeeting => {
                    let len = rest
                        .bytes()
                        .take_while(|b| matches!(b, b'I' | b'V' | b'X'))
                        .count();
                    meeting = Some(roman_value(&rest[..len])?);
                    rest = &rest[len..];
                }
            }
        }
        rest.is_empty().then_some((meeting?, index?))
    }

    /// The number of `meeting` and `index` written in this form.
    fn write(&self, meeting: u32, index: u32) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(s) => s.clone(),
                Piece::Meeting => meeting.to_string(),
                Piece::RomanMeeting => roman_capitals(meeting),
                Piece::Index => index.to_string(),
            })
            .collect()
    }
}

fn roman_capitals(n: u32) -> String {
    const UNITS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    "X".repeat((n / 10) as usize) + UNITS[(n % 10) as usize]
}

impl Body {
    fn parse(key: &str, text: &str) -> Result<Body, String> {
        let mut sections: Vec<(String, Vec<(usize, String)>)> = vec![];
        for (at, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if !["treaty", "convention", "names", "numbers"].contains(&name) {
                    return Err(format!("line {}: unknown section [{name}]", at + 1));
                }
                sections.push((name.to_string(), vec![]));
                continue;
            }
            match sections.last_mut() {
                Some((_, entries)) => entries.push((at + 1, line.to_string())),
                None => {
                    return Err(format!(
                        "line {}: an entry before the first section",
                        at + 1
                    ))
                }
            }
        }
        let take = |name: &str| -> Result<Vec<(usize, String)>, String> {
            let entries = sections
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, e)| e.clone())
                .ok_or_else(|| format!("section [{name}] is missing"))?;
            if entries.is_empty() {
                return Err(format!("section [{name}] is empty"));
            }
            Ok(entries)
        };
        let one = |name: &str| -> Result<String, String> {
            let entries = take(name)?;
            match entries.as_slice() {
                [(_, value)] => Ok(value.clone()),
                _ => Err(format!("section [{name}] has more than one entry")),
            }
        };
        let treaty = one("treaty")?;
        if treaty != key {
            return Err(format!(
                "[treaty] is `{treaty}`, not the file's name `{key}`"
            ));
        }
        let mut names = vec![];
        for (line, name) in take("names")? {
            if fold(&name) != name {
                return Err(format!("line {line}: `{name}` is not folded"));
            }
            names.push(name);
        }
        let mut forms = vec![];
        for (line, form) in take("numbers")? {
            forms.push(Form::parse(&form).map_err(|e| format!("line {line}: {e}"))?);
        }
        Ok(Body {
            treaty,
            convention: one("convention")?,
            names,
            forms,
        })
    }
}

static BODIES: LazyLock<Vec<Body>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(key, text)| match Body::parse(key, text) {
            Ok(body) => body,
            // The files are compiled in and read by a unit test: this is a build mistake.
            Err(e) => panic!("the numbering of decisions of `{key}.txt`: {e}"),
        })
        .collect()
});

/// Every body, in the order of [`bodies!`].
pub(super) fn all() -> &'static [Body] {
    &BODIES
}

/// The body of a treaty key.
pub(super) fn of_treaty(treaty: &str) -> Option<&'static Body> {
    all().iter().find(|b| b.treaty == treaty)
}

/// How a token reads as a decision number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reading {
    /// The number of one body's decision.
    One(ReadNumber),
    /// A form several bodies write, in a text of none of them: each body's reading.
    Ambiguous(Vec<ReadNumber>),
    /// A number of the usual form (`XY-6/20`) under a prefix no body writes.
    UnknownPrefix {
        prefix: String,
        meeting: u32,
        index: u32,
    },
}

/// Reads `token` as a decision number, in a text of the treaty of `context` when known.
pub(super) fn read_number(token: &str, context: Option<&Body>) -> Option<Reading> {
    let mut shared = vec![];
    for body in all() {
        for form in &body.forms {
            let Some((meeting, index)) = form.read(token) else {
                continue;
            };
            let read = ReadNumber {
                body,
                ambiguous: form.ambiguous,
                meeting,
                index,
                text: form.write(meeting, index),
            };
            if !form.ambiguous || context.is_some_and(|c| c.treaty == body.treaty) {
                return Some(Reading::One(read));
            }
            shared.push(read);
        }
    }
    if !shared.is_empty() {
        return Some(Reading::Ambiguous(shared));
    }
    unknown_prefix(token)
}

/// `XY-6/20`: two to six capital letters, a hyphen, the meeting, a slash, the index.
fn unknown_prefix(token: &str) -> Option<Reading> {
    let (prefix, numbers) = token.split_once('-')?;
    let (meeting, index) = numbers.split_once('/')?;
    let valid_prefix =
        (2..=6).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase());
    let counted = |s: &str| -> Option<u32> {
        if !(1..=3).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|&n| n > 0)
    };
    valid_prefix.then_some(())?;
    Some(Reading::UnknownPrefix {
        prefix: prefix.to_string(),
        meeting: counted(meeting)?,
        index: counted(index)?,
    })
}

/// The treaty a text names more often than any other ("the Basel Convention"), if one does.
pub(super) fn named_in(folded: &str) -> Option<&'static Body> {
    let counts: Vec<(usize, &Body)> = all()
        .iter()
        .map(|body| {
            let n = body
                .names
                .iter()
                .map(|name| count_phrase(folded, name))
                .sum();
            (n, body)
        })
        .collect();
    let most = counts.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let mut leaders = counts.iter().filter(|(n, _)| *n == most && most > 0);
    match (leaders.next(), leaders.next()) {
        (Some((_, body)), None) => Some(body),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(token: &str, context: Option<&str>) -> Option<Reading> {
        read_number(token, context.and_then(of_treaty))
    }

    fn one(token: &str, context: Option<&str>) -> Option<(String, u32, u32, String)> {
        match read(token, context)? {
            Reading::One(n) => Some((n.body.treaty.clone(), n.meeting, n.index, n.text)),
            _ => None,
        }
    }

    #[test]
    fn every_body_file_reads() {
        assert_eq!(all().len(), FILES.len());
        for (key, text) in FILES {
            Body::parse(key, text).unwrap_or_else(|e| panic!("{key}.txt: {e}"));
        }
    }

    #[test]
    fn each_form_of_number_names_its_treaty() {
        let t = one;
        assert_eq!(
            t("MC-06/20", None),
            Some(("minamata".into(), 6, 20, "MC-6/20".into()))
        );
        assert_eq!(
            t("BC.Ex-1/1", None),
            Some(("basel".into(), 1, 1, "BC.Ex-1/1".into()))
        );
        assert_eq!(
            t("OEWG-12/3", None),
            Some(("basel".into(), 12, 3, "OEWG-12/3".into()))
        );
        assert_eq!(
            t("8/CP.2", None),
            Some(("unfccc".into(), 2, 8, "8/CP.2".into()))
        );
        assert_eq!(
            t("1/CMA.3", None),
            Some(("unfccc".into(), 3, 1, "1/CMA.3".into()))
        );
        assert_eq!(
            t("III/1", Some("basel")),
            Some(("basel".into(), 3, 1, "III/1".into()))
        );
        assert_eq!(
            t("X/8", Some("cbd")),
            Some(("cbd".into(), 10, 8, "X/8".into()))
        );
        assert_eq!(
            t("XIII.5", Some("ramsar")),
            Some(("ramsar".into(), 13, 5, "XIII.5".into()))
        );
        assert_eq!(
            t("4/22", Some("unea")),
            Some(("unea".into(), 4, 22, "4/22".into()))
        );
        match read("VIII/30", Some("minamata")) {
            Some(Reading::Ambiguous(readings)) => {
                let treaties: Vec<&str> = readings.iter().map(|r| r.body.treaty.as_str()).collect();
                assert_eq!(treaties, ["basel", "cbd"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read("XY-6/20", None),
            Some(Reading::UnknownPrefix {
                prefix: "XY".into(),
                meeting: 6,
                index: 20
            })
        );
        for not_a_number in [
            "MC-0/20",
            "mc-6/20",
            "iii/1",
            "UNEP/CHW.14/4",
            "2011-2020",
            "C/8",
        ] {
            assert_eq!(read(not_a_number, None), None, "{not_a_number}");
        }
    }

    #[test]
    fn a_text_is_of_the_treaty_it_names_most() {
        let named = |text: &str| named_in(&fold(text)).map(|b| b.treaty.as_str());
        assert_eq!(
            named("the Basel Convention and the Ban Amendment"),
            Some("basel")
        );
        assert_eq!(named("the Strategic Plan for Biodiversity"), Some("cbd"));
        assert_eq!(
            named("the Basel Convention and the Rotterdam Convention"),
            None
        );
        assert_eq!(named("nothing"), None);
    }

    #[test]
    fn bad_files_are_refused() {
        let basel = FILES.iter().find(|(k, _)| *k == "basel").unwrap().1;
        let with = |from: &str, to: &str| Body::parse("basel", &basel.replacen(from, to, 1));
        assert!(with("BC-{n}/{i}\n", "BC-{n}\n")
            .unwrap_err()
            .contains("one index"));
        assert!(with("\n[names]\n", "\n[nicknames]\n")
            .unwrap_err()
            .contains("unknown section"));
        assert!(with("basel convention\n", "Basel Convention\n")
            .unwrap_err()
            .contains("not folded"));
        assert!(Body::parse("cbd", basel)
            .unwrap_err()
            .contains("file's name"));
    }
}
