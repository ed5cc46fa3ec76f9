//! Exports of the data anyone needs to recompute the charges independently: rates, exchange
//! rates, deliveries (in the import format, so an export re-imports), agreements and charges.

use std::io::Write;

use serde_json::json;
use synergies_domain::model::RateKey;
use synergies_domain::text::spreadsheet_cell;
use synergies_store::{ChargeFilter, DeliveryFilter, Store, StoreError};

use crate::import::COLUMNS;
use crate::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Rates,
    Fx,
    Deliveries,
    Agreements,
    Charges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Every text cell of a CSV export goes through here: a text that a spreadsheet would read as
/// a formula is written behind an apostrophe (see the domain's `spreadsheet_cell`, which the
/// delivery import reverses). Numbers, dates and fixed keywords are written as they are.
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    spreadsheet_cell(text)
}

fn csv_err(e: csv::Error) -> AppError {
    AppError::Io(e.to_string())
}

/// Writes one dataset in one format.
pub fn export(
    store: &dyn Store,
    what: Dataset,
    format: Format,
    out: &mut dyn Write,
) -> AppResult<()> {
    match (what, format) {
        (Dataset::Deliveries, Format::Csv) => deliveries_csv(store, out),
        (Dataset::Deliveries, Format::Json) => deliveries_json(store, out),
        (Dataset::Rates, Format::Csv) => {
            let f = store.framework()?;
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "provider",
                "biennium",
                "key_kind",
                "key",
                "unit",
                "effective_from",
                "amount",
                "currency",
                "psc_rate",
            ])
            .map_err(csv_err)?;
            for r in &f.rates {
                let (kind, key) = match &r.key {
                    RateKey::Grade(g) => ("grade", g.as_str()),
                    RateKey::Service(s) => ("service", s.as_str()),
                };
                let psc = f
                    .rate_card(&r.provider, &r.biennium)
                    .map(|c| c.psc_rate.to_string())
                    .unwrap_or_default();
                w.write_record([
                    cell(&r.provider).as_ref(),
                    &cell(&r.biennium),
                    kind,
                    &cell(key),
                    r.unit.as_str(),
                    &r.effective_from.to_string(),
                    &r.amount.to_string(),
                    r.currency.code(),
                    &psc,
                ])
                .map_err(csv_err)?;
            }
            w.flush()?;
            Ok(())
        }
        (Dataset::Rates, Format::Json) => {
            let f = store.framework()?;
            write_json(
                out,
                &json!({ "rate_cards": f.rate_cards, "rates": f.rates }),
            )
        }
        (Dataset::Fx, Format::Csv) => {
            let f = store.framework()?;
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["currency", "month", "per_usd"])
                .map_err(csv_err)?;
            for x in &f.fx_rates {
                w.write_record([
                    x.currency.code(),
                    &x.month.to_string(),
                    &x.per_usd.to_string(),
                ])
                .map_err(csv_err)?;
            }
            w.flush()?;
            Ok(())
        }
        (Dataset::Fx, Format::Json) => write_json(out, &store.framework()?.fx_rates),
        (Dataset::Agreements, Format::Json) => write_json(out, &store.agreements()?),
        (Dataset::Agreements, Format::Csv) => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "code",
                "title",
                "kind",
                "provider",
                "provider_fund",
                "biennium",
                "currency",
                "version",
                "status",
                "ceiling_minor",
                "psc_rate",
                "services",
                "participants",
            ])
            .map_err(csv_err)?;
            for a in store.agreements()? {
                for v in &a.versions {
                    let services: Vec<String> = v
                        .lines
                        .iter()
                        .map(|l| format!("{}={}", l.service, l.estimated_quantity))
                        .collect();
                    let participants: Vec<String> = v
                        .participants
                        .iter()
                        .map(|p| format!("{}/{}={}", p.organisation, p.fund, p.weight))
                        .collect();
                    w.write_record([
                        cell(&a.code).as_ref(),
                        &cell(&a.title),
                        a.kind.as_str(),
                        &cell(&a.provider),
                        &cell(&a.provider_fund),
                        &cell(&a.biennium),
                        a.currency.code(),
                        &v.number.to_string(),
                        v.status.as_str(),
                        &v.ceiling_minor.to_string(),
                        &v.psc_rate.to_string(),
                        &cell(&services.join(";")),
                        &cell(&participants.join(";")),
                    ])
                    .map_err(csv_err)?;
                }
            }
            w.flush()?;
            Ok(())
        }
        (Dataset::Charges, format) => {
            let charges = store.charges(&ChargeFilter {
                include_reversed: true,
                ..Default::default()
            })?;
            match format {
                Format::Json => write_json(out, &charges),
                Format::Csv => {
                    let mut w = csv::WriterBuilder::new()
                        .has_headers(false)
                        .from_writer(out);
                    w.write_record(CHARGE_COLUMNS).map_err(csv_err)?;
                    for c in &charges {
                        let mut c = c.clone();
                        for text in [
                            &mut c.agreement,
                            &mut c.period,
                            &mut c.provider_fund,
                            &mut c.payer_organisation,
                            &mut c.payer_fund,
                        ] {
                            *text = cell(text).into_owned();
                        }
                        w.serialize(&c).map_err(csv_err)?;
                    }
                    w.flush()?;
                    Ok(())
                }
            }
        }
    }
}

/// The fields of a charge record, in the order they are serialised.
const CHARGE_COLUMNS: [&str; 17] = [
    "id",
    "closing",
    "agreement",
    "version",
    "period",
    "sequence",
    "provider_fund",
    "payer_organisation",
    "payer_fund",
    "currency",
    "direct_minor",
    "psc_minor",
    "total_minor",
    "deliveries",
    "entry",
    "status",
    "posted_on",
];

fn write_json<T: serde::Serialize>(out: &mut dyn Write, v: &T) -> AppResult<()> {
    serde_json::to_writer_pretty(&mut *out, v).map_err(|e| AppError::Io(e.to_string()))?;
    out.write_all(b"\n")?;
    Ok(())
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("cannot write: {e}"))
}

fn deliveries_csv(store: &dyn Store, out: &mut dyn Write) -> AppResult<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS).map_err(csv_err)?;
    store.for_each_delivery(&DeliveryFilter::default(), &mut |d| {
        let d = d.delivery;
        let (amount, currency) = match d.expense {
            Some(m) => (
                m.currency.format_minor(m.minor),
                m.currency.code().to_string(),
            ),
            None => (String::new(), String::new()),
        };
        w.write_record([
            cell(&d.agreement).as_ref(),
            &cell(&d.service),
            &d.date.to_string(),
            &d.quantity.to_string(),
            &cell(d.grade.as_deref().unwrap_or("")),
            &amount,
            &currency,
            &cell(&d.description),
            &cell(&d.external_id),
        ])
        .map_err(io)
    })?;
    w.flush()?;
    Ok(())
}

fn deliveries_json(store: &dyn Store, out: &mut dyn Write) -> AppResult<()> {
    out.write_all(b"[")?;
    let mut first = true;
    store.for_each_delivery(&DeliveryFilter::default(), &mut |d| {
        if !first {
            out.write_all(b",").map_err(io)?;
        }
        first = false;
        out.write_all(b"\n  ").map_err(io)?;
        serde_json::to_writer(&mut *out, &d).map_err(io)
    })?;
    out.write_all(b"\n]\n")?;
    Ok(())
}
