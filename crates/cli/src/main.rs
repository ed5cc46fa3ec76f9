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
use synergies_store::{Audit, ChargeFilter, DeliveryFilter, Store};

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
    /// Seed the demo data set (illustrative figures) into an empty database, give the demo
    /// users a password, print the logins and serve the web application.
    Demo {
        /// Only seed the data and set up the demo users; do not serve.
        #[arg(long)]
        no_serve: bool,
        /// The address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[arg(long)]
        json: bool,
    },
    /// Serve the web application and the JSON API (`/api/v1`, documented at `/api/docs`).
    Serve {
        /// The address to serve on (port 0 picks a free port and prints it).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Mark cookies Secure: the server is reached over HTTPS (e.g. behind a proxy).
        #[arg(long)]
        secure_cookies: bool,
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
    /// Export data so that anyone can recompute the charges, and open data (IATI, data package).
    ///
    /// `iati` writes the IATI 2.03 activity file of a biennium's cooperation activities
    /// (--biennium; budgets per calendar year). `datapackage` writes every table as CSV with a
    /// Frictionless datapackage.json into a new directory (--out); `store restore --datapackage`
    /// reads it back.
    Export {
        #[arg(value_enum)]
        dataset: DatasetArg,
        /// For rates, fx, deliveries, agreements and charges (default: csv).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Write to FILE (a new directory for datapackage) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The biennium of an IATI export, such as 2026-2027.
        #[arg(long)]
        biennium: Option<String>,
        /// IATI organisation identifier of the publisher (reporting organisation).
        #[arg(long, default_value = "XM-DAC-41116")]
        reporting_org: String,
        /// Name of the publisher.
        #[arg(long, default_value = "United Nations Environment Programme")]
        reporting_org_name: String,
        /// IATI organisation type code of the publisher (40: multilateral).
        #[arg(long, default_value = "40")]
        reporting_org_type: String,
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
        /// The day the decision was adopted, when known (default: as recorded, else unknown).
        #[arg(long)]
        adopted: Option<NaiveDate>,
        /// Where the decision stands (default: as recorded, else adopted).
        #[arg(long, value_enum)]
        status: Option<DecisionStatusArg>,
    },
    /// List the recorded decisions with their type, meeting, status and adoption date.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print a recorded decision's structure as JSON, with its status and adoption date.
    Show {
        number: String,
        #[arg(long, value_enum, default_value = "fr")]
        lang: LangArg,
    },
    /// Set a decision's status (every language), and its adoption date.
    Update {
        /// The decision, such as MC-6/20.
        number: String,
        #[arg(long, value_enum)]
        status: DecisionStatusArg,
        /// The day it was adopted (default: the recorded one stays).
        #[arg(long)]
        adopted: Option<NaiveDate>,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DecisionStatusArg {
    Adopted,
    #[value(name = "in_force")]
    InForce,
    Superseded,
    Revoked,
}

impl DecisionStatusArg {
    fn status(self) -> synergies_domain::decision::DecisionStatus {
        use synergies_domain::decision::DecisionStatus;
        match self {
            DecisionStatusArg::Adopted => DecisionStatus::Adopted,
            DecisionStatusArg::InForce => DecisionStatus::InForce,
            DecisionStatusArg::Superseded => DecisionStatus::Superseded,
            DecisionStatusArg::Revoked => DecisionStatus::Revoked,
        }
    }
}

#[derive(Subcommand)]
enum MandatesCmd {
    /// List the mandates, of one decision or all, with the agreements and activities that
    /// serve them.
    List {
        #[arg(long)]
        decision: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one mandate: its text, status, dated notes, agreements and activities.
    Show {
        /// The decision, such as MC-6/20.
        decision: String,
        /// The paragraph, such as 3 or 4(c).
        paragraph: String,
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
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Subcommand)]
enum ActivitiesCmd {
    /// Record activities from a JSON array (all or none).
    Import { file: PathBuf },
    /// List a biennium's activities: estimated cost per organisation against the actual cost
    /// charged in the ledger under the agreements that carry them.
    List {
        #[arg(long)]
        biennium: String,
        #[arg(long)]
        json: bool,
    },
    /// Set an activity's status.
    SetStatus {
        code: String,
        #[arg(long, value_enum)]
        status: ActivityStatusArg,
        /// The activity's biennium (needed when its code is recorded in several).
        #[arg(long)]
        biennium: Option<String>,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Change an activity's common fields: status, funding, outputs, agreements, mandates.
    Update {
        code: String,
        /// The activity's biennium (needed when its code is recorded in several).
        #[arg(long)]
        biennium: Option<String>,
        #[arg(long, value_enum)]
        status: Option<ActivityStatusArg>,
        #[arg(long, value_enum)]
        funding: Option<FundingArg>,
        /// Whether it continues into the next biennium.
        #[arg(long)]
        continues: Option<bool>,
        #[arg(long)]
        title_en: Option<String>,
        #[arg(long)]
        title_fr: Option<String>,
        /// An output to add (repeatable).
        #[arg(long = "add-output")]
        add_outputs: Vec<String>,
        /// An output to remove (repeatable).
        #[arg(long = "remove-output")]
        remove_outputs: Vec<String>,
        /// An agreement that carries its cost, of the same biennium (repeatable).
        #[arg(long = "add-agreement")]
        add_agreements: Vec<String>,
        #[arg(long = "remove-agreement")]
        remove_agreements: Vec<String>,
        /// A mandate it serves, such as "MC-6/20 4(a)" (repeatable).
        #[arg(long = "add-mandate")]
        add_mandates: Vec<String>,
        #[arg(long = "remove-mandate")]
        remove_mandates: Vec<String>,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
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
    /// Add a participant to a recorded training event.
    AddParticipant {
        /// The event's code.
        event: String,
        /// ISO 3166 country code, such as KE.
        #[arg(long)]
        country: String,
        #[arg(long, value_enum)]
        region: RegionArg,
        #[arg(long, value_enum)]
        gender: GenderArg,
        /// chair, vice_chair, potential_negotiator, …
        #[arg(long, default_value = "potential_negotiator")]
        role: String,
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RegionArg {
    African,
    #[value(name = "asia_pacific")]
    AsiaPacific,
    #[value(name = "eastern_european")]
    EasternEuropean,
    #[value(name = "latin_american_caribbean")]
    LatinAmericanCaribbean,
    #[value(name = "western_european_others")]
    WesternEuropeanOthers,
}

#[derive(Clone, Copy, ValueEnum)]
enum GenderArg {
    Female,
    Male,
    Other,
}

#[derive(Clone, Copy, ValueEnum)]
enum ActivityStatusArg {
    Planned,
    Ongoing,
    Completed,
    Postponed,
    Cancelled,
}

impl ActivityStatusArg {
    fn status(self) -> synergies_domain::activity::ActivityStatus {
        use synergies_domain::activity::ActivityStatus;
        match self {
            ActivityStatusArg::Planned => ActivityStatus::Planned,
            ActivityStatusArg::Ongoing => ActivityStatus::Ongoing,
            ActivityStatusArg::Completed => ActivityStatus::Completed,
            ActivityStatusArg::Postponed => ActivityStatus::Postponed,
            ActivityStatusArg::Cancelled => ActivityStatus::Cancelled,
        }
    }
}

impl FundingArg {
    fn funding(self) -> synergies_domain::activity::FundingStatus {
        use synergies_domain::activity::FundingStatus;
        match self {
            FundingArg::CoreBudget => FundingStatus::CoreBudget,
            FundingArg::SubjectToResources => FundingStatus::SubjectToResources,
            FundingArg::VoluntaryFunding => FundingStatus::VoluntaryFunding,
            FundingArg::Unfunded => FundingStatus::Unfunded,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FundingArg {
    #[value(name = "core_budget")]
    CoreBudget,
    #[value(name = "subject_to_resources")]
    SubjectToResources,
    #[value(name = "voluntary_funding")]
    VoluntaryFunding,
    Unfunded,
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
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Record a new task-force meeting.
    AddMeeting {
        /// The meeting's code, such as TF-2027-1.
        code: String,
        #[arg(long)]
        date: NaiveDate,
        /// An organisation that attended (repeatable), such as MC.
        #[arg(long = "attendee")]
        attendees: Vec<String>,
        #[arg(long, default_value = "")]
        minutes: String,
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Record a new action item, agreed at a meeting and serving an activity.
    AddAction {
        /// The item's code, such as AI-4.
        code: String,
        #[arg(long)]
        title: String,
        /// Who carries it out.
        #[arg(long)]
        owner: String,
        #[arg(long)]
        due: NaiveDate,
        /// The meeting that agreed it.
        #[arg(long)]
        meeting: Option<String>,
        /// The activity it serves (its code).
        #[arg(long)]
        activity: Option<String>,
        #[arg(long, default_value_t = operator())]
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
    /// Restore a backup file, or a data package (--datapackage DIR), into the database (--db),
    /// which must be empty (unless --overwrite, for a backup file).
    Restore {
        /// The backup file.
        #[arg(required_unless_present = "datapackage")]
        file: Option<PathBuf>,
        /// Import the data package in DIR (from `export datapackage`) instead: all or nothing,
        /// into an empty database only.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["file", "overwrite"])]
        datapackage: Option<PathBuf>,
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
    /// Show one agreement with its versions, approvals and the mandates it serves.
    Show { code: String },
    /// Link an agreement to a mandate it serves.
    Link {
        code: String,
        /// The mandate: decision and paragraph, such as "MC-6/20 4(a)".
        #[arg(long)]
        mandate: String,
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Remove the link from an agreement to a mandate.
    Unlink {
        code: String,
        /// The mandate: decision and paragraph, such as "MC-6/20 4(a)".
        #[arg(long)]
        mandate: String,
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Load agreements from a JSON array (as `export agreements --format json` writes).
    Import { file: PathBuf },
    /// Propose the draft version for approval by the heads.
    Propose {
        code: String,
        #[arg(long, default_value_t = operator())]
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
    /// IATI 2.03 activity file of a biennium's cooperation activities.
    Iati,
    /// Every table as CSV with a Frictionless datapackage.json.
    Datapackage,
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
    // Why a command waits (another writer holds the database) or retries: said on stderr.
    synergies_store::set_wait_notice(|reason| eprintln!("note: {reason}"));
    // The server stops on Ctrl-C by itself; every other command removes what it was writing.
    let serves = matches!(
        cli.command,
        Command::Serve { .. }
            | Command::Demo {
                no_serve: false,
                ..
            }
    );
    if !serves {
        interrupted_removes_temporaries();
    }
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

/// On Ctrl-C (SIGINT) or SIGTERM, removes the temporaries of the outputs being written and
/// exits (130 or 143, as a shell reports a signal). The database needs nothing: an unfinished
/// transaction is rolled back as after a crash.
fn interrupted_removes_temporaries() {
    std::thread::spawn(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        let code = runtime.block_on(async {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut interrupt), Ok(mut terminate)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return None;
            };
            tokio::select! {
                _ = interrupt.recv() => Some(130),
                _ = terminate.recv() => Some(143),
            }
        });
        if let Some(code) = code {
            synergies_files::remove_live();
            std::process::exit(code);
        }
    });
}

/// Serves the web application until interrupted, printing the address once it listens.
fn serve(
    store: Box<dyn Store>,
    addr: std::net::SocketAddr,
    settings: synergies_web::Settings,
) -> Result<()> {
    // The request log and the refusals, on standard error (never cookies, tokens or passwords).
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_ansi(false)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(synergies_web::serve(
            std::sync::Arc::from(store),
            addr,
            settings,
            |bound| {
                println!("Serving Synergies at http://{bound}/ (Ctrl-C stops)");
                use std::io::Write as _;
                let _ = std::io::stdout().flush();
            },
        ))
        .with_context(|| format!("serving on {addr}"))?;
    Ok(())
}

/// Opens the database of every command but `init` and `demo`. It must exist (a mistyped path
/// is refused, never created empty) and have this program's schema: a database that `init`
/// has not created or migrated is refused, with what to run. A database this process cannot
/// write is opened read-only: reads work, writes fail.
fn open(url: &str) -> Result<Box<dyn Store>> {
    let shown = synergies_app::storage::redact_url(url);
    let store = synergies_store::open_existing(url).with_context(|| format!("opening {shown}"))?;
    let version = store
        .schema_version()
        .with_context(|| format!("reading {shown}"))?;
    let latest = synergies_store::latest_schema_version();
    if version == 0 {
        bail!(
            "{shown} is not a Synergies database yet (it has no schema): create it with \
             `synergies --db {shown} init`"
        );
    }
    if version < latest {
        bail!(
            "{shown} has schema version {version} and this Synergies needs {latest}: migrate \
             it with `synergies --db {shown} init` (after a backup)"
        );
    }
    if version > latest {
        bail!(
            "{shown} has schema version {version}, newer than this Synergies knows \
             ({latest}): upgrade Synergies"
        );
    }
    Ok(store)
}

/// Opens the database of `init` and `demo`, the commands that create one: created if it does
/// not exist, and migrated to this program's schema.
fn create(url: &str) -> Result<Box<dyn Store>> {
    let shown = synergies_app::storage::redact_url(url);
    let store = synergies_store::open(url).with_context(|| format!("opening {shown}"))?;
    store
        .migrate()
        .with_context(|| format!("migrating {shown}"))?;
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
        // Whole or not at all, through the one atomic-write helper: a unique temporary beside
        // the target, removed on every exit path (and by the next run if this one is killed).
        Some(path) => synergies_files::write_with(path, f),
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

/// Who runs the command line, as the audit trail names them: `cli:` and the operating-system
/// account (`cli` alone when the environment does not say).
fn operator() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("cli:{}", user.trim()),
        _ => "cli".to_string(),
    }
}

fn money(currency: &str, minor: i64) -> String {
    synergies_domain::Currency::from_code(currency)
        .map(|c| c.format_minor(minor))
        .unwrap_or_else(|_| minor.to_string())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init => {
            let shown = synergies_app::storage::redact_url(&cli.db);
            let store =
                synergies_store::open(&cli.db).with_context(|| format!("opening {shown}"))?;
            let before = store.schema_version()?;
            let after = store.migrate()?;
            if before == after {
                println!("{shown} is up to date (schema version {after})");
            } else {
                println!("{shown}: schema migrated from version {before} to {after}");
            }
        }
        Command::Demo {
            no_serve,
            addr,
            json,
        } => {
            let store = create(&cli.db)?;
            let report = demo::seed(store.as_ref())?;
            let password = synergies_web::accounts::demo_password();
            let users = synergies_web::accounts::ensure_demo_users(store.as_ref(), &password)
                .map_err(|p| anyhow::anyhow!(p.detail))?;
            let summary = synergies_app::summary(store.as_ref())?;
            if json {
                print_json(&json!({ "demo": report, "summary": summary, "users": users }))?;
            } else {
                if report.seeded {
                    println!(
                        "Seeded the demo into {}: {} agreements, {} deliveries, {} closings.",
                        synergies_app::storage::redact_url(&cli.db),
                        report.agreements,
                        report.deliveries,
                        report.closings
                    );
                } else {
                    println!(
                        "{} already holds data; the demo was not seeded again.",
                        synergies_app::storage::redact_url(&cli.db)
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
            if !json {
                println!();
                println!("Demo logins (password for each: {password}):");
                for u in &users {
                    println!("  {u}");
                }
            }
            if !no_serve {
                serve(store, addr, synergies_web::Settings::default())?;
            }
        }
        Command::Serve {
            addr,
            secure_cookies,
        } => {
            let store = open(&cli.db)?;
            if store.users()?.is_empty() {
                eprintln!(
                    "note: {} has no users yet; `synergies demo --no-serve` creates the demo \
                     users, `synergies users add` creates others",
                    synergies_app::storage::redact_url(&cli.db)
                );
            }
            let settings = synergies_web::Settings {
                secure_cookies,
                ..synergies_web::Settings::default()
            };
            serve(store, addr, settings)?;
        }
        Command::Framework(FrameworkCmd::Load { file }) => {
            let store = open(&cli.db)?;
            let framework: Framework = read_json(&file)?;
            store.save_framework(
                &framework,
                &Audit::new(
                    &operator(),
                    "framework.load",
                    &file.display().to_string(),
                    json!({ "organisations": framework.organisations.len(),
                             "funds": framework.funds.len(), "rates": framework.rates.len(),
                             "fx_rates": framework.fx_rates.len() }),
                ),
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
            // The closings and their audit event are written in one transaction.
            let report = close::close_period(
                store.as_ref(),
                period,
                agreement.as_deref(),
                on.unwrap_or_else(today),
                &operator(),
            )?;
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
            // Each reversal and its audit event are written in one transaction.
            let report =
                close::reopen_period(store.as_ref(), period, agreement.as_deref(), &operator())?;
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
                &operator(),
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
            biennium,
            reporting_org,
            reporting_org_name,
            reporting_org_type,
        } => {
            let open_data = matches!(dataset, DatasetArg::Iati | DatasetArg::Datapackage);
            if open_data && format.is_some() {
                bail!("--format applies to rates, fx, deliveries, agreements and charges only");
            }
            if biennium.is_some() && !matches!(dataset, DatasetArg::Iati) {
                bail!("--biennium applies to the iati export only");
            }
            let store = open(&cli.db)?;
            let dataset = match dataset {
                DatasetArg::Rates => Dataset::Rates,
                DatasetArg::Fx => Dataset::Fx,
                DatasetArg::Deliveries => Dataset::Deliveries,
                DatasetArg::Agreements => Dataset::Agreements,
                DatasetArg::Charges => Dataset::Charges,
                DatasetArg::Iati => {
                    let Some(biennium) = biennium else {
                        bail!("the iati export needs --biennium, such as --biennium 2026-2027");
                    };
                    let publisher = synergies_opendata::iati::Publisher {
                        reference: reporting_org,
                        name: reporting_org_name,
                        org_type: reporting_org_type,
                    };
                    let mut report = None;
                    write_out(out.as_deref(), |w| {
                        report = Some(synergies_app::opendata::export_iati(
                            store.as_ref(),
                            &biennium,
                            &publisher,
                            w,
                        )?);
                        Ok(())
                    })?;
                    if let (Some(path), Some(r)) = (&out, report) {
                        println!(
                            "Wrote {} activities of {} with {} yearly budgets to {} \
                             (no transactions: activities do not name the agreements that \
                             carry their actual costs).",
                            r.activities,
                            r.biennium,
                            r.budgets,
                            path.display()
                        );
                    }
                    return Ok(ExitCode::SUCCESS);
                }
                DatasetArg::Datapackage => {
                    let Some(dir) = out else {
                        bail!("the datapackage export needs --out DIR, a new directory");
                    };
                    let summary =
                        synergies_app::opendata::export_datapackage(store.as_ref(), &dir)?;
                    let rows: u64 = summary.tables.iter().map(|(_, n)| n).sum();
                    println!(
                        "Wrote {} tables ({rows} rows) and datapackage.json to {}.",
                        summary.tables.len(),
                        dir.display()
                    );
                    return Ok(ExitCode::SUCCESS);
                }
            };
            let format = match format.unwrap_or(FormatArg::Csv) {
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
            Some(a) => {
                let mandates: Vec<String> = store
                    .mandate_links(Some(&code))?
                    .into_iter()
                    .map(|l| format!("{} {}", l.decision, l.paragraph))
                    .collect();
                let mut shown = serde_json::to_value(&a)?;
                if let Some(object) = shown.as_object_mut() {
                    object.insert("mandates".into(), json!(mandates));
                }
                print_json(&shown)?
            }
            None => bail!("unknown agreement {code}"),
        },
        AgreementsCmd::Link { code, mandate, by } => {
            let new = synergies_app::decisions::link_agreement(store, &code, &mandate, &by)?;
            if new {
                println!("{code} now serves {}.", mandate.trim());
            } else {
                println!("{code} already serves {}; nothing changed.", mandate.trim());
            }
        }
        AgreementsCmd::Unlink { code, mandate, by } => {
            synergies_app::decisions::unlink_agreement(store, &code, &mandate, &by)?;
            println!("{code} no longer serves {}.", mandate.trim());
        }
        AgreementsCmd::Import { file } => {
            let list: Vec<Agreement> = read_json(&file)?;
            let n = agreements::import_agreements(store, &list, &operator())?;
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
            let report = import::import_deliveries(
                store,
                &import::FileSource(file.clone()),
                &mut |rows| {
                    if tty {
                        eprint!("\r{rows} rows read…");
                    }
                },
                &operator(),
            )?;
            if tty {
                eprintln!();
            }
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
            let total = synergies_app::deliveries::accept(
                store,
                code.as_deref(),
                through,
                today(),
                &operator(),
            )?;
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
            synergies_app::deliveries::dispute(
                store,
                &agreement,
                &external_id,
                &reason,
                &operator(),
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
        "Verified: same row counts, {}, ledger check {}, {} closings recomputed.",
        match report.same_trial_balance {
            Some(true) => "same trial balance",
            Some(false) => "DIFFERENT trial balance",
            None => "trial balance not compared",
        },
        if report.ledger_check.passed() {
            "passed"
        } else {
            "FAILED"
        },
        report.closings.closings
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
            let created = new_sqlite_file(&to);
            let target = synergies_store::open(&to)
                .with_context(|| format!("opening {}", storage::redact_url(&to)))?;
            let copied = storage::copy(source.as_ref(), target.as_ref(), overwrite, &operator());
            drop(target);
            let report = undo_created(created, copied)?;
            if !json {
                println!(
                    "Copied {} to {}.",
                    storage::redact_url(&from),
                    storage::redact_url(&to)
                );
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
            println!(
                "Wrote {rows} rows of {} to {}.",
                storage::redact_url(db),
                out.display()
            );
        }
        StoreCmd::Restore {
            file,
            datapackage,
            overwrite,
            json,
        } => {
            let created = new_sqlite_file(db);
            let store = synergies_store::open(db)
                .with_context(|| format!("opening {}", storage::redact_url(db)))?;
            let restored = match (datapackage, file) {
                (Some(dir), _) => {
                    synergies_app::opendata::import_datapackage(store.as_ref(), &dir, &operator())
                        .map(|r| (r, dir))
                }
                (None, Some(file)) => {
                    storage::restore(store.as_ref(), &file, overwrite, &operator())
                        .map(|r| (r, file))
                }
                (None, None) => bail!("give a backup file or --datapackage DIR"),
            };
            drop(store);
            let (report, source) = undo_created(created, restored)?;
            if !json {
                println!(
                    "Restored {} into {}.",
                    source.display(),
                    storage::redact_url(db)
                );
            }
            print_transfer(&report, json)?;
        }
    }
    Ok(())
}

/// The SQLite file a database URL names when it does not exist yet (a restore or a copy
/// creates it).
fn new_sqlite_file(url: &str) -> Option<PathBuf> {
    let path = PathBuf::from(url.strip_prefix("sqlite://")?);
    (!path.exists()).then_some(path)
}

/// A restore or copy that failed into a SQLite file it created removes the file again (with
/// what SQLite kept beside it): a failure leaves nothing behind. The store is closed by then.
fn undo_created<T>(created: Option<PathBuf>, outcome: synergies_app::AppResult<T>) -> Result<T> {
    if outcome.is_err() {
        if let Some(path) = created {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
    Ok(outcome?)
}

/// A decision's standing: `COP-6 in_force (adopted on 2025-11-07)`, or with `adoption date
/// unknown`.
fn standing(d: &synergies_store::DecisionRecord) -> String {
    format!(
        "{}-{} {} ({})",
        d.body.abbreviation(),
        d.meeting,
        d.status,
        match d.adopted_on {
            Some(on) => format!("adopted on {on}"),
            None => "adoption date unknown".into(),
        }
    )
}

fn decisions_cmd(db: &str, cmd: DecisionsCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        DecisionsCmd::Import {
            file,
            lang,
            json,
            adopted,
            status,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.display().to_string();
            let imported = synergies_app::decisions::import_decision(
                store,
                &name,
                &text,
                lang.map(LangArg::language),
                synergies_app::decisions::Standing {
                    status: status.map(DecisionStatusArg::status),
                    adopted_on: adopted,
                },
                &operator(),
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
                                "type": d.kind, "body": d.body, "meeting": d.meeting,
                                "status": d.status, "adopted_on": d.adopted_on,
                                "title": d.title, "imported_at": d.imported_at })
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                for d in &list {
                    println!(
                        "{:<10} {:<3} {:<9} {:<42} {}",
                        d.number,
                        d.language,
                        d.kind,
                        standing(d),
                        d.title
                    );
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
            let mut doc: serde_json::Value = serde_json::from_str(&d.document)?;
            if let Some(object) = doc.as_object_mut() {
                object.insert("type".into(), json!(d.kind));
                object.insert("body".into(), json!(d.body));
                object.insert("status".into(), json!(d.status));
                object.insert("adopted_on".into(), json!(d.adopted_on));
            }
            print_json(&doc)?;
        }
        DecisionsCmd::Update {
            number,
            status,
            adopted,
            by,
        } => {
            let d = synergies_app::decisions::update_decision(
                store,
                &number,
                status.status(),
                adopted,
                &by,
            )?;
            println!("{number}: {}.", standing(&d));
        }
    }
    Ok(())
}

fn mandates_cmd(db: &str, cmd: MandatesCmd) -> Result<()> {
    use synergies_domain::mandate::MandateStatus;
    let store = open(db)?;
    let store = store.as_ref();
    let due = |m: &synergies_domain::mandate::Mandate| match (&m.deliverable, m.due_meeting) {
        (Some(d), Some(n)) => format!("{d} due at meeting {n}"),
        (Some(d), None) => d.clone(),
        _ => String::new(),
    };
    match cmd {
        MandatesCmd::List { decision, json } => {
            let list = synergies_app::decisions::mandates(store, decision.as_deref())?;
            if json {
                print_json(&list)?;
            } else {
                for v in &list {
                    let m = &v.mandate;
                    println!(
                        "{:<9} {:<6} {:<13} {:<11} {:<20} {:<28} {}",
                        m.decision,
                        m.paragraph,
                        m.tracking.as_str(),
                        m.status.as_str(),
                        m.actor.as_deref().unwrap_or("-"),
                        due(m),
                        if v.agreements.is_empty() {
                            String::new()
                        } else {
                            format!("agreements: {}", v.agreements.join(", "))
                        }
                    );
                }
            }
        }
        MandatesCmd::Show {
            decision,
            paragraph,
            json,
        } => {
            let Some(v) = synergies_app::decisions::mandates(store, Some(&decision))?
                .into_iter()
                .find(|v| v.mandate.paragraph == paragraph)
            else {
                bail!("no mandate {paragraph} of {decision} (see `mandates list`)");
            };
            let notes = store.mandate_notes(&decision, &paragraph)?;
            if json {
                print_json(&json!({ "mandate": v, "notes": notes }))?;
            } else {
                let m = &v.mandate;
                println!(
                    "{} {} ({}, {}): {}",
                    m.decision,
                    m.paragraph,
                    m.tracking.as_str(),
                    m.status.as_str(),
                    m.text
                );
                if let Some(actor) = &m.actor {
                    println!("Addressed to: {actor}");
                }
                if !due(m).is_empty() {
                    println!("Deliverable: {}", due(m));
                }
                let or_none = |l: &[String]| {
                    if l.is_empty() {
                        "none".to_string()
                    } else {
                        l.join(", ")
                    }
                };
                println!("Agreements: {}", or_none(&v.agreements));
                println!("Activities: {}", or_none(&v.activities));
                for n in &notes {
                    println!(
                        "{} {} ({}): {}",
                        n.noted_on,
                        n.status.as_str(),
                        n.author,
                        n.note
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
            let n = activities::import_activities(store, &list, &operator())?;
            println!("Recorded {n} activities from {}.", file.display());
        }
        ActivitiesCmd::List { biennium, json } => {
            let list = activities::priced(store, &biennium)?;
            if json {
                print_json(&list)?;
            } else {
                println!(
                    "{:<12} {:<4} {:<10} {:>14} {:>14}  title",
                    "code", "lead", "status", "estimated", "actual"
                );
                for p in &list {
                    let a = &p.activity;
                    let c = p.currency;
                    let status = serde_json::to_value(a.status)?;
                    println!(
                        "{:<12} {:<4} {:<10} {:>14} {:>14}  {} ({c})",
                        a.code,
                        a.lead,
                        status.as_str().unwrap_or("-"),
                        c.format_minor(p.estimated_minor),
                        p.actual_minor.map_or("-".into(), |x| c.format_minor(x)),
                        a.title_en
                    );
                    if p.actual_minor.is_some() {
                        for l in &p.by_organisation {
                            println!(
                                "  {:<26} {:>14} {:>14}",
                                l.organisation,
                                c.format_minor(l.estimated_minor),
                                c.format_minor(l.actual_minor)
                            );
                        }
                    }
                }
            }
        }
        ActivitiesCmd::SetStatus {
            code,
            status,
            biennium,
            by,
        } => {
            let change = activities::ActivityChange {
                status: Some(status.status()),
                ..Default::default()
            };
            let a = activities::update(store, &code, biennium.as_deref(), &change, &by)?;
            println!(
                "{} ({}): {}.",
                a.code,
                a.biennium,
                serde_json::to_value(a.status)?.as_str().unwrap_or("-")
            );
        }
        ActivitiesCmd::Update {
            code,
            biennium,
            status,
            funding,
            continues,
            title_en,
            title_fr,
            add_outputs,
            remove_outputs,
            add_agreements,
            remove_agreements,
            add_mandates,
            remove_mandates,
            by,
            json,
        } => {
            let change = activities::ActivityChange {
                status: status.map(ActivityStatusArg::status),
                funding: funding.map(FundingArg::funding),
                continues,
                title_en,
                title_fr,
                add_outputs,
                remove_outputs,
                add_agreements,
                remove_agreements,
                add_mandates,
                remove_mandates,
            };
            let a = activities::update(store, &code, biennium.as_deref(), &change, &by)?;
            if json {
                print_json(&a)?;
            } else {
                println!("{} ({}): updated.", a.code, a.biennium);
            }
        }
        ActivitiesCmd::Plan { from, to, json } => {
            let plan = activities::plan(store, &from, &to, &operator())?;
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
                for (org, actual) in &plan.current_actual {
                    println!(
                        "Charged to {org} so far in {from} under their agreements: {} {c}",
                        c.format_minor(*actual)
                    );
                }
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
            let n = cooperation::save_events(store, &events, &operator())?;
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
        TrainingCmd::AddParticipant {
            event,
            country,
            region,
            gender,
            role,
            by,
        } => {
            use synergies_domain::cooperation::{Gender, RegionalGroup, Trainee};
            let trainee = Trainee {
                country,
                region: match region {
                    RegionArg::African => RegionalGroup::African,
                    RegionArg::AsiaPacific => RegionalGroup::AsiaPacific,
                    RegionArg::EasternEuropean => RegionalGroup::EasternEuropean,
                    RegionArg::LatinAmericanCaribbean => RegionalGroup::LatinAmericanCaribbean,
                    RegionArg::WesternEuropeanOthers => RegionalGroup::WesternEuropeanOthers,
                },
                gender: match gender {
                    GenderArg::Female => Gender::Female,
                    GenderArg::Male => Gender::Male,
                    GenderArg::Other => Gender::Other,
                },
                role,
            };
            let e = cooperation::add_participant(store, &event, trainee, &by)?;
            println!("{}: {} participants.", e.code, e.participants.len());
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
            cooperation::save_task_force(store, &tf, &operator())?;
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
        TaskforceCmd::AddMeeting {
            code,
            date,
            attendees,
            minutes,
            by,
        } => {
            use synergies_domain::cooperation::TaskForceMeeting;
            cooperation::add_meeting(
                store,
                TaskForceMeeting {
                    code: code.clone(),
                    date,
                    attendees,
                    minutes,
                },
                &by,
            )?;
            println!("Recorded the task-force meeting {code} of {date}.");
        }
        TaskforceCmd::AddAction {
            code,
            title,
            owner,
            due,
            meeting,
            activity,
            by,
        } => {
            use synergies_domain::cooperation::ActionItem;
            cooperation::add_action(
                store,
                ActionItem {
                    code: code.clone(),
                    title,
                    owner,
                    due,
                    status: ActionStatus::Open,
                    meeting,
                    activity,
                },
                &by,
            )?;
            println!("Recorded the action item {code}, due {due}.");
        }
    }
    Ok(())
}
