//! Who performs an action. Every state-changing service takes an [`Actor`], asks it whether
//! the action is allowed (the domain's one [`authorize`]) and records it as the author of the
//! action's audit event.

use serde_json::Value;
use synergies_domain::access::{authorize, Action, Denied, Principal};
use synergies_domain::Message;
use synergies_store::Audit;

use crate::audit::AuditAction;
use crate::{AppError, AppResult};

/// A person signed in on the web, or named on the command line with `--as`, acts with the
/// roles they hold per organisation. The operator of the command line, who holds the database
/// itself, may do every action and is recorded as such (`cli:` and the operating-system
/// account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Person(Principal),
    Operator(String),
}

impl Actor {
    /// The command line's operator, recorded under `name`.
    pub fn operator(name: impl Into<String>) -> Actor {
        Actor::Operator(name.into())
    }

    /// The name the audit trail records.
    pub fn name(&self) -> &str {
        match self {
            Actor::Person(p) => &p.username,
            Actor::Operator(name) => name,
        }
    }

    /// Whether the actor may perform `action`: the same answer for a page that decides to show
    /// a button and for the service that performs the action.
    pub fn may(&self, action: &Action) -> bool {
        self.authorize(action).is_ok()
    }

    /// Refuses the action unless the domain's rules allow it to this actor.
    pub fn authorize(&self, action: &Action) -> AppResult<()> {
        match self {
            Actor::Person(p) => authorize(p, action).map_err(AppError::Denied),
            Actor::Operator(_) => Ok(()),
        }
    }

    /// Refuses a person: `what` (a restore, a copy, loading reference data from a file) is
    /// done by the operator of the command line, who holds the database.
    pub fn must_be_operator(&self, what: &str) -> AppResult<()> {
        match self {
            Actor::Operator(_) => Ok(()),
            Actor::Person(p) => Err(AppError::Denied(Denied(
                Message::new("denied-operator-only")
                    .with("user", &p.username)
                    .with("what", what),
            ))),
        }
    }

    /// Refuses a person who names no agreement where acting on all of them at once is the
    /// operator's (accepting or closing every agreement's deliveries).
    pub fn must_name_agreement(&self, agreement: Option<&str>, what: &str) -> AppResult<()> {
        match (self, agreement) {
            (Actor::Person(_), None) => Err(AppError::field(
                "agreement",
                format!("name the agreement whose period or deliveries you {what}"),
            )),
            _ => Ok(()),
        }
    }

    /// The first of `organisations` for which `action` is allowed, else the refusal for the
    /// first of them.
    pub fn first_allowed(
        &self,
        organisations: &[String],
        action: impl Fn(&str) -> Action,
    ) -> AppResult<String> {
        if let Actor::Operator(_) = self {
            return Ok(organisations.first().cloned().unwrap_or_default());
        }
        let mut refusal = None;
        for org in organisations {
            match self.authorize(&action(org)) {
                Ok(()) => return Ok(org.clone()),
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        Err(refusal
            .unwrap_or_else(|| AppError::Denied(Denied(Message::new("denied-no-organisation")))))
    }

    /// The audit event of `action` on `subject`, by this actor.
    pub fn audit(&self, action: AuditAction, subject: &str, detail: Value) -> Audit {
        Audit::new(self.name(), action.as_str(), subject, detail)
    }
}
