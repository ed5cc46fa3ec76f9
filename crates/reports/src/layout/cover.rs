//! The heading block of the implementation report, as UN pre-session documents print it: the
//! organisation, the programme and the convention's mark; the symbol with its distribution,
//! date and original language; the body, its meeting, venue and dates; the agenda item with its
//! title and the footnote to the provisional agenda; the title; "Note by the secretariat".

use super::{capitalised, Context};
use crate::doc::Cover;

pub(super) fn cover(c: &Context, title: String) -> Cover {
    let (w, r) = (&c.w, c.r);
    let m = &r.meeting_info;
    let venue = match (&m.venue, m.dates) {
        (Some(v), Some((start, end))) => w.tw(
            "report-venue-dates",
            &[("venue", v.clone()), ("dates", w.date_range(start, end))],
        ),
        (Some(v), None) => v.clone(),
        (None, Some((start, end))) => w.date_range(start, end),
        (None, None) => String::new(),
    };
    let agenda = w.tw(
        "report-agenda",
        &[(
            "item",
            m.agenda_item
                .clone()
                .unwrap_or_else(|| w.t("report-agenda-item-unknown")),
        )],
    );
    Cover {
        organisation: w.t("report-united-nations"),
        programme: w.t("report-programme"),
        mark: r.mark.clone(),
        body: w.t(&format!("report-body-{}", r.treaty.to_lowercase())),
        symbol: r.symbol.clone(),
        distribution: w.t("report-distribution"),
        date: w.date(r.date),
        original: w.t("report-original"),
        meeting: w.tw("report-meeting", &[("ordinal", capitalised(&c.ordinal()))]),
        venue,
        agenda,
        agenda_title: m.agenda_title.clone().unwrap_or_else(|| c.decision_title()),
        footnote: format!("{}.", m.provisional_agenda),
        title,
        note_by: w.t("report-note-by"),
        summary: String::new(),
    }
}
