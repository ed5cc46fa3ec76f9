//! The IATI 2.03 activity file (`iati-activities`) of the cooperation activities of one
//! biennium.
//!
//! Each activity gives: its identifier (the publisher's organisation identifier, the biennium
//! and the activity's code), the reporting organisation, its title and description in English
//! and French, the organisations taking part (the lead as accountable and implementing, the
//! partners as implementing, those contributing as funding), its status, its planned start and
//! end (the biennium's), a DAC sector, and one budget per calendar year of the biennium: the
//! estimated cost, split between the years by largest remainder so that the budgets add up to
//! the estimate to the minor unit.
//!
//! Codes used (IATI codelists): ActivityStatus, ActivityDateType (1 planned start, 3 planned
//! end), OrganisationRole (1 funding, 2 accountable, 4 implementing), BudgetType 1 (original),
//! BudgetStatus 1 (indicative), DescriptionType 1 (general), SectorVocabulary 1 (DAC 5-digit).

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{Datelike, NaiveDate};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use rust_decimal::Decimal;
use synergies_domain::activity::{Activity, ActivityCategory, ActivityStatus, PricedContribution};
use synergies_domain::allocation::split_largest_remainder;
use synergies_domain::model::{Biennium, Organisation};
use synergies_domain::Currency;
use synergies_i18n::{FluentValue, Lang};

use crate::{OpenDataError, OpenDataResult};

/// The organisation that publishes the file (IATI's reporting organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// Its IATI organisation identifier, such as `XM-DAC-41116`.
    pub reference: String,
    pub name: String,
    /// IATI OrganisationType code (40: multilateral).
    pub org_type: String,
}

impl Default for Publisher {
    /// The United Nations Environment Programme, which administers the secretariats.
    fn default() -> Self {
        Publisher {
            reference: "XM-DAC-41116".into(),
            name: "United Nations Environment Programme".into(),
            org_type: "40".into(),
        }
    }
}

/// An activity with its estimated cost per contributing organisation.
#[derive(Debug, Clone, Copy)]
pub struct PricedActivity<'a> {
    pub activity: &'a Activity,
    pub costs: &'a [PricedContribution],
}

/// Everything one file says.
#[derive(Debug, Clone)]
pub struct IatiFile<'a> {
    pub publisher: &'a Publisher,
    pub biennium: &'a Biennium,
    /// The currency of the biennium's estimates.
    pub currency: Currency,
    /// Names of the organisations the activities name.
    pub organisations: &'a [Organisation],
    pub activities: Vec<PricedActivity<'a>>,
    /// When the file was generated (RFC 3339).
    pub generated: String,
}

/// One budget element: a calendar year (or the part of it the biennium covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearBudget {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub value_minor: i64,
}

/// Splits an estimate over the calendar years that `[start, end]` covers, in equal weights by
/// largest remainder: the parts add up to `total_minor` exactly, and no period spans more than
/// one year.
pub fn year_budgets(
    start: NaiveDate,
    end: NaiveDate,
    total_minor: i64,
) -> OpenDataResult<Vec<YearBudget>> {
    if end < start {
        return Err(OpenDataError::Invalid(format!(
            "a budget period cannot end ({end}) before it starts ({start})"
        )));
    }
    let mut periods = vec![];
    for year in start.year()..=end.year() {
        let from = start.max(NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"));
        let to = end.min(NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December"));
        periods.push((from, to));
    }
    let parts = split_largest_remainder(total_minor, &vec![Decimal::ONE; periods.len()])
        .map_err(|e| OpenDataError::Invalid(e.to_string()))?;
    Ok(periods
        .into_iter()
        .zip(parts)
        .map(|((start, end), value_minor)| YearBudget {
            start,
            end,
            value_minor,
        })
        .collect())
}

fn status_code(s: ActivityStatus) -> &'static str {
    match s {
        ActivityStatus::Planned => "1",   // pipeline/identification
        ActivityStatus::Ongoing => "2",   // implementation
        ActivityStatus::Completed => "3", // finalisation: done, pending the financial close
        ActivityStatus::Cancelled => "5",
        ActivityStatus::Postponed => "6", // suspended
    }
}

/// The DAC 5-digit sector: training is environmental education/training (41081); the rest
/// of the cooperation between secretariats is environmental policy and administrative
/// management (41010).
fn sector_code(c: ActivityCategory) -> &'static str {
    match c {
        ActivityCategory::Training => "41081",
        _ => "41010",
    }
}

struct Xml<W: Write> {
    w: Writer<W>,
}

impl<W: Write> Xml<W> {
    fn emit(&mut self, e: Event<'_>) -> OpenDataResult<()> {
        self.w
            .write_event(e)
            .map_err(|e| OpenDataError::Io(format!("cannot write the IATI file: {e}")))
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> OpenDataResult<()> {
        let mut start = BytesStart::new(name);
        for a in attrs {
            start.push_attribute(*a);
        }
        self.emit(Event::Start(start))
    }

    fn close(&mut self, name: &str) -> OpenDataResult<()> {
        self.emit(Event::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> OpenDataResult<()> {
        let mut start = BytesStart::new(name);
        for a in attrs {
            start.push_attribute(*a);
        }
        self.emit(Event::Empty(start))
    }

    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> OpenDataResult<()> {
        self.open(name, attrs)?;
        self.emit(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    /// A `<narrative>`, with its language unless it is the activity's default (English).
    fn narrative(&mut self, lang: Option<&str>, text: &str) -> OpenDataResult<()> {
        match lang {
            Some(l) => self.text("narrative", &[("xml:lang", l)], text),
            None => self.text("narrative", &[], text),
        }
    }
}

/// Writes the IATI activity file. Refuses a file without activities (IATI requires at least
/// one), estimates in another currency than the file's, and an activity without a title.
pub fn write_iati(file: &IatiFile<'_>, out: &mut dyn Write) -> OpenDataResult<()> {
    if file.activities.is_empty() {
        return Err(OpenDataError::Invalid(format!(
            "biennium {} has no cooperation activities: an IATI activity file needs at least one",
            file.biennium.code
        )));
    }
    let names: BTreeMap<&str, &str> = file
        .organisations
        .iter()
        .map(|o| (o.code.as_str(), o.name.as_str()))
        .collect();
    let name_of = |code: &str| names.get(code).copied().unwrap_or(code).to_string();
    let currency = file.currency.code();
    let mut x = Xml {
        w: Writer::new_with_indent(out, b' ', 2),
    };
    x.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    x.open(
        "iati-activities",
        &[("version", "2.03"), ("generated-datetime", &file.generated)],
    )?;
    for p in &file.activities {
        let a = p.activity;
        if a.title_en.trim().is_empty() || a.title_fr.trim().is_empty() {
            return Err(OpenDataError::Invalid(format!(
                "activity {}: a title in English and in French is needed",
                a.code
            )));
        }
        if let Some(c) = p.costs.iter().find(|c| c.currency != file.currency) {
            return Err(OpenDataError::Invalid(format!(
                "activity {}: the estimate of {} is in {}, not {currency}",
                a.code, c.organisation, c.currency
            )));
        }
        x.open(
            "iati-activity",
            &[
                ("last-updated-datetime", &file.generated),
                ("xml:lang", "en"),
                ("default-currency", currency),
            ],
        )?;
        x.text(
            "iati-identifier",
            &[],
            &format!("{}-{}-{}", file.publisher.reference, a.biennium, a.code),
        )?;
        x.open(
            "reporting-org",
            &[
                ("ref", &file.publisher.reference),
                ("type", &file.publisher.org_type),
            ],
        )?;
        x.narrative(None, &file.publisher.name)?;
        x.close("reporting-org")?;

        x.open("title", &[])?;
        x.narrative(None, &a.title_en)?;
        x.narrative(Some("fr"), &a.title_fr)?;
        x.close("title")?;

        x.open("description", &[("type", "1")])?;
        for (lang, text) in descriptions(p, &name_of, file.currency) {
            let code = lang.code();
            x.narrative((code != "en").then_some(code.as_str()), &text)?;
        }
        x.close("description")?;

        let mut participants: Vec<(&str, &str)> = vec![(&a.lead, "2"), (&a.lead, "4")];
        participants.extend(a.partners.iter().map(|o| (o.as_str(), "4")));
        participants.extend(p.costs.iter().map(|c| (c.organisation.as_str(), "1")));
        participants.sort_by_key(|(org, role)| (*role, *org));
        participants.dedup();
        for (org, role) in participants {
            x.open("participating-org", &[("role", role)])?;
            x.narrative(None, &name_of(org))?;
            x.close("participating-org")?;
        }
        x.empty("activity-status", &[("code", status_code(a.status))])?;
        let start = file.biennium.start.to_string();
        let end = file.biennium.end.to_string();
        x.empty("activity-date", &[("type", "1"), ("iso-date", &start)])?;
        x.empty("activity-date", &[("type", "3"), ("iso-date", &end)])?;
        x.empty(
            "sector",
            &[("vocabulary", "1"), ("code", sector_code(a.category))],
        )?;

        let total = p
            .costs
            .iter()
            .try_fold(0i64, |t, c| t.checked_add(c.total_minor))
            .ok_or_else(|| OpenDataError::Invalid(format!("activity {}: overflow", a.code)))?;
        for b in year_budgets(file.biennium.start, file.biennium.end, total)? {
            let (from, to) = (b.start.to_string(), b.end.to_string());
            x.open("budget", &[("type", "1"), ("status", "1")])?;
            x.empty("period-start", &[("iso-date", &from)])?;
            x.empty("period-end", &[("iso-date", &to)])?;
            x.text(
                "value",
                &[("currency", currency), ("value-date", &from)],
                &file.currency.to_major(b.value_minor).to_string(),
            )?;
            x.close("budget")?;
        }
        x.close("iati-activity")?;
    }
    x.close("iati-activities")?;
    Ok(())
}

/// The description in every language of the translation files: category, lead and partners,
/// mandates, funding status, and the estimate per organisation and fund, with the amounts and
/// the typography of each language. English first (the activity's default language, written
/// without `xml:lang`).
fn descriptions(
    p: &PricedActivity<'_>,
    name_of: &dyn Fn(&str) -> String,
    currency: Currency,
) -> Vec<(Lang, String)> {
    let a = p.activity;
    let partners: Vec<String> = a.partners.iter().map(|o| name_of(o)).collect();
    let code = currency.code().to_string();
    let text = |lang: Lang, key: &str, args: &[(&str, String)]| {
        let args: Vec<(&str, FluentValue<'static>)> = args
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.clone())))
            .collect();
        lang.text_with(key, &args)
    };
    Lang::all()
        .into_iter()
        .map(|lang| {
            let separator = lang.text("iati-list-separator");
            let mut parts = vec![text(
                lang,
                "iati-description-lead",
                &[
                    (
                        "category",
                        lang.text(&label("report-category", &a.category)),
                    ),
                    ("lead", name_of(&a.lead)),
                    ("biennium", a.biennium.clone()),
                ],
            )];
            if !partners.is_empty() {
                parts.push(text(
                    lang,
                    "iati-description-partners",
                    &[("partners", partners.join(&separator))],
                ));
            }
            if !a.mandates.is_empty() {
                parts.push(text(
                    lang,
                    "iati-description-mandates",
                    &[("mandates", a.mandates.join(&separator))],
                ));
            }
            parts.push(text(
                lang,
                "iati-description-funding",
                &[("funding", lang.text(&label("report-funding", &a.funding)))],
            ));
            if !p.costs.is_empty() {
                let shares: Vec<String> = p
                    .costs
                    .iter()
                    .map(|c| {
                        text(
                            lang,
                            "iati-description-share",
                            &[
                                ("organisation", c.organisation.clone()),
                                ("fund", c.fund.clone()),
                                ("amount", lang.amount(c.total_minor, currency.exponent())),
                                ("currency", code.clone()),
                            ],
                        )
                    })
                    .collect();
                parts.push(text(
                    lang,
                    "iati-description-cost",
                    &[("shares", shares.join(&separator))],
                ));
            }
            (lang, lang.typeset(&parts.join(" ")))
        })
        .collect()
}

/// The key of an enum value's label: `prefix-` and its serde name with dashes
/// (`report-category-technical-assistance`).
fn label<T: serde::Serialize>(prefix: &str, v: &T) -> String {
    let name = match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    };
    format!("{prefix}-{}", name.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use synergies_domain::activity::{Contribution, FundingStatus};
    use synergies_domain::model::BienniumStatus;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_biennium_is_two_budgets_that_add_up_to_the_estimate() {
        let b = year_budgets(d("2026-01-01"), d("2027-12-31"), 1_000_001).unwrap();
        assert_eq!(
            b,
            vec![
                YearBudget {
                    start: d("2026-01-01"),
                    end: d("2026-12-31"),
                    value_minor: 500_001
                },
                YearBudget {
                    start: d("2027-01-01"),
                    end: d("2027-12-31"),
                    value_minor: 500_000
                },
            ]
        );
        for total in [0, 1, 2, 3, 999, 7_654_321, -5] {
            let parts = year_budgets(d("2026-01-01"), d("2027-12-31"), total).unwrap();
            assert_eq!(parts.iter().map(|p| p.value_minor).sum::<i64>(), total);
            assert!(parts.iter().all(|p| p.start.year() == p.end.year()));
        }
    }

    #[test]
    fn a_period_that_does_not_start_in_january_is_cut_at_each_new_year() {
        let b = year_budgets(d("2026-07-01"), d("2028-06-30"), 300).unwrap();
        let periods: Vec<(String, String, i64)> = b
            .iter()
            .map(|p| (p.start.to_string(), p.end.to_string(), p.value_minor))
            .collect();
        assert_eq!(
            periods,
            vec![
                ("2026-07-01".into(), "2026-12-31".into(), 100),
                ("2027-01-01".into(), "2027-12-31".into(), 100),
                ("2028-01-01".into(), "2028-06-30".into(), 100),
            ]
        );
        assert!(year_budgets(d("2027-01-01"), d("2026-01-01"), 1).is_err());
    }

    fn activity() -> Activity {
        Activity {
            code: "COOP-TRAIN".into(),
            biennium: "2026-2027".into(),
            title_en: "Joint training & <more>".into(),
            title_fr: "Formation conjointe".into(),
            category: ActivityCategory::Training,
            lead: "BRS".into(),
            partners: vec!["MC".into()],
            mandates: vec!["MC-6/20 3".into()],
            budget_lines: vec![],
            agreements: vec![],
            contributions: vec![Contribution {
                organisation: "BRS".into(),
                fund: "BC".into(),
                staff: vec![],
                non_staff_minor: 1_000_001,
            }],
            funding: FundingStatus::SubjectToResources,
            status: ActivityStatus::Ongoing,
            outputs: vec![],
            continues: false,
        }
    }

    fn cost(currency: Currency) -> PricedContribution {
        PricedContribution {
            organisation: "BRS".into(),
            fund: "BC".into(),
            currency,
            staff_minor: 0,
            non_staff_minor: 1_000_001,
            total_minor: 1_000_001,
        }
    }

    fn biennium() -> Biennium {
        Biennium {
            code: "2026-2027".into(),
            start: d("2026-01-01"),
            end: d("2027-12-31"),
            status: BienniumStatus::Open,
        }
    }

    #[test]
    fn the_file_has_both_languages_escaped_text_and_two_yearly_budgets() {
        let a = activity();
        let costs = [cost(Currency::USD)];
        let publisher = Publisher::default();
        let b = biennium();
        let orgs = [Organisation {
            code: "BRS".into(),
            name: "Secretariat of the Basel, Rotterdam and Stockholm conventions".into(),
        }];
        let file = IatiFile {
            publisher: &publisher,
            biennium: &b,
            currency: Currency::USD,
            organisations: &orgs,
            activities: vec![PricedActivity {
                activity: &a,
                costs: &costs,
            }],
            generated: "2026-05-01T00:00:00Z".into(),
        };
        let mut out = vec![];
        write_iati(&file, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"<iati-activities version="2.03""#), "{xml}");
        assert!(
            xml.contains("<iati-identifier>XM-DAC-41116-2026-2027-COOP-TRAIN</iati-identifier>")
        );
        assert!(xml.contains("Joint training &amp; &lt;more&gt;"), "{xml}");
        assert!(xml.contains(r#"<narrative xml:lang="fr">Formation conjointe</narrative>"#));
        // The description in each language, with its amounts and typography: the French one
        // with a decimal comma and narrow no-break spaces (5 000,01 would be 5000.01 in English).
        let n = '\u{202F}';
        let french = xml
            .split(r#"<narrative xml:lang="fr">"#)
            .nth(2)
            .expect("a French description")
            .split("</narrative>")
            .next()
            .unwrap();
        assert!(
            french.starts_with(&format!("Formation{n}: activité dirigée par")),
            "{french}"
        );
        assert!(french.contains(&format!("Coût estimatif{n}:")), "{french}");
        assert!(
            french.contains(",01 USD") || french.contains(",00 USD"),
            "{french}"
        );
        assert!(
            !french.contains(".01 USD") && !french.contains(".00 USD"),
            "{french}"
        );
        assert!(xml.contains("Training activity led by"), "{xml}");
        assert!(xml.contains(r#"<value currency="USD" value-date="2026-01-01">5000.01</value>"#));
        assert!(xml.contains(r#"<value currency="USD" value-date="2027-01-01">5000.00</value>"#));
        assert_eq!(xml.matches("<budget ").count(), 2);
        assert!(xml.contains(r#"<sector vocabulary="1" code="41081"/>"#));
        assert!(
            xml.contains("Secretariat of the Basel, Rotterdam and Stockholm conventions"),
            "{xml}"
        );
    }

    #[test]
    fn no_activities_or_a_foreign_currency_are_refused() {
        let publisher = Publisher::default();
        let b = biennium();
        let mut file = IatiFile {
            publisher: &publisher,
            biennium: &b,
            currency: Currency::USD,
            organisations: &[],
            activities: vec![],
            generated: "2026-05-01T00:00:00Z".into(),
        };
        let err = write_iati(&file, &mut vec![]).unwrap_err().to_string();
        assert!(err.contains("no cooperation activities"), "{err}");
        let a = activity();
        let costs = [cost(Currency::from_code("EUR").unwrap())];
        file.activities = vec![PricedActivity {
            activity: &a,
            costs: &costs,
        }];
        let err = write_iati(&file, &mut vec![]).unwrap_err().to_string();
        assert!(err.contains("in EUR, not USD"), "{err}");
    }
}
