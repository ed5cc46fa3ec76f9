//! The SQL that both engines run, written once: each statement with its row mapping, and the
//! functions made only of such statements.
//!
//! Statements use `$n` placeholders. PostgreSQL numbers them as written; SQLite takes `$1`,
//! `$2`, … as named parameters numbered in the order they first appear, so every statement
//! here names its parameters in the order of first appearance (`$1` first, then `$2`, …),
//! which the tests below check, and the engines bind them positionally.
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

use crate::{
    ApiTokenRecord, Audit, DecisionRecord, DeliveryFilter, MandateLink, MandateNote, NewApiToken,
    SessionRecord, SignInsEnded, StoreError, StoreResult,
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
pub(crate) fn agreement_codes(
    mut c: impl Db,
) -> StoreResult<std::collections::HashMap<i64, String>> {
    agreement_codes_in(&mut c)
}

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

/// Streams the deliveries that `filter` selects, in id order, to `f`.
pub(crate) fn for_each_delivery(
    mut c: impl Db,
    filter: &DeliveryFilter,
    f: &mut dyn FnMut(StoredDelivery) -> StoreResult<()>,
) -> StoreResult<()> {
    let codes = agreement_codes_in(&mut c)?;
    let mut sql = format!("SELECT {DELIVERY_COLUMNS} FROM {DELIVERIES_WITH_CLOSING} WHERE 1 = 1");
    let mut args: Vec<Arg> = vec![];
    // Each placeholder is numbered after the ones before it: in order of first appearance.
    let mut with = |sql: &mut String, condition: &str, arg| {
        args.push(arg);
        sql.push_str(&format!(" AND {condition} ${}", args.len()));
    };
    if let Some(code) = &filter.agreement {
        with(
            &mut sql,
            "d.agreement_id =",
            Arg::Int(agreement_id_in(&mut c, code)?),
        );
    }
    if let Some(from) = filter.from {
        with(&mut sql, "d.date >=", Arg::Date(from));
    }
    if let Some(to) = filter.to {
        with(&mut sql, "d.date <=", Arg::Date(to));
    }
    if let Some(status) = filter.status {
        with(&mut sql, "d.status =", Arg::Text(status.as_str()));
    }
    if filter.uncharged {
        sql.push_str(" AND cd.closing_id IS NULL");
    }
    if filter.exclude_disputed {
        sql.push_str(" AND d.status <> 'disputed'");
    }
    sql.push_str(" ORDER BY d.id");
    c.each(&sql, &args, &mut |r| {
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
/// charge's entry is reversed by its entry of `reversals` (written by `write_entry`, which
/// returns the new entry's id or `None` when its key is already posted), the charged
/// deliveries are kept as the reversed closing's and released to be charged again, and the
/// closing is marked reversed.
pub(crate) fn reverse_closing<C: Db>(
    c: &mut C,
    closing: i64,
    reversals: &[JournalEntry],
    write_entry: impl Fn(&mut C, &JournalEntry) -> StoreResult<Option<i64>>,
) -> StoreResult<()> {
    let charges = c.rows(CLOSING_CHARGES, &[Arg::Int(closing)], |r| {
        Ok((r.int(0)?, r.int(1)?))
    })?;
    for (charge_id, entry_id) in charges {
        let original = entry_in(c, entry_id)?;
        let reversal = crate::reversal_of(reversals, entry_id, original.as_ref())?;
        let rid = write_entry(c, reversal)?.ok_or_else(|| {
            StoreError::Conflict(format!("entry {} is already posted", reversal.key))
        })?;
        c.exec(REVERSE_CHARGE, &[Arg::Int(rid), Arg::Int(charge_id)])?;
    }
    c.exec(KEEP_REVERSED_DELIVERIES, &[Arg::Int(closing)])?;
    c.exec(RELEASE_DELIVERIES, &[Arg::Int(closing)])?;
    c.exec(REVERSE_CLOSING, &[Arg::Int(closing)])?;
    Ok(())
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
