//! Every text a page shows comes from the translation files: each main page (and refused
//! form) rendered in French holds none of the English texts of the catalogue.
//!
//! The catalogue's English texts are the values of `locales/en/*.ftl` that French writes
//! differently; each is cut at its placeables (`{ $count }`) into the fragments a page would
//! show verbatim, and a fragment of three words or more found in the French page's text is an
//! English text that reached a French reader. Names and titles of the records themselves
//! (organisations, funds, services, agreements, activities, training events), which the data
//! holds in one language, are not the catalogue's texts and are left out.

mod common;

use std::collections::BTreeMap;

use common::*;

/// The single-line messages of one language's files, key → text.
fn catalogue(lang: &str) -> BTreeMap<String, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../i18n/locales")
        .join(lang);
    let mut out = BTreeMap::new();
    for file in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for line in text.lines() {
            if line.starts_with(|c: char| c.is_ascii_lowercase()) {
                if let Some((key, value)) = line.split_once(" = ") {
                    out.insert(key.trim().to_string(), value.trim().to_string());
                }
            }
        }
    }
    out
}

/// The English fragments a French page must not hold.
fn english_fragments() -> Vec<(String, String)> {
    let en = catalogue("en");
    let fr = catalogue("fr");
    let mut out = vec![];
    for (key, text) in &en {
        if fr.get(key) == Some(text) {
            continue; // written the same in both (codes, names of the data)
        }
        for fragment in text.split(['{', '}']).step_by(2) {
            let fragment = fragment
                .trim()
                .trim_end_matches([':', '.', ',', '(', ')'])
                .trim();
            if fragment.split_whitespace().count() >= 3 {
                out.push((key.clone(), fragment.to_string()));
            }
        }
    }
    out
}

/// The text of an HTML page as a reader sees it: tags, scripts and entities out.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let tail = &rest[start..];
        let skip_to = if tail.starts_with("<script") {
            tail.find("</script>").map(|e| e + 9)
        } else if tail.starts_with("<title") {
            Some(tail.find('>').map(|e| e + 1).unwrap_or(tail.len()))
        } else {
            tail.find('>').map(|e| e + 1)
        };
        rest = &tail[skip_to.unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_french_reader_meets_no_english_text_of_the_catalogue() {
    let fragments = english_fragments();
    assert!(
        fragments.len() > 100,
        "the catalogue has English texts to look for: {}",
        fragments.len()
    );
    let s = Server::start();
    let cookie = s.page_cookie("mc.officer", Some("fr"));
    let agreement = s.store.agreements().unwrap()[0].code.clone();
    let activity = s.store.activities(None).unwrap().into_iter().next();
    let mut pages = vec![
        "/".to_string(),
        "/agreements".into(),
        "/agreements/new".into(),
        format!("/agreements/{agreement}"),
        format!("/agreements/{agreement}/amend"),
        "/deliveries".into(),
        "/deliveries?status=charged".into(),
        "/charges".into(),
        "/funds/MCGTF".into(),
        "/ledger".into(),
        "/decisions".into(),
        "/activities".into(),
        "/activities/new".into(),
        "/training".into(),
        "/taskforce".into(),
        "/reports".into(),
        "/framework".into(),
        "/services".into(),
        "/exchange-rates".into(),
        "/audit".into(),
        "/account".into(),
    ];
    if let Some(a) = activity {
        pages.push(format!("/activities/{}/{}", a.biennium, a.code));
    }
    let me = s.get_with(None, "/api/v1/me", &[("cookie", &cookie)]).ok();
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let mut shown: Vec<(String, String)> = vec![];
    for page in &pages {
        let reply = s.get_with(None, page, &[("cookie", &cookie)]);
        assert_eq!(reply.status, 200, "{page}: {}", reply.text());
        shown.push((page.clone(), visible_text(&reply.text())));
    }
    // Refused forms: every field's message.
    for (path, body) in [
        (
            "/agreements",
            format!("csrf={csrf}&ceiling=beaucoup&line-service=&line-quantity=x"),
        ),
        ("/activities", format!("csrf={csrf}")),
        ("/deliveries", format!("csrf={csrf}&quantity=x")),
    ] {
        let reply = s.post_with(
            None,
            path,
            &[
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        );
        assert!(reply.status < 500, "{path}: {}", reply.text());
        shown.push((format!("refused {path}"), visible_text(&reply.text())));
    }
    let framework = s.store.framework().unwrap();
    let mut names: Vec<String> = vec![];
    names.extend(framework.organisations.iter().map(|o| o.name.clone()));
    names.extend(framework.conventions.iter().map(|c| c.name.clone()));
    names.extend(framework.funds.iter().map(|f| f.name.clone()));
    names.extend(framework.services.iter().map(|s| s.name.clone()));
    names.extend(
        s.store
            .agreements()
            .unwrap()
            .iter()
            .map(|a| a.title.clone()),
    );
    names.extend(
        s.store
            .training_events()
            .unwrap()
            .iter()
            .map(|t| t.title.clone()),
    );
    let of_the_data = |fragment: &str| names.iter().any(|n| n.contains(fragment));
    let mut found = vec![];
    for (page, text) in &shown {
        for (key, fragment) in &fragments {
            if text.contains(fragment.as_str()) && !of_the_data(fragment) {
                found.push(format!("{page}: {key}: {fragment:?}"));
            }
        }
    }
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "English texts on French pages ({}):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_kind_of_audit_event_has_a_name_in_every_language() {
    for lang in synergies_i18n::Lang::all() {
        for action in synergies_app::AuditAction::ALL {
            let key = format!("audit-action-{}", action.as_str().replace(['.', '_'], "-"));
            assert_ne!(lang.text(&key), key, "{} has no {key}", lang.code());
        }
    }
}

#[test]
fn the_audit_trail_reads_in_the_readers_language() {
    let s = Server::start();
    let cookie = s.page_cookie("auditor", Some("fr"));
    let html = s.get_with(None, "/audit", &[("cookie", &cookie)]).text();
    let text = visible_text(&html);
    assert!(text.contains("Accord approuvé"), "{text}");
    assert!(
        !text.contains("agreement.approve"),
        "no action code is shown as text: {text}"
    );
    assert!(text.contains(" UTC"), "times say their zone: {text}");
    assert!(!regex_like_timestamp(&text), "no raw timestamp: {text}");
    assert!(text.contains("Ce qui a changé"), "{text}");
}

/// Whether the text holds a timestamp as the database stores it (`2026-12-01T21:46:28`).
fn regex_like_timestamp(text: &str) -> bool {
    text.as_bytes().windows(19).any(|w| {
        w[4] == b'-'
            && w[7] == b'-'
            && w[10] == b'T'
            && w[13] == b':'
            && w[16] == b':'
            && w[..4].iter().all(u8::is_ascii_digit)
    })
}
