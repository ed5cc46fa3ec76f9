//! `synergies init`, `demo`, `serve` and `status`: creating the database, the demo data set,
//! the web application and what the database holds.

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use synergies_app::{demo, ledger};
use synergies_store::{ChargeFilter, Store};

use crate::context::{create, open};
use crate::output::{money, out, outln, print_json};

#[derive(Args)]
pub struct DemoArgs {
    /// Only seed the data and set up the demo users; do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// The address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Print what was seeded, the summary and the demo users as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ServeArgs {
    /// The address to serve on (port 0 picks a free port and prints it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Mark cookies Secure: the server is reached over HTTPS (e.g. behind a proxy).
    #[arg(long)]
    secure_cookies: bool,
}

#[derive(Args)]
pub struct StatusArgs {
    /// Print the summary (database engine, schema version, rows per table) as JSON.
    #[arg(long)]
    json: bool,
}

pub fn init(db: &str) -> Result<()> {
    let shown = synergies_app::storage::redact_url(db);
    let store = synergies_store::open(db).with_context(|| format!("opening {shown}"))?;
    let before = store.schema_version()?;
    let after = synergies_app::storage::migrate(store.as_ref())?;
    if before == after {
        outln!("{shown} is up to date (schema version {after})")?;
    } else {
        outln!("{shown}: schema migrated from version {before} to {after}")?;
    }
    Ok(())
}

pub fn demo(db: &str, args: DemoArgs) -> Result<()> {
    let DemoArgs {
        no_serve,
        addr,
        json,
    } = args;
    let store = create(db)?;
    let report = demo::seed(store.as_ref())?;
    let password = synergies_app::identity::demo_password();
    let users = synergies_app::identity::ensure_demo_users(store.as_ref(), &password)?;
    let summary = synergies_app::summary(store.as_ref())?;
    if json {
        print_json(&json!({ "demo": report, "summary": summary, "users": users }))?;
    } else {
        if report.seeded {
            outln!(
                "Seeded the demo into {}: {} agreements, {} deliveries, {} closings.",
                synergies_app::storage::redact_url(db),
                report.agreements,
                report.deliveries,
                report.closings
            )?;
        } else {
            outln!(
                "{} already holds data; the demo was not seeded again.",
                synergies_app::storage::redact_url(db)
            )?;
        }
        outln!("{}", demo::LABEL)?;
        out!("{summary}")?;
        print_recovered(store.as_ref())?;
        let check = ledger::check(store.as_ref())?;
        outln!(
            "Ledger check: {}",
            if check.passed() { "passed" } else { "FAILED" }
        )?;
        outln!(
            "Next: synergies charges list | synergies ledger trial-balance | \
             synergies ledger export --out demo.journal"
        )?;
    }
    if !json {
        outln!()?;
        outln!("Demo logins (password for each: {password}):")?;
        for u in &users {
            outln!("  {u}")?;
        }
    }
    if !no_serve {
        listen(store, addr, synergies_web::Settings::default())?;
    }
    Ok(())
}

pub fn serve(db: &str, args: ServeArgs) -> Result<()> {
    let ServeArgs {
        addr,
        secure_cookies,
    } = args;
    let store = open(db)?;
    if store.users()?.is_empty() {
        eprintln!(
            "note: {} has no users yet; `synergies demo --no-serve` creates the demo \
             users, `synergies users add` creates others",
            synergies_app::storage::redact_url(db)
        );
    }
    let settings = synergies_web::Settings {
        secure_cookies,
        ..synergies_web::Settings::default()
    };
    listen(store, addr, settings)
}

pub fn status(db: &str, args: StatusArgs) -> Result<()> {
    let store = open(db)?;
    let summary = synergies_app::summary(store.as_ref())?;
    if args.json {
        print_json(&summary)?;
    } else {
        out!("{summary}")?;
    }
    Ok(())
}

/// Serves the web application until interrupted, printing the address once it listens.
fn listen(
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
                // Nothing to stop for when no one reads the address.
                let _ = outln!("Serving Synergies at http://{bound}/ (Ctrl-C stops)");
                let _ = std::io::Write::flush(&mut crate::output::Stdout);
            },
        ))
        .with_context(|| format!("serving on {addr}"))?;
    Ok(())
}

/// Costs recovered so far, per provider and payer organisation (posted charges).
pub fn print_recovered(store: &dyn Store) -> Result<()> {
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
        outln!(
            "Recovered by {provider} from {payer}: {} {currency}",
            money(&currency, total)
        )?;
    }
    Ok(())
}
