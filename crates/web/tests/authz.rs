//! Who may change what, over HTTP against a real server: every state-changing endpoint of the
//! API, tried by every demo user (every role of every organisation), against a table of what
//! the rules of issue 3 allow. An allowed request succeeds and changes the data; a refused one
//! is a 403 problem document and leaves the data, and the audit trail, as they were.

mod common;

use common::*;
use serde_json::{json, Value};

/// Every state-changing endpoint, as one request the matrix makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// POST /api/v1/agreements: draft an agreement MC provides to BRS.
    Create,
    /// POST /api/v1/agreements/{code}/propose: an MC draft.
    Propose,
    /// POST /api/v1/agreements/{code}/approve: a proposed MC → BRS agreement no head approved.
    Approve,
    /// POST /api/v1/agreements/{code}/amend: an active MC → BRS agreement.
    Amend,
    /// POST /api/v1/deliveries: a delivery under an MC → BRS agreement.
    Record,
    /// POST /api/v1/deliveries/import: the same as a CSV file.
    Import,
    /// POST /api/v1/deliveries/accept: deliveries BRS received from MC.
    Accept,
    /// POST /api/v1/deliveries/dispute: one delivery BRS received from MC.
    Dispute,
    /// POST /api/v1/closings: a month of an MC → BRS agreement, its deliveries accepted.
    Close,
    /// POST /api/v1/settlements: the Basel fund (BRS) pays what it owes the Minamata fund.
    Settle,
    /// POST /api/v1/users: create a user.
    SaveUser,
    /// POST /api/v1/me/tokens: one's own API token.
    CreateToken,
    /// DELETE /api/v1/me/tokens/{id}: revoke one's own API token.
    RevokeToken,
    /// POST /api/v1/mandates/notes: where paragraph 4(c) of MC-6/20 (serviced by MC) stands.
    TrackMandate,
    /// POST /api/v1/activities/status: the status of COOP-LEGAL, an activity MC leads.
    ActivityStatus,
    /// POST /api/v1/taskforce/actions/status: a task-force action item's status.
    ActionStatus,
    /// POST /api/v1/exchange-rates: a month's rate (shared reference data).
    AddExchangeRate,
    /// POST /api/v1/rates: a dated rate of MC's rate card.
    AddRate,
    /// POST /api/v1/deliveries/accept: a delivery under a sharing agreement that BRS provides
    /// and BRS and MC share (BRS takes part from the provider's fund, MC pays its share).
    AcceptShared,
    /// POST /api/v1/deliveries/dispute: one delivery under that sharing agreement.
    DisputeShared,
    /// POST /api/v1/closings: a month of that sharing agreement, accepted by MC.
    CloseShared,
    /// POST /api/v1/activities: an activity MC leads, with MC's contribution only.
    CreateActivity,
    /// POST /api/v1/activities: an activity MC leads that commits a contribution of BRS.
    CommitOthers,
    /// POST /api/v1/training: a training event with contributions of MC and BRS.
    TrainingOthers,
    /// POST /api/v1/activities/contributions: BRS's own contribution to COOP-LEGAL, an
    /// activity MC leads and BRS takes part in.
    Contribute,
}

const ACTS: [Act; 25] = [
    Act::Create,
    Act::Propose,
    Act::Approve,
    Act::Amend,
    Act::Record,
    Act::Import,
    Act::Accept,
    Act::Dispute,
    Act::Close,
    Act::Settle,
    Act::SaveUser,
    Act::CreateToken,
    Act::RevokeToken,
    Act::TrackMandate,
    Act::ActivityStatus,
    Act::ActionStatus,
    Act::AddExchangeRate,
    Act::AddRate,
    Act::AcceptShared,
    Act::DisputeShared,
    Act::CloseShared,
    Act::CreateActivity,
    Act::CommitOthers,
    Act::TrainingOthers,
    Act::Contribute,
];

const Y: bool = true;
const N: bool = false;

/// The expectations: user × action → allowed? Columns in the order of [`ACTS`].
///
/// - officer: drafts and proposes its organisation's agreements as provider, records
///   deliveries as provider (MC here, so only `mc.officer`);
/// - finance: accepts and disputes deliveries its organisation pays for (BRS here; MC on the
///   sharing agreement BRS provides, where BRS, the provider, never accepts), closes the
///   periods of agreements its organisation provides (MC here, BRS on the sharing agreement),
///   settles what its organisation owes (the Basel fund here); the domain's rule also lets
///   the provider's finance officer draft and propose, since they set the terms and rates
///   with the officer;
/// - an organisation commits its own resources only: an activity or a training event that
///   records another organisation's contribution is refused to everyone (that organisation
///   records its own, as any officer, finance officer or head of it may);
/// - head: approves and amends for its own organisation only (both MC and BRS are parties);
/// - task force: manages the task force's action items, nothing else;
/// - where a mandate stands: an officer or the head of the organisation that services the
///   decision's treaty (MC for MC-6/20); an activity's status: an officer of its lead;
/// - exchange rates: any finance officer (shared reference data); a rate card: the provider's
///   finance officer;
/// - auditor: changes nothing;
/// - admin: users only;
/// - everyone manages their own personal API tokens (their credentials, not business data).
#[rustfmt::skip]
const EXPECTED: [(&str, [bool; 25]); 10] = [
    //               create propose approve amend record import accept dispute close settle users token+ token- mandate activity action fx rate sh.accept sh.dispute sh.close act.new act.others train.others contribute
    ("mc.officer",  [Y,     Y,      N,      N,    Y,     Y,     N,     N,      N,    N,     N,    Y,     Y,     Y,      Y,       N,     N, N,   N,        N,         N,       Y,      N,         N,         N]),
    ("mc.finance",  [Y,     Y,      N,      N,    N,     N,     N,     N,      Y,    N,     N,    Y,     Y,     N,      N,       N,     Y, Y,   Y,        Y,         N,       N,      N,         N,         N]),
    ("mc.head",     [N,     N,      Y,      Y,    N,     N,     N,     N,      N,    N,     N,    Y,     Y,     Y,      N,       N,     N, N,   N,        N,         N,       N,      N,         N,         N]),
    ("brs.officer", [N,     N,      N,      N,    N,     N,     N,     N,      N,    N,     N,    Y,     Y,     N,      N,       N,     N, N,   N,        N,         N,       N,      N,         N,         Y]),
    ("brs.finance", [N,     N,      N,      N,    N,     N,     Y,     Y,      N,    Y,     N,    Y,     Y,     N,      N,       N,     Y, N,   N,        N,         Y,       N,      N,         N,         Y]),
    ("brs.head",    [N,     N,      Y,      Y,    N,     N,     N,     N,      N,    N,     N,    Y,     Y,     N,      N,       N,     N, N,   N,        N,         N,       N,      N,         N,         Y]),
    ("chb.officer", [N,     N,      N,      N,    N,     N,     N,     N,      N,    N,     N,    Y,     Y,     N,      N,       N,     N, N,   N,        N,         N,       N,      N,         N,         N]),
    ("taskforce",   [N,     N,      N,      N,    N,     N,     N,     N,      N,    N,     N,    Y,     Y,     N,      N,       Y,     N, N,   N,        N,         N,       N,      N,         N,         N]),
    ("auditor",     [N,     N,      N,      N,    N,     N,     N,     N,      N,    N,     N,    Y,     Y,     N,      N,       N,     N, N,   N,        N,         N,       N,      N,         N,         N]),
    ("admin",       [N,     N,      N,      N,    N,     N,     N,     N,      N,    N,     Y,    Y,     Y,     N,      N,       N,     N, N,   N,        N,         N,       N,      N,         N,         N]),
];

/// One attempt: the request, and the reads whose answers must change when it is allowed and
/// stay the same when it is refused.
struct Attempt {
    method: &'static str,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    /// (reader, path) of the reads that show the data the request would change.
    reads: Vec<(String, String)>,
}

fn json_body(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).expect("serialises")
}

/// Sets up fresh data for `user` to try `act` on, and the attempt.
fn prepare(s: &Server, act: Act, user: &str, n: usize) -> Attempt {
    let code = format!("M-{act:?}-{n}").to_uppercase();
    let agreement_read = ("auditor".to_string(), format!("/api/v1/agreements/{code}"));
    let deliveries_read = (
        "auditor".to_string(),
        format!("/api/v1/deliveries?agreement={code}&limit=500"),
    );
    let post = |path: &str, body: Value, reads: Vec<(String, String)>| Attempt {
        method: "POST",
        path: path.to_string(),
        content_type: "application/json",
        body: json_body(body),
        reads,
    };
    match act {
        Act::Create => post(
            "/api/v1/agreements",
            agreement_body(&code),
            vec![agreement_read],
        ),
        Act::Propose => {
            s.draft(&code);
            post(
                &format!("/api/v1/agreements/{code}/propose"),
                json!({}),
                vec![agreement_read],
            )
        }
        Act::Approve => {
            s.proposed(&code);
            post(
                &format!("/api/v1/agreements/{code}/approve"),
                json!({}),
                vec![agreement_read],
            )
        }
        Act::Amend => {
            s.active(&code);
            let mut terms = agreement_body(&code);
            terms["ceiling"] = json!("60000.00");
            post(
                &format!("/api/v1/agreements/{code}/amend"),
                terms,
                vec![agreement_read],
            )
        }
        Act::Record => {
            s.active(&code);
            post(
                "/api/v1/deliveries",
                delivery_body(&code, "R-1", "2026-03-10"),
                vec![deliveries_read],
            )
        }
        Act::Import => {
            s.active(&code);
            Attempt {
                method: "POST",
                path: "/api/v1/deliveries/import".into(),
                content_type: "text/csv",
                body: delivery_csv(&code, "I-1", "2026-03-10").into_bytes(),
                reads: vec![deliveries_read],
            }
        }
        Act::Accept => {
            s.active(&code);
            s.delivery(&code, "A-1", "2026-03-10");
            post(
                "/api/v1/deliveries/accept",
                json!({"agreement": code}),
                vec![deliveries_read],
            )
        }
        Act::Dispute => {
            s.active(&code);
            s.delivery(&code, "D-1", "2026-03-10");
            post(
                "/api/v1/deliveries/dispute",
                json!({"agreement": code, "external_id": "D-1", "reason": "not requested"}),
                vec![deliveries_read],
            )
        }
        Act::Close => {
            s.active(&code);
            s.delivery(&code, "C-1", "2026-03-10");
            s.post(
                Some("brs.finance"),
                "/api/v1/deliveries/accept",
                &json!({"agreement": code}),
            )
            .ok();
            post(
                "/api/v1/closings",
                json!({"agreement": code, "period": "2026-03"}),
                vec![
                    deliveries_read,
                    (
                        "auditor".into(),
                        format!("/api/v1/charges?agreement={code}"),
                    ),
                ],
            )
        }
        Act::Settle => post(
            "/api/v1/settlements",
            json!({
                "payer_fund": "BC",
                "provider_fund": "MCGTF",
                "currency": "USD",
                "amount": "1.00",
                "date": "2026-11-20",
                "reference": format!("TRANSFER-{n}"),
            }),
            vec![(
                "auditor".into(),
                "/api/v1/ledger/trial-balance?fund=BC".into(),
            )],
        ),
        Act::SaveUser => post(
            "/api/v1/users",
            json!({
                "username": format!("new.user.{n}"),
                "display_name": "A new CHB officer",
                "password": "a long enough password",
                "grants": [{"role": "officer", "organisation": "CHB"}],
            }),
            vec![("admin".into(), "/api/v1/users".into())],
        ),
        Act::TrackMandate => post(
            "/api/v1/mandates/notes",
            json!({"decision": "MC-6/20", "paragraph": "4(c)", "status": "implemented",
                   "note": "Report tabled"}),
            vec![("auditor".into(), "/api/v1/mandates?decision=MC-6/20".into())],
        ),
        Act::ActivityStatus => post(
            "/api/v1/activities/status",
            json!({"code": "COOP-LEGAL", "biennium": "2026-2027", "status": "completed"}),
            vec![(
                "auditor".into(),
                "/api/v1/activities?biennium=2026-2027".into(),
            )],
        ),
        Act::ActionStatus => post(
            "/api/v1/taskforce/actions/status",
            json!({"code": "AI-2", "status": "done"}),
            vec![("auditor".into(), "/api/v1/taskforce".into())],
        ),
        Act::AddExchangeRate => post(
            "/api/v1/exchange-rates",
            json!({"currency": "CHF", "month": format!("{}-12", 2030 + n), "per_usd": "0.8811"}),
            vec![("auditor".into(), "/api/v1/exchange-rates".into())],
        ),
        Act::AddRate => post(
            "/api/v1/rates",
            json!({"provider": "MC", "biennium": "2026-2027", "grade": format!("P-2.{n}"),
                   "unit": "staff_day", "effective_from": "2026-12-01", "amount": "512.50"}),
            vec![
                ("auditor".into(), "/api/v1/rate-cards".into()),
                ("auditor".into(), "/api/v1/framework".into()),
            ],
        ),
        Act::AcceptShared => {
            let code = shared_agreement(s, n);
            post(
                "/api/v1/deliveries/accept",
                json!({"agreement": code}),
                vec![deliveries_of(&code)],
            )
        }
        Act::DisputeShared => {
            let code = shared_agreement(s, n);
            post(
                "/api/v1/deliveries/dispute",
                json!({"agreement": code, "external_id": "S-1", "reason": "not requested"}),
                vec![deliveries_of(&code)],
            )
        }
        Act::CloseShared => {
            let code = shared_agreement(s, n);
            s.post(
                Some("mc.finance"),
                "/api/v1/deliveries/accept",
                &json!({"agreement": code}),
            )
            .ok();
            post(
                "/api/v1/closings",
                json!({"agreement": code, "period": "2026-03"}),
                vec![
                    deliveries_of(&code),
                    (
                        "auditor".into(),
                        format!("/api/v1/charges?agreement={code}"),
                    ),
                ],
            )
        }
        Act::CreateActivity | Act::CommitOthers => {
            let mut activity = mc_activity(s);
            activity["code"] = json!(format!("COOP-M-{n}"));
            let contributions = activity["contributions"].as_array_mut().expect("a list");
            contributions.retain(|c| c["organisation"] == "MC");
            assert!(!contributions.is_empty(), "MC contributes: {activity}");
            if act == Act::CommitOthers {
                contributions.push(json!({"organisation": "BRS", "fund": "BC",
                    "staff": [{"grade": "P-4", "days": "8"}], "non_staff_minor": 0}));
            }
            post(
                "/api/v1/activities",
                activity,
                vec![(
                    "auditor".into(),
                    "/api/v1/activities?biennium=2026-2027".into(),
                )],
            )
        }
        Act::TrainingOthers => {
            let mut event =
                s.get(Some("auditor"), "/api/v1/training").ok()["items"][0]["event"].clone();
            event["code"] = json!(format!("TRAIN-M-{n}"));
            event["contributions"] = json!([
                {"organisation": "MC", "staff_days": "2", "amount_minor": 100000},
                {"organisation": "BRS", "staff_days": "3", "amount_minor": 999999},
            ]);
            post(
                "/api/v1/training",
                event,
                vec![("auditor".into(), "/api/v1/training".into())],
            )
        }
        Act::Contribute => post(
            "/api/v1/activities/contributions",
            json!({"code": "COOP-LEGAL", "biennium": "2026-2027",
                   "contribution": {"organisation": "BRS", "fund": "BC",
                                    "staff": [{"grade": "P-4", "days": n.to_string()}],
                                    "non_staff_minor": 0}}),
            vec![(
                "auditor".into(),
                "/api/v1/activities?biennium=2026-2027".into(),
            )],
        ),
        Act::CreateToken => post(
            "/api/v1/me/tokens",
            json!({"name": "monthly import script"}),
            vec![(user.to_string(), "/api/v1/me/tokens".into())],
        ),
        Act::RevokeToken => {
            let id = s
                .post(
                    Some(user),
                    "/api/v1/me/tokens",
                    &json!({"name": "to revoke"}),
                )
                .ok()["id"]
                .as_i64()
                .expect("a token id");
            Attempt {
                method: "DELETE",
                path: format!("/api/v1/me/tokens/{id}"),
                content_type: "",
                body: vec![],
                reads: vec![(user.to_string(), "/api/v1/me/tokens".into())],
            }
        }
    }
}

/// The auditor's read of an agreement's deliveries.
fn deliveries_of(code: &str) -> (String, String) {
    (
        "auditor".to_string(),
        format!("/api/v1/deliveries?agreement={code}&limit=500"),
    )
}

/// A sharing agreement in force that BRS provides from its Basel fund, shared by BRS (from
/// that same fund) and MC (from its special trust fund), with one delivery BRS recorded.
fn shared_agreement(s: &Server, n: usize) -> String {
    let code = format!("SHARED-{n}");
    s.post(
        Some("brs.officer"),
        "/api/v1/agreements",
        &json!({
            "code": code,
            "title": "Joint training shared by the two secretariats",
            "kind": "sharing",
            "provider": "BRS",
            "provider_fund": "BC",
            "biennium": "2026-2027",
            "currency": "USD",
            "ceiling": "50000.00",
            "psc_rate": "0",
            "lines": [{"service": "BRS-TRAIN", "estimated_quantity": "2"}],
            "participants": [
                {"organisation": "BRS", "fund": "BC", "weight": "1"},
                {"organisation": "MC", "fund": "MCSTF", "weight": "1"},
            ],
        }),
    )
    .ok();
    s.post(
        Some("brs.officer"),
        &format!("/api/v1/agreements/{code}/propose"),
        &json!({}),
    )
    .ok();
    for head in ["brs.head", "mc.head"] {
        s.post(
            Some(head),
            &format!("/api/v1/agreements/{code}/approve"),
            &json!({}),
        )
        .ok();
    }
    s.post(
        Some("brs.officer"),
        "/api/v1/deliveries",
        &json!({"agreement": code, "service": "BRS-TRAIN", "date": "2026-03-12",
                "quantity": "1", "description": "Training session for chairs",
                "external_id": "S-1"}),
    )
    .ok();
    code
}

/// An activity of the 2026-2027 biennium that MC leads, as the API lists it.
fn mc_activity(s: &Server) -> Value {
    s.get(Some("auditor"), "/api/v1/activities?biennium=2026-2027")
        .ok()["items"]
        .as_array()
        .expect("activities")
        .iter()
        .find(|a| a["activity"]["lead"] == "MC")
        .expect("an MC-led activity")["activity"]
        .clone()
}

/// What the reads answer now, with the newest audit event: a refused request leaves no trace.
fn observe(s: &Server, reads: &[(String, String)]) -> Vec<(u16, Value)> {
    let mut seen: Vec<(u16, Value)> = reads
        .iter()
        .map(|(who, path)| {
            let r = s.get(Some(who), path);
            (r.status, r.json())
        })
        .collect();
    seen.push((200, last_change(s)));
    seen
}

/// The newest audit event that records a change. A refusal is itself audited (as
/// `refused`); the change it refused must leave no trace.
fn last_change(s: &Server) -> Value {
    let newest = s.get(Some("auditor"), "/api/v1/audit?limit=50").ok();
    newest["items"]
        .as_array()
        .expect("audit events")
        .iter()
        .find(|e| e["action"] != "refused")
        .cloned()
        .unwrap_or(Value::Null)
}

fn attempt(s: &Server, user: &str, a: &Attempt) -> Reply {
    let token = s.token(user).to_string();
    match a.method {
        "POST" => s.post_with(
            Some(&token),
            &a.path,
            &[("content-type", a.content_type)],
            &a.body,
        ),
        "DELETE" => s.delete_with(Some(&token), &a.path, &[]),
        other => unreachable!("{other}"),
    }
}

#[test]
fn authorisation_matrix() {
    let s = Server::start();
    let mut failures = vec![];
    let mut n = 0;
    for (user, row) in EXPECTED {
        for (act, allowed) in ACTS.iter().zip(row) {
            n += 1;
            let a = prepare(&s, *act, user, n);
            let before = observe(&s, &a.reads);
            let reply = attempt(&s, user, &a);
            let after = observe(&s, &a.reads);
            let verdict = if allowed {
                if !reply.is_success() {
                    Some(format!("refused with {}: {}", reply.status, reply.text()))
                } else if before == after {
                    Some("answered success but changed nothing".to_string())
                } else {
                    None
                }
            } else if reply.status != 403 {
                Some(format!("not refused: {} {}", reply.status, reply.text()))
            } else if reply.header("content-type") != Some("application/problem+json")
                || reply.json()["detail"].as_str().is_none_or(str::is_empty)
            {
                Some(format!("403 without a problem document: {}", reply.text()))
            } else if before != after {
                Some(format!(
                    "refused, but the data changed:\n  before {before:?}\n  after  {after:?}"
                ))
            } else {
                None
            };
            if let Some(v) = verdict {
                failures.push(format!(
                    "{user} {act:?} (expected {}): {v}",
                    if allowed { "allowed" } else { "denied" }
                ));
            }
        }
    }
    assert_eq!(n, USERS.len() * ACTS.len(), "every user, every action");
    assert!(
        failures.is_empty(),
        "{} of {n} cells disagree with the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_table_covers_every_demo_user() {
    let users: Vec<&str> = EXPECTED.iter().map(|(u, _)| *u).collect();
    assert_eq!(users, USERS);
    let demo: Vec<&str> = synergies_app::identity::DEMO_USERS
        .iter()
        .map(|(u, ..)| *u)
        .collect();
    assert_eq!(users, demo);
}

#[test]
fn a_brs_user_cannot_change_an_mc_record() {
    let s = Server::start();
    // MC-BRS-2026-01: the demo's agreement under which MC provides services to BRS.
    let before = s.deliveries_of("MC-BRS-2026-01", None);
    let r = s.post(
        Some("brs.officer"),
        "/api/v1/deliveries",
        &delivery_body("MC-BRS-2026-01", "BRS-FORGED-1", "2026-11-02"),
    );
    let detail = r.problem(403);
    assert!(detail.contains("officer role in MC"), "{detail}");
    let csv = delivery_csv("MC-BRS-2026-01", "BRS-FORGED-2", "2026-11-02");
    let r = s.post_raw(
        Some("brs.officer"),
        "/api/v1/deliveries/import",
        Some("text/csv"),
        csv.as_bytes(),
    );
    r.problem(403);
    assert_eq!(s.deliveries_of("MC-BRS-2026-01", None), before);

    // brs.head cannot propose MC's draft, nor draft one in MC's name.
    s.draft("MC-DRAFT-1");
    let r = s.post(
        Some("brs.head"),
        "/api/v1/agreements/MC-DRAFT-1/propose",
        &json!({}),
    );
    r.problem(403);
    let a = s.get(Some("auditor"), "/api/v1/agreements/MC-DRAFT-1").ok();
    assert_eq!(a["status"], "draft", "{a}");
    for user in ["brs.officer", "brs.finance", "brs.head"] {
        let r = s.post(
            Some(user),
            "/api/v1/agreements",
            &agreement_body(&format!("FORGED-{user}")),
        );
        r.problem(403);
        let r = s.get(
            Some("auditor"),
            &format!("/api/v1/agreements/FORGED-{user}"),
        );
        r.problem(404);
    }

    // Once the BRS head has approved for BRS, they cannot also approve for MC.
    s.proposed("MC-PROPOSED-1");
    let a = s
        .post(
            Some("brs.head"),
            "/api/v1/agreements/MC-PROPOSED-1/approve",
            &json!({}),
        )
        .ok();
    assert_eq!(a["awaiting_approval_of"], json!(["MC"]), "{a}");
    let r = s.post(
        Some("brs.head"),
        "/api/v1/agreements/MC-PROPOSED-1/approve",
        &json!({}),
    );
    let detail = r.problem(403);
    assert!(detail.contains("head role in MC"), "{detail}");
    let a = s
        .get(Some("auditor"), "/api/v1/agreements/MC-PROPOSED-1")
        .ok();
    assert_eq!(a["active"], json!(false), "{a}");
    assert_eq!(a["awaiting_approval_of"], json!(["MC"]), "{a}");

    // Nor may MC's finance officer accept what BRS receives, or settle what BRS owes.
    s.active("MC-ACTIVE-1");
    s.delivery("MC-ACTIVE-1", "X-1", "2026-03-10");
    let r = s.post(
        Some("mc.finance"),
        "/api/v1/deliveries/accept",
        &json!({"agreement": "MC-ACTIVE-1"}),
    );
    r.problem(403);
    assert_eq!(s.deliveries_of("MC-ACTIVE-1", Some("recorded")).len(), 1);
}

#[test]
fn one_heads_approval_does_not_activate_an_agreement() {
    let s = Server::start();
    let a = s.proposed("LEGAL-2026");
    assert_eq!(a["status"], "proposed", "{a}");
    assert_eq!(a["awaiting_approval_of"], json!(["BRS", "MC"]), "{a}");

    let a = s
        .post(
            Some("mc.head"),
            "/api/v1/agreements/LEGAL-2026/approve",
            &json!({}),
        )
        .ok();
    assert_eq!(a["activated"], json!(false), "{a}");
    assert_eq!(a["active"], json!(false), "{a}");
    assert_eq!(a["status"], "proposed", "{a}");
    assert_eq!(a["awaiting_approval_of"], json!(["BRS"]), "{a}");
    let read = s.get(Some("auditor"), "/api/v1/agreements/LEGAL-2026").ok();
    assert_eq!(read["active"], json!(false), "{read}");
    assert_eq!(read["awaiting_approval_of"], json!(["BRS"]), "{read}");
    let dashboard = s.get(Some("taskforce"), "/api/v1/dashboard").ok();
    let open = dashboard["open_approvals"]
        .as_array()
        .expect("open approvals")
        .iter()
        .find(|o| o["agreement"] == "LEGAL-2026")
        .cloned()
        .expect("the agreement awaits approval on the dashboard");
    assert_eq!(open["awaiting"], json!(["BRS"]), "{open}");

    // Not in force, so nothing can be recorded under it yet.
    let r = s.post(
        Some("mc.officer"),
        "/api/v1/deliveries",
        &delivery_body("LEGAL-2026", "EARLY-1", "2026-03-10"),
    );
    r.client_problem();

    // The MC head approving again does not stand in for BRS.
    let r = s.post(
        Some("mc.head"),
        "/api/v1/agreements/LEGAL-2026/approve",
        &json!({}),
    );
    r.problem(403);
    let read = s.get(Some("auditor"), "/api/v1/agreements/LEGAL-2026").ok();
    assert_eq!(read["active"], json!(false), "{read}");

    let a = s
        .post(
            Some("brs.head"),
            "/api/v1/agreements/LEGAL-2026/approve",
            &json!({}),
        )
        .ok();
    assert_eq!(a["activated"], json!(true), "{a}");
    assert_eq!(a["active"], json!(true), "{a}");
    assert_eq!(a["status"], "active", "{a}");
    assert_eq!(a["awaiting_approval_of"], json!([]), "{a}");
    s.delivery("LEGAL-2026", "ON-TIME-1", "2026-03-10");

    // An amendment is a new version, drafted, proposed, and again needing both heads; the
    // version in force stays in force meanwhile.
    let mut terms = agreement_body("LEGAL-2026");
    terms["ceiling"] = json!("70000.00");
    let a = s
        .post(
            Some("brs.head"),
            "/api/v1/agreements/LEGAL-2026/amend",
            &terms,
        )
        .ok();
    assert_eq!(a["status"], "draft", "{a}");
    assert_eq!(a["active"], json!(true), "{a}");
    // The pages show the ceiling in force, with the drafted amendment beside it, never the
    // draft's ceiling as if it were in force.
    let cookie = s.page_cookie("brs.head", None);
    for path in ["/agreements", "/agreements/LEGAL-2026"] {
        let html = s.get_with(None, path, &[("cookie", &cookie)]).text();
        let in_force = "50,000.00 USD"; // agreement_body's ceiling
        assert!(html.contains(in_force), "{path} shows {in_force}: {html}");
        assert!(
            html.contains("(amendment: Draft, ceiling 70,000.00 USD once approved)"),
            "{path}: {html}"
        );
        if path.ends_with("LEGAL-2026") {
            assert!(
                html.contains("Programme support costs: 13%"),
                "the PSC rate as a percentage: {html}"
            );
        }
    }
    let a = s
        .post(
            Some("mc.officer"),
            "/api/v1/agreements/LEGAL-2026/propose",
            &json!({}),
        )
        .ok();
    assert_eq!(a["status"], "proposed", "{a}");
    assert_eq!(a["awaiting_approval_of"], json!(["BRS", "MC"]), "{a}");
    let a = s
        .post(
            Some("brs.head"),
            "/api/v1/agreements/LEGAL-2026/approve",
            &json!({}),
        )
        .ok();
    assert_eq!(a["activated"], json!(false), "{a}");
    assert_eq!(a["awaiting_approval_of"], json!(["MC"]), "{a}");
    let a = s
        .post(
            Some("mc.head"),
            "/api/v1/agreements/LEGAL-2026/approve",
            &json!({}),
        )
        .ok();
    assert_eq!(a["activated"], json!(true), "{a}");
    assert_eq!(a["status"], "active", "{a}");
    assert_eq!(a["versions"][0]["status"], "superseded", "{a}");
    assert_eq!(a["versions"][1]["ceiling_minor"], json!(7_000_000), "{a}");
}

#[test]
fn the_auditor_changes_nothing() {
    let s = Server::start();
    s.draft("AUDIT-DRAFT");
    s.proposed("AUDIT-PROPOSED");
    s.active("AUDIT-ACTIVE");
    s.delivery("AUDIT-ACTIVE", "AU-1", "2026-03-10");
    let mut terms = agreement_body("AUDIT-ACTIVE");
    terms["ceiling"] = json!("99999.00");
    let attempts: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "/api/v1/agreements",
            json_body(agreement_body("AUDIT-NEW")),
            "application/json",
        ),
        (
            "/api/v1/agreements/AUDIT-DRAFT/propose",
            json_body(json!({})),
            "application/json",
        ),
        (
            "/api/v1/agreements/AUDIT-PROPOSED/approve",
            json_body(json!({})),
            "application/json",
        ),
        (
            "/api/v1/agreements/AUDIT-ACTIVE/amend",
            json_body(terms),
            "application/json",
        ),
        (
            "/api/v1/deliveries",
            json_body(delivery_body("AUDIT-ACTIVE", "AU-2", "2026-03-11")),
            "application/json",
        ),
        (
            "/api/v1/deliveries/import",
            delivery_csv("AUDIT-ACTIVE", "AU-3", "2026-03-12").into_bytes(),
            "text/csv",
        ),
        (
            "/api/v1/deliveries/accept",
            json_body(json!({"agreement": "AUDIT-ACTIVE"})),
            "application/json",
        ),
        (
            "/api/v1/deliveries/dispute",
            json_body(json!({"agreement": "AUDIT-ACTIVE", "external_id": "AU-1", "reason": "?"})),
            "application/json",
        ),
        (
            "/api/v1/closings",
            json_body(json!({"agreement": "MC-BRS-2026-01", "period": "2026-11"})),
            "application/json",
        ),
        (
            "/api/v1/settlements",
            json_body(
                json!({"payer_fund": "BC", "provider_fund": "MCGTF", "currency": "USD",
                             "amount": "1.00", "date": "2026-11-20", "reference": "AUDIT"}),
            ),
            "application/json",
        ),
        (
            "/api/v1/users",
            json_body(
                json!({"username": "auditor", "password": "a long enough password",
                             "grants": [{"role": "admin", "organisation": null}]}),
            ),
            "application/json",
        ),
    ];
    // Everything an auditor can read, before and after.
    let reads = [
        "/api/v1/agreements?limit=500",
        "/api/v1/deliveries?limit=500",
        "/api/v1/charges?limit=500",
        "/api/v1/ledger/trial-balance",
        "/api/v1/me",
    ];
    let snapshot = || -> Vec<Value> {
        let mut seen: Vec<Value> = reads
            .iter()
            .map(|p| s.get(Some("auditor"), p).ok())
            .collect();
        seen.push(last_change(&s));
        seen
    };
    let before = snapshot();
    let token = s.token("auditor").to_string();
    for (path, body, ct) in &attempts {
        let r = s.post_with(Some(&token), path, &[("content-type", ct)], body);
        let detail = r.problem(403);
        assert!(detail.contains("auditor"), "{path}: {detail}");
    }
    assert_eq!(snapshot(), before, "the auditor changed something");
    let users = s.get(Some("admin"), "/api/v1/users").ok();
    let auditor = users["items"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == "auditor")
        .cloned()
        .expect("the auditor");
    assert_eq!(
        auditor["grants"],
        json!([{"role": "auditor", "organisation": null}])
    );
}

#[test]
fn the_administrator_manages_users_but_reads_no_business_data() {
    let s = Server::start();
    for path in [
        "/api/v1/agreements",
        "/api/v1/deliveries",
        "/api/v1/charges",
        "/api/v1/dashboard",
        "/api/v1/ledger/trial-balance",
        "/api/v1/funds/MCGTF/statement",
    ] {
        s.get(Some("admin"), path).problem(403);
    }
    for user in USERS.iter().filter(|u| **u != "admin") {
        s.get(Some(user), "/api/v1/users").problem(403);
    }
    s.get(Some("admin"), "/api/v1/users").ok();
}

/// Every route of the API with a request that would otherwise be valid enough to reach it.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/me/tokens"),
    ("POST", "/api/v1/me/tokens"),
    ("DELETE", "/api/v1/me/tokens/1"),
    ("GET", "/api/v1/framework"),
    ("GET", "/api/v1/exchange-rates"),
    ("GET", "/api/v1/rate-cards"),
    ("GET", "/api/v1/agreements"),
    ("POST", "/api/v1/agreements"),
    ("GET", "/api/v1/agreements/MC-BRS-2026-01"),
    ("POST", "/api/v1/agreements/MC-BRS-2026-02/propose"),
    ("POST", "/api/v1/agreements/MC-BRS-2026-02/approve"),
    ("POST", "/api/v1/agreements/MC-BRS-2026-01/amend"),
    ("GET", "/api/v1/deliveries"),
    ("POST", "/api/v1/deliveries"),
    ("POST", "/api/v1/deliveries/import"),
    ("POST", "/api/v1/deliveries/accept"),
    ("POST", "/api/v1/deliveries/dispute"),
    ("POST", "/api/v1/closings"),
    ("GET", "/api/v1/charges"),
    ("GET", "/api/v1/funds/MCGTF/statement"),
    ("GET", "/api/v1/dashboard"),
    ("GET", "/api/v1/ledger/trial-balance"),
    ("GET", "/api/v1/ledger/entries"),
    ("GET", "/api/v1/ledger/check"),
    ("POST", "/api/v1/settlements"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/activities/contributions"),
];

fn call(
    s: &Server,
    token: Option<&str>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Reply {
    match method {
        "GET" => s.get_with(token, path, headers),
        "POST" => {
            let mut h = vec![("content-type", "application/json")];
            h.extend_from_slice(headers);
            s.post_with(token, path, &h, b"{}")
        }
        "DELETE" => s.delete_with(token, path, headers),
        other => unreachable!("{other}"),
    }
}

#[test]
fn without_valid_credentials_every_route_is_401() {
    let s = Server::start();
    let before = last_change(&s);
    for (method, path) in ROUTES {
        call(&s, None, method, path, &[]).problem(401);
        call(&s, Some("not-a-token"), method, path, &[]).problem(401);
        call(
            &s,
            None,
            method,
            path,
            &[("authorization", "Basic bWMuaGVhZDp4")],
        )
        .problem(401);
    }
    assert_eq!(last_change(&s), before);

    // A revoked token no longer works, anywhere.
    let issued = s
        .post(
            Some("mc.officer"),
            "/api/v1/me/tokens",
            &json!({"name": "script"}),
        )
        .ok();
    let (token, id) = (
        issued["token"].as_str().expect("a token").to_string(),
        issued["id"].as_i64().expect("an id"),
    );
    let me = s.get_with(Some(&token), "/api/v1/me", &[]).ok();
    assert_eq!(me["user"]["username"], "mc.officer");
    s.delete_with(Some(&token), &format!("/api/v1/me/tokens/{id}"), &[])
        .ok();
    for (method, path) in ROUTES {
        call(&s, Some(&token), method, path, &[]).problem(401);
    }
    let listed = s.get(Some("mc.officer"), "/api/v1/me/tokens").ok();
    let revoked = listed["items"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|t| t["id"] == json!(id))
        .cloned()
        .expect("the revoked token is listed");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    assert!(
        revoked.get("token").is_none() && revoked.get("token_hash").is_none(),
        "{revoked}"
    );
}

#[test]
fn nobody_revokes_someone_elses_token() {
    let s = Server::start();
    let issued = s
        .post(
            Some("brs.officer"),
            "/api/v1/me/tokens",
            &json!({"name": "BRS script"}),
        )
        .ok();
    let (token, id) = (
        issued["token"].as_str().expect("a token").to_string(),
        issued["id"].as_i64().expect("an id"),
    );
    for user in USERS.iter().filter(|u| **u != "brs.officer") {
        s.delete(Some(user), &format!("/api/v1/me/tokens/{id}"))
            .problem(404);
    }
    let me = s.get_with(Some(&token), "/api/v1/me", &[]).ok();
    assert_eq!(me["user"]["username"], "brs.officer");
}

#[test]
fn a_session_cannot_change_anything_without_its_csrf_token() {
    let s = Server::start();
    // The pages sign people in; here the session is opened the same way, in the database.
    let cookie = s.page_cookie("mc.officer", None);
    let me = s.get_with(None, "/api/v1/me", &[("cookie", &cookie)]).ok();
    assert_eq!(me["user"]["username"], "mc.officer");
    let csrf = me["csrf_token"]
        .as_str()
        .expect("the session's CSRF token")
        .to_string();

    let body = serde_json::to_vec(&agreement_body("CSRF-1")).expect("serialises");
    let json_ct = ("content-type", "application/json");
    for headers in [
        vec![json_ct, ("cookie", cookie.as_str())],
        vec![
            json_ct,
            ("cookie", cookie.as_str()),
            ("x-csrf-token", "forged"),
        ],
        vec![json_ct, ("cookie", cookie.as_str()), ("x-csrf-token", "")],
    ] {
        let r = s.post_with(None, "/api/v1/agreements", &headers, &body);
        r.problem(403);
        s.get(Some("auditor"), "/api/v1/agreements/CSRF-1")
            .problem(404);
    }
    // No state-changing route lets the session through without it.
    let trail = last_change(&s);
    for (method, path) in ROUTES.iter().filter(|(m, _)| *m != "GET") {
        let r = call(&s, None, method, path, &[("cookie", &cookie)]);
        r.client_problem();
        assert!(
            r.status == 403 || r.status == 422,
            "{method} {path}: {}",
            r.text()
        );
    }
    assert_eq!(last_change(&s), trail);
    let r = s.post_with(
        None,
        "/api/v1/agreements",
        &[json_ct, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    s.get(Some("auditor"), "/api/v1/agreements/CSRF-1").ok();
}

/// The pages ask `authorize` before they show a button: on the deliveries of a sharing
/// agreement BRS provides, only MC's finance officer (who pays) sees Accept and Dispute; BRS's
/// finance officer (the provider) and MC's officer see neither, and only BRS's officer sees
/// the forms to record and import deliveries of BRS's agreements.
#[test]
fn the_deliveries_page_shows_only_the_buttons_the_rules_allow() {
    let s = Server::start();
    let code = shared_agreement(&s, 1);
    let page = |user: &str| {
        let cookie = s.page_cookie(user, None);
        let r = s.get_with(
            None,
            &format!("/deliveries?agreement={code}"),
            &[("cookie", &cookie)],
        );
        assert_eq!(r.status, 200, "{user}: {}", r.text());
        r.text()
    };
    let accept = "id=\"accept-all\"";
    let dispute = "action=\"/deliveries/dispute\"";
    let record = "id=\"record-delivery\"";
    let mc_finance = page("mc.finance");
    assert!(mc_finance.contains(accept) && mc_finance.contains(dispute));
    assert!(!mc_finance.contains(record));
    for user in ["brs.finance", "mc.officer", "auditor"] {
        let html = page(user);
        assert!(
            !html.contains(accept) && !html.contains(dispute),
            "{user} sees a button the rules refuse"
        );
    }
    let brs_officer = page("brs.officer");
    assert!(brs_officer.contains(record) && brs_officer.contains(&format!("value=\"{code}\"")));
    assert!(!page("auditor").contains(record));
}

/// A page's title is plain text: the pages with a form for finance officers (exchange rates,
/// rate cards, a fund's settlement) once carried their whole form, with the session's CSRF
/// token, in the `<title>`, where browsers keep it in history and bookmarks.
#[test]
fn page_titles_are_plain_text_and_never_hold_the_csrf_token() {
    let s = Server::start();
    let cookie = s.page_cookie("brs.finance", None);
    let me = s.get_with(None, "/api/v1/me", &[("cookie", &cookie)]).ok();
    let csrf = me["csrf_token"].as_str().expect("a CSRF token").to_string();
    for path in [
        "/exchange-rates",
        "/services",
        "/funds/BC",
        "/deliveries",
        "/",
    ] {
        let page = s.get_with(None, path, &[("cookie", &cookie)]);
        assert_eq!(page.status, 200, "{path}");
        let html = page.text();
        assert!(
            html.contains(&csrf),
            "{path}: the page's forms carry the token"
        );
        let title = html
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(t, _)| t.to_string())
            .expect("a title");
        assert!(
            !title.contains('<') && !title.contains("&lt;") && !title.contains(&csrf),
            "{path}: the title is not plain text: {title}"
        );
        assert!(title.len() < 200, "{path}: {title}");
    }
}

/// A refusal reaches the reader in their language, with the action's own verb: the provider's
/// finance officer who tries to dispute its own delivery from the French page once read
/// "Non autorisé | brs.finance may not accept deliveries it receives".
#[test]
fn a_refusal_on_a_french_page_is_in_french_with_the_actions_verb() {
    let s = Server::start();
    let code = shared_agreement(&s, 1);
    let cookie = s.page_cookie("brs.finance", None);
    let me = s.get_with(None, "/api/v1/me", &[("cookie", &cookie)]).ok();
    let csrf = me["csrf_token"].as_str().expect("a CSRF token").to_string();
    let form = format!("csrf={csrf}&agreement={code}&external_id=S-1&reason=trop+cher");
    let page = s.post_with(
        None,
        "/deliveries/dispute",
        &[
            ("cookie", &cookie),
            ("accept-language", "fr"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(page.status, 403, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("brs.finance ne peut pas contester les prestations que BRS fournit"),
        "{html}"
    );
    assert!(!html.contains("may not"), "{html}");
}
