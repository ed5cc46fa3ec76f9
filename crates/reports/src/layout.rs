//! From a report model to a [`Document`] in one language: every text comes from the Fluent
//! files (`reports.ftl`), every figure from the model. Nothing is summed here.

use synergies_domain::Currency;
use synergies_i18n::{FluentValue, Lang};

use crate::doc::{Block, Cell, Chart, ChartKind, Cover, Document, Row, Section, Table};
use crate::model::{Amounts, ImplementationReport};

/// The snake-case name serde gives an enum value (`technical_assistance`), the tail of its key.
pub(crate) fn name_of<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) struct Writer {
    pub lang: Lang,
    pub currency: Currency,
}

impl Writer {
    pub fn t(&self, key: &str) -> String {
        self.lang.text(key)
    }

    pub fn tw(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, FluentValue<'static>)> = args
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.clone())))
            .collect();
        self.lang.text_with(key, &args)
    }

    /// The label of an enum value: `report-<kind>-<name>`.
    pub fn label<T: serde::Serialize>(&self, kind: &str, v: &T) -> String {
        self.t(&format!("report-{kind}-{}", name_of(v).replace('_', "-")))
    }

    pub fn money(&self, minor: i64) -> Cell {
        self.money_in(minor, self.currency)
    }

    pub fn money_in(&self, minor: i64, currency: Currency) -> Cell {
        Cell::Money {
            minor,
            decimals: currency.exponent(),
            text: self.lang.amount(minor, currency.exponent()),
        }
    }

    pub fn amount_text(&self, minor: i64) -> String {
        self.lang.amount(minor, self.currency.exponent())
    }

    pub fn amounts(&self, a: &Amounts, currency: Currency) -> [Cell; 3] {
        [
            self.money_in(a.direct, currency),
            self.money_in(a.psc, currency),
            self.money_in(a.total, currency),
        ]
    }

    /// Column titles from keys.
    pub fn columns(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.t(k)).collect()
    }

    pub fn date(&self, d: chrono::NaiveDate) -> String {
        let month = self.t(&format!("report-month-{}", chrono::Datelike::month(&d)));
        self.tw(
            "report-date",
            &[
                ("day", chrono::Datelike::day(&d).to_string()),
                ("month", month),
                ("year", chrono::Datelike::year(&d).to_string()),
            ],
        )
    }
}

pub(crate) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

pub(crate) fn row(cells: Vec<Cell>) -> Row {
    Row {
        cells,
        total: false,
    }
}

pub(crate) fn total_row(cells: Vec<Cell>) -> Row {
    Row { cells, total: true }
}

fn or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "—".to_string()
    } else {
        v.join(", ")
    }
}

/// Lays out the implementation report in `lang`.
pub fn implementation(r: &ImplementationReport, lang: Lang) -> Document {
    let w = Writer {
        lang,
        currency: r.currency,
    };
    let cur = r.currency.code().to_string();
    let ordinal_key = format!("report-ordinal-{}", r.meeting);
    let ordinal = match w.t(&ordinal_key) {
        t if t == ordinal_key => r.meeting.to_string(),
        t => t,
    };
    let dec = [
        ("decision", r.decision.clone()),
        ("biennium", r.biennium.clone()),
        ("next", r.next.clone()),
        ("meeting", r.meeting.to_string()),
        ("ordinal", ordinal),
        ("currency", cur.clone()),
    ];
    let title = w.tw("report-impl-title", &dec);
    let cover = Cover {
        body: w.tw(
            &format!("report-body-{}", r.treaty.to_lowercase()),
            &[("meeting", r.meeting.to_string())],
        ),
        symbol: r.symbol.clone(),
        distribution: w.t("report-distribution"),
        date: w.date(r.date),
        original: w.t("report-original"),
        meeting: w.tw("report-meeting", &dec),
        agenda: w.t("report-agenda"),
        title: title.clone(),
        summary: w.tw(
            "report-impl-summary",
            &[
                ("decision", r.decision.clone()),
                ("biennium", r.biennium.clone()),
                ("next", r.next.clone()),
                ("total", w.amount_text(r.costs.total.total)),
                ("currency", cur.clone()),
                ("agreements", r.agreements.len().to_string()),
                ("activities", r.activities.len().to_string()),
            ],
        ),
    };
    let mut sections = vec![];

    // I. Introduction and mandate.
    let mut blocks = vec![
        Block::Para(w.tw("report-impl-intro", &dec)),
        Block::Para(w.tw(
            "report-impl-decision-title",
            &[("title", r.decision_title.clone())],
        )),
    ];
    blocks.push(Block::Table(Table {
        id: "mandates".into(),
        caption: w.tw("report-mandates-caption", &dec),
        columns: w.columns(&[
            "report-col-paragraph",
            "report-col-request",
            "report-col-addressee",
            "report-col-tracking",
            "report-col-status",
            "report-col-activities",
            "report-col-note",
        ]),
        rows: r
            .mandates
            .iter()
            .map(|m| {
                row(vec![
                    text(&m.paragraph),
                    text(&m.text),
                    text(
                        m.actor
                            .as_deref()
                            .map(|a| w.t(&format!("report-actor-{}", a.replace('_', "-"))))
                            .unwrap_or_else(|| "—".into()),
                    ),
                    text(w.label("tracking", &m.tracking)),
                    text(w.label("mandate", &m.status)),
                    text(or_dash(&m.activities)),
                    text(
                        m.last_note
                            .as_ref()
                            .map(|(d, n)| format!("{} — {n}", w.date(*d)))
                            .unwrap_or_else(|| "—".into()),
                    ),
                ])
            })
            .collect(),
    }));
    sections.push(Section {
        heading: w.t("report-sec-mandate"),
        blocks,
    });

    // II. The stable framework.
    let mut blocks = vec![
        Block::Para(w.t("report-framework-intro")),
        Block::Para(w.t("report-principle-cost-recovery")),
        Block::Para(w.t("report-principle-autonomy")),
        Block::Para(w.t("report-principle-budget")),
    ];
    blocks.push(Block::Table(Table {
        id: "agreements".into(),
        caption: w.tw("report-agreements-caption", &dec),
        columns: w.columns(&[
            "report-col-agreement",
            "report-col-title",
            "report-col-kind",
            "report-col-provider",
            "report-col-recipients",
            "report-col-services",
            "report-col-ceiling",
            "report-col-psc-rate",
            "report-col-status",
        ]),
        rows: r
            .agreements
            .iter()
            .map(|a| {
                row(vec![
                    text(&a.code),
                    text(&a.title),
                    text(w.label("kind", &a.kind)),
                    text(format!("{} ({})", a.provider, a.provider_fund)),
                    text(
                        a.recipients
                            .iter()
                            .map(|(o, f)| format!("{o} ({f})"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    text(a.services.join("; ")),
                    w.money_in(a.ceiling_minor, a.currency),
                    text(
                        w.tw(
                            "report-percent",
                            &[(
                                "value",
                                (a.psc_rate * rust_decimal::Decimal::from(100))
                                    .normalize()
                                    .to_string()
                                    .replace('.', &w.t("number-decimal-separator")),
                            )],
                        ),
                    ),
                    text(w.tw(
                        "report-version-status",
                        &[
                            ("version", a.version.to_string()),
                            ("status", w.label("version", &a.status)),
                        ],
                    )),
                ])
            })
            .collect(),
    }));
    sections.push(Section {
        heading: w.t("report-sec-framework"),
        blocks,
    });

    // III. Services shared and costs recovered.
    let c = &r.costs;
    let mut blocks = vec![Block::Para(w.tw(
        "report-costs-intro",
        &[
            ("biennium", r.biennium.clone()),
            ("charges", c.charges.to_string()),
            ("deliveries", c.deliveries.to_string()),
            ("total", w.amount_text(c.total.total)),
            ("currency", cur.clone()),
        ],
    ))];
    let amount_cols = ["report-col-direct", "report-col-psc", "report-col-total"];
    let mut cols = w.columns(&[
        "report-col-provider",
        "report-col-recipient",
        "report-col-currency",
    ]);
    cols.extend(w.columns(&amount_cols));
    let mut rows: Vec<Row> = c
        .by_direction
        .iter()
        .map(|d| {
            let mut cells = vec![
                text(&d.provider),
                text(&d.recipient),
                text(d.currency.code()),
            ];
            cells.extend(w.amounts(&d.amounts, d.currency));
            row(cells)
        })
        .collect();
    let mut total = vec![text(w.t("report-total")), Cell::Empty, text(&cur)];
    total.extend(w.amounts(&c.total, r.currency));
    rows.push(total_row(total));
    blocks.push(Block::Table(Table {
        id: "costs-by-direction".into(),
        caption: w.t("report-by-direction-caption"),
        columns: cols,
        rows,
    }));
    blocks.push(Block::Chart(Chart {
        id: "chart-direction".into(),
        title: w.t("report-chart-direction"),
        kind: ChartKind::Bar,
        table: "costs-by-direction".into(),
        category_column: 0,
        value_columns: vec![3, 4],
    }));

    // By agreement (the services it covers), per quarter.
    let mut cols = w.columns(&[
        "report-col-agreement",
        "report-col-direction",
        "report-col-services",
    ]);
    cols.extend(c.quarters.iter().cloned());
    cols.extend(w.columns(&amount_cols));
    let mut rows: Vec<Row> = c
        .by_agreement
        .iter()
        .map(|a| {
            let mut cells = vec![
                text(&a.agreement),
                text(format!("{} → {}", a.provider, a.recipient)),
                text(a.services.join("; ")),
            ];
            cells.extend(a.by_quarter.iter().map(|q| w.money_in(*q, a.currency)));
            cells.extend(w.amounts(&a.amounts, a.currency));
            row(cells)
        })
        .collect();
    let mut total = vec![text(w.t("report-total")), Cell::Empty, Cell::Empty];
    total.extend(c.by_quarter.iter().map(|q| w.money(q.total)));
    total.extend(w.amounts(&c.total, r.currency));
    rows.push(total_row(total));
    let service_total_col = 3 + c.quarters.len() + 2;
    blocks.push(Block::Table(Table {
        id: "costs-by-service".into(),
        caption: w.t("report-by-service-caption"),
        columns: cols,
        rows,
    }));
    blocks.push(Block::Chart(Chart {
        id: "chart-service".into(),
        title: w.t("report-chart-service"),
        kind: ChartKind::Bar,
        table: "costs-by-service".into(),
        category_column: 0,
        value_columns: vec![service_total_col],
    }));
    blocks.push(Block::Para(w.t("report-by-service-note")));

    // By fund.
    let mut cols = w.columns(&[
        "report-col-provider-fund",
        "report-col-payer-fund",
        "report-col-currency",
    ]);
    cols.extend(w.columns(&amount_cols));
    let mut rows: Vec<Row> = c
        .by_fund
        .iter()
        .map(|f| {
            let mut cells = vec![
                text(&f.provider_fund),
                text(&f.payer_fund),
                text(f.currency.code()),
            ];
            cells.extend(w.amounts(&f.amounts, f.currency));
            row(cells)
        })
        .collect();
    let mut total = vec![text(w.t("report-total")), Cell::Empty, text(&cur)];
    total.extend(w.amounts(&c.total, r.currency));
    rows.push(total_row(total));
    blocks.push(Block::Table(Table {
        id: "costs-by-fund".into(),
        caption: w.t("report-by-fund-caption"),
        columns: cols,
        rows,
    }));
    // By quarter.
    let mut cols = w.columns(&["report-col-quarter"]);
    cols.extend(w.columns(&amount_cols));
    let mut rows: Vec<Row> = c
        .quarters
        .iter()
        .zip(&c.by_quarter)
        .map(|(q, a)| {
            let mut cells = vec![text(q)];
            cells.extend(w.amounts(a, r.currency));
            row(cells)
        })
        .collect();
    let mut total = vec![text(w.t("report-total"))];
    total.extend(w.amounts(&c.total, r.currency));
    rows.push(total_row(total));
    blocks.push(Block::Table(Table {
        id: "costs-by-quarter".into(),
        caption: w.t("report-by-quarter-caption"),
        columns: cols,
        rows,
    }));
    sections.push(Section {
        heading: w.t("report-sec-costs"),
        blocks,
    });

    // IV. Cooperation activities.
    let title_of = |en: &str, fr: &str| {
        if lang.code() == "fr" {
            fr.to_string()
        } else {
            en.to_string()
        }
    };
    let mut blocks = vec![Block::Para(w.tw("report-activities-intro", &dec))];
    let mut rows: Vec<Row> = r
        .activities
        .iter()
        .map(|a| {
            row(vec![
                text(&a.code),
                text(title_of(&a.title_en, &a.title_fr)),
                text(w.label("category", &a.category)),
                text(&a.lead),
                text(or_dash(&a.partners)),
                text(or_dash(&a.mandates)),
                text(w.label("funding", &a.funding)),
                text(w.label("status", &a.status)),
                w.money(a.total),
            ])
        })
        .collect();
    rows.push(total_row(vec![
        text(w.t("report-total")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        w.money(r.activities_total),
    ]));
    blocks.push(Block::Table(Table {
        id: "activities".into(),
        caption: w.tw("report-activities-caption", &dec),
        columns: w.columns(&[
            "report-col-code",
            "report-col-title",
            "report-col-category",
            "report-col-lead",
            "report-col-partners",
            "report-col-mandate",
            "report-col-funding",
            "report-col-status",
            "report-col-estimate",
        ]),
        rows,
    }));
    let mut rows: Vec<Row> = r
        .by_status
        .iter()
        .map(|s| {
            row(vec![
                text(w.label("status", &s.status)),
                Cell::Count(s.count as i64),
                w.money(s.total),
            ])
        })
        .collect();
    rows.push(total_row(vec![
        text(w.t("report-total")),
        Cell::Count(r.activities.len() as i64),
        w.money(r.activities_total),
    ]));
    blocks.push(Block::Table(Table {
        id: "activities-by-status".into(),
        caption: w.t("report-by-status-caption"),
        columns: w.columns(&[
            "report-col-status",
            "report-col-count",
            "report-col-estimate",
        ]),
        rows,
    }));
    blocks.push(Block::Chart(Chart {
        id: "chart-status".into(),
        title: w.t("report-chart-status"),
        kind: ChartKind::Bar,
        table: "activities-by-status".into(),
        category_column: 0,
        value_columns: vec![1],
    }));
    if !r.action_items.is_empty() {
        blocks.push(Block::Table(Table {
            id: "task-force-actions".into(),
            caption: w.t("report-actions-caption"),
            columns: w.columns(&[
                "report-col-code",
                "report-col-action",
                "report-col-owner",
                "report-col-due",
                "report-col-status",
            ]),
            rows: r
                .action_items
                .iter()
                .map(|a| {
                    row(vec![
                        text(&a.code),
                        text(&a.title),
                        text(&a.owner),
                        text(w.date(a.due)),
                        text(w.label("action", &a.status)),
                    ])
                })
                .collect(),
        }));
    }
    sections.push(Section {
        heading: w.t("report-sec-activities"),
        blocks,
    });

    // V. Training of chairs and potential negotiators.
    let t = &r.training;
    let mut blocks = vec![Block::Para(w.tw(
        "report-training-intro",
        &[
            ("events", t.events.len().to_string()),
            ("participants", t.total.total.to_string()),
            ("women", t.total.female.to_string()),
        ],
    ))];
    blocks.push(Block::Table(Table {
        id: "training-events".into(),
        caption: w.t("report-events-caption"),
        columns: w.columns(&[
            "report-col-code",
            "report-col-title",
            "report-col-bodies",
            "report-col-dates",
            "report-col-place",
            "report-col-participants",
            "report-col-women",
        ]),
        rows: t
            .events
            .iter()
            .map(|e| {
                row(vec![
                    text(&e.code),
                    text(&e.title),
                    text(e.bodies.join(", ")),
                    text(format!("{} – {}", w.date(e.start), w.date(e.end))),
                    text(e.place.clone().unwrap_or_else(|| w.t("report-online"))),
                    Cell::Count(e.participants as i64),
                    Cell::Count(e.women as i64),
                ])
            })
            .collect(),
    }));
    let mut rows: Vec<Row> = t
        .by_region
        .iter()
        .map(|(region, g)| {
            row(vec![
                text(w.label("region", region)),
                Cell::Count(g.female as i64),
                Cell::Count(g.male as i64),
                Cell::Count(g.other as i64),
                Cell::Count(g.total as i64),
            ])
        })
        .collect();
    rows.push(total_row(vec![
        text(w.t("report-total")),
        Cell::Count(t.total.female as i64),
        Cell::Count(t.total.male as i64),
        Cell::Count(t.total.other as i64),
        Cell::Count(t.total.total as i64),
    ]));
    blocks.push(Block::Table(Table {
        id: "participants".into(),
        caption: w.t("report-participants-caption"),
        columns: w.columns(&[
            "report-col-region",
            "report-gender-female",
            "report-gender-male",
            "report-gender-other",
            "report-col-total",
        ]),
        rows,
    }));
    blocks.push(Block::Chart(Chart {
        id: "chart-participants".into(),
        title: w.t("report-chart-participants"),
        kind: ChartKind::Bar,
        table: "participants".into(),
        category_column: 0,
        value_columns: vec![1, 2, 3],
    }));
    if !t.contributions.is_empty() {
        blocks.push(Block::Table(Table {
            id: "training-contributions".into(),
            caption: w.t("report-training-contributions-caption"),
            columns: w.columns(&[
                "report-col-organisation",
                "report-col-staff-days",
                "report-col-amount",
            ]),
            rows: t
                .contributions
                .iter()
                .map(|(o, d, a)| {
                    row(vec![
                        text(o),
                        text(
                            d.normalize()
                                .to_string()
                                .replace('.', &w.t("number-decimal-separator")),
                        ),
                        w.money(*a),
                    ])
                })
                .collect(),
        }));
    }
    sections.push(Section {
        heading: w.t("report-sec-training"),
        blocks,
    });

    // VI. Budget implications per fund.
    let fund_cells = |f: &crate::model::FundRow| {
        vec![
            w.money(f.budget),
            w.money(f.income_direct),
            w.money(f.income_psc),
            w.money(f.services_received),
            w.money(f.net),
            w.money(f.activities),
        ]
    };
    let mut rows: Vec<Row> = r
        .funds
        .iter()
        .map(|f| {
            let mut cells = vec![text(&f.fund), text(&f.organisation), text(&f.name)];
            cells.extend(fund_cells(f));
            row(cells)
        })
        .collect();
    let mut total = vec![text(w.t("report-total")), Cell::Empty, Cell::Empty];
    total.extend(fund_cells(&r.funds_total));
    rows.push(total_row(total));
    sections.push(Section {
        heading: w.t("report-sec-budget"),
        blocks: vec![
            Block::Para(w.tw("report-budget-intro", &dec)),
            Block::Table(Table {
                id: "budget-by-fund".into(),
                caption: w.tw("report-budget-caption", &dec),
                columns: w.columns(&[
                    "report-col-fund",
                    "report-col-organisation",
                    "report-col-fund-name",
                    "report-col-budget",
                    "report-col-income-direct",
                    "report-col-income-psc",
                    "report-col-services-received",
                    "report-col-net",
                    "report-col-activities-estimate",
                ]),
                rows,
            }),
        ],
    });

    // Annex: planned activities of the next biennium.
    let a = &r.annex;
    let mut cols = w.columns(&[
        "report-col-category",
        "report-col-title",
        "report-col-lead",
        "report-col-partners",
        "report-col-mandate",
    ]);
    cols.extend(a.organisations.iter().cloned());
    cols.extend(w.columns(&[
        "report-col-funding",
        "report-col-current-level",
        "report-col-projected-needs",
    ]));
    let mut rows: Vec<Row> = a
        .activities
        .iter()
        .map(|x| {
            let mut cells = vec![
                text(w.label("category", &x.category)),
                text(title_of(&x.title_en, &x.title_fr)),
                text(&x.lead),
                text(or_dash(&x.partners)),
                text(or_dash(&x.mandates)),
            ];
            cells.extend(
                a.organisations
                    .iter()
                    .map(|o| w.money(x.by_organisation.get(o).copied().unwrap_or(0))),
            );
            cells.push(text(w.label("funding", &x.funding)));
            cells.push(match x.current_level {
                Some(c) => w.money(c),
                None => text(w.t("report-new-activity")),
            });
            cells.push(w.money(x.total));
            row(cells)
        })
        .collect();
    let mut total = vec![
        text(w.t("report-total")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ];
    total.extend(a.by_organisation.iter().map(|v| w.money(*v)));
    total.push(Cell::Empty);
    total.push(w.money(a.total_current));
    total.push(w.money(a.total_projected));
    rows.push(total_row(total));
    let mut scen: Vec<Row> = a
        .by_fund
        .iter()
        .map(|s| {
            row(vec![
                text(&s.key),
                w.money(s.current_level),
                w.money(s.projected_needs),
                w.money(s.difference),
            ])
        })
        .collect();
    scen.push(total_row(vec![
        text(w.t("report-total")),
        w.money(a.scenarios_total.current_level),
        w.money(a.scenarios_total.projected_needs),
        w.money(a.scenarios_total.difference),
    ]));
    sections.push(Section {
        heading: w.tw("report-sec-annex", &dec),
        blocks: vec![
            Block::Para(w.tw("report-annex-intro", &dec)),
            Block::Table(Table {
                id: "annex-planned".into(),
                caption: w.tw("report-annex-caption", &dec),
                columns: cols,
                rows,
            }),
            Block::Table(Table {
                id: "annex-scenarios".into(),
                caption: w.tw("report-scenarios-caption", &dec),
                columns: w.columns(&[
                    "report-col-fund",
                    "report-col-current-level",
                    "report-col-projected-needs",
                    "report-col-difference",
                ]),
                rows: scen,
            }),
            Block::Chart(Chart {
                id: "chart-scenarios".into(),
                title: w.tw("report-chart-scenarios", &dec),
                kind: ChartKind::Bar,
                table: "annex-scenarios".into(),
                category_column: 0,
                value_columns: vec![1, 2],
            }),
        ],
    });

    Document {
        lang: lang.code(),
        dir: lang.direction().to_string(),
        title,
        cover,
        sections,
        page_label: w.t("report-page"),
        chart_note: w.tw("report-chart-note", &[("currency", cur)]),
    }
}
