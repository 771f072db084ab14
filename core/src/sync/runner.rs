//! Sync in the background, for the app.
//!
//! Two threads: a **pusher** that sends local changes as soon as the app says there are some
//! (`poke`), and a **puller** that long-polls the relay so other devices' work arrives within
//! moments. While the relay cannot be reached, both back off (1 s doubling to a minute, with
//! jitter so a clinic's devices do not all knock at once) and start again by themselves.
//! They hold the vault weakly: when the app locks (drops the vault), they stop.

use super::engine::pull_new;
use super::push::push_pending;
use super::report::{SyncProgress, SyncReport};
use super::SyncError;
use crate::vault::SharedVault;
use chrono::{DateTime, Utc};
use rand::Rng;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a pull waits for news before asking again.
const LONG_POLL_MS: u64 = 20_000;
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Records stored by a first sync without loading them are checked this many at a time
/// (a few milliseconds each), letting go of the vault in between so the app stays quick...
const CHECK_STEP: usize = 8;
/// ...for at most this long between two pulls.
const CHECK_FOR: Duration = Duration::from_millis(500);

/// What the sync badge shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Starting.
    Starting,
    /// Sending or receiving.
    Syncing {
        /// Items done.
        done: u64,
        /// Items in all (0 when unknown).
        total: u64,
    },
    /// Up to date, listening for news.
    Synced,
    /// The relay cannot be reached; trying again in `retry_in_s`.
    Offline {
        /// Seconds until the next try.
        retry_in_s: u64,
    },
    /// This device was removed from the team.
    Revoked,
    /// The relay's log went back past what this device saw (restored from a backup?):
    /// nothing is sent or taken until someone who checked it accepts it.
    RelayWentBack,
    /// The relay offered the team record something no device of the team signed (or went
    /// back on it): nothing is sent or taken until its answers are in order again.
    TeamRecordRefused,
    /// The vault is not in a team on a relay.
    NotInTeam,
    /// Something needs a person (the message says what).
    Failed {
        /// What went wrong.
        message: String,
    },
}

/// The sync status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncStatus {
    /// The state.
    #[serde(flatten)]
    pub state: SyncState,
    /// Local changes waiting to be sent.
    pub waiting: u64,
    /// When the last sync finished.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// What the last sync brought or sent.
    pub last_report: Option<SyncReport>,
    /// Orders statuses over the process's life (every sync handle): a higher one is newer.
    /// Statuses reach a UI from several threads, and as answers to its own requests, so
    /// they may arrive out of order; the UI keeps the highest.
    pub seq: u64,
}

static STATUS_SEQ: AtomicU64 = AtomicU64::new(1);

/// The next status number.
pub fn next_status_seq() -> u64 {
    STATUS_SEQ.fetch_add(1, Ordering::SeqCst)
}

type Listener = Box<dyn Fn(&SyncStatus) + Send + Sync>;

struct Shared {
    stop: AtomicBool,
    /// One flag per thread ([`Worker`]): a poke wakes both, and one waking first must not
    /// take it from the other (a "Sync now" after an outage once woke only the puller, and
    /// the waiting changes sat until the pusher's backoff ran out).
    poked: Mutex<[bool; 2]>,
    wake: Condvar,
    status: Mutex<SyncStatus>,
    listener: Listener,
}

impl Shared {
    /// Starting, with `waiting` changes and the last sync at `last`.
    fn new(waiting: u64, last: Option<DateTime<Utc>>, listener: Listener) -> Self {
        Self {
            stop: AtomicBool::new(false),
            poked: Mutex::new([false; 2]),
            wake: Condvar::new(),
            status: Mutex::new(SyncStatus {
                state: SyncState::Starting,
                waiting,
                last_synced_at: last,
                last_report: None,
                seq: next_status_seq(),
            }),
            listener,
        }
    }

    fn set(&self, f: impl FnOnce(&mut SyncStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.seq = next_status_seq();
            s.clone()
        };
        (self.listener)(&snapshot);
    }

    /// Sleeps until poked, stopped or `timeout`; returns whether `who` was poked.
    fn wait(&self, who: Worker, timeout: Duration) -> bool {
        let i = who as usize;
        let guard = self.poked.lock().unwrap_or_else(|p| p.into_inner());
        let (mut guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |poked| {
                !poked[i] && !self.stop.load(Ordering::SeqCst)
            })
            .unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut guard[i], false)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Wakes both threads.
    fn poke(&self) {
        let mut p = self.poked.lock().unwrap_or_else(|p| p.into_inner());
        *p = [true; 2];
        self.wake.notify_all();
    }

    /// Wakes one thread.
    fn poke_one(&self, who: Worker) {
        let mut p = self.poked.lock().unwrap_or_else(|p| p.into_inner());
        p[who as usize] = true;
        self.wake.notify_all();
    }
}

/// A running background sync. Dropping it stops it.
pub struct SyncHandle {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for SyncHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHandle")
            .field("status", &self.status())
            .finish()
    }
}

fn jittered(backoff: Duration) -> Duration {
    let ms = backoff.as_millis() as u64;
    Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms + ms / 2))
}

fn waiting(vault: &SharedVault) -> u64 {
    vault.lock().outbox_len().unwrap_or(0)
}

/// Reacts to an error; returns false when the thread should end.
/// The two threads, each with its own poke flag.
#[derive(Clone, Copy, Debug)]
enum Worker {
    Pusher = 0,
    Puller = 1,
}

fn on_error(shared: &Shared, who: Worker, e: &SyncError, backoff: &mut Duration) -> bool {
    match e {
        SyncError::Revoked => {
            shared.set(|s| s.state = SyncState::Revoked);
            false
        }
        SyncError::NotInTeam => {
            shared.set(|s| s.state = SyncState::NotInTeam);
            false
        }
        SyncError::RelayWentBack { .. } => {
            // Asked again now and then (no network: the vault says it at once), so that
            // accepting the relay elsewhere lets this device go on.
            shared.set(|s| s.state = SyncState::RelayWentBack);
            shared.wait(who, MAX_BACKOFF);
            true
        }
        SyncError::Untrusted(_) => {
            // Tried again now and then: it resumes by itself once the relay stops lying.
            shared.set(|s| s.state = SyncState::TeamRecordRefused);
            shared.wait(who, MAX_BACKOFF);
            true
        }
        e if e.is_transient() => {
            let wait = jittered(*backoff);
            shared.set(|s| {
                s.state = SyncState::Offline {
                    retry_in_s: wait.as_secs().max(1),
                }
            });
            shared.wait(who, wait);
            *backoff = (*backoff * 2).min(MAX_BACKOFF);
            true
        }
        e => {
            let message = e.to_string();
            shared.set(|s| s.state = SyncState::Failed { message });
            shared.wait(who, MAX_BACKOFF);
            true
        }
    }
}

fn progress_to(shared: &Shared) -> impl Fn(SyncProgress) + '_ {
    move |p| {
        let (done, total) = match p {
            SyncProgress::Pushing(d, t)
            | SyncProgress::Pulling(d, t)
            | SyncProgress::Checking(d, t) => (d, t),
        };
        shared.set(|s| s.state = SyncState::Syncing { done, total });
    }
}

fn pusher(vault: Weak<SharedVault>, shared: Arc<Shared>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        if shared.stopped() {
            return;
        }
        let Some(v) = vault.upgrade() else { return };
        match push_pending(&v, &progress_to(&shared)).map(|p| p.sent) {
            Ok(n) => {
                backoff = Duration::from_secs(1);
                let left = waiting(&v);
                if n > 0 {
                    shared.set(|s| {
                        s.waiting = left;
                        s.state = SyncState::Synced;
                        s.last_synced_at = Some(Utc::now());
                    });
                }
                drop(v);
                // Changes saved while this push was under way go at once.
                if n > 0 && left > 0 {
                    continue;
                }
                shared.wait(Worker::Pusher, Duration::from_secs(30));
            }
            Err(e) => {
                let left = waiting(&v);
                drop(v);
                shared.set(|s| s.waiting = left);
                if !on_error(&shared, Worker::Pusher, &e, &mut backoff) {
                    return;
                }
            }
        }
    }
}

/// Checks deferred records for a while; returns whether some are left.
fn check_deferred(vault: &SharedVault, shared: &Shared) -> bool {
    let started = std::time::Instant::now();
    while !shared.stopped() && started.elapsed() < CHECK_FOR {
        match vault.lock().check_deferred(CHECK_STEP) {
            Ok(0) => return false,
            Ok(_) => {}
            // Tried again after the next pull, which waits as usual: an error that stays
            // must not turn the puller into a busy loop.
            Err(_) => return false,
        }
    }
    true
}

fn puller(vault: Weak<SharedVault>, shared: Arc<Shared>) {
    let mut backoff = Duration::from_secs(1);
    let mut wait_ms = 0;
    loop {
        if shared.stopped() {
            return;
        }
        let Some(v) = vault.upgrade() else { return };
        match pull_new(&v, wait_ms, &progress_to(&shared)) {
            Ok(report) => {
                backoff = Duration::from_secs(1);
                let left = waiting(&v);
                shared.set(|s| {
                    s.state = SyncState::Synced;
                    s.waiting = left;
                    s.last_synced_at = Some(Utc::now());
                    if report.pulled > 0 || report.pushed > 0 {
                        s.last_report = Some(report);
                    }
                });
                // A change that no poke announced (saved while the pusher was between a push
                // and its sleep) must not wait for the pusher's next round.
                if left > 0 {
                    shared.poke_one(Worker::Pusher);
                }
                // While records wait to be checked, pull without waiting between rounds of
                // checks, so news still arrives within moments.
                wait_ms = if check_deferred(&v, &shared) {
                    0
                } else {
                    LONG_POLL_MS
                };
            }
            Err(e) => {
                drop(v);
                wait_ms = 0;
                if !on_error(&shared, Worker::Puller, &e, &mut backoff) {
                    return;
                }
            }
        }
    }
}

impl SyncHandle {
    /// Starts syncing `vault` in the background; `listener` hears every status change (from
    /// the sync threads: keep it short, e.g. forward it to the UI).
    pub fn start(
        vault: &Arc<SharedVault>,
        listener: impl Fn(&SyncStatus) + Send + Sync + 'static,
    ) -> Self {
        let (waiting, last) = {
            let v = vault.lock();
            (
                v.outbox_len().unwrap_or(0),
                v.last_synced_at().ok().flatten(),
            )
        };
        let shared = Arc::new(Shared::new(waiting, last, Box::new(listener)));
        let threads = vec![
            {
                let (v, s) = (Arc::downgrade(vault), shared.clone());
                std::thread::Builder::new()
                    .name("tandem-push".into())
                    .spawn(move || pusher(v, s))
            },
            {
                let (v, s) = (Arc::downgrade(vault), shared.clone());
                std::thread::Builder::new()
                    .name("tandem-pull".into())
                    .spawn(move || puller(v, s))
            },
        ]
        .into_iter()
        .filter_map(Result::ok)
        .collect();
        Self { shared, threads }
    }

    /// Tells the sync that a local change was saved: it is sent at once (or as soon as the
    /// relay answers again).
    pub fn poke(&self) {
        self.shared.poke();
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.shared
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops. Threads in a long poll end when it returns; they no longer hold the vault.
    pub fn stop(mut self) {
        self.signal_stop();
        // The pusher ends at once; the puller may sit in a long poll: not waited for.
        self.threads.clear();
    }

    fn signal_stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_all();
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poke_wakes_both_threads_whichever_wakes_first() {
        let shared = Arc::new(Shared::new(0, None, Box::new(|_| {})));
        // Both asleep in a long backoff, as after an outage.
        let waiters: Vec<_> = [Worker::Pusher, Worker::Puller]
            .into_iter()
            .map(|who| {
                let s = shared.clone();
                std::thread::spawn(move || s.wait(who, Duration::from_secs(10)))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        shared.poke();
        let woken: Vec<bool> = waiters
            .into_iter()
            .map(|t| t.join().unwrap_or(false))
            .collect();
        assert_eq!(woken, vec![true, true], "each thread hears the poke");
    }
}
