//! VI. Budget implications per fund: budget, income, services received, net and activities.

use super::{table, text, Context};
use crate::doc::{Block, Cell, Section};
use crate::model::FundRow;

pub(super) fn section(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let figures = |f: &FundRow| -> [Cell; 6] {
        [
            w.money(f.budget),
            w.money(f.income_direct),
            w.money(f.income_psc),
            w.money(f.services_received),
            w.money(f.net),
            w.money(f.activities),
        ]
    };
    let funds = table("budget-by-fund", w.tw("report-budget-caption", &c.dec))
        .columns(w.columns(&[
            "report-col-fund",
            "report-col-organisation",
            "report-col-fund-name",
            "report-col-budget",
            "report-col-income-direct",
            "report-col-income-psc",
            "report-col-services-received",
            "report-col-net",
            "report-col-activities-estimate",
        ]))
        .rows(&r.funds, |f| {
            let mut cells = vec![text(&f.fund), text(&f.organisation), text(&f.name)];
            cells.extend(figures(f));
            cells
        })
        .total(w.total(2, figures(&r.funds_total)));
    Section {
        number: None,
        annex: None,
        heading: w.t("report-sec-budget"),
        blocks: vec![
            Block::Para(w.tw("report-budget-intro", &c.dec)),
            funds.block(),
        ],
    }
}
