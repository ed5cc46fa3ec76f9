//! Numbers as a French reader types them into the pages' forms (`0,13`, `80 000,50`) are
//! read exactly, as the English and machine forms are.

mod common;

use common::*;

/// A session of `user` reading the pages in `lang`: its cookie header and CSRF token.
fn session(s: &Server, user: &str, lang: &str) -> (String, String) {
    let cookie = s.page_cookie(user, Some(lang));
    let me = s.get_with(None, "/api/v1/me", &[("cookie", &cookie)]).ok();
    let csrf = me["csrf_token"].as_str().expect("a CSRF token").to_string();
    (cookie, csrf)
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn post_form(s: &Server, cookie: &str, path: &str, body: &[u8]) -> u16 {
    s.post_with(
        None,
        path,
        &[
            ("cookie", cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        body,
    )
    .status
}

#[test]
fn a_french_reader_types_numbers_the_french_way() {
    let s = Server::start();
    let (cookie, csrf) = session(&s, "mc.officer", "fr");
    let status = post_form(
        &s,
        &cookie,
        "/agreements",
        &form(&[
            ("csrf", &csrf),
            ("code", "MC-BRS-FR-1"),
            ("title", "Conseil juridique"),
            ("provider", "MC"),
            ("provider_fund", "MCGTF"),
            ("line-service", "MC-LEGAL"),
            ("line-quantity", "12,5"),
            ("payer-organisation", "BRS"),
            ("payer-fund", "BC"),
            ("payer-share", ""),
            ("biennium", "2026-2027"),
            ("currency", "USD"),
            ("ceiling", "80\u{202F}000,50"),
            ("psc_rate", "13 %"),
        ]),
    );
    assert!(status < 400, "the agreement is drafted: {status}");
    let a = s
        .get(Some("auditor"), "/api/v1/agreements/MC-BRS-FR-1")
        .ok();
    let text = a.to_string();
    assert!(text.contains("8000050"), "the ceiling to the cent: {text}");
    assert!(text.contains("\"0.13\""), "13 % is 0.13: {text}");
    assert!(text.contains("\"12.5\""), "the estimate: {text}");

    // A number that is none in French is refused, and nothing is drafted.
    let status = post_form(
        &s,
        &cookie,
        "/agreements",
        &form(&[
            ("csrf", &csrf),
            ("code", "MC-BRS-FR-2"),
            ("title", "Conseil juridique"),
            ("provider", "MC"),
            ("provider_fund", "MCGTF"),
            ("line-service", "MC-LEGAL"),
            ("line-quantity", ""),
            ("payer-organisation", "BRS"),
            ("payer-fund", "BC"),
            ("biennium", "2026-2027"),
            ("currency", "USD"),
            ("ceiling", "80,000,50"),
        ]),
    );
    assert_eq!(status, 422, "a ceiling of 80,000,50 is refused");
    let missing = s.get(Some("auditor"), "/api/v1/agreements/MC-BRS-FR-2");
    assert_eq!(missing.status, 404);
}
