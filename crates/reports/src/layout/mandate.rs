//! I. Introduction and mandate: the decision, what the note covers, and each of the
//! decision's tracked requests.

use super::{or_dash, table, text, Context};
use crate::doc::{Block, Section};

pub(super) fn section(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let mandates = table("mandates", w.tw("report-mandates-caption", &c.dec))
        .columns(w.columns(&[
            "report-col-paragraph",
            "report-col-request",
            "report-col-addressee",
            "report-col-tracking",
            "report-col-status",
            "report-col-activities",
            "report-col-note",
        ]))
        .rows(&r.mandates, |m| {
            vec![
                text(&m.paragraph),
                text(&m.text),
                text(
                    m.actor
                        .as_deref()
                        .map(|a| w.t(&format!("report-actor-{}", a.replace('_', "-"))))
                        .unwrap_or_else(|| "—".into()),
                ),
                text(w.label("tracking", &m.tracking)),
                text(w.label("mandate", &m.status)),
                text(or_dash(&m.activities)),
                text(
                    m.last_note
                        .as_ref()
                        .map(|(d, n)| format!("{} — {n}", w.date(*d)))
                        .unwrap_or_else(|| "—".into()),
                ),
            ]
        });
    Section {
        number: None,
        annex: None,
        heading: w.t("report-sec-mandate"),
        blocks: vec![
            Block::Para(w.tw("report-impl-intro", &c.dec)),
            Block::Para(w.tw(
                "report-impl-decision-title",
                &[
                    ("decision", r.decision.clone()),
                    ("title", c.decision_title()),
                ],
            )),
            Block::Para(w.counted(
                "report-impl-summary",
                &[
                    ("biennium", r.biennium.clone()),
                    ("next", r.next.clone()),
                    ("total", w.amount_text(r.costs.total.total)),
                    ("currency", c.currency.clone()),
                ],
                &[
                    ("agreements", r.agreements_in_force()),
                    ("activities", r.activities.len()),
                ],
            )),
            mandates.block(),
        ],
    }
}
