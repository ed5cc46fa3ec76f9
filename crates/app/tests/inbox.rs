//! Each person's inbox lists what they may act on and nothing that waits for someone else.

mod common;

use common::*;
use synergies_app::inbox::inbox;
use synergies_app::{agreements, Actor};
use synergies_domain::access::{Grant, Principal, Role};
use synergies_store::Store;

fn person(name: &str, grants: &[(Role, &str)]) -> Actor {
    Actor::Person(Principal {
        username: name.into(),
        grants: grants
            .iter()
            .map(|(role, org)| Grant {
                role: *role,
                organisation: Some(org.to_string()),
            })
            .collect(),
    })
}

fn accept(store: &dyn Store, agreement: &str, through: &str) {
    store
        .accept_deliveries(
            Some(agreement),
            Some(day(through)),
            day("2026-04-02"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .unwrap();
}

#[test]
fn each_role_sees_what_waits_for_it_only() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    import(
        store.as_ref(),
        "A,LEGAL,2026-03-10,2,P-4,,,March work,1\n\
         A,LEGAL,2026-03-20,1,P-4,,,March work,2\n\
         A,LEGAL,2026-04-03,1,P-4,,,April work,3\n\
         A,LEGAL,2026-04-04,1,P-4,,,April work,4\n",
    )
    .unwrap();
    accept(store.as_ref(), "A", "2026-03-31");
    let today = day("2026-04-10");
    let brs_finance = person("brs.finance", &[(Role::Finance, "BRS")]);
    let mc_finance = person("mc.finance", &[(Role::Finance, "MC")]);
    let mc_officer = person("mc.officer", &[(Role::Officer, "MC")]);

    // The recipient's finance officer accepts the two April deliveries; nothing to close.
    let b = inbox(store.as_ref(), &brs_finance, today).unwrap();
    assert_eq!(b.to_accept.len(), 1, "{b:?}");
    assert_eq!(
        (b.to_accept[0].agreement.as_str(), b.to_accept[0].count),
        ("A", 2)
    );
    assert!(b.to_close.is_empty(), "the recipient does not close: {b:?}");

    // The provider's finance officer closes March (accepted, uncharged, ended), not April
    // (still only recorded), and accepts nothing (a provider never accepts its own work).
    let m = inbox(store.as_ref(), &mc_finance, today).unwrap();
    assert!(m.to_accept.is_empty(), "{m:?}");
    assert_eq!(m.to_close.len(), 1, "{m:?}");
    assert_eq!(
        (m.to_close[0].period.as_str(), m.to_close[0].deliveries),
        ("2026-03", 2)
    );
    // A month that has not ended is not offered, even with accepted deliveries.
    let early = inbox(store.as_ref(), &mc_finance, day("2026-03-25")).unwrap();
    assert!(early.to_close.is_empty(), "{early:?}");

    // A dispute reaches the provider's officer, not the recipient's finance officer.
    store
        .dispute_delivery(
            "A",
            "3",
            "not requested",
            &synergies_store::Audit::new("test", "delivery.dispute", "", serde_json::Value::Null),
        )
        .unwrap();
    let o = inbox(store.as_ref(), &mc_officer, today).unwrap();
    assert_eq!(o.disputes.len(), 1, "{o:?}");
    assert_eq!(o.disputes[0].count, 1);
    assert!(inbox(store.as_ref(), &brs_finance, today)
        .unwrap()
        .disputes
        .is_empty());
    assert_eq!(
        inbox(store.as_ref(), &brs_finance, today)
            .unwrap()
            .to_accept[0]
            .count,
        1,
        "the disputed delivery is no longer to accept"
    );
}

#[test]
fn an_approval_waits_only_for_the_head_who_has_not_given_it() {
    let store = store_with(&[]);
    let a = purchase("B", 100_000_000, "0.13");
    let operator = Actor::operator("test");
    agreements::create(store.as_ref(), &operator, &a).unwrap();
    agreements::propose(store.as_ref(), &operator, "B").unwrap();
    let mc_head = person("mc.head", &[(Role::Head, "MC")]);
    let brs_head = person("brs.head", &[(Role::Head, "BRS")]);
    let today = day("2026-01-05");
    for head in [&mc_head, &brs_head] {
        let i = inbox(store.as_ref(), head, today).unwrap();
        assert_eq!(i.approvals.len(), 1, "{i:?}");
    }
    agreements::approve(store.as_ref(), &mc_head, "B", Some("MC"), today).unwrap();
    assert!(
        inbox(store.as_ref(), &mc_head, today)
            .unwrap()
            .approvals
            .is_empty(),
        "MC has approved: what waits for BRS is not MC's head's"
    );
    let b = inbox(store.as_ref(), &brs_head, today).unwrap();
    assert_eq!(b.approvals[0].for_organisations, ["BRS"]);
    // An officer approves nothing.
    let officer = person("mc.officer", &[(Role::Officer, "MC")]);
    assert!(inbox(store.as_ref(), &officer, today)
        .unwrap()
        .approvals
        .is_empty());
}
