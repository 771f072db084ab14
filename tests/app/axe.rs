//! The accessibility audit: axe-core, at the version `scripts/test` installs, injected into the
//! real app window and run on the whole document (WCAG 2.0/2.1/2.2 A and AA, and axe's best
//! practices). An [`Audit`] gathers what every screen it is shown breaks, so one run names all
//! of it, and fails the test at the end with each violation: rule, impact, where, what.

use crate::webdriver::Session;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The axe-core `scripts/test` installs (keep the two in step).
pub const AXE_VERSION: &str = "4.14.1";

/// The rule sets run: every WCAG 2.x A and AA rule, and axe's best practices.
const TAGS: [&str; 7] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
];

/// `axe.min.js`: `TANDEM_AXE_JS` if set, else where `scripts/test` puts it, in the target
/// folder these tests were built in.
fn axe_js() -> &'static str {
    static JS: OnceLock<String> = OnceLock::new();
    JS.get_or_init(|| {
        let path = std::env::var_os("TANDEM_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                // target/debug/deps/<test> → target
                let exe = std::env::current_exe().unwrap();
                let target = exe.ancestors().nth(3).unwrap().to_owned();
                target
                    .join(format!("axe-core-{AXE_VERSION}"))
                    .join("axe.min.js")
            });
        let js = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core {AXE_VERSION} is needed for the accessibility audit ({}: {e}): \
                 run scripts/test, which installs it",
                path.display()
            )
        });
        assert!(
            js.contains(&format!("axe v{AXE_VERSION}")),
            "{} is not axe-core {AXE_VERSION}",
            path.display()
        );
        js
    })
}

/// What axe said of a document: the violations, each as a readable paragraph; the rules it
/// could not decide (needs review: for the log, not a failure); how many rules passed.
pub struct Findings {
    pub violations: Vec<String>,
    pub incomplete: Vec<String>,
    pub passed: usize,
}

/// Runs axe on the document as it is now.
pub fn run(s: &Session) -> Findings {
    let present = s.script("return typeof window.axe === 'object'", json!([]));
    if present != Value::Bool(true) {
        s.script(&format!("{}\n;return null;", axe_js()), json!([]));
    }
    let js = r#"
        const [tags, done] = arguments;
        window.axe
            .run(document, { runOnly: { type: 'tag', values: tags } })
            .then(
                (r) => done({
                  passed: r.passes.length,
                  incomplete: r.incomplete.map((v) => v.id),
                  violations: r.violations.map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    nodes: v.nodes.map((n) => ({
                        target: n.target.map(String),
                        html: n.html,
                        summary: n.failureSummary || '',
                    })),
                  })),
                }),
                (e) => done({ error: String(e && e.stack || e) }),
            );
    "#;
    let answer = s.script_async(js, json!([TAGS]));
    if let Some(e) = answer.get("error") {
        panic!("axe-core could not run in the window: {e}");
    }
    Findings {
        violations: answer["violations"]
            .as_array()
            .unwrap_or_else(|| panic!("axe answered {answer}"))
            .iter()
            .map(describe)
            .collect(),
        incomplete: answer["incomplete"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        passed: answer["passed"].as_u64().unwrap_or(0) as usize,
    }
}

/// Proves the audit sees what it must in this webview before it is believed: a picture with
/// no text and a control with no name, added for a moment, must be reported.
fn canary(s: &Session) {
    s.script(
        "const d = document.createElement('div'); d.id = 'axe-canary'; \
         d.innerHTML = '<img src=\"data:,\"><button></button>'; document.body.append(d);",
        json!([]),
    );
    let found = run(s).violations;
    s.script("document.getElementById('axe-canary').remove()", json!([]));
    for rule in ["image-alt (critical)", "button-name (critical)"] {
        assert!(
            found.iter().any(|v| v.starts_with(rule)),
            "axe-core did not report {rule} in this window: {found:?}"
        );
    }
}

/// One violation: its rule, impact and help, then each element (selector, the start of its
/// HTML, what to fix).
fn describe(v: &Value) -> String {
    let mut out = format!(
        "{} ({}): {}",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("no impact given"),
        v["help"].as_str().unwrap_or_default()
    );
    for n in v["nodes"].as_array().into_iter().flatten() {
        let target: Vec<&str> = n["target"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let html: String = n["html"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(160)
            .collect();
        let summary = n["summary"]
            .as_str()
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / ");
        out.push_str(&format!(
            "\n    at {}\n       {html}\n       {summary}",
            target.join(" > ")
        ));
    }
    out
}

/// The screens of one test audited so far, and what they broke.
pub struct Audit<'a> {
    s: &'a Session,
    screens: Vec<String>,
    found: Vec<String>,
}

impl<'a> Audit<'a> {
    pub fn new(s: &'a Session) -> Self {
        canary(s);
        Self {
            s,
            screens: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Audits what is on screen now, under `screen`'s name. What it finds is printed at once
    /// too, so a test that fails later for another reason still shows it.
    pub fn check(&mut self, screen: &str) {
        // Let what was just asked for render (a list loading, a notice appearing).
        std::thread::sleep(std::time::Duration::from_millis(150));
        self.screens.push(screen.to_owned());
        let f = run(self.s);
        eprintln!(
            "[{screen}] axe: {} rules passed, {} violated, needs review: {:?}",
            f.passed,
            f.violations.len(),
            f.incomplete
        );
        for v in f.violations {
            let v = format!("[{screen}] {v}");
            eprintln!("{v}");
            self.found.push(v);
        }
    }

    /// Fails the test if any screen broke a rule; lists the screens audited otherwise.
    pub fn finish(self) {
        assert!(
            self.found.is_empty(),
            "axe-core {AXE_VERSION} found {} accessibility violation(s) on {} screen(s):\n\n{}",
            self.found.len(),
            self.screens.len(),
            self.found.join("\n\n")
        );
        eprintln!(
            "axe-core {AXE_VERSION}: no violation on {} screen(s): {}",
            self.screens.len(),
            self.screens.join("; ")
        );
    }
}
