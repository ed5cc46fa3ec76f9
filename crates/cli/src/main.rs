//! `synergies`: the command line of Synergies.

mod report;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use synergies_app::export::{Dataset, Format};
use synergies_app::{agreements, close, demo, export, import, ledger, AppError};
use synergies_domain::agreement::Agreement;
use synergies_domain::allocation::{reciprocal, step_down, CostPool};
use synergies_domain::model::Framework;
use synergies_domain::Period;
use synergies_store::{ChargeFilter, DeliveryFilter, Store};

/// Synergies: cost recovery and service sharing between treaty secretariats, with an exact
/// inter-fund ledger.
#[derive(Parser)]
#[command(name = "synergies", version)]
struct Cli {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB (also postgresql:///DB?host=/socket/dir).
    #[arg(
        long,
        global = true,
        env = "SYNERGIES_DB",
        default_value = "sqlite://synergies.db"
    )]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database or migrate it to the current schema.
    Init,
    /// Create the demo data set (illustrative figures) and print a summary.
    Demo {
        /// Only seed the data (the web server arrives in a later version).
        #[arg(long)]
        no_serve: bool,
        #[arg(long)]
        json: bool,
    },
    /// Reference data: organisations, conventions, funds, biennia, services, rates, FX.
    #[command(subcommand)]
    Framework(FrameworkCmd),
    /// Agreements between providers and recipients, and their approval by both heads.
    #[command(subcommand)]
    Agreements(AgreementsCmd),
    /// Services delivered under agreements.
    #[command(subcommand)]
    Deliveries(DeliveriesCmd),
    /// Decisions of governing bodies (MC-6/20, BC-16/21, …): the registry.
    #[command(subcommand)]
    Decisions(DecisionsCmd),
    /// What each decision asks, tracked until done.
    #[command(subcommand)]
    Mandates(MandatesCmd),
    /// Cooperation activities per biennium, their costs, and planning the next biennium.
    #[command(subcommand)]
    Activities(ActivitiesCmd),
    /// Training of chairs and potential negotiators.
    #[command(subcommand)]
    Training(TrainingCmd),
    /// The joint task force: members, meetings, action items.
    #[command(subcommand)]
    Taskforce(TaskforceCmd),
    /// Close a period: compute the charges of accepted deliveries and post them (idempotent).
    Close {
        /// A month (2026-03) or a quarter (2026-Q1).
        #[arg(long)]
        period: Period,
        /// Only this agreement.
        #[arg(long)]
        agreement: Option<String>,
        /// Date of the closing records (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Reopen a period: reverse its closings so that deliveries can be corrected.
    Reopen {
        #[arg(long)]
        period: Period,
        #[arg(long)]
        agreement: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Posted charges.
    #[command(subcommand)]
    Charges(ChargesCmd),
    /// The inter-fund ledger.
    #[command(subcommand)]
    Ledger(LedgerCmd),
    /// Settle what a payer fund owes a provider fund (payable and receivable against cash).
    Settle {
        /// The fund that pays.
        #[arg(long)]
        payer_fund: String,
        /// The fund that is paid.
        #[arg(long)]
        provider_fund: String,
        /// Amount in major units, such as 25144.82.
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "USD")]
        currency: String,
        /// The transfer's reference; a reference is settled once.
        #[arg(long)]
        reference: String,
        /// Date of the transfer (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Export data so that anyone can recompute the charges.
    Export {
        #[arg(value_enum)]
        dataset: DatasetArg,
        #[arg(long, value_enum, default_value = "csv")]
        format: FormatArg,
        /// Write to FILE instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Allocate cost pools that serve each other (reciprocal or step-down method).
    Allocate {
        /// JSON array of pools: [{"code", "direct_minor", "usage": [{"receiver", "weight"}]}].
        file: PathBuf,
        #[arg(long, value_enum, default_value = "reciprocal")]
        method: Method,
        /// Step-down order of the pools, comma-separated.
        #[arg(long, value_delimiter = ',')]
        order: Vec<String>,
    },
    /// Move data between databases: copy, backup and restore.
    #[command(subcommand)]
    Store(StoreCmd),
    /// Reports in PDF, Word, HTML or XLSX, in English or French: implementation of a decision,
    /// cost-recovery statements, fund statements.
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// What the database holds.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum FrameworkCmd {
    /// Load (insert or update) reference data from a JSON document.
    Load { file: PathBuf },
    /// Print the reference data as JSON.
    Show,
}

#[derive(Subcommand)]
enum DecisionsCmd {
    /// Read the text of a decision as UN documents publish it and record it.
    Import {
        file: PathBuf,
        /// The text's language (default: French, else English).
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Print what was understood, as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the recorded decisions.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print a recorded decision's structure as JSON.
    Show {
        number: String,
        #[arg(long, value_enum, default_value = "fr")]
        lang: LangArg,
    },
}

#[derive(Subcommand)]
enum MandatesCmd {
    /// List the mandates, of one decision or all.
    List {
        #[arg(long)]
        decision: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Set a mandate's status with a dated note.
    Update {
        /// The decision, such as MC-6/20.
        decision: String,
        /// The paragraph, such as 3 or 4(c).
        paragraph: String,
        #[arg(long, value_enum)]
        status: StatusArg,
        /// What was done.
        #[arg(long)]
        note: String,
        /// Date of the note (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// Who writes the note.
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

#[derive(Subcommand)]
enum ActivitiesCmd {
    /// Record activities from a JSON array (all or none).
    Import { file: PathBuf },
    /// List a biennium's activities with their estimated cost per organisation.
    List {
        #[arg(long)]
        biennium: String,
        #[arg(long)]
        json: bool,
    },
    /// Carry the continuing activities into the next biennium, re-priced at its rate cards,
    /// and compare the two funding scenarios.
    Plan {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TrainingCmd {
    /// Record training events from a JSON array (replacing those with the same code).
    Import { file: PathBuf },
    /// List training events with their participants per regional group and gender.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TaskforceCmd {
    /// Record members, meetings and action items from a JSON document.
    Import { file: PathBuf },
    /// Print the task force's members, meetings and action items.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Set an action item's status.
    Action {
        code: String,
        #[arg(long, value_enum)]
        status: ActionArg,
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ActionArg {
    Open,
    Done,
    Cancelled,
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusArg {
    Active,
    Implemented,
    Superseded,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Fr,
    En,
}

impl LangArg {
    fn language(self) -> synergies_domain::decision::Language {
        match self {
            LangArg::Fr => synergies_domain::decision::Language::Fr,
            LangArg::En => synergies_domain::decision::Language::En,
        }
    }
}

#[derive(Subcommand)]
enum StoreCmd {
    /// Copy everything from one database to another (SQLite and PostgreSQL, either way) and
    /// verify the copy: row counts, trial balance, ledger check.
    Copy {
        /// Source database URL.
        #[arg(long)]
        from: String,
        /// Target database URL (created or migrated; must be empty unless --overwrite).
        #[arg(long)]
        to: String,
        /// Replace the target's data.
        #[arg(long)]
        overwrite: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent snapshot of the database (--db) to a portable file.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup file into the database (--db), which must be empty unless --overwrite.
    Restore {
        file: PathBuf,
        #[arg(long)]
        overwrite: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AgreementsCmd {
    /// List agreements with the status of their latest version.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one agreement with its versions and approvals.
    Show { code: String },
    /// Load agreements from a JSON array (as `export agreements --format json` writes).
    Import { file: PathBuf },
    /// Propose the draft version for approval by the heads.
    Propose {
        code: String,
        #[arg(long, default_value = "cli")]
        by: String,
    },
    /// Approve the proposed version as the head of an organisation.
    Approve {
        code: String,
        /// The organisation whose head approves.
        #[arg(long)]
        org: String,
        /// Who approves (recorded in the approval trail).
        #[arg(long)]
        by: String,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum DeliveriesCmd {
    /// Import deliveries from CSV, all or nothing.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Accept recorded deliveries (the recipient's acceptance).
    Accept {
        /// The agreement whose deliveries are accepted.
        #[arg(long, required_unless_present = "all")]
        agreement: Option<String>,
        /// Every agreement.
        #[arg(long, conflicts_with = "agreement")]
        all: bool,
        /// Accept deliveries dated up to this day (default: all).
        #[arg(long)]
        through: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Dispute one recorded delivery.
    Dispute {
        #[arg(long)]
        agreement: String,
        #[arg(long)]
        external_id: String,
        #[arg(long)]
        reason: String,
    },
    /// List deliveries.
    List {
        #[arg(long)]
        agreement: Option<String>,
        #[arg(long)]
        period: Option<Period>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ChargesCmd {
    /// List posted charges.
    List {
        #[arg(long)]
        agreement: Option<String>,
        #[arg(long)]
        period: Option<Period>,
        /// Include reversed charges.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum LedgerCmd {
    /// Balances per fund, account and currency.
    TrialBalance {
        #[arg(long)]
        fund: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Check every ledger invariant; exits non-zero on any violation.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Export the journal for hledger and ledger-cli.
    Export {
        #[arg(long, value_enum, default_value = "ledger")]
        format: JournalFormat,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum JournalFormat {
    /// The plain-text journal that hledger and ledger-cli read.
    Ledger,
}

#[derive(Clone, Copy, ValueEnum)]
enum DatasetArg {
    Rates,
    Fx,
    Deliveries,
    Agreements,
    Charges,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Method {
    Reciprocal,
    StepDown,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A rejected import prints its own lines; other errors get the chain.
            match e.downcast_ref::<AppError>() {
                Some(app @ AppError::Rejected { .. }) => eprintln!("{app}"),
                _ => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn open(url: &str) -> Result<Box<dyn Store>> {
    let store = synergies_store::open(url).with_context(|| format!("opening {url}"))?;
    store.migrate()?;
    Ok(store)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

fn write_out(out: Option<&Path>, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match out {
        Some(path) => {
            // Write beside the target and rename, so a failed export leaves no half file.
            let tmp = path.with_extension("partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let result = f(&mut w).and_then(|_| w.flush().map_err(Into::into));
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            std::fs::rename(&tmp, path)?;
            Ok(())
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            f(&mut w)?;
            w.flush()?;
            Ok(())
        }
    }
}

/// Costs recovered so far, per provider and payer organisation (posted charges).
fn print_recovered(store: &dyn Store) -> Result<()> {
    let framework = store.framework()?;
    let org_of = |fund: &str| {
        framework
            .fund(fund)
            .map(|f| f.organisation.clone())
            .unwrap_or_else(|| fund.to_string())
    };
    let mut totals: std::collections::BTreeMap<(String, String, String), i64> = Default::default();
    for c in store.charges(&ChargeFilter::default())? {
        *totals
            .entry((
                org_of(&c.provider_fund),
                c.payer_organisation.clone(),
                c.currency.code().to_string(),
            ))
            .or_default() += c.total_minor;
    }
    for ((provider, payer, currency), total) in totals {
        println!(
            "Recovered by {provider} from {payer}: {} {currency}",
            money(&currency, total)
        );
    }
    Ok(())
}

/// Records what a command did in the audit trail, with its report as the detail.
fn audit_report<T: serde::Serialize>(
    store: &dyn Store,
    action: &str,
    subject: &str,
    report: &T,
) -> Result<()> {
    store.audit("cli", action, subject, &serde_json::to_value(report)?)?;
    Ok(())
}

fn money(currency: &str, minor: i64) -> String {
    synergies_domain::Currency::from_code(currency)
        .map(|c| c.format_minor(minor))
        .unwrap_or_else(|_| minor.to_string())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init => {
            let store = synergies_store::open(&cli.db)?;
            let before = store.schema_version()?;
            let after = store.migrate()?;
            if before == after {
                println!("{} is up to date (schema version {after})", cli.db);
            } else {
                println!(
                    "{}: schema migrated from version {before} to {after}",
                    cli.db
                );
            }
        }
        Command::Demo { no_serve, json } => {
            let store = open(&cli.db)?;
            let report = demo::seed(store.as_ref())?;
            let summary = synergies_app::summary(store.as_ref())?;
            if json {
                print_json(&json!({ "demo": report, "summary": summary }))?;
            } else {
                if report.seeded {
                    println!(
                        "Seeded the demo into {}: {} agreements, {} deliveries, {} closings.",
                        cli.db, report.agreements, report.deliveries, report.closings
                    );
                } else {
                    println!(
                        "{} already holds data; the demo was not seeded again.",
                        cli.db
                    );
                }
                println!("{}", demo::LABEL);
                print!("{summary}");
                print_recovered(store.as_ref())?;
                let check = ledger::check(store.as_ref())?;
                println!(
                    "Ledger check: {}",
                    if check.passed() { "passed" } else { "FAILED" }
                );
                println!(
                    "Next: synergies charges list | synergies ledger trial-balance | \
                     synergies ledger export --out demo.journal"
                );
            }
            if !no_serve {
                eprintln!("(The web server arrives in a later version; the data are ready.)");
            }
        }
        Command::Framework(FrameworkCmd::Load { file }) => {
            let store = open(&cli.db)?;
            let framework: Framework = read_json(&file)?;
            store.save_framework(&framework)?;
            store.audit(
                "cli",
                "framework.load",
                &file.display().to_string(),
                &json!({ "organisations": framework.organisations.len(),
                         "funds": framework.funds.len(), "rates": framework.rates.len(),
                         "fx_rates": framework.fx_rates.len() }),
            )?;
            println!("Loaded {}", file.display());
        }
        Command::Framework(FrameworkCmd::Show) => {
            let store = open(&cli.db)?;
            print_json(&store.framework()?)?;
        }
        Command::Agreements(cmd) => agreements_cmd(&cli.db, cmd)?,
        Command::Deliveries(cmd) => deliveries_cmd(&cli.db, cmd)?,
        Command::Decisions(cmd) => decisions_cmd(&cli.db, cmd)?,
        Command::Mandates(cmd) => mandates_cmd(&cli.db, cmd)?,
        Command::Activities(cmd) => activities_cmd(&cli.db, cmd)?,
        Command::Training(cmd) => training_cmd(&cli.db, cmd)?,
        Command::Taskforce(cmd) => taskforce_cmd(&cli.db, cmd)?,
        Command::Close {
            period,
            agreement,
            on,
            json,
        } => {
            let store = open(&cli.db)?;
            let report = close::close_period(
                store.as_ref(),
                period,
                agreement.as_deref(),
                on.unwrap_or_else(today),
            )?;
            if !report.posted.is_empty() {
                audit_report(store.as_ref(), "period.close", &period.to_string(), &report)?;
            }
            if json {
                print_json(&report)?;
            } else if report.posted.is_empty() {
                println!("{period}: nothing new to charge; nothing posted.");
            } else {
                for c in &report.posted {
                    println!(
                        "{period} {}: {} deliveries, direct {} {cur}, charged {} {cur} (closing {}, #{})",
                        c.agreement,
                        c.deliveries,
                        money(&c.currency, c.direct_minor),
                        money(&c.currency, c.charged_minor),
                        c.closing,
                        c.sequence,
                        cur = c.currency
                    );
                }
            }
        }
        Command::Reopen {
            period,
            agreement,
            json,
        } => {
            let store = open(&cli.db)?;
            let report = close::reopen_period(store.as_ref(), period, agreement.as_deref())?;
            if !report.reversed_closings.is_empty() {
                audit_report(
                    store.as_ref(),
                    "period.reopen",
                    &period.to_string(),
                    &report,
                )?;
            }
            if json {
                print_json(&report)?;
            } else {
                println!(
                    "{period}: reversed {} closings with {} reversal entries.",
                    report.reversed_closings.len(),
                    report.reversal_entries
                );
            }
        }
        Command::Charges(ChargesCmd::List {
            agreement,
            period,
            all,
            json,
        }) => {
            let store = open(&cli.db)?;
            if let Some(code) = &agreement {
                if store.agreement(code)?.is_none() {
                    bail!("unknown agreement {code}");
                }
            }
            let charges = store.charges(&ChargeFilter {
                agreement,
                period: period.map(|p| p.to_string()),
                include_reversed: all,
            })?;
            if json {
                let rows: Vec<_> = charges
                    .iter()
                    .map(|c| {
                        json!({
                            "id": c.id, "agreement": c.agreement, "version": c.version,
                            "period": c.period, "sequence": c.sequence,
                            "provider_fund": c.provider_fund,
                            "payer_organisation": c.payer_organisation,
                            "payer_fund": c.payer_fund, "currency": c.currency,
                            "direct_minor": c.direct_minor, "psc_minor": c.psc_minor,
                            "total_minor": c.total_minor, "deliveries": c.deliveries,
                            "entry": c.entry, "status": c.status, "posted_on": c.posted_on,
                        })
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                println!(
                    "{:<9} {:<18} {:>4} {:<6} {:>14} {:>12} {:>14} {:>6}",
                    "period", "agreement", "seq", "payer", "direct", "psc", "total", "deliv."
                );
                for c in &charges {
                    println!(
                        "{:<9} {:<18} {:>4} {:<6} {:>14} {:>12} {:>14} {:>6}",
                        c.period,
                        c.agreement,
                        c.sequence,
                        c.payer_fund,
                        c.currency.format_minor(c.direct_minor),
                        c.currency.format_minor(c.psc_minor),
                        c.currency.format_minor(c.total_minor),
                        c.deliveries
                    );
                }
            }
        }
        Command::Ledger(cmd) => return ledger_cmd(&cli.db, cmd),
        Command::Settle {
            payer_fund,
            provider_fund,
            amount,
            currency,
            reference,
            on,
            json,
        } => {
            let store = open(&cli.db)?;
            let currency = synergies_domain::Currency::from_code(&currency)?;
            let major: rust_decimal::Decimal = amount
                .parse()
                .with_context(|| format!("--amount {amount:?} is not a decimal number"))?;
            let report = ledger::settle(
                store.as_ref(),
                &ledger::Settlement {
                    payer_fund: payer_fund.clone(),
                    provider_fund: provider_fund.clone(),
                    currency,
                    amount_minor: currency.to_minor(major)?,
                    on: on.unwrap_or_else(today),
                    reference,
                },
            )?;
            if json {
                print_json(&report)?;
            } else {
                println!(
                    "Settled {} {currency} from {payer_fund} to {provider_fund}; {} {currency} still owed.",
                    currency.format_minor(currency.to_minor(major)?),
                    currency.format_minor(report.outstanding_minor)
                );
            }
        }
        Command::Export {
            dataset,
            format,
            out,
        } => {
            let store = open(&cli.db)?;
            let dataset = match dataset {
                DatasetArg::Rates => Dataset::Rates,
                DatasetArg::Fx => Dataset::Fx,
                DatasetArg::Deliveries => Dataset::Deliveries,
                DatasetArg::Agreements => Dataset::Agreements,
                DatasetArg::Charges => Dataset::Charges,
            };
            let format = match format {
                FormatArg::Csv => Format::Csv,
                FormatArg::Json => Format::Json,
            };
            write_out(out.as_deref(), |w| {
                export::export(store.as_ref(), dataset, format, w).map_err(Into::into)
            })?;
        }
        Command::Allocate {
            file,
            method,
            order,
        } => {
            let pools: Vec<CostPool> = read_json(&file)?;
            let allocation = match method {
                Method::Reciprocal => reciprocal(&pools)?,
                Method::StepDown => {
                    if order.is_empty() {
                        bail!("--order is required for the step-down method");
                    }
                    step_down(&pools, &order)?
                }
            };
            print_json(&allocation)?;
        }
        Command::Store(cmd) => store_cmd(&cli.db, cmd)?,
        Command::Report(cmd) => report::run(open(&cli.db)?.as_ref(), cmd)?,
        Command::Status { json } => {
            let store = open(&cli.db)?;
            let summary = synergies_app::summary(store.as_ref())?;
            if json {
                print_json(&summary)?;
            } else {
                print!("{summary}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn agreements_cmd(db: &str, cmd: AgreementsCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        AgreementsCmd::List { json } => {
            let list = store.agreements()?;
            if json {
                print_json(&list)?;
            } else {
                println!(
                    "{:<18} {:<9} {:<5} {:<7} {:<4} {:<11} {:>14}  title",
                    "code", "kind", "from", "fund", "v.", "status", "ceiling"
                );
                for a in &list {
                    let v = a.active_version().unwrap_or_else(|| a.latest());
                    println!(
                        "{:<18} {:<9} {:<5} {:<7} {:<4} {:<11} {:>14}  {}",
                        a.code,
                        a.kind.as_str(),
                        a.provider,
                        a.provider_fund,
                        a.latest().number,
                        a.latest().status.as_str(),
                        a.currency.format_minor(v.ceiling_minor),
                        a.title
                    );
                }
            }
        }
        AgreementsCmd::Show { code } => match store.agreement(&code)? {
            Some(a) => print_json(&a)?,
            None => bail!("unknown agreement {code}"),
        },
        AgreementsCmd::Import { file } => {
            let list: Vec<Agreement> = read_json(&file)?;
            let n = agreements::import_agreements(store, &list)?;
            println!("Loaded {n} agreements from {}", file.display());
        }
        AgreementsCmd::Propose { code, by } => {
            agreements::propose(store, &by, &code)?;
            println!("{code}: proposed for approval by the heads of every party.");
        }
        AgreementsCmd::Approve { code, org, by, on } => {
            let (a, active) =
                agreements::approve(store, &by, &code, &org, on.unwrap_or_else(today))?;
            if active {
                println!(
                    "{code}: approved by the head of {org}; version {} is now in force.",
                    a.latest().number
                );
            } else {
                let v = a.latest();
                let waiting: Vec<String> = a
                    .required_approvers(v)
                    .into_iter()
                    .filter(|o| !v.approvals.iter().any(|x| &x.organisation == o))
                    .collect();
                println!(
                    "{code}: approved by the head of {org}; awaiting {}.",
                    waiting.join(" and ")
                );
            }
        }
    }
    Ok(())
}

fn deliveries_cmd(db: &str, cmd: DeliveriesCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        DeliveriesCmd::Import { file, json } => {
            let tty = std::io::stderr().is_terminal();
            let report =
                import::import_deliveries(store, &import::FileSource(file.clone()), &mut |rows| {
                    if tty {
                        eprint!("\r{rows} rows read…");
                    }
                })?;
            if tty {
                eprintln!();
            }
            store.audit(
                "cli",
                "deliveries.import",
                &file.display().to_string(),
                &json!({ "rows": report.rows, "inserted": report.inserted,
                         "identical": report.identical }),
            )?;
            if json {
                print_json(&report)?;
            } else {
                println!(
                    "{}: {} rows, {} deliveries recorded, {} already recorded with the same content (nothing added for them).",
                    file.display(),
                    report.rows,
                    report.inserted,
                    report.identical
                );
            }
        }
        DeliveriesCmd::Accept {
            agreement,
            all,
            through,
            json,
        } => {
            let code = if all {
                None
            } else {
                let code = agreement.expect("clap requires it");
                if store.agreement(&code)?.is_none() {
                    bail!("unknown agreement {code}");
                }
                Some(code)
            };
            let total = store.accept_deliveries(code.as_deref(), through, today())?;
            if total > 0 {
                store.audit(
                    "cli",
                    "deliveries.accept",
                    code.as_deref().unwrap_or("*"),
                    &json!({ "through": through, "accepted": total }),
                )?;
            }
            let accepted = json!({ "agreement": code, "through": through, "accepted": total });
            if json {
                print_json(&accepted)?;
            } else {
                println!("Accepted {total} deliveries.");
            }
        }
        DeliveriesCmd::Dispute {
            agreement,
            external_id,
            reason,
        } => {
            store.dispute_delivery(&agreement, &external_id, &reason)?;
            store.audit(
                "cli",
                "deliveries.dispute",
                &format!("{agreement}/{external_id}"),
                &json!({ "reason": reason }),
            )?;
            println!("{agreement} {external_id}: disputed.");
        }
        DeliveriesCmd::List {
            agreement,
            period,
            json,
        } => {
            if let Some(code) = &agreement {
                if store.agreement(code)?.is_none() {
                    bail!("unknown agreement {code}");
                }
            }
            let filter = DeliveryFilter {
                agreement,
                from: period.map(|p| p.first_day()),
                to: period.map(|p| p.last_day()),
                ..Default::default()
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if json {
                let mut rows = vec![];
                store.for_each_delivery(&filter, &mut |d| {
                    rows.push(d);
                    Ok(())
                })?;
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                store.for_each_delivery(&filter, &mut |d| {
                    let x = &d.delivery;
                    writeln!(
                        out,
                        "{:>7} {:<18} {} {:<10} {:>6} {:<5} {:<9} {}",
                        d.id,
                        x.agreement,
                        x.date,
                        x.service,
                        x.quantity.to_string(),
                        x.grade.as_deref().unwrap_or("-"),
                        d.status.as_str(),
                        x.external_id
                    )
                    .map_err(|e| synergies_store::StoreError::Invalid(e.to_string()))
                })?;
            }
            out.flush()?;
        }
    }
    Ok(())
}

fn ledger_cmd(db: &str, cmd: LedgerCmd) -> Result<ExitCode> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        LedgerCmd::TrialBalance { fund, json } => {
            let tb = ledger::trial_balance(store, fund.as_deref())?;
            if json {
                let rows: Vec<_> = tb
                    .rows
                    .iter()
                    .map(|r| {
                        json!({
                            "fund": r.fund, "account": r.account.name(),
                            "currency": r.currency, "balance_minor": r.balance_minor,
                        })
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                println!("{:<8} {:<40} {:>16}", "fund", "account", "balance");
                for r in &tb.rows {
                    println!(
                        "{:<8} {:<40} {:>12} {}",
                        r.fund,
                        r.account.name(),
                        r.currency.format_minor(r.balance_minor),
                        r.currency
                    );
                }
            }
        }
        LedgerCmd::Check { json } => {
            let check = ledger::check(store)?;
            if json {
                print_json(&check)?;
            } else {
                println!(
                    "{} entries, {} postings, {} charges checked.",
                    check.entries, check.postings, check.charges
                );
                for v in &check.violations {
                    println!("VIOLATION: {v}");
                }
                println!(
                    "{}",
                    if check.passed() {
                        "Every invariant holds."
                    } else {
                        "The ledger check FAILED."
                    }
                );
            }
            if !check.passed() {
                return Ok(ExitCode::FAILURE);
            }
        }
        LedgerCmd::Export { format, out } => {
            let JournalFormat::Ledger = format;
            let text = ledger::journal_text(store)?;
            write_out(out.as_deref(), |w| {
                w.write_all(text.as_bytes())?;
                Ok(())
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_transfer(report: &synergies_app::storage::TransferReport, json: bool) -> Result<()> {
    if json {
        return print_json(report);
    }
    for (table, expected, got) in &report.tables {
        println!("  {table:<28} {expected:>9} {got:>9}");
    }
    println!(
        "Verified: same row counts, {}, ledger check {}.",
        match report.same_trial_balance {
            Some(true) => "same trial balance",
            Some(false) => "DIFFERENT trial balance",
            None => "trial balance not compared",
        },
        if report.ledger_check.passed() {
            "passed"
        } else {
            "FAILED"
        }
    );
    Ok(())
}

fn store_cmd(db: &str, cmd: StoreCmd) -> Result<()> {
    use synergies_app::storage;
    match cmd {
        StoreCmd::Copy {
            from,
            to,
            overwrite,
            json,
        } => {
            let source = open(&from)?;
            let target = synergies_store::open(&to).with_context(|| format!("opening {to}"))?;
            let report = storage::copy(source.as_ref(), target.as_ref(), overwrite)?;
            target.audit(
                "cli",
                "store.copy",
                &from,
                &json!({ "to_engine": target.engine(), "overwrite": overwrite }),
            )?;
            if !json {
                println!("Copied {from} to {to}.");
            }
            print_transfer(&report, json)?;
        }
        StoreCmd::Backup { out } => {
            let store = open(db)?;
            let mut rows = 0;
            write_out(Some(&out), |w| {
                rows = storage::backup(store.as_ref(), w)?;
                Ok(())
            })?;
            println!("Wrote {rows} rows of {db} to {}.", out.display());
        }
        StoreCmd::Restore {
            file,
            overwrite,
            json,
        } => {
            let store = synergies_store::open(db).with_context(|| format!("opening {db}"))?;
            let report = storage::restore(store.as_ref(), &file, overwrite)?;
            if !json {
                println!("Restored {} into {db}.", file.display());
            }
            print_transfer(&report, json)?;
        }
    }
    Ok(())
}

fn decisions_cmd(db: &str, cmd: DecisionsCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        DecisionsCmd::Import { file, lang, json } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.display().to_string();
            let imported = synergies_app::decisions::import_decision(
                store,
                &name,
                &text,
                lang.map(LangArg::language),
            )?;
            if json {
                print_json(&imported.decision)?;
            } else {
                let d = &imported.decision;
                println!(
                    "{} ({}, meeting {}): {} preamble and {} operative paragraphs {}.",
                    d.number,
                    d.language,
                    d.meeting,
                    d.preamble.len(),
                    d.operative.len(),
                    if imported.new {
                        "recorded"
                    } else {
                        "replaced the earlier import"
                    }
                );
            }
        }
        DecisionsCmd::List { json } => {
            let list = store.decisions()?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|d| {
                        json!({ "number": d.number, "language": d.language, "treaty": d.treaty,
                                "meeting": d.meeting, "title": d.title,
                                "imported_at": d.imported_at })
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                for d in &list {
                    println!("{:<10} {:<3} {}", d.number, d.language, d.title);
                }
            }
        }
        DecisionsCmd::Show { number, lang } => {
            let lang = lang.language().as_str();
            let Some(d) = store
                .decisions()?
                .into_iter()
                .find(|d| d.number == number && d.language == lang)
            else {
                bail!("no decision {number} in {lang}");
            };
            let doc: serde_json::Value = serde_json::from_str(&d.document)?;
            print_json(&doc)?;
        }
    }
    Ok(())
}

fn mandates_cmd(db: &str, cmd: MandatesCmd) -> Result<()> {
    use synergies_domain::mandate::MandateStatus;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        MandatesCmd::List { decision, json } => {
            let list = store.mandates(decision.as_deref())?;
            if json {
                print_json(&list)?;
            } else {
                for m in &list {
                    println!(
                        "{:<9} {:<6} {:<13} {:<11} {:<20} {}",
                        m.decision,
                        m.paragraph,
                        m.tracking.as_str(),
                        m.status.as_str(),
                        m.actor.as_deref().unwrap_or("-"),
                        match (&m.deliverable, m.due_meeting) {
                            (Some(d), Some(n)) => format!("{d} due at meeting {n}"),
                            (Some(d), None) => d.clone(),
                            _ => String::new(),
                        }
                    );
                }
            }
        }
        MandatesCmd::Update {
            decision,
            paragraph,
            status,
            note,
            on,
            by,
        } => {
            let status = match status {
                StatusArg::Active => MandateStatus::Active,
                StatusArg::Implemented => MandateStatus::Implemented,
                StatusArg::Superseded => MandateStatus::Superseded,
            };
            synergies_app::decisions::update_mandate(
                store,
                &decision,
                &paragraph,
                status,
                &note,
                on.unwrap_or_else(today),
                &by,
            )?;
            println!("{decision} {paragraph}: {}.", status.as_str());
        }
    }
    Ok(())
}

fn activities_cmd(db: &str, cmd: ActivitiesCmd) -> Result<()> {
    use synergies_app::activities;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        ActivitiesCmd::Import { file } => {
            let list: Vec<synergies_domain::activity::Activity> = read_json(&file)?;
            let n = activities::import_activities(store, &list)?;
            println!("Recorded {n} activities from {}.", file.display());
        }
        ActivitiesCmd::List { biennium, json } => {
            let list = activities::priced(store, &biennium)?;
            if json {
                print_json(&list)?;
            } else {
                for p in &list {
                    let a = &p.activity;
                    let total: i64 = p.costs.iter().map(|c| c.total_minor).sum();
                    let currency = p.costs.first().map(|c| c.currency.code()).unwrap_or("USD");
                    println!(
                        "{:<12} {:<4} {:>14} {currency}  {}",
                        a.code,
                        a.lead,
                        money(currency, total),
                        a.title_en
                    );
                }
            }
        }
        ActivitiesCmd::Plan { from, to, json } => {
            let plan = activities::plan(store, &from, &to)?;
            if json {
                print_json(&plan)?;
            } else {
                let c = plan.currency;
                println!(
                    "Carried {} activities from {from} into {to}: {}",
                    plan.carried.len(),
                    plan.carried.join(", ")
                );
                println!(
                    "{:<14} {:>18} {:>18}",
                    "", "current level", "projected needs"
                );
                for (fund, (now, next)) in &plan.scenarios.by_fund {
                    println!(
                        "{fund:<14} {:>14} {c} {:>14} {c}",
                        c.format_minor(*now),
                        c.format_minor(*next)
                    );
                }
                let (now, next) = plan.scenarios.total;
                println!(
                    "{:<14} {:>14} {c} {:>14} {c}",
                    "total",
                    c.format_minor(now),
                    c.format_minor(next)
                );
            }
        }
    }
    Ok(())
}

fn training_cmd(db: &str, cmd: TrainingCmd) -> Result<()> {
    use synergies_app::cooperation;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        TrainingCmd::Import { file } => {
            let events: Vec<synergies_domain::cooperation::TrainingEvent> = read_json(&file)?;
            let n = cooperation::save_events(store, &events)?;
            println!("Recorded {n} training events from {}.", file.display());
        }
        TrainingCmd::List { json } => {
            let events = cooperation::events(store)?;
            let rows: Vec<_> = events
                .iter()
                .map(|e| {
                    let counts: Vec<_> = e
                        .by_region_and_gender()
                        .into_iter()
                        .map(|((region, gender), n)| {
                            json!({ "region": region, "gender": gender, "participants": n })
                        })
                        .collect();
                    json!({ "event": e, "participants_by_region_and_gender": counts })
                })
                .collect();
            if json {
                print_json(&rows)?;
            } else {
                for e in &events {
                    println!(
                        "{} {} to {} {}: {} participants ({} women)",
                        e.code,
                        e.start,
                        e.end,
                        e.place.as_deref().unwrap_or("online"),
                        e.participants.len(),
                        e.participants
                            .iter()
                            .filter(|p| p.gender == synergies_domain::cooperation::Gender::Female)
                            .count()
                    );
                }
            }
        }
    }
    Ok(())
}

fn taskforce_cmd(db: &str, cmd: TaskforceCmd) -> Result<()> {
    use synergies_app::cooperation;
    use synergies_domain::cooperation::ActionStatus;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        TaskforceCmd::Import { file } => {
            let tf: cooperation::TaskForce = read_json(&file)?;
            cooperation::save_task_force(store, &tf)?;
            println!(
                "Recorded {} members, {} meetings and {} action items.",
                tf.members.len(),
                tf.meetings.len(),
                tf.action_items.len()
            );
        }
        TaskforceCmd::Show { json } => {
            let tf = cooperation::task_force(store)?;
            if json {
                print_json(&tf)?;
            } else {
                for m in &tf.meetings {
                    println!("{} {}: {}", m.code, m.date, m.minutes);
                }
                for a in &tf.action_items {
                    println!(
                        "  {} [{:?}] {} (owner {}, due {})",
                        a.code, a.status, a.title, a.owner, a.due
                    );
                }
            }
        }
        TaskforceCmd::Action { code, status, by } => {
            let status = match status {
                ActionArg::Open => ActionStatus::Open,
                ActionArg::Done => ActionStatus::Done,
                ActionArg::Cancelled => ActionStatus::Cancelled,
            };
            let item = cooperation::set_action_status(store, &code, status, &by)?;
            println!("{}: {:?}.", item.code, item.status);
        }
    }
    Ok(())
}
