//! `synergies`: the command line of Synergies.
//!
//! This file holds the top-level command, its global options, the dispatch to the command
//! groups (one module each, with its clap definition and its handler), the signal handling and
//! the mapping of errors to exit codes.

mod activities;
mod agreements;
mod allocate;
mod context;
mod decisions;
mod deliveries;
mod export;
mod framework;
mod ledger;
mod mandates;
mod opendata;
mod output;
mod periods;
mod report;
mod serve;
mod store;
mod taskforce;
mod training;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use synergies_app::AppError;

/// What the exit status of every command means, at the end of `synergies --help`.
const EXIT_STATUS: &str = "Exit status: 0 when the command did its work, and also when the \
program reading its output stops early (as `synergies deliveries list | head` does): the \
command then stops quietly, printing nothing more. 1 on an error, or when `ledger check` \
finds a violation. 130 or 143 when interrupted (Ctrl-C, SIGTERM).";

/// Synergies: cost recovery and service sharing between treaty secretariats, with an exact
/// inter-fund ledger.
#[derive(Parser)]
#[command(name = "synergies", version, after_help = EXIT_STATUS)]
struct Cli {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB (also postgresql:///DB?host=/socket/dir).
    #[arg(
        long,
        global = true,
        env = "SYNERGIES_DB",
        default_value = "sqlite://synergies.db"
    )]
    db: String,
    /// Act as this user: the change is checked against the roles the user holds, as on the
    /// web, and recorded under their name. Without it the operator of the command line acts
    /// (every change allowed, recorded as `cli:` and the operating-system account).
    #[arg(
        long = "as",
        global = true,
        env = "SYNERGIES_ACTOR",
        value_name = "USER"
    )]
    acting_as: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database or migrate it to the current schema.
    Init,
    /// Seed the demo data set (illustrative figures) into an empty database, give the demo
    /// users a password, print the logins and serve the web application.
    Demo(serve::DemoArgs),
    /// Serve the web application and the JSON API (`/api/v1`, documented at `/api/docs`).
    Serve(serve::ServeArgs),
    /// Reference data: organisations, conventions, funds, biennia, services, rates, FX.
    #[command(subcommand)]
    Framework(framework::FrameworkCmd),
    /// Agreements between providers and recipients, and their approval by both heads.
    #[command(subcommand)]
    Agreements(agreements::AgreementsCmd),
    /// Services delivered under agreements.
    #[command(subcommand)]
    Deliveries(deliveries::DeliveriesCmd),
    /// Decisions of governing bodies (MC-6/20, BC-16/21, …): the registry.
    #[command(subcommand)]
    Decisions(decisions::DecisionsCmd),
    /// What each decision asks, tracked until done.
    #[command(subcommand)]
    Mandates(mandates::MandatesCmd),
    /// Cooperation activities per biennium, their costs, and planning the next biennium.
    #[command(subcommand)]
    Activities(activities::ActivitiesCmd),
    /// Training of chairs and potential negotiators.
    #[command(subcommand)]
    Training(training::TrainingCmd),
    /// The joint task force: members, meetings, action items.
    #[command(subcommand)]
    Taskforce(taskforce::TaskforceCmd),
    /// Close a period: compute the charges of accepted deliveries and post them (idempotent).
    Close(periods::CloseArgs),
    /// Reopen a period: reverse its closings so that deliveries can be corrected.
    Reopen(periods::ReopenArgs),
    /// Posted charges.
    #[command(subcommand)]
    Charges(periods::ChargesCmd),
    /// The inter-fund ledger.
    #[command(subcommand)]
    Ledger(ledger::LedgerCmd),
    /// Settle what a payer fund owes a provider fund (payable and receivable against cash).
    Settle(ledger::SettleArgs),
    /// Export data so that anyone can recompute the charges, and open data (IATI, data package).
    ///
    /// `iati` writes the IATI 2.03 activity file of a biennium's cooperation activities
    /// (--biennium; budgets per calendar year). `datapackage` writes every table as CSV with a
    /// Frictionless datapackage.json into a new directory (--out); `store restore --datapackage`
    /// reads it back.
    Export(export::ExportArgs),
    /// Allocate cost pools that serve each other (reciprocal or step-down method).
    Allocate(allocate::AllocateArgs),
    /// Move data between databases: copy, backup and restore.
    #[command(subcommand)]
    Store(store::StoreCmd),
    /// Reports in PDF, Word, HTML or XLSX, in English or French: implementation of a decision,
    /// cost-recovery statements, fund statements.
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// What the database holds.
    Status(serve::StatusArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Why a command waits (another writer holds the database) or retries: said on stderr.
    synergies_store::set_wait_notice(|reason| eprintln!("note: {reason}"));
    // The server stops on Ctrl-C by itself; every other command removes what it was writing.
    let serves = match &cli.command {
        Command::Serve(_) => true,
        Command::Demo(demo) => !demo.no_serve,
        _ => false,
    };
    if !serves {
        interrupted_removes_temporaries();
    }
    match run(cli) {
        Ok(code) => code,
        // The reader of standard output went away (`synergies status | head -n1`): nothing
        // more can be said there, and nothing is wrong; stop quietly.
        Err(e) if output::stdout_closed() || output::is_broken_pipe(&e) => ExitCode::SUCCESS,
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

/// Runs one command; the exit code is a failure only for `ledger check` finding a violation
/// (other failures are errors).
fn run(cli: Cli) -> Result<ExitCode> {
    let db = cli.db.as_str();
    if let Some(user) = cli.acting_as.as_deref().filter(|u| !u.trim().is_empty()) {
        let store = context::open(db)?;
        let person = synergies_app::identity::acting_as(store.as_ref(), user.trim())?;
        context::ACTING_AS
            .set(person)
            .map_err(|_| anyhow::anyhow!("the acting user is set once"))?;
    }
    match cli.command {
        Command::Init => serve::init(db)?,
        Command::Demo(args) => serve::demo(db, args)?,
        Command::Serve(args) => serve::serve(db, args)?,
        Command::Framework(cmd) => framework::run(db, cmd)?,
        Command::Agreements(cmd) => agreements::run(db, cmd)?,
        Command::Deliveries(cmd) => deliveries::run(db, cmd)?,
        Command::Decisions(cmd) => decisions::run(db, cmd)?,
        Command::Mandates(cmd) => mandates::run(db, cmd)?,
        Command::Activities(cmd) => activities::run(db, cmd)?,
        Command::Training(cmd) => training::run(db, cmd)?,
        Command::Taskforce(cmd) => taskforce::run(db, cmd)?,
        Command::Close(args) => periods::close(db, args)?,
        Command::Reopen(args) => periods::reopen(db, args)?,
        Command::Charges(cmd) => periods::charges(db, cmd)?,
        Command::Ledger(cmd) => return ledger::run(db, cmd),
        Command::Settle(args) => ledger::settle(db, args)?,
        Command::Export(args) => export::run(db, args)?,
        Command::Allocate(args) => allocate::run(args)?,
        Command::Store(cmd) => store::run(db, cmd)?,
        Command::Report(cmd) => report::run(context::open(db)?.as_ref(), cmd)?,
        Command::Status(args) => serve::status(db, args)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every command without an `about` and every argument (positional or option) without a
    /// `help`, below `cmd`, named by their command path.
    fn undocumented(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        if cmd.get_about().is_none() {
            missing.push(format!("`{path}` has no description"));
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            // clap's own --help and --version describe themselves.
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() {
                let name = match arg.get_long() {
                    Some(long) => format!("--{long}"),
                    None => format!("<{id}>"),
                };
                missing.push(format!("`{path}` {name} has no help"));
            }
        }
        for sub in cmd.get_subcommands() {
            undocumented(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }

    #[test]
    fn every_command_and_argument_has_help() {
        Cli::command().debug_assert();
        let mut missing = vec![];
        undocumented(&Cli::command(), "synergies", &mut missing);
        assert!(
            missing.is_empty(),
            "{} commands or arguments without help:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    /// The walk above sees every command and argument: it would report one without help.
    #[test]
    fn the_walk_finds_an_argument_without_help() {
        let cmd = clap::Command::new("synergies")
            .about("Cost recovery.")
            .subcommand(
                clap::Command::new("close")
                    .about("Close a period.")
                    .subcommand(
                        clap::Command::new("inner")
                            .arg(clap::Arg::new("period").long("period"))
                            .arg(clap::Arg::new("file").help("The file.")),
                    ),
            );
        let mut missing = vec![];
        undocumented(&cmd, "synergies", &mut missing);
        assert_eq!(
            missing,
            [
                "`synergies close inner` has no description",
                "`synergies close inner` --period has no help"
            ]
        );
    }
}
