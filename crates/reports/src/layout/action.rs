//! The suggested action by the Conference of the Parties: the draft decision it may adopt,
//! taking note of the report, welcoming the framework and requesting a report at its next
//! meeting.

use super::{Context, Writer};
use crate::doc::{Block, Clause, DraftDecision, Section};

fn clause(w: &Writer, key: &str, args: &[(&str, String)]) -> Clause {
    Clause {
        lead: w.tw(&format!("{key}-lead"), args),
        rest: w.tw(key, args),
    }
}

pub(super) fn section(c: &Context) -> Section {
    let (w, r) = (&c.w, c.r);
    let args = [
        ("decision", r.decision.clone()),
        ("biennium", r.biennium.clone()),
        ("next", r.next.clone()),
        ("symbol", r.symbol.clone()),
        ("mark", r.mark.clone()),
        ("meeting", r.meeting.to_string()),
        ("nextordinal", c.ordinal_of(r.meeting + 1)),
    ];
    let decision = DraftDecision {
        title: w.tw("report-draft-title", &args),
        opening: w.t("report-draft-opening"),
        preamble: vec![
            clause(w, "report-draft-recalling", &args),
            clause(w, "report-draft-considered", &args),
        ],
        operative: vec![
            clause(w, "report-draft-takes-note", &args),
            clause(w, "report-draft-welcomes", &args),
            clause(w, "report-draft-requests", &args),
        ],
    };
    Section {
        number: None,
        annex: None,
        heading: w.t("report-sec-action"),
        blocks: vec![
            Block::Para(w.t("report-action-intro")),
            Block::Decision(decision),
        ],
    }
}
