//! The annexes: I. the activities planned for the next biennium, with each organisation's
//! part, and the funding scenarios (current level against projected needs) per fund, with
//! their chart; II. the costs recovered per agreement and quarter.

use super::{bar_chart, or_dash, table, text, Context, AMOUNT_COLUMNS};
use crate::doc::{Block, Cell, Section};

/// Annex I: the cooperation activities planned for the next biennium.
pub(super) fn planned(c: &Context) -> Section {
    let (w, a) = (&c.w, &c.r.annex);
    let planned = table("annex-planned", w.tw("report-annex-caption", &c.dec))
        .columns(w.columns(&[
            "report-col-category",
            "report-col-title",
            "report-col-lead",
            "report-col-partners",
            "report-col-mandate",
        ]))
        .columns(a.organisations.iter().cloned())
        .columns(w.columns(&[
            "report-col-funding",
            "report-col-current-level",
            "report-col-projected-needs",
        ]))
        .rows(&a.activities, |x| {
            let mut cells = vec![
                text(w.label("category", &x.category)),
                text(c.title_of(&x.title_en, &x.title_fr)),
                text(&x.lead),
                text(or_dash(&x.partners)),
                text(or_dash(&x.mandates)),
            ];
            cells.extend(
                a.organisations
                    .iter()
                    .map(|o| w.money(x.by_organisation.get(o).copied().unwrap_or(0))),
            );
            cells.push(text(w.label("funding", &x.funding)));
            cells.push(match x.current_level {
                Some(c) => w.money(c),
                None => text(w.t("report-new-activity")),
            });
            cells.push(w.money(x.total));
            cells
        })
        .total(w.total(
            4,
            a.by_organisation.iter().map(|v| w.money(*v)).chain([
                Cell::Empty,
                w.money(a.total_current),
                w.money(a.total_projected),
            ]),
        ));
    let scenarios = table("annex-scenarios", w.tw("report-scenarios-caption", &c.dec))
        .columns(w.columns(&[
            "report-col-fund",
            "report-col-current-level",
            "report-col-projected-needs",
            "report-col-difference",
        ]))
        .rows(&a.by_fund, |s| {
            vec![
                text(&s.key),
                w.money(s.current_level),
                w.money(s.projected_needs),
                w.money(s.difference),
            ]
        })
        .total(w.total(
            0,
            [
                w.money(a.scenarios_total.current_level),
                w.money(a.scenarios_total.projected_needs),
                w.money(a.scenarios_total.difference),
            ],
        ));
    Section {
        number: None,
        annex: None,
        heading: w.tw("report-sec-annex", &c.dec),
        blocks: vec![
            Block::Para(w.tw("report-annex-intro", &c.dec)),
            planned.block(),
            scenarios.block(),
            bar_chart(
                "chart-scenarios",
                w.tw("report-chart-scenarios", &c.dec),
                w.amounts_note(),
                "annex-scenarios",
                vec![1, 2],
            ),
        ],
    }
}

/// Annex II: the costs recovered per agreement and recipient in each quarter of the biennium
/// (direct cost and programme support costs together).
pub(super) fn quarters(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let costs = &r.costs;
    let by_quarter = table(
        "costs-by-agreement-quarter",
        w.tw("report-agreement-quarter-caption", &c.dec),
    )
    .columns(w.columns(&["report-col-agreement", "report-col-direction"]))
    .columns(costs.quarters.iter().cloned())
    .columns(w.columns(&AMOUNT_COLUMNS))
    .rows(&costs.by_agreement, |a| {
        let mut cells = vec![
            text(&a.agreement),
            text(format!("{} → {}", a.provider, a.recipient)),
        ];
        cells.extend(a.by_quarter.iter().map(|q| w.money_in(*q, a.currency)));
        cells.extend(w.amounts(&a.amounts, a.currency));
        cells
    })
    .total(
        w.total(
            1,
            costs
                .by_quarter
                .iter()
                .map(|q| w.money(q.total))
                .chain(w.amounts(&costs.total, r.currency)),
        ),
    );
    Section {
        number: None,
        annex: None,
        heading: w.tw("report-sec-annex-quarters", &c.dec),
        blocks: vec![
            Block::Para(w.tw("report-agreement-quarter-intro", &c.dec)),
            by_quarter.block(),
        ],
    }
}
