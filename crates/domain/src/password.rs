//! What makes a password acceptable: long enough, not one that people commonly choose (a
//! compiled-in list of the most common, also with digits or symbols around them or letters
//! written as digits), not a pattern (one character repeated, few distinct characters, a run
//! such as `abcdef…` or `123456…` or a keyboard row, a short piece repeated), and not the
//! user's own username or name. Every face that sets a password (the users page, the API,
//! the command line) asks this one rule.

/// The fewest characters a password has.
pub const MIN_LENGTH: usize = 12;
/// The most: hashing is deliberately slow, so its input is bounded.
pub const MAX_LENGTH: usize = 256;

/// The most common passwords, one a line, lower case.
const COMMON: &str = include_str!("common_passwords.txt");

/// Why a password is refused, written for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("a password has at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("a password has at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("a password has no control characters")]
    ControlCharacter,
    #[error("this password is among the most common ones; choose another")]
    Common,
    #[error("this password is a simple pattern (a repeated character, a run or a keyboard row); choose another")]
    Pattern,
    #[error("a password does not contain the username or the person's name")]
    Personal,
}

/// Checks a new password for the user `username` called `display_name`.
pub fn check_password(
    password: &str,
    username: &str,
    display_name: &str,
) -> Result<(), WeakPassword> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(WeakPassword::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(WeakPassword::TooLong);
    }
    if password.chars().any(char::is_control) {
        return Err(WeakPassword::ControlCharacter);
    }
    let lower = password.to_lowercase();
    if is_pattern(&lower) {
        return Err(WeakPassword::Pattern);
    }
    if is_common(&lower) {
        return Err(WeakPassword::Common);
    }
    let compact: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let personal = std::iter::once(username.to_lowercase())
        .chain(username.split(['.', '_', '-']).map(str::to_lowercase))
        .chain(
            display_name
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase),
        )
        .filter(|w| w.chars().count() >= 4);
    for word in personal {
        let word_compact: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        if lower.contains(&word) || (!word_compact.is_empty() && compact.contains(&word_compact)) {
            return Err(WeakPassword::Personal);
        }
    }
    Ok(())
}

fn common_list() -> impl Iterator<Item = &'static str> {
    COMMON.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// On the list as it is, once digits and symbols around it are taken away (`password1234`,
/// `!monkey2024`), or once letters written as digits or symbols are read back (`p@ssw0rd`).
fn is_common(lower: &str) -> bool {
    let unleet: String = lower
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .collect();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let unleet_core: String = unleet
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_string();
    let candidates = [lower, core, unleet.as_str(), unleet_core.as_str()];
    common_list().any(|common| {
        candidates.contains(&common)
            // A common word repeated or with a little around it (`passwordpassword`).
            || (common.chars().count() >= 6 && is_repeat_of(core, common))
    })
}

/// `s` is `unit` repeated (at least twice).
fn is_repeat_of(s: &str, unit: &str) -> bool {
    !unit.is_empty() && s.len() >= 2 * unit.len() && s.len().is_multiple_of(unit.len()) && {
        s.as_bytes()
            .chunks(unit.len())
            .all(|chunk| chunk == unit.as_bytes())
    }
}

const ROWS: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];

/// One character repeated, few distinct characters, a run along the alphabet, the digits or a
/// keyboard row (either way, possibly wrapping round), or a short piece repeated.
fn is_pattern(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return true;
    }
    let along = |row: &str| {
        let doubled: String = format!("{row}{row}{row}");
        let reversed: String = doubled.chars().rev().collect();
        // The password, without symbols, is a stretch of the row repeated.
        let letters: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        letters.chars().count() >= MIN_LENGTH - 2
            && (doubled.contains(&letters) || reversed.contains(&letters))
    };
    if ROWS.iter().any(|r| along(r)) {
        return true;
    }
    // A piece repeated (`abc123abc123`).
    (1..=chars.len() / 2)
        .any(|n| chars.len().is_multiple_of(n) && chars.chunks(n).all(|c| c == &chars[..n]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused() {
        for (p, why) in [
            ("short", WeakPassword::TooShort),
            ("aaaaaaaaaaaa", WeakPassword::Pattern),
            ("ababababababab", WeakPassword::Pattern),
            ("password1234", WeakPassword::Common),
            ("Password1234!", WeakPassword::Common),
            ("P@ssw0rd2024", WeakPassword::Common),
            ("passwordpassword", WeakPassword::Pattern),
            ("qwertyuiop12", WeakPassword::Common),
            ("abcdefghijklm", WeakPassword::Pattern),
            ("1234567890123", WeakPassword::Pattern),
            ("zyxwvutsrqpon", WeakPassword::Pattern),
            ("asdfghjklasdf", WeakPassword::Pattern),
            ("abc123abc123", WeakPassword::Pattern),
            ("mc.head-secret-2026", WeakPassword::Personal),
            ("minamata executive 99", WeakPassword::Personal),
            ("Executive#Secretary9", WeakPassword::Personal),
        ] {
            assert_eq!(
                check_password(p, "mc.head", "Minamata Executive Secretary"),
                Err(why),
                "{p:?}"
            );
        }
        assert_eq!(
            check_password(&"x7".repeat(200), "u", "U"),
            Err(WeakPassword::TooLong)
        );
    }

    #[test]
    fn strong_passwords_pass() {
        for p in [
            "correct horse battery staple",
            "tiger-lamp-orbit-93",
            "Zq8#mW2!pL5@",
        ] {
            assert_eq!(
                check_password(p, "mc.head", "Minamata Executive Secretary"),
                Ok(()),
                "{p:?}"
            );
        }
    }

    #[test]
    fn the_list_is_lower_case_and_large() {
        let n = common_list().count();
        assert!(n > 250, "{n}");
        assert!(common_list().all(|l| l == l.to_lowercase()));
    }
}
