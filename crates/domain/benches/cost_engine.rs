//! Micro-benchmarks of the cost engine: pricing deliveries (effective-dated rate look-up, FX
//! check, exact `quantity × rate`) and closing them (one rounding, split, PSC), beside a
//! baseline that only multiplies and adds the same decimals, run in the same go.
//!
//! `cargo bench -p synergies-domain` prints the figures; the ratio of `price_and_close` to
//! `baseline_decimal_sum` is what the engine costs over bare arithmetic.

use std::hint::black_box;
use std::str::FromStr;

use chrono::{Duration, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rust_decimal::Decimal;
use synergies_domain::agreement::{
    Agreement, AgreementKind, AgreementLine, Participant, ShareKey, Terms,
};
use synergies_domain::cost::{plan_closing, CostAccumulator, Pricer};
use synergies_domain::delivery::Delivery;
use synergies_domain::model::*;
use synergies_domain::{Currency, Money, Month};

const N: usize = 10_000;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn framework() -> Framework {
    let usd = Currency::USD;
    let chf = Currency::from_code("CHF").unwrap();
    let mut f = Framework {
        services: vec![Service {
            code: "LEGAL".into(),
            name: "Legal advice".into(),
            provider: "MC".into(),
            category: ServiceCategory::Legal,
            unit: Unit::StaffDay,
        }],
        ..Default::default()
    };
    for (g, jan, jul) in [("P-4", "900.00", "931.50"), ("P-3", "760.00", "786.60")] {
        for (from, amount) in [("2026-01-01", jan), ("2026-07-01", jul)] {
            f.rates.push(Rate {
                provider: "MC".into(),
                biennium: "2026-2027".into(),
                key: RateKey::Grade(g.into()),
                unit: Unit::StaffDay,
                effective_from: NaiveDate::from_str(from).unwrap(),
                amount: d(amount),
                currency: usd,
            });
        }
    }
    for m in 1..=12 {
        f.fx_rates.push(FxRate {
            currency: chf,
            month: Month::new(2026, m).unwrap(),
            per_usd: d("0.8812") + Decimal::new(i64::from(m), 4),
        });
    }
    f
}

fn agreement() -> Agreement {
    let mut a = Agreement::draft(
        "A",
        "Legal advice",
        AgreementKind::Purchase,
        "MC",
        "MCGTF",
        "2026-2027",
        Currency::USD,
        Terms {
            ceiling_minor: i64::MAX / 4,
            psc_rate: d("0.13"),
            lines: vec![AgreementLine {
                service: "LEGAL".into(),
                estimated_quantity: d("1000"),
            }],
            participants: vec![Participant {
                organisation: "BRS".into(),
                fund: "BC".into(),
                weight: Decimal::ONE,
            }],
            share_key: ShareKey::Fixed,
            note: String::new(),
        },
    );
    a.versions[0].status = synergies_domain::agreement::VersionStatus::Active;
    a
}

fn deliveries() -> Vec<Delivery> {
    let chf = Currency::from_code("CHF").unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    (0..N)
        .map(|i| Delivery {
            agreement: "A".into(),
            service: "LEGAL".into(),
            date: start + Duration::days((i % 360) as i64),
            quantity: Decimal::new(25 * (1 + (i % 12)) as i64, 2),
            grade: Some(["P-4", "P-3"][i % 2].into()),
            expense: (i % 20 == 0).then(|| Money::new(12_345 + i as i64, chf)),
            description: String::new(),
            external_id: format!("E{i}"),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let f = framework();
    let rates = synergies_domain::rates::RateBook::new(&f.rates);
    let fx = synergies_domain::rates::FxTable::new(&f.fx_rates);
    let pricer = Pricer::new(&f, &rates, &fx);
    let a = agreement();
    let v = a.active_version().unwrap().clone();
    let range = (
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
    );
    let rows = deliveries();
    let mut group = c.benchmark_group("cost_engine");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("price_and_close", |b| {
        b.iter(|| {
            let mut acc = CostAccumulator::new(Currency::USD);
            for row in &rows {
                let priced = pricer.price(&a, &v, range, row).unwrap();
                acc.add(&priced).unwrap();
            }
            black_box(plan_closing(&a, &v, &acc, &fx).unwrap())
        })
    });
    group.bench_function("baseline_decimal_sum", |b| {
        let rate = d("900.00");
        b.iter(|| {
            let mut sum = Decimal::ZERO;
            for row in &rows {
                sum += row.quantity * rate;
            }
            black_box(sum)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
