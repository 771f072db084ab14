//! A small W3C WebDriver client (the few commands these tests use) over HTTP, and the
//! processes behind it: one Xvfb display for the test binary, and one `tauri-driver` (which
//! starts WebKitWebDriver, which starts the real app) per app instance.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a wait for something on screen may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn which(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!("`{name}` is needed for the app tests: run scripts/test, which installs it")
        })
}

/// The X display every app of this test binary draws on: `TANDEM_TEST_DISPLAY` if set, else
/// a private Xvfb started once, watched by a shell that ends it when this process is gone.
pub fn display() -> &'static str {
    static DISPLAY: OnceLock<String> = OnceLock::new();
    DISPLAY.get_or_init(|| {
        if let Ok(d) = std::env::var("TANDEM_TEST_DISPLAY") {
            return d;
        }
        let xvfb = which("Xvfb");
        let watch = format!(
            "'{}' -displayfd 1 -screen 0 1280x900x24 -nolisten tcp 2>/dev/null & x=$!; \
             trap 'kill $x' EXIT; while kill -0 {} 2>/dev/null; do sleep 1; done",
            xvfb.display(),
            std::process::id()
        );
        let mut child = Command::new("sh")
            .args(["-c", &watch])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("Xvfb says its display");
        let n: u32 = line.trim().parse().expect("a display number");
        // Reaped when the watchdog ends it (after this process is gone, in practice).
        std::thread::spawn(move || {
            let _ = child.wait();
        });
        format!(":{n}")
    })
}

/// One `tauri-driver` process, with the environment the app it starts will inherit.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start(env: &[(&str, &Path)]) -> Self {
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new(which("tauri-driver"));
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native.to_string())
            .arg("--native-driver")
            .arg(which("WebKitWebDriver"))
            .env("DISPLAY", display())
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        // Its own process group, so WebKitWebDriver and the app go with it.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().expect("start tauri-driver");
        let d = Self { child, port };
        let deadline = Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver does not answer");
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session: one running app window.
pub struct Session {
    base: String,
    agent: ureq::Agent,
    // Dropped after the session is deleted.
    _driver: Driver,
}

/// The W3C key of an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An element found on screen.
#[derive(Clone, Debug)]
pub struct El(String);

impl Session {
    /// Starts the app at `app` through a new tauri-driver with `env` (e.g. its vault folder).
    pub fn start(app: &Path, env: &[(&str, &Path)]) -> Self {
        let driver = Driver::start(env);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut s = Self {
            base: format!("http://127.0.0.1:{}", driver.port),
            agent,
            _driver: driver,
        };
        let caps = json!({
            "capabilities": {"alwaysMatch": {
                "browserName": "wry",
                "tauri:options": {"application": app}
            }}
        });
        // tauri-driver answers before the WebKitWebDriver behind it is listening; until then
        // it drops the connection. Try again, for a while.
        let deadline = Instant::now() + PATIENCE;
        let v = loop {
            match s.send("/session", &caps) {
                Ok(resp) => match Self::try_answer(resp) {
                    Ok(v) => break v,
                    Err((status, body)) => panic!("WebDriver /session: {status} {body}"),
                },
                Err(e) => {
                    assert!(Instant::now() < deadline, "WebDriver /session: {e}");
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        };
        let id = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        s.base = format!("{}/session/{id}", s.base);
        s
    }

    fn answer(&self, resp: ureq::http::Response<ureq::Body>, what: &str) -> Value {
        match Self::try_answer(resp) {
            Ok(v) => v,
            Err((status, body)) => panic!("WebDriver {what}: {status} {body}"),
        }
    }

    fn try_answer(
        mut resp: ureq::http::Response<ureq::Body>,
    ) -> Result<Value, (ureq::http::StatusCode, Value)> {
        let status = resp.status();
        let body: Value = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        if status.is_success() {
            Ok(body["value"].clone())
        } else {
            Err((status, body))
        }
    }

    fn send(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        self.agent
            .post(&format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())
    }

    fn try_post(&self, path: &str, body: &Value) -> Result<Value, (ureq::http::StatusCode, Value)> {
        Self::try_answer(self.send(path, body).expect("WebDriver answers"))
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        match self.try_post(path, body) {
            Ok(v) => v,
            Err((status, body)) => panic!("WebDriver {path}: {status} {body}"),
        }
    }

    fn get(&self, path: &str) -> Value {
        let resp = self
            .agent
            .get(&format!("{}{path}", self.base))
            .call()
            .expect("WebDriver answers");
        self.answer(resp, path)
    }

    /// Runs a script in the page and returns its value.
    pub fn script(&self, js: &str, args: Value) -> Value {
        self.post("/execute/sync", &json!({"script": js, "args": args}))
    }

    /// Runs an asynchronous script (it calls its last argument with the result).
    pub fn script_async(&self, js: &str, args: Value) -> Value {
        self.post("/execute/async", &json!({"script": js, "args": args}))
    }

    /// Clicks `e` from inside the page and returns the milliseconds until an element matching
    /// `css` is displayed and painted (timed by the page's own clock, no WebDriver polling).
    pub fn click_and_time(&self, e: &El, css: &str) -> f64 {
        let js = r#"
            const [el, css, done] = arguments;
            const t0 = performance.now();
            el.click();
            const check = () => {
                const t = document.querySelector(css);
                if (t && t.offsetParent !== null) {
                    requestAnimationFrame(() => done(performance.now() - t0));
                } else {
                    setTimeout(check, 2);
                }
            };
            check();
        "#;
        self.script_async(js, json!([{ELEMENT_KEY: e.0}, css]))
            .as_f64()
            .expect("milliseconds")
    }

    /// Elements matching a CSS selector, now.
    pub fn all(&self, css: &str) -> Vec<El> {
        let v = self.post("/elements", &json!({"using": "css selector", "value": css}));
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_object()?.values().next()?.as_str())
                    .map(|id| El(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until `css` matches a displayed element, and returns it.
    pub fn find(&self, css: &str) -> El {
        self.wait_for(&format!("`{css}` on screen"), || {
            self.all(css).into_iter().find(|e| self.displayed(e))
        })
    }

    /// The element with this `data-testid`, once displayed.
    pub fn id(&self, testid: &str) -> El {
        self.find(&format!("[data-testid=\"{testid}\"]"))
    }

    /// Waits until `f` gives something (or fails the test after [`PATIENCE`]).
    pub fn wait_for<T>(&self, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(t) = f() {
                return t;
            }
            if Instant::now() > deadline {
                let text = self.body_text();
                panic!("waited {PATIENCE:?} for {what}; the screen says:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the text of `testid` contains `needle`.
    pub fn wait_text(&self, testid: &str, needle: &str) -> String {
        self.wait_for(&format!("{testid} to say {needle:?}"), || {
            let t = self.text(&self.id(testid));
            t.contains(needle).then_some(t)
        })
    }

    pub fn displayed(&self, e: &El) -> bool {
        self.get(&format!("/element/{}/displayed", e.0))
            .as_bool()
            .unwrap_or(false)
    }

    /// Clicks, waiting while something (a notice sliding in, a screen changing) covers it.
    pub fn click(&self, e: &El) {
        let path = format!("/element/{}/click", e.0);
        self.wait_for("a click to land", || {
            match self.try_post(&path, &json!({})) {
                Ok(_) => Some(()),
                Err((_, body)) => {
                    let error = body["value"]["error"].as_str().unwrap_or_default();
                    assert!(
                        matches!(
                            error,
                            "element click intercepted" | "element not interactable"
                        ),
                        "WebDriver {path}: {body}"
                    );
                    // Out from under a fixed bar, as a person would scroll it.
                    self.script(
                        "arguments[0].scrollIntoView({block: 'center'})",
                        json!([{ELEMENT_KEY: e.0}]),
                    );
                    None
                }
            }
        });
    }

    /// Scrolls the page until `e` is in the middle of the window.
    pub fn scroll_to(&self, e: &El) {
        self.script(
            "arguments[0].scrollIntoView({block: 'center'})",
            json!([{ELEMENT_KEY: e.0}]),
        );
    }

    pub fn click_id(&self, testid: &str) {
        let e = self.id(testid);
        self.click(&e);
    }

    /// Types into an input (after what it holds).
    pub fn type_into(&self, e: &El, text: &str) {
        self.post(&format!("/element/{}/value", e.0), &json!({ "text": text }));
    }

    /// Clears an input and types `text`.
    pub fn fill(&self, testid: &str, text: &str) {
        let e = self.id(testid);
        self.post(&format!("/element/{}/clear", e.0), &json!({}));
        self.type_into(&e, text);
    }

    pub fn text(&self, e: &El) -> String {
        self.get(&format!("/element/{}/text", e.0))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn attr(&self, e: &El, name: &str) -> Option<String> {
        self.get(&format!("/element/{}/attribute/{name}", e.0))
            .as_str()
            .map(str::to_owned)
    }

    pub fn value(&self, testid: &str) -> String {
        let e = self.id(testid);
        self.get(&format!("/element/{}/property/value", e.0))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Everything the page shows, as text.
    pub fn body_text(&self) -> String {
        self.script(
            "return document.body ? document.body.innerText : ''",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Resizes the window (the page's viewport follows).
    pub fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", &json!({"width": width, "height": height}));
        std::thread::sleep(Duration::from_millis(300));
    }

    /// A PNG of the window, written to `path`.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let v = self.get("/screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 PNG");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
    }
}
