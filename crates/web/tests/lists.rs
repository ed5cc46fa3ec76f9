//! A list is searched, sorted and totalled as its reader asks, and exported as shown to CSV
//! (machine format) and XLSX (amounts as numbers).

mod common;

use common::*;

#[test]
fn the_agreements_list_is_searched_sorted_totalled_and_exported_as_shown() {
    let s = Server::start();
    let cookie = s.page_cookie("auditor", Some("en"));
    let all = s.store.agreements().unwrap();
    let wanted: Vec<&synergies_domain::agreement::Agreement> =
        all.iter().filter(|a| a.code.contains("MC-BRS")).collect();
    assert!(
        wanted.len() >= 2 && wanted.len() < all.len(),
        "the search leaves some out"
    );
    let in_force = |a: &synergies_domain::agreement::Agreement| {
        a.active_version().unwrap_or(a.latest()).ceiling_minor
    };
    let mut by_ceiling: Vec<(i64, String)> = wanted
        .iter()
        .map(|a| (in_force(a), a.code.clone()))
        .collect();
    by_ceiling.sort();
    by_ceiling.reverse();

    let page = s
        .get_with(
            None,
            "/agreements?q=mc-brs&sort=ceiling&dir=desc",
            &[("cookie", &cookie)],
        )
        .text();
    let shown: Vec<String> = all
        .iter()
        .filter(|a| page.contains(&format!("/agreements/{}\"", a.code)))
        .map(|a| a.code.clone())
        .collect();
    let mut order: Vec<(usize, String)> = shown
        .iter()
        .map(|c| (page.find(&format!("/agreements/{c}\"")).unwrap(), c.clone()))
        .collect();
    order.sort();
    let order: Vec<String> = order.into_iter().map(|(_, c)| c).collect();
    let expected: Vec<String> = by_ceiling.iter().map(|(_, c)| c.clone()).collect();
    assert_eq!(
        order, expected,
        "the agreements found (in any case) sorted by ceiling, largest first"
    );
    assert!(
        page.contains(&format!("{} agreements", expected.len())),
        "the count"
    );
    assert!(page.contains("aria-sort=\"descending\""));

    let csv = s.get_with(
        None,
        "/agreements?q=mc-brs&sort=ceiling&dir=desc&format=csv",
        &[("cookie", &cookie)],
    );
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[6].to_string())
        })
        .collect();
    let expected_rows: Vec<(String, String)> = by_ceiling
        .iter()
        .map(|(minor, code)| (code.clone(), format!("{}.{:02}", minor / 100, minor % 100)))
        .collect();
    assert_eq!(
        rows, expected_rows,
        "the CSV holds the rows shown, amounts exact"
    );

    let xlsx = s.get_with(
        None,
        "/agreements?q=mc-brs&sort=ceiling&dir=desc&format=xlsx",
        &[("cookie", &cookie)],
    );
    assert_eq!(xlsx.status, 200);
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.body.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let first = sheet.get((2, 6)).expect("the first row's ceiling");
    assert_eq!(
        first,
        &calamine::Data::Float(by_ceiling[0].0 as f64 / 100.0),
        "a number, not a text"
    );
    let bad = s.get_with(None, "/agreements?format=odt", &[("cookie", &cookie)]);
    assert!(bad.status >= 400 && bad.status < 500);
}
