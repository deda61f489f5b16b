//! An accessibility pass with axe-core on whatever page a WebDriver session shows
//! (the admin web in Chromium, the desktop app in WebKit): serious and critical
//! violations and unlabelled form controls fail; the rest is reported.

use std::path::PathBuf;

use crate::webdriver::WebDriver;

/// What the audits of one test found.
#[derive(Default)]
pub struct Findings {
    source: Option<String>,
    /// Serious or critical violations and unlabelled controls, one line each.
    pub failures: Vec<String>,
    /// Moderate and minor violations and rules needing review, reported but not failing.
    pub notes: Vec<String>,
}

impl Findings {
    /// Runs axe-core on the current page; `page` names it in the findings.
    pub async fn audit(&mut self, browser: &WebDriver, page: &str) {
        let source = self.source.get_or_insert_with(axe_source).clone();
        // WebDriver scripts are not subject to the page's CSP, so axe can be injected
        // into pages that forbid inline script.
        browser.execute(&source, vec![]).await.unwrap();
        let loaded = browser.execute("return typeof window.axe;", vec![]).await.unwrap();
        assert_eq!(loaded, "object", "axe-core loads into {page}");
        let script = "const done = arguments[arguments.length - 1]; \
                      window.axe.run(document, { resultTypes: ['violations'] }) \
                        .then((r) => done({ ok: r.violations, passes: r.passes.length, \
                                            incomplete: r.incomplete.map((i) => i.id) })) \
                        .catch((e) => done({ error: String(e) }));";
        let result = browser.execute_async(script, vec![]).await.unwrap();
        assert!(result["error"].is_null(), "axe failed on {page}: {}", result["error"]);
        let passes = result["passes"].as_u64().unwrap_or_default();
        assert!(passes >= 10, "axe ran only {passes} passing rules on {page}: {result}");
        for rule in result["incomplete"].as_array().unwrap() {
            self.notes.push(format!("{page}: needs review: {}", rule.as_str().unwrap_or_default()));
        }
        for violation in result["ok"].as_array().unwrap() {
            let impact = violation["impact"].as_str().unwrap_or("unknown");
            let targets: Vec<String> =
                violation["nodes"].as_array().unwrap().iter().map(|n| n["target"].to_string()).collect();
            let line = format!(
                "{page}: [{impact}] {} ({}) at {}",
                violation["id"].as_str().unwrap_or_default(),
                violation["help"].as_str().unwrap_or_default(),
                targets.join(", ")
            );
            if matches!(impact, "serious" | "critical") {
                self.failures.push(line);
            } else {
                self.notes.push(line);
            }
        }
        let script = "return Array.from(document.querySelectorAll('input, select, textarea')) \
                        .filter((el) => el.type !== 'hidden') \
                        .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') \
                                        && !el.getAttribute('aria-labelledby')) \
                        .map((el) => el.outerHTML.slice(0, 160));";
        let unlabelled = browser.execute(script, vec![]).await.unwrap();
        for control in unlabelled.as_array().unwrap() {
            self.failures.push(format!("{page}: unlabelled control {}", control.as_str().unwrap()));
        }
    }

    /// Prints the notes and fails on any failure.
    pub fn assert_clean(&self) {
        for note in &self.notes {
            eprintln!("accessibility note (not failing): {note}");
        }
        assert!(self.failures.is_empty(), "accessibility violations:\n{}", self.failures.join("\n"));
    }
}

/// axe-core from the UI's npm packages (`npm ci` in `ui/`, done by `make test`).
fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `npm ci` in ui/ (scripts/install-deps.sh does)", path.display()))
}
