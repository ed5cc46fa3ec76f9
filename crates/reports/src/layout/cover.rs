//! The cover of the implementation report: symbol, distribution, date, meeting and agenda,
//! title, and the summary under it.

use super::Context;
use crate::doc::Cover;

pub(super) fn cover(c: &Context, title: String) -> Cover {
    let (w, r) = (&c.w, c.r);
    Cover {
        body: w.tw(
            &format!("report-body-{}", r.treaty.to_lowercase()),
            &[("meeting", r.meeting.to_string())],
        ),
        symbol: r.symbol.clone(),
        distribution: w.t("report-distribution"),
        date: w.date(r.date),
        original: w.t("report-original"),
        meeting: w.tw("report-meeting", &c.dec),
        agenda: w.t("report-agenda"),
        title,
        summary: w.tw(
            "report-impl-summary",
            &[
                ("decision", r.decision.clone()),
                ("biennium", r.biennium.clone()),
                ("next", r.next.clone()),
                ("total", w.amount_text(r.costs.total.total)),
                ("currency", c.currency.clone()),
                ("agreements", r.agreements.len().to_string()),
                ("activities", r.activities.len().to_string()),
            ],
        ),
    }
}
