//! Words: the folded form every phrase is matched in, whole-word matching, and the numbers
//! written in letters that every language shares (roman numerals). Used by every part of the
//! reader; nothing here knows a language.

/// Lower case, without accents, with straight apostrophes: the form every phrase is matched in.
pub(super) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => folded.push('a'),
            'ç' => folded.push('c'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'î' | 'ï' | 'í' | 'ì' => folded.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => folded.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => folded.push('u'),
            'ÿ' => folded.push('y'),
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            '’' | 'ʼ' | '‘' => folded.push('\''),
            c => folded.push(c),
        }
    }
    folded
}

/// A word without the punctuation around it: `(UNEP/MC/COP.6/INF/29),` → `UNEP/MC/COP.6/INF/29`.
pub(super) fn trim_token(token: &str) -> &str {
    token
        .trim_start_matches(['(', '[', '«', '"', '\'', '“', '‘', '*'])
        .trim_end_matches([
            ')', ']', ',', ';', ':', '.', '»', '"', '\'', '”', '’', '!', '?', '*',
        ])
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `s` opens with `phrase` as whole words.
pub(super) fn starts_with_word(s: &str, phrase: &str) -> bool {
    s.strip_prefix(phrase)
        .is_some_and(|rest| !rest.starts_with(is_word_char))
}

/// Whether `phrase` occurs in `s` as whole words.
pub(super) fn contains_phrase(s: &str, phrase: &str) -> bool {
    count_phrase(s, phrase) > 0
}

/// How many times `phrase` occurs in `s` as whole words.
pub(super) fn count_phrase(s: &str, phrase: &str) -> usize {
    s.match_indices(phrase)
        .filter(|(at, _)| {
            let before = s[..*at].chars().next_back();
            let after = s[at + phrase.len()..].chars().next();
            !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
        })
        .count()
}

/// `s` without the leading words of `words`, as many as open it.
pub(super) fn skip_words<'s>(s: &'s str, words: &[String]) -> &'s str {
    let mut s = s.trim_start();
    while let Some(word) = words.iter().find(|word| starts_with_word(s, word)) {
        s = s[word.len()..].trim_start();
    }
    s
}

pub(super) fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The words of a text separated by single spaces, with their byte offsets.
pub(super) fn words_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut words = vec![];
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c == ' ', start) {
            (true, Some(from)) => {
                words.push((from, &text[from..at]));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push((from, &text[from..]));
    }
    words
}

/// The value of a roman numeral from 1 to 39 (`i` … `xxxix`, either case).
pub(super) fn roman_value(numeral: &str) -> Option<u32> {
    let numeral = numeral.to_ascii_lowercase();
    (1..40).find(|&n| roman(n) == numeral)
}

fn roman(n: u32) -> String {
    const UNITS: [&str; 10] = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"];
    "x".repeat((n / 10) as usize) + UNITS[(n % 10) as usize]
}
