//! Text cleaning: what converters produce, normalised before the text is read. Spaces of every
//! kind become plain spaces and line ends `\n`; Word's markers are taken out, with what they
//! say kept aside (the footnote references of each place, the footnote bodies).

use super::types::Footnote;

/// Line ends become `\n`; every other kind of space (non-breaking U+00A0, narrow no-break
/// U+202F, tabs, …) becomes a plain space; invisible characters (BOM, zero-width spaces, soft
/// hyphens) go; non-breaking hyphens become hyphens.
pub(super) fn normalise_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{ad}' => {}
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Footnotes as the treaty sites publish them, glued to the end of a line with their text after
/// them (`…Convention;11UNEP/CHW.14/4.`: the reference 1, then the footnote 1 whose text is
/// `UNEP/CHW.14/4.`), rewritten as Word's markers (`[footnoteRef:1] [1: UNEP/CHW.14/4.]`) so that
/// the footnote is read like any other. A glued number is a footnote when it is written twice
/// (`11` for 1, `1212` for 12) after a word or punctuation, or once after closing punctuation
/// (`,` `;` `.` `:` a closing quote or bracket), and the text after it opens with a capital.
pub(super) fn unglue_footnotes(text: &str) -> String {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    text.split('\n')
        .map(|line| match glued_footnote(line) {
            Some((at, digits, number)) => {
                let body = &line[at + digits..];
                format!("{}[footnoteRef:{number}] [{number}: {body}]", &line[..at])
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the glued footnote of a line starts, how many digits it takes, and its number.
fn glued_footnote(line: &str) -> Option<(usize, usize, u32)> {
    let bytes = line.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let digits = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let before = line[..at].chars().next_back();
        let after = line[at + digits..].chars().next();
        let body = &line[at + digits..];
        let plausible =
            digits <= 6 && after.is_some_and(char::is_uppercase) && !body.contains(['[', ']']);
        if let (true, Some(before)) = (plausible, before) {
            let run = &line[at..at + digits];
            let (half, rest) = run.split_at(digits / 2);
            if digits % 2 == 0 && half == rest && (before.is_alphabetic() || closes(before)) {
                if let Ok(number) = half.parse::<u32>() {
                    if number > 0 {
                        return Some((at, digits, number));
                    }
                }
            } else if closes(before) {
                if let Ok(number) = run.parse::<u32>() {
                    if number > 0 {
                        return Some((at, digits, number));
                    }
                }
            }
        }
        at += digits;
    }
    None
}

/// Punctuation that closes a phrase, after which a glued number is a footnote's.
fn closes(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | '.' | ':' | '”' | '’' | '»' | '"' | ')' | '\''
    )
}

/// Spaces collapsed to one, and none at either end.
pub(super) fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The longest bookmark marker looked for, in characters.
const MAX_BOOKMARK: usize = 1_000;
/// The longest footnote body looked for, in bytes: keeps the scan linear on unclosed brackets.
const MAX_FOOTNOTE: usize = 20_000;

/// A text without its Word markers, with what the markers said.
#[derive(Debug, Default)]
pub(super) struct CleanText {
    pub text: String,
    /// Where each `[footnoteRef:N]` stood in `text` (byte offset), and N.
    pub footnote_refs: Vec<(usize, u32)>,
    /// The footnote bodies, in the order of the text; the first body of a number wins.
    pub footnotes: Vec<Footnote>,
}

impl CleanText {
    fn take(&mut self, marker: Marker) {
        match marker {
            Marker::Bookmark => {}
            Marker::FootnoteRef(number) => self.footnote_refs.push((self.text.len(), number)),
            Marker::FootnoteBody(number, text) => {
                if !self.footnotes.iter().any(|f| f.number == number) {
                    self.footnotes.push(Footnote { number, text });
                }
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Marker {
    Bookmark,
    FootnoteRef(u32),
    FootnoteBody(u32, String),
}

/// Takes the Word markers out of `text`. Footnote bodies are taken out (and kept) only with
/// `with_footnote_bodies`; inside a footnote body they are left as they are, so the reading
/// never nests.
pub(super) fn strip_word_markers(text: &str, with_footnote_bodies: bool) -> CleanText {
    let mut clean = CleanText::default();
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        clean.text.push_str(&rest[..at]);
        let tail = &rest[at..];
        match word_marker(tail, with_footnote_bodies) {
            Some((marker, len)) => {
                clean.take(marker);
                rest = &tail[len..];
            }
            None => {
                clean.text.push('[');
                rest = &tail[1..];
            }
        }
    }
    clean.text.push_str(rest);
    clean
}

/// The marker that opens `tail` (which starts with `[`), and its length in bytes.
fn word_marker(tail: &str, with_footnote_bodies: bool) -> Option<(Marker, usize)> {
    bookmark(tail)
        .or_else(|| footnote_ref(tail))
        .or_else(|| footnote_body(tail).filter(|_| with_footnote_bodies))
}

/// `[bookmark: _Toc213853077]`, closed on the same line.
fn bookmark(tail: &str) -> Option<(Marker, usize)> {
    strip_prefix_ignore_case(tail, "[bookmark:")?;
    let (end, _) = tail
        .char_indices()
        .take(MAX_BOOKMARK)
        .take_while(|&(_, c)| c != '\n')
        .find(|&(_, c)| c == ']')?;
    Some((Marker::Bookmark, end + 1))
}

/// `[footnoteRef:2]` (or `[endnoteRef:2]`).
fn footnote_ref(tail: &str) -> Option<(Marker, usize)> {
    let after = strip_prefix_ignore_case(tail, "[footnoteref:")
        .or_else(|| strip_prefix_ignore_case(tail, "[endnoteref:"))?;
    let (number, digits) = leading_number(after)?;
    after[digits..].strip_prefix(']')?;
    Some((
        Marker::FootnoteRef(number),
        tail.len() - after.len() + digits + 1,
    ))
}

/// `[2:  UNEP/MC/COP.6/INF/29, annexe I.]`: the body of footnote 2, up to its matching `]`.
fn footnote_body(tail: &str) -> Option<(Marker, usize)> {
    let (number, digits) = leading_number(&tail[1..])?;
    let start = 1 + digits + 1;
    if tail.as_bytes().get(1 + digits) != Some(&b':') {
        return None;
    }
    let mut depth = 1usize;
    for (offset, byte) in tail.as_bytes()[start..]
        .iter()
        .take(MAX_FOOTNOTE)
        .enumerate()
    {
        match byte {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ => continue,
        }
        if depth == 0 {
            let end = start + offset;
            let body = strip_word_markers(&tail[start..end], false).text;
            return Some((
                Marker::FootnoteBody(number, collapse_spaces(&body)),
                end + 1,
            ));
        }
    }
    None
}

/// The number that opens `s` (one to six digits) and how many digits it has.
fn leading_number(s: &str) -> Option<(u32, usize)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    Some((s[..digits].parse().ok()?, digits))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_taken_out_and_footnotes_kept() {
        let clean = strip_word_markers(
            "2. [bookmark: _Hlk1]Prend note[footnoteRef:2] ; [2:  UNEP/X/1, [bookmark: b]annexe I.] [x]",
            true,
        );
        assert_eq!(clean.text, "2. Prend note ;  [x]");
        assert_eq!(clean.footnote_refs, vec![("2. Prend note".len(), 2)]);
        assert_eq!(
            clean.footnotes,
            vec![Footnote {
                number: 2,
                text: "UNEP/X/1, annexe I.".into()
            }]
        );
    }

    #[test]
    fn unclosed_markers_stay_as_text() {
        let clean = strip_word_markers("a [bookmark: x\n] b [3: c [footnoteRef:9", true);
        assert_eq!(clean.text, "a [bookmark: x\n] b [3: c [footnoteRef:9");
        assert!(clean.footnotes.is_empty());
    }

    #[test]
    fn glued_footnotes_become_markers() {
        assert_eq!(
            unglue_footnotes("as the “Ban Amendment”,11UNEP/CHW.14/4.\n1.Welcomes"),
            "as the “Ban Amendment”,[footnoteRef:1] [1: UNEP/CHW.14/4.]\n1.Welcomes"
        );
        assert_eq!(
            unglue_footnotes("the Convention;1212See UNEP/X/1."),
            "the Convention;[footnoteRef:12] [12: See UNEP/X/1.]"
        );
        assert_eq!(
            unglue_footnotes("the report;3Ibid., annex II."),
            "the report;[footnoteRef:3] [3: Ibid., annex II.]"
        );
        for untouched in [
            "1.Decides to act;",
            "X/8.United Nations Decade",
            "documents UNEP/FAO/RC/COP.4/12 and UNEP/FAO/RC/COP.4/13, to develop",
            "the Biodiversity 2011-2020 Plan",
            "CO2Emissions",
            "[footnoteRef:2], ainsi [2:  UNEP/MC/COP.6/INF/29, annexe I.]",
            "as the Ban Amendment,11[UNEP]",
        ] {
            assert_eq!(unglue_footnotes(untouched), untouched);
        }
    }

    #[test]
    fn every_kind_of_space_becomes_one_space() {
        let text = normalise_spaces("exécutive\u{a0}:\tx\u{202f};\r\ny\u{feff}\u{2011}z");
        assert_eq!(text, "exécutive : x ;\ny-z");
    }
}
