//! The SQL that both engines run, written once: each statement with its row mapping, and the
//! functions made only of such statements.
//!
//! Statements use `$n` placeholders. PostgreSQL numbers them as written; SQLite takes `$1`,
//! `$2`, … as named parameters numbered in the order they first appear, so every statement
//! here names its parameters in the order of first appearance (`$1` first, then `$2`, …),
//! which the tests below check, and the engines bind them positionally. A statement with
//! optional filters is built by [`Query`], which adds a condition only for a value given and
//! numbers the placeholders as it writes them (PostgreSQL could not type a `$n` that only
//! appears in `$n IS NULL`).
//!
//! The engines differ in how they store values, not in what the statements say: SQLite keeps
//! decimals and dates as text, PostgreSQL as `NUMERIC` and `DATE`. [`RowGet`] reads a column
//! as the domain's type on either engine, and [`Arg`] is a parameter that each engine binds in
//! its own type. A decimal is read through `CAST(… AS TEXT)` (a no-op on SQLite), so that its
//! exact text reaches the domain on both.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use synergies_domain::cooperation::{
    ActionItem, EventContribution, TaskForceMeeting, TaskForceMember, Trainee, TrainingEvent,
};
use synergies_domain::model::*;
use synergies_domain::{Currency, Month};

use serde_json::Value;

use synergies_domain::decision::DecisionStatus;
use synergies_domain::ledger::{Account, JournalEntry, Posting};
use synergies_domain::mandate::MandateStatus;

use synergies_domain::delivery::{Delivery, DeliveryStatus, StoredDelivery};
use synergies_domain::Money;

use synergies_domain::activity::Activity;
use synergies_domain::agreement::{Agreement, AgreementKind, AgreementVersion, VersionStatus};
use synergies_domain::ledger::TrialBalance;
use synergies_domain::mandate::{Mandate, Tracking};

use crate::{
    ApiTokenRecord, Audit, AuditEvent, AuditFilter, ChargeFilter, ChargeRecord, ChargeTotal,
    ClosingRecord, ClosingStatus, DecisionRecord, DeliveryFilter, DeliveryTally, MandateLink,
    MandateNote, NewApiToken, NewClosing, Page, SessionRecord, SignInsEnded, StoreError,
    StoreResult, UserRecord,
};

/// One column of a result row, read as the domain's type whatever the engine stores.
pub(crate) trait RowGet {
    fn text(&self, i: usize) -> StoreResult<String>;
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>>;
    fn int(&self, i: usize) -> StoreResult<i64>;
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>>;
    fn date(&self, i: usize) -> StoreResult<NaiveDate>;
    fn opt_date(&self, i: usize) -> StoreResult<Option<NaiveDate>>;
    /// A decimal, from its exact text (`CAST(… AS TEXT)`).
    fn decimal(&self, i: usize) -> StoreResult<Decimal> {
        let s = self.text(i)?;
        s.parse()
            .map_err(|_| StoreError::Database(format!("stored decimal {s:?} is not valid")))
    }
}

/// A statement's parameter, bound by each engine in its own type (a date is text on SQLite).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    OptText(Option<&'a str>),
    OptInt(Option<i64>),
    /// An exact decimal by its text (`2.50`), stored as written.
    Decimal(&'a str),
}

/// A connection (or transaction) that runs the statements of this module.
pub(crate) trait Db {
    /// Runs a query and maps every row.
    fn rows<T>(
        &mut self,
        sql: &str,
        args: &[Arg],
        map: impl FnMut(&dyn RowGet) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>>;
    /// Runs a query and hands each row to `f` as it is read (without collecting them); an
    /// error of `f` stops the query and is returned.
    fn each(
        &mut self,
        sql: &str,
        args: &[Arg],
        f: &mut dyn FnMut(&dyn RowGet) -> StoreResult<()>,
    ) -> StoreResult<()>;
    /// Runs a statement; returns how many rows it changed.
    fn exec(&mut self, sql: &str, args: &[Arg]) -> StoreResult<u64>;
    /// The first row's mapping, if any.
    fn row<T>(
        &mut self,
        sql: &str,
        args: &[Arg],
        map: impl FnMut(&dyn RowGet) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        Ok(self.rows(sql, args, map)?.into_iter().next())
    }
}

/// A connection borrowed for a call: the functions of this module pass theirs on this way.
impl<D: Db> Db for &mut D {
    fn rows<T>(
        &mut self,
        sql: &str,
        args: &[Arg],
        map: impl FnMut(&dyn RowGet) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        (**self).rows(sql, args, map)
    }
    fn each(
        &mut self,
        sql: &str,
        args: &[Arg],
        f: &mut dyn FnMut(&dyn RowGet) -> StoreResult<()>,
    ) -> StoreResult<()> {
        (**self).each(sql, args, f)
    }
    fn exec(&mut self, sql: &str, args: &[Arg]) -> StoreResult<u64> {
        (**self).exec(sql, args)
    }
}

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Database(format!("stored {what} {value:?} is not valid"))
}

fn currency(s: &str) -> StoreResult<Currency> {
    s.parse().map_err(|_| invalid("currency", s))
}

// ---------------------------------------------------------------------------------------------
// Reference data.

pub(crate) const ORGANISATIONS: &str = "SELECT code, name FROM organisations ORDER BY code";
pub(crate) const CONVENTIONS: &str =
    "SELECT code, name, organisation FROM conventions ORDER BY code";
pub(crate) const FUNDS: &str =
    "SELECT code, name, convention, organisation, kind FROM funds ORDER BY code";
pub(crate) const BIENNIUMS: &str =
    "SELECT code, start_date, end_date, status FROM bienniums ORDER BY code";
pub(crate) const BUDGET_LINES: &str =
    "SELECT fund, biennium, activity, title, currency, amount_minor, \
     CAST(staff_days AS TEXT) FROM budget_lines ORDER BY fund, biennium, activity";
pub(crate) const SERVICES: &str =
    "SELECT code, name, provider, category, unit FROM services ORDER BY code";
pub(crate) const RATE_CARDS: &str =
    "SELECT provider, biennium, currency, CAST(psc_rate AS TEXT) FROM rate_cards \
     ORDER BY provider, biennium";
pub(crate) const RATES: &str =
    "SELECT provider, biennium, rate_key, unit, effective_from, CAST(amount AS TEXT), currency \
     FROM rates ORDER BY provider, rate_key, unit, effective_from";
pub(crate) const FX_RATES: &str =
    "SELECT currency, month, CAST(per_usd AS TEXT) FROM fx_rates ORDER BY currency, month";
pub(crate) const POSTED_PERIODS: &str =
    "SELECT DISTINCT a.provider, a.biennium, c.period_start, c.period_end \
     FROM closings c JOIN agreements a ON a.id = c.agreement_id WHERE c.status = 'posted'";

/// The framework's reference data, each list sorted by its key.
pub(crate) fn read_framework(mut c: impl Db) -> StoreResult<Framework> {
    let organisations = c.rows(ORGANISATIONS, &[], |r| {
        Ok(Organisation {
            code: r.text(0)?,
            name: r.text(1)?,
        })
    })?;
    let conventions = c.rows(CONVENTIONS, &[], |r| {
        Ok(Convention {
            code: r.text(0)?,
            name: r.text(1)?,
            organisation: r.text(2)?,
        })
    })?;
    let funds = c.rows(FUNDS, &[], |r| {
        let kind = r.text(4)?;
        Ok(Fund {
            code: r.text(0)?,
            name: r.text(1)?,
            convention: r.text(2)?,
            organisation: r.text(3)?,
            kind: FundKind::parse(&kind).ok_or_else(|| invalid("fund kind", &kind))?,
        })
    })?;
    let bienniums = c.rows(BIENNIUMS, &[], |r| {
        let status = r.text(3)?;
        Ok(Biennium {
            code: r.text(0)?,
            start: r.date(1)?,
            end: r.date(2)?,
            status: BienniumStatus::parse(&status)
                .ok_or_else(|| invalid("biennium status", &status))?,
        })
    })?;
    let budget_lines = c.rows(BUDGET_LINES, &[], |r| {
        Ok(BudgetLine {
            fund: r.text(0)?,
            biennium: r.text(1)?,
            activity: r.text(2)?,
            title: r.text(3)?,
            currency: currency(&r.text(4)?)?,
            amount_minor: r.int(5)?,
            staff_days: r.decimal(6)?,
        })
    })?;
    let services = c.rows(SERVICES, &[], |r| {
        let category = r.text(3)?;
        let unit = r.text(4)?;
        Ok(Service {
            code: r.text(0)?,
            name: r.text(1)?,
            provider: r.text(2)?,
            category: ServiceCategory::parse(&category)
                .ok_or_else(|| invalid("category", &category))?,
            unit: Unit::parse(&unit).ok_or_else(|| invalid("unit", &unit))?,
        })
    })?;
    let rate_cards = c.rows(RATE_CARDS, &[], |r| {
        Ok(RateCard {
            provider: r.text(0)?,
            biennium: r.text(1)?,
            currency: currency(&r.text(2)?)?,
            psc_rate: r.decimal(3)?,
        })
    })?;
    let rates = c.rows(RATES, &[], |r| {
        let key = r.text(2)?;
        let unit = r.text(3)?;
        Ok(Rate {
            provider: r.text(0)?,
            biennium: r.text(1)?,
            key: RateKey::from_text(&key).ok_or_else(|| invalid("rate key", &key))?,
            unit: Unit::parse(&unit).ok_or_else(|| invalid("unit", &unit))?,
            effective_from: r.date(4)?,
            amount: r.decimal(5)?,
            currency: currency(&r.text(6)?)?,
        })
    })?;
    let fx_rates = c.rows(FX_RATES, &[], |r| {
        let month = r.text(1)?;
        Ok(FxRate {
            currency: currency(&r.text(0)?)?,
            month: month
                .parse::<Month>()
                .map_err(|_| invalid("month", &month))?,
            per_usd: r.decimal(2)?,
        })
    })?;
    Ok(Framework {
        organisations,
        conventions,
        funds,
        bienniums,
        budget_lines,
        services,
        rate_cards,
        rates,
        fx_rates,
    })
}

/// The posted (not reversed) closings, with their agreement's provider and biennium and their
/// period's days: what the frozen-data rule of the framework protects.
pub(crate) fn posted_periods(mut c: impl Db) -> StoreResult<Vec<PostedPeriod>> {
    c.rows(POSTED_PERIODS, &[], |r| {
        Ok(PostedPeriod {
            provider: r.text(0)?,
            biennium: r.text(1)?,
            start: r.date(2)?,
            end: r.date(3)?,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Identity and the audit trail.

pub(crate) const END_SESSIONS: &str = "DELETE FROM sessions WHERE username = $1";
pub(crate) const END_TOKENS: &str =
    "UPDATE api_tokens SET revoked_at = $1 WHERE username = $2 AND revoked_at IS NULL";
pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO audit_events (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const FORGET_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at < $1";
pub(crate) const INSERT_SESSION: &str =
    "INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5)";
pub(crate) const SESSION: &str =
    "SELECT token_hash, username, csrf_token, created_at, expires_at FROM sessions \
     WHERE token_hash = $1";
pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
pub(crate) const LIVE_TOKENS: &str = "SELECT count(*) FROM api_tokens WHERE username = $1 \
     AND revoked_at IS NULL AND expires_at > $2";
pub(crate) const API_TOKENS: &str =
    "SELECT id, username, name, created_at, revoked_at, expires_at FROM api_tokens \
     WHERE username = $1 ORDER BY id";
pub(crate) const REVOKE_API_TOKEN: &str = "UPDATE api_tokens SET revoked_at = $1 \
     WHERE id = $2 AND username = $3 AND revoked_at IS NULL";
pub(crate) const API_TOKEN_OWNER: &str =
    "SELECT username FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
     AND expires_at > $2";

/// Ends a user's sessions and tokens in the caller's transaction.
pub(crate) fn end_sign_ins(mut c: impl Db, username: &str, at: &str) -> StoreResult<SignInsEnded> {
    let sessions = c.exec(END_SESSIONS, &[Arg::Text(username)])?;
    let tokens = c.exec(END_TOKENS, &[Arg::Text(at), Arg::Text(username)])?;
    Ok(SignInsEnded { sessions, tokens })
}

/// Writes an audit event in the caller's transaction.
pub(crate) fn insert_audit(mut c: impl Db, audit: &Audit, outcome: Value) -> StoreResult<()> {
    let at = chrono::Utc::now().to_rfc3339();
    let detail = audit.detail_with(outcome);
    c.exec(
        INSERT_AUDIT,
        &[
            Arg::Text(&at),
            Arg::Text(&audit.actor),
            Arg::Text(&audit.action),
            Arg::Text(&audit.subject),
            Arg::Text(&detail),
        ],
    )?;
    Ok(())
}

/// Records a session, and forgets the sessions expired before it was made.
pub(crate) fn create_session(mut c: impl Db, session: &SessionRecord) -> StoreResult<()> {
    c.exec(FORGET_EXPIRED_SESSIONS, &[Arg::Text(&session.created_at)])?;
    c.exec(
        INSERT_SESSION,
        &[
            Arg::Text(&session.token_hash),
            Arg::Text(&session.username),
            Arg::Text(&session.csrf_token),
            Arg::Text(&session.created_at),
            Arg::Text(&session.expires_at),
        ],
    )?;
    Ok(())
}

pub(crate) fn session(mut c: impl Db, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
    c.row(SESSION, &[Arg::Text(token_hash)], |r| {
        Ok(SessionRecord {
            token_hash: r.text(0)?,
            username: r.text(1)?,
            csrf_token: r.text(2)?,
            created_at: r.text(3)?,
            expires_at: r.text(4)?,
        })
    })
}

pub(crate) fn delete_session(mut c: impl Db, token_hash: &str) -> StoreResult<()> {
    c.exec(DELETE_SESSION, &[Arg::Text(token_hash)])?;
    Ok(())
}

/// Refuses with `Conflict` an owner who holds `t.max_live` live tokens at `t.created_at`.
pub(crate) fn check_live_tokens(mut c: impl Db, t: &NewApiToken) -> StoreResult<()> {
    let live = c
        .row(
            LIVE_TOKENS,
            &[Arg::Text(&t.username), Arg::Text(&t.created_at)],
            |r| r.int(0),
        )?
        .unwrap_or(0);
    if live >= i64::from(t.max_live) {
        return Err(StoreError::Conflict(format!(
            "{} already holds {live} live tokens, the most one may hold; revoke one first",
            t.username
        )));
    }
    Ok(())
}

pub(crate) fn api_tokens(mut c: impl Db, username: &str) -> StoreResult<Vec<ApiTokenRecord>> {
    c.rows(API_TOKENS, &[Arg::Text(username)], |r| {
        Ok(ApiTokenRecord {
            id: r.int(0)?,
            username: r.text(1)?,
            name: r.text(2)?,
            created_at: r.text(3)?,
            revoked_at: r.opt_text(4)?,
            expires_at: r.opt_text(5)?,
        })
    })
}

pub(crate) fn revoke_api_token(
    mut c: impl Db,
    username: &str,
    id: i64,
    at: &str,
) -> StoreResult<bool> {
    let n = c.exec(
        REVOKE_API_TOKEN,
        &[Arg::Text(at), Arg::Int(id), Arg::Text(username)],
    )?;
    Ok(n == 1)
}

pub(crate) fn api_token_owner(
    mut c: impl Db,
    token_hash: &str,
    now: &str,
) -> StoreResult<Option<String>> {
    c.row(
        API_TOKEN_OWNER,
        &[Arg::Text(token_hash), Arg::Text(now)],
        |r| r.text(0),
    )
}

// ---------------------------------------------------------------------------------------------
// The registry of decisions and mandates, and cooperation records.

pub(crate) const DECISIONS: &str =
    "SELECT number, language, treaty, meeting, title, document, imported_at, kind, body, \
     status, adopted_on FROM decisions ORDER BY number, language";
pub(crate) const SET_DECISION_STATUS: &str =
    "UPDATE decisions SET status = $1, adopted_on = $2 WHERE number = $3";
pub(crate) const SET_MANDATE_STATUS: &str =
    "UPDATE mandates SET status = $1 WHERE decision = $2 AND paragraph = $3";
pub(crate) const INSERT_MANDATE_NOTE: &str =
    "INSERT INTO mandate_notes (decision, paragraph, noted_on, status, note, author) \
     VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const MANDATE_NOTES: &str = "SELECT noted_on, status, note, author FROM mandate_notes \
     WHERE decision = $1 AND paragraph = $2 ORDER BY id";
pub(crate) const LINK_MANDATE: &str =
    "INSERT INTO agreement_mandates (agreement, decision, paragraph) \
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
pub(crate) const UNLINK_MANDATE: &str = "DELETE FROM agreement_mandates \
     WHERE agreement = $1 AND decision = $2 AND paragraph = $3";

/// Every decision in every language, by number then language.
pub(crate) fn decisions(mut c: impl Db) -> StoreResult<Vec<DecisionRecord>> {
    c.rows(DECISIONS, &[], |r| {
        let (kind, body, status) = crate::decision_keys(&r.text(7)?, &r.text(8)?, &r.text(9)?)?;
        let meeting = r.int(3)?;
        Ok(DecisionRecord {
            number: r.text(0)?,
            language: r.text(1)?,
            treaty: r.text(2)?,
            kind,
            body,
            meeting: u32::try_from(meeting)
                .map_err(|_| invalid("meeting", &meeting.to_string()))?,
            status,
            adopted_on: r.opt_date(10)?,
            title: r.text(4)?,
            document: r.text(5)?,
            imported_at: r.text(6)?,
        })
    })
}

/// Sets a decision's status and adoption date in every language; how many rows it changed.
pub(crate) fn set_decision_status(
    mut c: impl Db,
    number: &str,
    status: DecisionStatus,
    adopted_on: Option<NaiveDate>,
) -> StoreResult<u64> {
    c.exec(
        SET_DECISION_STATUS,
        &[
            Arg::Text(status.as_str()),
            Arg::OptDate(adopted_on),
            Arg::Text(number),
        ],
    )
}

/// Sets a mandate's status and records its note (`NotFound` for an unknown mandate).
pub(crate) fn update_mandate(
    mut c: impl Db,
    decision: &str,
    paragraph: &str,
    note: &MandateNote,
) -> StoreResult<()> {
    let status = note.status.as_str();
    let n = c.exec(
        SET_MANDATE_STATUS,
        &[Arg::Text(status), Arg::Text(decision), Arg::Text(paragraph)],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "no mandate {paragraph} of {decision}"
        )));
    }
    c.exec(
        INSERT_MANDATE_NOTE,
        &[
            Arg::Text(decision),
            Arg::Text(paragraph),
            Arg::Date(note.noted_on),
            Arg::Text(status),
            Arg::Text(&note.note),
            Arg::Text(&note.author),
        ],
    )?;
    Ok(())
}

pub(crate) fn mandate_notes(
    mut c: impl Db,
    decision: &str,
    paragraph: &str,
) -> StoreResult<Vec<MandateNote>> {
    c.rows(
        MANDATE_NOTES,
        &[Arg::Text(decision), Arg::Text(paragraph)],
        |r| {
            let status = r.text(1)?;
            Ok(MandateNote {
                noted_on: r.date(0)?,
                status: MandateStatus::parse(&status).ok_or_else(|| invalid("status", &status))?,
                note: r.text(2)?,
                author: r.text(3)?,
            })
        },
    )
}

fn link_args(link: &MandateLink) -> [Arg<'_>; 3] {
    [
        Arg::Text(&link.agreement),
        Arg::Text(&link.decision),
        Arg::Text(&link.paragraph),
    ]
}

/// Records a link; true when it is new.
pub(crate) fn link_mandate(mut c: impl Db, link: &MandateLink) -> StoreResult<bool> {
    Ok(c.exec(LINK_MANDATE, &link_args(link))? == 1)
}

/// Removes a link; true when there was one.
pub(crate) fn unlink_mandate(mut c: impl Db, link: &MandateLink) -> StoreResult<bool> {
    Ok(c.exec(UNLINK_MANDATE, &link_args(link))? == 1)
}

// ---------------------------------------------------------------------------------------------
// Training events and the joint task force (typed tables; lists in order by `position`).

pub(crate) const UPSERT_TRAINING_EVENT: &str =
    "INSERT INTO training_events (code, title, starts_on, ends_on, place, agreement) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET title = excluded.title, \
     starts_on = excluded.starts_on, ends_on = excluded.ends_on, place = excluded.place, \
     agreement = excluded.agreement";
pub(crate) const DELETE_TRAINING_BODIES: &str = "DELETE FROM training_bodies WHERE event = $1";
pub(crate) const DELETE_TRAINING_PARTICIPANTS: &str =
    "DELETE FROM training_participants WHERE event = $1";
pub(crate) const DELETE_TRAINING_CONTRIBUTIONS: &str =
    "DELETE FROM training_contributions WHERE event = $1";
pub(crate) const INSERT_TRAINING_BODY: &str =
    "INSERT INTO training_bodies (event, position, body) VALUES ($1, $2, $3)";
pub(crate) const INSERT_TRAINING_PARTICIPANT: &str =
    "INSERT INTO training_participants (event, position, country, region, gender, role) \
     VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const INSERT_TRAINING_CONTRIBUTION: &str =
    "INSERT INTO training_contributions (event, position, organisation, staff_days, \
     amount_minor) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const TRAINING_EVENTS: &str =
    "SELECT code, title, starts_on, ends_on, place, agreement FROM training_events ORDER BY code";
pub(crate) const TRAINING_BODIES: &str =
    "SELECT event, body FROM training_bodies ORDER BY event, position";
pub(crate) const TRAINING_PARTICIPANTS: &str =
    "SELECT event, country, region, gender, role FROM training_participants \
     ORDER BY event, position";
pub(crate) const TRAINING_CONTRIBUTIONS: &str =
    "SELECT event, organisation, CAST(staff_days AS TEXT), amount_minor \
     FROM training_contributions ORDER BY event, position";

pub(crate) const UPSERT_TASKFORCE_MEMBER: &str =
    "INSERT INTO taskforce_members (name, organisation) VALUES ($1, $2) \
     ON CONFLICT (name) DO UPDATE SET organisation = excluded.organisation";
pub(crate) const UPSERT_TASKFORCE_MEETING: &str =
    "INSERT INTO taskforce_meetings (code, held_on, minutes) VALUES ($1, $2, $3) \
     ON CONFLICT (code) DO UPDATE SET held_on = excluded.held_on, minutes = excluded.minutes";
pub(crate) const DELETE_TASKFORCE_ATTENDEES: &str =
    "DELETE FROM taskforce_attendees WHERE meeting = $1";
pub(crate) const INSERT_TASKFORCE_ATTENDEE: &str =
    "INSERT INTO taskforce_attendees (meeting, position, attendee) VALUES ($1, $2, $3)";
pub(crate) const UPSERT_TASKFORCE_ACTION_ITEM: &str =
    "INSERT INTO taskforce_action_items (code, title, owner, due_on, status, meeting, activity) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET \
     title = excluded.title, owner = excluded.owner, due_on = excluded.due_on, \
     status = excluded.status, meeting = excluded.meeting, activity = excluded.activity";
pub(crate) const TASKFORCE_MEMBERS: &str =
    "SELECT name, organisation FROM taskforce_members ORDER BY name";
pub(crate) const TASKFORCE_MEETINGS: &str =
    "SELECT code, held_on, minutes FROM taskforce_meetings ORDER BY code";
pub(crate) const TASKFORCE_ATTENDEES: &str =
    "SELECT meeting, attendee FROM taskforce_attendees ORDER BY meeting, position";
pub(crate) const TASKFORCE_ACTION_ITEMS: &str =
    "SELECT code, title, owner, due_on, status, meeting, activity FROM taskforce_action_items \
     ORDER BY code";

/// A value of one of the domain's enums as its stored (serde) name.
fn enum_name<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => Ok(s),
        _ => Err(StoreError::Database("an enum without a name".into())),
    }
}

/// A stored name read back as one of the domain's enums.
fn enum_of<T: serde::de::DeserializeOwned>(what: &str, s: String) -> StoreResult<T> {
    serde_json::from_value(Value::String(s.clone())).map_err(|_| invalid(what, &s))
}

/// The record `code` of `map`, which a row of one of its lists names.
fn listed_in<'a, T>(
    map: &'a mut BTreeMap<String, T>,
    code: &str,
    what: &str,
) -> StoreResult<&'a mut T> {
    map.get_mut(code).ok_or_else(|| invalid(what, code))
}

/// Position `i` of a list, as stored.
fn position(i: usize) -> Arg<'static> {
    Arg::Int(i as i64)
}

pub(crate) fn save_training_events(mut c: impl Db, events: &[TrainingEvent]) -> StoreResult<()> {
    for e in events {
        let code = Arg::Text(&e.code);
        c.exec(
            UPSERT_TRAINING_EVENT,
            &[
                code,
                Arg::Text(&e.title),
                Arg::Date(e.start),
                Arg::Date(e.end),
                Arg::OptText(e.place.as_deref()),
                Arg::OptText(e.agreement.as_deref()),
            ],
        )?;
        for delete in [
            DELETE_TRAINING_BODIES,
            DELETE_TRAINING_PARTICIPANTS,
            DELETE_TRAINING_CONTRIBUTIONS,
        ] {
            c.exec(delete, &[code])?;
        }
        for (i, body) in e.bodies.iter().enumerate() {
            c.exec(INSERT_TRAINING_BODY, &[code, position(i), Arg::Text(body)])?;
        }
        for (i, p) in e.participants.iter().enumerate() {
            let (region, gender) = (enum_name(&p.region)?, enum_name(&p.gender)?);
            c.exec(
                INSERT_TRAINING_PARTICIPANT,
                &[
                    code,
                    position(i),
                    Arg::Text(&p.country),
                    Arg::Text(&region),
                    Arg::Text(&gender),
                    Arg::Text(&p.role),
                ],
            )?;
        }
        for (i, k) in e.contributions.iter().enumerate() {
            let days = k.staff_days.to_string();
            c.exec(
                INSERT_TRAINING_CONTRIBUTION,
                &[
                    code,
                    position(i),
                    Arg::Text(&k.organisation),
                    Arg::Decimal(&days),
                    Arg::Int(k.amount_minor),
                ],
            )?;
        }
    }
    Ok(())
}

pub(crate) fn training_events(mut c: impl Db) -> StoreResult<Vec<TrainingEvent>> {
    let mut events: BTreeMap<String, TrainingEvent> = c
        .rows(TRAINING_EVENTS, &[], |r| {
            Ok(TrainingEvent {
                code: r.text(0)?,
                title: r.text(1)?,
                bodies: vec![],
                start: r.date(2)?,
                end: r.date(3)?,
                place: r.opt_text(4)?,
                agreement: r.opt_text(5)?,
                participants: vec![],
                contributions: vec![],
            })
        })?
        .into_iter()
        .map(|e| (e.code.clone(), e))
        .collect();
    for (code, body) in c.rows(TRAINING_BODIES, &[], |r| Ok((r.text(0)?, r.text(1)?)))? {
        listed_in(&mut events, &code, "training event")?
            .bodies
            .push(body);
    }
    for (code, p) in c.rows(TRAINING_PARTICIPANTS, &[], |r| {
        Ok((
            r.text(0)?,
            Trainee {
                country: r.text(1)?,
                region: enum_of("regional group", r.text(2)?)?,
                gender: enum_of("gender", r.text(3)?)?,
                role: r.text(4)?,
            },
        ))
    })? {
        listed_in(&mut events, &code, "training event")?
            .participants
            .push(p);
    }
    for (code, k) in c.rows(TRAINING_CONTRIBUTIONS, &[], |r| {
        Ok((
            r.text(0)?,
            EventContribution {
                organisation: r.text(1)?,
                staff_days: r.decimal(2)?,
                amount_minor: r.int(3)?,
            },
        ))
    })? {
        listed_in(&mut events, &code, "training event")?
            .contributions
            .push(k);
    }
    Ok(events.into_values().collect())
}

pub(crate) fn save_task_force(
    mut c: impl Db,
    members: &[TaskForceMember],
    meetings: &[TaskForceMeeting],
    action_items: &[ActionItem],
) -> StoreResult<()> {
    for m in members {
        c.exec(
            UPSERT_TASKFORCE_MEMBER,
            &[Arg::Text(&m.name), Arg::Text(&m.organisation)],
        )?;
    }
    for m in meetings {
        let code = Arg::Text(&m.code);
        c.exec(
            UPSERT_TASKFORCE_MEETING,
            &[code, Arg::Date(m.date), Arg::Text(&m.minutes)],
        )?;
        c.exec(DELETE_TASKFORCE_ATTENDEES, &[code])?;
        for (i, a) in m.attendees.iter().enumerate() {
            c.exec(
                INSERT_TASKFORCE_ATTENDEE,
                &[code, position(i), Arg::Text(a)],
            )?;
        }
    }
    for a in action_items {
        let status = enum_name(&a.status)?;
        c.exec(
            UPSERT_TASKFORCE_ACTION_ITEM,
            &[
                Arg::Text(&a.code),
                Arg::Text(&a.title),
                Arg::Text(&a.owner),
                Arg::Date(a.due),
                Arg::Text(&status),
                Arg::OptText(a.meeting.as_deref()),
                Arg::OptText(a.activity.as_deref()),
            ],
        )?;
    }
    Ok(())
}

pub(crate) fn task_force_members(mut c: impl Db) -> StoreResult<Vec<TaskForceMember>> {
    c.rows(TASKFORCE_MEMBERS, &[], |r| {
        Ok(TaskForceMember {
            name: r.text(0)?,
            organisation: r.text(1)?,
        })
    })
}

pub(crate) fn task_force_meetings(mut c: impl Db) -> StoreResult<Vec<TaskForceMeeting>> {
    let mut meetings: BTreeMap<String, TaskForceMeeting> = c
        .rows(TASKFORCE_MEETINGS, &[], |r| {
            Ok(TaskForceMeeting {
                code: r.text(0)?,
                date: r.date(1)?,
                attendees: vec![],
                minutes: r.text(2)?,
            })
        })?
        .into_iter()
        .map(|m| (m.code.clone(), m))
        .collect();
    for (code, a) in c.rows(TASKFORCE_ATTENDEES, &[], |r| Ok((r.text(0)?, r.text(1)?)))? {
        listed_in(&mut meetings, &code, "task-force meeting")?
            .attendees
            .push(a);
    }
    Ok(meetings.into_values().collect())
}

pub(crate) fn action_items(mut c: impl Db) -> StoreResult<Vec<ActionItem>> {
    c.rows(TASKFORCE_ACTION_ITEMS, &[], |r| {
        Ok(ActionItem {
            code: r.text(0)?,
            title: r.text(1)?,
            owner: r.text(2)?,
            due: r.date(3)?,
            status: enum_of("action status", r.text(4)?)?,
            meeting: r.opt_text(5)?,
            activity: r.opt_text(6)?,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Agreements and their deliveries.

pub(crate) const AGREEMENT_ID: &str = "SELECT id FROM agreements WHERE code = $1";
pub(crate) const AGREEMENT_CODES: &str = "SELECT id, code FROM agreements";
pub(crate) const SET_AGREEMENT_TITLE: &str =
    "UPDATE agreements SET title = $1, revision = revision + 1 WHERE id = $2 AND revision = $3";
pub(crate) const DISPUTE_DELIVERY: &str =
    "UPDATE deliveries SET status = 'disputed', dispute_reason = $1 \
     WHERE agreement_id = $2 AND external_id = $3 AND status = 'recorded'";

/// An agreement's id (`NotFound` for an unknown code).
pub(crate) fn agreement_id(mut c: impl Db, code: &str) -> StoreResult<i64> {
    agreement_id_in(&mut c, code)
}

fn agreement_id_in(c: &mut impl Db, code: &str) -> StoreResult<i64> {
    c.row(AGREEMENT_ID, &[Arg::Text(code)], |r| r.int(0))?
        .ok_or_else(|| StoreError::NotFound(format!("unknown agreement {code}")))
}

/// Every agreement's code by its id.
fn agreement_codes_in(c: &mut impl Db) -> StoreResult<std::collections::HashMap<i64, String>> {
    Ok(
        c.rows(AGREEMENT_CODES, &[], |r| Ok((r.int(0)?, r.text(1)?)))?
            .into_iter()
            .collect(),
    )
}

/// Sets an agreement's title and counts a revision, if its revision is still `revision`;
/// false when another change came first.
pub(crate) fn set_agreement_title(
    mut c: impl Db,
    id: i64,
    title: &str,
    revision: u64,
) -> StoreResult<bool> {
    let n = c.exec(
        SET_AGREEMENT_TITLE,
        &[Arg::Text(title), Arg::Int(id), Arg::Int(revision as i64)],
    )?;
    Ok(n == 1)
}

/// Marks a recorded (not yet accepted) delivery disputed, with its reason (`NotFound` when
/// there is no such delivery).
pub(crate) fn dispute_delivery(
    mut c: impl Db,
    agreement: &str,
    external_id: &str,
    reason: &str,
) -> StoreResult<()> {
    let id = agreement_id_in(&mut c, agreement)?;
    let n = c.exec(
        DISPUTE_DELIVERY,
        &[Arg::Text(reason), Arg::Int(id), Arg::Text(external_id)],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "no recorded (not yet accepted) delivery {external_id} under {agreement}"
        )));
    }
    Ok(())
}

/// A delivery's columns, as [`delivery`] reads them, with the closing that charged it.
pub(crate) const DELIVERY_COLUMNS: &str = "d.id, d.agreement_id, d.service, d.date, \
     CAST(d.quantity AS TEXT), d.grade, d.expense_minor, d.expense_currency, d.description, \
     d.external_id, d.status, cd.closing_id";
/// The deliveries with the closing that charged each, if any.
pub(crate) const DELIVERIES_WITH_CLOSING: &str =
    "deliveries d LEFT JOIN closing_deliveries cd ON cd.delivery_id = d.id";

/// A row of [`DELIVERY_COLUMNS`], under its agreement's code.
pub(crate) fn delivery(r: &dyn RowGet, agreement: &str) -> StoreResult<StoredDelivery> {
    let expense = match (r.opt_int(6)?, r.opt_text(7)?) {
        (Some(minor), Some(c)) => Some(Money::new(minor, currency(&c)?)),
        _ => None,
    };
    let status = r.text(10)?;
    Ok(StoredDelivery {
        id: r.int(0)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| invalid("status", &status))?,
        closing: r.opt_int(11)?,
        delivery: Delivery {
            agreement: agreement.to_string(),
            service: r.text(2)?,
            date: r.date(3)?,
            quantity: r.decimal(4)?,
            grade: r.opt_text(5)?,
            expense,
            description: r.text(8)?,
            external_id: r.text(9)?,
        },
    })
}

/// The conditions of a delivery filter, the one reading of `DeliveryFilter` for every query
/// of deliveries (`agreement` is the filter's agreement as its id).
fn delivery_conditions<'a>(q: &mut Query<'a>, filter: &'a DeliveryFilter, agreement: Option<i64>) {
    if let Some(id) = agreement {
        q.filter("d.agreement_id =", Arg::Int(id));
    }
    if let Some(from) = filter.from {
        q.filter("d.date >=", Arg::Date(from));
    }
    if let Some(to) = filter.to {
        q.filter("d.date <=", Arg::Date(to));
    }
    q.filter_text("d.status =", filter.status.map(|s| s.as_str()));
    if filter.uncharged {
        q.condition("cd.closing_id IS NULL");
    }
    if filter.charged {
        q.condition("cd.closing_id IS NOT NULL");
    }
    if filter.exclude_disputed {
        q.condition("d.status <> 'disputed'");
    }
}

/// Streams the deliveries that `filter` selects, in id order, to `f`.
pub(crate) fn for_each_delivery(
    mut c: impl Db,
    filter: &DeliveryFilter,
    f: &mut dyn FnMut(StoredDelivery) -> StoreResult<()>,
) -> StoreResult<()> {
    let codes = agreement_codes_in(&mut c)?;
    let mut q = Query::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM {DELIVERIES_WITH_CLOSING}"
    ));
    let agreement = match &filter.agreement {
        Some(code) => Some(agreement_id_in(&mut c, code)?),
        None => None,
    };
    delivery_conditions(&mut q, filter, agreement);
    q.push(" ORDER BY d.id");
    q.each(&mut c, &mut |r| {
        let aid = r.int(1)?;
        let code = codes
            .get(&aid)
            .ok_or_else(|| invalid("agreement id", &aid.to_string()))?;
        f(delivery(r, code)?)
    })
}

// ---------------------------------------------------------------------------------------------
// The journal.

pub(crate) const ENTRY: &str = "SELECT e.id, e.key, e.date, e.description, e.reverses, \
     p.fund, p.account, p.currency, p.amount_minor \
     FROM journal_entries e JOIN postings p ON p.entry_id = e.id WHERE e.id = $1 \
     ORDER BY e.id, p.line";
pub(crate) const ENTRIES: &str = "SELECT e.id, e.key, e.date, e.description, e.reverses, \
     p.fund, p.account, p.currency, p.amount_minor \
     FROM journal_entries e JOIN postings p ON p.entry_id = e.id ORDER BY e.id, p.line";
pub(crate) const ENTRY_ID_BY_KEY: &str = "SELECT id FROM journal_entries WHERE key = $1";

/// Streams the entries of a query of [`ENTRY`]'s columns (one row per posting, in entry
/// order) to `f`, each with its postings.
fn read_entries(
    c: &mut impl Db,
    sql: &str,
    args: &[Arg],
    f: &mut dyn FnMut(JournalEntry) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut current: Option<JournalEntry> = None;
    c.each(sql, args, &mut |r| {
        let id = r.int(0)?;
        if current.as_ref().map(|e| e.id) != Some(id) {
            if let Some(done) = current.take() {
                f(done)?;
            }
            current = Some(JournalEntry {
                id,
                key: r.text(1)?,
                date: r.date(2)?,
                description: r.text(3)?,
                reverses: r.opt_int(4)?,
                postings: vec![],
            });
        }
        let account = r.text(6)?;
        current.as_mut().expect("set above").postings.push(Posting {
            fund: r.text(5)?,
            account: Account::parse(&account).ok_or_else(|| invalid("account", &account))?,
            currency: currency(&r.text(7)?)?,
            amount_minor: r.int(8)?,
        });
        Ok(())
    })?;
    if let Some(done) = current {
        f(done)?;
    }
    Ok(())
}

/// One entry with its postings.
pub(crate) fn entry(mut c: impl Db, id: i64) -> StoreResult<Option<JournalEntry>> {
    entry_in(&mut c, id)
}

fn entry_in(c: &mut impl Db, id: i64) -> StoreResult<Option<JournalEntry>> {
    let mut found = None;
    read_entries(c, ENTRY, &[Arg::Int(id)], &mut |e| {
        found = Some(e);
        Ok(())
    })?;
    Ok(found)
}

/// Every entry with its postings, in id order, streamed to `f`.
pub(crate) fn for_each_entry(
    mut c: impl Db,
    f: &mut dyn FnMut(JournalEntry) -> StoreResult<()>,
) -> StoreResult<()> {
    read_entries(&mut c, ENTRIES, &[], f)
}

pub(crate) fn entry_id_by_key(mut c: impl Db, key: &str) -> StoreResult<Option<i64>> {
    c.row(ENTRY_ID_BY_KEY, &[Arg::Text(key)], |r| r.int(0))
}

// ---------------------------------------------------------------------------------------------
// Closings.

pub(crate) const CLOSING_CHARGES: &str =
    "SELECT id, entry_id FROM charges WHERE closing_id = $1 ORDER BY id";
pub(crate) const REVERSE_CHARGE: &str =
    "UPDATE charges SET status = 'reversed', reversal_entry_id = $1 WHERE id = $2";
pub(crate) const KEEP_REVERSED_DELIVERIES: &str =
    "INSERT INTO reversed_closing_deliveries (closing_id, delivery_id) \
     SELECT closing_id, delivery_id FROM closing_deliveries WHERE closing_id = $1";
pub(crate) const RELEASE_DELIVERIES: &str = "DELETE FROM closing_deliveries WHERE closing_id = $1";
pub(crate) const REVERSE_CLOSING: &str = "UPDATE closings SET status = 'reversed' WHERE id = $1";

/// Reverses a closing's charges in the caller's transaction, once its status is checked: each
/// charge's entry is reversed by its entry of `reversals`, the charged deliveries are kept as
/// the reversed closing's and released to be charged again, and the closing is marked
/// reversed.
pub(crate) fn reverse_closing(
    mut c: impl Db,
    closing: i64,
    reversals: &[JournalEntry],
) -> StoreResult<()> {
    let charges = c.rows(CLOSING_CHARGES, &[Arg::Int(closing)], |r| {
        Ok((r.int(0)?, r.int(1)?))
    })?;
    for (charge_id, entry_id) in charges {
        let original = entry_in(&mut c, entry_id)?;
        let reversal = crate::reversal_of(reversals, entry_id, original.as_ref())?;
        let rid = write_entry(&mut c, reversal)?.ok_or_else(|| {
            StoreError::Conflict(format!("entry {} is already posted", reversal.key))
        })?;
        c.exec(REVERSE_CHARGE, &[Arg::Int(rid), Arg::Int(charge_id)])?;
    }
    c.exec(KEEP_REVERSED_DELIVERIES, &[Arg::Int(closing)])?;
    c.exec(RELEASE_DELIVERIES, &[Arg::Int(closing)])?;
    c.exec(REVERSE_CLOSING, &[Arg::Int(closing)])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Statements with optional filters.

/// A statement whose conditions are added only for the values given, each placeholder
/// numbered after the ones before it (in order of first appearance), so that no parameter is
/// left for the engine to type from `$n IS NULL` alone.
pub(crate) struct Query<'a> {
    sql: String,
    args: Vec<Arg<'a>>,
    filtered: bool,
}

impl<'a> Query<'a> {
    pub(crate) fn new(head: &str) -> Self {
        Query {
            sql: head.to_string(),
            args: vec![],
            filtered: false,
        }
    }

    fn keyword(&mut self) {
        self.sql
            .push_str(if self.filtered { " AND " } else { " WHERE " });
        self.filtered = true;
    }

    /// Appends the next placeholder, for `arg`.
    pub(crate) fn param(&mut self, arg: Arg<'a>) -> &mut Self {
        self.args.push(arg);
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Adds the condition `left $n` (`left` such as `"code ="`).
    pub(crate) fn filter(&mut self, left: &str, arg: Arg<'a>) -> &mut Self {
        self.keyword();
        self.sql.push_str(left);
        self.sql.push(' ');
        self.param(arg)
    }

    /// Adds `left $n` when there is a value.
    pub(crate) fn filter_text(&mut self, left: &str, value: Option<&'a str>) -> &mut Self {
        if let Some(v) = value {
            self.filter(left, Arg::Text(v));
        }
        self
    }

    /// Adds a condition without a parameter.
    pub(crate) fn condition(&mut self, condition: &str) -> &mut Self {
        self.keyword();
        self.sql.push_str(condition);
        self
    }

    /// Appends text after the conditions (`ORDER BY …`).
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.sql.push_str(text);
        self
    }

    pub(crate) fn rows<T>(
        &self,
        c: &mut impl Db,
        map: impl FnMut(&dyn RowGet) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        c.rows(&self.sql, &self.args, map)
    }

    pub(crate) fn each(
        &self,
        c: &mut impl Db,
        f: &mut dyn FnMut(&dyn RowGet) -> StoreResult<()>,
    ) -> StoreResult<()> {
        c.each(&self.sql, &self.args, f)
    }

    pub(crate) fn exec(&self, c: &mut impl Db) -> StoreResult<u64> {
        c.exec(&self.sql, &self.args)
    }
}

/// A small count (a version, a sequence, a meeting number) read from a column.
fn small(r: &dyn RowGet, i: usize, what: &str) -> StoreResult<u32> {
    let n = r.int(i)?;
    u32::try_from(n).map_err(|_| invalid(what, &n.to_string()))
}

/// A count (of deliveries, of charges, a revision) read from a column.
fn count(r: &dyn RowGet, i: usize, what: &str) -> StoreResult<u64> {
    let n = r.int(i)?;
    u64::try_from(n).map_err(|_| invalid(what, &n.to_string()))
}

fn json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Database(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Database(format!("stored JSON: {e}")))
}

// ---------------------------------------------------------------------------------------------
// The schema's version and the framework's rows.

pub(crate) const SCHEMA_VERSION: &str =
    "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations";

/// The schema version recorded in `schema_migrations` (which the caller knows exists).
pub(crate) fn schema_version(mut c: impl Db) -> StoreResult<u32> {
    c.row(SCHEMA_VERSION, &[], |r| small(r, 0, "schema version"))?
        .ok_or_else(|| StoreError::Database("no schema version".into()))
}

pub(crate) const UPSERT_ORGANISATION: &str = "INSERT INTO organisations (code, name) \
     VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name";
pub(crate) const UPSERT_CONVENTION: &str =
    "INSERT INTO conventions (code, name, organisation) VALUES ($1, $2, $3) \
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, organisation = excluded.organisation";
pub(crate) const UPSERT_FUND: &str =
    "INSERT INTO funds (code, name, convention, organisation, kind) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, convention = excluded.convention, \
     organisation = excluded.organisation, kind = excluded.kind";
pub(crate) const UPSERT_BIENNIUM: &str =
    "INSERT INTO bienniums (code, start_date, end_date, status) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (code) DO UPDATE SET start_date = excluded.start_date, \
     end_date = excluded.end_date, status = excluded.status";
pub(crate) const UPSERT_BUDGET_LINE: &str =
    "INSERT INTO budget_lines (fund, biennium, activity, title, currency, amount_minor, \
     staff_days) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (fund, biennium, activity) DO UPDATE SET title = excluded.title, \
     currency = excluded.currency, amount_minor = excluded.amount_minor, \
     staff_days = excluded.staff_days";
pub(crate) const UPSERT_SERVICE: &str =
    "INSERT INTO services (code, name, provider, category, unit) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, provider = excluded.provider, \
     category = excluded.category, unit = excluded.unit";
pub(crate) const UPSERT_RATE_CARD: &str =
    "INSERT INTO rate_cards (provider, biennium, currency, psc_rate) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (provider, biennium) DO UPDATE SET currency = excluded.currency, \
     psc_rate = excluded.psc_rate";
pub(crate) const UPSERT_RATE: &str =
    "INSERT INTO rates (provider, biennium, rate_key, unit, effective_from, amount, currency) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (provider, rate_key, unit, effective_from) DO UPDATE SET \
     biennium = excluded.biennium, amount = excluded.amount, currency = excluded.currency";
pub(crate) const UPSERT_FX_RATE: &str =
    "INSERT INTO fx_rates (currency, month, per_usd) VALUES ($1, $2, $3) \
     ON CONFLICT (currency, month) DO UPDATE SET per_usd = excluded.per_usd";

/// Saves the framework's rows in the caller's transaction, after the domain's one check on
/// what this transaction sees (the caller first takes whatever locks its engine needs for
/// that check to stay true until the commit).
pub(crate) fn save_framework(mut c: impl Db, f: &Framework) -> StoreResult<()> {
    check_framework_save(&read_framework(&mut c)?, f, &posted_periods(&mut c)?)?;
    for o in &f.organisations {
        c.exec(
            UPSERT_ORGANISATION,
            &[Arg::Text(&o.code), Arg::Text(&o.name)],
        )?;
    }
    for v in &f.conventions {
        c.exec(
            UPSERT_CONVENTION,
            &[
                Arg::Text(&v.code),
                Arg::Text(&v.name),
                Arg::Text(&v.organisation),
            ],
        )?;
    }
    for x in &f.funds {
        c.exec(
            UPSERT_FUND,
            &[
                Arg::Text(&x.code),
                Arg::Text(&x.name),
                Arg::Text(&x.convention),
                Arg::Text(&x.organisation),
                Arg::Text(x.kind.as_str()),
            ],
        )?;
    }
    for b in &f.bienniums {
        c.exec(
            UPSERT_BIENNIUM,
            &[
                Arg::Text(&b.code),
                Arg::Date(b.start),
                Arg::Date(b.end),
                Arg::Text(b.status.as_str()),
            ],
        )?;
    }
    for l in &f.budget_lines {
        let days = l.staff_days.to_string();
        c.exec(
            UPSERT_BUDGET_LINE,
            &[
                Arg::Text(&l.fund),
                Arg::Text(&l.biennium),
                Arg::Text(&l.activity),
                Arg::Text(&l.title),
                Arg::Text(l.currency.code()),
                Arg::Int(l.amount_minor),
                Arg::Decimal(&days),
            ],
        )?;
    }
    for s in &f.services {
        c.exec(
            UPSERT_SERVICE,
            &[
                Arg::Text(&s.code),
                Arg::Text(&s.name),
                Arg::Text(&s.provider),
                Arg::Text(s.category.as_str()),
                Arg::Text(s.unit.as_str()),
            ],
        )?;
    }
    for rc in &f.rate_cards {
        let psc = rc.psc_rate.to_string();
        c.exec(
            UPSERT_RATE_CARD,
            &[
                Arg::Text(&rc.provider),
                Arg::Text(&rc.biennium),
                Arg::Text(rc.currency.code()),
                Arg::Decimal(&psc),
            ],
        )?;
    }
    for r in &f.rates {
        let (key, amount) = (r.key.to_text(), r.amount.to_string());
        c.exec(
            UPSERT_RATE,
            &[
                Arg::Text(&r.provider),
                Arg::Text(&r.biennium),
                Arg::Text(&key),
                Arg::Text(r.unit.as_str()),
                Arg::Date(r.effective_from),
                Arg::Decimal(&amount),
                Arg::Text(r.currency.code()),
            ],
        )?;
    }
    for x in &f.fx_rates {
        let (month, per_usd) = (x.month.to_string(), x.per_usd.to_string());
        c.exec(
            UPSERT_FX_RATE,
            &[
                Arg::Text(x.currency.code()),
                Arg::Text(&month),
                Arg::Decimal(&per_usd),
            ],
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Agreements.

pub(crate) const INSERT_AGREEMENT: &str =
    "INSERT INTO agreements (code, title, kind, provider, provider_fund, biennium, currency, \
     revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING RETURNING id";
pub(crate) const UPSERT_AGREEMENT_VERSION: &str =
    "INSERT INTO agreement_versions (agreement_id, number, status, ceiling_minor, psc_rate, \
     share_key, lines, participants, approvals, note) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     ON CONFLICT (agreement_id, number) DO UPDATE SET status = excluded.status, \
     ceiling_minor = excluded.ceiling_minor, psc_rate = excluded.psc_rate, \
     share_key = excluded.share_key, lines = excluded.lines, \
     participants = excluded.participants, approvals = excluded.approvals, note = excluded.note";
pub(crate) const AGREEMENTS: &str =
    "SELECT id, code, title, kind, provider, provider_fund, biennium, currency, revision \
     FROM agreements";
pub(crate) const AGREEMENT_VERSIONS: &str =
    "SELECT v.agreement_id, v.number, v.status, v.ceiling_minor, CAST(v.psc_rate AS TEXT), \
     v.share_key, v.lines, v.participants, v.approvals, v.note FROM agreement_versions v";

/// Inserts a new agreement with its versions in the caller's transaction (`Conflict` when its
/// code is taken).
pub(crate) fn insert_agreement(mut c: impl Db, a: &Agreement) -> StoreResult<()> {
    let id = c
        .row(
            INSERT_AGREEMENT,
            &[
                Arg::Text(&a.code),
                Arg::Text(&a.title),
                Arg::Text(a.kind.as_str()),
                Arg::Text(&a.provider),
                Arg::Text(&a.provider_fund),
                Arg::Text(&a.biennium),
                Arg::Text(a.currency.code()),
                Arg::Int(a.revision as i64),
            ],
            |r| r.int(0),
        )?
        .ok_or_else(|| StoreError::Conflict(format!("agreement {} already exists", a.code)))?;
    for v in &a.versions {
        write_version(&mut c, id, v)?;
    }
    Ok(())
}

/// Replaces the versions of agreement `id` (found, and on engines that lock rows locked, by
/// the caller) in the caller's transaction, once the change is checked against the stored
/// agreement and its revision.
pub(crate) fn update_agreement(mut c: impl Db, id: i64, a: &Agreement) -> StoreResult<()> {
    let stored = agreements(&mut c, Some(&a.code))?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("unknown agreement {}", a.code)))?;
    crate::check_agreement_change(&stored, a)?;
    if !set_agreement_title(&mut c, id, &a.title, a.revision)? {
        return Err(crate::stale_agreement(a, stored.revision));
    }
    for v in &a.versions {
        write_version(&mut c, id, v)?;
    }
    Ok(())
}

fn write_version(c: &mut impl Db, agreement_id: i64, v: &AgreementVersion) -> StoreResult<()> {
    let psc = v.psc_rate.to_string();
    let (share_key, lines) = (json(&v.share_key)?, json(&v.lines)?);
    let (participants, approvals) = (json(&v.participants)?, json(&v.approvals)?);
    c.exec(
        UPSERT_AGREEMENT_VERSION,
        &[
            Arg::Int(agreement_id),
            Arg::Int(i64::from(v.number)),
            Arg::Text(v.status.as_str()),
            Arg::Int(v.ceiling_minor),
            Arg::Decimal(&psc),
            Arg::Text(&share_key),
            Arg::Text(&lines),
            Arg::Text(&participants),
            Arg::Text(&approvals),
            Arg::Text(&v.note),
        ],
    )?;
    Ok(())
}

/// Every agreement (or the one of `code`) with its versions, by code: two queries, whatever
/// the number of agreements.
pub(crate) fn agreements(mut c: impl Db, code: Option<&str>) -> StoreResult<Vec<Agreement>> {
    let mut heads = Query::new(AGREEMENTS);
    heads.filter_text("code =", code).push(" ORDER BY code");
    let mut ids = vec![];
    let mut out = heads.rows(&mut c, |r| {
        let kind = r.text(3)?;
        ids.push(r.int(0)?);
        Ok(Agreement {
            code: r.text(1)?,
            title: r.text(2)?,
            kind: AgreementKind::parse(&kind).ok_or_else(|| invalid("kind", &kind))?,
            provider: r.text(4)?,
            provider_fund: r.text(5)?,
            biennium: r.text(6)?,
            currency: currency(&r.text(7)?)?,
            versions: vec![],
            revision: count(r, 8, "revision")?,
        })
    })?;
    if out.is_empty() {
        return Ok(out);
    }
    let index: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut versions = Query::new(AGREEMENT_VERSIONS);
    if let Some(code) = code {
        versions
            .push(" JOIN agreements a ON a.id = v.agreement_id")
            .filter("a.code =", Arg::Text(code));
    }
    versions.push(" ORDER BY v.agreement_id, v.number");
    versions.each(&mut c, &mut |r| {
        let aid = r.int(0)?;
        let status = r.text(2)?;
        let a = index
            .get(&aid)
            .ok_or_else(|| invalid("agreement id", &aid.to_string()))?;
        out[*a].versions.push(AgreementVersion {
            number: small(r, 1, "version number")?,
            status: VersionStatus::parse(&status).ok_or_else(|| invalid("status", &status))?,
            ceiling_minor: r.int(3)?,
            psc_rate: r.decimal(4)?,
            share_key: from_json(&r.text(5)?)?,
            lines: from_json(&r.text(6)?)?,
            participants: from_json(&r.text(7)?)?,
            approvals: from_json(&r.text(8)?)?,
            note: r.text(9)?,
        });
        Ok(())
    })?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Deliveries: acceptance, pages, and what an import reads.

pub(crate) const INSERT_ACCEPTANCE: &str =
    "INSERT INTO acceptances (agreement_id, through_date, accepted_on, deliveries) \
     VALUES ($1, $2, $3, $4)";
pub(crate) const CHARGED_TOTAL: &str =
    "SELECT CAST(COALESCE(SUM(ch.total_minor), 0) AS BIGINT) FROM charges ch \
     JOIN closings k ON k.id = ch.closing_id WHERE k.agreement_id = $1 AND ch.status = 'posted'";

/// Accepts the recorded deliveries (of one agreement, dated up to `through`, when given) in
/// one statement, and records the acceptance; how many it accepted.
pub(crate) fn accept_deliveries(
    mut c: impl Db,
    agreement: Option<&str>,
    through: Option<NaiveDate>,
    accepted_on: NaiveDate,
) -> StoreResult<u64> {
    let id = agreement.map(|a| agreement_id_in(&mut c, a)).transpose()?;
    let mut update = Query::new("UPDATE deliveries SET status = 'accepted'");
    if let Some(id) = id {
        update.filter("agreement_id =", Arg::Int(id));
    }
    update.condition("status = 'recorded'");
    if let Some(through) = through {
        update.filter("date <=", Arg::Date(through));
    }
    let n = update.exec(&mut c)?;
    c.exec(
        INSERT_ACCEPTANCE,
        &[
            Arg::OptInt(id),
            Arg::OptDate(through),
            Arg::Date(accepted_on),
            Arg::Int(n as i64),
        ],
    )?;
    Ok(n)
}

/// A page of deliveries: an agreement's in external-id order (its unique index), or everyone's
/// newest first; of one status when the filter says so.
pub(crate) fn deliveries_page(
    mut c: impl Db,
    filter: &DeliveryFilter,
    page: Page,
) -> StoreResult<Vec<StoredDelivery>> {
    let agreement = match &filter.agreement {
        Some(code) => Some(agreement_id_in(&mut c, code)?),
        None => None,
    };
    let codes = agreement_codes_in(&mut c)?;
    let mut q = Query::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM {DELIVERIES_WITH_CLOSING}"
    ));
    delivery_conditions(&mut q, filter, agreement);
    q.push(match agreement {
        Some(_) => " ORDER BY d.external_id LIMIT ",
        None => " ORDER BY d.id DESC LIMIT ",
    })
    .param(Arg::Int(page.limit as i64))
    .push(" OFFSET ")
    .param(Arg::Int(page.offset as i64));
    q.rows(&mut c, |r| {
        let aid = r.int(1)?;
        let code = codes
            .get(&aid)
            .ok_or_else(|| invalid("agreement id", &aid.to_string()))?;
        delivery(r, code)
    })
}

/// The deliveries counted by agreement, date, status and charge, in one grouped query.
pub(crate) fn delivery_tally(mut c: impl Db) -> StoreResult<Vec<DeliveryTally>> {
    c.rows(
        "SELECT a.code, d.date, d.status, \
         CAST(CASE WHEN cd.closing_id IS NULL THEN 0 ELSE 1 END AS BIGINT), \
         CAST(COUNT(*) AS BIGINT) \
         FROM deliveries d JOIN agreements a ON a.id = d.agreement_id \
         LEFT JOIN closing_deliveries cd ON cd.delivery_id = d.id \
         GROUP BY a.code, d.date, d.status, \
         CASE WHEN cd.closing_id IS NULL THEN 0 ELSE 1 END \
         ORDER BY a.code, d.date",
        &[],
        |r| {
            let status = r.text(2)?;
            Ok(DeliveryTally {
                agreement: r.text(0)?,
                date: r.date(1)?,
                status: DeliveryStatus::parse(&status).ok_or_else(|| invalid("status", &status))?,
                charged: r.int(3)? != 0,
                count: r.int(4)?,
            })
        },
    )
}

/// The delivery recorded under an agreement (by id, named `agreement`) and external id.
pub(crate) fn recorded_delivery(
    mut c: impl Db,
    agreement_id: i64,
    agreement: &str,
    external_id: &str,
) -> StoreResult<Option<StoredDelivery>> {
    c.row(
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM {DELIVERIES_WITH_CLOSING} \
             WHERE d.agreement_id = $1 AND d.external_id = $2"
        ),
        &[Arg::Int(agreement_id), Arg::Text(external_id)],
        |r| delivery(r, agreement),
    )
}

/// Streams the deliveries of agreement `agreement_id` (named `agreement`) that no closing has
/// charged and that are not disputed, in the order they were recorded: one query.
pub(crate) fn for_each_pending(
    mut c: impl Db,
    agreement_id: i64,
    agreement: &str,
    f: &mut dyn FnMut(&Delivery) -> StoreResult<()>,
) -> StoreResult<()> {
    c.each(
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM {DELIVERIES_WITH_CLOSING} \
             WHERE d.agreement_id = $1 AND cd.closing_id IS NULL AND d.status <> 'disputed' \
             ORDER BY d.id"
        ),
        &[Arg::Int(agreement_id)],
        &mut |r| f(&delivery(r, agreement)?.delivery),
    )
}

/// The total of an agreement's posted (not reversed) charges, in minor units.
pub(crate) fn charged_total(mut c: impl Db, agreement_id: i64) -> StoreResult<i64> {
    Ok(
        c.row(CHARGED_TOTAL, &[Arg::Int(agreement_id)], |r| r.int(0))?
            .unwrap_or(0),
    )
}

// ---------------------------------------------------------------------------------------------
// Posting: journal entries, closings and their charges.

pub(crate) const INSERT_ENTRY: &str =
    "INSERT INTO journal_entries (key, date, description, reverses, posted_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING id";
pub(crate) const INSERT_CLOSING: &str =
    "INSERT INTO closings (agreement_id, version, period, period_start, period_end, sequence, \
     posted_on, direct_exact, direct_minor, deliveries, status) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'posted') \
     ON CONFLICT (agreement_id, period, sequence) DO NOTHING RETURNING id";
pub(crate) const INSERT_CHARGE: &str =
    "INSERT INTO charges (closing_id, payer_organisation, payer_fund, direct_minor, psc_minor, \
     total_minor, entry_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'posted')";

/// The insert of an entry's `n` postings in one statement: the entry's id, then each line's
/// number, fund, account, currency and amount.
fn insert_postings(n: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO postings (entry_id, line, fund, account, currency, amount_minor) VALUES ",
    );
    for i in 0..n {
        let p = 2 + 5 * i;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "($1, ${}, ${}, ${}, ${}, ${})",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4
        ));
    }
    sql
}

/// Posts a balanced entry with its postings (two statements) in the caller's transaction; its
/// id, or `None` when an entry with its key is already posted.
pub(crate) fn write_entry(mut c: impl Db, e: &JournalEntry) -> StoreResult<Option<i64>> {
    e.check_balanced()?;
    let posted_at = chrono::Utc::now().to_rfc3339();
    let Some(id) = c.row(
        INSERT_ENTRY,
        &[
            Arg::Text(&e.key),
            Arg::Date(e.date),
            Arg::Text(&e.description),
            Arg::OptInt(e.reverses),
            Arg::Text(&posted_at),
        ],
        |r| r.int(0),
    )?
    else {
        return Ok(None);
    };
    if e.postings.is_empty() {
        return Ok(Some(id));
    }
    let accounts: Vec<String> = e.postings.iter().map(|p| p.account.name()).collect();
    let mut args = Vec::with_capacity(1 + 5 * e.postings.len());
    args.push(Arg::Int(id));
    for (line, (p, account)) in e.postings.iter().zip(&accounts).enumerate() {
        args.extend([
            Arg::Int(line as i64),
            Arg::Text(&p.fund),
            Arg::Text(account),
            Arg::Text(p.currency.code()),
            Arg::Int(p.amount_minor),
        ]);
    }
    c.exec(&insert_postings(e.postings.len()), &args)?;
    Ok(Some(id))
}

/// A posted closing to link to its deliveries: (agreement id, closing id, through delivery
/// id, expected count).
pub(crate) type Mark = (i64, i64, i64, u64);

/// Posts one closing with its charges and their entries in the caller's transaction; what its
/// deliveries are to be marked with, or `None` when the closing was already posted.
pub(crate) fn post_closing(mut c: impl Db, closing: &NewClosing) -> StoreResult<Option<Mark>> {
    let aid = agreement_id_in(&mut c, &closing.agreement)?;
    let period = closing.period.to_string();
    let Some(closing_id) = c.row(
        INSERT_CLOSING,
        &[
            Arg::Int(aid),
            Arg::Int(i64::from(closing.version)),
            Arg::Text(&period),
            Arg::Date(closing.period.first_day()),
            Arg::Date(closing.period.last_day()),
            Arg::Int(i64::from(closing.sequence)),
            Arg::Date(closing.posted_on),
            Arg::Text(&closing.direct_exact),
            Arg::Int(closing.direct_minor),
            Arg::Int(closing.deliveries as i64),
        ],
        |r| r.int(0),
    )?
    else {
        return Ok(None);
    };
    for charge in &closing.charges {
        let entry_id = write_entry(&mut c, &charge.entry)?.ok_or_else(|| {
            StoreError::Conflict(format!(
                "an entry with key {} is already posted",
                charge.entry.key
            ))
        })?;
        c.exec(
            INSERT_CHARGE,
            &[
                Arg::Int(closing_id),
                Arg::Text(&charge.payer_organisation),
                Arg::Text(&charge.payer_fund),
                Arg::Int(charge.direct_minor),
                Arg::Int(charge.psc_minor),
                Arg::Int(charge.total_minor),
                Arg::Int(entry_id),
            ],
        )?;
    }
    Ok(Some((
        aid,
        closing_id,
        closing.through_delivery_id,
        closing.deliveries,
    )))
}

// ---------------------------------------------------------------------------------------------
// What the ledger reads: closings, charges and their totals, the trial balance.

pub(crate) const CLOSINGS: &str =
    "SELECT k.id, a.code, k.version, k.period, k.sequence, k.posted_on, k.direct_exact, \
     k.direct_minor, k.deliveries, k.status FROM closings k JOIN agreements a ON a.id = k.agreement_id";
pub(crate) const CHARGES: &str =
    "SELECT ch.id, k.id, a.code, k.version, k.period, k.sequence, a.provider_fund, \
     ch.payer_organisation, ch.payer_fund, a.currency, ch.direct_minor, ch.psc_minor, \
     ch.total_minor, k.deliveries, ch.entry_id, ch.status, k.posted_on \
     FROM charges ch JOIN closings k ON k.id = ch.closing_id \
     JOIN agreements a ON a.id = k.agreement_id";
pub(crate) const CHARGE_TOTALS: &str =
    "SELECT ch.payer_organisation, a.currency, COUNT(*), CAST(SUM(ch.direct_minor) AS BIGINT), \
     CAST(SUM(ch.psc_minor) AS BIGINT), CAST(SUM(ch.total_minor) AS BIGINT) \
     FROM charges ch JOIN closings k ON k.id = ch.closing_id \
     JOIN agreements a ON a.id = k.agreement_id \
     WHERE a.code = $1 AND ch.status = 'posted' AND k.period_start >= $2 AND k.period_end <= $3 \
     GROUP BY ch.payer_organisation, a.currency ORDER BY ch.payer_organisation, a.currency";
pub(crate) const TRIAL_BALANCE: &str =
    "SELECT fund, account, currency, CAST(SUM(amount_minor) AS BIGINT) FROM postings \
     GROUP BY fund, account, currency ORDER BY fund, account, currency";

fn closing_status(s: &str) -> StoreResult<ClosingStatus> {
    match s {
        "posted" => Ok(ClosingStatus::Posted),
        "reversed" => Ok(ClosingStatus::Reversed),
        _ => Err(invalid("closing status", s)),
    }
}

/// The closings (of one agreement, when given) in the order they were posted.
pub(crate) fn closings(mut c: impl Db, agreement: Option<&str>) -> StoreResult<Vec<ClosingRecord>> {
    let mut q = Query::new(CLOSINGS);
    q.filter_text("a.code =", agreement).push(" ORDER BY k.id");
    q.rows(&mut c, |r| {
        Ok(ClosingRecord {
            id: r.int(0)?,
            agreement: r.text(1)?,
            version: small(r, 2, "version")?,
            period: r.text(3)?,
            sequence: small(r, 4, "sequence")?,
            posted_on: r.date(5)?,
            direct_exact: r.text(6)?,
            direct_minor: r.int(7)?,
            deliveries: count(r, 8, "deliveries")?,
            status: closing_status(&r.text(9)?)?,
        })
    })
}

/// The charges that `filter` selects, by period, agreement, closing and charge.
pub(crate) fn charges(mut c: impl Db, filter: &ChargeFilter) -> StoreResult<Vec<ChargeRecord>> {
    let mut q = Query::new(CHARGES);
    q.filter_text("a.code =", filter.agreement.as_deref())
        .filter_text("k.period =", filter.period.as_deref());
    if !filter.include_reversed {
        q.condition("ch.status = 'posted'");
    }
    q.push(" ORDER BY k.period_start, a.code, k.sequence, ch.id");
    q.rows(&mut c, |r| {
        Ok(ChargeRecord {
            id: r.int(0)?,
            closing: r.int(1)?,
            agreement: r.text(2)?,
            version: small(r, 3, "version")?,
            period: r.text(4)?,
            sequence: small(r, 5, "sequence")?,
            provider_fund: r.text(6)?,
            payer_organisation: r.text(7)?,
            payer_fund: r.text(8)?,
            currency: currency(&r.text(9)?)?,
            direct_minor: r.int(10)?,
            psc_minor: r.int(11)?,
            total_minor: r.int(12)?,
            deliveries: count(r, 13, "deliveries")?,
            entry: r.int(14)?,
            status: closing_status(&r.text(15)?)?,
            posted_on: r.date(16)?,
        })
    })
}

/// An agreement's posted charges of the closings within `from..=to`, summed per payer.
pub(crate) fn charge_totals(
    mut c: impl Db,
    agreement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<ChargeTotal>> {
    c.rows(
        CHARGE_TOTALS,
        &[Arg::Text(agreement), Arg::Date(from), Arg::Date(to)],
        |r| {
            Ok(ChargeTotal {
                agreement: agreement.to_string(),
                payer_organisation: r.text(0)?,
                currency: currency(&r.text(1)?)?,
                charges: count(r, 2, "charges")?,
                direct_minor: r.int(3)?,
                psc_minor: r.int(4)?,
                total_minor: r.int(5)?,
            })
        },
    )
}

/// The postings summed per fund, account and currency.
pub(crate) fn trial_balance(mut c: impl Db) -> StoreResult<TrialBalance> {
    let mut sums = BTreeMap::new();
    c.each(TRIAL_BALANCE, &[], &mut |r| {
        let account = r.text(1)?;
        sums.insert(
            (
                r.text(0)?,
                Account::parse(&account).ok_or_else(|| invalid("account", &account))?,
                currency(&r.text(2)?)?,
            ),
            r.int(3)?,
        );
        Ok(())
    })?;
    Ok(TrialBalance::from_sums(sums))
}

// ---------------------------------------------------------------------------------------------
// Decisions' texts and mandates, their links, and activities.

pub(crate) const DECISION_EXISTS: &str =
    "SELECT COUNT(*) FROM decisions WHERE number = $1 AND language = $2";
pub(crate) const UPSERT_DECISION: &str =
    "INSERT INTO decisions (number, language, treaty, meeting, title, document, imported_at, \
     kind, body, status, adopted_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
     ON CONFLICT (number, language) DO UPDATE SET treaty = excluded.treaty, \
     meeting = excluded.meeting, title = excluded.title, document = excluded.document, \
     imported_at = excluded.imported_at, kind = excluded.kind, body = excluded.body";
pub(crate) const UPSERT_MANDATE: &str =
    "INSERT INTO mandates (decision, paragraph, position, actor, tracking, status, deliverable, \
     due_meeting, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (decision, paragraph) DO UPDATE SET position = excluded.position, \
     actor = excluded.actor, tracking = excluded.tracking, deliverable = excluded.deliverable, \
     due_meeting = excluded.due_meeting, text = excluded.text";
pub(crate) const MANDATES: &str =
    "SELECT decision, paragraph, actor, tracking, status, deliverable, due_meeting, text \
     FROM mandates";
pub(crate) const MANDATE_LINKS: &str =
    "SELECT agreement, decision, paragraph FROM agreement_mandates";
pub(crate) const UPSERT_ACTIVITY: &str =
    "INSERT INTO activities (biennium, code, lead, status, document) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (biennium, code) DO UPDATE SET lead = excluded.lead, status = excluded.status, \
     document = excluded.document";
pub(crate) const ACTIVITIES: &str = "SELECT document FROM activities";

/// Records a decision's text in the caller's transaction; true when it is new. Its status and
/// adoption date are set in every language.
pub(crate) fn write_decision(mut c: impl Db, d: &DecisionRecord) -> StoreResult<bool> {
    let existed = c
        .row(
            DECISION_EXISTS,
            &[Arg::Text(&d.number), Arg::Text(&d.language)],
            |r| r.int(0),
        )?
        .unwrap_or(0)
        > 0;
    c.exec(
        UPSERT_DECISION,
        &[
            Arg::Text(&d.number),
            Arg::Text(&d.language),
            Arg::Text(&d.treaty),
            Arg::Int(i64::from(d.meeting)),
            Arg::Text(&d.title),
            Arg::Text(&d.document),
            Arg::Text(&d.imported_at),
            Arg::Text(d.kind.as_str()),
            Arg::Text(d.body.as_str()),
            Arg::Text(d.status.as_str()),
            Arg::OptDate(d.adopted_on),
        ],
    )?;
    set_decision_status(&mut c, &d.number, d.status, d.adopted_on)?;
    Ok(!existed)
}

/// Records a decision's mandates, in their order, in the caller's transaction.
pub(crate) fn write_mandates(mut c: impl Db, mandates: &[Mandate]) -> StoreResult<()> {
    for (i, m) in mandates.iter().enumerate() {
        c.exec(
            UPSERT_MANDATE,
            &[
                Arg::Text(&m.decision),
                Arg::Text(&m.paragraph),
                position(i),
                Arg::OptText(m.actor.as_deref()),
                Arg::Text(m.tracking.as_str()),
                Arg::Text(m.status.as_str()),
                Arg::OptText(m.deliverable.as_deref()),
                Arg::OptInt(m.due_meeting.map(i64::from)),
                Arg::Text(&m.text),
            ],
        )?;
    }
    Ok(())
}

/// The mandates (of one decision, when given) by decision and position.
pub(crate) fn mandates(mut c: impl Db, decision: Option<&str>) -> StoreResult<Vec<Mandate>> {
    let mut q = Query::new(MANDATES);
    q.filter_text("decision =", decision)
        .push(" ORDER BY decision, position");
    q.rows(&mut c, |r| {
        let tracking = r.text(3)?;
        let status = r.text(4)?;
        Ok(Mandate {
            decision: r.text(0)?,
            paragraph: r.text(1)?,
            actor: r.opt_text(2)?,
            tracking: Tracking::parse(&tracking).ok_or_else(|| invalid("tracking", &tracking))?,
            status: MandateStatus::parse(&status).ok_or_else(|| invalid("status", &status))?,
            deliverable: r.opt_text(5)?,
            due_meeting: r
                .opt_int(6)?
                .map(|m| u32::try_from(m).map_err(|_| invalid("meeting", &m.to_string())))
                .transpose()?,
            text: r.text(7)?,
        })
    })
}

/// The links from agreements (from one, when given) to mandates.
pub(crate) fn mandate_links(
    mut c: impl Db,
    agreement: Option<&str>,
) -> StoreResult<Vec<MandateLink>> {
    let mut q = Query::new(MANDATE_LINKS);
    q.filter_text("agreement =", agreement)
        .push(" ORDER BY agreement, decision, paragraph");
    q.rows(&mut c, |r| {
        Ok(MandateLink {
            agreement: r.text(0)?,
            decision: r.text(1)?,
            paragraph: r.text(2)?,
        })
    })
}

pub(crate) fn save_activities(mut c: impl Db, activities: &[Activity]) -> StoreResult<()> {
    for a in activities {
        let (document, status) = crate::activity_document(a)?;
        c.exec(
            UPSERT_ACTIVITY,
            &[
                Arg::Text(&a.biennium),
                Arg::Text(&a.code),
                Arg::Text(&a.lead),
                Arg::Text(&status),
                Arg::Text(&document),
            ],
        )?;
    }
    Ok(())
}

/// The activities (of one biennium, when given) by biennium and code.
pub(crate) fn activities(mut c: impl Db, biennium: Option<&str>) -> StoreResult<Vec<Activity>> {
    let mut q = Query::new(ACTIVITIES);
    q.filter_text("biennium =", biennium)
        .push(" ORDER BY biennium, code");
    q.rows(&mut c, |r| crate::activity_from(&r.text(0)?))
}

// ---------------------------------------------------------------------------------------------
// Users, API tokens and the audit trail's pages.

pub(crate) const USERS: &str =
    "SELECT username, display_name, password_hash, grants, active, created_at FROM users";
pub(crate) const ACTIVE_GRANTS: &str = "SELECT grants FROM users WHERE active <> 0";
pub(crate) const UPSERT_USER: &str =
    "INSERT INTO users (username, display_name, password_hash, grants, active, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO UPDATE SET \
     display_name = excluded.display_name, password_hash = excluded.password_hash, \
     grants = excluded.grants, active = excluded.active";
pub(crate) const INSERT_API_TOKEN: &str =
    "INSERT INTO api_tokens (username, name, token_hash, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
pub(crate) const AUDIT_EVENTS: &str =
    "SELECT id, at, actor, action, subject, detail FROM audit_events";

/// The users (the one named, when given) by name.
pub(crate) fn users(mut c: impl Db, username: Option<&str>) -> StoreResult<Vec<UserRecord>> {
    let mut q = Query::new(USERS);
    q.filter_text("username =", username)
        .push(" ORDER BY username");
    q.rows(&mut c, |r| {
        Ok(UserRecord {
            username: r.text(0)?,
            display_name: r.text(1)?,
            password_hash: r.text(2)?,
            grants: from_json(&r.text(3)?)?,
            active: r.int(4)? != 0,
            created_at: r.text(5)?,
        })
    })
}

/// How many users are active administrators, as the caller's transaction sees them.
fn active_administrators(c: &mut impl Db) -> StoreResult<usize> {
    let mut n = 0;
    c.each(ACTIVE_GRANTS, &[], &mut |r| {
        let grants: Vec<synergies_domain::access::Grant> = from_json(&r.text(0)?)?;
        if synergies_domain::access::is_active_administrator(true, &grants) {
            n += 1;
        }
        Ok(())
    })?;
    Ok(n)
}

/// Saves a user in the caller's transaction (which, on engines that need it, holds the users
/// locked), ending their sessions and tokens at `end_sign_ins_at` when given; refused when it
/// would leave no active administrator.
pub(crate) fn save_user(
    mut c: impl Db,
    user: &UserRecord,
    end_sign_ins_at: Option<&str>,
) -> StoreResult<SignInsEnded> {
    let admins_before = active_administrators(&mut c)?;
    let ended = match end_sign_ins_at {
        Some(at) => end_sign_ins(&mut c, &user.username, at)?,
        None => SignInsEnded::default(),
    };
    let grants = json(&user.grants)?;
    c.exec(
        UPSERT_USER,
        &[
            Arg::Text(&user.username),
            Arg::Text(&user.display_name),
            Arg::Text(&user.password_hash),
            Arg::Text(&grants),
            Arg::Int(i64::from(user.active)),
            Arg::Text(&user.created_at),
        ],
    )?;
    crate::check_administrators(
        admins_before,
        active_administrators(&mut c)?,
        &user.username,
    )?;
    Ok(ended)
}

/// Records an API token, once its owner's live tokens are counted; its id.
pub(crate) fn create_api_token(mut c: impl Db, t: &NewApiToken) -> StoreResult<i64> {
    check_live_tokens(&mut c, t)?;
    c.row(
        INSERT_API_TOKEN,
        &[
            Arg::Text(&t.username),
            Arg::Text(&t.name),
            Arg::Text(&t.token_hash),
            Arg::Text(&t.created_at),
            Arg::Text(&t.expires_at),
        ],
        |r| r.int(0),
    )?
    .ok_or_else(|| StoreError::Database("no id for the new token".into()))
}

/// The newest audit events that `filter` selects, at most `limit`.
pub(crate) fn audit_events(
    mut c: impl Db,
    filter: &AuditFilter,
    limit: u64,
) -> StoreResult<Vec<AuditEvent>> {
    let mut q = Query::new(AUDIT_EVENTS);
    q.filter_text("actor =", filter.actor.as_deref())
        .filter_text("subject =", filter.subject.as_deref());
    if let Some(before) = filter.before_id {
        q.filter("id <", Arg::Int(before));
    }
    q.push(" ORDER BY id DESC LIMIT ")
        .param(Arg::Int(limit as i64));
    q.rows(&mut c, |r| {
        Ok(AuditEvent {
            id: r.int(0)?,
            at: r.text(1)?,
            actor: r.text(2)?,
            action: r.text(3)?,
            subject: r.text(4)?,
            detail: from_json(&r.text(5)?)?,
        })
    })
}

#[cfg(test)]
pub(crate) mod tests {
    /// Every statement of this module, for the checks below.
    pub(crate) const ALL: &[&str] = &[
        super::UPSERT_TRAINING_EVENT,
        super::DELETE_TRAINING_BODIES,
        super::DELETE_TRAINING_PARTICIPANTS,
        super::DELETE_TRAINING_CONTRIBUTIONS,
        super::INSERT_TRAINING_BODY,
        super::INSERT_TRAINING_PARTICIPANT,
        super::INSERT_TRAINING_CONTRIBUTION,
        super::TRAINING_EVENTS,
        super::TRAINING_BODIES,
        super::TRAINING_PARTICIPANTS,
        super::TRAINING_CONTRIBUTIONS,
        super::UPSERT_TASKFORCE_MEMBER,
        super::UPSERT_TASKFORCE_MEETING,
        super::DELETE_TASKFORCE_ATTENDEES,
        super::INSERT_TASKFORCE_ATTENDEE,
        super::UPSERT_TASKFORCE_ACTION_ITEM,
        super::TASKFORCE_MEMBERS,
        super::TASKFORCE_MEETINGS,
        super::TASKFORCE_ATTENDEES,
        super::TASKFORCE_ACTION_ITEMS,
        super::ORGANISATIONS,
        super::CONVENTIONS,
        super::FUNDS,
        super::BIENNIUMS,
        super::BUDGET_LINES,
        super::SERVICES,
        super::RATE_CARDS,
        super::RATES,
        super::FX_RATES,
        super::POSTED_PERIODS,
        super::END_SESSIONS,
        super::END_TOKENS,
        super::INSERT_AUDIT,
        super::FORGET_EXPIRED_SESSIONS,
        super::INSERT_SESSION,
        super::SESSION,
        super::DELETE_SESSION,
        super::LIVE_TOKENS,
        super::API_TOKENS,
        super::REVOKE_API_TOKEN,
        super::API_TOKEN_OWNER,
        super::DECISIONS,
        super::SET_DECISION_STATUS,
        super::SET_MANDATE_STATUS,
        super::INSERT_MANDATE_NOTE,
        super::MANDATE_NOTES,
        super::LINK_MANDATE,
        super::UNLINK_MANDATE,
        super::AGREEMENT_ID,
        super::AGREEMENT_CODES,
        super::SET_AGREEMENT_TITLE,
        super::DISPUTE_DELIVERY,
        super::ENTRY,
        super::ENTRIES,
        super::ENTRY_ID_BY_KEY,
        super::CLOSING_CHARGES,
        super::REVERSE_CHARGE,
        super::KEEP_REVERSED_DELIVERIES,
        super::RELEASE_DELIVERIES,
        super::REVERSE_CLOSING,
        super::SCHEMA_VERSION,
        super::UPSERT_ORGANISATION,
        super::UPSERT_CONVENTION,
        super::UPSERT_FUND,
        super::UPSERT_BIENNIUM,
        super::UPSERT_BUDGET_LINE,
        super::UPSERT_SERVICE,
        super::UPSERT_RATE_CARD,
        super::UPSERT_RATE,
        super::UPSERT_FX_RATE,
        super::INSERT_AGREEMENT,
        super::UPSERT_AGREEMENT_VERSION,
        super::AGREEMENTS,
        super::AGREEMENT_VERSIONS,
        super::INSERT_ACCEPTANCE,
        super::CHARGED_TOTAL,
        super::INSERT_ENTRY,
        super::INSERT_CLOSING,
        super::INSERT_CHARGE,
        super::CLOSINGS,
        super::CHARGES,
        super::CHARGE_TOTALS,
        super::TRIAL_BALANCE,
        super::DECISION_EXISTS,
        super::UPSERT_DECISION,
        super::UPSERT_MANDATE,
        super::MANDATES,
        super::MANDATE_LINKS,
        super::UPSERT_ACTIVITY,
        super::ACTIVITIES,
        super::USERS,
        super::ACTIVE_GRANTS,
        super::UPSERT_USER,
        super::INSERT_API_TOKEN,
        super::AUDIT_EVENTS,
    ];

    /// The numbers of a statement's `$n` placeholders, in the order they first appear.
    pub(crate) fn placeholders(sql: &str) -> Vec<u32> {
        let mut seen = vec![];
        let bytes = sql.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                let digits: String = sql[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = digits.parse::<u32>() {
                    if !seen.contains(&n) {
                        seen.push(n);
                    }
                }
                i += 1 + digits.len();
            } else {
                i += 1;
            }
        }
        seen
    }

    #[test]
    fn placeholders_first_appear_in_order() {
        for sql in ALL {
            let seen = placeholders(sql);
            let expected: Vec<u32> = (1..=seen.len() as u32).collect();
            assert_eq!(seen, expected, "placeholders out of order in {sql}");
        }
        assert_eq!(placeholders("SET a = $2 WHERE b = $1 AND c = $2"), [2, 1]);
        for n in 1..=4 {
            let sql = super::insert_postings(n);
            let expected: Vec<u32> = (1..=1 + 5 * n as u32).collect();
            assert_eq!(placeholders(&sql), expected, "{sql}");
        }
    }

    /// A statement with optional filters numbers its placeholders in the order they appear,
    /// whichever filters are given.
    #[test]
    fn a_query_numbers_the_filters_given_in_order() {
        use super::{Arg, Query};
        let mut q = Query::new("SELECT id FROM t");
        q.filter_text("a =", None)
            .filter_text("b =", Some("x"))
            .condition("c IS NULL")
            .filter("d <", Arg::Int(3))
            .push(" ORDER BY id LIMIT ")
            .param(Arg::Int(10));
        assert_eq!(
            q.sql,
            "SELECT id FROM t WHERE b = $1 AND c IS NULL AND d < $2 ORDER BY id LIMIT $3"
        );
        assert_eq!(q.args.len(), 3);
        let mut q = Query::new("SELECT id FROM t");
        q.filter_text("a =", None).push(" ORDER BY id");
        assert_eq!(q.sql, "SELECT id FROM t ORDER BY id");
    }

    /// SQLite binds `$n` placeholders in the order they first appear: written in order, the
    /// engine's positional binding gives each its argument, dates as text.
    #[test]
    fn sqlite_binds_the_placeholders_of_a_shared_statement_in_order() {
        use super::{Arg, Db, RowGet};
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut c = &conn;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        c.exec("CREATE TABLE t (a INTEGER, b TEXT, d TEXT, e TEXT)", &[])
            .unwrap();
        c.exec(
            "INSERT INTO t (a, b, d, e) VALUES ($1, $2, $3, $4)",
            &[
                Arg::Int(7),
                Arg::Text("x"),
                Arg::Date(day),
                Arg::OptDate(None),
            ],
        )
        .unwrap();
        let changed = c
            .exec(
                "UPDATE t SET b = $1, e = $2 WHERE a = $3 AND d = $4",
                &[
                    Arg::Text("y"),
                    Arg::OptDate(Some(day)),
                    Arg::Int(7),
                    Arg::Date(day),
                ],
            )
            .unwrap();
        assert_eq!(changed, 1);
        let read = |r: &dyn RowGet| Ok((r.int(0)?, r.text(1)?, r.date(2)?, r.opt_text(3)?));
        let rows = c.rows("SELECT a, b, d, e FROM t", &[], read).unwrap();
        assert_eq!(rows, [(7, "y".to_string(), day, Some(day.to_string()))]);
        // Why the order matters: a `$2` written first takes the first argument.
        let swapped = c
            .rows("SELECT $2, $1", &[Arg::Int(1), Arg::Int(2)], |r| {
                Ok((r.int(0)?, r.int(1)?))
            })
            .unwrap();
        assert_eq!(swapped, [(1, 2)]);
    }
}
