//! The report model on the demo data: its totals are the ledger's, and the renderers escape
//! what they are given.

use chrono::NaiveDate;
use synergies_domain::ledger::Account;
use synergies_i18n::Lang;
use synergies_reports::doc::{
    Block, Cell, Clause, Cover, Document, DraftDecision, Row, Section, Table,
};
use synergies_reports::model::{implementation, ImplementationOptions};
use synergies_reports::{layout, render, Format};

fn demo() -> Box<dyn synergies_store::Store> {
    let store = synergies_store::open("sqlite::memory:").unwrap();
    synergies_app::demo::seed(store.as_ref()).unwrap();
    store
}

fn options() -> ImplementationOptions {
    ImplementationOptions {
        decision: "MC-6/20".into(),
        biennium: "2026-2027".into(),
        next: "2028-2029".into(),
        symbol: None,
        date: NaiveDate::from_ymd_opt(2027, 5, 3).unwrap(),
    }
}

#[test]
fn the_models_totals_are_the_ledgers() {
    let store = demo();
    let r = implementation(store.as_ref(), &options()).unwrap();
    let tb = store.trial_balance().unwrap();
    let usd = synergies_domain::Currency::USD;
    for f in &r.funds {
        assert_eq!(
            f.income_direct,
            -tb.balance(&f.fund, &Account::CostRecoveryIncome, usd),
            "{}",
            f.fund
        );
        assert_eq!(f.income_psc, -tb.balance(&f.fund, &Account::PscIncome, usd));
        assert_eq!(
            f.services_received,
            tb.balance(&f.fund, &Account::ServicesReceived, usd)
        );
    }
    // Every view of the costs adds up to the same total.
    let t = r.costs.total;
    assert!(t.total > 0);
    assert_eq!(t.direct + t.psc, t.total);
    let sum = |it: &mut dyn Iterator<Item = i64>| it.sum::<i64>();
    assert_eq!(
        sum(&mut r.costs.by_direction.iter().map(|d| d.amounts.total)),
        t.total
    );
    assert_eq!(
        sum(&mut r.costs.by_fund.iter().map(|d| d.amounts.total)),
        t.total
    );
    assert_eq!(
        sum(&mut r.costs.by_agreement.iter().map(|d| d.amounts.total)),
        t.total
    );
    assert_eq!(
        sum(&mut r.costs.by_quarter.iter().map(|d| d.total)),
        t.total
    );
    assert_eq!(r.funds_total.income_direct, t.direct);
    assert_eq!(r.funds_total.services_received, t.total);
    // The annex: both scenarios, per fund and in total.
    let a = &r.annex;
    assert!(!a.activities.is_empty());
    assert_eq!(
        sum(&mut a.by_fund.iter().map(|s| s.projected_needs)),
        a.total_projected
    );
    assert_eq!(
        sum(&mut a.by_organisation.iter().copied()),
        a.total_projected
    );
    assert!(
        a.total_projected > a.total_current,
        "2028-2029 rate cards are higher"
    );
    assert_eq!(r.symbol, "UNEP/MC/COP.7/xx");
}

#[test]
fn unknown_decisions_and_bienniums_are_refused() {
    let store = demo();
    let mut o = options();
    o.decision = "MC-9/99".into();
    let e = implementation(store.as_ref(), &o).unwrap_err().to_string();
    assert!(
        e.contains("unknown decision MC-9/99") && e.contains("MC-6/20"),
        "{e}"
    );
    let mut o = options();
    o.next = "2098-2099".into();
    let e = implementation(store.as_ref(), &o).unwrap_err().to_string();
    assert!(e.contains("unknown biennium 2098-2099"), "{e}");
}

fn hostile() -> Document {
    let evil = "<script>alert('x')</script> & \"q\" #set *b* $m$ [c] @r";
    Document {
        lang: "en".into(),
        dir: "ltr".into(),
        title: evil.into(),
        cover: Cover {
            organisation: evil.into(),
            programme: evil.into(),
            mark: evil.into(),
            venue: evil.into(),
            agenda_title: evil.into(),
            footnote: evil.into(),
            note_by: evil.into(),
            summary: evil.into(),
            ..Cover::plain(evil.into(), evil.into(), String::new(), evil.into())
        },
        sections: vec![Section {
            number: Some(evil.into()),
            annex: None,
            heading: evil.into(),
            blocks: vec![
                Block::Para(evil.into()),
                Block::Numbered(1, evil.into()),
                Block::Decision(DraftDecision {
                    title: evil.into(),
                    opening: evil.into(),
                    preamble: vec![Clause {
                        lead: evil.into(),
                        rest: evil.into(),
                    }],
                    operative: vec![Clause {
                        lead: evil.into(),
                        rest: evil.into(),
                    }],
                }),
                Block::Table(Table {
                    id: "t".into(),
                    caption: evil.into(),
                    columns: vec![evil.into(), "n".into()],
                    rows: vec![Row {
                        cells: vec![
                            Cell::Text(evil.into()),
                            Cell::Money {
                                minor: 12345,
                                decimals: 2,
                                text: "123.45".into(),
                            },
                        ],
                        total: false,
                    }],
                }),
            ],
        }],
        page_label: String::new(),
        author: evil.into(),
        issued: chrono::NaiveDate::from_ymd_opt(2027, 5, 3).unwrap(),
    }
}

#[test]
fn renderers_escape_what_they_are_given() {
    let doc = hostile();
    let html = String::from_utf8(render(&doc, Format::Html).unwrap()).unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
    // Typst would fail on unescaped markup; the PDF compiles.
    let pdf = render(&doc, Format::Pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(render(&doc, Format::Docx).unwrap().starts_with(b"PK"));
    assert!(render(&doc, Format::Xlsx).unwrap().starts_with(b"PK"));
}

#[test]
fn a_right_to_left_language_sets_the_direction() {
    let store = demo();
    let r = implementation(store.as_ref(), &options()).unwrap();
    let mut doc = layout::implementation(&r, Lang::english());
    assert_eq!(doc.dir, "ltr");
    doc.dir = "rtl".into();
    let html = String::from_utf8(render(&doc, Format::Html).unwrap()).unwrap();
    assert!(html.contains("dir=\"rtl\""));
    let (markup, _) = synergies_reports::render::pdf::markup(&doc);
    assert!(markup.contains("dir: rtl"));
}
