//! V. Training of chairs and potential negotiators: the events, the participants by region and
//! gender with their chart, and each organisation's contribution.

use super::{bar_chart, table, text, Context};
use crate::doc::{Block, Cell, Section};

pub(super) fn section(c: &Context) -> Section {
    let (w, t) = (&c.w, &c.r.training);
    let events = table("training-events", w.t("report-events-caption"))
        .columns(w.columns(&[
            "report-col-code",
            "report-col-title",
            "report-col-bodies",
            "report-col-dates",
            "report-col-place",
            "report-col-participants",
            "report-col-women",
        ]))
        .rows(&t.events, |e| {
            vec![
                text(&e.code),
                text(&e.title),
                text(e.bodies.join(", ")),
                text(format!("{} – {}", w.date(e.start), w.date(e.end))),
                text(e.place.clone().unwrap_or_else(|| w.t("report-online"))),
                Cell::Count(e.participants as i64),
                Cell::Count(e.women as i64),
            ]
        });
    let participants = table("participants", w.t("report-participants-caption"))
        .columns(w.columns(&[
            "report-col-region",
            "report-gender-female",
            "report-gender-male",
            "report-gender-other",
            "report-col-total",
        ]))
        .rows(&t.by_region, |(region, g)| {
            vec![
                text(w.label("region", region)),
                Cell::Count(g.female as i64),
                Cell::Count(g.male as i64),
                Cell::Count(g.other as i64),
                Cell::Count(g.total as i64),
            ]
        })
        .total(w.total(
            0,
            [
                Cell::Count(t.total.female as i64),
                Cell::Count(t.total.male as i64),
                Cell::Count(t.total.other as i64),
                Cell::Count(t.total.total as i64),
            ],
        ));
    let mut blocks = vec![
        Block::Para(w.counted(
            "report-training-intro",
            &[],
            &[
                ("events", t.events.len()),
                ("participants", t.total.total as usize),
                ("women", t.total.female as usize),
            ],
        )),
        events.block(),
        participants.block(),
        bar_chart(
            "chart-participants",
            w.t("report-chart-participants"),
            w.counts_note(),
            "participants",
            vec![1, 2, 3],
        ),
    ];
    if !t.contributions.is_empty() {
        let contributions = table(
            "training-contributions",
            w.t("report-training-contributions-caption"),
        )
        .columns(w.columns(&[
            "report-col-organisation",
            "report-col-staff-days",
            "report-col-amount",
        ]))
        .rows(&t.contributions, |(o, d, a)| {
            vec![text(o), w.number(d.normalize()), w.money(*a)]
        });
        blocks.push(contributions.block());
    }
    Section {
        number: None,
        annex: None,
        heading: w.t("report-sec-training"),
        blocks,
    }
}
