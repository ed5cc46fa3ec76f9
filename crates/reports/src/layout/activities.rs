//! IV. Cooperation activities: each activity, the activities by status with their chart, and
//! the task force's action items.

use super::{bar_chart, or_dash, table, text, Context};
use crate::doc::{Block, Cell, Section};

pub(super) fn section(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let activities = table("activities", w.tw("report-activities-caption", &c.dec))
        .columns(w.columns(&[
            "report-col-code",
            "report-col-title",
            "report-col-category",
            "report-col-lead",
            "report-col-partners",
            "report-col-mandate",
            "report-col-funding",
            "report-col-status",
            "report-col-estimate",
        ]))
        .rows(&r.activities, |a| {
            vec![
                text(&a.code),
                text(c.title_of(&a.title_en, &a.title_fr)),
                text(w.label("category", &a.category)),
                text(&a.lead),
                text(or_dash(&a.partners)),
                text(or_dash(&a.mandates)),
                text(w.label("funding", &a.funding)),
                text(w.label("status", &a.status)),
                w.money(a.total),
            ]
        })
        .total(w.total(7, [w.money(r.activities_total)]));
    let by_status = table("activities-by-status", w.t("report-by-status-caption"))
        .columns(w.columns(&[
            "report-col-status",
            "report-col-count",
            "report-col-estimate",
        ]))
        .rows(&r.by_status, |s| {
            vec![
                text(w.label("status", &s.status)),
                Cell::Count(s.count as i64),
                w.money(s.total),
            ]
        })
        .total(w.total(
            0,
            [
                Cell::Count(r.activities.len() as i64),
                w.money(r.activities_total),
            ],
        ));
    let mut blocks = vec![
        Block::Para(w.tw("report-activities-intro", &c.dec)),
        activities.block(),
        by_status.block(),
        bar_chart(
            "chart-status",
            w.t("report-chart-status"),
            w.counts_note(),
            "activities-by-status",
            vec![1],
        ),
    ];
    if !r.action_items.is_empty() {
        let actions = table("task-force-actions", w.t("report-actions-caption"))
            .columns(w.columns(&[
                "report-col-code",
                "report-col-action",
                "report-col-owner",
                "report-col-due",
                "report-col-status",
            ]))
            .rows(&r.action_items, |a| {
                vec![
                    text(&a.code),
                    text(&a.title),
                    text(&a.owner),
                    text(w.date(a.due)),
                    text(w.label("action", &a.status)),
                ]
            });
        blocks.push(actions.block());
    }
    Section {
        number: None,
        annex: None,
        heading: w.t("report-sec-activities"),
        blocks,
    }
}
