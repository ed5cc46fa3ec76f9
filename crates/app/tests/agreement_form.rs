//! An agreement typed into a form: every field's problem at once, each named by its field
//! (a line's and a participant's by their place), and a refusal of the domain beside the field
//! that holds what it names; nothing is written while anything is wrong.

mod common;

use common::*;
use synergies_app::agreements::{self, NewAgreement, NewLine, NewParticipant};
use synergies_app::{Actor, AppError};

fn typed() -> NewAgreement {
    NewAgreement {
        code: "FORM-1".into(),
        title: "Legal advice and IT support".into(),
        kind: "purchase".into(),
        provider: "MC".into(),
        provider_fund: "MCGTF".into(),
        biennium: "2026-2027".into(),
        currency: "USD".into(),
        ceiling: "20000".into(),
        psc_rate: "0.13".into(),
        lines: vec![
            NewLine {
                service: "LEGAL".into(),
                estimated_quantity: "10".into(),
            },
            NewLine {
                service: "IT".into(),
                estimated_quantity: "40".into(),
            },
        ],
        participants: vec![NewParticipant {
            organisation: "BRS".into(),
            fund: "BC".into(),
            weight: "1".into(),
        }],
        driver: None,
        note: String::new(),
    }
}

fn fields(e: &AppError) -> Vec<String> {
    e.field_errors()
        .unwrap_or_else(|| panic!("a refusal of fields: {e}"))
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

#[test]
fn every_problem_of_a_typed_agreement_is_named_at_once() {
    let store = store_with(&[]);
    let operator = Actor::operator("test");
    let mut bad = typed();
    bad.title = " ".into();
    bad.ceiling = "a lot".into();
    bad.lines[1].estimated_quantity = "many".into();
    bad.participants[0].fund = String::new();
    let e = agreements::draft(store.as_ref(), &operator, &bad).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "title",
            "ceiling",
            "lines[1].estimated_quantity",
            "participants[0].fund"
        ],
        "{e}"
    );
    assert!(
        store.agreement("FORM-1").unwrap().is_none(),
        "nothing written"
    );

    // A fund of another organisation: the domain's refusal, beside the participant's fund.
    let mut other = typed();
    other.participants[0].fund = "MCGTF".into();
    let e = agreements::draft(store.as_ref(), &operator, &other).unwrap_err();
    assert_eq!(fields(&e), ["participants[0].fund"], "{e}");
    // A service the provider does not provide, beside its line.
    let mut unknown = typed();
    unknown.lines[1].service = "NO-SUCH".into();
    let e = agreements::draft(store.as_ref(), &operator, &unknown).unwrap_err();
    assert_eq!(fields(&e), ["lines[1].service"], "{e}");
    assert!(
        store.agreement("FORM-1").unwrap().is_none(),
        "nothing written"
    );

    let a = agreements::draft(store.as_ref(), &operator, &typed()).unwrap();
    assert_eq!(a.latest().lines.len(), 2);
}
