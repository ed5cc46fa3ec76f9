//! A text for a person, kept as the key of its translation and its arguments until a face
//! shows it: the web in its reader's language, the command line and the logs in English.
//! The rules (`authorize`, the validations) say *what* is wrong with a [`Message`]; the
//! translation files say it in each language, so that a refusal or a validation error reaches
//! a French reader in French.

use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;

use crate::Lang;

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageArg {
    /// Shown as given (a user name, an organisation's code, a value typed).
    Text(String),
    /// A count, which the translation may use to pick its plural form.
    Count(i64),
    /// Another message, shown in the same language (a role's name inside a refusal).
    Message(Box<Message>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Inner {
    Keyed {
        key: &'static str,
        args: Vec<(&'static str, MessageArg)>,
    },
    /// A text that has no translation yet: shown as written in every language.
    Literal(String),
}

/// A text for a person: the key of a translation with its named arguments, or (for texts
/// not yet in the translation files) a literal. `Display` is the English text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message(Inner);

impl Message {
    /// The translation `key` (of the files under `locales/`), without arguments yet.
    pub fn new(key: &'static str) -> Message {
        Message(Inner::Keyed { key, args: vec![] })
    }

    /// A text shown as written in every language.
    pub fn literal(text: impl Into<String>) -> Message {
        Message(Inner::Literal(text.into()))
    }

    /// With the argument `name` shown as `value`.
    pub fn with(self, name: &'static str, value: impl Into<String>) -> Message {
        self.arg(name, MessageArg::Text(value.into()))
    }

    /// With the count `name` (which can choose the plural form).
    pub fn count(self, name: &'static str, n: i64) -> Message {
        self.arg(name, MessageArg::Count(n))
    }

    /// With the argument `name` shown as the message `value`, in the same language.
    pub fn nested(self, name: &'static str, value: Message) -> Message {
        self.arg(name, MessageArg::Message(Box::new(value)))
    }

    fn arg(self, name: &'static str, value: MessageArg) -> Message {
        match self.0 {
            Inner::Keyed { key, mut args } => {
                args.push((name, value));
                Message(Inner::Keyed { key, args })
            }
            literal => Message(literal),
        }
    }

    /// The translation key, `None` for a literal.
    pub fn key(&self) -> Option<&'static str> {
        match &self.0 {
            Inner::Keyed { key, .. } => Some(key),
            Inner::Literal(_) => None,
        }
    }

    /// The text given as the argument `name`, if the message has one.
    pub fn text_arg(&self, name: &str) -> Option<&str> {
        match &self.0 {
            Inner::Keyed { args, .. } => args.iter().find_map(|(n, v)| match v {
                MessageArg::Text(t) if *n == name => Some(t.as_str()),
                _ => None,
            }),
            Inner::Literal(_) => None,
        }
    }

    /// The text in `lang` (English where `lang` lacks the key), in its typography.
    pub fn in_lang(&self, lang: Lang) -> String {
        match &self.0 {
            Inner::Literal(text) => text.clone(),
            Inner::Keyed { key, args } => {
                let args: Vec<(&str, FluentValue<'static>)> = args
                    .iter()
                    .map(|(name, value)| {
                        let value = match value {
                            MessageArg::Text(t) => FluentValue::from(t.clone()),
                            MessageArg::Count(n) => FluentValue::from(*n),
                            MessageArg::Message(m) => FluentValue::from(m.in_lang(lang)),
                        };
                        (*name, value)
                    })
                    .collect();
                lang.typeset(&lang.text_with(key, &args))
            }
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.in_lang(Lang::english()))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message::literal(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message::literal(text)
    }
}

/// As its English text (what the JSON outputs have always carried); read back as a literal.
impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Message {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Message, D::Error> {
        String::deserialize(d).map(Message::literal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_shown_in_its_readers_language_with_its_arguments() {
        let fr = Lang::parse("fr").expect("French");
        let m = Message::new("denied-manage-users").with("user", "mc.officer");
        assert_eq!(
            m.to_string(),
            "mc.officer may not manage users: that needs the admin role"
        );
        let french = m.in_lang(fr);
        assert!(french.starts_with("mc.officer ne peut pas"), "{french}");
        assert_eq!(m.key(), Some("denied-manage-users"));
        let literal = Message::literal("as written");
        assert_eq!(literal.in_lang(fr), "as written");
        assert_eq!(literal.key(), None);
    }

    #[test]
    fn a_nested_message_follows_the_language_of_the_outer_one() {
        let fr = Lang::parse("fr").expect("French");
        let m = Message::new("denied-needs-role")
            .with("user", "x")
            .with("organisation", "MC")
            .nested("role", Message::new("role-name-finance"))
            .nested("what", Message::new("denied-what-settle"));
        assert_eq!(
            m.to_string(),
            "x may not settle what it owes: that needs the finance role in MC"
        );
        let french = m.in_lang(fr);
        assert!(
            french.contains("finances") && !french.contains("finance role"),
            "{french}"
        );
    }
}
