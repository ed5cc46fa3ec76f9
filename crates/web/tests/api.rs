//! The JSON API over HTTP against a real server: every endpoint once, the OpenAPI document
//! against the routes called, paging and filters, bad input of every kind (always a 4xx
//! problem document, never a 5xx), the audit trail, security headers and the sign-in throttle.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{json, Value};

fn items(v: &Value) -> &Vec<Value> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {v}"))
}

/// Whether a concrete path matches an OpenAPI path template (`{code}` is one segment).
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// Calls every endpoint once as the users whose business it is, checking what each answers;
/// then compares the routes called with the OpenAPI document, both ways.
#[test]
fn every_endpoint_answers_and_the_openapi_document_lists_exactly_them() {
    let s = Server::start();

    // auth
    let token = s.login("mc.officer", PASSWORD);
    let me = s.get_with(Some(&token), "/api/v1/me", &[]).ok();
    assert_eq!(me["user"]["username"], "mc.officer");
    assert_eq!(
        me["user"]["grants"],
        json!([{"role": "officer", "organisation": "MC"}])
    );
    assert!(me["user"].get("password_hash").is_none(), "{me}");
    let issued = s
        .post(
            Some("mc.officer"),
            "/api/v1/me/tokens",
            &json!({"name": "import script"}),
        )
        .ok();
    let id = issued["id"].as_i64().expect("an id");
    assert_eq!(issued["token"].as_str().map(str::len), Some(64));
    let tokens = s.get(Some("mc.officer"), "/api/v1/me/tokens").ok();
    assert!(items(&tokens)
        .iter()
        .any(|t| t["id"] == json!(id) && t["name"] == "import script"));
    assert!(!tokens
        .to_string()
        .contains(issued["token"].as_str().unwrap_or("?")));
    assert_eq!(
        s.delete(Some("mc.officer"), &format!("/api/v1/me/tokens/{id}"))
            .status,
        204
    );

    // reference data
    let f = s.get(Some("taskforce"), "/api/v1/framework").ok();
    let orgs: Vec<&str> = f["organisations"]
        .as_array()
        .expect("organisations")
        .iter()
        .filter_map(|o| o["code"].as_str())
        .collect();
    assert_eq!(orgs, ["BRS", "CHB", "MC"]);
    for key in [
        "conventions",
        "funds",
        "bienniums",
        "budget_lines",
        "services",
    ] {
        assert!(f[key].as_array().is_some_and(|a| !a.is_empty()), "{key}");
    }
    assert!(!items(&s.get(Some("auditor"), "/api/v1/exchange-rates").ok()).is_empty());
    assert!(!items(&s.get(Some("auditor"), "/api/v1/rate-cards").ok()).is_empty());

    // agreements
    let list = s.get(Some("auditor"), "/api/v1/agreements").ok();
    assert_eq!(list["total"], json!(5), "{list}");
    let a = s
        .get(Some("auditor"), "/api/v1/agreements/MC-BRS-2026-01")
        .ok();
    assert_eq!(a["provider"], "MC");
    assert_eq!(a["active"], json!(true));
    let created = s
        .post(
            Some("mc.officer"),
            "/api/v1/agreements",
            &agreement_body("TOUR-1"),
        )
        .ok();
    assert_eq!(created["status"], "draft");
    let proposed = s
        .post(
            Some("mc.officer"),
            "/api/v1/agreements/TOUR-1/propose",
            &json!({}),
        )
        .ok();
    assert_eq!(proposed["status"], "proposed");
    for head in ["mc.head", "brs.head"] {
        s.post(Some(head), "/api/v1/agreements/TOUR-1/approve", &json!({}))
            .ok();
    }
    let mut terms = agreement_body("TOUR-1");
    terms["ceiling"] = json!("55000.00");
    let amended = s
        .post(Some("mc.head"), "/api/v1/agreements/TOUR-1/amend", &terms)
        .ok();
    assert_eq!(amended["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        amended["active"],
        json!(true),
        "version 1 stays in force: {amended}"
    );

    // deliveries
    let r = s
        .post(
            Some("mc.officer"),
            "/api/v1/deliveries",
            &delivery_body("TOUR-1", "T-1", "2026-03-10"),
        )
        .ok();
    assert_eq!(r["inserted"], json!(1), "{r}");
    let csv = format!(
        "{}TOUR-1,MC-LEGAL,2026-03-12,2,P-3,,,Second opinion,T-3\n",
        delivery_csv("TOUR-1", "T-2", "2026-03-11")
    );
    let r = s.post_raw(
        Some("mc.officer"),
        "/api/v1/deliveries/import",
        Some("text/csv"),
        csv.as_bytes(),
    );
    assert_eq!(r.ok()["inserted"], json!(2), "{}", r.text());
    let r = s
        .post(
            Some("brs.finance"),
            "/api/v1/deliveries/dispute",
            &json!({"agreement": "TOUR-1", "external_id": "T-3", "reason": "not requested"}),
        )
        .ok();
    assert_eq!(r["disputed"], json!(true));
    let r = s
        .post(
            Some("brs.finance"),
            "/api/v1/deliveries/accept",
            &json!({"agreement": "TOUR-1", "through": "2026-03-31"}),
        )
        .ok();
    assert_eq!(r["accepted"], json!(2), "{r}");
    let list = s
        .get(Some("auditor"), "/api/v1/deliveries?agreement=TOUR-1")
        .ok();
    let statuses: Vec<(&str, &str)> = items(&list)
        .iter()
        .map(|d| {
            (
                d["external_id"].as_str().unwrap_or("?"),
                d["status"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("T-1", "accepted"),
            ("T-2", "accepted"),
            ("T-3", "disputed")
        ]
    );

    // closing, charges, statement, dashboard, ledger, settlement
    let r = s
        .post(
            Some("mc.finance"),
            "/api/v1/closings",
            &json!({"agreement": "TOUR-1", "period": "2026-03"}),
        )
        .ok();
    assert_eq!(r["period"], "2026-03", "{r}");
    let charges = s
        .get(Some("auditor"), "/api/v1/charges?agreement=TOUR-1")
        .ok();
    assert_eq!(charges["total"], json!(1), "{charges}");
    let charge = &items(&charges)[0];
    assert_eq!(charge["payer_fund"], "BC");
    assert_eq!(charge["deliveries"], json!(2));
    let total = charge["total_minor"].as_i64().expect("a total");
    assert_eq!(
        charge["direct_minor"].as_i64().unwrap_or(0) + charge["psc_minor"].as_i64().unwrap_or(0),
        total
    );
    let statement = s
        .get(Some("brs.finance"), "/api/v1/funds/BC/statement")
        .ok();
    assert_eq!(statement["fund"], "BC");
    assert!(
        statement["charged_by_others"]
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["agreement"] == "TOUR-1" && l["total"]["minor"] == json!(total)),
        "{statement}"
    );
    let dashboard = s.get(Some("mc.head"), "/api/v1/dashboard").ok();
    assert_eq!(dashboard["biennium"], "2026-2027");
    assert!(dashboard["ceilings"]
        .as_array()
        .expect("ceilings")
        .iter()
        .any(|c| c["agreement"] == "TOUR-1" && c["charged"]["minor"] == json!(total)));
    // The directions and the quarters (from the report model) add up to what the funds were
    // charged (summed by the dashboard itself from the charges).
    let sum = |key: &str, amount: &dyn Fn(&Value) -> i64| -> i64 {
        dashboard[key]
            .as_array()
            .expect(key)
            .iter()
            .map(amount)
            .sum()
    };
    let by_fund = sum("by_fund", &|l| l["amount"]["minor"].as_i64().unwrap());
    assert!(by_fund > 0);
    assert_eq!(
        sum("by_direction", &|l| l["amount"]["minor"].as_i64().unwrap()),
        by_fund
    );
    assert_eq!(sum("chart", &|b| b["minor"].as_i64().unwrap()), by_fund);
    s.get(Some("auditor"), "/api/v1/ledger/trial-balance").ok();
    let entries = s
        .get(Some("auditor"), "/api/v1/ledger/entries?limit=5")
        .ok();
    assert_eq!(items(&entries).len(), 5);
    let settled = s
        .post(
            Some("brs.finance"),
            "/api/v1/settlements",
            &json!({"payer_fund": "BC", "provider_fund": "MCGTF", "currency": "USD",
                    "amount": "100.00", "date": "2026-11-20", "reference": "TOUR-TRANSFER"}),
        )
        .ok();
    assert!(settled["entry"].is_i64(), "{settled}");
    let check = s.get(Some("auditor"), "/api/v1/ledger/check").ok();
    assert_eq!(check["passed"], json!(true), "{check}");

    // audit and users
    let audit = s.get(Some("auditor"), "/api/v1/audit?subject=TOUR-1").ok();
    assert!(!items(&audit).is_empty());
    let saved = s
        .post(
            Some("admin"),
            "/api/v1/users",
            &json!({"username": "chb.finance", "display_name": "Chemicals hub finance officer",
                    "password": "a long enough password",
                    "grants": [{"role": "finance", "organisation": "CHB"}]}),
        )
        .ok();
    assert_eq!(saved["username"], "chb.finance");
    assert!(saved.get("password_hash").is_none(), "{saved}");
    let users = s.get(Some("admin"), "/api/v1/users").ok();
    assert_eq!(items(&users).len(), USERS.len() + 1);
    assert!(!users.to_string().contains("argon2"), "no hashes: {users}");

    // reference data that finance officers add to
    let fx = s
        .post(
            Some("brs.finance"),
            "/api/v1/exchange-rates",
            &json!({"currency": "CHF", "month": "2029-11", "per_usd": "0.8804"}),
        )
        .ok();
    assert_eq!(fx["per_usd"], "0.8804");
    s.post(
        Some("brs.finance"),
        "/api/v1/exchange-rates",
        &json!({"currency": "CHF", "month": "2029-11", "per_usd": "0.9"}),
    )
    .problem(422);
    s.post(
        Some("brs.finance"),
        "/api/v1/exchange-rates",
        &json!({"currency": "CHF", "month": "2029-13", "per_usd": "0.9"}),
    )
    .problem(422);
    let rate = s
        .post(
            Some("mc.finance"),
            "/api/v1/rates",
            &json!({"provider": "MC", "biennium": "2026-2027", "grade": "P-2", "unit": "staff_day",
                    "effective_from": "2027-01-01", "amount": "512.50"}),
        )
        .ok();
    assert_eq!(rate["amount"], "512.50");
    s.post(
        Some("mc.finance"),
        "/api/v1/rates",
        &json!({"provider": "MC", "biennium": "2026-2027", "grade": "P-2", "service": "MC-LEGAL",
                "unit": "staff_day", "effective_from": "2026-12-02", "amount": "1"}),
    )
    .problem(422);
    let framework = s.get(Some("auditor"), "/api/v1/framework").ok();
    assert!(
        framework.to_string().contains("0.8804")
            || s.get(Some("auditor"), "/api/v1/exchange-rates")
                .ok()
                .to_string()
                .contains("0.8804")
    );

    // reports: the implementation report in French as HTML, from the one report model
    let r = s.get(
        Some("auditor"),
        "/api/v1/reports/implementation?decision=MC-6%2F20&biennium=2026-2027&next=2028-2029&lang=fr&format=html",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    assert!(
        r.text().contains("MC-6/20") && r.text().contains("lang=\"fr\""),
        "an HTML report in French"
    );
    s.get(
        Some("auditor"),
        "/api/v1/reports/implementation?decision=MC-99%2F1&biennium=2026-2027&next=2028-2029",
    )
    .problem(422);
    s.get(Some("auditor"), "/api/v1/reports/nonsense")
        .problem(404);
    let docx = s.get(
        Some("auditor"),
        "/api/v1/reports/fund?fund=BC&biennium=2026-2027&format=docx",
    );
    assert_eq!(docx.status, 200);
    assert!(
        docx.body.starts_with(b"PK"),
        "a Word document is a zip file"
    );
    s.get(
        Some("admin"),
        "/api/v1/reports/fund?fund=BC&biennium=2026-2027",
    )
    .problem(403);

    // decisions, mandates, activities, training, the task force
    let decisions = s.get(Some("taskforce"), "/api/v1/decisions").ok();
    assert!(
        items(&decisions).iter().any(|d| d["number"] == "MC-6/20"),
        "{decisions}"
    );
    let mandates = s
        .get(Some("taskforce"), "/api/v1/mandates?decision=MC-6/20")
        .ok();
    let four_c = items(&mandates)
        .iter()
        .find(|m| m["paragraph"] == "4(c)")
        .cloned()
        .expect("paragraph 4(c) is a mandate");
    assert_eq!(four_c["status"], "active");
    s.post(
        Some("mc.officer"),
        "/api/v1/mandates/notes",
        &json!({"decision": "MC-6/20", "paragraph": "4(c)", "status": "implemented",
                "note": "Report tabled at the seventh meeting"}),
    )
    .ok();
    let mandates = s
        .get(Some("auditor"), "/api/v1/mandates?decision=MC-6/20")
        .ok();
    assert!(items(&mandates)
        .iter()
        .any(|m| m["paragraph"] == "4(c)" && m["status"] == "implemented"));
    s.post(
        Some("mc.officer"),
        "/api/v1/mandates/notes",
        &json!({"decision": "MC-6/20", "paragraph": "4(c)", "status": "implemented", "note": " "}),
    )
    .problem(422);
    let activities = s
        .get(Some("auditor"), "/api/v1/activities?biennium=2026-2027")
        .ok();
    assert_eq!(activities["biennium"], "2026-2027");
    assert!(!items(&activities).is_empty());
    s.get(Some("auditor"), "/api/v1/activities?biennium=1999-2000")
        .problem(404);
    let changed = s
        .post(
            Some("mc.officer"),
            "/api/v1/activities/status",
            &json!({"code": "COOP-LEGAL", "biennium": "2026-2027", "status": "completed"}),
        )
        .ok();
    assert_eq!(changed["status"], "completed");
    s.post(
        Some("mc.officer"),
        "/api/v1/activities/status",
        &json!({"code": "COOP-LEGAL", "biennium": "2026-2027", "status": "finished-ish"}),
    )
    .problem(422);
    // BRS records its own contribution to the activity MC leads (BRS takes part); MC may not
    // record it for BRS.
    let brs = json!({"organisation": "BRS", "fund": "BC",
                     "staff": [{"grade": "P-4", "days": "9"}], "non_staff_minor": 150000});
    s.post(
        Some("mc.officer"),
        "/api/v1/activities/contributions",
        &json!({"code": "COOP-LEGAL", "biennium": "2026-2027", "contribution": brs}),
    )
    .problem(403);
    let after = s
        .post(
            Some("brs.officer"),
            "/api/v1/activities/contributions",
            &json!({"code": "COOP-LEGAL", "biennium": "2026-2027", "contribution": brs}),
        )
        .ok();
    let recorded: Vec<&Value> = after["contributions"]
        .as_array()
        .expect("contributions")
        .iter()
        .filter(|c| c["organisation"] == "BRS")
        .collect();
    assert_eq!(
        recorded,
        vec![&brs],
        "one BRS contribution from BC, replaced"
    );
    // New records: an activity led by MC (its officer), a training event, a task-force
    // meeting and action item (task-force members); the auditor may not.
    let mut activity = items(&activities)
        .iter()
        .find(|a| a["activity"]["lead"] == "MC")
        .expect("an MC-led activity")["activity"]
        .clone();
    activity["code"] = json!("COOP-NEW");
    // MC records its own contribution only (BRS records its own).
    activity["contributions"]
        .as_array_mut()
        .expect("contributions")
        .retain(|c| c["organisation"] == "MC");
    let refused = s.post(Some("auditor"), "/api/v1/activities", &activity);
    refused.problem(403);
    // The refusal names its message, for a client that shows it in its reader's language.
    assert_eq!(
        refused.json()["key"],
        "denied-needs-role",
        "{}",
        refused.text()
    );
    let created = s
        .post(Some("mc.officer"), "/api/v1/activities", &activity)
        .ok();
    assert_eq!(created["code"], "COOP-NEW");
    s.post(Some("mc.officer"), "/api/v1/activities", &activity)
        .problem(422);
    let listed = s
        .get(Some("auditor"), "/api/v1/activities?biennium=2026-2027")
        .ok();
    assert!(items(&listed)
        .iter()
        .any(|a| a["activity"]["code"] == "COOP-NEW"));
    let mut event = s.get(Some("auditor"), "/api/v1/training").ok()["items"][0]["event"].clone();
    event["code"] = json!("TRAIN-NEW");
    let contributor = event["contributions"][0]["organisation"]
        .as_str()
        .unwrap()
        .to_lowercase();
    // The contributor records its own contribution only.
    event["contributions"]
        .as_array_mut()
        .expect("contributions")
        .truncate(1);
    s.post(Some("chb.officer"), "/api/v1/training", &event)
        .problem(403);
    s.post(
        Some(&format!("{contributor}.officer")),
        "/api/v1/training",
        &event,
    )
    .ok();
    s.post(
        Some("taskforce"),
        "/api/v1/taskforce/meetings",
        &json!({"code": "TF-NEW", "date": "2026-12-03", "attendees": ["MC", "BRS"],
                "minutes": "Reviewed the 2028-2029 plan."}),
    )
    .ok();
    s.post(
        Some("mc.head"),
        "/api/v1/taskforce/actions",
        &json!({"code": "AI-NEW", "title": "Circulate the plan", "owner": "BRS",
                "due": "2027-01-15", "status": "open", "meeting": "TF-NEW"}),
    )
    .problem(403);
    s.post(
        Some("taskforce"),
        "/api/v1/taskforce/actions",
        &json!({"code": "AI-NEW", "title": "Circulate the plan", "owner": "BRS",
                "due": "2027-01-15", "status": "open", "meeting": "TF-NEW"}),
    )
    .ok();
    s.post(
        Some("taskforce"),
        "/api/v1/taskforce/actions",
        &json!({"code": 5}),
    )
    .problem(422);
    let training = s.get(Some("auditor"), "/api/v1/training").ok();
    assert!(!items(&training).is_empty());
    assert!(items(&training)[0]["participants_by_region_and_gender"].is_array());
    let tf = s.get(Some("auditor"), "/api/v1/taskforce").ok();
    assert!(
        tf["meetings"].as_array().is_some_and(|m| m.len() >= 2),
        "{tf}"
    );
    let done = s
        .post(
            Some("taskforce"),
            "/api/v1/taskforce/actions/status",
            &json!({"code": "AI-2", "status": "done"}),
        )
        .ok();
    assert_eq!(done["status"], "done");
    s.post(
        Some("taskforce"),
        "/api/v1/taskforce/actions/status",
        &json!({"code": "AI-404", "status": "done"}),
    )
    .problem(404);

    // The document: OpenAPI 3.1, every route called documented, every documented route called.
    let doc = s.get(None, "/api/v1/openapi.json").ok();
    let version = doc["openapi"].as_str().expect("a version");
    assert!(version.starts_with("3.1."), "OpenAPI {version}");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let mut called = BTreeSet::new();
    for (method, path) in s.calls() {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let route = documented
            .iter()
            .find(|(m, t)| *m == method && matches(t, &path))
            .unwrap_or_else(|| panic!("{method} {path} is called but not documented"));
        called.insert(route.clone());
    }
    let missed: Vec<_> = documented.difference(&called).collect();
    assert!(
        missed.is_empty(),
        "documented but not exercised: {missed:?}"
    );
    assert_eq!(called.len(), 46, "{called:?}");
    assert!(
        doc["components"]["securitySchemes"]["token"].is_object(),
        "bearer scheme"
    );
    let docs = s.get(None, "/api/docs/");
    assert_eq!(docs.status, 200, "Swagger UI: {}", docs.text());
    assert!(docs.text().contains("swagger"), "{}", docs.text());
}

#[test]
fn lists_page_and_filter() {
    let s = Server::start();
    let get = |path: &str| s.get(Some("auditor"), path).ok();

    // Agreements: paging over the total, filters by organisation and status.
    let all = get("/api/v1/agreements");
    let codes = |v: &Value| -> Vec<String> {
        items(v)
            .iter()
            .map(|a| a["code"].as_str().unwrap_or("?").to_string())
            .collect()
    };
    let all_codes = codes(&all);
    assert_eq!(all_codes.len(), 5);
    let first = get("/api/v1/agreements?limit=2");
    let second = get("/api/v1/agreements?limit=2&offset=2");
    let third = get("/api/v1/agreements?limit=2&offset=4");
    assert_eq!(first["total"], json!(5));
    assert_eq!(first["limit"], json!(2));
    assert_eq!(second["offset"], json!(2));
    let paged: Vec<String> = [first, second, third].iter().flat_map(codes).collect();
    assert_eq!(paged, all_codes);
    assert!(items(&get("/api/v1/agreements?offset=99")).is_empty());
    let proposed = get("/api/v1/agreements?status=proposed");
    assert_eq!(codes(&proposed), ["MC-BRS-2026-02"]);
    assert_eq!(get("/api/v1/agreements?status=active")["total"], json!(4));
    assert_eq!(
        get("/api/v1/agreements?organisation=CHB")["total"],
        json!(0)
    );
    assert_eq!(get("/api/v1/agreements?organisation=MC")["total"], json!(5));

    // Deliveries: one agreement's, in external id order; by status; pages that do not overlap.
    let one = get("/api/v1/deliveries?agreement=MC-BRS-2026-02");
    assert!(items(&one).is_empty(), "nothing recorded under a proposal");
    let page1 = get("/api/v1/deliveries?agreement=MC-BRS-2026-01&limit=10");
    let page2 = get("/api/v1/deliveries?agreement=MC-BRS-2026-01&limit=10&offset=10");
    let ids = |v: &Value| external_ids(items(v));
    let (ids1, ids2) = (ids(&page1), ids(&page2));
    assert_eq!((ids1.len(), ids2.len()), (10, 10));
    assert!(ids1.iter().all(|i| !ids2.contains(i)), "{ids1:?} {ids2:?}");
    assert!(items(&page1)
        .iter()
        .all(|d| d["agreement"] == "MC-BRS-2026-01"));
    let mut sorted = ids1.clone();
    sorted.sort();
    assert_eq!(ids1, sorted, "in the order of external ids");
    let recorded = get("/api/v1/deliveries?status=recorded&limit=500");
    assert!(
        !items(&recorded).is_empty(),
        "January 2027 is not yet accepted"
    );
    assert!(items(&recorded).iter().all(|d| d["status"] == "recorded"));
    let accepted = get("/api/v1/deliveries?agreement=BRS-MC-2026-01&status=accepted&limit=3");
    assert_eq!(items(&accepted).len(), 3);
    assert!(items(&accepted)
        .iter()
        .all(|d| d["status"] == "accepted" && d["agreement"] == "BRS-MC-2026-01"));
    assert!(items(&get("/api/v1/deliveries?status=disputed")).is_empty());
    assert_eq!(get("/api/v1/deliveries")["limit"], json!(50));
    assert_eq!(items(&get("/api/v1/deliveries")).len(), 50);

    // Charges: by agreement and period, paged.
    let charges = get("/api/v1/charges?agreement=MC-BRS-2026-01");
    assert_eq!(
        charges["total"],
        json!(4),
        "one per quarter of 2026: {charges}"
    );
    let q1 = get("/api/v1/charges?agreement=MC-BRS-2026-01&period=2026-Q1");
    assert_eq!(q1["total"], json!(1), "{q1}");
    assert_eq!(items(&q1)[0]["period"], "2026-Q1");
    let paged = get("/api/v1/charges?limit=1&offset=1");
    assert_eq!(items(&paged).len(), 1);
    assert!(paged["total"].as_u64().unwrap_or(0) > 1);

    // The statement of a fund that pays and of one that is paid.
    let bc = get("/api/v1/funds/BC/statement");
    assert_eq!(bc["organisation"], "BRS");
    assert!(!bc["charged_by_others"]
        .as_array()
        .expect("lines")
        .is_empty());
    let mc = get("/api/v1/funds/MCGTF/statement");
    assert!(!mc["charged_to_others"]
        .as_array()
        .expect("lines")
        .is_empty());

    // The ledger: the trial balance of one fund, entries paged, the check passing.
    let tb_bc = get("/api/v1/ledger/trial-balance?fund=BC");
    let tb_all = get("/api/v1/ledger/trial-balance");
    assert_ne!(tb_bc, tb_all);
    assert!(
        tb_bc["rows"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty() && rows.iter().all(|r| r["fund"] == "BC")),
        "{tb_bc}"
    );
    let e1 = get("/api/v1/ledger/entries?limit=3");
    let e2 = get("/api/v1/ledger/entries?limit=3&offset=3");
    assert_eq!(items(&e1).len(), 3);
    assert_ne!(items(&e1)[0], items(&e2)[0]);
    assert_eq!(
        items(&e1)[2],
        items(&get("/api/v1/ledger/entries?limit=1&offset=2"))[0]
    );
    assert_eq!(get("/api/v1/ledger/check")["passed"], json!(true));

    // The audit trail: filters by actor and subject, newest first, paged by id.
    s.proposed("AUDIT-1");
    let by_actor = get("/api/v1/audit?actor=mc.officer");
    assert!(items(&by_actor).iter().all(|e| e["actor"] == "mc.officer"));
    assert!(items(&by_actor).len() >= 2);
    let by_subject = get("/api/v1/audit?subject=AUDIT-1");
    let actions: Vec<&str> = items(&by_subject)
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        actions,
        ["agreement.propose", "agreement.create"],
        "newest first"
    );
    let newest = get("/api/v1/audit?limit=1");
    let id = items(&newest)[0]["id"].as_i64().expect("an id");
    let older = get(&format!("/api/v1/audit?limit=2&before={id}"));
    assert!(items(&older).iter().all(|e| e["id"].as_i64() < Some(id)));
    assert_eq!(items(&older).len(), 2);
    assert!(items(&get("/api/v1/audit?actor=nobody")).is_empty());
}

/// One request that must be refused with a 4xx problem document.
struct Bad {
    what: &'static str,
    method: &'static str,
    path: String,
    user: Option<&'static str>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// The status expected; 0 for any 4xx.
    status: u16,
}

fn bad(
    what: &'static str,
    method: &'static str,
    path: &str,
    user: &'static str,
    status: u16,
) -> Bad {
    Bad {
        what,
        method,
        path: path.to_string(),
        user: Some(user),
        content_type: None,
        body: vec![],
        status,
    }
}

fn bad_json(what: &'static str, path: &str, user: &'static str, body: &str, status: u16) -> Bad {
    Bad {
        what,
        method: "POST",
        path: path.to_string(),
        user: Some(user),
        content_type: Some("application/json"),
        body: body.as_bytes().to_vec(),
        status,
    }
}

fn with(mut base: Value, changes: Value) -> String {
    for (k, v) in changes.as_object().expect("an object") {
        base[k] = v.clone();
    }
    base.to_string()
}

#[test]
fn bad_input_is_a_4xx_problem_document_never_a_5xx() {
    let s = Server::start();
    s.active("GOOD-1");
    s.delivery("GOOD-1", "G-1", "2026-03-10");
    let agreement = agreement_body("BAD-1");
    let delivery = delivery_body("GOOD-1", "B-1", "2026-03-11");
    let settlement = json!({"payer_fund": "BC", "provider_fund": "MCGTF", "currency": "USD",
                            "amount": "1.00", "date": "2026-11-20", "reference": "BAD"});
    let user = json!({"username": "someone", "password": "a long enough password",
                      "grants": [{"role": "officer", "organisation": "CHB"}]});
    let (ag, dl, st) = (
        "/api/v1/agreements",
        "/api/v1/deliveries",
        "/api/v1/settlements",
    );
    let cases = vec![
        // Malformed JSON.
        bad_json("truncated JSON", ag, "mc.officer", r#"{"code": "#, 400),
        bad_json(
            "not JSON",
            "/api/v1/auth/token",
            "mc.officer",
            "username=x&password=y",
            400,
        ),
        bad_json("empty body", dl, "mc.officer", "", 400),
        bad_json(
            "trailing garbage",
            "/api/v1/me/tokens",
            "mc.officer",
            r#"{"name": "x"} }"#,
            400,
        ),
        Bad {
            content_type: Some("application/json"),
            body: b"{\"agreement\": \"\xff\xfe\", \"period\": \"2026-03\"}".to_vec(),
            ..bad(
                "invalid UTF-8",
                "POST",
                "/api/v1/closings",
                "brs.finance",
                400,
            )
        },
        // Wrong types and shapes.
        bad_json(
            "a number for a string",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"code": 42})),
            422,
        ),
        bad_json(
            "a string for a list",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"lines": "MC-LEGAL"})),
            422,
        ),
        bad_json(
            "a number for an amount string",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"amount": 1.0})),
            422,
        ),
        bad_json("an array for an object", ag, "mc.officer", "[]", 422),
        bad_json("null for an object", dl, "mc.officer", "null", 422),
        bad_json("missing fields", ag, "mc.officer", "{}", 422),
        bad_json(
            "a list for a username",
            "/api/v1/auth/token",
            "mc.officer",
            r#"{"username": ["a"], "password": 1}"#,
            422,
        ),
        bad_json(
            "a number for a token name",
            "/api/v1/me/tokens",
            "mc.officer",
            r#"{"name": 5}"#,
            422,
        ),
        bad_json(
            "a bad date type",
            "/api/v1/deliveries/accept",
            "brs.finance",
            r#"{"agreement": "GOOD-1", "through": "yesterday"}"#,
            422,
        ),
        bad_json(
            "a number for an agreement code",
            "/api/v1/deliveries/accept",
            "brs.finance",
            r#"{"agreement": 7}"#,
            422,
        ),
        bad_json(
            "an unknown role",
            "/api/v1/users",
            "admin",
            &with(
                user.clone(),
                json!({"grants": [{"role": "emperor", "organisation": null}]}),
            ),
            422,
        ),
        bad_json(
            "a string for grants",
            "/api/v1/users",
            "admin",
            &with(user.clone(), json!({"grants": "all"})),
            422,
        ),
        bad_json(
            "a string for active",
            "/api/v1/users",
            "admin",
            &with(user.clone(), json!({"active": "yes"})),
            422,
        ),
        // Values the rules refuse.
        bad_json(
            "a ceiling that is not a number",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"ceiling": "lots"})),
            422,
        ),
        bad_json(
            "a negative ceiling",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"ceiling": "-5"})),
            422,
        ),
        bad_json(
            "a ceiling beyond any budget",
            ag,
            "mc.officer",
            &with(
                agreement.clone(),
                json!({"ceiling": "99999999999999999999999"}),
            ),
            422,
        ),
        bad_json(
            "support costs above 100 %",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"psc_rate": "2"})),
            422,
        ),
        bad_json(
            "an unknown currency",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"currency": "EURO"})),
            422,
        ),
        bad_json(
            "an unknown kind",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"kind": "gift"})),
            422,
        ),
        bad_json(
            "an unknown service",
            ag,
            "mc.officer",
            &with(
                agreement.clone(),
                json!({"lines": [{"service": "NOPE", "estimated_quantity": "1"}]}),
            ),
            422,
        ),
        bad_json(
            "no services",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"lines": []})),
            422,
        ),
        bad_json(
            "no payer",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"participants": []})),
            422,
        ),
        bad_json(
            "an unknown fund",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"provider_fund": "NOPE"})),
            422,
        ),
        bad_json(
            "an unknown biennium",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"biennium": "1999-2000"})),
            422,
        ),
        bad_json(
            "an empty code",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"code": "  "})),
            422,
        ),
        bad_json(
            "a code already taken",
            ag,
            "mc.officer",
            &with(agreement.clone(), json!({"code": "MC-BRS-2026-01"})),
            422,
        ),
        bad_json(
            "an impossible date",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"date": "2026-13-45"})),
            422,
        ),
        bad_json(
            "a quantity that is not a number",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"quantity": "many"})),
            422,
        ),
        bad_json(
            "a negative quantity",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"quantity": "-1"})),
            422,
        ),
        bad_json(
            "no external id",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"external_id": ""})),
            422,
        ),
        bad_json(
            "a service outside the agreement",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"service": "MC-IT"})),
            422,
        ),
        bad_json(
            "an unknown grade",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"grade": "Z-9"})),
            422,
        ),
        bad_json(
            "a date outside the biennium",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"date": "2031-01-06"})),
            422,
        ),
        bad_json(
            "a delivery already recorded",
            dl,
            "mc.officer",
            &with(
                delivery.clone(),
                json!({"external_id": "G-1", "date": "2026-03-10"}),
            ),
            422,
        ),
        bad_json(
            "a dispute without a reason",
            "/api/v1/deliveries/dispute",
            "brs.finance",
            r#"{"agreement": "GOOD-1", "external_id": "G-1", "reason": " "}"#,
            422,
        ),
        bad_json(
            "a period that is not one",
            "/api/v1/closings",
            "mc.finance",
            r#"{"agreement": "GOOD-1", "period": "2026-14"}"#,
            422,
        ),
        bad_json(
            "a period that is a word",
            "/api/v1/closings",
            "mc.finance",
            r#"{"agreement": "GOOD-1", "period": "bogus"}"#,
            422,
        ),
        bad_json(
            "a settlement from an unknown fund",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"payer_fund": "NOPE"})),
            422,
        ),
        bad_json(
            "a settlement to an unknown fund",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"provider_fund": "NOPE"})),
            422,
        ),
        bad_json(
            "a settlement of nothing",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"amount": "0"})),
            422,
        ),
        bad_json(
            "a settlement of a word",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"amount": "abc"})),
            422,
        ),
        bad_json(
            "a settlement that overpays",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"amount": "999999999.00"})),
            422,
        ),
        bad_json(
            "a settlement of too many decimals",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"amount": "1.001"})),
            422,
        ),
        bad_json(
            "a settlement on no date",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"date": "soon"})),
            422,
        ),
        bad_json(
            "a settlement without reference",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"reference": ""})),
            422,
        ),
        bad_json(
            "a settlement in a bad currency",
            st,
            "brs.finance",
            &with(settlement.clone(), json!({"currency": "US"})),
            422,
        ),
        bad_json(
            "a short password",
            "/api/v1/users",
            "admin",
            &with(user.clone(), json!({"password": "short"})),
            422,
        ),
        bad_json(
            "a username with spaces",
            "/api/v1/users",
            "admin",
            &with(user.clone(), json!({"username": "a b"})),
            422,
        ),
        bad_json(
            "a role in an unknown organisation",
            "/api/v1/users",
            "admin",
            &with(
                user.clone(),
                json!({"grants": [{"role": "head", "organisation": "NOPE"}]}),
            ),
            422,
        ),
        bad_json(
            "an officer of no organisation",
            "/api/v1/users",
            "admin",
            &with(
                user.clone(),
                json!({"grants": [{"role": "officer", "organisation": null}]}),
            ),
            422,
        ),
        bad_json(
            "a new user without password",
            "/api/v1/users",
            "admin",
            &with(user.clone(), json!({"password": null})),
            422,
        ),
        bad_json(
            "a token without a name",
            "/api/v1/me/tokens",
            "mc.officer",
            r#"{"name": "   "}"#,
            422,
        ),
        bad_json(
            "a token with a long name",
            "/api/v1/me/tokens",
            "mc.officer",
            &json!({"name": "x".repeat(201)}).to_string(),
            422,
        ),
        // Missing or wrong content type.
        Bad {
            content_type: None,
            body: agreement.to_string().into_bytes(),
            ..bad("no content type", "POST", ag, "mc.officer", 415)
        },
        Bad {
            content_type: Some("text/plain"),
            body: b"{}".to_vec(),
            ..bad(
                "text for JSON",
                "POST",
                "/api/v1/me/tokens",
                "mc.officer",
                415,
            )
        },
        Bad {
            user: None,
            content_type: None,
            body: br#"{"username": "a", "password": "b"}"#.to_vec(),
            ..bad(
                "a login without content type",
                "POST",
                "/api/v1/auth/token",
                "mc.officer",
                415,
            )
        },
        // Unknown ids.
        bad(
            "an unknown agreement",
            "GET",
            "/api/v1/agreements/NOPE",
            "auditor",
            404,
        ),
        bad_json(
            "proposing an unknown agreement",
            "/api/v1/agreements/NOPE/propose",
            "mc.officer",
            "{}",
            404,
        ),
        bad_json(
            "approving an unknown agreement",
            "/api/v1/agreements/NOPE/approve",
            "mc.head",
            "{}",
            404,
        ),
        bad_json(
            "amending an unknown agreement",
            "/api/v1/agreements/NOPE/amend",
            "mc.head",
            &agreement.to_string(),
            404,
        ),
        bad_json(
            "a delivery under an unknown agreement",
            dl,
            "mc.officer",
            &with(delivery.clone(), json!({"agreement": "NOPE"})),
            404,
        ),
        bad_json(
            "accepting under an unknown agreement",
            "/api/v1/deliveries/accept",
            "brs.finance",
            r#"{"agreement": "NOPE"}"#,
            404,
        ),
        bad_json(
            "disputing an unknown delivery",
            "/api/v1/deliveries/dispute",
            "brs.finance",
            r#"{"agreement": "GOOD-1", "external_id": "NOPE", "reason": "?"}"#,
            404,
        ),
        bad_json(
            "closing an unknown agreement",
            "/api/v1/closings",
            "brs.finance",
            r#"{"agreement": "NOPE", "period": "2026-03"}"#,
            404,
        ),
        bad(
            "deliveries of an unknown agreement",
            "GET",
            "/api/v1/deliveries?agreement=NOPE",
            "auditor",
            404,
        ),
        bad(
            "an unknown fund's statement",
            "GET",
            "/api/v1/funds/NOPE/statement",
            "auditor",
            404,
        ),
        bad(
            "an unknown token",
            "DELETE",
            "/api/v1/me/tokens/999999",
            "mc.officer",
            404,
        ),
        bad(
            "a negative token id",
            "DELETE",
            "/api/v1/me/tokens/-1",
            "mc.officer",
            404,
        ),
        bad(
            "a token id that is a word",
            "DELETE",
            "/api/v1/me/tokens/abc",
            "mc.officer",
            400,
        ),
        bad(
            "a token id beyond 64 bits",
            "DELETE",
            "/api/v1/me/tokens/99999999999999999999",
            "mc.officer",
            400,
        ),
        bad(
            "an agreement code that is not UTF-8",
            "GET",
            "/api/v1/agreements/%FF%FE",
            "auditor",
            400,
        ),
        bad(
            "a fund code that is not UTF-8",
            "GET",
            "/api/v1/funds/%C3%28/statement",
            "auditor",
            400,
        ),
        bad(
            "a token id that is not UTF-8",
            "DELETE",
            "/api/v1/me/tokens/%FF",
            "mc.officer",
            400,
        ),
        bad(
            "an unknown route",
            "GET",
            "/api/v1/nothing-here",
            "auditor",
            404,
        ),
        bad(
            "a method the route has not",
            "DELETE",
            "/api/v1/agreements/MC-BRS-2026-01",
            "mc.head",
            405,
        ),
        // Bad query parameters.
        bad(
            "limit=0",
            "GET",
            "/api/v1/agreements?limit=0",
            "auditor",
            400,
        ),
        bad(
            "limit=100000",
            "GET",
            "/api/v1/agreements?limit=100000",
            "auditor",
            400,
        ),
        bad(
            "a limit that is a word",
            "GET",
            "/api/v1/agreements?limit=ten",
            "auditor",
            400,
        ),
        bad(
            "a negative offset",
            "GET",
            "/api/v1/agreements?offset=-1",
            "auditor",
            400,
        ),
        bad(
            "an unknown agreement status",
            "GET",
            "/api/v1/agreements?status=bogus",
            "auditor",
            400,
        ),
        bad(
            "deliveries limit=0",
            "GET",
            "/api/v1/deliveries?limit=0",
            "auditor",
            400,
        ),
        bad(
            "deliveries limit=100000",
            "GET",
            "/api/v1/deliveries?limit=100000",
            "auditor",
            400,
        ),
        bad(
            "status=bogus",
            "GET",
            "/api/v1/deliveries?status=bogus",
            "auditor",
            400,
        ),
        bad(
            "deliveries offset that is a word",
            "GET",
            "/api/v1/deliveries?offset=x",
            "auditor",
            400,
        ),
        bad(
            "charges limit=0",
            "GET",
            "/api/v1/charges?limit=0",
            "auditor",
            400,
        ),
        bad(
            "charges limit=100000",
            "GET",
            "/api/v1/charges?limit=100000",
            "auditor",
            400,
        ),
        bad(
            "entries limit=100000",
            "GET",
            "/api/v1/ledger/entries?limit=100000",
            "auditor",
            400,
        ),
        bad(
            "entries offset=-3",
            "GET",
            "/api/v1/ledger/entries?offset=-3",
            "auditor",
            400,
        ),
        bad(
            "audit limit=0",
            "GET",
            "/api/v1/audit?limit=0",
            "auditor",
            400,
        ),
        bad(
            "audit before=abc",
            "GET",
            "/api/v1/audit?before=abc",
            "auditor",
            400,
        ),
        // Imports that are not files of deliveries.
        Bad {
            content_type: Some("text/csv"),
            body: b"".to_vec(),
            ..bad(
                "an empty import",
                "POST",
                "/api/v1/deliveries/import",
                "mc.officer",
                422,
            )
        },
        Bad {
            content_type: Some("text/csv"),
            body: b"hello\nworld\n".to_vec(),
            ..bad(
                "an import without the columns",
                "POST",
                "/api/v1/deliveries/import",
                "mc.officer",
                422,
            )
        },
        Bad {
            content_type: Some("text/csv"),
            body: vec![0xff, 0xfe, 0x00, 0x41, 0x0a],
            ..bad(
                "an import that is not text",
                "POST",
                "/api/v1/deliveries/import",
                "mc.officer",
                422,
            )
        },
        Bad {
            content_type: Some("text/csv"),
            body: delivery_csv("GOOD-1", "B-2", "2026-02-30").into_bytes(),
            ..bad(
                "an import with a bad row",
                "POST",
                "/api/v1/deliveries/import",
                "mc.officer",
                422,
            )
        },
        Bad {
            content_type: Some("text/csv"),
            body: delivery_csv("NOPE", "B-3", "2026-03-10").into_bytes(),
            // Named like any bad row of a file (`upload:2: agreement: unknown agreement
            // NOPE`), as the command line's import names it.
            ..bad(
                "an import under an unknown agreement",
                "POST",
                "/api/v1/deliveries/import",
                "mc.officer",
                422,
            )
        },
    ];
    let before = s.get(Some("auditor"), "/api/v1/audit?limit=1").ok();
    let mut failures = vec![];
    for c in &cases {
        let token = c.user.map(|u| s.token(u).to_string());
        let headers: Vec<(&str, &str)> = c
            .content_type
            .map(|ct| ("content-type", ct))
            .into_iter()
            .collect();
        let r = match c.method {
            "GET" => s.get_with(token.as_deref(), &c.path, &headers),
            "POST" => s.post_with(token.as_deref(), &c.path, &headers, &c.body),
            "DELETE" => s.delete_with(token.as_deref(), &c.path, &headers),
            other => unreachable!("{other}"),
        };
        let problem = r.header("content-type") == Some("application/problem+json")
            && serde_json::from_slice::<Value>(&r.body)
                .ok()
                .and_then(|d| d["detail"].as_str().map(|t| !t.trim().is_empty()))
                .unwrap_or(false);
        let status_ok = if c.status == 0 {
            (400..500).contains(&r.status)
        } else {
            r.status == c.status
        };
        if !status_ok || !problem {
            failures.push(format!(
                "{} ({} {}): expected {} problem, got {} {:?}: {}",
                c.what,
                c.method,
                c.path,
                c.status,
                r.status,
                r.header("content-type"),
                r.text()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad requests were not answered as they should be:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // None of them changed anything.
    assert_eq!(s.get(Some("auditor"), "/api/v1/audit?limit=1").ok(), before);
    assert!(s.get(Some("auditor"), "/api/v1/agreements/BAD-1").status == 404);
    assert_eq!(external_ids(&s.deliveries_of("GOOD-1", None)), ["G-1"]);
}

#[test]
fn oversized_bodies_are_refused_with_413() {
    let s = Server::start();
    let limit = synergies_web::MAX_BODY_BYTES;
    // Valid JSON, just too long: a title of more than the limit.
    let mut big = agreement_body("HUGE-1");
    big["title"] = json!("x".repeat(limit + 1));
    let body = big.to_string().into_bytes();
    let r = s.post_raw(
        Some("mc.officer"),
        "/api/v1/agreements",
        Some("application/json"),
        &body,
    );
    r.problem(413);
    let mut csv = delivery_csv("MC-BRS-2026-01", "HUGE", "2026-03-10").into_bytes();
    csv.resize(limit + 1024, b'\n');
    let r = s.post_raw(
        Some("mc.officer"),
        "/api/v1/deliveries/import",
        Some("text/csv"),
        &csv,
    );
    r.problem(413);
    let login = format!(
        r#"{{"username": "mc.officer", "password": "{}"}}"#,
        "p".repeat(limit)
    );
    let r = s.post_raw(
        None,
        "/api/v1/auth/token",
        Some("application/json"),
        login.as_bytes(),
    );
    r.problem(413);
    s.get(Some("auditor"), "/api/v1/agreements/HUGE-1")
        .problem(404);
    // Just under the limit is fine for an import (refused for its content, not its size).
    let mut csv = delivery_csv("MC-BRS-2026-01", "LARGE", "2026-03-10").into_bytes();
    csv.resize(limit - 1024, b'\n');
    let r = s.post_raw(
        Some("mc.officer"),
        "/api/v1/deliveries/import",
        Some("text/csv"),
        &csv,
    );
    assert_ne!(r.status, 413, "{}", r.text());
    assert!(r.status < 500, "{}", r.text());
}

#[test]
fn the_audit_trail_records_who_what_before_and_after() {
    let s = Server::start();
    s.draft("TRAIL-1");
    s.post(
        Some("mc.officer"),
        "/api/v1/agreements/TRAIL-1/propose",
        &json!({}),
    )
    .ok();
    let trail = s.get(Some("auditor"), "/api/v1/audit?subject=TRAIL-1").ok();
    let propose = items(&trail)
        .iter()
        .find(|e| e["action"] == "agreement.propose")
        .cloned()
        .unwrap_or_else(|| panic!("no proposal in {trail}"));
    assert_eq!(propose["actor"], "mc.officer");
    assert_eq!(propose["subject"], "TRAIL-1");
    assert!(
        propose["at"].as_str().is_some_and(|t| t.starts_with("20")),
        "{propose}"
    );
    assert_eq!(
        propose["detail"]["before"]["versions"][0]["status"], "draft",
        "{propose}"
    );
    assert_eq!(
        propose["detail"]["after"]["versions"][0]["status"], "proposed",
        "{propose}"
    );

    // A delivery, accepted; a user changed; a settlement: each by whom, with before and after.
    s.active("TRAIL-2");
    s.delivery("TRAIL-2", "TR-1", "2026-03-10");
    s.post(
        Some("brs.finance"),
        "/api/v1/deliveries/accept",
        &json!({"agreement": "TRAIL-2"}),
    )
    .ok();
    let trail = s
        .get(Some("auditor"), "/api/v1/audit?subject=TRAIL-2/TR-1")
        .ok();
    let recorded = &items(&trail)[0];
    assert_eq!(recorded["actor"], "mc.officer");
    assert_eq!(recorded["action"], "delivery.record");
    assert_eq!(recorded["detail"]["before"], Value::Null);
    assert_eq!(recorded["detail"]["after"]["external_id"], "TR-1");
    let trail = s
        .get(Some("auditor"), "/api/v1/audit?actor=brs.finance")
        .ok();
    let accepted = &items(&trail)[0];
    assert_eq!(accepted["action"], "deliveries.accept");
    assert_eq!(accepted["subject"], "TRAIL-2");
    assert_eq!(accepted["detail"]["after"]["status"], "accepted");

    s.post(
        Some("admin"),
        "/api/v1/users",
        &json!({"username": "mc.officer", "display_name": "Minamata programme officer",
                "grants": [{"role": "officer", "organisation": "MC"},
                           {"role": "finance", "organisation": "MC"}]}),
    )
    .ok();
    let trail = s
        .get(
            Some("auditor"),
            "/api/v1/audit?actor=admin&subject=mc.officer",
        )
        .ok();
    let changed = &items(&trail)[0];
    assert_eq!(changed["action"], "user.update");
    assert_eq!(
        changed["detail"]["before"]["grants"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        changed["detail"]["after"]["grants"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert!(
        !changed.to_string().contains("argon2"),
        "no hash in the trail: {changed}"
    );

    s.post(
        Some("brs.finance"),
        "/api/v1/settlements",
        &json!({"payer_fund": "BC", "provider_fund": "MCGTF", "currency": "USD",
                "amount": "10.00", "date": "2026-11-20", "reference": "TRAIL-TRANSFER"}),
    )
    .ok();
    let trail = s
        .get(Some("auditor"), "/api/v1/audit?subject=TRAIL-TRANSFER")
        .ok();
    let settled = items(&trail)
        .iter()
        .find(|e| e["actor"] == "brs.finance")
        .cloned()
        .unwrap_or_else(|| panic!("the settlement is not recorded as brs.finance's: {trail}"));
    assert!(settled["detail"]["before"].is_object(), "{settled}");
    assert!(settled["detail"]["after"].is_object(), "{settled}");

    // A token made through the API is audited, its secret never.
    let issued = s
        .post(
            Some("mc.head"),
            "/api/v1/me/tokens",
            &json!({"name": "approvals"}),
        )
        .ok();
    let trail = s.get(Some("auditor"), "/api/v1/audit?actor=mc.head").ok();
    assert_eq!(items(&trail)[0]["action"], "token.create");
    let secret = issued["token"].as_str().expect("a token");
    let everything = s.get(Some("auditor"), "/api/v1/audit?limit=500").ok();
    assert!(!everything.to_string().contains(secret));
    assert!(!everything.to_string().contains(PASSWORD));
}

fn check_headers(r: &Reply, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .or_else(|| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with("default-src"))
        })
        .unwrap_or_else(|| panic!("{what}: no script-src in {csp}"));
    assert!(!script_src.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!script_src.contains("unsafe-eval"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
}

#[test]
fn every_answer_carries_the_security_headers() {
    let s = Server::start();
    check_headers(&s.get(Some("auditor"), "/api/v1/agreements"), "a list");
    check_headers(&s.get(None, "/api/v1/agreements"), "a 401");
    check_headers(&s.get(Some("auditor"), "/api/v1/agreements/NOPE"), "a 404");
    check_headers(
        &s.post(Some("auditor"), "/api/v1/agreements", &agreement_body("X")),
        "a 403",
    );
    check_headers(
        &s.post_raw(
            Some("mc.officer"),
            "/api/v1/agreements",
            Some("application/json"),
            b"{",
        ),
        "a 400",
    );
    check_headers(&s.get(None, "/api/v1/openapi.json"), "the OpenAPI document");
    check_headers(&s.get(None, "/api/docs/"), "Swagger UI");
    let r = s.get(Some("auditor"), "/api/v1/me");
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    assert_eq!(r.header("server"), None, "no server banner");
}

#[test]
fn the_sign_in_throttle_stops_guessing() {
    // A long first wait, so that the test never depends on how fast it runs; the throttle per
    // client is tested in `security.rs`, with clients of several addresses.
    let s = Server::start_with(synergies_web::Settings {
        sign_in_delay: std::time::Duration::from_secs(600),
        free_failures_per_client: 50,
        ..synergies_web::Settings::default()
    });
    let login = |user: &str, password: &str| {
        s.post(
            None,
            "/api/v1/auth/token",
            &json!({"username": user, "password": password}),
        )
    };
    for _ in 0..5 {
        let detail = login("brs.head", "wrong password").problem(401);
        assert!(
            !detail.contains("brs.head"),
            "no hint which part was wrong: {detail}"
        );
    }
    // The client that guessed must wait now, even with the right password, and is told how
    // long.
    let r = login("brs.head", PASSWORD);
    let detail = r.problem(429);
    assert!(!detail.is_empty());
    let wait: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=600).contains(&wait), "{wait}");
    login("brs.head", "wrong password").problem(429);
    // No header the client sends resets the count.
    let body = serde_json::to_vec(&json!({"username": "brs.head", "password": PASSWORD})).unwrap();
    s.post_with(
        None,
        "/api/v1/auth/token",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", "203.0.113.7"),
        ],
        &body,
    )
    .problem(429);
    // Other users are not locked out by someone guessing one name.
    let token = s.login("brs.finance", PASSWORD);
    s.get_with(Some(&token), "/api/v1/me", &[]).ok();
    // An unknown user is refused the same way as a wrong password.
    let unknown = login("nobody", "whatever").problem(401);
    let wrong = login("mc.head", "whatever").problem(401);
    assert_eq!(unknown, wrong);
    // A successful sign-in forgets the account's earlier failures.
    for _ in 0..4 {
        login("mc.finance", "wrong password").problem(401);
    }
    s.login("mc.finance", PASSWORD);
    for _ in 0..4 {
        login("mc.finance", "wrong password").problem(401);
    }
    s.login("mc.finance", PASSWORD);
    // A deactivated user cannot sign in, and their tokens stop working.
    s.post(
        Some("admin"),
        "/api/v1/users",
        &json!({"username": "chb.officer", "grants": [{"role": "officer", "organisation": "CHB"}],
                "active": false}),
    )
    .ok();
    login("chb.officer", PASSWORD).problem(401);
    s.get(Some("chb.officer"), "/api/v1/me").problem(401);
}
