//! The staff admin web in a real browser (headless Chromium through chromedriver),
//! against the real server binary with demo data and no SMTP:
//!
//! - the whole workflow: staff invite a contact with a location grant, the contact
//!   accepts and submits a request through the portal API, staff review, accept,
//!   convert, schedule, write/approve/publish a report, upload and release an
//!   attachment, and mark a follow-up required; the contact sees each shared step
//!   through the portal API and nothing before it is shared;
//! - a foreign-origin form post is refused even with a valid session and token;
//! - every main page in English and Arabic: a screenshot in
//!   `target/screenshots/admin-{en,ar}-{page}.png`, and an axe-core accessibility
//!   check (no serious or critical violation, every form control labelled).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ordinavo_e2e::accessibility::Findings;
use ordinavo_e2e::webdriver::{Element, WebDriver};
use ordinavo_e2e::{environments, target_dir, Server};
use serde_json::{json, Value};

const STAFF_EMAIL: &str = "admin@ordinavo.example";
const STAFF_PASSWORD: &str = "ordinavo-demo-2026";
/// A Northwind contact without portal access in the demo data.
const CONTACT_EMAIL: &str = "j.weber@northwind.example";
const CONTACT_LOCATION: &str = "Northwind Logistics Hub Hamburg";
const CONTACT_PASSWORD: &str = "quay-crane-lantern-2026";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

#[tokio::test]
async fn staff_run_the_portal_workflow_in_a_real_browser_in_english_and_arabic() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    for (i, (backend, env)) in environments(dir.path()).into_iter().enumerate() {
        let server = Server::start(&env, &["--demo"]);
        let browser = WebDriver::chromium().await.expect("a headless Chromium session");
        browser.set_script_timeout(Duration::from_secs(60)).await.unwrap();
        let admin = Admin { browser: &browser, base: server.base_url.clone(), backend, axe: Default::default() };

        // The screenshots and the accessibility pass need one backend only.
        let tour = i == 0;
        if tour {
            admin.goto("/admin/login").await;
            admin.browser.wait_for_element("#email").await;
            admin.screenshot("en", "login").await;
            admin.check_accessibility("en", "login").await;
        }
        admin.sign_in().await;
        let story = workflow(&admin).await;
        foreign_origin_post_is_refused(&admin).await;
        if tour {
            for language in ["en", "ar"] {
                admin.switch_language(language).await;
                admin.tour(language, &story).await;
            }
            admin.report_accessibility();
        }
        browser.quit().await.unwrap();
        eprintln!("[{backend}] admin browser story done after {:?}", started.elapsed());
    }
}

/// Ids the workflow created, for the page tour.
struct Story {
    customer_id: String,
    request_id: String,
    target_id: String,
    report_id: String,
    portal_user_id: String,
}

async fn workflow(admin: &Admin<'_>) -> Story {
    let browser = admin.browser;
    let backend = admin.backend;
    let mut portal = Portal { http: reqwest::Client::new(), base: admin.base.clone(), token: String::new() };
    let day = |offset: i64| async move {
        let script = "return new Date(Date.now() + arguments[0] * 86400000).toISOString().slice(0, 10);";
        browser.execute(script, vec![json!(offset)]).await.unwrap().as_str().unwrap().to_string()
    };
    let (today, tomorrow) = (day(0).await, day(1).await);

    // Invite the contact for one location, with downloads, and read the code from the page.
    admin.goto("/admin/access/invite").await;
    admin.select_option("#contact_id", CONTACT_EMAIL).await;
    browser.find("#coverage-locations").await.unwrap().click().await.unwrap();
    let location_row = admin.element_with_text("form fieldset div", CONTACT_LOCATION).await;
    location_row.find("input[name=location_ids]").await.unwrap().click().await.unwrap();
    browser.find("#can_download").await.unwrap().click().await.unwrap();
    admin.submit("form[action='/admin/access/invite'] button[type=submit]").await;
    let code = browser.wait_for_element("#invitation-code").await.text().await.unwrap();
    let link = browser.find("#invitation-link").await.unwrap().text().await.unwrap();
    assert!(link.starts_with("ordinavo://invite/") && link.ends_with(&code), "[{backend}] link {link}, code {code}");

    // The contact accepts through the portal API and sees exactly the one location.
    let response = portal
        .http
        .post(portal.url("/portal/v1/invitations/accept"))
        .json(&json!({ "code": code, "display_name": "Jonas Weber", "password": CONTACT_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "[{backend}] accepting the invitation");
    portal.token = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let me = portal.get("/portal/v1/me").await;
    assert_eq!(me["email"], CONTACT_EMAIL, "[{backend}]");
    let customers = me["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 1, "[{backend}] one customer: {me}");
    assert_eq!(customers[0]["whole_customer"], false, "[{backend}] a location grant: {me}");
    let locations = customers[0]["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 1, "[{backend}] exactly the granted location: {me}");
    assert_eq!(locations[0]["name"], CONTACT_LOCATION, "[{backend}]");
    assert_eq!(locations[0]["can_download"], true, "[{backend}]");
    let location_id = locations[0]["id"].as_str().unwrap().to_string();
    let customer_id = customers[0]["id"].as_str().unwrap().to_string();
    let portal_user_id = me["id"].as_str().unwrap().to_string();

    // The contact submits a request.
    let request_title = "Sprinkler pipe dripping above aisle 12";
    let response = portal
        .http
        .post(portal.url("/portal/v1/requests"))
        .bearer_auth(&portal.token)
        .header("Idempotency-Key", "e2e-admin-browser-sprinkler")
        .json(&json!({
            "location_id": location_id,
            "kind": "maintenance",
            "title": request_title,
            "description": "Water drips from a sprinkler pipe joint above aisle 12; pallets are covered for now.",
            "preferred_windows": [{ "starts_at": format!("{tomorrow}T07:00:00Z"), "ends_at": format!("{tomorrow}T11:00:00Z") }],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "[{backend}] submitting a request");
    let request_id = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // Staff find it in the inbox, mark it in review, accept it and convert it into work.
    admin.goto("/admin/requests").await;
    let link = browser.wait_for_element(&format!("main a[href='/admin/requests/{request_id}']")).await;
    browser.click_and_wait_for_page(&link).await.unwrap();
    admin.expect_badge("h1 .badge", "submitted").await;
    admin.submit("button[name=status][value=in_review]").await;
    admin.expect_badge("h1 .badge", "in_review").await;
    assert_eq!(portal.get(&format!("/portal/v1/requests/{request_id}")).await["status"], "in_review", "[{backend}]");
    admin.submit("button[name=status][value=accepted]").await;
    admin.expect_badge("h1 .badge", "accepted").await;
    let title = browser.find("#title").await.unwrap();
    title.clear().await.unwrap();
    title.send_keys("Sprinkler joint aisle 12, Hamburg").await.unwrap();
    browser
        .find("#internal_notes")
        .await
        .unwrap()
        .send_keys("Bring spare couplings; billable under contract B.")
        .await
        .unwrap();
    admin.submit("form[action$='/convert'] button[type=submit]").await;
    let url = browser.wait_for_url("the new target's page", |url| url.contains("/admin/targets/")).await;
    let target_id = last_segment(&url);

    // Schedule a visit for tomorrow, shared with the portal, in the location's time zone.
    admin.set_value("#s-start", &format!("{tomorrow}T09:00")).await;
    admin.set_value("#s-end", &format!("{tomorrow}T11:30")).await;
    assert_eq!(browser.find("#s-share").await.unwrap().property("checked").await.unwrap(), true);
    admin.submit("form[action$='/appointments'] button[type=submit]").await;
    browser.wait_for_element("#t-appointments ~ .card .badge.shared").await;
    let appointments = portal.get("/portal/v1/appointments").await;
    let shared: Vec<&Value> =
        appointments["items"].as_array().unwrap().iter().filter(|a| a["request_id"] == request_id.as_str()).collect();
    assert_eq!(shared.len(), 1, "[{backend}] the shared appointment reaches the portal: {appointments}");
    let script = "return new Date(arguments[0]).toLocaleString('sv-SE', { timeZone: arguments[1] });";
    let local = browser.execute(script, vec![shared[0]["starts_at"].clone(), json!("Europe/Berlin")]).await.unwrap();
    assert_eq!(local, format!("{tomorrow} 09:00:00"), "[{backend}] entered as 09:00 in Hamburg's time zone");
    assert_eq!(portal.get(&format!("/portal/v1/requests/{request_id}")).await["status"], "planned", "[{backend}]");

    // Write the internal report and approve it: approved is not published.
    let report_title = "Aisle 12: coupling replaced, aisle 14 corroded";
    admin.set_value("#nr-date", &today).await;
    browser.find("#nr-title").await.unwrap().send_keys(report_title).await.unwrap();
    browser
        .find("#nr-body")
        .await
        .unwrap()
        .send_keys("Coupling replaced and pressure-tested. Pipe above aisle 14 corroded; technician logged 2.5 h.")
        .await
        .unwrap();
    admin.submit("form[action$='/reports'] button[type=submit]").await;
    let url = browser.wait_for_url("the new report's page", |url| url.contains("/admin/reports/")).await;
    let report_id = last_segment(&url);
    admin.expect_badge("#report-status", "draft").await;
    admin.submit("button[name=action][value=approve]").await;
    admin.expect_badge("#report-status", "approved").await;
    let portal_title = "Sprinkler pipe in aisle 12 repaired";
    assert!(portal.report(portal_title).await.is_none(), "[{backend}] an approved report is not visible yet");

    // Publish it with texts written for the customer.
    for (css, text) in [
        ("#p-title", portal_title),
        ("#p-summary", "We replaced the leaking coupling above aisle 12 and tested the line."),
        ("#p-message", "The pipe above aisle 14 shows corrosion; we will suggest a date to replace it."),
    ] {
        let field = browser.find(css).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    admin.submit("button[name=action][value=publish]").await;
    admin.expect_badge("#report-status", "published").await;
    let report = portal.report(portal_title).await.expect("the published report reaches the portal");
    assert_eq!(
        report["summary"], "We replaced the leaking coupling above aisle 12 and tested the line.",
        "[{backend}]"
    );
    let leaked = report.to_string();
    assert!(!leaked.contains("technician logged") && !leaked.contains(report_title), "[{backend}] {leaked}");

    // Upload a PDF: not visible until it is released.
    let pdf_dir = tempfile::tempdir().unwrap();
    let pdf_path = pdf_dir.path().join("aisle-12-sprinkler.pdf");
    std::fs::write(&pdf_path, PDF).unwrap();
    browser.find("#upload-file").await.unwrap().send_keys(pdf_path.to_str().unwrap()).await.unwrap();
    admin.submit("form.dropzone button[type=submit]").await;
    admin.element_with_text("#r-attachments ~ table tbody tr", "aisle-12-sprinkler.pdf").await;
    browser.wait_for_element("#r-attachments ~ table .badge.unreleased").await;
    let report = portal.report(portal_title).await.unwrap();
    assert_eq!(report["attachments"], json!([]), "[{backend}] an unreleased attachment stays hidden");
    admin.submit("button[name=released][value=true]").await;
    browser.wait_for_element("#r-attachments ~ table .badge.released").await;
    let report = portal.report(portal_title).await.unwrap();
    let attachments = report["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "[{backend}] the released attachment: {report}");
    assert_eq!(attachments[0]["file_name"], "aisle-12-sprinkler.pdf", "[{backend}]");
    let download = portal
        .http
        .get(portal.url(attachments[0]["download_path"].as_str().unwrap()))
        .bearer_auth(&portal.token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200, "[{backend}] the contact downloads the attachment");
    assert_eq!(&download.bytes().await.unwrap()[..], PDF, "[{backend}]");

    // Staff mark a follow-up required on the work; the contact sees it.
    admin.goto(&format!("/admin/targets/{target_id}")).await;
    let follow_up = "Replace the corroded pipe section above aisle 14.";
    browser.find("#fu-description").await.unwrap().send_keys(follow_up).await.unwrap();
    admin.select_option("#fu-report", report_title).await;
    admin.submit("form[action$='/follow-ups'] button[type=submit]").await;
    admin.element_with_text("#t-follow-ups ~ .card", follow_up).await;
    let follow_ups = portal.get("/portal/v1/follow-ups").await;
    let seen: Vec<&Value> =
        follow_ups["items"].as_array().unwrap().iter().filter(|f| f["description"] == follow_up).collect();
    assert_eq!(seen.len(), 1, "[{backend}] the follow-up reaches the portal: {follow_ups}");
    assert_eq!(seen[0]["public_status"], "follow_up_required", "[{backend}]");
    assert_eq!(seen[0]["report_id"], report["id"], "[{backend}]");

    // "View as contact" shows what the contact sees and nothing internal.
    admin.goto(&format!("/admin/portal-users/{portal_user_id}/view")).await;
    let page = browser.find("main").await.unwrap().text().await.unwrap();
    assert!(page.contains(portal_title) && page.contains(follow_up), "[{backend}] view as contact: {page}");
    // The work's title is customer-facing (the portal's open work); its notes are not.
    for internal in [report_title, "Bring spare couplings", "technician logged"] {
        assert!(!page.contains(internal), "[{backend}] `{internal}` leaks into view as contact: {page}");
    }

    Story { customer_id, request_id, target_id, report_id, portal_user_id }
}

/// A form post with the browser's own session cookie and a valid CSRF token is
/// still refused when it comes from another origin, and accepted from ours.
async fn foreign_origin_post_is_refused(admin: &Admin<'_>) {
    let backend = admin.backend;
    admin.goto("/admin/").await;
    let csrf = admin.browser.find("input[name=csrf]").await.unwrap().property("value").await.unwrap();
    let cookies = admin.browser.cookies().await.unwrap();
    let cookie_header: Vec<String> =
        cookies.iter().map(|c| format!("{}={}", c["name"].as_str().unwrap(), c["value"].as_str().unwrap())).collect();
    let post = |origin: String| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/admin/language", admin.base))
            .header("Cookie", cookie_header.join("; "))
            .header("Origin", origin)
            .form(&[("csrf", csrf.as_str().unwrap()), ("language", "en"), ("back", "/admin/")])
            .send()
    };
    let foreign = post("http://evil.example".into()).await.unwrap();
    assert_eq!(foreign.status(), 403, "[{backend}] a foreign-origin post is refused");
    let ours = post(admin.base.clone()).await.unwrap();
    assert_eq!(ours.status(), 303, "[{backend}] the same post from our origin is accepted");
}

fn last_segment(url: &str) -> String {
    url.trim_end_matches('/').rsplit('/').next().unwrap().split(['?', '#']).next().unwrap().to_string()
}

/// The contact's side: the portal API with a session token.
struct Portal {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Portal {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// The published report with this portal title, if the contact can see it.
    async fn report(&self, title: &str) -> Option<Value> {
        let reports = self.get("/portal/v1/reports").await;
        reports["items"].as_array().unwrap().iter().find(|r| r["title"] == title).cloned()
    }
}

/// The staff side: the browser on the admin web.
struct Admin<'a> {
    browser: &'a WebDriver,
    base: String,
    backend: &'static str,
    axe: std::cell::RefCell<Findings>,
}

impl Admin<'_> {
    async fn goto(&self, path: &str) {
        self.browser.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn sign_in(&self) {
        self.goto("/admin/login").await;
        self.browser.wait_for_element("#email").await.send_keys(STAFF_EMAIL).await.unwrap();
        self.browser.find("#password").await.unwrap().send_keys(STAFF_PASSWORD).await.unwrap();
        self.submit("form[action='/admin/login'] button[type=submit]").await;
        self.browser.wait_for_url("the dashboard", |url| url.ends_with("/admin/")).await;
        self.browser.wait_for_element("header.top nav").await;
    }

    /// Clicks a submit button, waits for the next page, and fails on a form error.
    async fn submit(&self, css: &str) {
        let button = self.browser.find(css).await.unwrap_or_else(|e| panic!("[{}] no `{css}`: {e}", self.backend));
        self.browser.click_and_wait_for_page(&button).await.unwrap();
        let errors = self.browser.find_all("main .error, main .field-error").await.unwrap();
        if !errors.is_empty() {
            let main = self.browser.find("main").await.unwrap().text().await.unwrap_or_default();
            panic!("[{}] submitting `{css}` was refused:\n{main}", self.backend);
        }
    }

    /// Sets an input's value as a user would with a date picker.
    async fn set_value(&self, css: &str, value: &str) {
        let element = self.browser.find(css).await.unwrap();
        let script = "arguments[0].value = arguments[1]; \
                      arguments[0].dispatchEvent(new Event('input', { bubbles: true })); \
                      arguments[0].dispatchEvent(new Event('change', { bubbles: true }));";
        self.browser.execute(script, vec![element.arg(), json!(value)]).await.unwrap();
        assert_eq!(element.property("value").await.unwrap(), value, "[{}] {css} accepts {value}", self.backend);
    }

    /// Picks the option of `select_css` whose text contains `needle`.
    async fn select_option(&self, select_css: &str, needle: &str) {
        let option = self.element_with_text(&format!("{select_css} option"), needle).await;
        option.click().await.unwrap();
        assert_eq!(option.property("selected").await.unwrap(), true, "[{}] {needle} selected", self.backend);
    }

    /// Waits for an element matching `css` whose text contains `needle`.
    async fn element_with_text(&self, css: &str, needle: &str) -> Element {
        let browser = self.browser;
        browser
            .wait_for(&format!("`{css}` containing `{needle}`"), Duration::from_secs(15), || async move {
                for element in browser.find_all(css).await.ok()? {
                    if element.text().await.is_ok_and(|text| text.contains(needle)) {
                        return Some(element);
                    }
                }
                None
            })
            .await
    }

    /// Waits until the badge at `css` carries the status class `status`.
    async fn expect_badge(&self, css: &str, status: &str) {
        let browser = self.browser;
        browser
            .wait_for(&format!("`{css}` to show {status}"), Duration::from_secs(15), || async move {
                let class = browser.find(css).await.ok()?.attribute("class").await.ok()??;
                class.split_whitespace().any(|c| c == status).then_some(())
            })
            .await;
    }

    async fn switch_language(&self, language: &str) {
        self.goto("/admin/").await;
        let button = format!("header button[name=language][value={language}]");
        if self.browser.find(&button).await.is_ok() {
            self.submit(&button).await;
        }
        let (lang, dir) = if language == "ar" { ("ar", "rtl") } else { ("en", "ltr") };
        let script = "return [document.documentElement.lang, document.documentElement.dir];";
        let found = self.browser.execute(script, vec![]).await.unwrap();
        assert_eq!(found, json!([lang, dir]), "[{}] the layout after switching to {language}", self.backend);
    }

    /// Every main page: a full-page screenshot and the accessibility check.
    async fn tour(&self, language: &str, story: &Story) {
        let pages = [
            ("dashboard", "/admin/".to_string()),
            ("customers", "/admin/customers".to_string()),
            ("customer", format!("/admin/customers/{}", story.customer_id)),
            ("access", "/admin/access".to_string()),
            ("invite", "/admin/access/invite".to_string()),
            ("portal-user", format!("/admin/portal-users/{}", story.portal_user_id)),
            ("view-as", format!("/admin/portal-users/{}/view", story.portal_user_id)),
            ("requests", "/admin/requests".to_string()),
            ("request", format!("/admin/requests/{}", story.request_id)),
            ("targets", "/admin/targets".to_string()),
            ("target", format!("/admin/targets/{}", story.target_id)),
            ("reports", "/admin/reports".to_string()),
            ("report", format!("/admin/reports/{}", story.report_id)),
            ("follow-ups", "/admin/follow-ups".to_string()),
            ("audit", "/admin/audit".to_string()),
            ("settings", "/admin/settings".to_string()),
        ];
        for (name, path) in pages {
            self.goto(&path).await;
            self.browser.wait_for_element("header.top").await;
            self.browser.wait_for_element("main h1").await;
            let dir = self.browser.execute("return document.documentElement.dir;", vec![]).await.unwrap();
            assert_eq!(dir, if language == "ar" { "rtl" } else { "ltr" }, "[{}] {path} in {language}", self.backend);
            self.screenshot(language, name).await;
            self.check_accessibility(language, name).await;
        }
    }

    async fn screenshot(&self, language: &str, page: &str) {
        let path: PathBuf = target_dir().join("screenshots").join(format!("admin-{language}-{page}.png"));
        self.browser.screenshot_full_page(&path, WIDTH, HEIGHT, 6000).await.unwrap();
    }

    /// Runs axe-core on the current page, as `admin-{language}-{page}`.
    async fn check_accessibility(&self, language: &str, page: &str) {
        let name = format!("admin-{language}-{page}");
        let mut findings = self.axe.take();
        findings.audit(self.browser, &name).await;
        self.axe.replace(findings);
    }

    fn report_accessibility(&self) {
        self.axe.borrow().assert_clean();
    }
}
