//! The conformance suite: every backend of [`synergies_store::Store`] must pass it. A
//! dev-only crate: the store's test files (and those of any crate that wants the suite) invoke
//! [`conformance_checks!`], which makes one `#[test]` per check, named after the check, each on
//! a new, empty store (one that was never migrated). Every check is also a public function, for
//! a test that runs one check on a store of its own. Every check migrates the store itself
//! (migration is idempotent), except [`migrate_is_idempotent`], which needs a store that was
//! never migrated. The list of the checks is written once, in the macro.
//!
//! Checks panic with a message that says which rule of the contract was broken. They use only
//! the [`Store`] trait, so that a new backend (PostgreSQL) reuses them unchanged; checks that
//! need the engine itself (such as the database refusing an `UPDATE` of a posting) belong in
//! that backend's own test file.
//!
//! Beyond what the trait's documentation says, the suite holds backends to these:
//! - `framework()` returns each list sorted by its key (codes, then the other key columns);
//!   `agreements()` is sorted by code; `charges()` by period, agreement, sequence and id;
//! - a delivery import holds its own transaction: the suite never calls the store while an
//!   import is open (the SQLite backend holds its one connection for the import);
//! - deliveries, closings and entries get ids that grow in recording order.
//!
//! [`fixture`] builds the data that the checks use: a small framework (MC and BRS, their
//! conventions and funds, the biennium 2026-2027, two services, rate cards, rates and CHF
//! exchange rates), two active purchase agreements and their deliveries, and closings and
//! reversals computed with the domain's own cost engine.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};
use synergies_domain::agreement::{Agreement, VersionStatus};
use synergies_domain::delivery::{DeliveryStatus, StoredDelivery};
use synergies_domain::ledger::{Account, JournalEntry, Posting, TrialBalance};
use synergies_domain::model::{Framework, Organisation};
use synergies_domain::Currency;

use synergies_store::{
    AddOutcome, Audit, AuditFilter, ChargeFilter, ChargeRecord, ChargeTotal, ClosingRecord,
    ClosingStatus, DecisionRecord, DeliveryFilter, DumpItem, MandateLink, MandateNote, NewClosing,
    Page, SessionRecord, Store, StoreError, StoreResult, UserRecord,
};

/// The audit event a check's change writes with it.
fn audit(action: &str) -> Audit {
    Audit::new(
        "conformance",
        action,
        AGREEMENT,
        json!({"before": null, "after": {"by": "the conformance suite"}}),
    )
}

/// The tables that every backend has, as `table_counts` names them.
pub use synergies_store::TABLES;

/// One `#[test]` per conformance check, in the module where it is invoked: this macro's body
/// is the one list of the checks. The argument is a function (usually a closure) that opens a
/// new, empty store that was never migrated; each test calls it for every store it needs (the
/// pair checks more than once), and the function is dropped at the end of the test, so it may
/// own what the stores need (a temporary directory, schemas to drop).
///
/// `conformance_checks!(if_available: EXPR)` takes an `Option` of such a function instead:
/// `None` (an engine that is not there, such as PostgreSQL without its test database) makes
/// every test return at once.
///
/// ```ignore
/// mod in_memory {
///     synergies_store_conformance::conformance_checks!(|| SqliteStore::open_in_memory().unwrap());
/// }
/// ```
#[macro_export]
macro_rules! conformance_checks {
    (if_available: $make:expr) => {
        $crate::__each_check!(
            $make;
            single:
                migrate_is_idempotent,
                framework_round_trips,
                save_framework_upserts,
                save_framework_refuses_bad_and_frozen_reference_data,
                agreements_round_trip,
                insert_existing_agreement_is_a_conflict,
                update_agreement_protects_terms_in_force,
                update_agreement_refuses_a_stale_revision,
                decisions_round_trip,
                mandates_are_tracked,
                agreements_link_to_known_mandates,
                activities_round_trip,
                training_events_round_trip,
                task_force_round_trip,
                import_add_outcomes,
                import_stage_and_flush_in_batches,
                import_without_commit_writes_nothing,
                import_pending_and_charged_total,
                delivery_filters_and_order,
                accept_deliveries_touches_recorded_only,
                dispute_delivery_marks_one,
                post_closing_posts_charges_and_entries,
                post_closing_is_idempotent,
                save_user_ends_sign_ins_and_keeps_an_administrator,
                post_closing_refuses_closings_priced_with_changed_rates,
                changes_and_their_audit_events_commit_together,
                post_closing_refuses_changed_deliveries,
                concurrent_closings_post_once,
                concurrent_writers_charge_each_delivery_once,
                charges_filter,
                charge_totals_sum_posted_charges_per_payer,
                reverse_closing_restores_balances,
                reverse_closing_twice_is_refused,
                post_entry_is_idempotent_by_key,
                post_entry_refuses_unbalanced,
                entries_round_trip_and_stream_in_order,
                trial_balance_matches_postings,
                posted_entries_are_immutable,
                audit_appends,
                audit_events_read_newest_first,
                deliveries_page_in_index_order,
                delivery_tally_counts_every_delivery_once,
                a_page_of_deliveries_filters_as_a_stream_does,
                users_round_trip,
                sessions_expire_and_end,
                api_tokens_are_revoked,
                api_tokens_expire_and_are_capped,
                sign_ins_end_together,
                table_counts_lists_every_table,
            ;
            pair:
                dump_restores_everything,
                erase_all_empties_every_table,
                stage_replaces_whole_or_not_at_all,
        );
    };
    ($make:expr) => {
        $crate::conformance_checks!(if_available: ::core::option::Option::Some($make));
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __each_check {
    ($make:expr; single: $($check:ident,)*; pair: $($pair:ident,)*) => {
        $(
            #[test]
            fn $check() {
                let ::core::option::Option::Some(make) = $make else {
                    return;
                };
                let make = $crate::boxed(make);
                let store = make();
                $crate::$check(store.as_ref());
            }
        )*
        $(
            #[test]
            fn $pair() {
                let ::core::option::Option::Some(make) = $make else {
                    return;
                };
                let make = $crate::boxed(make);
                $crate::$pair(&make);
            }
        )*
    };
}

/// `make`, giving its stores as trait objects (what the checks take).
#[doc(hidden)]
pub fn boxed<S: Store + 'static>(make: impl Fn() -> S) -> impl Fn() -> Box<dyn Store> {
    move || Box::new(make()) as Box<dyn Store>
}

/// A dump of a store with closings, reversals and audit events restores into an empty store
/// identically (same rows, ids, trial balance and delivery states), and a restore into a
/// store that holds data is refused and writes nothing.
pub fn dump_restores_everything(make: &dyn Fn() -> Box<dyn Store>) {
    let source = make();
    let source = source.as_ref();
    fixture::seed_accepted(source);
    let march = fixture::march();
    let first = fixture::close(source, AGREEMENT, march, 1);
    let reversals = fixture::reversals(source, first, d("2026-04-30"));
    ok(
        source.reverse_closing(first, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    fixture::close(source, AGREEMENT, march, 2);
    ok(
        source.audit("test", "seed", "all", &json!({"n": 1})),
        "audit",
    );
    let decision = DecisionRecord {
        adopted_on: Some(d("2025-11-07")),
        ..fixture::decision("fr")
    };
    ok(
        source.save_decision(&decision, &audit("record.save")),
        "save_decision",
    );
    ok(
        source.save_mandates(&fixture::mandates(), &audit("record.save")),
        "save_mandates",
    );
    let link = MandateLink {
        agreement: AGREEMENT.into(),
        decision: "MC-6/20".into(),
        paragraph: "4(a)".into(),
    };
    ok(
        source.link_mandate(&link, &audit("record.save")),
        "link_mandate",
    );
    fixture::seed_cooperation(source);

    let mut items = vec![];
    ok(
        source.dump(&mut |item| {
            items.push(item);
            Ok(())
        }),
        "dump",
    );
    let tables: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            DumpItem::Table { table, .. } => Some(table.as_str()),
            DumpItem::Row(_) => None,
        })
        .collect();
    assert_eq!(tables, TABLES.to_vec(), "a dump lists every table in order");
    assert_dump_matches_shapes(&items);

    let target = make();
    let target = target.as_ref();
    ok(target.migrate(), "migrate");
    let mut feed = items.clone().into_iter();
    ok(target.restore(&mut || Ok(feed.next())), "restore");
    assert_eq!(
        snapshot(target),
        snapshot(source),
        "the restored store equals its source"
    );
    assert_eq!(
        ok(target.agreements(), "agreements"),
        ok(source.agreements(), "agreements")
    );
    assert_eq!(
        ok(target.framework(), "framework"),
        ok(source.framework(), "framework")
    );
    assert_eq!(ok(target.decisions(), "decisions"), vec![decision]);
    assert_eq!(ok(target.mandate_links(None), "mandate_links"), vec![link]);
    assert_eq!(Cooperation::of(target), Cooperation::of(source));
    assert_eq!(
        Cooperation::of(target).events,
        vec![fixture::training_event()]
    );
    assert_ledger_sound(target);

    // Restoring again into the now non-empty target is refused and writes nothing.
    let before = snapshot(target);
    let mut feed = items.into_iter();
    expect_conflict(
        target.restore(&mut || Ok(feed.next())),
        "a restore into a database with data",
    );
    assert_unchanged(target, &before, "a refused restore");
}

/// Every table of a dump has the columns its [`shape`](synergies_store::shape) lists, in order, and each
/// value is what the column's kind says: an integer, or text; null only where it may be.
pub fn assert_dump_matches_shapes(items: &[DumpItem]) {
    use synergies_store::shape::{shape, ColumnKind};
    let mut current: Option<&'static synergies_store::shape::TableShape> = None;
    for item in items {
        match item {
            DumpItem::Table { table, columns } => {
                let s = shape(table).unwrap_or_else(|| panic!("{table} has no shape"));
                let names: Vec<&str> = s.columns.iter().map(|c| c.name).collect();
                assert_eq!(
                    columns, &names,
                    "the columns of {table} differ from its shape"
                );
                current = Some(s);
            }
            DumpItem::Row(values) => {
                let s = current.expect("a row before its table");
                for (c, v) in s.columns.iter().zip(values) {
                    let fits = match v {
                        Value::Null => c.nullable,
                        Value::Number(n) => c.kind == ColumnKind::Integer && n.is_i64(),
                        Value::String(_) => c.kind != ColumnKind::Integer,
                        _ => false,
                    };
                    assert!(fits, "{}.{}: {v} does not fit {:?}", s.name, c.name, c.kind);
                }
            }
        }
    }
}

/// `erase_all` empties every table, keeps the schema, and the store works afterwards.
pub fn erase_all_empties_every_table(make: &dyn Fn() -> Box<dyn Store>) {
    let store = make();
    let store = store.as_ref();
    fixture::seed_accepted(store);
    fixture::close(store, AGREEMENT, fixture::march(), 1);
    ok(store.erase_all(), "erase_all");
    assert!(
        counts(store).values().all(|n| *n == 0),
        "every table is empty: {:?}",
        counts(store)
    );
    fixture::seed(store);
    assert!(!ok(store.is_empty(), "is_empty"));
}

// ---------------------------------------------------------------------------------------------
// Helpers.

#[track_caller]
fn ok<T>(result: StoreResult<T>, what: &str) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("{what} failed: {e} ({e:?})"),
    }
}

/// Row counts per table.
/// What a database holds that a migration must keep: every table's row count, the journal and
/// the trial balance.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub counts: BTreeMap<String, i64>,
    pub entries: Vec<JournalEntry>,
    pub balance: TrialBalance,
    pub cooperation: Cooperation,
}

/// The training events and the task force's records, as the store reads them back.
#[derive(Debug, Clone, PartialEq)]
pub struct Cooperation {
    pub events: Vec<synergies_domain::cooperation::TrainingEvent>,
    pub members: Vec<synergies_domain::cooperation::TaskForceMember>,
    pub meetings: Vec<synergies_domain::cooperation::TaskForceMeeting>,
    pub action_items: Vec<synergies_domain::cooperation::ActionItem>,
}

impl Cooperation {
    pub fn of(store: &dyn Store) -> Cooperation {
        Cooperation {
            events: ok(store.training_events(), "training_events"),
            members: ok(store.task_force_members(), "task_force_members"),
            meetings: ok(store.task_force_meetings(), "task_force_meetings"),
            action_items: ok(store.action_items(), "action_items"),
        }
    }
}

impl Held {
    pub fn of(store: &dyn Store) -> Held {
        Held {
            counts: counts(store),
            entries: entries(store),
            balance: ok(store.trial_balance(), "trial_balance"),
            cooperation: Cooperation::of(store),
        }
    }
}

/// The check of a database written by the release of schema `version` (its schema files and
/// its own bookkeeping of versions, made by the engine's test file) and holding `held`: this
/// program recognises its version, migrates it in place to the newest keeping every row (the
/// same counts, entries and trial balance), migrating again changes nothing, and it takes new
/// writes.
pub fn released_database_migrates_in_place(version: u32, held: &Held, store: &dyn Store) {
    assert_eq!(
        ok(store.schema_version(), "schema_version"),
        version,
        "the release's version is recognised"
    );
    let newest = ok(store.migrate(), "migrate");
    assert_eq!(newest, synergies_store::latest_schema_version());
    assert_eq!(ok(store.schema_version(), "schema_version"), newest);
    assert_eq!(&Held::of(store), held, "every row is kept");
    assert_eq!(
        ok(store.migrate(), "migrate again"),
        newest,
        "migrating again changes nothing"
    );
    ok(
        store.audit("mc.finance", "after.upgrade", "", &json!({})),
        "audit",
    );
    assert_eq!(
        counts(store)["audit_events"],
        held.counts["audit_events"] + 1,
        "the migrated database takes new writes"
    );
}

pub fn counts(store: &dyn Store) -> BTreeMap<String, i64> {
    ok(store.table_counts(), "table_counts")
        .into_iter()
        .collect()
}

#[track_caller]
fn count(store: &dyn Store, table: &str) -> i64 {
    *counts(store)
        .get(table)
        .unwrap_or_else(|| panic!("table_counts has no table {table}"))
}

/// The tables whose row count differs between two snapshots, with the difference.
fn changed(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    after
        .iter()
        .map(|(t, n)| (t.clone(), n - before.get(t).copied().unwrap_or(0)))
        .filter(|(_, d)| *d != 0)
        .collect()
}

fn deltas(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

/// The deliveries a filter selects, in the store's order.
pub fn deliveries(store: &dyn Store, filter: &DeliveryFilter) -> Vec<StoredDelivery> {
    let mut out = vec![];
    ok(
        store.for_each_delivery(filter, &mut |d| {
            out.push(d);
            Ok(())
        }),
        "for_each_delivery",
    );
    out
}

fn ids(list: &[StoredDelivery]) -> Vec<&str> {
    list.iter()
        .map(|d| d.delivery.external_id.as_str())
        .collect()
}

#[track_caller]
fn one(store: &dyn Store, agreement: &str, external_id: &str) -> StoredDelivery {
    deliveries(store, &by_agreement(agreement))
        .into_iter()
        .find(|d| d.delivery.external_id == external_id)
        .unwrap_or_else(|| panic!("delivery {external_id} of {agreement} is not stored"))
}

fn by_agreement(agreement: &str) -> DeliveryFilter {
    DeliveryFilter {
        agreement: Some(agreement.to_string()),
        ..DeliveryFilter::default()
    }
}

/// Every journal entry, in the store's order.
pub fn entries(store: &dyn Store) -> Vec<JournalEntry> {
    let mut out = vec![];
    ok(
        store.for_each_entry(&mut |e| {
            out.push(e);
            Ok(())
        }),
        "for_each_entry",
    );
    out
}

fn all_charges(store: &dyn Store) -> Vec<ChargeRecord> {
    ok(
        store.charges(&ChargeFilter {
            include_reversed: true,
            ..ChargeFilter::default()
        }),
        "charges",
    )
}

/// Pending deliveries of an agreement, through a new import that is then dropped.
fn pending(store: &dyn Store, agreement: &str) -> (Vec<String>, i64) {
    let mut import = ok(store.import_deliveries(), "import_deliveries");
    let mut out = vec![];
    ok(
        import.for_each_pending(agreement, &mut |d| {
            out.push(d.external_id.clone());
            Ok(())
        }),
        "for_each_pending",
    );
    let charged = ok(import.charged_total(agreement), "charged_total");
    drop(import);
    (out, charged)
}

#[track_caller]
fn expect_conflict<T: std::fmt::Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected StoreError::Conflict, got {other:?}"),
    }
}

#[track_caller]
fn expect_not_found<T: std::fmt::Debug>(result: StoreResult<T>, what: &str) {
    match result {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("{what}: expected StoreError::NotFound, got {other:?}"),
    }
}

/// A snapshot of everything the ledger-side checks compare: counts, trial balance, closings,
/// charges and deliveries.
#[derive(Debug, PartialEq)]
struct Snapshot {
    counts: BTreeMap<String, i64>,
    trial_balance: TrialBalance,
    closings: Vec<ClosingRecord>,
    charges: Vec<ChargeRecord>,
    deliveries: Vec<StoredDelivery>,
    entries: Vec<JournalEntry>,
}

fn snapshot(store: &dyn Store) -> Snapshot {
    Snapshot {
        counts: counts(store),
        trial_balance: ok(store.trial_balance(), "trial_balance"),
        closings: ok(store.closings(None), "closings"),
        charges: all_charges(store),
        deliveries: deliveries(store, &DeliveryFilter::default()),
        entries: entries(store),
    }
}

#[track_caller]
fn assert_unchanged(store: &dyn Store, before: &Snapshot, what: &str) {
    let after = snapshot(store);
    assert_eq!(
        changed(&before.counts, &after.counts),
        BTreeMap::new(),
        "{what} must write nothing, but row counts changed"
    );
    assert_eq!(&after, before, "{what} must write nothing");
}

/// The trial balance that the entries' postings give, computed outside the store.
fn recomputed_trial_balance(store: &dyn Store) -> TrialBalance {
    let all = entries(store);
    TrialBalance::from_postings(all.iter().flat_map(|e| e.postings.iter()))
}

#[track_caller]
fn assert_ledger_sound(store: &dyn Store) {
    let tb = ok(store.trial_balance(), "trial_balance");
    assert_eq!(
        tb,
        recomputed_trial_balance(store),
        "trial_balance() must equal TrialBalance::from_postings of every entry's postings"
    );
    assert_eq!(
        tb.violations(),
        Vec::<String>::new(),
        "the ledger invariants hold"
    );
}

// ---------------------------------------------------------------------------------------------
// The fixture.

/// The data the checks use. Public so that a backend's own tests can build on it.
pub mod fixture {
    use std::str::FromStr;

    use super::audit;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use synergies_domain::agreement::{
        Agreement, AgreementKind, AgreementLine, Participant, ShareKey, Terms,
    };
    use synergies_domain::cost::{ChargeAmounts, CostAccumulator, Pricer};
    use synergies_domain::delivery::{Delivery, DeliveryStatus};
    use synergies_domain::ledger::{Account, JournalEntry, Posting};
    use synergies_domain::model::*;
    use synergies_domain::money::{rational_text, round_to_minor};
    use synergies_domain::rates::{FxTable, RateBook};
    use synergies_domain::{Currency, Money, Month, Period};

    use super::{deliveries as stored_deliveries, ok};
    use synergies_store::{AddOutcome, ChargeFilter, DeliveryFilter, NewCharge, NewClosing, Store};

    pub const BIENNIUM: &str = "2026-2027";
    /// The agreement the checks close: MC provides legal advice and editing to BRS.
    pub const AGREEMENT: &str = "MC-BRS-2026-01";
    /// A second active agreement (editing only, paid from BRS's voluntary fund BD).
    pub const OTHER_AGREEMENT: &str = "MC-BRS-2026-02";
    pub const LEGAL: &str = "MC-LEGAL";
    pub const PAGES: &str = "MC-PAGES";
    pub const PROVIDER_FUND: &str = "MCGTF";
    pub const PAYER_FUND: &str = "BC";
    pub const OTHER_PAYER_FUND: &str = "BD";

    /// March 2026 of [`AGREEMENT`]: 2 d × 650 + 10 p × 45.50 + 0.5 d × 540.50 + 120 CHF at
    /// 0.80 CHF/USD = 1300 + 455 + 270.25 + 150 = 2175.25 USD; PSC 13 % = 282.7825 → 282.78.
    pub const MARCH_DIRECT: i64 = 217_525;
    pub const MARCH_PSC: i64 = 28_278;
    pub const MARCH_TOTAL: i64 = 245_803;
    /// April 2026 of [`AGREEMENT`]: 1 d × 650 + 20 p × 45.50 = 1560 USD; PSC 202.80.
    pub const APRIL_DIRECT: i64 = 156_000;
    pub const APRIL_PSC: i64 = 20_280;
    pub const APRIL_TOTAL: i64 = 176_280;
    /// March 2026 of [`OTHER_AGREEMENT`]: 4 p × 45.50 = 182 USD; PSC 23.66.
    pub const OTHER_MARCH_TOTAL: i64 = 20_566;

    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).expect("fixture dates are valid")
    }

    pub fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("fixture decimals are valid")
    }

    pub fn chf() -> Currency {
        Currency::from_code("CHF").expect("CHF is known")
    }

    pub fn month(s: &str) -> Month {
        s.parse().expect("fixture months are valid")
    }

    pub fn period(s: &str) -> Period {
        s.parse().expect("fixture periods are valid")
    }

    pub fn march() -> Period {
        period("2026-03")
    }

    pub fn april() -> Period {
        period("2026-04")
    }

    fn rate(key: RateKey, unit: Unit, from: &str, amount: &str) -> Rate {
        Rate {
            provider: "MC".into(),
            biennium: BIENNIUM.into(),
            key,
            unit,
            effective_from: date(from),
            amount: dec(amount),
            currency: Currency::USD,
        }
    }

    /// The reference data. Its lists are deliberately not in key order: the store returns
    /// them sorted (see [`super::sorted`]).
    pub fn framework() -> Framework {
        Framework {
            organisations: vec![
                Organisation {
                    code: "MC".into(),
                    name: "Secretariat of the Minamata Convention on Mercury".into(),
                },
                Organisation {
                    code: "BRS".into(),
                    name: "Secretariat of the Basel, Rotterdam and Stockholm Conventions".into(),
                },
            ],
            conventions: vec![
                Convention {
                    code: "MC".into(),
                    name: "Minamata Convention on Mercury".into(),
                    organisation: "MC".into(),
                },
                Convention {
                    code: "BC".into(),
                    name: "Basel Convention".into(),
                    organisation: "BRS".into(),
                },
            ],
            funds: vec![
                Fund {
                    code: PROVIDER_FUND.into(),
                    name: "General Trust Fund of the Minamata Convention".into(),
                    convention: "MC".into(),
                    organisation: "MC".into(),
                    kind: FundKind::General,
                },
                Fund {
                    code: PAYER_FUND.into(),
                    name: "General Trust Fund of the Basel Convention".into(),
                    convention: "BC".into(),
                    organisation: "BRS".into(),
                    kind: FundKind::General,
                },
                Fund {
                    code: OTHER_PAYER_FUND.into(),
                    name: "Technical Cooperation Trust Fund of the Basel Convention".into(),
                    convention: "BC".into(),
                    organisation: "BRS".into(),
                    kind: FundKind::Voluntary,
                },
            ],
            bienniums: vec![
                Biennium {
                    code: "2028-2029".into(),
                    start: date("2028-01-01"),
                    end: date("2029-12-31"),
                    status: BienniumStatus::Planning,
                },
                Biennium {
                    code: BIENNIUM.into(),
                    start: date("2026-01-01"),
                    end: date("2027-12-31"),
                    status: BienniumStatus::Open,
                },
            ],
            budget_lines: vec![
                BudgetLine {
                    fund: PROVIDER_FUND.into(),
                    biennium: BIENNIUM.into(),
                    activity: "3".into(),
                    title: "Legal and policy advice".into(),
                    currency: Currency::USD,
                    amount_minor: 48_000_000,
                    staff_days: dec("220.5"),
                },
                BudgetLine {
                    fund: PAYER_FUND.into(),
                    biennium: BIENNIUM.into(),
                    activity: "1".into(),
                    title: "Conferences of the Parties".into(),
                    currency: Currency::USD,
                    amount_minor: 125_000_000,
                    staff_days: dec("0"),
                },
            ],
            services: vec![
                Service {
                    code: PAGES.into(),
                    name: "Editing of documents".into(),
                    provider: "MC".into(),
                    category: ServiceCategory::ConferenceServicing,
                    unit: Unit::Page,
                },
                Service {
                    code: LEGAL.into(),
                    name: "Legal advice".into(),
                    provider: "MC".into(),
                    category: ServiceCategory::Legal,
                    unit: Unit::StaffDay,
                },
            ],
            rate_cards: vec![
                RateCard {
                    provider: "MC".into(),
                    biennium: BIENNIUM.into(),
                    currency: Currency::USD,
                    psc_rate: dec("0.13"),
                },
                RateCard {
                    provider: "BRS".into(),
                    biennium: BIENNIUM.into(),
                    currency: Currency::USD,
                    psc_rate: dec("0.13"),
                },
            ],
            rates: vec![
                rate(
                    RateKey::Grade("P-4".into()),
                    Unit::StaffDay,
                    "2026-07-01",
                    "700",
                ),
                rate(
                    RateKey::Grade("P-4".into()),
                    Unit::StaffDay,
                    "2026-01-01",
                    "650",
                ),
                rate(
                    RateKey::Grade("P-3".into()),
                    Unit::StaffDay,
                    "2026-01-01",
                    "540.50",
                ),
                rate(
                    RateKey::Service(PAGES.into()),
                    Unit::Page,
                    "2026-01-01",
                    "45.50",
                ),
            ],
            fx_rates: vec![
                FxRate {
                    currency: chf(),
                    month: month("2026-04"),
                    per_usd: dec("0.79"),
                },
                FxRate {
                    currency: chf(),
                    month: month("2026-03"),
                    per_usd: dec("0.80"),
                },
            ],
        }
    }

    /// Terms of [`AGREEMENT`] with a ceiling.
    pub fn terms(ceiling_minor: i64) -> Terms {
        Terms {
            ceiling_minor,
            psc_rate: dec("0.13"),
            lines: vec![
                AgreementLine {
                    service: LEGAL.into(),
                    estimated_quantity: dec("20"),
                },
                AgreementLine {
                    service: PAGES.into(),
                    estimated_quantity: dec("300"),
                },
            ],
            participants: vec![Participant {
                organisation: "BRS".into(),
                fund: PAYER_FUND.into(),
                weight: Decimal::ONE,
            }],
            share_key: ShareKey::Fixed,
            note: "Legal advice and editing for the meetings of 2026".into(),
        }
    }

    /// Proposes the latest version and has both heads approve it, which activates it.
    pub fn activate(a: &mut Agreement, on: &str) {
        a.propose().expect("the fixture proposes a draft");
        let first = a
            .approve("MC", "mc.executive.secretary", date(on))
            .expect("the head of MC approves");
        assert!(!first, "one head's approval does not activate an agreement");
        let second = a
            .approve("BRS", "brs.executive.secretary", date(on))
            .expect("the head of BRS approves");
        assert!(second, "both heads' approvals activate the agreement");
    }

    /// [`AGREEMENT`]: a purchase, MC provides to BRS, active after both heads' approvals.
    pub fn agreement() -> Agreement {
        let mut a = Agreement::draft(
            AGREEMENT,
            "Legal advice and editing for the BRS Secretariat",
            AgreementKind::Purchase,
            "MC",
            PROVIDER_FUND,
            BIENNIUM,
            Currency::USD,
            terms(5_000_000),
        );
        activate(&mut a, "2026-01-14");
        a.validate(&framework())
            .expect("the fixture agreement is valid");
        a
    }

    /// [`OTHER_AGREEMENT`]: editing only, paid from BD, active.
    pub fn other_agreement() -> Agreement {
        let mut a = Agreement::draft(
            OTHER_AGREEMENT,
            "Editing of technical guidelines",
            AgreementKind::Purchase,
            "MC",
            PROVIDER_FUND,
            BIENNIUM,
            Currency::USD,
            Terms {
                ceiling_minor: 1_000_000,
                psc_rate: dec("0.13"),
                lines: vec![AgreementLine {
                    service: PAGES.into(),
                    estimated_quantity: dec("150"),
                }],
                participants: vec![Participant {
                    organisation: "BRS".into(),
                    fund: OTHER_PAYER_FUND.into(),
                    weight: Decimal::ONE,
                }],
                share_key: ShareKey::Fixed,
                note: String::new(),
            },
        );
        activate(&mut a, "2026-02-02");
        a.validate(&framework())
            .expect("the fixture agreement is valid");
        a
    }

    /// A sharing agreement left in draft (joint training, split by participants).
    pub fn sharing_draft() -> Agreement {
        let a = Agreement::draft(
            "JOINT-2026-01",
            "Joint training of chairs and potential negotiators",
            AgreementKind::Sharing,
            "MC",
            PROVIDER_FUND,
            BIENNIUM,
            Currency::USD,
            Terms {
                ceiling_minor: 2_000_000,
                psc_rate: dec("0.07"),
                lines: vec![AgreementLine {
                    service: LEGAL.into(),
                    estimated_quantity: dec("5.5"),
                }],
                participants: vec![
                    Participant {
                        organisation: "BRS".into(),
                        fund: PAYER_FUND.into(),
                        weight: dec("60"),
                    },
                    Participant {
                        organisation: "MC".into(),
                        fund: PROVIDER_FUND.into(),
                        weight: dec("40"),
                    },
                ],
                share_key: ShareKey::Driver {
                    driver: "participants".into(),
                },
                note: "Split by participants of each secretariat".into(),
            },
        );
        a.validate(&framework())
            .expect("the fixture agreement is valid");
        a
    }

    #[allow(clippy::too_many_arguments)]
    pub fn delivery(
        agreement: &str,
        external_id: &str,
        service: &str,
        on: &str,
        quantity: &str,
        grade: Option<&str>,
        expense: Option<Money>,
        description: &str,
    ) -> Delivery {
        Delivery {
            agreement: agreement.into(),
            service: service.into(),
            date: date(on),
            quantity: dec(quantity),
            grade: grade.map(str::to_string),
            expense,
            description: description.into(),
            external_id: external_id.into(),
        }
    }

    /// The deliveries of [`AGREEMENT`]: three in March 2026 (one with a CHF expense), two in
    /// April.
    pub fn deliveries() -> Vec<Delivery> {
        vec![
            delivery(
                AGREEMENT,
                "LEG-001",
                LEGAL,
                "2026-03-02",
                "2",
                Some("P-4"),
                None,
                "Legal review of the draft decision on cooperation",
            ),
            delivery(
                AGREEMENT,
                "PAG-001",
                PAGES,
                "2026-03-10",
                "10",
                None,
                None,
                "Editing of a pre-session document",
            ),
            delivery(
                AGREEMENT,
                "LEG-002",
                LEGAL,
                "2026-03-20",
                "0.5",
                Some("P-3"),
                Some(Money::new(12_000, chf())),
                "Legal advice at the bureau meeting, with local travel",
            ),
            delivery(
                AGREEMENT,
                "LEG-003",
                LEGAL,
                "2026-04-03",
                "1",
                Some("P-4"),
                None,
                "Legal advice on the rules of procedure",
            ),
            delivery(
                AGREEMENT,
                "PAG-002",
                PAGES,
                "2026-04-15",
                "20",
                None,
                None,
                "Editing of the technical guidelines",
            ),
        ]
    }

    /// The one delivery of [`OTHER_AGREEMENT`], in March 2026.
    pub fn other_delivery() -> Delivery {
        delivery(
            OTHER_AGREEMENT,
            "OTH-001",
            PAGES,
            "2026-03-05",
            "4",
            None,
            None,
            "Editing of a guidance note",
        )
    }

    /// Every fixture delivery in recording order: [`AGREEMENT`]'s first, then the other
    /// agreement's, then the rest (so that recording order is not agreement order).
    pub fn all_deliveries() -> Vec<Delivery> {
        let mut all = deliveries();
        all.insert(1, other_delivery());
        all
    }

    /// Migrates the store and saves the framework.
    pub fn seed_framework(store: &dyn Store) {
        ok(store.migrate(), "migrate");
        ok(
            store.save_framework(&framework(), &audit("record.save")),
            "save_framework",
        );
    }

    /// Migrates the store, saves the framework and both active agreements.
    /// A decision record (MC-6/20) in `language`.
    pub fn decision(language: &str) -> super::DecisionRecord {
        use synergies_domain::decision::{DecisionKind, DecisionStatus, MeetingBody};
        super::DecisionRecord {
            number: "MC-6/20".into(),
            language: language.into(),
            treaty: "minamata".into(),
            kind: DecisionKind::Decision,
            body: MeetingBody::Cop,
            meeting: 6,
            status: DecisionStatus::Adopted,
            adopted_on: None,
            title: "Coopération et coordination".into(),
            document: format!("{{\"number\":\"MC-6/20\",\"language\":\"{language}\"}}"),
            imported_at: "2026-11-29T10:00:00+00:00".into(),
        }
    }

    /// Mandates of MC-6/20: paragraph 3 and sub-paragraphs 4(a) and 4(b).
    pub fn mandates() -> Vec<synergies_domain::mandate::Mandate> {
        use synergies_domain::mandate::{Mandate, MandateStatus, Tracking};
        ["3", "4(a)", "4(b)"]
            .into_iter()
            .map(|paragraph| Mandate {
                decision: "MC-6/20".into(),
                paragraph: paragraph.into(),
                actor: Some("secretariat".into()),
                tracking: Tracking::Operational,
                status: MandateStatus::Active,
                deliverable: None,
                due_meeting: None,
                text: format!("paragraph {paragraph}"),
            })
            .collect()
    }

    pub fn seed(store: &dyn Store) {
        seed_framework(store);
        ok(
            store.insert_agreement(&agreement(), &audit("agreement.create")),
            "insert_agreement",
        );
        ok(
            store.insert_agreement(&other_agreement(), &audit("agreement.create")),
            "insert_agreement",
        );
    }

    /// Records deliveries in one committed import; each must be new.
    pub fn import(store: &dyn Store, list: &[Delivery]) {
        let mut import = ok(store.import_deliveries(), "import_deliveries");
        for d in list {
            let outcome = ok(import.add(d), "DeliveryImport::add");
            assert_eq!(
                outcome,
                AddOutcome::Inserted,
                "a new delivery {} is inserted",
                d.external_id
            );
        }
        ok(
            import.commit(&audit("deliveries.import")),
            "DeliveryImport::commit",
        );
    }

    /// [`seed`] and [`all_deliveries`] recorded (not accepted).
    pub fn seed_with_deliveries(store: &dyn Store) {
        seed(store);
        import(store, &all_deliveries());
    }

    /// [`seed_with_deliveries`], with every delivery of both agreements accepted.
    /// A training event of the fixture's agreement, MC and BRS contributing.
    pub fn training_event() -> synergies_domain::cooperation::TrainingEvent {
        use synergies_domain::cooperation::*;
        let trainee = |country: &str, region, gender| Trainee {
            country: country.into(),
            region,
            gender,
            role: "potential_negotiator".into(),
        };
        TrainingEvent {
            code: "TRAIN-1".into(),
            title: "Training of chairs and potential negotiators".into(),
            bodies: vec!["MC COP-7".into(), "BRS COPs 2027".into()],
            start: date("2026-10-05"),
            end: date("2026-10-07"),
            place: Some("Geneva".into()),
            agreement: Some(AGREEMENT.into()),
            participants: vec![
                trainee("SN", RegionalGroup::African, Gender::Male),
                trainee("KE", RegionalGroup::African, Gender::Female),
                trainee("TH", RegionalGroup::AsiaPacific, Gender::Female),
            ],
            contributions: vec![
                EventContribution {
                    organisation: "BRS".into(),
                    staff_days: "14.5".parse().unwrap(),
                    amount_minor: 1_800_000,
                },
                EventContribution {
                    organisation: "MC".into(),
                    staff_days: "6".parse().unwrap(),
                    amount_minor: 1_080_000,
                },
            ],
        }
    }

    /// The task force's members, meetings and action items.
    pub fn task_force() -> (
        Vec<synergies_domain::cooperation::TaskForceMember>,
        Vec<synergies_domain::cooperation::TaskForceMeeting>,
        Vec<synergies_domain::cooperation::ActionItem>,
    ) {
        use synergies_domain::cooperation::*;
        (
            vec![
                TaskForceMember {
                    name: "BRS Deputy Executive Secretary".into(),
                    organisation: "BRS".into(),
                },
                TaskForceMember {
                    name: "MC Deputy Executive Secretary".into(),
                    organisation: "MC".into(),
                },
            ],
            vec![TaskForceMeeting {
                code: "TF-1".into(),
                date: date("2026-02-11"),
                attendees: vec!["MC".into(), "BRS".into()],
                minutes: "Agreed the 2026 service agreements.".into(),
            }],
            vec![ActionItem {
                code: "AI-1".into(),
                title: "Propose the legal advice agreement".into(),
                owner: "MC Deputy Executive Secretary".into(),
                due: date("2026-04-30"),
                status: ActionStatus::Done,
                meeting: Some("TF-1".into()),
                activity: Some("COOP-LEGAL".into()),
            }],
        )
    }

    /// Records [`training_event`] and [`task_force`] (after [`seed`]).
    pub fn seed_cooperation(store: &dyn Store) {
        ok(
            store.save_training_events(&[training_event()], &audit("training.import")),
            "save_training_events",
        );
        let (members, meetings, items) = task_force();
        ok(
            store.save_task_force(&members, &meetings, &items, &audit("task_force.import")),
            "save_task_force",
        );
    }

    /// [`training_event`] and [`task_force`] as schema 3 to 6 kept them: rows of
    /// `cooperation_records` (kind, code, the record's JSON document), for a test that writes
    /// a database as those releases did.
    pub fn cooperation_records() -> Vec<(&'static str, String, String)> {
        let e = training_event();
        let (members, meetings, items) = task_force();
        let doc = |v: serde_json::Result<String>| v.expect("a record serialises");
        let mut rows = vec![(
            "training_event",
            e.code.clone(),
            doc(serde_json::to_string(&e)),
        )];
        for m in &members {
            rows.push((
                "task_force_member",
                m.name.clone(),
                doc(serde_json::to_string(m)),
            ));
        }
        for m in &meetings {
            rows.push((
                "task_force_meeting",
                m.code.clone(),
                doc(serde_json::to_string(m)),
            ));
        }
        for a in &items {
            rows.push(("action_item", a.code.clone(), doc(serde_json::to_string(a))));
        }
        rows
    }

    pub fn seed_accepted(store: &dyn Store) {
        seed_with_deliveries(store);
        let n = ok(
            store.accept_deliveries(
                Some(AGREEMENT),
                None,
                date("2026-05-05"),
                &audit("deliveries.accept"),
            ),
            "accept_deliveries",
        );
        assert_eq!(n, 5, "the five deliveries of {AGREEMENT} are accepted");
        let n = ok(
            store.accept_deliveries(
                Some(OTHER_AGREEMENT),
                None,
                date("2026-05-05"),
                &audit("deliveries.accept"),
            ),
            "accept_deliveries",
        );
        assert_eq!(n, 1, "the delivery of {OTHER_AGREEMENT} is accepted");
    }

    /// The key of a charge's journal entry.
    pub fn charge_key(agreement: &str, period: Period, sequence: u32, payer_fund: &str) -> String {
        format!("charge:{agreement}:{period}:{sequence}:{payer_fund}")
    }

    /// The closing of a purchase agreement for a period, computed as the application does:
    /// the accepted, uncharged deliveries of the period are read from the store, priced by the
    /// domain's cost engine, summed exactly and rounded once; PSC by
    /// [`ChargeAmounts::from_direct`]; the entry by [`JournalEntry::for_charge`].
    pub fn closing(
        store: &dyn Store,
        agreement: &str,
        period: Period,
        sequence: u32,
        posted_on: NaiveDate,
    ) -> NewClosing {
        let framework = ok(store.framework(), "framework");
        let a = ok(store.agreement(agreement), "agreement")
            .unwrap_or_else(|| panic!("agreement {agreement} is stored"));
        let version = a
            .active_version()
            .unwrap_or_else(|| panic!("agreement {agreement} is active"))
            .clone();
        let biennium = framework
            .biennium(&a.biennium)
            .unwrap_or_else(|| panic!("biennium {} is stored", a.biennium));
        let rates = RateBook::new(&framework.rates);
        let fx = FxTable::new(&framework.fx_rates);
        let pricer = Pricer::new(&framework, &rates, &fx);
        let mut costs = CostAccumulator::new(a.currency);
        let mut through = 0;
        let filter = DeliveryFilter {
            agreement: Some(agreement.to_string()),
            from: Some(period.first_day()),
            to: Some(period.last_day()),
            status: Some(DeliveryStatus::Accepted),
            uncharged: true,
            exclude_disputed: true,
            ..DeliveryFilter::default()
        };
        for d in stored_deliveries(store, &filter) {
            let priced = pricer
                .price(&a, &version, (biennium.start, biennium.end), &d.delivery)
                .unwrap_or_else(|issue| {
                    panic!(
                        "fixture delivery {} cannot be priced: {} ({})",
                        d.delivery.external_id, issue.reason, issue.column
                    )
                });
            costs.add(&priced).expect("the fixture's costs add up");
            through = through.max(d.id);
        }
        let exact = costs.exact(&fx).expect("the fixture has its FX rates");
        let direct_minor = round_to_minor(&exact, a.currency).expect("in range");
        let payers = a.payers(&version);
        assert_eq!(payers.len(), 1, "the fixture closes purchases: one payer");
        let payer = payers[0];
        let amounts = ChargeAmounts::from_direct(direct_minor, version.psc_rate).expect("in range");
        let entry = JournalEntry::for_charge(
            charge_key(agreement, period, sequence, &payer.fund),
            posted_on,
            format!(
                "{agreement} {period} closing {sequence}: charge to {}",
                payer.fund
            ),
            &a.provider_fund,
            &payer.fund,
            a.currency,
            &amounts,
        );
        NewClosing {
            agreement: agreement.to_string(),
            version: version.number,
            period,
            sequence,
            posted_on,
            direct_exact: rational_text(&exact),
            direct_minor,
            through_delivery_id: through,
            deliveries: costs.deliveries(),
            priced_with: framework.pricing_terms(),
            charges: vec![NewCharge {
                payer_organisation: payer.organisation.clone(),
                payer_fund: payer.fund.clone(),
                direct_minor: amounts.direct_minor,
                psc_minor: amounts.psc_minor,
                total_minor: amounts.total_minor,
                entry,
            }],
        }
    }

    /// Builds and posts a closing; it must be new.
    pub fn close(store: &dyn Store, agreement: &str, period: Period, sequence: u32) -> i64 {
        let c = closing(store, agreement, period, sequence, period.last_day());
        ok(
            store.post_closing(&c, &audit("period.close")),
            "post_closing",
        )
        .unwrap_or_else(|| panic!("closing {agreement} {period} #{sequence} is new"))
    }

    /// The reversal entries of a closing's charges, built from the posted entries.
    pub fn reversals(store: &dyn Store, closing: i64, on: NaiveDate) -> Vec<JournalEntry> {
        let charges = ok(
            store.charges(&ChargeFilter {
                include_reversed: true,
                ..ChargeFilter::default()
            }),
            "charges",
        );
        charges
            .iter()
            .filter(|c| c.closing == closing)
            .map(|c| {
                let e = ok(store.entry(c.entry), "entry")
                    .unwrap_or_else(|| panic!("the entry {} of charge {} exists", c.entry, c.id));
                e.reversal(
                    format!("reversal:{}", e.key),
                    on,
                    format!("Reversal of {}", e.description),
                )
            })
            .collect()
    }

    /// A settlement entry: the payer fund pays what it owes the provider fund in cash.
    pub fn settlement(key: &str, on: &str, currency: Currency, amount_minor: i64) -> JournalEntry {
        let p = |fund: &str, account: Account, amount_minor: i64| Posting {
            fund: fund.into(),
            account,
            currency,
            amount_minor,
        };
        JournalEntry {
            id: 0,
            key: key.into(),
            date: date(on),
            description: format!("Settlement {key}"),
            reverses: None,
            postings: vec![
                p(
                    PAYER_FUND,
                    Account::PayableTo(PROVIDER_FUND.into()),
                    amount_minor,
                ),
                p(PAYER_FUND, Account::Cash, -amount_minor),
                p(PROVIDER_FUND, Account::Cash, amount_minor),
                p(
                    PROVIDER_FUND,
                    Account::ReceivableFrom(PAYER_FUND.into()),
                    -amount_minor,
                ),
            ],
        }
    }
}

use fixture::{AGREEMENT, OTHER_AGREEMENT};

/// The framework as the store returns it: each list sorted by its key.
pub fn sorted(f: &Framework) -> Framework {
    let mut f = f.clone();
    f.organisations.sort_by(|a, b| a.code.cmp(&b.code));
    f.conventions.sort_by(|a, b| a.code.cmp(&b.code));
    f.funds.sort_by(|a, b| a.code.cmp(&b.code));
    f.bienniums.sort_by(|a, b| a.code.cmp(&b.code));
    f.budget_lines.sort_by(|a, b| {
        (&a.fund, &a.biennium, &a.activity).cmp(&(&b.fund, &b.biennium, &b.activity))
    });
    f.services.sort_by(|a, b| a.code.cmp(&b.code));
    f.rate_cards
        .sort_by(|a, b| (&a.provider, &a.biennium).cmp(&(&b.provider, &b.biennium)));
    f.rates.sort_by(|a, b| {
        (
            &a.provider,
            a.key.to_text(),
            a.unit.as_str(),
            a.effective_from,
        )
            .cmp(&(
                &b.provider,
                b.key.to_text(),
                b.unit.as_str(),
                b.effective_from,
            ))
    });
    f.fx_rates
        .sort_by(|a, b| (a.currency.code(), a.month).cmp(&(b.currency.code(), b.month)));
    f
}

fn d(s: &str) -> NaiveDate {
    fixture::date(s)
}

// ---------------------------------------------------------------------------------------------
// Schema.

/// `migrate` creates the schema on a new store, reports its version, and is idempotent.
/// Needs a store that was never migrated.
pub fn migrate_is_idempotent(store: &dyn Store) {
    let engine = store.engine();
    assert!(
        matches!(engine, "sqlite" | "postgres"),
        "engine() is {engine:?}, expected sqlite or postgres"
    );
    let before = ok(store.schema_version(), "schema_version of a new store");
    assert_eq!(
        before, 0,
        "a new, empty store has schema version 0 (this check needs a store never migrated)"
    );
    let version = ok(store.migrate(), "first migrate");
    assert!(
        version >= 1,
        "migrate reports the schema version now in force (got {version})"
    );
    assert_eq!(
        ok(store.schema_version(), "schema_version"),
        version,
        "schema_version after migrate is what migrate reported"
    );
    let again = ok(store.migrate(), "second migrate");
    assert_eq!(again, version, "migrating twice reports the same version");
    assert_eq!(ok(store.schema_version(), "schema_version"), version);
    assert!(
        ok(store.is_empty(), "is_empty"),
        "a migrated store is empty"
    );
    for (table, n) in counts(store) {
        assert_eq!(n, 0, "table {table} of a new store is empty");
    }
}

// ---------------------------------------------------------------------------------------------
// Reference data.

/// `save_framework` then `framework()` gives back exactly what was saved (sorted by key).
pub fn framework_round_trips(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    assert_eq!(
        ok(store.framework(), "framework of an empty store"),
        Framework::default(),
        "an empty store has an empty framework"
    );
    assert!(ok(store.is_empty(), "is_empty"), "nothing saved yet");
    let f = fixture::framework();
    ok(
        store.save_framework(&f, &audit("record.save")),
        "save_framework",
    );
    assert!(
        !ok(store.is_empty(), "is_empty"),
        "a store with organisations is not empty"
    );
    let got = ok(store.framework(), "framework");
    assert_eq!(
        got,
        sorted(&f),
        "framework() returns exactly what save_framework saved, each list sorted by its key"
    );
    let c = counts(store);
    for (table, n) in [
        ("organisations", 2),
        ("conventions", 2),
        ("funds", 3),
        ("bienniums", 2),
        ("budget_lines", 2),
        ("services", 2),
        ("rate_cards", 2),
        ("rates", 4),
        ("fx_rates", 2),
    ] {
        assert_eq!(c[table], n, "table_counts of {table} after save_framework");
    }
}

/// Saving the framework again updates rows in place instead of duplicating them, and a
/// partial framework adds to what is stored without removing anything.
pub fn save_framework_upserts(store: &dyn Store) {
    fixture::seed_framework(store);
    let f = fixture::framework();
    let before = counts(store);
    ok(
        store.save_framework(&f, &audit("record.save")),
        "save_framework again",
    );
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[("audit_events", 1)]),
        "saving the same framework twice adds no rows but its audit event"
    );
    assert_eq!(ok(store.framework(), "framework"), sorted(&f));

    let mut g = f.clone();
    g.organisations[0].name = "Minamata Convention Secretariat".into();
    g.conventions[1].name = "Basel Convention on the Control of Transboundary Movements".into();
    g.funds[1].name = "BC general trust fund".into();
    g.funds[2].kind = synergies_domain::model::FundKind::Special;
    g.bienniums[1].status = synergies_domain::model::BienniumStatus::Closing;
    g.budget_lines[0].amount_minor = 50_000_000;
    g.budget_lines[0].staff_days = fixture::dec("230");
    g.services[0].name = "Editing and proofreading".into();
    g.rate_cards[0].psc_rate = fixture::dec("0.12");
    g.rates[2].amount = fixture::dec("555.25");
    g.fx_rates[1].per_usd = fixture::dec("0.8123");
    ok(
        store.save_framework(&g, &audit("record.save")),
        "save_framework with changes",
    );
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[("audit_events", 2)]),
        "saving changed rows updates them in place (with an audit event per save)"
    );
    assert_eq!(
        ok(store.framework(), "framework"),
        sorted(&g),
        "framework() returns the updated values"
    );

    let partial = Framework {
        organisations: vec![Organisation {
            code: "CHB".into(),
            name: "UNEP Chemicals and Health Branch".into(),
        }],
        ..Framework::default()
    };
    ok(
        store.save_framework(&partial, &audit("record.save")),
        "save_framework (partial)",
    );
    let mut expected = g.clone();
    expected.organisations.extend(partial.organisations.clone());
    assert_eq!(
        ok(store.framework(), "framework"),
        sorted(&expected),
        "a partial framework adds its rows and removes none"
    );
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[("organisations", 1), ("audit_events", 3)])
    );
}

/// `save_framework` runs the domain's check in its transaction: a bad document (a rate of
/// zero or less, an exchange rate of zero, a code given twice) is refused with every problem
/// named, and so is a change to what a posted closing used (a rate that priced its days, a
/// new rate that would take some of them over, its rate card's PSC rate, a covered month's
/// exchange rate). Nothing is written when it is refused; a new dated rate after the closed
/// period, a month's first exchange rate and a change to a rate no closing used are accepted.
pub fn save_framework_refuses_bad_and_frozen_reference_data(store: &dyn Store) {
    use fixture::BIENNIUM;
    use synergies_domain::model::{FxRate, PostedPeriod, RateKey};
    fixture::seed_accepted(store);
    let march = fixture::march();
    fixture::close(store, AGREEMENT, march, 1);
    let stored = ok(store.framework(), "framework");
    let before = counts(store);
    let refused = |f: &Framework, what: &str, needle: &[&str]| {
        let e = match store.save_framework(f, &audit("record.save")) {
            Err(StoreError::Domain(e)) => e.to_string(),
            other => panic!("{what}: expected the domain's refusal, got {other:?}"),
        };
        for n in needle {
            assert!(e.contains(n), "{what}: the refusal names {n:?}: {e}");
        }
        assert_eq!(counts(store), before, "{what}: nothing written");
        assert_eq!(
            ok(store.framework(), "framework"),
            stored,
            "{what}: the framework is unchanged"
        );
    };
    // A bad document: every problem reported at once.
    let mut bad = stored.clone();
    bad.rates[0].amount = fixture::dec("-50");
    bad.fx_rates[0].per_usd = fixture::dec("0");
    let dup = bad.services[0].clone();
    bad.services.push(dup);
    refused(
        &bad,
        "negative rate, zero exchange rate, duplicate service",
        &[
            "not more than zero",
            "per_usd",
            "more than once",
            "3 problems",
        ],
    );
    // The P-4 staff-day rate from 2026-01-01 priced March's legal advice.
    let mut changed = stored.clone();
    let p4 = changed
        .rates
        .iter_mut()
        .find(|r| r.key == RateKey::Grade("P-4".into()) && r.effective_from == d("2026-01-01"))
        .expect("the P-4 rate from 2026-01-01");
    p4.amount = fixture::dec("999");
    refused(
        &changed,
        "a changed rate a posted closing used",
        &["was used by a posted closing"],
    );
    // A new rate from 2026-03-15 would take over days of March from the 2026-01-01 rate.
    let mut retro = Framework::default();
    let mut r = stored
        .rates
        .iter()
        .find(|r| r.key == RateKey::Grade("P-4".into()) && r.effective_from == d("2026-01-01"))
        .expect("the P-4 rate")
        .clone();
    r.effective_from = d("2026-03-15");
    r.amount = fixture::dec("660");
    retro.rates.push(r.clone());
    refused(
        &retro,
        "a new rate inside a closed period",
        &["effective_from"],
    );
    // The rate card's PSC rate and March's exchange rate.
    let mut psc = Framework::default();
    let mut card = stored.rate_card("MC", BIENNIUM).expect("MC's card").clone();
    card.psc_rate = fixture::dec("0.07");
    psc.rate_cards.push(card);
    refused(&psc, "a changed PSC rate", &["psc_rate"]);
    let mut fx = Framework::default();
    let mut march_fx = stored
        .fx_rates
        .iter()
        .find(|x| x.month.to_string() == "2026-03")
        .expect("March's CHF rate")
        .clone();
    march_fx.per_usd = fixture::dec("0.5");
    fx.fx_rates.push(march_fx);
    refused(
        &fx,
        "a changed exchange rate of a closed month",
        &["per_usd"],
    );

    // What changes no posted closing is accepted.
    r.effective_from = d("2026-04-01");
    let mut later = Framework::default();
    later.rates.push(r);
    later.fx_rates.push(FxRate {
        currency: stored.fx_rates[0].currency,
        month: "2026-05".parse().expect("a month"),
        per_usd: fixture::dec("0.78"),
    });
    ok(
        store.save_framework(&later, &audit("record.save")),
        "a new rate after the closed period",
    );
    let mut april_fx = stored
        .fx_rates
        .iter()
        .find(|x| x.month.to_string() == "2026-04")
        .expect("April's CHF rate")
        .clone();
    april_fx.per_usd = fixture::dec("0.81");
    ok(
        store.save_framework(
            &Framework {
                fx_rates: vec![april_fx],
                ..Framework::default()
            },
            &audit("record.save"),
        ),
        "a changed exchange rate of a month no closing covers",
    );
    // The domain's rule itself: another provider's posted periods do not freeze MC's rates.
    assert!(synergies_domain::model::check_reference_change(
        &stored,
        &changed,
        &[PostedPeriod {
            provider: "BRS".into(),
            biennium: BIENNIUM.into(),
            start: d("2026-03-01"),
            end: d("2026-03-31"),
        }],
    )
    .is_empty());
}

// ---------------------------------------------------------------------------------------------
// Agreements.

/// Agreements round-trip whole: versions, lines, participants, share keys and approvals.
pub fn agreements_round_trip(store: &dyn Store) {
    fixture::seed_framework(store);
    assert!(ok(store.agreements(), "agreements").is_empty());
    assert_eq!(ok(store.agreement(AGREEMENT), "agreement"), None);

    // Active version 1, and an amendment proposed and approved by one head only.
    let mut a = fixture::agreement();
    a.amend(fixture::terms(8_000_000))
        .expect("an active agreement can be amended");
    a.propose().expect("the amendment is proposed");
    assert!(!a
        .approve("BRS", "brs.executive.secretary", d("2026-06-01"))
        .expect("BRS approves"));
    assert_eq!(a.versions.len(), 2);
    let other = fixture::other_agreement();
    let draft = fixture::sharing_draft();

    // Inserted out of code order.
    ok(
        store.insert_agreement(&other, &audit("agreement.create")),
        "insert_agreement",
    );
    ok(
        store.insert_agreement(&a, &audit("agreement.create")),
        "insert_agreement",
    );
    ok(
        store.insert_agreement(&draft, &audit("agreement.create")),
        "insert_agreement",
    );

    assert_eq!(
        ok(store.agreement(AGREEMENT), "agreement"),
        Some(a.clone()),
        "agreement() returns the agreement as inserted, with all its versions"
    );
    assert_eq!(
        ok(store.agreement(&draft.code), "agreement"),
        Some(draft.clone())
    );
    assert_eq!(ok(store.agreement("NO-SUCH-AGREEMENT"), "agreement"), None);
    assert_eq!(
        ok(store.agreements(), "agreements"),
        vec![draft, a, other],
        "agreements() returns every agreement, sorted by code"
    );
    let c = counts(store);
    assert_eq!(c["agreements"], 3);
    assert_eq!(c["agreement_versions"], 4);
}

/// Inserting an agreement whose code exists is a `Conflict` and changes nothing.
pub fn insert_existing_agreement_is_a_conflict(store: &dyn Store) {
    fixture::seed(store);
    let before = counts(store);
    let mut dup = fixture::agreement();
    dup.title = "Another agreement with the same code".into();
    dup.versions[0].ceiling_minor = 1;
    expect_conflict(
        store.insert_agreement(&dup, &audit("agreement.create")),
        "insert_agreement of an existing code",
    );
    assert_eq!(
        ok(store.agreement(AGREEMENT), "agreement"),
        Some(fixture::agreement()),
        "the stored agreement is unchanged"
    );
    assert_eq!(counts(store), before, "a refused insert writes nothing");
}

/// The terms of a version that is or was in force never change; new versions and status
/// changes are accepted.
pub fn update_agreement_protects_terms_in_force(store: &dyn Store) {
    fixture::seed(store);
    let a = fixture::agreement();
    assert_eq!(a.versions[0].status, VersionStatus::Active);

    let refuse = |changed: &Agreement, stored: &Agreement, what: &str| {
        expect_conflict(
            store.update_agreement(changed, &audit("agreement.update")),
            what,
        );
        assert_eq!(
            ok(store.agreement(AGREEMENT), "agreement").as_ref(),
            Some(stored),
            "{what}: a refused update writes nothing"
        );
    };
    type Mutation = (&'static str, fn(&mut Agreement, usize));
    let mutations: &[Mutation] = &[
        ("ceiling", |a, i| a.versions[i].ceiling_minor += 1),
        ("PSC rate", |a, i| {
            a.versions[i].psc_rate = fixture::dec("0.10")
        }),
        ("lines", |a, i| {
            a.versions[i].lines[0].estimated_quantity = fixture::dec("99")
        }),
        ("participants", |a, i| {
            a.versions[i].participants[0].fund = fixture::OTHER_PAYER_FUND.into()
        }),
        ("share key", |a, i| {
            a.versions[i].share_key = synergies_domain::agreement::ShareKey::Driver {
                driver: "headcount".into(),
            }
        }),
        ("note", |a, i| a.versions[i].note = "changed".into()),
    ];
    for (what, mutate) in mutations {
        let mut changed = a.clone();
        mutate(&mut changed, 0);
        refuse(
            &changed,
            &a,
            &format!("changing the {what} of an active version"),
        );
    }

    // An amendment: a new draft version is accepted, and its terms may change while in draft.
    let mut b = a.clone();
    b.amend(fixture::terms(8_000_000)).expect("amend");
    ok(
        store.update_agreement(&b, &audit("agreement.update")),
        "update_agreement with a new draft version",
    );
    b.revision += 1;
    assert_eq!(ok(store.agreement(AGREEMENT), "agreement"), Some(b.clone()));
    b.versions[1].ceiling_minor = 9_000_000;
    b.versions[1].note = "Raised ceiling for COP-17".into();
    ok(
        store.update_agreement(&b, &audit("agreement.update")),
        "update_agreement of a draft's terms",
    );
    b.revision += 1;
    assert_eq!(ok(store.agreement(AGREEMENT), "agreement"), Some(b.clone()));

    // Status changes and approvals: proposed, approved by one head, then by the other, which
    // supersedes version 1.
    b.propose().expect("propose");
    ok(
        store.update_agreement(&b, &audit("agreement.update")),
        "update_agreement: proposed",
    );
    b.revision += 1;
    assert!(!b
        .approve("MC", "mc.executive.secretary", d("2026-06-01"))
        .expect("approve"));
    ok(
        store.update_agreement(&b, &audit("agreement.update")),
        "update_agreement: one approval",
    );
    b.revision += 1;
    assert!(b
        .approve("BRS", "brs.executive.secretary", d("2026-06-02"))
        .expect("approve"));
    assert_eq!(b.versions[0].status, VersionStatus::Superseded);
    assert_eq!(b.versions[1].status, VersionStatus::Active);
    ok(
        store.update_agreement(&b, &audit("agreement.update")),
        "update_agreement: activated",
    );
    b.revision += 1;
    assert_eq!(
        ok(store.agreement(AGREEMENT), "agreement"),
        Some(b.clone()),
        "statuses and approvals are stored"
    );

    // Now version 1 is superseded and version 2 active: neither's terms change.
    for (what, mutate) in mutations {
        for (i, status) in [(0, "superseded"), (1, "active")] {
            let mut changed = b.clone();
            mutate(&mut changed, i);
            refuse(
                &changed,
                &b,
                &format!("changing the {what} of a {status} version"),
            );
        }
    }

    let mut fewer = b.clone();
    fewer.versions.pop();
    refuse(&fewer, &b, "removing a version that is in force");

    let mut unknown = fixture::agreement();
    unknown.code = "NO-SUCH-AGREEMENT".into();
    expect_not_found(
        store.update_agreement(&unknown, &audit("agreement.update")),
        "update_agreement of an unknown agreement",
    );
    assert_eq!(ok(store.agreements(), "agreements").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Deliveries.

/// `add` says Inserted for a new delivery, Identical for the same content again (whatever the
/// notation of its decimals), and Conflict with the stored delivery for other content under the
/// same agreement and external id.
pub fn import_add_outcomes(store: &dyn Store) {
    fixture::seed(store);
    let first = fixture::deliveries()[0].clone();
    let mut other_content = first.clone();
    other_content.quantity = fixture::dec("3");
    other_content.description = "Another description".into();
    let mut same_other_notation = first.clone();
    same_other_notation.quantity = fixture::dec("2.00");
    let mut same_id_other_agreement = fixture::other_delivery();
    same_id_other_agreement.external_id = first.external_id.clone();

    let mut import = ok(store.import_deliveries(), "import_deliveries");
    assert_eq!(ok(import.add(&first), "add"), AddOutcome::Inserted);
    assert_eq!(
        ok(import.add(&first), "add again"),
        AddOutcome::Identical,
        "the same delivery twice in one import is Identical"
    );
    assert_eq!(
        ok(import.add(&same_other_notation), "add"),
        AddOutcome::Identical,
        "2 and 2.00 are the same quantity"
    );
    assert_eq!(
        ok(import.add(&other_content), "add"),
        AddOutcome::Conflict(first.clone()),
        "other content under the same external id is a Conflict carrying the stored delivery"
    );
    assert_eq!(
        ok(import.add(&same_id_other_agreement), "add"),
        AddOutcome::Inserted,
        "an external id is unique within its agreement only"
    );
    let mut unknown = first.clone();
    unknown.agreement = "NO-SUCH-AGREEMENT".into();
    expect_not_found(import.add(&unknown), "add under an unknown agreement");
    ok(import.commit(&audit("deliveries.import")), "commit");

    // After the commit, in a new import.
    let mut import = ok(store.import_deliveries(), "import_deliveries");
    assert_eq!(ok(import.add(&first), "add"), AddOutcome::Identical);
    assert_eq!(
        ok(import.add(&other_content), "add"),
        AddOutcome::Conflict(first.clone())
    );
    ok(import.commit(&audit("deliveries.import")), "commit");

    let stored = deliveries(store, &DeliveryFilter::default());
    assert_eq!(stored.len(), 2, "two deliveries were inserted");
    assert_eq!(stored[0].delivery, first);
    assert_eq!(stored[1].delivery, same_id_other_agreement);
    assert_eq!(count(store, "deliveries"), 2);
}

/// Deliveries staged in batches: a flush reports, with their tags, exactly the staged
/// deliveries it did not insert, whether their agreement and external id were recorded before
/// or earlier in the same batch (the first of a batch is inserted, a later one is `Identical`
/// or a `Conflict` with it); text with tabs, newlines, carriage returns and backslashes is
/// stored as given; an unknown agreement is refused at `stage`.
pub fn import_stage_and_flush_in_batches(store: &dyn Store) {
    fixture::seed(store);
    let all = fixture::deliveries();
    let mut odd = all[0].clone();
    odd.external_id = "ODD-001\\x".into();
    odd.description =
        "tab\there, newline\nthere, CR\r, backslash \\ and \\N, quote ' \" and UTF-8: é 😀".into();
    odd.grade = Some("P-4\t(acting)".into());
    let mut same_other_notation = odd.clone();
    same_other_notation.quantity = fixture::dec("2.000");
    let mut other_content = odd.clone();
    other_content.description = "another description".into();
    let other = fixture::other_delivery();

    let sort = |mut v: Vec<(u64, AddOutcome)>| {
        v.sort_by_key(|(tag, _)| *tag);
        v
    };
    let mut import = ok(store.import_deliveries(), "import_deliveries");
    assert_eq!(
        ok(import.flush(), "flush with nothing staged"),
        vec![],
        "a flush with nothing staged reports nothing"
    );
    ok(import.stage(10, &odd), "stage");
    ok(import.stage(11, &other), "stage");
    ok(import.stage(12, &same_other_notation), "stage");
    ok(import.stage(13, &other_content), "stage");
    let mut unknown = all[1].clone();
    unknown.agreement = "NO-SUCH-AGREEMENT".into();
    expect_not_found(
        import.stage(14, &unknown),
        "stage under an unknown agreement",
    );
    assert_eq!(
        sort(ok(import.flush(), "flush")),
        vec![
            (12, AddOutcome::Identical),
            (13, AddOutcome::Conflict(odd.clone())),
        ],
        "within one batch the first delivery of an external id is inserted; a later one is \
         Identical (whatever the notation of its decimals) or a Conflict with the first"
    );
    ok(import.stage(20, &all[1]), "stage");
    ok(import.stage(21, &odd), "stage");
    ok(import.stage(22, &other_content), "stage");
    ok(import.stage(23, &all[2]), "stage");
    assert_eq!(
        sort(ok(import.flush(), "second flush")),
        vec![
            (21, AddOutcome::Identical),
            (22, AddOutcome::Conflict(odd.clone())),
        ],
        "a later batch compares with what earlier batches inserted"
    );
    assert_eq!(
        ok(import.flush(), "flush again"),
        vec![],
        "nothing left staged"
    );
    let mut pending = vec![];
    ok(
        import.for_each_pending(AGREEMENT, &mut |d| {
            pending.push(d.clone());
            Ok(())
        }),
        "for_each_pending",
    );
    assert_eq!(
        pending,
        vec![odd.clone(), all[1].clone(), all[2].clone()],
        "the import sees what it flushed, in staging order"
    );
    ok(import.commit(&audit("deliveries.import")), "commit");

    let stored: Vec<_> = deliveries(store, &DeliveryFilter::default())
        .into_iter()
        .map(|d| d.delivery)
        .collect();
    assert_eq!(
        stored,
        vec![odd.clone(), other.clone(), all[1].clone(), all[2].clone()],
        "the inserted deliveries are stored as given (text byte for byte), in staging order"
    );
    assert_eq!(
        stored[0].description, odd.description,
        "tabs, newlines, carriage returns and backslashes survive"
    );

    // A batch whose first delivery conflicts with a recorded one, then repeats it exactly.
    let mut import = ok(store.import_deliveries(), "import_deliveries");
    ok(import.stage(1, &other_content), "stage");
    ok(import.stage(2, &odd), "stage");
    ok(import.stage(3, &all[3]), "stage");
    ok(import.stage(4, &all[3]), "stage");
    assert_eq!(
        sort(ok(import.flush(), "flush")),
        vec![
            (1, AddOutcome::Conflict(odd.clone())),
            (2, AddOutcome::Identical),
            (4, AddOutcome::Identical),
        ],
        "rows recorded before the batch are compared with the recorded delivery"
    );
    drop(import);
    assert_eq!(
        count(store, "deliveries"),
        4,
        "an import dropped without commit writes nothing"
    );
}

/// Dropping an import without `commit` writes nothing; `commit` writes.
pub fn import_without_commit_writes_nothing(store: &dyn Store) {
    fixture::seed(store);
    let before = counts(store);
    assert!(deliveries(store, &DeliveryFilter::default()).is_empty());
    {
        let mut import = ok(store.import_deliveries(), "import_deliveries");
        for d in fixture::all_deliveries() {
            assert_eq!(ok(import.add(&d), "add"), AddOutcome::Inserted);
        }
        let mut seen = 0;
        ok(
            import.for_each_pending(AGREEMENT, &mut |_| {
                seen += 1;
                Ok(())
            }),
            "for_each_pending",
        );
        assert_eq!(seen, 5, "the import sees its own additions");
        // Dropped here without commit.
    }
    assert!(
        deliveries(store, &DeliveryFilter::default()).is_empty(),
        "an import dropped without commit writes no delivery"
    );
    assert_eq!(
        counts(store),
        before,
        "an import dropped without commit writes nothing"
    );

    let all = fixture::all_deliveries();
    fixture::import(store, &all);
    let stored = deliveries(store, &DeliveryFilter::default());
    assert_eq!(
        stored
            .iter()
            .map(|d| d.delivery.clone())
            .collect::<Vec<_>>(),
        all,
        "a committed import writes every delivery, in recording order"
    );
    for d in &stored {
        assert_eq!(
            d.status,
            DeliveryStatus::Recorded,
            "a new delivery is recorded"
        );
        assert_eq!(d.closing, None, "a new delivery is uncharged");
    }
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[("deliveries", 6), ("audit_events", 1)]),
        "a committed import writes its deliveries and its audit event"
    );
}

/// Within an import, `for_each_pending` lists the agreement's uncharged, undisputed
/// deliveries (committed and added) in recording order; `charged_total` sums its posted,
/// unreversed charges.
pub fn import_pending_and_charged_total(store: &dyn Store) {
    fixture::seed(store);
    let all = fixture::deliveries();
    fixture::import(store, &all[..3]);
    fixture::import(store, &[fixture::other_delivery()]);
    ok(
        store.accept_deliveries(
            Some(AGREEMENT),
            None,
            d("2026-04-01"),
            &audit("deliveries.accept"),
        ),
        "accept_deliveries",
    );

    let mut import = ok(store.import_deliveries(), "import_deliveries");
    let mut seen = vec![];
    ok(
        import.for_each_pending(AGREEMENT, &mut |d| {
            seen.push(d.clone());
            Ok(())
        }),
        "for_each_pending",
    );
    assert_eq!(seen, all[..3].to_vec(), "pending: the committed deliveries");
    for extra in &all[3..] {
        assert_eq!(ok(import.add(extra), "add"), AddOutcome::Inserted);
    }
    seen.clear();
    ok(
        import.for_each_pending(AGREEMENT, &mut |d| {
            seen.push(d.clone());
            Ok(())
        }),
        "for_each_pending",
    );
    assert_eq!(
        seen, all,
        "pending includes the import's own additions, in recording order"
    );
    assert_eq!(ok(import.charged_total(AGREEMENT), "charged_total"), 0);
    assert!(
        import
            .for_each_pending("NO-SUCH-AGREEMENT", &mut |_| Ok(()))
            .is_err(),
        "for_each_pending of an unknown agreement is an error"
    );
    ok(import.commit(&audit("deliveries.import")), "commit");

    ok(
        store.dispute_delivery(
            AGREEMENT,
            "PAG-002",
            "not requested",
            &audit("delivery.dispute"),
        ),
        "dispute_delivery",
    );
    let (ids, charged) = pending(store, AGREEMENT);
    assert_eq!(
        ids,
        ["LEG-001", "PAG-001", "LEG-002", "LEG-003"],
        "disputed deliveries are not pending"
    );
    assert_eq!(charged, 0);

    let closing = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let (ids, charged) = pending(store, AGREEMENT);
    assert_eq!(ids, ["LEG-003"], "charged deliveries are not pending");
    assert_eq!(
        charged,
        fixture::MARCH_TOTAL,
        "charged_total is the total of the posted charges"
    );
    let (ids, charged) = pending(store, OTHER_AGREEMENT);
    assert_eq!(ids, ["OTH-001"], "pending is per agreement");
    assert_eq!(charged, 0, "charged_total is per agreement");

    let reversals = fixture::reversals(store, closing, d("2026-04-30"));
    ok(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    let (ids, charged) = pending(store, AGREEMENT);
    assert_eq!(
        ids,
        ["LEG-001", "PAG-001", "LEG-002", "LEG-003"],
        "a reversal releases its deliveries"
    );
    assert_eq!(charged, 0, "reversed charges are not in charged_total");
}

/// `for_each_delivery` filters by agreement, dates (inclusive), status, uncharged and
/// disputed, and streams in recording (id) order.
pub fn delivery_filters_and_order(store: &dyn Store) {
    fixture::seed_with_deliveries(store);
    let all = deliveries(store, &DeliveryFilter::default());
    assert_eq!(
        ids(&all),
        ["LEG-001", "OTH-001", "PAG-001", "LEG-002", "LEG-003", "PAG-002"],
        "no filter: every delivery in recording order"
    );
    assert!(
        all.windows(2).all(|w| w[0].id < w[1].id),
        "ids grow in recording order"
    );
    assert_eq!(
        all.iter().map(|d| d.delivery.clone()).collect::<Vec<_>>(),
        fixture::all_deliveries(),
        "stored content equals recorded content"
    );

    // Statuses: March of AGREEMENT accepted, PAG-002 disputed, LEG-003 recorded.
    ok(
        store.accept_deliveries(
            Some(AGREEMENT),
            Some(d("2026-03-31")),
            d("2026-04-02"),
            &audit("deliveries.accept"),
        ),
        "accept_deliveries",
    );
    ok(
        store.dispute_delivery(
            AGREEMENT,
            "PAG-002",
            "not requested",
            &audit("delivery.dispute"),
        ),
        "dispute_delivery",
    );

    let f = |agreement: Option<&str>, from: Option<&str>, to: Option<&str>| DeliveryFilter {
        agreement: agreement.map(str::to_string),
        from: from.map(d),
        to: to.map(d),
        ..DeliveryFilter::default()
    };
    let cases: Vec<(&str, DeliveryFilter, Vec<&str>)> = vec![
        (
            "agreement",
            f(Some(AGREEMENT), None, None),
            vec!["LEG-001", "PAG-001", "LEG-002", "LEG-003", "PAG-002"],
        ),
        (
            "other agreement",
            f(Some(OTHER_AGREEMENT), None, None),
            vec!["OTH-001"],
        ),
        (
            "from (inclusive)",
            f(Some(AGREEMENT), Some("2026-03-10"), None),
            vec!["PAG-001", "LEG-002", "LEG-003", "PAG-002"],
        ),
        (
            "to (inclusive)",
            f(None, None, Some("2026-03-20")),
            vec!["LEG-001", "OTH-001", "PAG-001", "LEG-002"],
        ),
        (
            "from and to",
            f(None, Some("2026-03-05"), Some("2026-03-20")),
            vec!["OTH-001", "PAG-001", "LEG-002"],
        ),
        (
            "empty range",
            f(None, Some("2026-05-01"), Some("2026-05-31")),
            vec![],
        ),
        (
            "status accepted",
            DeliveryFilter {
                status: Some(DeliveryStatus::Accepted),
                ..DeliveryFilter::default()
            },
            vec!["LEG-001", "PAG-001", "LEG-002"],
        ),
        (
            "status recorded",
            DeliveryFilter {
                status: Some(DeliveryStatus::Recorded),
                ..DeliveryFilter::default()
            },
            vec!["OTH-001", "LEG-003"],
        ),
        (
            "status disputed",
            DeliveryFilter {
                status: Some(DeliveryStatus::Disputed),
                ..DeliveryFilter::default()
            },
            vec!["PAG-002"],
        ),
        (
            "exclude disputed",
            DeliveryFilter {
                agreement: Some(AGREEMENT.into()),
                exclude_disputed: true,
                ..DeliveryFilter::default()
            },
            vec!["LEG-001", "PAG-001", "LEG-002", "LEG-003"],
        ),
        (
            "uncharged before any closing",
            DeliveryFilter {
                agreement: Some(AGREEMENT.into()),
                uncharged: true,
                ..DeliveryFilter::default()
            },
            vec!["LEG-001", "PAG-001", "LEG-002", "LEG-003", "PAG-002"],
        ),
    ];
    for (what, filter, expected) in &cases {
        assert_eq!(
            ids(&deliveries(store, filter)),
            *expected,
            "for_each_delivery filtered by {what} ({filter:?})"
        );
    }
    for d in deliveries(store, &DeliveryFilter::default()) {
        let expected = match d.delivery.external_id.as_str() {
            "LEG-001" | "PAG-001" | "LEG-002" => DeliveryStatus::Accepted,
            "PAG-002" => DeliveryStatus::Disputed,
            _ => DeliveryStatus::Recorded,
        };
        assert_eq!(d.status, expected, "status of {}", d.delivery.external_id);
    }

    let closing = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let uncharged = DeliveryFilter {
        agreement: Some(AGREEMENT.into()),
        uncharged: true,
        ..DeliveryFilter::default()
    };
    assert_eq!(
        ids(&deliveries(store, &uncharged)),
        ["LEG-003", "PAG-002"],
        "uncharged leaves out what a closing charged"
    );
    assert_eq!(
        ids(&deliveries(
            store,
            &DeliveryFilter {
                exclude_disputed: true,
                ..uncharged.clone()
            }
        )),
        ["LEG-003"],
        "filters combine"
    );
    for d in deliveries(store, &by_agreement(AGREEMENT)) {
        let expected = matches!(
            d.delivery.external_id.as_str(),
            "LEG-001" | "PAG-001" | "LEG-002"
        )
        .then_some(closing);
        assert_eq!(
            d.closing, expected,
            "the closing of {}",
            d.delivery.external_id
        );
    }
    let mut stopped = 0;
    let result = store.for_each_delivery(&DeliveryFilter::default(), &mut |_| {
        stopped += 1;
        Err(StoreError::Invalid("stop".into()))
    });
    assert!(
        matches!(result, Err(StoreError::Invalid(ref m)) if m == "stop"),
        "an error of the callback stops the stream and is returned as is (got {result:?})"
    );
    assert_eq!(stopped, 1, "the stream stops at the first error");
}

/// `accept_deliveries` accepts recorded deliveries up to a date (inclusive) or all, returns
/// how many, and leaves disputed and already accepted ones alone.
pub fn accept_deliveries_touches_recorded_only(store: &dyn Store) {
    fixture::seed_with_deliveries(store);
    ok(
        store.dispute_delivery(
            AGREEMENT,
            "PAG-001",
            "not requested",
            &audit("delivery.dispute"),
        ),
        "dispute_delivery",
    );
    let accept = |through: Option<&str>| {
        ok(
            store.accept_deliveries(
                Some(AGREEMENT),
                through.map(d),
                d("2026-05-05"),
                &audit("deliveries.accept"),
            ),
            "accept_deliveries",
        )
    };
    assert_eq!(accept(Some("2026-03-01")), 0, "nothing dated up to 1 March");
    assert_eq!(accept(Some("2026-03-02")), 1, "`through` is inclusive");
    assert_eq!(
        accept(Some("2026-03-02")),
        0,
        "accepted ones are not counted again"
    );
    assert_eq!(
        accept(Some("2026-03-31")),
        1,
        "the disputed delivery is not accepted"
    );
    assert_eq!(accept(None), 2, "None accepts every recorded delivery");
    assert_eq!(accept(None), 0);
    let statuses: Vec<(String, DeliveryStatus)> = deliveries(store, &DeliveryFilter::default())
        .into_iter()
        .map(|d| (d.delivery.external_id, d.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("LEG-001".to_string(), DeliveryStatus::Accepted),
            ("OTH-001".to_string(), DeliveryStatus::Recorded),
            ("PAG-001".to_string(), DeliveryStatus::Disputed),
            ("LEG-002".to_string(), DeliveryStatus::Accepted),
            ("LEG-003".to_string(), DeliveryStatus::Accepted),
            ("PAG-002".to_string(), DeliveryStatus::Accepted),
        ],
        "only the agreement's recorded deliveries were accepted"
    );
    expect_not_found(
        store.accept_deliveries(
            Some("NO-SUCH-AGREEMENT"),
            None,
            d("2026-05-05"),
            &audit("deliveries.accept"),
        ),
        "accept_deliveries of an unknown agreement",
    );
}

/// `dispute_delivery` marks one recorded delivery disputed and refuses others.
pub fn dispute_delivery_marks_one(store: &dyn Store) {
    fixture::seed_with_deliveries(store);
    ok(
        store.dispute_delivery(
            AGREEMENT,
            "PAG-001",
            "the pages were not requested",
            &audit("delivery.dispute"),
        ),
        "dispute_delivery",
    );
    for d in deliveries(store, &DeliveryFilter::default()) {
        let expected = if d.delivery.external_id == "PAG-001" {
            DeliveryStatus::Disputed
        } else {
            DeliveryStatus::Recorded
        };
        assert_eq!(d.status, expected, "status of {}", d.delivery.external_id);
    }
    let before = counts(store);
    let refused = |result: StoreResult<()>, what: &str| match result {
        Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected NotFound or Conflict, got {other:?}"),
    };
    refused(
        store.dispute_delivery(AGREEMENT, "PAG-001", "again", &audit("delivery.dispute")),
        "disputing a disputed delivery",
    );
    assert_eq!(counts(store), before, "a refused dispute writes nothing");
    ok(
        store.accept_deliveries(
            Some(AGREEMENT),
            Some(d("2026-03-02")),
            d("2026-03-05"),
            &audit("deliveries.accept"),
        ),
        "accept_deliveries",
    );
    let before = counts(store); // the acceptance is recorded as an event
    refused(
        store.dispute_delivery(AGREEMENT, "LEG-001", "too late", &audit("delivery.dispute")),
        "disputing an accepted delivery",
    );
    assert_eq!(
        one(store, AGREEMENT, "LEG-001").status,
        DeliveryStatus::Accepted,
        "a refused dispute changes nothing"
    );
    expect_not_found(
        store.dispute_delivery(AGREEMENT, "NO-SUCH-ID", "?", &audit("delivery.dispute")),
        "disputing an unknown delivery",
    );
    expect_not_found(
        store.dispute_delivery(OTHER_AGREEMENT, "LEG-002", "?", &audit("delivery.dispute")),
        "disputing a delivery of another agreement",
    );
    expect_not_found(
        store.dispute_delivery(
            "NO-SUCH-AGREEMENT",
            "LEG-002",
            "?",
            &audit("delivery.dispute"),
        ),
        "disputing under an unknown agreement",
    );
    assert_eq!(counts(store), before);
}

// ---------------------------------------------------------------------------------------------
// Closings.

/// `post_closing` posts the closing, its charges and entries, marks its deliveries charged,
/// and returns the closing's id.
pub fn post_closing_posts_charges_and_entries(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march = fixture::march();
    let new = fixture::closing(store, AGREEMENT, march, 1, d("2026-04-05"));
    assert_eq!(
        new.deliveries, 3,
        "fixture: three accepted deliveries in March"
    );
    assert_eq!(
        new.direct_minor,
        fixture::MARCH_DIRECT,
        "fixture: March direct cost"
    );
    assert_eq!(new.direct_exact, "2175.25");
    assert_eq!(new.charges[0].psc_minor, fixture::MARCH_PSC);
    assert_eq!(new.charges[0].total_minor, fixture::MARCH_TOTAL);

    let before = counts(store);
    let id = ok(
        store.post_closing(&new, &audit("period.close")),
        "post_closing",
    )
    .expect("a new closing is posted and its id returned");
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[
            ("closings", 1),
            ("closing_deliveries", 3),
            ("charges", 1),
            ("journal_entries", 1),
            ("postings", 5),
            ("audit_events", 1)
        ]),
        "a closing with one charge writes one closing, its 3 deliveries, one charge, one entry of 5 postings, and its audit event"
    );

    assert_eq!(
        ok(store.closings(Some(AGREEMENT)), "closings"),
        vec![ClosingRecord {
            id,
            agreement: AGREEMENT.into(),
            version: 1,
            period: "2026-03".into(),
            sequence: 1,
            posted_on: d("2026-04-05"),
            direct_exact: "2175.25".into(),
            direct_minor: fixture::MARCH_DIRECT,
            deliveries: 3,
            status: ClosingStatus::Posted,
        }],
        "closings() returns the posted closing"
    );
    assert!(ok(store.closings(Some(OTHER_AGREEMENT)), "closings").is_empty());
    assert_eq!(ok(store.closings(None), "closings").len(), 1);

    let charges = ok(store.charges(&ChargeFilter::default()), "charges");
    assert_eq!(charges.len(), 1, "one charge posted");
    let charge = &charges[0];
    assert_eq!(
        charge,
        &ChargeRecord {
            id: charge.id,
            closing: id,
            agreement: AGREEMENT.into(),
            version: 1,
            period: "2026-03".into(),
            sequence: 1,
            provider_fund: fixture::PROVIDER_FUND.into(),
            payer_organisation: "BRS".into(),
            payer_fund: fixture::PAYER_FUND.into(),
            currency: Currency::USD,
            direct_minor: fixture::MARCH_DIRECT,
            psc_minor: fixture::MARCH_PSC,
            total_minor: fixture::MARCH_TOTAL,
            deliveries: 3,
            entry: charge.entry,
            status: ClosingStatus::Posted,
            posted_on: d("2026-04-05"),
        },
        "charges() returns the posted charge"
    );
    let entry = ok(store.entry(charge.entry), "entry").expect("the charge's entry is posted");
    assert_eq!(
        entry,
        JournalEntry {
            id: charge.entry,
            ..new.charges[0].entry.clone()
        },
        "the charge's entry is the one given, with its id"
    );

    for sd in deliveries(store, &by_agreement(AGREEMENT)) {
        let in_march = march.contains(sd.delivery.date);
        assert_eq!(
            sd.closing,
            in_march.then_some(id),
            "delivery {} is marked charged by the closing iff it is in March",
            sd.delivery.external_id
        );
    }
    assert_eq!(
        one(store, OTHER_AGREEMENT, "OTH-001").closing,
        None,
        "another agreement's deliveries are untouched"
    );

    let tb = ok(store.trial_balance(), "trial_balance");
    let usd = Currency::USD;
    let (provider, payer) = (fixture::PROVIDER_FUND, fixture::PAYER_FUND);
    for (fund, account, amount) in [
        (payer, Account::ServicesReceived, fixture::MARCH_TOTAL),
        (
            payer,
            Account::PayableTo(provider.into()),
            -fixture::MARCH_TOTAL,
        ),
        (
            provider,
            Account::ReceivableFrom(payer.into()),
            fixture::MARCH_TOTAL,
        ),
        (
            provider,
            Account::CostRecoveryIncome,
            -fixture::MARCH_DIRECT,
        ),
        (provider, Account::PscIncome, -fixture::MARCH_PSC),
    ] {
        assert_eq!(
            tb.balance(fund, &account, usd),
            amount,
            "balance of {fund} {}",
            account.name()
        );
    }
    assert_eq!(tb.rows.len(), 5, "the trial balance has the five accounts");
    assert_ledger_sound(store);
}

/// Posting the same closing (agreement, period, sequence) again returns `None` and writes
/// nothing, whatever the rest of its content.
pub fn post_closing_is_idempotent(store: &dyn Store) {
    fixture::seed_accepted(store);
    let new = fixture::closing(store, AGREEMENT, fixture::march(), 1, d("2026-04-05"));
    let id = ok(
        store.post_closing(&new, &audit("period.close")),
        "post_closing",
    )
    .expect("the first closing posts");
    let before = snapshot(store);
    assert_eq!(
        ok(
            store.post_closing(&new, &audit("period.close")),
            "post_closing again"
        ),
        None,
        "the same closing again posts nothing"
    );
    assert_unchanged(store, &before, "posting the same closing again");

    // Same agreement, period and sequence, other content (as a retry after new deliveries
    // would build): still the same closing.
    let mut other = new.clone();
    other.posted_on = d("2026-04-30");
    other.deliveries = 0;
    other.direct_minor += 100;
    other.charges[0].entry.key = "charge:another-key".into();
    assert_eq!(
        ok(
            store.post_closing(&other, &audit("period.close")),
            "post_closing with other content"
        ),
        None,
        "a closing is identified by agreement, period and sequence"
    );
    assert_unchanged(store, &before, "posting a closing with the same identity");
    assert_eq!(ok(store.closings(None), "closings")[0].id, id);
    assert_ledger_sound(store);
}

/// A closing whose delivery count does not match the accepted, uncharged deliveries is
/// refused with `Conflict` and writes nothing.
pub fn post_closing_refuses_changed_deliveries(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march = fixture::march();
    let new = fixture::closing(store, AGREEMENT, march, 1, d("2026-04-05"));
    let before = snapshot(store);
    for deliveries in [new.deliveries - 1, new.deliveries + 1, 0] {
        let stale = NewClosing {
            deliveries,
            ..new.clone()
        };
        expect_conflict(
            store.post_closing(&stale, &audit("period.close")),
            &format!(
                "a closing of {deliveries} deliveries where {} match",
                new.deliveries
            ),
        );
        assert_unchanged(store, &before, "a refused closing");
    }
    // Only deliveries up to `through_delivery_id` count.
    let short = NewClosing {
        through_delivery_id: new.through_delivery_id - 1,
        ..new.clone()
    };
    expect_conflict(
        store.post_closing(&short, &audit("period.close")),
        "a closing whose last delivery id leaves one out",
    );
    assert_unchanged(store, &before, "a refused closing");

    // Two closes read the same deliveries; the first posts, the second finds them charged.
    let second = fixture::closing(store, AGREEMENT, march, 2, d("2026-04-06"));
    assert_eq!(second.deliveries, 3);
    ok(
        store.post_closing(&new, &audit("period.close")),
        "post_closing",
    )
    .expect("the first closing posts");
    let after_first = snapshot(store);
    expect_conflict(
        store.post_closing(&second, &audit("period.close")),
        "a closing of deliveries that another closing charged meanwhile",
    );
    assert_unchanged(store, &after_first, "a refused closing");
    assert_ledger_sound(store);
}

/// A change and its audit event are one transaction: a refused change writes no event, a
/// change writes exactly one, with its outcome beside the caller's detail, and an import
/// rolled back (dropped) writes neither its deliveries nor its event.
pub fn changes_and_their_audit_events_commit_together(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march = fixture::march();
    let new = fixture::closing(store, AGREEMENT, march, 1, d("2026-04-05"));
    let events = || {
        ok(
            store.audit_events(&AuditFilter::default(), 1000),
            "audit_events",
        )
    };
    let before = events().len();
    let stale = NewClosing {
        deliveries: new.deliveries + 1,
        ..new.clone()
    };
    expect_conflict(
        store.post_closing(&stale, &audit("period.close")),
        "a stale closing",
    );
    assert_eq!(
        events().len(),
        before,
        "a refused closing writes no audit event"
    );
    let id = ok(
        store.post_closing(&new, &audit("period.close")),
        "post_closing",
    )
    .expect("the closing posts");
    let trail = events();
    assert_eq!(trail.len(), before + 1, "one event for one closing");
    let event = &trail[0];
    assert_eq!(
        (
            event.actor.as_str(),
            event.action.as_str(),
            event.subject.as_str()
        ),
        ("conformance", "period.close", AGREEMENT)
    );
    assert_eq!(event.detail["after"]["by"], "the conformance suite");
    assert_eq!(event.detail["outcome"], json!([id]), "{}", event.detail);
    // An unknown delivery cannot be disputed: no event either.
    assert!(store
        .dispute_delivery(AGREEMENT, "NO-SUCH", "why", &audit("delivery.dispute"))
        .is_err());
    assert_eq!(
        events().len(),
        before + 1,
        "a refused dispute writes no event"
    );
    // An import dropped before its commit leaves nothing.
    {
        let mut import = ok(store.import_deliveries(), "import_deliveries");
        ok(
            import.add(&fixture::delivery(
                AGREEMENT,
                "AUDIT-1",
                fixture::LEGAL,
                "2026-05-04",
                "1",
                Some("P-4"),
                None,
                "Advice that is never committed",
            )),
            "add",
        );
        ok(import.flush(), "flush");
    }
    assert_eq!(
        events().len(),
        before + 1,
        "an import rolled back writes no event"
    );
    let accepted = ok(
        store.accept_deliveries(
            Some(AGREEMENT),
            None,
            d("2026-05-05"),
            &audit("deliveries.accept"),
        ),
        "accept_deliveries",
    );
    let trail = events();
    assert_eq!(trail[0].action, "deliveries.accept");
    assert_eq!(trail[0].detail["outcome"], json!(accepted));
}

/// A closing computed with rates or exchange rates that changed before it was posted is
/// refused with `Conflict` and nothing written (the close reads again); computed afresh, it
/// posts.
pub fn post_closing_refuses_closings_priced_with_changed_rates(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march = fixture::march();
    let stale = fixture::closing(store, AGREEMENT, march, 1, d("2026-04-05"));
    let mut f = ok(store.framework(), "framework");
    let rate = f
        .rates
        .iter_mut()
        .max_by_key(|r| r.effective_from)
        .expect("the fixture has rates");
    rate.amount += fixture::dec("1");
    ok(
        store.save_framework(&f, &audit("rate.correct")),
        "a rate changed before March is posted",
    );
    let before = snapshot(store);
    expect_conflict(
        store.post_closing(&stale, &audit("period.close")),
        "a closing priced with the rates before the change",
    );
    assert_unchanged(store, &before, "a closing priced with changed rates");
    let fresh = fixture::closing(store, AGREEMENT, march, 1, d("2026-04-05"));
    ok(
        store.post_closing(&fresh, &audit("period.close")),
        "post_closing",
    )
    .expect("a closing priced with the stored rates posts");
    assert_ledger_sound(store);
}

/// Several threads posting the same closing at once post it once.
pub fn concurrent_closings_post_once(store: &dyn Store) {
    fixture::seed_accepted(store);
    let new = fixture::closing(store, AGREEMENT, fixture::march(), 1, d("2026-04-05"));
    let results: Vec<StoreResult<Option<i64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| store.post_closing(&new, &audit("period.close"))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a posting thread panicked"))
            .collect()
    });
    let posted: Vec<i64> = results
        .into_iter()
        .filter_map(|r| ok(r, "concurrent post_closing"))
        .collect();
    assert_eq!(
        posted.len(),
        1,
        "exactly one of the concurrent closings posts"
    );
    let c = counts(store);
    assert_eq!(c["closings"], 1);
    assert_eq!(c["charges"], 1);
    assert_eq!(c["journal_entries"], 1);
    assert_ledger_sound(store);
}

/// Eight threads record deliveries of two agreements, accept them and close March at the
/// same time, each retrying a closing that another got to first: afterwards every delivery is
/// charged exactly once, the charges add up to the deliveries' costs and the ledger holds.
pub fn concurrent_writers_charge_each_delivery_once(store: &dyn Store) {
    fixture::seed(store);
    let (threads, rounds) = (8, 5);
    let march = fixture::march();
    // The deliveries recorded: a page delivery of each agreement, dated in March.
    let template = |agreement: &str| {
        if agreement == AGREEMENT {
            fixture::deliveries()[1].clone()
        } else {
            fixture::other_delivery()
        }
    };
    let close = |agreement: &str| {
        for _ in 0..1_000 {
            let sequence = ok(store.closings(Some(agreement)), "closings")
                .iter()
                .filter(|c| c.period == march.to_string())
                .map(|c| c.sequence)
                .max()
                .unwrap_or(0)
                + 1;
            let closing = fixture::closing(store, agreement, march, sequence, d("2026-04-02"));
            if closing.deliveries == 0 {
                return;
            }
            match store.post_closing(&closing, &audit("period.close")) {
                Ok(Some(_)) => return,
                // Another thread posted this sequence, or charged some of its deliveries.
                Ok(None) | Err(StoreError::Conflict(_)) => continue,
                Err(e) => panic!("post_closing of {agreement} #{sequence}: {e} ({e:?})"),
            }
        }
        panic!("a closing of {agreement} kept conflicting 1000 times");
    };
    std::thread::scope(|s| {
        for t in 0..threads {
            let (template, close) = (&template, &close);
            s.spawn(move || {
                for r in 0..rounds {
                    let agreement = if (t + r) % 2 == 0 {
                        AGREEMENT
                    } else {
                        OTHER_AGREEMENT
                    };
                    let mut delivery = template(agreement);
                    delivery.external_id = format!("T{t}-R{r}");
                    fixture::import(store, &[delivery]);
                    ok(
                        store.accept_deliveries(
                            Some(agreement),
                            None,
                            d("2026-04-01"),
                            &audit("deliveries.accept"),
                        ),
                        "accept_deliveries",
                    );
                    close(agreement);
                }
            });
        }
    });
    close(AGREEMENT);
    close(OTHER_AGREEMENT);

    let all = deliveries(store, &DeliveryFilter::default());
    assert_eq!(
        all.len(),
        threads * rounds,
        "every delivery is recorded once"
    );
    for sd in &all {
        assert_eq!(sd.status, DeliveryStatus::Accepted);
        assert!(
            sd.closing.is_some(),
            "delivery {} is charged",
            sd.delivery.external_id
        );
    }
    let closings = ok(store.closings(None), "closings");
    assert_eq!(
        closings.iter().map(|c| c.deliveries).sum::<u64>(),
        all.len() as u64,
        "the closings charge every delivery exactly once"
    );
    let c = counts(store);
    assert_eq!(c["closing_deliveries"], all.len() as i64);
    assert_eq!(c["closings"], c["charges"], "one charge per closing");
    let of = |agreement: &str| {
        all.iter()
            .filter(|d| d.delivery.agreement == agreement)
            .count()
    };
    // A page costs 45.50 USD: 10 pages under AGREEMENT, 4 under OTHER_AGREEMENT.
    let direct: i64 = all_charges(store).iter().map(|c| c.direct_minor).sum();
    assert_eq!(
        direct,
        of(AGREEMENT) as i64 * 45_500 + of(OTHER_AGREEMENT) as i64 * 18_200,
        "the charges add up to the deliveries' costs"
    );
    assert_ledger_sound(store);
}

/// `charges()` filters by agreement and period and hides reversed charges unless asked.
pub fn charges_filter(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march_a = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let april_a = fixture::close(store, AGREEMENT, fixture::april(), 1);
    let march_b = fixture::close(store, OTHER_AGREEMENT, fixture::march(), 1);
    let list = |agreement: Option<&str>, period: Option<&str>, include_reversed: bool| {
        ok(
            store.charges(&ChargeFilter {
                agreement: agreement.map(str::to_string),
                period: period.map(str::to_string),
                include_reversed,
            }),
            "charges",
        )
        .into_iter()
        .map(|c| (c.closing, c.status))
        .collect::<Vec<_>>()
    };
    use ClosingStatus::{Posted, Reversed};
    assert_eq!(
        list(None, None, false),
        [(march_a, Posted), (march_b, Posted), (april_a, Posted)],
        "all charges, by period, agreement and sequence"
    );
    assert_eq!(
        list(Some(AGREEMENT), None, false),
        [(march_a, Posted), (april_a, Posted)]
    );
    assert_eq!(
        list(None, Some("2026-03"), false),
        [(march_a, Posted), (march_b, Posted)]
    );
    assert_eq!(
        list(Some(AGREEMENT), Some("2026-04"), false),
        [(april_a, Posted)]
    );
    assert_eq!(list(None, Some("2026-05"), false), []);
    assert_eq!(list(Some("NO-SUCH-AGREEMENT"), None, true), []);
    let totals: Vec<i64> = ok(store.charges(&ChargeFilter::default()), "charges")
        .iter()
        .map(|c| c.total_minor)
        .collect();
    assert_eq!(
        totals,
        [
            fixture::MARCH_TOTAL,
            fixture::OTHER_MARCH_TOTAL,
            fixture::APRIL_TOTAL
        ]
    );
    let april = &ok(
        store.charges(&ChargeFilter {
            period: Some("2026-04".into()),
            ..ChargeFilter::default()
        }),
        "charges",
    )[0];
    assert_eq!(
        (april.direct_minor, april.psc_minor),
        (fixture::APRIL_DIRECT, fixture::APRIL_PSC)
    );

    let reversals = fixture::reversals(store, march_a, d("2026-05-10"));
    ok(
        store.reverse_closing(march_a, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    assert_eq!(
        list(None, None, false),
        [(march_b, Posted), (april_a, Posted)],
        "reversed charges are hidden by default"
    );
    assert_eq!(
        list(None, None, true),
        [(march_a, Reversed), (march_b, Posted), (april_a, Posted)],
        "include_reversed shows them, marked reversed"
    );
    assert_eq!(
        list(Some(AGREEMENT), Some("2026-03"), true),
        [(march_a, Reversed)]
    );
    assert_eq!(list(Some(AGREEMENT), Some("2026-03"), false), []);
    assert_ledger_sound(store);
}

/// `charge_totals` sums an agreement's posted charges per payer within a date range, exactly:
/// reversed charges and periods outside the range are left out.
pub fn charge_totals_sum_posted_charges_per_payer(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march = fixture::close(store, AGREEMENT, fixture::march(), 1);
    fixture::close(store, AGREEMENT, fixture::april(), 1);
    fixture::close(store, OTHER_AGREEMENT, fixture::march(), 1);
    let totals = |agreement: &str, from: &str, to: &str| {
        ok(
            store.charge_totals(agreement, d(from), d(to)),
            "charge_totals",
        )
    };
    let total = |payer: &str, charges: u64, direct: i64, psc: i64| ChargeTotal {
        agreement: AGREEMENT.into(),
        payer_organisation: payer.into(),
        currency: Currency::USD,
        charges,
        direct_minor: direct,
        psc_minor: psc,
        total_minor: direct + psc,
    };
    assert_eq!(
        totals(AGREEMENT, "2026-01-01", "2027-12-31"),
        vec![total(
            "BRS",
            2,
            fixture::MARCH_DIRECT + fixture::APRIL_DIRECT,
            fixture::MARCH_PSC + fixture::APRIL_PSC
        )],
        "both months of the agreement, summed exactly"
    );
    assert_eq!(
        totals(AGREEMENT, "2026-04-01", "2026-04-30"),
        vec![total("BRS", 1, fixture::APRIL_DIRECT, fixture::APRIL_PSC)],
        "only periods within the range"
    );
    assert_eq!(
        totals(AGREEMENT, "2026-03-15", "2026-04-30"),
        vec![total("BRS", 1, fixture::APRIL_DIRECT, fixture::APRIL_PSC)],
        "a period that starts before the range is outside it"
    );
    assert_eq!(totals(AGREEMENT, "2028-01-01", "2029-12-31"), vec![]);
    assert_eq!(
        totals(OTHER_AGREEMENT, "2026-01-01", "2027-12-31")[0].total_minor,
        fixture::OTHER_MARCH_TOTAL
    );
    assert_eq!(
        totals("NO-SUCH-AGREEMENT", "2026-01-01", "2027-12-31"),
        vec![]
    );
    let reversals = fixture::reversals(store, march, d("2026-05-10"));
    ok(
        store.reverse_closing(march, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    assert_eq!(
        totals(AGREEMENT, "2026-01-01", "2027-12-31"),
        vec![total("BRS", 1, fixture::APRIL_DIRECT, fixture::APRIL_PSC)],
        "a reversed charge is not a cost"
    );
}

/// `reverse_closing` posts the reversals, marks the closing and its charges reversed and
/// releases its deliveries; the ledger returns to zero; a new closing charges them again.
pub fn reverse_closing_restores_balances(store: &dyn Store) {
    fixture::seed_accepted(store);
    let march = fixture::march();
    let closing = fixture::close(store, AGREEMENT, march, 1);
    let charge = all_charges(store).remove(0);

    // A reversal with a missing entry is refused, whole.
    let before = snapshot(store);
    assert!(
        store
            .reverse_closing(closing, &[], &audit("period.reopen"))
            .is_err(),
        "a reversal without the reversal entries is refused"
    );
    assert_unchanged(store, &before, "a refused reversal");
    expect_not_found(
        store.reverse_closing(closing + 1000, &[], &audit("period.reopen")),
        "reversing an unknown closing",
    );

    let reversals = fixture::reversals(store, closing, d("2026-04-30"));
    assert_eq!(reversals.len(), 1);
    let before = counts(store);
    ok(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[
            ("closing_deliveries", -3),
            ("journal_entries", 1),
            ("postings", 5),
            ("reversed_closing_deliveries", 3),
            ("audit_events", 1)
        ]),
        "a reversal adds its entry and its audit event, and remembers the released deliveries"
    );
    let closings = ok(store.closings(Some(AGREEMENT)), "closings");
    assert_eq!(closings.len(), 1);
    assert_eq!(
        closings[0].status,
        ClosingStatus::Reversed,
        "the closing is reversed"
    );
    let charges = all_charges(store);
    assert_eq!(
        charges,
        vec![ChargeRecord {
            status: ClosingStatus::Reversed,
            ..charge.clone()
        }],
        "the charge is marked reversed and otherwise unchanged"
    );

    let all = entries(store);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, charge.entry);
    assert!(all[1].id > all[0].id);
    assert_eq!(
        all[1],
        JournalEntry {
            id: all[1].id,
            ..reversals[0].clone()
        },
        "the reversal entry is posted as given"
    );
    assert_eq!(all[1].reverses, Some(charge.entry));

    for sd in deliveries(store, &by_agreement(AGREEMENT)) {
        assert_eq!(
            sd.closing, None,
            "delivery {} is released (uncharged again)",
            sd.delivery.external_id
        );
        assert_eq!(sd.status, DeliveryStatus::Accepted, "and stays accepted");
    }
    let tb = ok(store.trial_balance(), "trial_balance");
    assert!(
        tb.rows.is_empty(),
        "after the reversal every balance is zero (no rows), got {:?}",
        tb.rows
    );
    assert_ledger_sound(store);

    // A supplementary closing of the same period charges the released deliveries again.
    let again = fixture::closing(store, AGREEMENT, march, 2, d("2026-05-02"));
    assert_eq!(
        again.deliveries, 3,
        "the released deliveries are closable again"
    );
    let second = ok(
        store.post_closing(&again, &audit("period.close")),
        "post_closing after reversal",
    )
    .expect("a new sequence posts");
    assert_ne!(second, closing);
    for sd in deliveries(store, &by_agreement(AGREEMENT)) {
        assert_eq!(
            sd.closing,
            march.contains(sd.delivery.date).then_some(second),
            "delivery {} is charged by the new closing",
            sd.delivery.external_id
        );
    }
    assert_ledger_sound(store);
}

/// A closing is reversed once; reversing it again is refused and writes nothing.
pub fn reverse_closing_twice_is_refused(store: &dyn Store) {
    fixture::seed_accepted(store);
    let closing = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let reversals = fixture::reversals(store, closing, d("2026-04-30"));
    ok(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    let before = snapshot(store);
    expect_conflict(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reversing a reversed closing",
    );
    let mut fresh_keys = reversals.clone();
    for e in &mut fresh_keys {
        e.key.push_str(":again");
    }
    expect_conflict(
        store.reverse_closing(closing, &fresh_keys, &audit("period.reopen")),
        "reversing a reversed closing with new entry keys",
    );
    assert_unchanged(store, &before, "a refused second reversal");
    assert!(ok(store.trial_balance(), "trial_balance").rows.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Journal.

/// `post_entry` posts once per key: a second time returns `None` and writes nothing.
pub fn post_entry_is_idempotent_by_key(store: &dyn Store) {
    fixture::seed(store);
    let e = fixture::settlement("settle:2026-05:BC", "2026-05-15", Currency::USD, 100_000);
    let before = counts(store);
    let id = ok(store.post_entry(&e, &audit("ledger.post")), "post_entry")
        .expect("a new entry is posted");
    assert!(id > 0, "entry ids are positive");
    assert_eq!(
        changed(&before, &counts(store)),
        deltas(&[("journal_entries", 1), ("postings", 4), ("audit_events", 1)]),
        "an entry is posted with its audit event"
    );
    let after = snapshot(store);
    assert_eq!(
        ok(
            store.post_entry(&e, &audit("ledger.post")),
            "post_entry again"
        ),
        None,
        "the same key again posts nothing"
    );
    assert_unchanged(store, &after, "posting an entry again");
    assert_eq!(entries(store).len(), 1);
    assert_eq!(
        ok(
            store.entry_id_by_key("settle:2026-05:BC"),
            "entry_id_by_key"
        ),
        Some(id)
    );
    assert_eq!(
        ok(store.entry_id_by_key("no-such-key"), "entry_id_by_key"),
        None
    );
}

/// `post_entry` refuses an entry that does not balance per fund and currency, or has no
/// postings, with `StoreError::Domain`, and writes nothing.
pub fn post_entry_refuses_unbalanced(store: &dyn Store) {
    fixture::seed(store);
    let before = snapshot(store);
    let good = fixture::settlement("settle:bad", "2026-05-15", Currency::USD, 100_000);

    let mut off_by_one = good.clone();
    off_by_one.postings[0].amount_minor += 1;

    // Balances in total but not per fund: BC pays, MCGTF does not receive.
    let mut across_funds = good.clone();
    across_funds.postings = vec![
        good.postings[0].clone(),
        Posting {
            fund: fixture::PROVIDER_FUND.into(),
            ..good.postings[1].clone()
        },
    ];

    // Balances per fund in amount but not per currency.
    let mut across_currencies = good.clone();
    across_currencies.postings[1].currency = fixture::chf();

    let mut empty = good.clone();
    empty.postings.clear();

    for (what, e) in [
        ("an entry off by one minor unit", off_by_one),
        ("an entry that balances across funds only", across_funds),
        (
            "an entry that balances across currencies only",
            across_currencies,
        ),
        ("an entry without postings", empty),
    ] {
        match store.post_entry(&e, &audit("ledger.post")) {
            Err(StoreError::Domain(_)) => {}
            other => panic!("post_entry of {what}: expected StoreError::Domain, got {other:?}"),
        }
        assert_unchanged(store, &before, &format!("refusing {what}"));
    }
    let id = ok(store.post_entry(&good, &audit("ledger.post")), "post_entry")
        .expect("refused entries took no key: the balanced entry with the same key posts");
    assert_eq!(
        ok(store.entry(id), "entry"),
        Some(JournalEntry { id, ..good }),
        "the balanced entry is the one posted"
    );
}

/// `entry(id)` returns the posted entry with its id; `for_each_entry` streams every entry in
/// posting order.
pub fn entries_round_trip_and_stream_in_order(store: &dyn Store) {
    fixture::seed(store);
    assert!(entries(store).is_empty());
    let given = [
        fixture::settlement("settle:1", "2026-05-15", Currency::USD, 100_000),
        fixture::settlement("settle:2", "2026-05-01", fixture::chf(), 2_550),
        fixture::settlement("settle:3", "2026-06-30", Currency::USD, 1),
    ];
    let mut posted = vec![];
    for e in &given {
        let id = ok(store.post_entry(e, &audit("ledger.post")), "post_entry")
            .expect("a new entry is posted");
        posted.push(JournalEntry { id, ..e.clone() });
    }
    assert!(
        posted.windows(2).all(|w| w[0].id < w[1].id),
        "entry ids grow in posting order"
    );
    for e in &posted {
        assert_eq!(
            ok(store.entry(e.id), "entry").as_ref(),
            Some(e),
            "entry({}) returns the entry as posted, postings in order",
            e.id
        );
    }
    let last = posted.last().expect("three entries").id;
    assert_eq!(ok(store.entry(last + 1000), "entry"), None);
    assert_eq!(
        entries(store),
        posted,
        "for_each_entry streams every entry in posting order (not date order)"
    );

    // A closing's entry and its reversal stream after them.
    fixture::import(store, &fixture::deliveries());
    ok(
        store.accept_deliveries(
            Some(AGREEMENT),
            None,
            d("2026-05-05"),
            &audit("deliveries.accept"),
        ),
        "accept_deliveries",
    );
    let closing = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let reversals = fixture::reversals(store, closing, d("2026-07-01"));
    ok(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    let all = entries(store);
    assert_eq!(all.len(), 5);
    assert_eq!(&all[..3], &posted[..]);
    assert_eq!(all[4].reverses, Some(all[3].id));
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));

    let mut stopped = 0;
    let result = store.for_each_entry(&mut |_| {
        stopped += 1;
        Err(StoreError::Invalid("stop".into()))
    });
    assert!(
        matches!(result, Err(StoreError::Invalid(ref m)) if m == "stop"),
        "an error of the callback stops the stream and is returned as is (got {result:?})"
    );
    assert_eq!(stopped, 1, "the stream stops at the first error");
}

/// The store's trial balance equals the one computed from every entry's postings, and the
/// ledger invariants hold after valid closings and settlements.
pub fn trial_balance_matches_postings(store: &dyn Store) {
    fixture::seed_accepted(store);
    assert!(ok(store.trial_balance(), "trial_balance").rows.is_empty());
    fixture::close(store, AGREEMENT, fixture::march(), 1);
    assert_ledger_sound(store);
    fixture::close(store, AGREEMENT, fixture::april(), 1);
    fixture::close(store, OTHER_AGREEMENT, fixture::march(), 1);
    ok(
        store.post_entry(
            &fixture::settlement(
                "settle:2026-05:BC",
                "2026-05-20",
                Currency::USD,
                fixture::MARCH_TOTAL,
            ),
            &audit("ledger.post"),
        ),
        "post_entry",
    );
    ok(
        store.post_entry(
            &fixture::settlement("settle:2026-05:BC:CHF", "2026-05-20", fixture::chf(), 7_500),
            &audit("ledger.post"),
        ),
        "post_entry",
    );
    assert_ledger_sound(store);
    let tb = ok(store.trial_balance(), "trial_balance");
    let usd = Currency::USD;
    assert_eq!(
        tb.balance(
            fixture::PROVIDER_FUND,
            &Account::ReceivableFrom(fixture::PAYER_FUND.into()),
            usd
        ),
        fixture::APRIL_TOTAL,
        "March was settled, April is still receivable from BC"
    );
    assert_eq!(
        tb.balance(
            fixture::PROVIDER_FUND,
            &Account::ReceivableFrom(fixture::OTHER_PAYER_FUND.into()),
            usd
        ),
        fixture::OTHER_MARCH_TOTAL
    );
    assert_eq!(
        tb.balance(fixture::PROVIDER_FUND, &Account::Cash, fixture::chf()),
        7_500,
        "balances are kept per currency"
    );
    assert_eq!(
        tb.balance(fixture::PROVIDER_FUND, &Account::CostRecoveryIncome, usd),
        -(fixture::MARCH_DIRECT + fixture::APRIL_DIRECT + 18_200)
    );
    assert!(
        tb.rows.iter().all(|r| r.balance_minor != 0),
        "the trial balance has no zero rows"
    );
}

/// Posted entries never change: there is no update API, and posting other content under an
/// existing key leaves the posted entry as it was.
pub fn posted_entries_are_immutable(store: &dyn Store) {
    fixture::seed_accepted(store);
    let closing = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let charge = all_charges(store).remove(0);
    let posted = ok(store.entry(charge.entry), "entry").expect("posted");
    let before = snapshot(store);

    let mut rewritten = posted.clone();
    rewritten.id = 0;
    rewritten.description = "Rewritten".into();
    for p in &mut rewritten.postings {
        p.amount_minor *= 2;
    }
    assert_eq!(
        ok(
            store.post_entry(&rewritten, &audit("ledger.post")),
            "post_entry under an existing key"
        ),
        None,
        "an entry with a posted key is not posted again"
    );
    assert_unchanged(store, &before, "posting other content under a posted key");
    assert_eq!(ok(store.entry(charge.entry), "entry"), Some(posted.clone()));

    // Reversing posts a new entry; the original stays as it was.
    let reversals = fixture::reversals(store, closing, d("2026-04-30"));
    ok(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    assert_eq!(
        ok(store.entry(charge.entry), "entry"),
        Some(posted),
        "a reversal leaves the reversed entry unchanged"
    );
}

// ---------------------------------------------------------------------------------------------
// Audit and counts.

/// `audit` appends one event per call.
pub fn audit_appends(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    assert_eq!(count(store, "audit_events"), 0);
    ok(
        store.audit(
            "mc.finance",
            "close",
            "MC-BRS-2026-01/2026-03",
            &json!({"closing": 1, "total": "2458.03", "currency": "USD"}),
        ),
        "audit",
    );
    assert_eq!(count(store, "audit_events"), 1, "audit appends an event");
    ok(
        store.audit("brs.head", "approve", "MC-BRS-2026-01 v1", &json!(null)),
        "audit",
    );
    ok(
        store.audit(
            "mc.finance",
            "close",
            "MC-BRS-2026-01/2026-03",
            &json!({"closing": 1, "total": "2458.03", "currency": "USD"}),
        ),
        "audit of the same event again",
    );
    assert_eq!(
        count(store, "audit_events"),
        3,
        "every call appends, even the same event twice"
    );
}

/// An update based on a stale copy of an agreement is refused with `Conflict` and writes
/// nothing; each accepted update increments the revision.
pub fn update_agreement_refuses_a_stale_revision(store: &dyn Store) {
    fixture::seed(store);
    let a = ok(store.agreement(AGREEMENT), "agreement").expect("the fixture's agreement");
    let mut first = a.clone();
    first.title = "First editor's title".into();
    ok(
        store.update_agreement(&first, &audit("agreement.update")),
        "update_agreement",
    );
    let stored = ok(store.agreement(AGREEMENT), "agreement").expect("stored");
    assert_eq!(
        stored.revision,
        a.revision + 1,
        "an update increments the revision"
    );
    let mut second = a.clone();
    second.title = "Second editor's title, based on a stale copy".into();
    expect_conflict(
        store.update_agreement(&second, &audit("agreement.update")),
        "an update from a stale copy",
    );
    assert_eq!(
        ok(store.agreement(AGREEMENT), "agreement"),
        Some(stored),
        "a refused update writes nothing"
    );
}

/// Decisions are saved per number and language; saving the same again replaces it.
pub fn decisions_round_trip(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    let fr = fixture::decision("fr");
    let en = fixture::decision("en");
    assert!(
        ok(
            store.save_decision(&fr, &audit("record.save")),
            "save_decision"
        ),
        "new"
    );
    assert!(
        ok(
            store.save_decision(&en, &audit("record.save")),
            "save_decision"
        ),
        "new in another language"
    );
    assert_eq!(
        ok(store.decisions(), "decisions"),
        vec![en.clone(), fr.clone()]
    );
    let fr2 = DecisionRecord {
        title: "Coopération (texte révisé)".into(),
        ..fr.clone()
    };
    assert!(
        !ok(
            store.save_decision(&fr2, &audit("record.save")),
            "save_decision"
        ),
        "a replacement"
    );
    assert_eq!(
        ok(store.decisions(), "decisions"),
        vec![en.clone(), fr2.clone()]
    );

    // Status and adoption date are the decision's: saving one language sets them on all.
    use synergies_domain::decision::{DecisionKind, DecisionStatus, MeetingBody};
    let adopted = Some(d("2025-11-07"));
    let fr3 = DecisionRecord {
        status: DecisionStatus::InForce,
        adopted_on: adopted,
        kind: DecisionKind::Resolution,
        body: MeetingBody::ExCop,
        ..fr2.clone()
    };
    ok(
        store.save_decision(&fr3, &audit("record.save")),
        "save_decision",
    );
    let en3 = DecisionRecord {
        status: DecisionStatus::InForce,
        adopted_on: adopted,
        ..en.clone()
    };
    assert_eq!(
        ok(store.decisions(), "decisions"),
        vec![en3.clone(), fr3.clone()],
        "the status and adoption date reach every language; type and body stay per record"
    );
    ok(
        store.update_decision(
            "MC-6/20",
            DecisionStatus::Superseded,
            None,
            &audit("record.save"),
        ),
        "update_decision",
    );
    assert!(ok(store.decisions(), "decisions")
        .iter()
        .all(|x| x.status == DecisionStatus::Superseded && x.adopted_on.is_none()));
    let before = ok(store.decisions(), "decisions");
    expect_not_found(
        store.update_decision(
            "MC-9/99",
            DecisionStatus::Revoked,
            adopted,
            &audit("record.save"),
        ),
        "updating an unknown decision",
    );
    assert_eq!(ok(store.decisions(), "decisions"), before);
}

/// Agreements link to recorded mandates only: a link to an unknown agreement or mandate is
/// `NotFound` and writes nothing; linking twice links once; unlinking removes one link.
pub fn agreements_link_to_known_mandates(store: &dyn Store) {
    fixture::seed(store);
    ok(
        store.save_mandates(&fixture::mandates(), &audit("record.save")),
        "save_mandates",
    );
    let link = |agreement: &str, paragraph: &str| MandateLink {
        agreement: agreement.into(),
        decision: "MC-6/20".into(),
        paragraph: paragraph.into(),
    };
    assert!(ok(
        store.link_mandate(&link(AGREEMENT, "4(b)"), &audit("record.save")),
        "link_mandate"
    ));
    assert!(ok(
        store.link_mandate(&link(AGREEMENT, "3"), &audit("record.save")),
        "link_mandate"
    ));
    assert!(ok(
        store.link_mandate(&link(OTHER_AGREEMENT, "4(b)"), &audit("record.save")),
        "link_mandate"
    ));
    assert!(
        !ok(
            store.link_mandate(&link(AGREEMENT, "3"), &audit("record.save")),
            "link_mandate"
        ),
        "linking twice links once"
    );
    let before = snapshot(store);
    expect_not_found(
        store.link_mandate(&link("NO-SUCH-AGREEMENT", "3"), &audit("record.save")),
        "a link from an unknown agreement",
    );
    expect_not_found(
        store.link_mandate(&link(AGREEMENT, "9(z)"), &audit("record.save")),
        "a link to an unknown mandate",
    );
    assert_unchanged(store, &before, "refused links");
    assert_eq!(
        ok(store.mandate_links(Some(AGREEMENT)), "mandate_links"),
        vec![link(AGREEMENT, "3"), link(AGREEMENT, "4(b)")],
        "by decision and paragraph"
    );
    assert_eq!(ok(store.mandate_links(None), "mandate_links").len(), 3);
    assert!(ok(
        store.unlink_mandate(&link(AGREEMENT, "3"), &audit("record.save")),
        "unlink_mandate"
    ));
    assert!(
        !ok(
            store.unlink_mandate(&link(AGREEMENT, "3"), &audit("record.save")),
            "unlink_mandate"
        ),
        "nothing left to unlink"
    );
    assert_eq!(
        ok(store.mandate_links(None), "mandate_links"),
        vec![link(AGREEMENT, "4(b)"), link(OTHER_AGREEMENT, "4(b)")]
    );
    assert_eq!(count(store, "agreement_mandates"), 2);
}

/// Mandates are saved in paragraph order; saving again keeps their status; an update sets
/// the status with a dated note, and an unknown mandate is `NotFound`.
pub fn mandates_are_tracked(store: &dyn Store) {
    use synergies_domain::mandate::{Mandate, MandateStatus, Tracking};
    ok(store.migrate(), "migrate");
    let mandate = |paragraph: &str, tracking: Tracking, due: Option<u32>| Mandate {
        decision: "MC-6/20".into(),
        paragraph: paragraph.into(),
        actor: Some("executive_secretary".into()),
        tracking,
        status: MandateStatus::Active,
        deliverable: due.map(|_| "report".into()),
        due_meeting: due,
        text: format!("paragraph {paragraph}"),
    };
    let all = vec![
        mandate("2", Tracking::Informational, None),
        mandate("10", Tracking::Operational, None),
        mandate("4(c)", Tracking::Operational, Some(7)),
    ];
    ok(
        store.save_mandates(&all, &audit("record.save")),
        "save_mandates",
    );
    assert_eq!(
        ok(store.mandates(Some("MC-6/20")), "mandates"),
        all,
        "in the order given"
    );
    assert!(ok(store.mandates(Some("BC-16/21")), "mandates").is_empty());
    let note = MandateNote {
        noted_on: d("2027-05-02"),
        status: MandateStatus::Implemented,
        note: "Report UNEP/MC/COP.7/12 submitted".into(),
        author: "mc.officer".into(),
    };
    ok(
        store.update_mandate("MC-6/20", "4(c)", &note, &audit("record.save")),
        "update_mandate",
    );
    // Saving the mandates again (a re-import) keeps the status.
    ok(
        store.save_mandates(&all, &audit("record.save")),
        "save_mandates again",
    );
    let stored = ok(store.mandates(None), "mandates");
    assert_eq!(stored[2].status, MandateStatus::Implemented);
    assert_eq!(
        ok(store.mandate_notes("MC-6/20", "4(c)"), "mandate_notes"),
        vec![note.clone()]
    );
    expect_not_found(
        store.update_mandate("MC-6/20", "9", &note, &audit("record.save")),
        "updating an unknown mandate",
    );
}

/// Activities round-trip per biennium and code; saving one again replaces it.
pub fn activities_round_trip(store: &dyn Store) {
    use synergies_domain::activity::*;
    ok(store.migrate(), "migrate");
    let activity = |code: &str, biennium: &str| Activity {
        code: code.into(),
        biennium: biennium.into(),
        title_en: "Joint training of chairs".into(),
        title_fr: "Formation conjointe des président(e)s".into(),
        category: ActivityCategory::Training,
        lead: "BRS".into(),
        partners: vec!["MC".into()],
        mandates: vec!["MC-6/20 3".into()],
        budget_lines: vec!["BC 1".into()],
        contributions: vec![Contribution {
            organisation: "MC".into(),
            fund: "MCSTF".into(),
            staff: vec![StaffTime {
                grade: "P-4".into(),
                days: "12.5".parse().unwrap(),
            }],
            non_staff_minor: 1_500_000,
        }],
        funding: FundingStatus::SubjectToResources,
        status: ActivityStatus::Ongoing,
        outputs: vec!["Two sessions".into()],
        continues: true,
        agreements: vec!["JOINT-TRAIN-2026".into()],
    };
    let a = activity("T1", "2026-2027");
    let b = activity("T1", "2028-2029");
    ok(
        store.save_activities(&[b.clone(), a.clone()], &audit("record.save")),
        "save_activities",
    );
    assert_eq!(
        ok(store.activities(None), "activities"),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        ok(store.activities(Some("2028-2029")), "activities"),
        vec![b.clone()]
    );
    let done = Activity {
        status: ActivityStatus::Completed,
        ..a
    };
    ok(
        store.save_activities(std::slice::from_ref(&done), &audit("record.save")),
        "save_activities again",
    );
    assert_eq!(
        ok(store.activities(Some("2026-2027")), "activities"),
        vec![done]
    );
}

/// Training events keep their bodies, participants and contributions in order and staff-days
/// exactly as written; saving an event again replaces its lists. The tables refuse what the
/// domain never writes (a contributor that is no organisation, an event that ends before it
/// starts, a negative amount), with nothing of the save written.
pub fn training_events_round_trip(store: &dyn Store) {
    use synergies_domain::cooperation::{
        EventContribution, Gender, RegionalGroup, Trainee, TrainingEvent,
    };
    fixture::seed(store);
    let trainee = |country: &str, region, gender| Trainee {
        country: country.into(),
        region,
        gender,
        role: "potential_negotiator".into(),
    };
    let event = |code: &str| TrainingEvent {
        code: code.into(),
        title: format!("Training {code}"),
        bodies: vec!["MC COP-7".into(), "BRS COPs 2027".into()],
        start: d("2026-10-05"),
        end: d("2026-10-07"),
        place: Some("Geneva".into()),
        agreement: Some(AGREEMENT.into()),
        participants: vec![
            trainee("SN", RegionalGroup::African, Gender::Female),
            trainee("KE", RegionalGroup::African, Gender::Female),
            trainee("PE", RegionalGroup::LatinAmericanCaribbean, Gender::Male),
        ],
        contributions: vec![
            EventContribution {
                organisation: "MC".into(),
                staff_days: "2.50".parse().unwrap(),
                amount_minor: 1_250_000,
            },
            EventContribution {
                organisation: "BRS".into(),
                staff_days: "0".parse().unwrap(),
                amount_minor: 0,
            },
        ],
    };
    let mut online = event("T-2");
    online.place = None;
    online.agreement = None;
    online.bodies.clear();
    online.contributions.clear();
    let events_before = counts(store)["audit_events"];
    ok(
        store.save_training_events(&[online.clone(), event("T-1")], &audit("training.import")),
        "save_training_events",
    );
    let stored = ok(store.training_events(), "training_events");
    assert_eq!(
        stored,
        vec![event("T-1"), online.clone()],
        "by code, lists in order"
    );
    assert_eq!(
        stored[0].contributions[0].staff_days.to_string(),
        "2.50",
        "staff-days keep the notation they were written with"
    );
    assert_eq!(counts(store)["audit_events"], events_before + 1);
    assert_eq!(counts(store)["training_participants"], 6);

    // Saved again with one participant fewer and another contribution: replaced whole.
    let mut changed = event("T-1");
    changed.participants.remove(0);
    changed.contributions[1].amount_minor = 5;
    ok(
        store.save_training_events(std::slice::from_ref(&changed), &audit("training.create")),
        "save_training_events again",
    );
    assert_eq!(
        ok(store.training_events(), "training_events"),
        vec![changed.clone(), online.clone()]
    );

    // What the tables refuse, each with nothing written.
    let before = counts(store);
    let mut unknown = event("T-3");
    unknown.contributions[0].organisation = "ZZ".into();
    let mut backwards = event("T-4");
    backwards.end = d("2026-10-01");
    let mut negative = event("T-5");
    negative.contributions[0].amount_minor = -1;
    let mut no_agreement = event("T-6");
    no_agreement.agreement = Some("NO-SUCH".into());
    for bad in [unknown, backwards, negative, no_agreement] {
        assert!(
            store
                .save_training_events(&[event("T-7"), bad.clone()], &audit("training.import"))
                .is_err(),
            "event {} is refused",
            bad.code
        );
        assert_eq!(counts(store), before, "a refused save writes nothing");
    }
}

/// The task force's members, meetings (attendees in order) and action items round-trip;
/// saving one again replaces it; an action item names a recorded meeting.
pub fn task_force_round_trip(store: &dyn Store) {
    use synergies_domain::cooperation::{
        ActionItem, ActionStatus, TaskForceMeeting, TaskForceMember,
    };
    fixture::seed(store);
    let member = |name: &str, organisation: &str| TaskForceMember {
        name: name.into(),
        organisation: organisation.into(),
    };
    let meeting = TaskForceMeeting {
        code: "TF-1".into(),
        date: d("2026-02-10"),
        attendees: vec!["MC".into(), "Ana Ruiz".into(), "BRS".into()],
        minutes: "Agreed the plan.\nNext meeting in May.".into(),
    };
    let item = |code: &str, meeting: Option<&str>| ActionItem {
        code: code.into(),
        title: format!("Action {code}"),
        owner: "Ana Ruiz".into(),
        due: d("2026-03-31"),
        status: ActionStatus::Open,
        meeting: meeting.map(str::to_string),
        activity: Some("ACT-1".into()),
    };
    let members = [member("Ana Ruiz", "MC"), member("Ben Osei", "BRS")];
    let events_before = counts(store)["audit_events"];
    ok(
        store.save_task_force(
            &members,
            std::slice::from_ref(&meeting),
            &[item("A-2", None), item("A-1", Some("TF-1"))],
            &audit("task_force.import"),
        ),
        "save_task_force",
    );
    assert_eq!(counts(store)["audit_events"], events_before + 1);
    assert_eq!(
        ok(store.task_force_members(), "task_force_members"),
        members
    );
    assert_eq!(
        ok(store.task_force_meetings(), "task_force_meetings"),
        vec![meeting.clone()]
    );
    assert_eq!(
        ok(store.action_items(), "action_items"),
        vec![item("A-1", Some("TF-1")), item("A-2", None)]
    );

    // Saved again: an action item's status, a meeting's attendees.
    let mut done = item("A-1", Some("TF-1"));
    done.status = ActionStatus::Done;
    let mut fewer = meeting.clone();
    fewer.attendees.truncate(1);
    ok(
        store.save_task_force(
            &[],
            std::slice::from_ref(&fewer),
            std::slice::from_ref(&done),
            &audit("action_item.status"),
        ),
        "save_task_force again",
    );
    assert_eq!(ok(store.action_items(), "action_items")[0], done);
    assert_eq!(
        ok(store.task_force_meetings(), "task_force_meetings"),
        vec![fewer]
    );

    // An action item of an unknown meeting, a member of an unknown organisation: refused,
    // with nothing of the save written.
    let before = counts(store);
    assert!(store
        .save_task_force(
            &[member("Cleo Diaz", "MC")],
            &[],
            &[item("A-3", Some("TF-9"))],
            &audit("task_force.import"),
        )
        .is_err());
    assert!(store
        .save_task_force(
            &[member("Dan Eze", "ZZ")],
            &[],
            &[],
            &audit("task_force.import")
        )
        .is_err());
    assert_eq!(counts(store), before, "a refused save writes nothing");
}

/// `table_counts` lists every table once, with its row count.
pub fn table_counts_lists_every_table(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    let listed = ok(store.table_counts(), "table_counts");
    let mut names: Vec<&str> = listed.iter().map(|(t, _)| t.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "table_counts lists each table once");
    let mut expected = TABLES.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected, "table_counts lists every table");
    assert!(listed.iter().all(|(_, n)| *n == 0));

    fixture::seed_accepted(store);
    let closing = fixture::close(store, AGREEMENT, fixture::march(), 1);
    let reversals = fixture::reversals(store, closing, d("2026-04-30"));
    ok(
        store.reverse_closing(closing, &reversals, &audit("period.reopen")),
        "reverse_closing",
    );
    ok(store.audit("test", "seed", "all", &json!({})), "audit");
    ok(
        store.save_decision(&fixture::decision("fr"), &audit("record.save")),
        "save_decision",
    );
    ok(
        store.save_mandates(&fixture::mandates(), &audit("record.save")),
        "save_mandates",
    );
    ok(
        store.link_mandate(
            &MandateLink {
                agreement: AGREEMENT.into(),
                decision: "MC-6/20".into(),
                paragraph: "4(b)".into(),
            },
            &audit("record.save"),
        ),
        "link_mandate",
    );
    let expected: BTreeMap<String, i64> = [
        ("organisations", 2),
        ("conventions", 2),
        ("funds", 3),
        ("bienniums", 2),
        ("budget_lines", 2),
        ("services", 2),
        ("rate_cards", 2),
        ("rates", 4),
        ("fx_rates", 2),
        ("decisions", 1),
        ("mandates", 3),
        ("mandate_notes", 0),
        ("activities", 0),
        ("agreements", 2),
        ("agreement_versions", 2),
        ("agreement_mandates", 1),
        ("training_events", 0),
        ("training_bodies", 0),
        ("training_participants", 0),
        ("training_contributions", 0),
        ("taskforce_members", 0),
        ("taskforce_meetings", 0),
        ("taskforce_attendees", 0),
        ("taskforce_action_items", 0),
        ("closings", 1),
        ("deliveries", 6),
        ("acceptances", 2),
        ("closing_deliveries", 0),
        ("journal_entries", 2),
        ("postings", 10),
        ("charges", 1),
        ("reversed_closing_deliveries", 3),
        // One event of the fixture's, and one for each save of reference data, decision,
        // mandates and link, agreement, import, acceptance, closing and reversal, written with
        // the change.
        ("audit_events", 12),
        ("users", 0),
        ("sessions", 0),
        ("api_tokens", 0),
    ]
    .into_iter()
    .map(|(t, n)| (t.to_string(), n))
    .collect();
    assert_eq!(
        counts(store),
        expected,
        "table_counts counts the rows of every table"
    );
}

/// Audit events come back newest first, filtered by actor or subject, and page by id.
pub fn audit_events_read_newest_first(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    for (actor, subject) in [("mc.head", "A"), ("brs.head", "A"), ("mc.head", "B")] {
        ok(
            store.audit(
                actor,
                "agreement.approve",
                subject,
                &json!({"before": 1, "after": 2}),
            ),
            "audit",
        );
    }
    let all = ok(
        store.audit_events(&AuditFilter::default(), 10),
        "audit_events",
    );
    let order: Vec<(&str, &str)> = all
        .iter()
        .map(|e| (e.actor.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        order,
        [("mc.head", "B"), ("brs.head", "A"), ("mc.head", "A")]
    );
    assert_eq!(all[0].detail, json!({"before": 1, "after": 2}));
    let by_actor = AuditFilter {
        actor: Some("mc.head".into()),
        ..AuditFilter::default()
    };
    assert_eq!(ok(store.audit_events(&by_actor, 10), "by actor").len(), 2);
    let by_subject = AuditFilter {
        subject: Some("A".into()),
        ..AuditFilter::default()
    };
    assert_eq!(
        ok(store.audit_events(&by_subject, 10), "by subject").len(),
        2
    );
    let older = AuditFilter {
        before_id: Some(all[0].id),
        ..AuditFilter::default()
    };
    let page = ok(store.audit_events(&older, 1), "older page");
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].id, all[1].id,
        "the next page starts after the last id seen"
    );
}

/// The tally counts every delivery once, under its agreement, date and status, and tells the
/// charged from the uncharged: after March of one agreement is closed, its March deliveries
/// are counted as charged and the rest as not.
pub fn delivery_tally_counts_every_delivery_once(store: &dyn Store) {
    fixture::seed_accepted(store);
    fixture::close(store, AGREEMENT, fixture::march(), 1);
    let tally = ok(store.delivery_tally(), "delivery_tally");
    let all = fixture::all_deliveries();
    assert_eq!(
        tally.iter().map(|t| t.count).sum::<i64>(),
        all.len() as i64,
        "every delivery is counted once: {tally:?}"
    );
    for d in &all {
        let charged = d.agreement == AGREEMENT && d.date.format("%Y-%m").to_string() == "2026-03";
        let expected = all
            .iter()
            .filter(|o| o.agreement == d.agreement && o.date == d.date)
            .count() as i64;
        let row = tally
            .iter()
            .find(|t| t.agreement == d.agreement && t.date == d.date && t.charged == charged)
            .unwrap_or_else(|| panic!("{} of {} is in the tally: {tally:?}", d.date, d.agreement));
        assert_eq!(row.count, expected, "{} of {}", d.date, d.agreement);
        assert_eq!(
            row.status,
            synergies_domain::delivery::DeliveryStatus::Accepted
        );
    }
    let keys: Vec<(String, NaiveDate)> = tally
        .iter()
        .map(|t| (t.agreement.clone(), t.date))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "ordered by agreement and date");
}

/// A page of deliveries and the stream of them read the same filter the same way: charged or
/// uncharged, dated from and to, of one status; after March of one agreement is closed, its
/// March deliveries are the charged ones.
pub fn a_page_of_deliveries_filters_as_a_stream_does(store: &dyn Store) {
    fixture::seed_accepted(store);
    fixture::close(store, AGREEMENT, fixture::march(), 1);
    let march = |d: &StoredDelivery| {
        d.delivery.agreement == AGREEMENT
            && d.delivery.date.format("%Y-%m").to_string() == "2026-03"
    };
    let all = deliveries(store, &DeliveryFilter::default());
    assert!(
        all.iter().any(march) && !all.iter().all(march),
        "the fixture has both"
    );
    let filters = [
        DeliveryFilter {
            charged: true,
            ..DeliveryFilter::default()
        },
        DeliveryFilter {
            uncharged: true,
            ..DeliveryFilter::default()
        },
        DeliveryFilter {
            agreement: Some(AGREEMENT.to_string()),
            charged: true,
            ..DeliveryFilter::default()
        },
        DeliveryFilter {
            from: NaiveDate::from_ymd_opt(2026, 3, 10),
            to: NaiveDate::from_ymd_opt(2026, 3, 31),
            ..DeliveryFilter::default()
        },
        DeliveryFilter {
            status: Some(synergies_domain::delivery::DeliveryStatus::Recorded),
            ..DeliveryFilter::default()
        },
    ];
    for filter in &filters {
        let mut streamed: Vec<i64> = deliveries(store, filter).iter().map(|d| d.id).collect();
        let mut paged: Vec<i64> = ok(
            store.deliveries_page(
                filter,
                Page {
                    offset: 0,
                    limit: 10_000,
                },
            ),
            "deliveries_page",
        )
        .iter()
        .map(|d| d.id)
        .collect();
        streamed.sort();
        paged.sort();
        assert_eq!(paged, streamed, "{filter:?}");
        let expected: Vec<i64> = all
            .iter()
            .filter(|d| {
                (!filter.charged || march(d))
                    && (!filter.uncharged || !march(d))
                    && filter
                        .agreement
                        .as_deref()
                        .is_none_or(|a| d.delivery.agreement == a)
                    && filter.from.is_none_or(|f| d.delivery.date >= f)
                    && filter.to.is_none_or(|t| d.delivery.date <= t)
                    && filter.status.is_none_or(|s| d.status == s)
            })
            .map(|d| d.id)
            .collect();
        let mut expected = expected;
        expected.sort();
        assert_eq!(paged, expected, "{filter:?}");
    }
}

/// A page of one agreement's deliveries follows their external ids; without an agreement the
/// newest come first; the status filter and the offset apply; an unknown agreement is NotFound.
pub fn deliveries_page_in_index_order(store: &dyn Store) {
    fixture::seed_with_deliveries(store);
    let page = |filter: &DeliveryFilter, offset, limit| {
        ok(
            store.deliveries_page(filter, Page { offset, limit }),
            "deliveries_page",
        )
    };
    let mut expected: Vec<String> = fixture::deliveries()
        .iter()
        .map(|d| d.external_id.clone())
        .collect();
    expected.sort();
    let first = page(&by_agreement(AGREEMENT), 0, 2);
    assert_eq!(
        ids(&first),
        expected[..2].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let rest = page(&by_agreement(AGREEMENT), 2, 100);
    assert_eq!(
        first.len() + rest.len(),
        expected.len(),
        "offset continues the list"
    );
    assert!(rest.iter().all(|d| d.delivery.agreement == AGREEMENT));

    let newest = page(&DeliveryFilter::default(), 0, 1);
    let max_id = fixture::all_deliveries().len() as i64;
    assert_eq!(newest.len(), 1);
    assert!(newest[0].id >= max_id, "newest first without an agreement");

    let accepted = DeliveryFilter {
        status: Some(DeliveryStatus::Accepted),
        ..DeliveryFilter::default()
    };
    assert!(page(&accepted, 0, 100).is_empty(), "nothing accepted yet");
    expect_not_found(
        store.deliveries_page(
            &by_agreement("NO-SUCH"),
            Page {
                offset: 0,
                limit: 1,
            },
        ),
        "unknown agreement",
    );
}

fn user_fixture(username: &str) -> UserRecord {
    use synergies_domain::access::{Grant, Role};
    UserRecord {
        username: username.into(),
        display_name: "MC head".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        grants: vec![Grant {
            role: Role::Head,
            organisation: Some("MC".into()),
        }],
        active: true,
        created_at: "2026-11-29T10:00:00+00:00".into(),
    }
}

/// Users are saved, replaced by username and listed by username.
pub fn users_round_trip(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    assert_eq!(ok(store.user("mc.head"), "user"), None);
    let mut user = user_fixture("mc.head");
    ok(
        store.save_user(&user, None, &audit("user.save")),
        "save_user",
    );
    ok(
        store.save_user(&user_fixture("brs.head"), None, &audit("user.save")),
        "save_user",
    );
    assert_eq!(ok(store.user("mc.head"), "user"), Some(user.clone()));
    user.active = false;
    user.grants.clear();
    ok(
        store.save_user(&user, None, &audit("user.save")),
        "save_user replaces",
    );
    assert_eq!(ok(store.user("mc.head"), "user"), Some(user));
    let names: Vec<String> = ok(store.users(), "users")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["brs.head", "mc.head"]);
}

/// A session is found by its hash until deleted; creating one forgets those already expired.
pub fn sessions_expire_and_end(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    ok(
        store.save_user(&user_fixture("mc.head"), None, &audit("user.save")),
        "save_user",
    );
    let session = |hash: &str, created: &str, expires: &str| SessionRecord {
        token_hash: hash.into(),
        username: "mc.head".into(),
        csrf_token: format!("csrf-{hash}"),
        created_at: created.into(),
        expires_at: expires.into(),
    };
    let old = session("old", "2026-11-01T10:00:00Z", "2026-11-01T18:00:00Z");
    ok(store.create_session(&old), "create_session");
    assert_eq!(ok(store.session("old"), "session"), Some(old));
    let new = session("new", "2026-11-29T10:00:00Z", "2026-11-29T18:00:00Z");
    ok(store.create_session(&new), "create_session");
    assert_eq!(
        ok(store.session("old"), "session"),
        None,
        "expired sessions go"
    );
    assert_eq!(ok(store.session("new"), "session"), Some(new));
    ok(store.delete_session("new"), "delete_session");
    assert_eq!(ok(store.session("new"), "session"), None);
}

/// A token has an owner until revoked; only its owner revokes it, once.
fn new_token(
    username: &str,
    hash: &str,
    created: &str,
    expires: &str,
    max_live: u32,
) -> synergies_store::NewApiToken {
    synergies_store::NewApiToken {
        username: username.into(),
        name: "reports".into(),
        token_hash: hash.into(),
        created_at: created.into(),
        expires_at: expires.into(),
        max_live,
    }
}

pub fn api_tokens_are_revoked(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    ok(
        store.save_user(&user_fixture("mc.head"), None, &audit("user.save")),
        "save_user",
    );
    ok(
        store.save_user(&user_fixture("brs.head"), None, &audit("user.save")),
        "save_user",
    );
    let id = ok(
        store.create_api_token(&new_token(
            "mc.head",
            "hash-1",
            "2026-11-29T10:00:00Z",
            "2027-02-27T10:00:00Z",
            20,
        )),
        "create_api_token",
    );
    let now = "2026-11-29T10:30:00Z";
    assert_eq!(
        ok(store.api_token_owner("hash-1", now), "owner").as_deref(),
        Some("mc.head")
    );
    assert!(!ok(
        store.revoke_api_token("brs.head", id, "2026-11-29T11:00:00Z"),
        "revoke"
    ));
    assert!(ok(
        store.revoke_api_token("mc.head", id, "2026-11-29T11:00:00Z"),
        "revoke"
    ));
    assert!(!ok(
        store.revoke_api_token("mc.head", id, "2026-11-29T12:00:00Z"),
        "twice"
    ));
    assert_eq!(ok(store.api_token_owner("hash-1", now), "owner"), None);
    let listed = ok(store.api_tokens("mc.head"), "api_tokens");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].revoked_at.as_deref(),
        Some("2026-11-29T11:00:00Z")
    );
    assert_eq!(
        listed[0].expires_at.as_deref(),
        Some("2027-02-27T10:00:00Z")
    );
    assert!(ok(store.api_tokens("brs.head"), "api_tokens").is_empty());
}

/// A token is refused from its expiry on, and an owner holds at most `max_live` live tokens
/// (revoked and expired ones do not count).
pub fn api_tokens_expire_and_are_capped(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    ok(
        store.save_user(&user_fixture("mc.head"), None, &audit("user.save")),
        "save_user",
    );
    let day = |d: u32| format!("2026-11-{d:02}T10:00:00Z");
    ok(
        store.create_api_token(&new_token("mc.head", "old", &day(1), &day(5), 2)),
        "create",
    );
    assert!(ok(store.api_token_owner("old", &day(4)), "owner").is_some());
    assert_eq!(ok(store.api_token_owner("old", &day(5)), "owner"), None);
    // On the 3rd the first is live: a second fits, a third does not.
    ok(
        store.create_api_token(&new_token("mc.head", "second", &day(3), &day(20), 2)),
        "create",
    );
    match store.create_api_token(&new_token("mc.head", "third", &day(3), &day(20), 2)) {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("the cap should refuse a third live token: {other:?}"),
    }
    assert_eq!(ok(store.api_token_owner("third", &day(4)), "owner"), None);
    // Once the first has expired, there is room again.
    ok(
        store.create_api_token(&new_token("mc.head", "third", &day(6), &day(20), 2)),
        "create after expiry",
    );
    assert_eq!(ok(store.api_tokens("mc.head"), "api_tokens").len(), 3);
}

/// After a password change every session of the user ends and every live token is revoked;
/// other users keep theirs.
pub fn sign_ins_end_together(store: &dyn Store) {
    ok(store.migrate(), "migrate");
    ok(
        store.save_user(&user_fixture("mc.head"), None, &audit("user.save")),
        "save_user",
    );
    ok(
        store.save_user(&user_fixture("brs.head"), None, &audit("user.save")),
        "save_user",
    );
    for (user, hash) in [("mc.head", "s1"), ("mc.head", "s2"), ("brs.head", "s3")] {
        ok(
            store.create_session(&SessionRecord {
                token_hash: hash.into(),
                username: user.into(),
                csrf_token: "csrf".into(),
                created_at: "2026-11-29T10:00:00Z".into(),
                expires_at: "2026-11-29T18:00:00Z".into(),
            }),
            "create_session",
        );
    }
    let (created, expires) = ("2026-11-29T10:00:00Z", "2027-02-27T10:00:00Z");
    for (user, hash) in [("mc.head", "t1"), ("mc.head", "t2"), ("brs.head", "t3")] {
        ok(
            store.create_api_token(&new_token(user, hash, created, expires, 20)),
            "create_api_token",
        );
    }
    let ended = ok(
        store.save_user(
            &user_fixture("mc.head"),
            Some("2026-11-29T11:00:00Z"),
            &audit("user.save"),
        ),
        "save_user ending sign-ins",
    );
    assert_eq!((ended.sessions, ended.tokens), (2, 2));
    let now = "2026-11-29T11:30:00Z";
    assert!(ok(store.session("s1"), "session").is_none());
    assert!(ok(store.session("s2"), "session").is_none());
    assert!(ok(store.session("s3"), "session").is_some());
    assert_eq!(ok(store.api_token_owner("t1", now), "owner"), None);
    assert_eq!(ok(store.api_token_owner("t2", now), "owner"), None);
    assert_eq!(
        ok(store.api_token_owner("t3", now), "owner").as_deref(),
        Some("brs.head")
    );
}

/// A user saved with `end_sign_ins_at` loses its sessions and tokens in the same transaction
/// as the change and its audit event; a change that would leave no active administrator is
/// refused with nothing written (the sessions stay, no event).
pub fn save_user_ends_sign_ins_and_keeps_an_administrator(store: &dyn Store) {
    use synergies_domain::access::{Grant, Role};
    ok(store.migrate(), "migrate");
    let mut admin = user_fixture("admin");
    admin.grants = vec![Grant {
        role: Role::Admin,
        organisation: None,
    }];
    ok(
        store.save_user(&admin, None, &audit("user.save")),
        "save_user",
    );
    ok(
        store.save_user(&user_fixture("mc.head"), None, &audit("user.save")),
        "save_user",
    );
    for (user, hash) in [("admin", "sa"), ("mc.head", "sm")] {
        ok(
            store.create_session(&SessionRecord {
                token_hash: hash.into(),
                username: user.into(),
                csrf_token: "csrf".into(),
                created_at: "2026-11-29T10:00:00Z".into(),
                expires_at: "2026-11-29T18:00:00Z".into(),
            }),
            "create_session",
        );
    }
    let before = counts(store);
    let mut demoted = admin.clone();
    demoted.grants = vec![];
    for change in [
        demoted,
        UserRecord {
            active: false,
            ..admin.clone()
        },
    ] {
        expect_conflict(
            store.save_user(&change, Some("2026-11-29T11:00:00Z"), &audit("user.save")),
            "the only administrator losing the role",
        );
        assert_eq!(counts(store), before, "a refused change writes nothing");
        assert!(
            ok(store.session("sa"), "session").is_some(),
            "its session stays"
        );
    }
    let mut reset = user_fixture("mc.head");
    reset.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bmV3".into();
    let ended = ok(
        store.save_user(&reset, Some("2026-11-29T11:00:00Z"), &audit("user.save")),
        "save_user with a new password",
    );
    assert_eq!((ended.sessions, ended.tokens), (1, 0));
    assert!(ok(store.session("sm"), "session").is_none());
    let trail = ok(
        store.audit_events(&AuditFilter::default(), 1),
        "audit_events",
    );
    assert_eq!(trail[0].action, "user.save");
    assert_eq!(
        trail[0].detail["outcome"]["sessions"], 1,
        "{}",
        trail[0].detail
    );
}

/// A staging database ([`synergies_store::Maintenance::stage`]): dropped without replacing, it leaves the store as it
/// was; a replace refused because the store holds data changes nothing; a replace puts the
/// staged data in place whole (the same rows as the source), and the store goes on working.
pub fn stage_replaces_whole_or_not_at_all(make: &dyn Fn() -> Box<dyn Store>) {
    let source = make();
    let source = source.as_ref();
    fixture::seed_accepted(source);
    fixture::close(source, AGREEMENT, fixture::march(), 1);
    let mut items = vec![];
    ok(
        source.dump(&mut |item| {
            items.push(item);
            Ok(())
        }),
        "dump",
    );
    let target = make();
    let target = target.as_ref();
    ok(target.migrate(), "migrate");
    ok(
        target.audit("test", "before", "target", &json!({"n": 1})),
        "audit",
    );
    let before = snapshot(target);
    let staged_restore = |staged: &dyn synergies_store::Staged| {
        let mut feed = items.clone().into_iter();
        ok(
            staged.store().restore(&mut || Ok(feed.next())),
            "restore into the staging database",
        );
        assert_eq!(snapshot(staged.store()), snapshot(source));
    };
    {
        let staged = ok(target.stage(), "stage");
        staged_restore(staged.as_ref());
    }
    assert_unchanged(target, &before, "a staging database dropped");
    let staged = ok(target.stage(), "stage");
    staged_restore(staged.as_ref());
    expect_conflict(
        staged.replace_target(true),
        "a replace of a store that holds data, told it must be empty",
    );
    assert_unchanged(target, &before, "a refused replace");
    let staged = ok(target.stage(), "stage");
    staged_restore(staged.as_ref());
    ok(staged.replace_target(false), "replace_target");
    assert_eq!(
        snapshot(target),
        snapshot(source),
        "the store holds the staged data"
    );
    assert_ledger_sound(target);
    ok(
        target.audit("test", "after", "target", &json!({"n": 2})),
        "audit after a replace",
    );
}
