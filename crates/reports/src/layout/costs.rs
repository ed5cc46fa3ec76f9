//! III. Services shared and costs recovered: by direction, by agreement, by fund and by
//! quarter, with their charts (by agreement and quarter in annex II).

use super::{bar_chart, table, text, Context, AMOUNT_COLUMNS};
use crate::doc::{Block, Cell, Section};

pub(super) fn section(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let costs = &r.costs;
    let intro = Block::Para(w.counted(
        "report-costs-intro",
        &[
            ("biennium", r.biennium.clone()),
            ("total", w.amount_text(costs.total.total)),
            ("currency", c.currency.clone()),
        ],
        &[
            ("charges", costs.charges),
            ("deliveries", costs.deliveries as usize),
        ],
    ));
    let by_direction = table("costs-by-direction", w.t("report-by-direction-caption"))
        .columns(w.columns(&[
            "report-col-provider",
            "report-col-recipient",
            "report-col-currency",
        ]))
        .columns(w.columns(&AMOUNT_COLUMNS))
        .rows(&costs.by_direction, |d| {
            let mut cells = vec![
                text(&d.provider),
                text(&d.recipient),
                text(d.currency.code()),
            ];
            cells.extend(w.amounts(&d.amounts, d.currency));
            cells
        })
        .total(w.total(
            1,
            std::iter::once(text(&c.currency)).chain(w.amounts(&costs.total, r.currency)),
        ));

    // By agreement (the services it covers); per quarter in annex II.
    let by_service = table("costs-by-service", w.t("report-by-service-caption"))
        .columns(w.columns(&[
            "report-col-agreement",
            "report-col-direction",
            "report-col-services",
        ]))
        .columns(w.columns(&AMOUNT_COLUMNS))
        .rows(&costs.by_agreement, |a| {
            let mut cells = vec![
                text(&a.agreement),
                text(format!("{} → {}", a.provider, a.recipient)),
                text(a.services.join("; ")),
            ];
            cells.extend(w.amounts(&a.amounts, a.currency));
            cells
        })
        .total(w.total(2, w.amounts(&costs.total, r.currency)));
    let service_total_column = 5;

    let by_fund = table("costs-by-fund", w.t("report-by-fund-caption"))
        .columns(w.columns(&[
            "report-col-provider-fund",
            "report-col-payer-fund",
            "report-col-currency",
        ]))
        .columns(w.columns(&AMOUNT_COLUMNS))
        .rows(&costs.by_fund, |f| {
            let mut cells = vec![
                text(&f.provider_fund),
                text(&f.payer_fund),
                text(f.currency.code()),
            ];
            cells.extend(w.amounts(&f.amounts, f.currency));
            cells
        })
        .total(w.total(
            1,
            std::iter::once(text(&c.currency)).chain(w.amounts(&costs.total, r.currency)),
        ));

    let by_quarter = table("costs-by-quarter", w.t("report-by-quarter-caption"))
        .columns(w.columns(&["report-col-quarter"]))
        .columns(w.columns(&AMOUNT_COLUMNS))
        .rows(costs.quarters.iter().zip(&costs.by_quarter), |(q, a)| {
            let mut cells: Vec<Cell> = vec![text(q)];
            cells.extend(w.amounts(a, r.currency));
            cells
        })
        .total(w.total(0, w.amounts(&costs.total, r.currency)));

    Section {
        number: None,

        annex: None,
        heading: w.t("report-sec-costs"),
        blocks: vec![
            intro,
            by_direction.block(),
            bar_chart(
                "chart-direction",
                w.t("report-chart-direction"),
                w.amounts_note(),
                "costs-by-direction",
                vec![3, 4],
            ),
            by_service.block(),
            bar_chart(
                "chart-service",
                w.t("report-chart-service"),
                w.amounts_note(),
                "costs-by-service",
                vec![service_total_column],
            ),
            Block::Para(w.t("report-by-service-note")),
            Block::Para(w.t("report-by-quarter-annex")),
            by_fund.block(),
            by_quarter.block(),
        ],
    }
}
