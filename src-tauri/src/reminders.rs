//! The daily reminder: a desktop notification, through Tauri's notification plugin, saying
//! how many of this member's follow-ups are due and with how many of their people a goal's
//! check-in has come. The rules (when, what counts) are `tandem_model::reminder`'s; this
//! module keeps the clock and raises it.
//!
//! - A thread looks every [`tick`] (30 s) whether today's reminder is due (the chosen time has
//!   come, none raised today, reminders on) and raises it when something is due. An unlock
//!   looks at once, so a peer whose app was locked or closed at that time hears it then.
//! - Locked, the vault cannot be read: the shell keeps the due *dates* it read at the last
//!   lock (no person, no words, in memory only) and counts from them. Closed, nothing is kept
//!   and nothing is raised.
//! - The day of the last reminder is written beside the vault (`<vault>.app-reminder.json`),
//!   so a restart the same day does not raise it again. It holds a date and nothing else.
//! - The text holds counts only, in the app's language, from the app's own word files.

use crate::state::AppState;
use chrono::{Local, NaiveDate, NaiveDateTime};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tandem_model::reminder::{self, DueCounts};
use tandem_model::words::{FluentValue, Words};
use tandem_model::Lang;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

const EN: &str = include_str!("../../src-ui/locales/en.ftl");
const FR: &str = include_str!("../../src-ui/locales/fr.ftl");

thread_local! {
    static WORDS: Words = Words::new(EN, FR);
}

/// How often the clock is looked at: `TANDEM_REMINDER_TICK_MS` (the tests shorten it; at
/// least 100 ms), else 30 s — a reminder comes at most half a minute after its time.
pub fn tick() -> Duration {
    std::env::var("TANDEM_REMINDER_TICK_MS")
        .ok()
        .and_then(|t| t.parse::<u64>().ok())
        .map(|ms| Duration::from_millis(ms.max(100)))
        .unwrap_or(Duration::from_secs(30))
}

/// The notification's title and body for `counts`, in `lang`: numbers, never a name.
pub fn text(lang: Lang, counts: DueCounts) -> (String, String) {
    WORDS.with(|w| {
        let count = |key: &str, n: usize| {
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            w.format(lang, key, &[("n", FluentValue::from(n))])
        };
        let mut body = Vec::new();
        if counts.follow_ups > 0 {
            body.push(count("reminder-follow-ups", counts.follow_ups));
        }
        if counts.check_ins > 0 {
            body.push(count("reminder-check-ins", counts.check_ins));
        }
        (w.format(lang, "reminder-title", &[]), body.join(" "))
    })
}

/// Where the day of the last reminder of the vault in `vault_dir` is kept: beside the folder,
/// named after it, like the settings.
pub fn raised_path(vault_dir: &Path) -> PathBuf {
    crate::settings::beside_vault(vault_dir, "app-reminder.json")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Raised {
    day: NaiveDate,
}

/// The local day the last reminder was raised, if the file says one.
pub fn last_raised(path: &Path) -> Option<NaiveDate> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice::<Raised>(&bytes).ok().map(|r| r.day)
}

/// Notes that today's reminder was raised (a temporary file first, then renamed).
pub fn note_raised(path: &Path, day: NaiveDate) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_vec(&Raised { day }).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// What today's reminder says now, if it is due and something is: `None` when reminders are
/// off, the time has not come, it was raised today (by its file, or `unnoted`: the day of one
/// the file could not keep), the vault is closed with nothing kept, or nothing is due.
pub fn due_now(
    state: &AppState,
    now: NaiveDateTime,
    unnoted: Option<NaiveDate>,
) -> Option<DueCounts> {
    let settings = state.settings();
    let last = last_raised(&raised_path(&state.dir)).max(unnoted);
    if !settings.reminders || !reminder::is_due(now, settings.reminder_minute, last) {
        return None;
    }
    let counts = state.due_dates()?.counts_on(now.date());
    (!counts.is_empty()).then_some(counts)
}

/// Raises today's reminder if it is due, and notes it; whether one was raised. A failure to
/// show it is said on standard error (without the text: the counts are not secret, but
/// nothing of the team is written outside the vault) and tried again at the next tick.
pub fn raise_if_due<R: Runtime>(app: &AppHandle<R>, now: NaiveDateTime) -> bool {
    let state = app.state::<AppState>();
    // One look at a time (the clock's thread, an unlock): never two reminders for one day.
    let mut unnoted = state.reminder_turn();
    let Some(counts) = due_now(&state, now, *unnoted) else {
        return false;
    };
    let (title, body) = text(state.settings().lang, counts);
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("tandem: the reminder could not be shown: {e}");
        return false;
    }
    if let Err(e) = note_raised(&raised_path(&state.dir), now.date()) {
        eprintln!("tandem: the reminder's day could not be noted: {e}");
        // Remembered here instead, so the next look does not raise it again.
        *unnoted = Some(now.date());
    }
    true
}

/// Looks at the clock every [`tick`], for as long as the app runs.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let every = tick();
    let spawned = std::thread::Builder::new()
        .name("reminders".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            raise_if_due(&app, Local::now().naive_local());
        });
    if let Err(e) = spawned {
        eprintln!("tandem: no daily reminder (its thread did not start): {e}");
    }
}

/// After an unlock: the reminder of a day whose time came while the vault was locked or the
/// app closed, at once (on a thread of its own: unlocking never waits for it).
pub fn after_unlock<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let _ = std::thread::Builder::new()
        .name("reminder-on-unlock".into())
        .spawn(move || raise_if_due(&app, Local::now().naive_local()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_says_counts_in_both_languages_and_nothing_else() {
        let both = DueCounts {
            follow_ups: 3,
            check_ins: 1,
        };
        let (title, body) = text(Lang::En, both);
        assert_eq!(title, "Tandem: what is due");
        assert_eq!(
            body,
            "3 follow-ups due today or late. 1 person has a goal check-in due."
        );
        let (title, body) = text(
            Lang::Fr,
            DueCounts {
                follow_ups: 1,
                check_ins: 0,
            },
        );
        assert_eq!(title, "Tandem : ce qui est à faire");
        assert_eq!(body, "1 suivi à faire aujourd'hui ou en retard.");
        let (_, body) = text(
            Lang::Fr,
            DueCounts {
                follow_ups: 0,
                check_ins: 2,
            },
        );
        assert_eq!(body, "2 personnes ont un point d'étape sur un objectif.");
    }

    #[test]
    fn the_day_raised_is_kept_beside_the_vault() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = raised_path(&dir.path().join("vault"));
        assert_eq!(path, dir.path().join("vault.app-reminder.json"));
        assert_eq!(last_raised(&path), None);
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
        note_raised(&path, day).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(last_raised(&path), Some(day));
        std::fs::write(&path, b"{broken").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(last_raised(&path), None, "a damaged file raises again");
    }

    #[test]
    fn nothing_is_due_from_a_closed_vault_or_with_reminders_off() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = AppState::new(dir.path().join("vault"));
        let noon = NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default();
        assert_eq!(due_now(&state, noon, None), None, "closed: nothing kept");
        state.keep_due_dates(tandem_model::reminder::DueDates {
            follow_ups: vec![noon.date()],
            check_ins: vec![],
        });
        assert_eq!(
            due_now(&state, noon, None),
            Some(DueCounts {
                follow_ups: 1,
                check_ins: 0
            }),
            "locked: counted from the dates kept"
        );
        let morning = noon.date().and_hms_opt(8, 0, 0).unwrap_or_default();
        assert_eq!(
            due_now(&state, morning, None),
            None,
            "before the time chosen"
        );
        let mut off = state.settings();
        off.reminders = false;
        state.set_settings(off).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(due_now(&state, noon, None), None, "turned off");
        let mut on = state.settings();
        on.reminders = true;
        state.set_settings(on).unwrap_or_else(|e| panic!("{e:?}"));
        let yesterday = noon.date().pred_opt();
        assert!(
            due_now(&state, noon, yesterday).is_some(),
            "raised yesterday"
        );
        assert_eq!(
            due_now(&state, noon, Some(noon.date())),
            None,
            "raised today, its file not written"
        );
        note_raised(&raised_path(&state.dir), noon.date()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(due_now(&state, noon, None), None, "raised today already");
    }
}
