//! `synergies report`: the implementation report for the governing body, the cost-recovery
//! statement of an agreement and the statement of a fund, in PDF, Word, HTML or XLSX.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use synergies_i18n::Lang;
use synergies_reports::{layout, model, statements, Format};
use synergies_store::Store;

use crate::context::today;
use crate::output::{outln, write_out};

#[derive(Subcommand)]
pub enum ReportCmd {
    /// The report on the implementation of a decision for the next meeting of the Conference of
    /// the Parties: mandate, framework, costs recovered, activities, training, budget, annex.
    Implementation {
        /// The decision reported on, e.g. MC-6/20.
        #[arg(long)]
        decision: String,
        /// The biennium reported on, e.g. 2026-2027.
        #[arg(long)]
        biennium: String,
        /// The biennium whose planned activities form the annex, e.g. 2028-2029.
        #[arg(long)]
        next: String,
        /// The document symbol on the cover, e.g. UNEP/MC/COP.7/12 (default: UNEP/MC/COP.n/xx
        /// for the next meeting).
        #[arg(long)]
        symbol: Option<String>,
        #[command(flatten)]
        meeting: MeetingArgs,
        #[command(flatten)]
        output: Output,
    },
    /// The cost-recovery statement that a provider sends the recipient for one agreement and
    /// one period: deliveries, rates, exchange, programme support costs, totals.
    Statement {
        /// The agreement's code.
        #[arg(long)]
        agreement: String,
        /// The period closed: a month (2026-03) or a quarter (2026-Q1).
        #[arg(long)]
        period: String,
        #[command(flatten)]
        output: Output,
    },
    /// The statement of a fund for a biennium: budget against actual, receivables and payables
    /// with each other fund.
    Fund {
        /// The fund's code, e.g. MCGTF.
        #[arg(long)]
        fund: String,
        /// The biennium, e.g. 2026-2027.
        #[arg(long)]
        biennium: String,
        #[command(flatten)]
        output: Output,
    },
}

/// The meeting the implementation report is presented to, as its heading block prints it.
#[derive(Args)]
pub struct MeetingArgs {
    /// The meeting's number (default: the meeting after the one that adopted the decision).
    #[arg(long)]
    meeting: Option<u32>,
    /// Where the meeting is held, e.g. Geneva (default: not printed).
    #[arg(long)]
    venue: Option<String>,
    /// The meeting's days, FIRST..LAST, e.g. 2027-11-01..2027-11-05, or one day (default: not
    /// printed).
    #[arg(long, value_parser = parse_dates)]
    dates: Option<(NaiveDate, NaiveDate)>,
    /// The agenda item, e.g. "5 (b)" (default: xx, to be filled in).
    #[arg(long)]
    agenda_item: Option<String>,
    /// The agenda item's title (default: the decision's title in the report's language).
    #[arg(long)]
    agenda_title: Option<String>,
    /// The symbol of the provisional agenda that the agenda item's footnote cites, e.g.
    /// UNEP/MC/COP.7/1 (default: the document's symbol ending in /1).
    #[arg(long)]
    provisional_agenda: Option<String>,
}

/// `FIRST..LAST` or one day.
fn parse_dates(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let day = |d: &str| {
        NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| format!("{d:?} is not a date YYYY-MM-DD"))
    };
    let (start, end) = match s.split_once("..") {
        Some((a, b)) => (day(a)?, day(b)?),
        None => (day(s)?, day(s)?),
    };
    if end < start {
        return Err(format!("the last day {end} is before the first {start}"));
    }
    Ok((start, end))
}

impl MeetingArgs {
    fn options(self) -> model::MeetingOptions {
        model::MeetingOptions {
            number: self.meeting,
            venue: self.venue,
            dates: self.dates,
            agenda_item: self.agenda_item,
            agenda_title: self.agenda_title,
            provisional_agenda: self.provisional_agenda,
        }
    }
}

#[derive(Args)]
pub struct Output {
    /// Language of the report: any language with translation files (en, fr, …).
    #[arg(long, default_value = "en")]
    lang: String,
    /// pdf, docx, html or xlsx (default: from the extension of --out).
    #[arg(long)]
    format: Option<String>,
    /// The file to write; it is written whole or not at all.
    #[arg(long)]
    out: PathBuf,
    /// The date printed on the report, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today).
    #[arg(long)]
    date: Option<NaiveDate>,
}

impl Output {
    fn lang(&self) -> Result<Lang> {
        Lang::parse(&self.lang).ok_or_else(|| {
            let known: Vec<String> = Lang::all().iter().map(Lang::code).collect();
            anyhow!(
                "no translations for language {:?} (available: {})",
                self.lang,
                known.join(", ")
            )
        })
    }

    fn format(&self) -> Result<Format> {
        let names = "pdf, docx, html, xlsx";
        match &self.format {
            Some(f) => Format::parse(&f.to_ascii_lowercase())
                .ok_or_else(|| anyhow!("unknown format {f:?} (expected one of {names})")),
            None => Format::of_path(&self.out).ok_or_else(|| {
                anyhow!(
                    "cannot tell the format from {}: give --format ({names})",
                    self.out.display()
                )
            }),
        }
    }

    fn date(&self) -> Result<NaiveDate> {
        if let Some(d) = self.date {
            return Ok(d);
        }
        if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
            let secs: i64 = epoch
                .trim()
                .parse()
                .map_err(|_| anyhow!("SOURCE_DATE_EPOCH={epoch} is not a number of seconds"))?;
            return chrono::DateTime::from_timestamp(secs, 0)
                .map(|d| d.date_naive())
                .ok_or_else(|| anyhow!("SOURCE_DATE_EPOCH={epoch} is out of range"));
        }
        Ok(today())
    }

    /// Checks what can be checked before reading the database.
    fn check(&self) -> Result<(Lang, Format, NaiveDate)> {
        let (lang, format, date) = (self.lang()?, self.format()?, self.date()?);
        let dir = match self.out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            bail!("{}: no such directory", dir.display());
        }
        Ok((lang, format, date))
    }

    fn write(&self, doc: &synergies_reports::Document, format: Format) -> Result<()> {
        let bytes = synergies_reports::render(doc, format)?;
        write_out(Some(&self.out), |w| Ok(w.write_all(&bytes)?))?;
        outln!("wrote {} ({} bytes)", self.out.display(), bytes.len())?;
        Ok(())
    }
}

pub fn run(store: &dyn Store, cmd: ReportCmd) -> Result<()> {
    match cmd {
        ReportCmd::Implementation {
            decision,
            biennium,
            next,
            symbol,
            meeting,
            output,
        } => {
            let (lang, format, date) = output.check()?;
            let report = model::implementation_for(
                store,
                &model::ImplementationOptions {
                    decision,
                    biennium,
                    next,
                    symbol,
                    date,
                },
                &meeting.options(),
            )?;
            output.write(&layout::implementation(&report, lang), format)
        }
        ReportCmd::Statement {
            agreement,
            period,
            output,
        } => {
            let (lang, format, date) = output.check()?;
            let s = statements::statement(store, &agreement, &period, date)?;
            if s.charges.is_empty() {
                bail!("agreement {agreement} has no posted charge for {period}: close the period first");
            }
            output.write(&statements::statement_document(&s, lang), format)
        }
        ReportCmd::Fund {
            fund,
            biennium,
            output,
        } => {
            let (lang, format, date) = output.check()?;
            let s = statements::fund_statement(store, &fund, &biennium, date)?;
            output.write(&statements::fund_document(&s, lang), format)
        }
    }
}
