//! The whole cooperation cycle in a real browser: Debian's headless Chromium driven through
//! chromedriver (WebDriver) against a real server on a real SQLite database with the demo.
//!
//! mc.officer drafts an agreement in which MC provides legal advice to BRS and proposes it;
//! mc.head approves (the agreement is not yet active); brs.head approves (now it is);
//! mc.officer records two deliveries; brs.finance accepts them and sees no Close button (the
//! provider closes its own periods); mc.finance closes the month; each step is confirmed, and
//! what waits for each person is in their inbox; the charge
//! shows on the dashboard and in the fund statement; the French page shows the same figures.
//!
//! Screenshots of the main pages are written to the test's directory, and to
//! `docs/screenshots/` when `SYNERGIES_UPDATE_SCREENSHOTS=1`. Without Chromium the test fails
//! under `CI=true` and is skipped (with the reason printed) otherwise.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use synergies_store::{ChargeFilter, Store};

const PASSWORD: &str = "browser-test-password";
const CODE: &str = "MC-BRS-LEGAL-WEB";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chromium_present() -> bool {
    Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists()
}

/// Starts the demo server on a fresh database; returns its address and the store.
fn start_server(dir: &Path) -> (SocketAddr, Arc<dyn Store>) {
    let url = format!("sqlite://{}", dir.join("browser.db").display());
    let store: Arc<dyn Store> = Arc::from(synergies_store::open(&url).unwrap());
    store.migrate().unwrap();
    synergies_app::demo::seed(store.as_ref()).unwrap();
    synergies_app::identity::ensure_demo_users(store.as_ref(), PASSWORD).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let served = store.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(synergies_web::serve(
                served,
                "127.0.0.1:0".parse().unwrap(),
                synergies_web::Settings::default(),
                move |addr| tx.send(addr).unwrap(),
            ))
            .unwrap();
    });
    (rx.recv_timeout(Duration::from_secs(30)).unwrap(), store)
}

async fn start_browser(profile: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-GB",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {"intl.accept_languages": "en-GB,en"}
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut last = None;
    // chromedriver takes a moment to listen.
    for _ in 0..100 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("cannot start a browser session: {last:?}");
}

struct Session<'a> {
    client: &'a Client,
    base: String,
    shots: PathBuf,
}

impl Session<'_> {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn sign_in(&self, username: &str) {
        self.client.delete_all_cookies().await.unwrap();
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("#sign-in").await;
        let url = self.client.current_url().await.unwrap();
        assert!(
            !url.path().starts_with("/login"),
            "{username} is signed in (now at {url})"
        );
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded.
    async fn click(&self, css: &str) {
        self.client
            .execute("window.__synergiesOldPage = true", vec![])
            .await
            .unwrap();
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
            .click()
            .await
            .unwrap();
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return window.__synergiesOldPage === undefined && document.readyState === 'complete'",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} loaded no new page");
    }

    /// Waits until `script` returns true (e.g. after htmx swapped part of the page).
    async fn wait_for(&self, what: &str, script: &str) {
        for _ in 0..100 {
            if matches!(
                self.client.execute(script, vec![]).await,
                Ok(serde_json::Value::Bool(true))
            ) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("waited in vain: {what}");
    }

    async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap(),
            Err(e) => {
                let url = self.client.current_url().await.unwrap();
                let page = self.body().await;
                panic!("{css} is not on the page at {url} ({e}):\n{page}");
            }
        }
    }

    async fn body(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
}

#[test]
fn the_cooperation_cycle_in_a_browser() {
    if !chromium_present() {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true and Debian's chromium and chromium-driver are not installed"
        );
        eprintln!("skipped: /usr/bin/chromium and /usr/bin/chromedriver are not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (addr, store) = start_server(dir.path());
    let shots = dir.path().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (_driver, client) = start_browser(&dir.path().join("profile")).await;
        let s = Session {
            client: &client,
            base: format!("http://{addr}"),
            shots: shots.clone(),
        };
        cycle(&s, store.as_ref()).await;
        client.close().await.unwrap();
    });
    if std::env::var("SYNERGIES_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&target).unwrap();
        for f in std::fs::read_dir(&shots).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), target.join(f.file_name())).unwrap();
        }
    }
}

async fn cycle(s: &Session<'_>, store: &dyn Store) {
    // A page needs a session: the browser is sent to sign in.
    s.goto("/agreements").await;
    assert!(s
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    s.screenshot("sign-in").await;

    // mc.officer drafts the agreement and proposes it.
    s.sign_in("mc.officer").await;
    s.goto("/agreements/new").await;
    s.fill("#code", CODE).await;
    s.fill("#title", "Legal advice to BRS on mercury wastes")
        .await;
    s.select("#provider", "MC").await;
    s.select("#provider_fund", "MCGTF").await;
    // Two lines: the second row comes with "Add a line", which keeps what was typed.
    s.select("#line-service-0", "MC-LEGAL").await;
    s.fill("#line-quantity-0", "10").await;
    s.click("#add-line").await;
    assert_eq!(
        s.client
            .find(Locator::Css("#line-quantity-0"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("10"),
        "the first line is kept"
    );
    s.select("#line-service-1", "MC-TA").await;
    s.fill("#line-quantity-1", "many").await;
    // The recipient's funds follow the organisation chosen.
    s.select("#payer-organisation-0", "BRS").await;
    s.wait_for(
        "the fund list holds BRS's funds only",
        "return [...document.querySelectorAll('#payer-fund-0 option')].every(o => o.value === '' || o.textContent.includes('(BRS)'))",
    )
    .await;
    s.select("#payer-fund-0", "BC").await;
    s.select("#biennium", "2026-2027").await;
    s.fill("#currency", "USD").await;
    // Mistakes in two fields: the form comes back with both messages at once, each by its
    // field, and the typed values kept.
    s.fill("#ceiling", "a lot").await;
    s.fill("#psc_rate", "0.13").await;
    s.click("#save-agreement").await;
    assert!(
        s.text("#ceiling-error").await.contains("not a number"),
        "the error is shown next to the ceiling"
    );
    assert!(
        s.text("#line-quantity-1-error")
            .await
            .contains("not a number"),
        "and the second line's, at the same time"
    );
    let kept = s
        .client
        .find(Locator::Css("#title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("Legal advice to BRS on mercury wastes")
    );
    s.fill("#ceiling", "20000").await;
    s.fill("#line-quantity-1", "5").await;
    s.screenshot("agreement-form").await;
    s.click("#save-agreement").await;
    assert!(s.client.current_url().await.unwrap().path().ends_with(CODE));
    assert_eq!(s.text("#agreement-status").await, "Draft");
    let drafted = store.agreement(CODE).unwrap().unwrap();
    let lines: Vec<(String, String)> = drafted
        .latest()
        .lines
        .iter()
        .map(|l| (l.service.clone(), l.estimated_quantity.to_string()))
        .collect();
    assert_eq!(
        lines,
        [
            ("MC-LEGAL".into(), "10".into()),
            ("MC-TA".into(), "5".into())
        ],
        "both lines are saved"
    );
    assert!(
        s.text("#confirmation").await.contains(CODE),
        "saving says so"
    );
    s.click("#propose").await;
    assert_eq!(s.text("#agreement-status").await, "Proposed");
    assert_eq!(
        s.text("#confirmation").await,
        format!("Agreement {CODE} was proposed for approval.")
    );
    s.goto(&format!("/agreements/{CODE}")).await;
    assert!(
        s.client.find(Locator::Css("#confirmation")).await.is_err(),
        "a confirmation is shown once"
    );
    assert!(
        s.client.find(Locator::Css("#approve")).await.is_err(),
        "an officer is offered no approval"
    );

    // One head's approval, given from the inbox, does not make it active.
    s.sign_in("mc.head").await;
    s.goto("/").await;
    let waiting: usize = s
        .text("#waiting-count")
        .await
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(waiting >= 1, "the navigation counts what waits");
    assert!(s.text("#inbox-approvals").await.contains(CODE));
    s.screenshot("inbox").await;
    s.click(&format!("#inbox-approve-{CODE}")).await;
    assert!(
        s.text("#confirmation").await.contains(CODE),
        "the approval is confirmed"
    );
    s.goto("/").await;
    assert!(
        !s.text("#inbox").await.contains(CODE),
        "what waits for BRS is not in MC's head's inbox"
    );
    s.goto(&format!("/agreements/{CODE}")).await;
    assert_eq!(s.text("#agreement-status").await, "Proposed");
    assert_eq!(s.text("#awaiting").await, "BRS");
    s.screenshot("agreement").await;

    // The other head's does.
    s.sign_in("brs.head").await;
    s.goto(&format!("/agreements/{CODE}")).await;
    s.click("#approve").await;
    assert_eq!(s.text("#agreement-status").await, "Active");
    assert!(store.agreement(CODE).unwrap().unwrap().is_active());

    // mc.officer first imports a file with Windows line ends whose lines 3 and 4 are wrong:
    // the page comes back with every problem at its top, in view without scrolling, and
    // nothing recorded.
    s.sign_in("mc.officer").await;
    s.goto(&format!("/deliveries?agreement={CODE}")).await;
    let bad = s.shots.join("../bad-deliveries.csv");
    std::fs::write(
        &bad,
        format!(
            "agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id\r\n\
             {CODE},MC-LEGAL,2026-11-03,1,P-4,,,Opinion,WEB-IMP-1\r\n\
             {CODE},MC-LEGAL,2026-11-03,lots,P-4,,,Opinion,WEB-IMP-2\r\n\
             {CODE},MC-LEGAL,2026-13-03,1,P-4,,,Opinion,WEB-IMP-3\r\n"
        ),
    )
    .unwrap();
    s.client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(&bad.canonicalize().unwrap().display().to_string())
        .await
        .unwrap();
    s.click("#import-deliveries").await;
    let problems = s.text("#import-errors").await;
    assert!(
        problems.contains("bad-deliveries.csv:3: quantity")
            && problems.contains("bad-deliveries.csv:4: date"),
        "each problem with the line an editor shows: {problems}"
    );
    let in_view = s
        .client
        .execute(
            "const r = document.getElementById('import-errors').getBoundingClientRect(); \
             return r.top >= 0 && r.top < window.innerHeight",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(in_view, serde_json::json!(true), "the errors are in view");
    assert!(
        !s.text("#deliveries").await.contains("WEB-IMP-1"),
        "nothing of a refused file is recorded"
    );

    // Then records two deliveries from the form at the top of the page, the second with an
    // expense in Swiss francs typed with its thousands separator; the service is one of the
    // agreement's lines.
    for (id, quantity, grade, expense) in [
        ("WEB-1", "2", "P-4", None),
        ("WEB-2", "1.5", "P-3", Some(("1,250.50", "CHF"))),
    ] {
        s.goto(&format!("/deliveries?agreement={CODE}")).await;
        if id == "WEB-1" {
            // The service list follows the agreement chosen: its lines only.
            s.select("#agreement", "MC-BRS-2026-01").await;
            s.wait_for(
                "the services of MC-BRS-2026-01",
                "return [...document.querySelectorAll('#service option')].map(o => o.value).join() === 'MC-LEGAL,MC-ADMIN,MC-TA,MC-IT'",
            )
            .await;
        }
        s.select("#agreement", CODE).await;
        s.wait_for(
            "the services of the agreement's two lines",
            "return [...document.querySelectorAll('#service option')].map(o => o.value).join() === 'MC-LEGAL,MC-TA'",
        )
        .await;
        s.select("#service", "MC-LEGAL").await;
        // A date input's typing format follows the browser's locale; set its value directly.
        s.client
            .execute(
                "document.getElementById('date').value = arguments[0]",
                vec![serde_json::json!("2026-11-02")],
            )
            .await
            .unwrap();
        s.fill("#quantity", quantity).await;
        s.fill("#grade", grade).await;
        if let Some((amount, currency)) = expense {
            s.fill("#expense_amount", amount).await;
            s.fill("#expense_currency", currency).await;
        }
        s.fill("#description", "Opinion on the technical guidelines")
            .await;
        s.fill("#external_id", id).await;
        s.click("#record-delivery").await;
        let table = s.text("#deliveries").await;
        assert!(table.contains(id), "{id} is listed: {table}");
    }
    assert!(
        s.text("#deliveries").await.contains("1,250.50 CHF"),
        "the expense is listed in its currency"
    );
    let recorded = store
        .deliveries_page(
            &synergies_store::DeliveryFilter {
                agreement: Some(CODE.into()),
                ..Default::default()
            },
            synergies_store::Page {
                offset: 0,
                limit: 10,
            },
        )
        .unwrap();
    let web2 = recorded
        .iter()
        .find(|d| d.delivery.external_id == "WEB-2")
        .unwrap();
    assert_eq!(
        web2.delivery
            .expense
            .map(|m| (m.minor, m.currency.code().to_string())),
        Some((125_050, "CHF".to_string())),
        "the typed amount is stored exactly"
    );
    s.screenshot("deliveries").await;

    // brs.finance finds them in the inbox and accepts them.
    s.sign_in("brs.finance").await;
    s.goto("/").await;
    assert!(
        s.text("#inbox-to-accept").await.contains(CODE),
        "the deliveries wait for the recipient's finance officer"
    );
    s.goto(&format!("/deliveries?agreement={CODE}")).await;
    s.click("#accept-all").await;
    assert_eq!(s.text("#confirmation").await, "Deliveries accepted: 2.");
    assert_eq!(
        s.text("#deliveries").await.matches("Accepted").count(),
        2,
        "both deliveries are accepted"
    );
    s.goto(&format!("/agreements/{CODE}")).await;
    assert!(
        !s.body().await.contains("close-period"),
        "the recipient may not close the provider's period, and is not offered to"
    );
    // mc.finance, the provider's finance officer, finds November in the inbox (when it has
    // ended) and closes it.
    s.sign_in("mc.finance").await;
    s.goto("/").await;
    assert!(s.text("#inbox-to-close").await.contains(CODE));
    s.goto(&format!("/agreements/{CODE}")).await;
    s.fill("#period", "2026-11").await;
    s.click("#close-period").await;
    assert!(s.text("#confirmation").await.contains("2026-11"));
    let charges = store
        .charges(&ChargeFilter {
            agreement: Some(CODE.into()),
            ..ChargeFilter::default()
        })
        .unwrap();
    assert_eq!(charges.len(), 1, "one charge for the month");
    let charge = &charges[0];
    assert_eq!(charge.deliveries, 2);
    assert_eq!(charge.payer_fund, "BC");
    assert!(charge.total_minor > 0);
    let en = synergies_i18n::Lang::english();
    let total_en = en.amount(charge.total_minor, 2);
    assert!(
        s.text("#charges").await.contains(&total_en),
        "the charge is listed"
    );
    s.screenshot("charges").await;
    s.goto(&format!("/deliveries?agreement={CODE}&status=charged"))
        .await;
    assert_eq!(
        s.text("#deliveries").await.matches("Charged").count(),
        2,
        "the charged filter lists the charged deliveries"
    );
    s.goto(&format!("/deliveries?agreement={CODE}&status=accepted"))
        .await;
    assert!(
        !s.text("#deliveries").await.contains("WEB-1"),
        "accepted lists those not yet charged"
    );

    // The charge on the dashboard (its agreement's ceiling used) and in the fund statement.
    s.goto("/").await;
    let dashboard = s.body().await;
    assert!(
        dashboard.contains(CODE) && dashboard.contains(&total_en),
        "dashboard: {dashboard}"
    );
    s.screenshot("dashboard").await;
    s.goto("/funds/BC").await;
    let payable = s.text("#payable").await;
    assert!(
        payable.contains(CODE) && payable.contains(&total_en),
        "fund statement: {payable}"
    );
    s.screenshot("fund-statement").await;

    // The same page in French: translated, same figure with French separators.
    s.click("a[hreflang=fr]").await;
    assert!(s
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/funds/BC"));
    let fr = synergies_i18n::Lang::parse("fr").unwrap();
    let french = s.body().await;
    assert!(
        french.contains("Relevé du fonds"),
        "the page is in French: {french}"
    );
    assert!(french.contains("Facturé par d'autres fonds"));
    assert!(
        s.text("#payable")
            .await
            .contains(&fr.amount(charge.total_minor, 2)),
        "the French page shows the same total"
    );
    s.goto("/").await;
    assert!(s.body().await.contains("Tableau de bord"));
    s.screenshot("dashboard-fr").await;
    s.goto("/ledger").await;
    assert!(s.text("#ledger-check").await.contains("réussi"));
    s.screenshot("ledger-fr").await;

    // The cooperation pages (in English again: signing in starts from no cookies): the task
    // force member marks the last open action item done; an MC officer records that a
    // mandate is implemented.
    s.sign_in("taskforce").await;
    s.goto("/training").await;
    assert!(s.body().await.contains("TRAIN-2026-GVA"));
    s.goto("/taskforce").await;
    s.select("#as-2", "done").await;
    s.click("#as-2 ~ button").await;
    let chosen = s
        .client
        .find(Locator::Css("#as-2"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        chosen.as_deref(),
        Some("done"),
        "the second action item is done"
    );
    s.screenshot("taskforce").await;
    // The member adds an action item for MC: without a title or a due day both are refused
    // at once; then it is added, and reaches MC's officer's inbox.
    s.fill("#action-code", "TF-WEB-1").await;
    s.select("#action-owner", "MC").await;
    s.click("#add-action").await;
    assert!(
        !s.text("#title-error").await.is_empty(),
        "the title is required"
    );
    assert!(
        s.text("#due-error").await.contains("not a date"),
        "and the due day, in the same answer"
    );
    s.fill("#action-title", "Circulate the draft workplan")
        .await;
    s.client
        .execute(
            "document.getElementById('action-due').value = arguments[0]",
            vec![serde_json::json!("2027-01-15")],
        )
        .await
        .unwrap();
    s.click("#add-action").await;
    assert!(s.text("#confirmation").await.contains("TF-WEB-1"));
    assert!(s
        .text("#actions")
        .await
        .contains("Circulate the draft workplan"));
    s.sign_in("mc.officer").await;
    s.goto("/").await;
    assert!(
        s.text("#inbox-action-items").await.contains("TF-WEB-1"),
        "MC's open action item is in its officer's inbox"
    );
    s.goto("/decisions").await;
    let mandates = s.text("#mandates").await;
    assert!(mandates.contains("MC-6/20"), "{mandates}");
    s.fill("#note-1", "Taken note of at the sixth meeting")
        .await;
    s.select("#status-1", "implemented").await;
    s.click("#status-1 ~ button").await;
    let after = s.body().await;
    assert!(
        after.contains("Implemented (operational)")
            || after.contains("Implemented (informational)"),
        "{after}"
    );
    s.screenshot("decisions").await;
    s.goto("/activities?biennium=2026-2027").await;
    assert!(s.text("#activities").await.contains("COOP-LEGAL"));
    s.screenshot("activities").await;

    // The officer records a new activity: two mistakes are shown at once, each beside its
    // field, with what was typed kept; then the activity is saved and shown.
    s.click("#new-activity").await;
    s.fill("#code", "COOP-WEB-1").await;
    s.select("#biennium", "2026-2027").await;
    s.fill("#title_fr", "Atelier conjoint sur les déchets de mercure")
        .await;
    s.select("#lead", "MC").await;
    s.client
        .find(Locator::Css("#partner-BRS"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    s.fill("#mandates", "MC-6/20 4(a)").await;
    s.select("#fund", "MCGTF").await;
    s.fill("#staff_grade", "P-4").await;
    s.fill("#staff_days", "a few").await;
    s.fill("#non_staff", "1200").await;
    s.screenshot("activity-form").await;
    s.click("#save-activity").await;
    assert!(
        s.text("#staff_days-error").await.contains("not a number"),
        "the staff-days are refused beside their field"
    );
    assert!(
        !s.text("#title_en-error").await.is_empty(),
        "and, in the same answer, the missing English title beside its own"
    );
    let kept = s
        .client
        .find(Locator::Css("#title_fr"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("Atelier conjoint sur les déchets de mercure")
    );
    s.fill("#title_en", "Joint workshop on mercury wastes")
        .await;
    s.fill("#staff_days", "4.5").await;
    s.click("#save-activity").await;
    assert_eq!(s.text("#activity-code").await, "COOP-WEB-1");
    assert!(s.text("#confirmation").await.contains("COOP-WEB-1"));
    assert!(s.text("#activity-mandates").await.contains("MC-6/20 4(a)"));
    let stored = synergies_app::activities::find(store, "COOP-WEB-1", Some("2026-2027")).unwrap();
    assert_eq!(stored.partners, ["BRS"]);
    assert_eq!(stored.contributions[0].non_staff_minor, 120_000);
    assert_eq!(stored.contributions[0].staff[0].days.to_string(), "4.5");
    s.goto("/activities?biennium=2026-2027").await;
    assert!(s.text("#activities").await.contains("COOP-WEB-1"));

    // The auditor reads the activities but is offered no form.
    s.sign_in("auditor").await;
    s.goto("/activities?biennium=2026-2027").await;
    let page = s.body().await;
    assert!(page.contains("COOP-WEB-1"));
    assert!(
        s.client.find(Locator::Css("#new-activity")).await.is_err()
            && s.client
                .find(Locator::Css("#activities select"))
                .await
                .is_err(),
        "no activity form for the auditor"
    );
}

/// axe-core's script (from npm, installed by `scripts/test`): `SYNERGIES_AXE_JS`.
fn axe_script() -> Option<String> {
    let path = std::env::var("SYNERGIES_AXE_JS").ok()?;
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// Every main page of a programme officer, and the states a form can be in, in English and in
/// French: axe-core finds no violation of WCAG 2.1 A and AA, and at a phone's width
/// (390×844) no page is wider than the screen, the navigation folds behind a menu button
/// that opens it, and every button and link of the page is at least 24 px high.
#[test]
fn every_main_page_is_accessible_and_fits_a_phone() {
    if !chromium_present() {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true and Debian's chromium and chromium-driver are not installed"
        );
        eprintln!("skipped: /usr/bin/chromium and /usr/bin/chromedriver are not installed");
        return;
    }
    let Some(axe) = axe_script() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true and SYNERGIES_AXE_JS does not name axe-core's axe.min.js (scripts/test installs it)"
        );
        eprintln!("skipped: SYNERGIES_AXE_JS is not set (scripts/test installs axe-core)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (addr, store) = start_server(dir.path());
    let agreement = store.agreements().unwrap()[0].code.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let shots = dir.path().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let problems = runtime.block_on(async {
        let (_driver, client) = start_browser(&dir.path().join("profile")).await;
        let s = Session {
            client: &client,
            base: format!("http://{addr}"),
            shots: shots.clone(),
        };
        let pages: Vec<String> = [
            "/",
            "/agreements",
            "/agreements/new",
            &format!("/agreements/{agreement}"),
            "/deliveries",
            "/charges",
            "/funds/MCGTF",
            "/ledger",
            "/decisions",
            "/activities",
            "/activities/new",
            "/training",
            "/taskforce",
            "/reports",
            "/framework",
            "/services",
            "/exchange-rates",
            "/audit",
            "/account",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let mut problems: Vec<String> = vec![];
        s.client.set_window_size(1280, 1000).await.unwrap();
        s.goto("/login").await;
        problems.extend(s.axe(&axe, "/login").await);
        // axe finds what it is there to find: an image without a text alternative.
        s.client
            .execute(
                "const i = document.createElement('img'); i.src = '/static/none.png'; document.body.appendChild(i);",
                vec![],
            )
            .await
            .unwrap();
        let seen = s.axe(&axe, "/login with an image without alt").await;
        assert!(
            seen.iter().any(|v| v.contains("image-alt")),
            "axe reports a missing alt: {seen:?}"
        );
        s.sign_in("mc.officer").await;
        for lang in ["en", "fr"] {
            s.goto(&format!("/lang/{lang}?next=/")).await;
            for page in &pages {
                s.goto(page).await;
                problems.extend(s.axe(&axe, &format!("{lang} {page}")).await);
            }
            // Forms in their refused state: every field's message shown.
            s.goto("/agreements/new").await;
            s.fill("#ceiling", "?").await;
            s.click("#save-agreement").await;
            problems.extend(s.axe(&axe, &format!("{lang} refused agreement form")).await);
            s.goto("/activities/new").await;
            s.click("#save-activity").await;
            problems.extend(s.axe(&axe, &format!("{lang} refused activity form")).await);
        }
        // A phone's width.
        s.client.set_window_size(390, 844).await.unwrap();
        for lang in ["en", "fr"] {
            s.goto(&format!("/lang/{lang}?next=/")).await;
            for page in &pages {
                s.goto(page).await;
                problems.extend(s.fits_a_phone(&format!("{lang} {page}")).await);
            }
        }
        s.goto("/lang/en?next=/").await;
        s.screenshot("phone-dashboard").await;
        // The navigation folds behind the menu button, which opens it.
        let nav_shown = "return getComputedStyle(document.querySelector('header nav')).display !== 'none'";
        if s.client.execute(nav_shown, vec![]).await.unwrap() != serde_json::json!(false) {
            problems.push("phone: the navigation is not folded".into());
        }
        match s.client.find(Locator::Css("#menu-button")).await {
            Ok(button) => button.click().await.unwrap(),
            Err(_) => problems.push("phone: no menu button".into()),
        }
        if s.client.execute(nav_shown, vec![]).await.unwrap() != serde_json::json!(true) {
            problems.push("phone: the menu button does not open the navigation".into());
        }
        s.screenshot("phone-menu").await;
        client.close().await.unwrap();
        problems
    });
    if std::env::var("SYNERGIES_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        for name in ["phone-dashboard.png", "phone-menu.png"] {
            std::fs::copy(shots.join(name), target.join(name)).unwrap();
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

impl Session<'_> {
    /// axe-core's violations of WCAG 2.1 A and AA on the page shown, one line each.
    async fn axe(&self, axe: &str, page: &str) -> Vec<String> {
        self.client.execute(axe, vec![]).await.unwrap();
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' +
                        v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        lines_of(page, &found)
    }

    /// What makes the page unfit for a phone: wider than the screen, or a button or link
    /// lower than 24 px.
    async fn fits_a_phone(&self, page: &str) -> Vec<String> {
        let found = self
            .client
            .execute(
                "const out = [];
                 const w = document.documentElement.scrollWidth, inner = window.innerWidth;
                 if (w > inner) {
                     const wide = [...document.querySelectorAll('body *')]
                         .filter(e => e.getBoundingClientRect().right > inner + 1)
                         .filter(e => !(e.parentElement && e.parentElement.closest('.table-scroll, table')))
                         .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
                     out.push('page ' + w + ' px wide on a ' + inner + ' px screen: ' + wide.join(', '));
                 }
                 for (const e of document.querySelectorAll('main button, main .button, main select, main input:not([type=hidden]), nav a, header button')) {
                     const r = e.getBoundingClientRect();
                     if (r.width > 0 && r.height > 0 && r.height < 24) {
                         out.push('touch target ' + Math.round(r.height) + ' px high: ' + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 30));
                     }
                 }
                 return out.slice(0, 5);",
                vec![],
            )
            .await
            .unwrap();
        lines_of(page, &found)
    }
}

/// The texts a page's script returned, each as a line naming the page.
fn lines_of(page: &str, found: &serde_json::Value) -> Vec<String> {
    found
        .as_array()
        .expect("the script returns a list")
        .iter()
        .map(|v| format!("{page}: {}", v.as_str().unwrap_or_default()))
        .collect()
}
