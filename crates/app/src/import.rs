//! Delivery import from CSV, all or nothing.
//!
//! Columns: `agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id`.
//! The file is streamed once into one store transaction; every row is checked (parsing, the
//! agreement in force, the catalogue, the rate card, exchange rates, duplicates) and every bad
//! row is reported. Then each agreement's commitment is checked against its ceiling. Any issue
//! rolls the whole transaction back. Only when a ceiling is passed is the file read a second
//! time, to name the rows past it.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::str::FromStr;

use rust_decimal::Decimal;
use synergies_domain::cost::{check_ceiling, committed_minor, CostAccumulator};
use synergies_domain::delivery::Delivery;
use synergies_domain::period::parse_iso_date;
use synergies_domain::text::{check_text, from_spreadsheet_cell, TextKind};
use synergies_domain::{Currency, Money};
use synergies_store::{AddOutcome, Audit, DeliveryImport, Store};

use crate::context::PricingContext;
use crate::{Actor, AuditAction};
use crate::{AppError, AppResult, InputIssue};
use synergies_domain::access::Action;

/// The columns of the delivery CSV, in the order exports write them.
pub const COLUMNS: [&str; 9] = [
    "agreement",
    "service",
    "date",
    "quantity",
    "grade",
    "expense_amount",
    "expense_currency",
    "description",
    "external_id",
];

/// Rows staged between two flushes of the store's import (bounds the memory of bulk paths).
const FLUSH_EVERY: usize = 50_000;

/// At most this many issues are kept in detail; the rest are counted.
const MAX_LISTED_ISSUES: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub rows: u64,
    pub inserted: u64,
    /// Rows already recorded with the same content (nothing added for them).
    pub identical: u64,
}

/// A source that can be read more than once (a file path, or bytes in memory).
pub trait CsvSource {
    fn name(&self) -> String;
    fn open(&self) -> AppResult<Box<dyn Read + '_>>;
}

pub struct FileSource(pub std::path::PathBuf);

impl CsvSource for FileSource {
    fn name(&self) -> String {
        self.0.display().to_string()
    }
    fn open(&self) -> AppResult<Box<dyn Read + '_>> {
        let f = std::fs::File::open(&self.0)
            .map_err(|e| AppError::Io(format!("cannot read {}: {e}", self.0.display())))?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
    }
}

pub struct BytesSource<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

impl CsvSource for BytesSource<'_> {
    fn name(&self) -> String {
        self.name.to_string()
    }
    fn open(&self) -> AppResult<Box<dyn Read + '_>> {
        Ok(Box::new(self.bytes))
    }
}

/// The rows of a delivery file, each with the line (CSV) or row (XLSX) a person sees in
/// their editor. A CSV ends its records at `\n`, so a file with Windows line ends (`\r\n`, as
/// Excel saves one) counts its lines as an editor does (the `\r` is trimmed with the cell's
/// spaces); a workbook's first sheet is read whole (a workbook is a zip archive: it cannot be
/// streamed), its numbers and dates written as the CSV would hold them.
enum Rows<'a> {
    Csv(csv::Reader<Box<dyn Read + 'a>>),
    Sheet(std::vec::IntoIter<(u64, csv::StringRecord)>),
}

/// What a row read gives: its line, or why it cannot be read (and whether reading stops).
type RowRead = Result<u64, (u64, String, bool)>;

impl<'a> Rows<'a> {
    /// The file's header and its rows; a workbook is recognised by its content (a zip
    /// archive), whatever its name.
    fn open(source: &'a dyn CsvSource) -> AppResult<(csv::StringRecord, Rows<'a>)> {
        let name = source.name();
        let mut input = std::io::BufReader::new(source.open()?);
        let is_zip = std::io::BufRead::fill_buf(&mut input)
            .map(|b| b.starts_with(b"PK\x03\x04"))
            .unwrap_or(false);
        if is_zip {
            let mut bytes = vec![];
            input
                .read_to_end(&mut bytes)
                .map_err(|e| AppError::Io(format!("cannot read {name}: {e}")))?;
            let mut rows = sheet_rows(&name, bytes)?.into_iter();
            let header = rows
                .next()
                .map(|(_, h)| h)
                .ok_or_else(|| AppError::Invalid(format!("{name}: the first sheet is empty")))?;
            return Ok((header, Rows::Sheet(rows)));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(Box::new(input) as Box<dyn Read + 'a>);
        let header = reader
            .headers()
            .map_err(|e| AppError::Invalid(format!("{name}: cannot read the header: {e}")))?
            .clone();
        Ok((header, Rows::Csv(reader)))
    }

    /// Reads the next row into `record`; `None` at the end.
    fn next(&mut self, record: &mut csv::StringRecord) -> Option<RowRead> {
        match self {
            Rows::Csv(reader) => {
                let line = reader.position().line();
                match reader.read_record(record) {
                    Ok(false) => None,
                    Ok(true) => Some(Ok(record.position().map(|p| p.line()).unwrap_or(line))),
                    Err(e) => {
                        let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                        Some(Err((line, format!("unreadable CSV: {e}"), fatal)))
                    }
                }
            }
            Rows::Sheet(rows) => rows.next().map(|(row, cells)| {
                *record = cells;
                Ok(row)
            }),
        }
    }
}

/// The first sheet of an XLSX workbook as rows of text cells, numbered as the sheet numbers
/// them (the header's row first).
fn sheet_rows(name: &str, bytes: Vec<u8>) -> AppResult<Vec<(u64, csv::StringRecord)>> {
    use calamine::{Data, Reader as _};
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::Invalid(format!("{name}: not a readable XLSX workbook: {e}"))
    };
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::Invalid(format!("{name}: the workbook has no sheet")))?
        .map_err(|e| unreadable(&e))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = vec![];
    for (i, cells) in range.rows().enumerate() {
        let texts: Vec<String> = cells
            .iter()
            .map(|cell| match cell {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Int(n) => n.to_string(),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => match d.as_datetime() {
                    Some(t) if t.time() == chrono::NaiveTime::MIN => {
                        t.date().format("%Y-%m-%d").to_string()
                    }
                    Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    None => d.as_f64().to_string(),
                },
                Data::Error(e) => format!("#{e:?}"),
            })
            .collect();
        if texts.iter().all(|t| t.trim().is_empty()) {
            continue;
        }
        rows.push((
            u64::from(first_row) + i as u64 + 1,
            csv::StringRecord::from(texts),
        ));
    }
    Ok(rows)
}

struct Issues {
    listed: Vec<InputIssue>,
    more: u64,
}

impl Issues {
    fn push(&mut self, line: u64, column: &str, reason: impl Into<String>) {
        if self.listed.len() < MAX_LISTED_ISSUES {
            self.listed.push(InputIssue {
                line,
                column: column.to_string(),
                reason: reason.into(),
            });
        } else {
            self.more += 1;
        }
    }
    fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.more == 0
    }
}

/// Column positions found in the header.
struct Header([usize; 9]);

fn read_header(headers: &csv::StringRecord) -> Result<Header, String> {
    let mut pos = [usize::MAX; 9];
    for (i, name) in headers.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        if let Some(c) = COLUMNS.iter().position(|c| *c == name) {
            pos[c] = i;
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(pos)
        .filter(|(_, p)| *p == usize::MAX)
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the header must name the columns {}; missing: {}",
            COLUMNS.join(","),
            missing.join(", ")
        ));
    }
    Ok(Header(pos))
}

/// Parses one CSV row into a delivery, or the first issue of each bad field.
fn parse_row(h: &Header, r: &csv::StringRecord) -> Result<Delivery, Vec<(&'static str, String)>> {
    let field = |i: usize| r.get(h.0[i]).unwrap_or("").trim();
    // A text cell as the CSV export writes it (a formula-like text behind an apostrophe).
    let text = |i: usize| from_spreadsheet_cell(field(i));
    let mut bad: Vec<(&'static str, String)> = vec![];
    // The domain's text limits for each text column.
    let mut check = |column: &'static str, kind: TextKind, value: &str| {
        if let Err(why) = check_text(kind, value) {
            bad.push((column, why));
        }
    };
    let agreement = text(0);
    let service = text(1);
    let grade_text = text(4);
    let description = text(7);
    let external_id = text(8);
    check("agreement", TextKind::Code, &agreement);
    check("service", TextKind::Code, &service);
    if !grade_text.is_empty() {
        check("grade", TextKind::Code, &grade_text);
    }
    check("description", TextKind::Text, &description);
    if !external_id.is_empty() {
        check("external_id", TextKind::Name, &external_id);
    }
    let date = parse_iso_date(field(2));
    if date.is_none() {
        bad.push((
            "date",
            format!("{:?} is not a date of the form YYYY-MM-DD", field(2)),
        ));
    }
    let quantity = parse_decimal(field(3));
    if quantity.is_none() {
        bad.push((
            "quantity",
            format!("{:?} is not a decimal number", field(3)),
        ));
    }
    let grade = Some(grade_text.as_ref())
        .filter(|g| !g.is_empty())
        .map(str::to_string);
    let expense = match (field(5), field(6)) {
        ("", "") => Ok(None),
        (_, "") => Err((
            "expense_currency",
            "an expense needs its currency".to_string(),
        )),
        ("", _) => Err(("expense_amount", "a currency without an amount".to_string())),
        (amount, code) => match (parse_decimal(amount), Currency::from_code(code)) {
            (None, _) => Err((
                "expense_amount",
                format!("{amount:?} is not a decimal number"),
            )),
            (_, Err(e)) => Err(("expense_currency", e.to_string())),
            (Some(a), Ok(c)) => c
                .to_minor(a)
                .map(|m| Some(Money::new(m, c)))
                .map_err(|e| ("expense_amount", e.to_string())),
        },
    };
    let expense = expense.unwrap_or_else(|e| {
        bad.push(e);
        None
    });
    if external_id.is_empty() {
        bad.push(("external_id", "empty".into()));
    } else if external_id.len() > 100 {
        bad.push(("external_id", "longer than 100 characters".into()));
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    Ok(Delivery {
        agreement: agreement.into_owned(),
        service: service.into_owned(),
        date: date.expect("checked"),
        quantity: quantity.expect("checked"),
        grade,
        expense,
        description: description.into_owned(),
        external_id: external_id.into_owned(),
    })
}

/// Plain decimals only (`12`, `-1.5`, `0.25`): no exponents, no thousands separators.
fn parse_decimal(s: &str) -> Option<Decimal> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// What one agreement's import has accumulated.
struct AgreementTally {
    charged_minor: i64,
    costs: CostAccumulator,
    /// Lines of the rows inserted for this agreement, in file order.
    inserted_lines: Vec<u32>,
    /// Cost of the deliveries pending before this import.
    pending_before: CostAccumulator,
    /// Lines of its rows that a flush reported as already recorded: their costs must be read
    /// back, and they leave `inserted_lines` once all is flushed.
    not_inserted: HashSet<u32>,
}

/// Flushes the staged rows and accounts for those the store did not insert: identical ones
/// are counted, conflicting ones reported; their agreements' costs are recounted later.
fn settle_flush(
    session: &mut dyn DeliveryImport,
    staged: &mut Vec<(u64, Delivery)>,
    tallies: &mut HashMap<String, AgreementTally>,
    report: &mut ImportReport,
    issues: &mut Issues,
) -> AppResult<()> {
    let not_inserted = session.flush()?;
    report.inserted += (staged.len() - not_inserted.len()) as u64;
    for (line, outcome) in not_inserted {
        let i = staged
            .binary_search_by_key(&line, |(l, _)| *l)
            .map_err(|_| AppError::Invalid(format!("the store reported unknown line {line}")))?;
        let delivery = &staged[i].1;
        let tally = tallies
            .get_mut(&delivery.agreement)
            .expect("a staged row's agreement has a tally");
        tally.not_inserted.insert(line as u32);
        match outcome {
            AddOutcome::Inserted => {}
            AddOutcome::Identical => report.identical += 1,
            AddOutcome::Conflict(existing) => issues.push(
                line,
                "external_id",
                format!(
                    "{} is already recorded under {} with a different {}",
                    delivery.external_id,
                    delivery.agreement,
                    delivery.differences(&existing).join(", ")
                ),
            ),
        }
    }
    staged.clear();
    Ok(())
}

/// Imports deliveries from a CSV source. `progress` is called with the number of rows read,
/// every 100,000 rows and at the end.
///
/// `actor` is who imports: the deliveries and their audit event (`deliveries.import`, with the
/// report) are committed in one transaction.
pub fn import_deliveries(
    store: &dyn Store,
    source: &dyn CsvSource,
    progress: &mut dyn FnMut(u64),
    actor: &Actor,
) -> AppResult<ImportReport> {
    let name = source.name();
    import_deliveries_audited(store, source, progress, actor, &|report| {
        actor.audit(
            AuditAction::DeliveriesImport,
            &name,
            serde_json::json!({"before": null, "after": report}),
        )
    })
}

/// [`import_deliveries`] with the audit event that `audit` makes of the report (e.g. one
/// delivery recorded from a form, `delivery.record`), committed with the deliveries. The
/// actor must be allowed to record the deliveries of every agreement the file names (its
/// provider's officer): the first agreement that is not theirs refuses the whole file.
pub fn import_deliveries_audited(
    store: &dyn Store,
    source: &dyn CsvSource,
    progress: &mut dyn FnMut(u64),
    actor: &Actor,
    audit: &dyn Fn(&ImportReport) -> Audit,
) -> AppResult<ImportReport> {
    let ctx = PricingContext::load(store)?;
    let pricer = ctx.pricer();
    let name = source.name();
    let (header, mut rows) = Rows::open(source)?;
    let header = read_header(&header).map_err(|e| AppError::Invalid(format!("{name}:1: {e}")))?;

    let mut issues = Issues {
        listed: vec![],
        more: 0,
    };
    let mut report = ImportReport::default();
    let mut tallies: HashMap<String, AgreementTally> = HashMap::new();
    let mut session = store.import_deliveries()?;
    let mut staged: Vec<(u64, Delivery)> = Vec::with_capacity(FLUSH_EVERY);
    let mut record = csv::StringRecord::new();
    while let Some(read) = rows.next(&mut record) {
        let line = match read {
            Ok(line) => line,
            Err((line, why, fatal)) => {
                issues.push(line, "row", why);
                if fatal {
                    break;
                }
                continue;
            }
        };
        report.rows += 1;
        if report.rows % 100_000 == 0 {
            progress(report.rows);
        }
        let delivery = match parse_row(&header, &record) {
            Ok(d) => d,
            Err(bad) => {
                for (column, reason) in bad {
                    issues.push(line, column, reason);
                }
                continue;
            }
        };
        let priced = match ctx.price(&pricer, &delivery) {
            Ok(p) => p,
            Err(issue) => {
                issues.push(line, issue.column, issue.reason);
                continue;
            }
        };
        if !tallies.contains_key(&delivery.agreement) {
            let (agreement, _) = ctx
                .in_force(&delivery.agreement)
                .map_err(AppError::Invalid)?;
            actor.authorize(&Action::RecordDeliveries {
                provider: agreement.provider.clone(),
            })?;
            let tally = open_tally(&ctx, &pricer, session.as_mut(), &delivery.agreement)?;
            tallies.insert(delivery.agreement.clone(), tally);
        }
        // Counted as inserted until a flush says otherwise.
        let tally = tallies.get_mut(&delivery.agreement).expect("opened above");
        if let Err(e) = tally.costs.add(&priced) {
            issues.push(line, "quantity", e.to_string());
        }
        tally.inserted_lines.push(line as u32);
        session.stage(line, &delivery)?;
        staged.push((line, delivery));
        if staged.len() >= FLUSH_EVERY {
            settle_flush(
                session.as_mut(),
                &mut staged,
                &mut tallies,
                &mut report,
                &mut issues,
            )?;
        }
    }
    settle_flush(
        session.as_mut(),
        &mut staged,
        &mut tallies,
        &mut report,
        &mut issues,
    )?;
    // Agreements with rows already recorded: their costs are read back from the transaction.
    for (code, tally) in tallies
        .iter_mut()
        .filter(|(_, t)| !t.not_inserted.is_empty())
    {
        let not_inserted = std::mem::take(&mut tally.not_inserted);
        tally.inserted_lines.retain(|l| !not_inserted.contains(l));
        tally.costs = pending_costs(&ctx, &pricer, session.as_mut(), code)?;
    }
    progress(report.rows);

    // Rule 7: no agreement may pass its ceiling.
    let mut over: Vec<&str> = vec![];
    for (code, tally) in &tallies {
        let (a, v) = ctx.in_force(code).map_err(AppError::Invalid)?;
        let committed = committed_minor(a, v, tally.charged_minor, &tally.costs, &ctx.fx)?;
        if check_ceiling(a, v, committed).is_err() {
            over.push(code);
        }
    }
    if !over.is_empty() {
        name_rows_past_ceiling(&ctx, source, &header, &tallies, &over, &mut issues)?;
    }
    if !issues.is_empty() {
        drop(session); // rolls back
        issues.listed.sort_by_key(|i| i.line);
        return Err(AppError::Rejected {
            file: name,
            issues: issues.listed,
            more: issues.more,
        });
    }
    if report.inserted == 0 {
        // Nothing new: nothing to commit, nothing to audit.
        drop(session);
        return Ok(report);
    }
    session.commit(&audit(&report))?;
    Ok(report)
}

/// The exact cost of the agreement's deliveries pending in the import's transaction.
fn pending_costs(
    ctx: &PricingContext,
    pricer: &synergies_domain::cost::Pricer,
    session: &mut dyn DeliveryImport,
    code: &str,
) -> AppResult<CostAccumulator> {
    let a = ctx.agreement(code)?;
    let mut pending = ctx.accumulator(a);
    session.for_each_pending(code, &mut |d| {
        let priced = ctx.price(pricer, d).map_err(|i| {
            synergies_store::StoreError::Invalid(format!(
                "recorded delivery {} of {} can no longer be priced: {}: {}",
                d.external_id, d.agreement, i.column, i.reason
            ))
        })?;
        pending
            .add(&priced)
            .map_err(synergies_store::StoreError::Domain)
    })?;
    Ok(pending)
}

fn open_tally(
    ctx: &PricingContext,
    pricer: &synergies_domain::cost::Pricer,
    session: &mut dyn DeliveryImport,
    code: &str,
) -> AppResult<AgreementTally> {
    let pending = pending_costs(ctx, pricer, session, code)?;
    Ok(AgreementTally {
        charged_minor: session.charged_total(code)?,
        costs: pending.clone(),
        inserted_lines: vec![],
        pending_before: pending,
        not_inserted: HashSet::new(),
    })
}

/// Second pass, only when a ceiling is passed: replays each such agreement's new rows in file
/// order and reports the first row that passes the ceiling and every row after it.
fn name_rows_past_ceiling(
    ctx: &PricingContext,
    source: &dyn CsvSource,
    header: &Header,
    tallies: &HashMap<String, AgreementTally>,
    over: &[&str],
    issues: &mut Issues,
) -> AppResult<()> {
    let pricer = ctx.pricer();
    let mut running: HashMap<&str, (CostAccumulator, usize, bool)> = over
        .iter()
        .map(|c| (*c, (tallies[*c].pending_before.clone(), 0usize, false)))
        .collect();
    let (_, mut rows) = Rows::open(source)?;
    let mut record = csv::StringRecord::new();
    while let Some(read) = rows.next(&mut record) {
        let Ok(line) = read else {
            continue;
        };
        let Ok(d) = parse_row(header, &record) else {
            continue;
        };
        let Some((acc, next, passed)) = running.get_mut(d.agreement.as_str()) else {
            continue;
        };
        let tally = &tallies[&d.agreement];
        if tally.inserted_lines.get(*next) != Some(&(line as u32)) {
            continue; // not inserted by this import (a duplicate or a bad row)
        }
        *next += 1;
        let (a, v) = ctx.in_force(&d.agreement).map_err(AppError::Invalid)?;
        if *passed {
            issues.push(
                line,
                "quantity",
                format!("also past the ceiling of {}", a.code),
            );
            continue;
        }
        let priced = ctx
            .price(&pricer, &d)
            .map_err(|i| AppError::Invalid(i.reason))?;
        acc.add(&priced)?;
        let committed = committed_minor(a, v, tally.charged_minor, acc, &ctx.fx)?;
        if let Err(e) = check_ceiling(a, v, committed) {
            issues.push(line, "quantity", e.to_string());
            *passed = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_only() {
        assert_eq!(parse_decimal("1.5"), Some(Decimal::new(15, 1)));
        assert_eq!(parse_decimal("-2"), Some(Decimal::from(-2)));
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal("1,000"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("abc"), None);
    }
}
