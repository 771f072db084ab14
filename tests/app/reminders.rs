//! The daily reminder in the real app, heard by a real notification daemon: a private D-Bus
//! session (`dbus-daemon`), `dunst` on it drawing on the tests' Xvfb display, and
//! `dbus-monitor` reading every `Notify` call the app makes. The reminder counts this peer's
//! follow-ups due and holds no name and no note; it comes on unlock once its time has come,
//! once a day; while the vault is locked it still counts, from the dates kept at the lock;
//! turned off in Settings, it stays silent.

use crate::ui::{App, PASSPHRASE};
use crate::webdriver::{display, PATIENCE};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A process ended with the test.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private session bus with a notification daemon on it, and what was sent to it.
struct Notifications {
    address: String,
    /// The calls to the daemon seen so far: each its member, then the strings it carried.
    calls: Arc<Mutex<Vec<Vec<String>>>>,
    _monitor: Proc,
    _dunst: Proc,
    _bus: Proc,
}

fn bus_env<'a>(cmd: &'a mut Command, address: &str) -> &'a mut Command {
    cmd.env("DBUS_SESSION_BUS_ADDRESS", address)
        .env("DISPLAY", display())
        .stdin(Stdio::null())
}

impl Notifications {
    fn start() -> Self {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (scripts/test installs it)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .expect("the bus's address");
        let address = address.trim().to_owned();
        let bus = Proc(bus);
        // A home of its own: dunst reads no configuration but its defaults.
        let dunst = Proc(
            bus_env(&mut Command::new("dunst"), &address)
                .env("HOME", std::env::temp_dir())
                .env(
                    "XDG_CONFIG_HOME",
                    std::env::temp_dir().join("no-such-config"),
                )
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("dunst (scripts/test installs it)"),
        );
        let deadline = Instant::now() + PATIENCE;
        while !daemon_answers(&address) {
            assert!(
                Instant::now() < deadline,
                "dunst does not answer on the bus"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut monitor = bus_env(&mut Command::new("dbus-monitor"), &address)
            .args([
                "--address",
                &address,
                "type='method_call',interface='org.freedesktop.Notifications'",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor (scripts/test installs it)");
        let calls: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let out = monitor.stdout.take().unwrap();
        let seen = calls.clone();
        std::thread::spawn(move || {
            // A call starts with its header line (its member first here); its arguments
            // follow, strings quoted.
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let mut calls = seen.lock().unwrap();
                if let Some(member) = line
                    .strip_prefix("method call")
                    .and_then(|l| l.split("member=").nth(1))
                {
                    calls.push(vec![member.trim().to_owned()]);
                } else if let (Some(call), Some(s)) =
                    (calls.last_mut(), line.trim().strip_prefix("string \""))
                {
                    call.push(s.trim_end_matches('"').to_owned());
                }
            }
        });
        let n = Self {
            address,
            calls,
            _monitor: Proc(monitor),
            _dunst: dunst,
            _bus: bus,
        };
        // The monitor is listening once it sees a call the test makes.
        let deadline = Instant::now() + PATIENCE;
        while !n
            .calls
            .lock()
            .unwrap()
            .iter()
            .any(|c| c.first().map(String::as_str) == Some("GetServerInformation"))
        {
            assert!(daemon_answers(&n.address), "dunst answers");
            assert!(Instant::now() < deadline, "dbus-monitor sees nothing");
            std::thread::sleep(Duration::from_millis(200));
        }
        n
    }

    /// The `Notify` calls so far, each as its strings: app name, icon, title, body….
    fn calls(&self) -> Vec<Vec<String>> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.first().map(String::as_str) == Some("Notify"))
            .map(|c| c[1..].to_vec())
            .collect()
    }

    /// Waits for the `n`-th reminder (counting from 1) and gives its title and body.
    fn wait_for(&self, n: usize) -> (String, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let calls = self.calls();
            if let Some(call) = calls.get(n - 1) {
                // app name, icon, summary, body.
                assert!(call.len() >= 4, "a Notify call with its strings: {call:?}");
                return (call[2].clone(), call[3].clone());
            }
            assert!(
                Instant::now() < deadline,
                "no reminder number {n}: {calls:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// How many notifications dunst itself shows or keeps: it received what was sent.
    fn dunst_count(&self) -> usize {
        ["displayed", "history", "waiting"]
            .iter()
            .map(|what| {
                let out = bus_env(&mut Command::new("dunstctl"), &self.address)
                    .args(["count", what])
                    .output()
                    .expect("dunstctl");
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .parse::<usize>()
                    .unwrap_or(0)
            })
            .sum()
    }
}

fn daemon_answers(address: &str) -> bool {
    bus_env(&mut Command::new("dbus-send"), address)
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.GetServerInformation",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The settings file the app reads beside its vault: English, reminders at `minute`.
fn settings(home: &Path, minute: u16) {
    std::fs::write(
        home.join("vault.app-settings.json"),
        json!({"lang": "en", "auto_lock_minutes": 30, "reminders": true, "reminder_minute": minute})
            .to_string(),
    )
    .unwrap();
}

fn unlock(app: &App) {
    app.s.fill("unlock-passphrase", PASSPHRASE);
    app.s.click_id("unlock-submit");
    // Back on the screen it was locked on.
    app.s.wait_for("unlocked", || {
        app.s
            .all("[data-testid=\"unlock-screen\"]")
            .is_empty()
            .then_some(())
    });
}

/// A follow-up for `person`, due some days ago.
fn late_follow_up(app: &App, person: &str, what: &str) {
    let s = &app.s;
    app.open_brief(person);
    s.click_id("brief-new-encounter");
    s.wait_text("who-chosen-name", person);
    s.fill("encounter-notes", "Coffee at the park");
    s.click_id("encounter-details-toggle");
    s.fill("encounter-follow-up", what);
    let late = chrono::Local::now().date_naive() - chrono::Days::new(2);
    crate::audit::set_date(s, "encounter-follow-up-due", late);
    s.click_id("encounter-save");
    s.wait_text("brief-followups", what);
}

#[test]
fn the_reminder_counts_what_is_due_and_names_no_one() {
    let bus = Notifications::start();
    let home = tempfile::tempdir().unwrap();
    // At midnight: today's reminder is due all day. Say today's was raised already, so that
    // setting things up raises none.
    settings(home.path(), 0);
    let raised = home.path().join("vault.app-reminder.json");
    let today = chrono::Local::now().date_naive();
    std::fs::write(&raised, json!({"day": today}).to_string()).unwrap();
    let address = bus.address.clone();
    let app = App::start_with(
        home,
        &[
            ("DBUS_SESSION_BUS_ADDRESS", Path::new(&address)),
            ("TANDEM_REMINDER_TICK_MS", Path::new("300")),
        ],
    );
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");
    late_follow_up(&app, "Hélène Tremblay", "Go with her to the clinic");
    app.add_person("Marc Gagnon");
    late_follow_up(&app, "Marc Gagnon", "Call the shelter about a bed");
    s.click_id("lock-button");
    s.id("unlock-screen");
    let before = bus.calls().len();
    assert_eq!(before, 0, "raised today already: {:?}", bus.calls());

    // Locked: the shell counts from the dates kept at the lock, and raises today's reminder
    // if it was not raised yet. Say it was raised yesterday: it comes now, vault locked.
    let yesterday = chrono::Local::now().date_naive() - chrono::Days::new(1);
    std::fs::write(&raised, json!({"day": yesterday}).to_string()).unwrap();
    let (title, body) = bus.wait_for(before + 1);
    assert_eq!(title, "Tandem: what is due");
    assert_eq!(body, "2 follow-ups due today or late.");
    for secret in ["Hélène", "Marc", "clinic", "shelter", "Coffee"] {
        assert!(
            !title.contains(secret) && !body.contains(secret),
            "{secret} in the reminder"
        );
    }
    assert!(bus.dunst_count() >= 1, "dunst got it");

    // Once a day: unlocking the same day raises no other.
    unlock(&app);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(bus.calls().len(), before + 1, "{:?}", bus.calls());

    // The next day (the file says the last one was yesterday): the unlock raises it, in the
    // language on screen, and one follow-up done leaves one.
    s.click_id("nav-settings");
    crate::audit::choose_lang(s, "fr");
    app.open_brief("Marc Gagnon");
    s.click_id("followup-done");
    s.click_id("lock-button");
    s.id("unlock-screen");
    // The lock's look may come first: either way, one reminder for the day.
    std::fs::write(&raised, json!({"day": yesterday}).to_string()).unwrap();
    unlock(&app);
    let (title, body) = bus.wait_for(before + 2);
    assert_eq!(title, "Tandem : ce qui est à faire");
    assert_eq!(body, "1 suivi à faire aujourd'hui ou en retard.");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(bus.calls().len(), before + 2, "{:?}", bus.calls());

    // Turned off in Settings: silent, even on a new day.
    s.click_id("nav-settings");
    s.click_id("reminders");
    s.wait_text("notice", "Enregistré");
    std::fs::write(&raised, json!({"day": yesterday}).to_string()).unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    assert_eq!(bus.calls().len(), before + 2, "{:?}", bus.calls());
}
