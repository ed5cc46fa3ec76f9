//! Storage of Synergies behind one trait, [`Store`], so that callers never know which engine
//! holds the data. The backend is chosen from a URL: `sqlite://PATH` (the embedded default) or
//! `postgres://…` / `postgresql://…` (PostgreSQL).
//!
//! Every write method is one transaction: it happens whole or not at all. Posted journal
//! entries are immutable (the schema refuses updates and deletes of them), and every posting
//! carries an idempotency key so that a retried or concurrent close posts once.
//!
//! The conformance suite that every backend must pass is the dev-only crate
//! `synergies-store-conformance`.

use chrono::NaiveDate;
use serde_json::Value;
use synergies_domain::access::Grant;
use synergies_domain::activity::Activity;
use synergies_domain::agreement::Agreement;
use synergies_domain::cooperation::{ActionItem, TaskForceMeeting, TaskForceMember, TrainingEvent};
use synergies_domain::decision::{DecisionKind, DecisionStatus, MeetingBody};
use synergies_domain::delivery::{Delivery, DeliveryStatus, StoredDelivery};
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::mandate::{Mandate, MandateStatus};
use synergies_domain::model::Framework;
use synergies_domain::{Currency, DomainError, Period};

mod migrations;
mod postgres;
pub mod shape;
mod sql;
mod sqlite;
#[doc(hidden)]
pub mod testing;

pub use self::postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// The [`Store`] trait and its capability traits, for code that calls the store's methods on a
/// concrete engine (`SqliteStore`, `PostgresStore`) rather than through `&dyn Store`.
pub mod prelude {
    pub use crate::{
        Agreements, AuditTrail, Cooperation, Deliveries, Identity, Ledger, Maintenance,
        ReferenceData, Registry, Store,
    };
}

/// Everything that can go wrong in storage, phrased for the person at the command line.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The rule every backend applies before it stores a changed agreement: its kind, parties,
/// biennium and currency never change, no version is removed, and the terms of a version that
/// is or was in force never change (only its status and approvals do).
pub(crate) fn check_agreement_change(stored: &Agreement, new: &Agreement) -> StoreResult<()> {
    use synergies_domain::agreement::{AgreementVersion, VersionStatus};
    if new.revision != stored.revision {
        return Err(stale_agreement(new, stored.revision));
    }
    let header = |a: &Agreement| {
        (
            a.kind,
            a.provider.clone(),
            a.provider_fund.clone(),
            a.biennium.clone(),
            a.currency,
        )
    };
    if header(new) != header(stored) {
        return Err(StoreError::Conflict(format!(
            "the kind, provider, provider fund, biennium and currency of {} never change; \
             make a new agreement instead",
            new.code
        )));
    }
    for old in &stored.versions {
        let Some(changed) = new.versions.iter().find(|v| v.number == old.number) else {
            return Err(StoreError::Conflict(format!(
                "version {} of {} cannot be removed",
                old.number, new.code
            )));
        };
        let was_in_force = matches!(
            old.status,
            VersionStatus::Active | VersionStatus::Superseded
        );
        let same_terms = AgreementVersion {
            status: old.status,
            approvals: old.approvals.clone(),
            ..changed.clone()
        } == *old;
        if was_in_force && !same_terms {
            return Err(StoreError::Conflict(format!(
                "version {} of {} has been in force: its terms never change; amend instead",
                old.number, new.code
            )));
        }
    }
    Ok(())
}

/// The refusal of an update based on a stale copy of an agreement.
pub(crate) fn stale_agreement(a: &Agreement, stored_revision: u64) -> StoreError {
    StoreError::Conflict(format!(
        "agreement {} was changed by someone else since it was read (revision {} is now {}); \
         read it again and redo the change",
        a.code, a.revision, stored_revision
    ))
}

/// An activity's stored form: its JSON document, and its status's key.
pub(crate) fn activity_document(a: &Activity) -> StoreResult<(String, String)> {
    let document =
        serde_json::to_string(a).map_err(|e| StoreError::Invalid(format!("activity: {e}")))?;
    let status = serde_json::to_value(a.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Ok((document, status))
}

/// A decision's type, body and status from their stored keys.
pub(crate) fn decision_keys(
    kind: &str,
    body: &str,
    status: &str,
) -> StoreResult<(DecisionKind, MeetingBody, DecisionStatus)> {
    let bad =
        |what: &str, v: &str| StoreError::Database(format!("stored {what} {v:?} is not valid"));
    Ok((
        DecisionKind::parse(kind).ok_or_else(|| bad("decision type", kind))?,
        MeetingBody::parse(body).ok_or_else(|| bad("meeting body", body))?,
        DecisionStatus::parse(status).ok_or_else(|| bad("decision status", status))?,
    ))
}

/// The refusal of a link to an agreement or mandate that is not recorded.
pub(crate) fn unknown_link(link: &MandateLink, agreement_known: bool) -> StoreError {
    if agreement_known {
        StoreError::NotFound(format!(
            "no mandate {} of {} (see `mandates list --decision {}`)",
            link.paragraph, link.decision, link.decision
        ))
    } else {
        StoreError::NotFound(format!("unknown agreement {}", link.agreement))
    }
}

/// An activity from its stored JSON document.
pub(crate) fn activity_from(document: &str) -> StoreResult<Activity> {
    serde_json::from_str(document)
        .map_err(|e| StoreError::Database(format!("stored activity: {e}")))
}

/// The reversal given for a posted entry, checked to cancel it posting by posting.
pub(crate) fn reversal_of<'a>(
    reversals: &'a [JournalEntry],
    entry_id: i64,
    original: Option<&JournalEntry>,
) -> StoreResult<&'a JournalEntry> {
    let reversal = reversals
        .iter()
        .find(|e| e.reverses == Some(entry_id))
        .ok_or_else(|| StoreError::Invalid(format!("no reversal given for entry {entry_id}")))?;
    if !original.is_some_and(|o| reversal.cancels(o)) {
        return Err(StoreError::Invalid(format!(
            "the reversal {} does not cancel entry {entry_id} posting by posting",
            reversal.key
        )));
    }
    Ok(reversal)
}

/// Where the store says why a command waits (another writer holds the database) or retries (a
/// deadlock or serialization failure): the command line shows it on standard error; by default
/// it is not shown.
static WAIT_NOTICE: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Sets, once per process, what the store calls with the reason whenever it waits for another
/// writer or retries a transient failure.
pub fn set_wait_notice(notice: fn(&str)) {
    let _ = WAIT_NOTICE.set(notice);
}

pub(crate) fn wait_notice(reason: &str) {
    if let Some(notice) = WAIT_NOTICE.get() {
        notice(reason);
    }
}

/// The schema version this program's migrations bring a database to: the same on every engine
/// (copies and backups compare them).
pub fn latest_schema_version() -> u32 {
    migrations::latest_schema_version()
}

/// Opens the store of an existing database (the command line's every command but `init` and
/// `demo`): as [`open`], except that an SQLite file that does not exist is `NotFound` rather
/// than created, and one that cannot be written is opened read-only.
pub fn open_existing(url: &str) -> StoreResult<Box<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if !path.is_empty() {
            return Ok(Box::new(SqliteStore::open_existing(path)?));
        }
    }
    open(url)
}

/// Opens the store that a URL names: `sqlite://synergies.db`, `sqlite:///abs/path.db`,
/// `sqlite::memory:`, or a libpq-style PostgreSQL URL: `postgres://user@host/dbname`,
/// `postgresql:///dbname?host=/var/run/postgresql` (Unix socket). A PostgreSQL URL that
/// cannot be parsed is `Invalid`; a server that cannot be reached is a `Database` error.
pub fn open(url: &str) -> StoreResult<Box<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(StoreError::Invalid(
                "sqlite:// needs a file path, such as sqlite://synergies.db".into(),
            ));
        }
        return Ok(Box::new(SqliteStore::open(path)?));
    }
    if url == "sqlite::memory:" {
        return Ok(Box::new(SqliteStore::open_in_memory()?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Box::new(PostgresStore::open(url)?));
    }
    Err(StoreError::Invalid(format!(
        "unsupported database URL {url:?}: expected sqlite://FILE or postgres://USER@HOST/DB"
    )))
}

/// How many deliveries of one agreement share a date, a status and whether a closing charged
/// them: what an inbox counts (deliveries to accept, months to close, disputes) without reading
/// every delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryTally {
    pub agreement: String,
    pub date: NaiveDate,
    pub status: DeliveryStatus,
    pub charged: bool,
    pub count: i64,
}

/// Which deliveries to read.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub agreement: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<DeliveryStatus>,
    /// Only deliveries that no posted closing has charged.
    pub uncharged: bool,
    /// Only deliveries that a posted closing has charged.
    pub charged: bool,
    /// Leave out disputed deliveries.
    pub exclude_disputed: bool,
}

/// What happened to one delivery handed to an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    Inserted,
    /// The same agreement and external id already exist with the same content.
    Identical,
    /// The same agreement and external id already exist with other content.
    Conflict(Delivery),
}

/// A bulk import in one transaction. Dropping it without `commit` writes nothing.
///
/// Deliveries are staged, then flushed: a backend may write each at once (SQLite) or gather
/// them for its bulk path (PostgreSQL's COPY). A flush reports every staged delivery that was
/// not inserted because its agreement and external id already exist.
/// How many sessions and personal API tokens of a user a change ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SignInsEnded {
    pub sessions: u64,
    pub tokens: u64,
}

/// At least one active administrator remains after a change of `username`, given how many
/// there were before and are now (in the change's transaction).
pub(crate) fn check_administrators(before: usize, after: usize, username: &str) -> StoreResult<()> {
    synergies_domain::access::administrators_remain(before, after, username)
        .map_err(|d| StoreError::Conflict(d.to_string()))
}

/// The audit event of a change, written by the store in the change's own transaction, so that
/// the data and the event that records it are both there or both absent. Its `detail` (an
/// object, usually with `before` and `after`) gets the change's `outcome` beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub actor: String,
    /// The action's one name, whichever face made the change (`period.close`, …).
    pub action: String,
    pub subject: String,
    pub detail: Value,
}

impl Audit {
    pub fn new(actor: &str, action: &str, subject: &str, detail: Value) -> Audit {
        Audit {
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            detail,
        }
    }

    /// The detail as written: with `outcome` beside what the caller gave (an object stays
    /// one; anything else goes under `detail`).
    pub(crate) fn detail_with(&self, outcome: Value) -> String {
        let mut detail = match &self.detail {
            Value::Object(m) => m.clone(),
            Value::Null => serde_json::Map::new(),
            other => {
                let mut m = serde_json::Map::new();
                m.insert("detail".into(), other.clone());
                m
            }
        };
        if !outcome.is_null() {
            detail.insert("outcome".into(), outcome);
        }
        Value::Object(detail).to_string()
    }
}

pub trait DeliveryImport {
    /// Stages one delivery under the caller's tag (such as its line). The agreement must exist.
    fn stage(&mut self, tag: u64, delivery: &Delivery) -> StoreResult<()>;
    /// Writes what is staged; returns, with their tags, the staged deliveries that were not
    /// inserted (`Identical` or `Conflict`). Every other staged delivery was inserted.
    fn flush(&mut self) -> StoreResult<Vec<(u64, AddOutcome)>>;
    /// Stages and flushes one delivery (for callers that add one at a time).
    fn add(&mut self, delivery: &Delivery) -> StoreResult<AddOutcome> {
        self.stage(0, delivery)?;
        Ok(self
            .flush()?
            .pop()
            .map(|(_, outcome)| outcome)
            .unwrap_or(AddOutcome::Inserted))
    }
    /// The agreement's deliveries not yet charged and not disputed, as of this transaction
    /// (including those flushed into it), in the order they were recorded.
    fn for_each_pending(
        &mut self,
        agreement: &str,
        f: &mut dyn FnMut(&Delivery) -> StoreResult<()>,
    ) -> StoreResult<()>;
    /// Total of the agreement's posted, not reversed, charges in minor units.
    fn charged_total(&mut self, agreement: &str) -> StoreResult<i64>;
    /// Commits the transaction with the import's audit event: both or neither. The caller
    /// flushes first (staged deliveries are not written).
    fn commit(self: Box<Self>, audit: &Audit) -> StoreResult<()>;
}

/// An item of a dump: a table's header, then its rows. Values are JSON integers, strings or
/// null, whatever the engine (decimals and dates as their exact text), so that a dump of one
/// backend restores into another.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum DumpItem {
    Table { table: String, columns: Vec<String> },
    Row(Vec<Value>),
}

/// A staging database made by [`Maintenance::stage`]: restores write into [`Staged::store`], are
/// verified there, and only then replace the data of the store it was made from.
pub trait Staged {
    /// The staging database: migrated, empty until something is restored into it.
    fn store(&self) -> &dyn Store;
    /// Replaces every table of the target store by the staging database's, in one atomic
    /// step: other connections see the old data or the new, never a mix or an empty database.
    /// With `require_empty`, refuses with `Conflict` (changing nothing) a target that holds
    /// rows by then. The staging database is gone afterwards, whatever the outcome.
    fn replace_target(self: Box<Self>, require_empty: bool) -> StoreResult<()>;
}

/// Rows per table of a store, added up (for "is the target empty").
pub fn total_rows(counts: &[(String, i64)]) -> i64 {
    counts.iter().map(|(_, n)| n).sum()
}

/// The tables of the schema, in dependency order: a dump lists them in this order and a
/// restore loads them in it. (The migrations table is each database's own.)
pub const TABLES: &[&str] = &[
    "organisations",
    "conventions",
    "funds",
    "bienniums",
    "budget_lines",
    "services",
    "rate_cards",
    "rates",
    "fx_rates",
    "decisions",
    "mandates",
    "mandate_notes",
    "activities",
    "agreements",
    "agreement_versions",
    "agreement_mandates",
    "training_events",
    "training_bodies",
    "training_participants",
    "training_contributions",
    "taskforce_members",
    "taskforce_meetings",
    "taskforce_attendees",
    "taskforce_action_items",
    "closings",
    "deliveries",
    "acceptances",
    "closing_deliveries",
    "journal_entries",
    "postings",
    "charges",
    "reversed_closing_deliveries",
    "audit_events",
    "users",
    "sessions",
    "api_tokens",
];

/// A decision of a governing body as stored: one per number and language, with the
/// structure its text was read into (`document`: the JSON of the domain's `Decision`).
/// Its type, meeting, status and adoption date are the decision's, whatever the language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRecord {
    pub number: String,
    pub language: String,
    pub treaty: String,
    /// Decision, resolution or recommendation (InforMEA's `type`).
    #[serde(rename = "type")]
    pub kind: DecisionKind,
    /// The body whose meeting adopted it, and that meeting's ordinal.
    pub body: MeetingBody,
    pub meeting: u32,
    pub status: DecisionStatus,
    /// The day it was adopted, when known.
    pub adopted_on: Option<NaiveDate>,
    pub title: String,
    pub document: String,
    pub imported_at: String,
}

/// A link from an agreement to a mandate it serves (`MC-6/20` paragraph `4(a)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct MandateLink {
    pub agreement: String,
    pub decision: String,
    pub paragraph: String,
}

/// The posted, not reversed, charges of one agreement to one payer organisation, summed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChargeTotal {
    pub agreement: String,
    pub payer_organisation: String,
    pub currency: Currency,
    pub charges: u64,
    pub direct_minor: i64,
    pub psc_minor: i64,
    pub total_minor: i64,
}

/// A dated note on a mandate, with the status it sets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MandateNote {
    pub noted_on: NaiveDate,
    pub status: MandateStatus,
    pub note: String,
    pub author: String,
}

/// One charge of a closing to be posted: its payer, amounts and journal entry.
#[derive(Debug, Clone)]
pub struct NewCharge {
    pub payer_organisation: String,
    pub payer_fund: String,
    pub direct_minor: i64,
    pub psc_minor: i64,
    pub total_minor: i64,
    pub entry: JournalEntry,
}

/// The closing of one agreement for one period, to be posted atomically.
#[derive(Debug, Clone)]
pub struct NewClosing {
    pub agreement: String,
    pub version: u32,
    pub period: Period,
    /// 1 for the first closing of this agreement and period, 2 for a supplementary one, …
    pub sequence: u32,
    pub posted_on: NaiveDate,
    pub direct_exact: String,
    pub direct_minor: i64,
    /// The deliveries it charges: accepted, uncharged, dated in the period, with an id up to
    /// `through_delivery_id`; there must be exactly `deliveries` of them.
    pub through_delivery_id: i64,
    pub deliveries: u64,
    pub charges: Vec<NewCharge>,
    /// The framework's `pricing_terms` the charges were computed with: the store refuses the
    /// closing with `Conflict` when the rates or exchange rates changed since (the close then
    /// starts again from a fresh read), so a posted charge always agrees with the stored rates.
    pub priced_with: String,
}

/// Refuses closings computed with other rates or exchange rates than `current` holds (read in
/// the posting transaction).
pub(crate) fn check_priced_with(current: &Framework, closings: &[NewClosing]) -> StoreResult<()> {
    if closings.is_empty() {
        return Ok(());
    }
    let terms = current.pricing_terms();
    match closings.iter().find(|c| c.priced_with != terms) {
        Some(c) => Err(StoreError::Conflict(format!(
            "the rates or exchange rates changed while {} {} was being closed",
            c.agreement, c.period
        ))),
        None => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ClosingStatus {
    Posted,
    Reversed,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClosingRecord {
    pub id: i64,
    pub agreement: String,
    pub version: u32,
    pub period: String,
    pub sequence: u32,
    pub posted_on: NaiveDate,
    pub direct_exact: String,
    pub direct_minor: i64,
    pub deliveries: u64,
    pub status: ClosingStatus,
}

/// A posted charge as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargeRecord {
    pub id: i64,
    pub closing: i64,
    pub agreement: String,
    pub version: u32,
    pub period: String,
    pub sequence: u32,
    pub provider_fund: String,
    pub payer_organisation: String,
    pub payer_fund: String,
    pub currency: Currency,
    pub direct_minor: i64,
    pub psc_minor: i64,
    pub total_minor: i64,
    pub deliveries: u64,
    pub entry: i64,
    pub status: ClosingStatus,
    pub posted_on: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct ChargeFilter {
    pub agreement: Option<String>,
    pub period: Option<String>,
    pub include_reversed: bool,
}

/// Someone who signs in to the web application, with the roles they hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRecord {
    pub username: String,
    pub display_name: String,
    /// An argon2id hash in PHC form; never the password.
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub grants: Vec<Grant>,
    pub active: bool,
    pub created_at: String,
}

/// A signed-in browser: the SHA-256 of its cookie's secret, and the token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub username: String,
    pub csrf_token: String,
    pub created_at: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// A personal API token as listed to its owner (the secret itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenRecord {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC): the token is refused from then on. A token without one
    /// (restored from before schema version 6 without a readable creation time) is refused.
    pub expires_at: Option<String>,
}

/// A personal API token to record (its secret's hash), and how many live tokens its owner may
/// hold with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub username: String,
    pub name: String,
    pub token_hash: String,
    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC), as `expires_at`: live tokens are counted at this time.
    pub created_at: String,
    pub expires_at: String,
    /// Refused with `Conflict` when the owner already holds this many live tokens.
    pub max_live: u32,
}

/// One event of the audit trail.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: Value,
}

/// Which audit events to read: newest first, before `before_id` when given.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub before_id: Option<i64>,
}

/// One page of a list: `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

/// Creating and migrating the schema, counting, dumping, restoring, staging and erasing.
pub trait Maintenance {
    /// `sqlite` or `postgres`.
    fn engine(&self) -> &'static str;

    /// Creates or migrates the schema; returns the schema version now in force.
    fn migrate(&self) -> StoreResult<u32>;

    /// The schema version in force (0 for an empty database).
    fn schema_version(&self) -> StoreResult<u32>;

    /// True when no organisation has been recorded yet.
    fn is_empty(&self) -> StoreResult<bool>;

    /// Row counts per table, for verification after copies and for summaries.
    fn table_counts(&self) -> StoreResult<Vec<(String, i64)>>;

    /// Streams every table of [`TABLES`], in order, from one consistent snapshot (a running
    /// server may keep writing): each table's header, then its rows ordered by primary key.
    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> StoreResult<()>) -> StoreResult<()>;

    /// Loads a dump into this database in one transaction, keeping every id. Refuses a
    /// database that holds data. Items come from `source` until it returns `None`.
    fn restore(&self, source: &mut dyn FnMut() -> StoreResult<Option<DumpItem>>)
        -> StoreResult<()>;

    /// Deletes every row of every table, keeping the schema. The only way posted entries and
    /// the audit trail are ever removed.
    fn erase_all(&self) -> StoreResult<()>;

    /// A new, empty database of the same engine beside this one (a temporary SQLite file in
    /// the same directory, or a new PostgreSQL schema in the same database), migrated, for a
    /// restore or copy to write into and verify before [`Staged::replace_target`] puts it in
    /// place of this store's data in one atomic step. Dropped without that, it is removed and
    /// this store is untouched.
    fn stage(&self) -> StoreResult<Box<dyn Staged + '_>>;
}

/// The framework's reference data: organisations, funds, services, rates and the rest.
pub trait ReferenceData {
    /// Inserts or updates all reference data of the framework in one transaction.
    fn save_framework(&self, framework: &Framework, audit: &Audit) -> StoreResult<()>;

    fn framework(&self) -> StoreResult<Framework>;
}

/// Agreements and their versions.
pub trait Agreements {
    /// Records new agreements, each with its audit event, all in one transaction; refuses
    /// them all when one code exists.
    fn insert_agreements(&self, agreements: &[(&Agreement, &Audit)]) -> StoreResult<()>;

    /// Records a new agreement with its audit event; refuses an existing code.
    fn insert_agreement(&self, agreement: &Agreement, audit: &Audit) -> StoreResult<()> {
        self.insert_agreements(&[(agreement, audit)])
    }

    /// Replaces the versions of an agreement (lifecycle steps, amendments) and increments its
    /// revision. Refuses with `Conflict` an agreement whose `revision` is not the stored one
    /// (someone changed it since it was read), and a change to the terms of any version that
    /// is or was in force, which are immutable.
    /// The audit event is written in the same transaction.
    fn update_agreement(&self, agreement: &Agreement, audit: &Audit) -> StoreResult<()>;

    fn agreements(&self) -> StoreResult<Vec<Agreement>>;

    fn agreement(&self, code: &str) -> StoreResult<Option<Agreement>>;
}

/// Deliveries: imports, acceptance, disputes and reading them.
pub trait Deliveries {
    /// Starts an all-or-nothing bulk import of deliveries.
    fn import_deliveries(&self) -> StoreResult<Box<dyn DeliveryImport + '_>>;

    /// Streams deliveries in recording order.
    fn for_each_delivery(
        &self,
        filter: &DeliveryFilter,
        f: &mut dyn FnMut(StoredDelivery) -> StoreResult<()>,
    ) -> StoreResult<()>;

    /// The recipient accepts the agreement's recorded deliveries dated up to `through`
    /// (all dates when `None`); every agreement's when `agreement` is `None`, in one pass.
    /// Returns how many were accepted.
    /// The audit event is written in the same transaction, its outcome the number accepted.
    fn accept_deliveries(
        &self,
        agreement: Option<&str>,
        through: Option<NaiveDate>,
        accepted_on: NaiveDate,
        audit: &Audit,
    ) -> StoreResult<u64>;

    /// The recipient disputes one recorded delivery, with its audit event in the same
    /// transaction.
    fn dispute_delivery(
        &self,
        agreement: &str,
        external_id: &str,
        reason: &str,
        audit: &Audit,
    ) -> StoreResult<()>;

    /// One page of deliveries: of one agreement in the order of their external ids when the
    /// filter names an agreement (its unique index gives that order without a sort), otherwise
    /// newest first. Only `agreement` and `status` of the filter apply.
    fn deliveries_page(
        &self,
        filter: &DeliveryFilter,
        page: Page,
    ) -> StoreResult<Vec<StoredDelivery>>;

    /// The deliveries counted by agreement, date, status and whether a posted closing charged
    /// them, ordered by agreement code and date.
    fn delivery_tally(&self) -> StoreResult<Vec<DeliveryTally>>;
}

/// Closings, charges and journal entries.
pub trait Ledger {
    /// Posts closings with their charges and entries, and marks their deliveries charged, all in
    /// one transaction. For each closing, returns `None` (and writes nothing for it) when a
    /// closing with the same agreement, period and sequence exists: closing is idempotent.
    /// Refuses the whole batch with `Conflict` when the deliveries changed since they were read.
    /// The audit event is written in the same transaction, its outcome the closing ids.
    fn post_closings(
        &self,
        closings: &[NewClosing],
        audit: &Audit,
    ) -> StoreResult<Vec<Option<i64>>>;

    /// [`Ledger::post_closings`] for one closing.
    fn post_closing(&self, closing: &NewClosing, audit: &Audit) -> StoreResult<Option<i64>> {
        Ok(self
            .post_closings(std::slice::from_ref(closing), audit)?
            .pop()
            .flatten())
    }

    fn closings(&self, agreement: Option<&str>) -> StoreResult<Vec<ClosingRecord>>;

    /// Reverses a posted closing: posts the reversal entries, marks the closing and its
    /// charges reversed and releases its deliveries so that a new close charges them again.
    /// The audit event is written in the same transaction.
    fn reverse_closing(
        &self,
        closing: i64,
        reversals: &[JournalEntry],
        audit: &Audit,
    ) -> StoreResult<()>;

    fn charges(&self, filter: &ChargeFilter) -> StoreResult<Vec<ChargeRecord>>;

    /// The posted, not reversed, charges of `agreement` whose closing's period lies within
    /// `from`..=`to`, summed by the database per payer organisation (and currency), ordered by
    /// payer. An unknown agreement has none.
    fn charge_totals(
        &self,
        agreement: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<ChargeTotal>>;

    /// Posts a journal entry unless one with the same key exists (then returns `None`).
    /// The audit event is written in the same transaction, unless the entry was already
    /// posted (then nothing is written).
    fn post_entry(&self, entry: &JournalEntry, audit: &Audit) -> StoreResult<Option<i64>>;

    fn entry(&self, id: i64) -> StoreResult<Option<JournalEntry>>;

    /// The id of the entry posted with this idempotency key, if any.
    fn entry_id_by_key(&self, key: &str) -> StoreResult<Option<i64>>;

    /// Streams every journal entry in posting order.
    fn for_each_entry(&self, f: &mut dyn FnMut(JournalEntry) -> StoreResult<()>)
        -> StoreResult<()>;

    /// Balances per fund, account and currency, computed by the database.
    fn trial_balance(&self) -> StoreResult<TrialBalance>;
}

/// The registry of decisions, their mandates, and the links from agreements to mandates.
pub trait Registry {
    /// Records a decision's text in one language, replacing an earlier import of the same
    /// number and language. Its status and adoption date are the decision's: they are set on
    /// every language recorded for its number, in the same transaction. Returns true when it
    /// was new.
    fn save_decision(&self, decision: &DecisionRecord, audit: &Audit) -> StoreResult<bool>;

    /// Every decision, by number then language.
    fn decisions(&self) -> StoreResult<Vec<DecisionRecord>>;

    /// Sets a decision's status and adoption date, in every language (`NotFound` for a number
    /// not recorded).
    fn update_decision(
        &self,
        number: &str,
        status: DecisionStatus,
        adopted_on: Option<NaiveDate>,
        audit: &Audit,
    ) -> StoreResult<()>;

    /// Records the mandates of a decision, in their order: new ones as given; those already
    /// recorded keep their status and notes, and get the new text.
    fn save_mandates(&self, mandates: &[Mandate], audit: &Audit) -> StoreResult<()>;

    /// Records a decision's text and its mandates in one transaction ([`Registry::save_decision`]
    /// then [`Registry::save_mandates`]): both or neither. Returns true when the text was new.
    fn save_decision_and_mandates(
        &self,
        decision: &DecisionRecord,
        mandates: &[Mandate],
        audit: &Audit,
    ) -> StoreResult<bool>;

    /// The mandates of one decision, or of all, by decision and paragraph order.
    fn mandates(&self, decision: Option<&str>) -> StoreResult<Vec<Mandate>>;

    /// Sets a mandate's status with a dated note (`NotFound` for an unknown mandate).
    fn update_mandate(
        &self,
        decision: &str,
        paragraph: &str,
        note: &MandateNote,
        audit: &Audit,
    ) -> StoreResult<()>;

    /// A mandate's notes, oldest first.
    fn mandate_notes(&self, decision: &str, paragraph: &str) -> StoreResult<Vec<MandateNote>>;

    /// Links an agreement to a mandate it serves; true when the link is new, false when it
    /// existed. `NotFound` for an unknown agreement or mandate (nothing is written).
    fn link_mandate(&self, link: &MandateLink, audit: &Audit) -> StoreResult<bool>;

    /// Removes a link; false when there was none.
    fn unlink_mandate(&self, link: &MandateLink, audit: &Audit) -> StoreResult<bool>;

    /// The links of one agreement, or of all, by agreement, decision and paragraph.
    fn mandate_links(&self, agreement: Option<&str>) -> StoreResult<Vec<MandateLink>>;
}

/// Cooperation: activities and the cooperation records of every kind.
pub trait Cooperation {
    /// Records activities (inserting new ones, replacing those of the same biennium and code).
    fn save_activities(&self, activities: &[Activity], audit: &Audit) -> StoreResult<()>;

    /// The activities of one biennium, or of all, by biennium and code.
    fn activities(&self, biennium: Option<&str>) -> StoreResult<Vec<Activity>>;

    /// Records training events, each with its bodies, participants and contributions (in
    /// order), replacing those of the same code whole, with the audit event, in one
    /// transaction: all or none.
    fn save_training_events(&self, events: &[TrainingEvent], audit: &Audit) -> StoreResult<()>;

    /// The training events, by code.
    fn training_events(&self) -> StoreResult<Vec<TrainingEvent>>;

    /// Records task-force members, meetings (with their attendees, in order) and action
    /// items, replacing those of the same name or code, with the audit event, in one
    /// transaction: all or none. An action item's meeting must be recorded (by then).
    fn save_task_force(
        &self,
        members: &[TaskForceMember],
        meetings: &[TaskForceMeeting],
        action_items: &[ActionItem],
        audit: &Audit,
    ) -> StoreResult<()>;

    /// The task force's members, by name.
    fn task_force_members(&self) -> StoreResult<Vec<TaskForceMember>>;

    /// The task force's meetings, by code.
    fn task_force_meetings(&self) -> StoreResult<Vec<TaskForceMeeting>>;

    /// The task force's action items, by code.
    fn action_items(&self) -> StoreResult<Vec<ActionItem>>;
}

/// Identity: users, sessions and personal API tokens.
pub trait Identity {
    /// Creates a user or replaces one of the same username.
    /// Creates or replaces a user with its audit event, in one transaction that also ends
    /// the user's sessions and tokens when `end_sign_ins_at` says when (a new password, a
    /// deactivation), and refuses with `Conflict` a change that would leave no active
    /// administrator where there was one (the domain's `administrators_remain`). The event's
    /// outcome, and the answer, is how many sessions and tokens were ended.
    fn save_user(
        &self,
        user: &UserRecord,
        end_sign_ins_at: Option<&str>,
        audit: &Audit,
    ) -> StoreResult<SignInsEnded>;

    fn user(&self, username: &str) -> StoreResult<Option<UserRecord>>;

    /// Every user, by username.
    fn users(&self) -> StoreResult<Vec<UserRecord>>;

    /// Records a session, and forgets the sessions expired before `session.created_at`.
    fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;

    fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;

    fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Records a personal API token (its hash) and returns its id; in the same transaction,
    /// refuses with `Conflict` an owner who already holds `max_live` live tokens (neither
    /// revoked nor expired at `created_at`).
    fn create_api_token(&self, token: &NewApiToken) -> StoreResult<i64>;

    /// A user's tokens, revoked ones included, by id.
    fn api_tokens(&self, username: &str) -> StoreResult<Vec<ApiTokenRecord>>;

    /// Revokes one of `username`'s tokens; false when they have no such live token.
    fn revoke_api_token(&self, username: &str, id: i64, at: &str) -> StoreResult<bool>;

    /// The owner of a live token: not revoked, and expiring after `now`
    /// (`YYYY-MM-DDTHH:MM:SSZ`).
    fn api_token_owner(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>>;
}

/// The audit trail.
pub trait AuditTrail {
    /// Appends an event to the audit trail on its own. A change writes its event in its own
    /// transaction instead (the methods that take an [`Audit`]); this is for what changes no
    /// data (a refusal, a sign-in) and for changes whose method does not take one yet.
    fn audit(&self, actor: &str, action: &str, subject: &str, detail: &Value) -> StoreResult<()>;

    /// Audit events, newest first, at most `limit`.
    fn audit_events(&self, filter: &AuditFilter, limit: u64) -> StoreResult<Vec<AuditEvent>>;
}

/// The storage contract: the sum of the capability traits above, so that callers hold one
/// `&dyn Store` (or `Box<dyn Store>`) and reach every method through it. Every type that has
/// them all, and is safe to share between threads, is a `Store`.
///
/// Callbacks of the `for_each_*` methods, and code holding an open [`DeliveryImport`], must not
/// call the store again: a backend may hold its only connection for the duration.
pub trait Store:
    Send
    + Sync
    + Maintenance
    + ReferenceData
    + Agreements
    + Deliveries
    + Ledger
    + Registry
    + Cooperation
    + Identity
    + AuditTrail
{
}

impl<T> Store for T where
    T: Send
        + Sync
        + ?Sized
        + Maintenance
        + ReferenceData
        + Agreements
        + Deliveries
        + Ledger
        + Registry
        + Cooperation
        + Identity
        + AuditTrail
{
}
