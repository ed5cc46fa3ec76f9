//! II. The stable framework: its principles and the cost-recovery agreements.

use super::{table, text, Context};
use crate::doc::{Block, Section};

pub(super) fn section(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let agreements = table("agreements", w.tw("report-agreements-caption", &c.dec))
        .columns(w.columns(&[
            "report-col-agreement",
            "report-col-title",
            "report-col-kind",
            "report-col-provider",
            "report-col-recipients",
            "report-col-services",
            "report-col-ceiling",
            "report-col-psc-rate",
            "report-col-status",
        ]))
        .rows(&r.agreements, |a| {
            vec![
                text(&a.code),
                text(&a.title),
                text(w.label("kind", &a.kind)),
                text(format!("{} ({})", a.provider, a.provider_fund)),
                text(
                    a.recipients
                        .iter()
                        .map(|(o, f)| format!("{o} ({f})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                text(a.services.join("; ")),
                w.money_in(a.ceiling_minor, a.currency),
                w.percent(a.psc_rate),
                text(w.tw(
                    "report-version-status",
                    &[
                        ("version", a.version.to_string()),
                        ("status", w.label("version", &a.status)),
                    ],
                )),
            ]
        });
    Section {
        number: None,
        annex: None,
        heading: w.t("report-sec-framework"),
        blocks: vec![
            Block::Para(w.t("report-framework-intro")),
            Block::Para(w.t("report-principle-cost-recovery")),
            Block::Para(w.t("report-principle-autonomy")),
            Block::Para(w.t("report-principle-budget")),
            agreements.block(),
        ],
    }
}
