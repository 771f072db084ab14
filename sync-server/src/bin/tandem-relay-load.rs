//! `tandem-relay-load`: simulated devices pushing and pulling against a relay on this machine.
//!
//! It makes real teams (each team's first device creates it, the others join through
//! invites), then runs every device on its own thread with its own keep-alive connection,
//! the way a device's sync loop does: push a batch of sealed envelopes when one is due, pull
//! until caught up, and, when `--wait-ms` is set, wait in a long poll until the team's log
//! grows or the next push is due. It reports appends per second, pull throughput, request
//! latency percentiles, and the relay's memory and CPU.
//!
//! Two shapes of run:
//!
//! ```text
//! # Saturating: every device pushes and pulls back to back.
//! tandem-relay-load --relay http://127.0.0.1:8787 --devices 50 --teams 10 --duration-s 20
//! # Many devices, mostly idle: 1,000 devices in 20 teams, all in long polls, 100 of them
//! # pushing a batch every 2 s.
//! tandem-relay-load --devices 1000 --teams 20 --pushers 100 --push-every-ms 2000 --wait-ms 25000
//! ```
//! Only loopback relays are accepted: this is a load generator, not a way to hammer a server.

use anyhow::{bail, Context};
use clap::Parser;
use ed25519_dalek::SigningKey;
use rand::{Rng, RngCore};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tandem_protocol::api::{
    CreateInvite, CreateTeam, JoinTeam, PushResponse, RelayInfo, HEADER_MORE, MAX_WAIT_MS,
};
use tandem_protocol::frames::{decode_page, encode_push};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::request::RequestToSign;
use tandem_protocol::{DeviceId, DocClass, DocId, EnvelopeKind, PlainChange, TeamId, TeamKey};

#[derive(Debug, Parser)]
#[command(
    name = "tandem-relay-load",
    about = "Load a relay on this machine with simulated devices."
)]
struct Args {
    /// The relay's base URL (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8787")]
    relay: String,
    /// Simulated devices, one thread and one keep-alive connection each.
    #[arg(long, default_value_t = 10)]
    devices: usize,
    /// Teams the devices are spread over (round robin); each push wakes its team only.
    #[arg(long, default_value_t = 1)]
    teams: usize,
    /// How many devices push (spread over the teams); the others only pull. All by default.
    #[arg(long)]
    pushers: Option<usize>,
    /// A pushing device pushes a batch this often (0: back to back, as fast as it can).
    #[arg(long, default_value_t = 0)]
    push_every_ms: u64,
    /// Once caught up, wait this long in a long poll for news (0: no long polls).
    #[arg(long, default_value_t = 0)]
    wait_ms: u64,
    /// How long to measure, in seconds (at most 600), after the warm-up.
    #[arg(long, default_value_t = 10)]
    duration_s: u64,
    /// Seconds to run before measuring: every device starts with a catch-up pull at once,
    /// which is not the steady state.
    #[arg(long, default_value_t = 3)]
    warmup_s: u64,
    /// Stop a device after this many pushes, even if time is left.
    #[arg(long)]
    max_pushes: Option<u64>,
    /// Envelopes per push.
    #[arg(long, default_value_t = 10)]
    batch: usize,
    /// Plaintext bytes per envelope (before padding and sealing).
    #[arg(long, default_value_t = 400)]
    payload_bytes: usize,
    /// The relay's process id, to report its memory and CPU.
    #[arg(long)]
    relay_pid: Option<u32>,
    /// The relay's team-creation token (the same variable the relay reads), unless the
    /// relay was started with --open-team-creation.
    #[arg(long, env = "TANDEM_RELAY_TEAM_CREATION_TOKEN", hide_env_values = true)]
    creation_token: Option<String>,
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Only `http://` to 127.0.0.0/8, `localhost` or `[::1]`.
fn check_loopback(url: &str) -> anyhow::Result<String> {
    let rest = url
        .strip_prefix("http://")
        .context("the relay URL must start with http:// (a loopback relay)")?;
    let authority = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!("refusing to load {host}: tandem-relay-load only targets a relay on this machine");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// The soft limit on open files of a process (`/proc/PID/limits`).
fn open_files_limit(pid: &str) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?;
    if soft == "unlimited" {
        Some(u64::MAX)
    } else {
        soft.parse().ok()
    }
}

/// A simulated device: its identity, team, and its own connection to the relay.
struct Device {
    id: DeviceId,
    key: SigningKey,
    team: usize,
    agent: ureq::Agent,
}

impl Device {
    fn new(team: usize, wait_ms: u64) -> Self {
        // One agent per device: one keep-alive connection per device, as real devices have.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(
                Duration::from_millis(wait_ms) + Duration::from_secs(30),
            ))
            .max_idle_connections(1)
            .max_idle_connections_per_host(1)
            .build()
            .into();
        Self {
            id: DeviceId(random()),
            key: SigningKey::generate(&mut rand::rngs::OsRng),
            team,
            agent,
        }
    }
}

struct Answer {
    status: u16,
    more: bool,
    body: Vec<u8>,
}

struct Client {
    base: String,
    relay_id: String,
}

impl Client {
    fn send(
        &self,
        device: &Device,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> anyhow::Result<Answer> {
        let auth = RequestToSign {
            relay_id: &self.relay_id,
            method,
            path_and_query: path,
            body,
            time_ms: now_ms(),
            device: device.id,
        }
        .signed_headers(&device.key);
        let builder = auth.into_iter().fold(
            ureq::http::Request::builder()
                .method(method)
                .uri(format!("{}{path}", self.base)),
            |builder, (name, value)| builder.header(name, value),
        );
        let mut response = if method == "GET" {
            device.agent.run(builder.body(())?)?
        } else {
            device.agent.run(builder.body(body.to_vec())?)?
        };
        let more = response
            .headers()
            .get(HEADER_MORE)
            .is_some_and(|v| v.as_bytes() == b"1");
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()?;
        Ok(Answer { status, more, body })
    }

    /// Sends until the relay stops answering 429 (set-up is not measured, and must get
    /// through the relay's rate limits whatever they are).
    fn expect(
        &self,
        device: &Device,
        method: &str,
        path: &str,
        body: &[u8],
        status: u16,
    ) -> anyhow::Result<Answer> {
        loop {
            let answer = self.send(device, method, path, body)?;
            if answer.status == 429 {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            if answer.status != status {
                bail!(
                    "{method} {path}: {} {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                );
            }
            return Ok(answer);
        }
    }
}

#[derive(Default)]
struct Tally {
    pushes: u64,
    appended: u64,
    pulls: u64,
    pulled: u64,
    long_polls: u64,
    long_polls_with_news: u64,
    rate_limited: u64,
    errors: u64,
    first_error: Option<String>,
    push_latency_us: Vec<u64>,
    pull_latency_us: Vec<u64>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.pushes += other.pushes;
        self.appended += other.appended;
        self.pulls += other.pulls;
        self.pulled += other.pulled;
        self.long_polls += other.long_polls;
        self.long_polls_with_news += other.long_polls_with_news;
        self.rate_limited += other.rate_limited;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.push_latency_us.extend(other.push_latency_us);
        self.pull_latency_us.extend(other.pull_latency_us);
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }
}

struct Team {
    id: TeamId,
    key: TeamKey,
}

struct Run<'a> {
    client: &'a Client,
    teams: &'a [Team],
    args: &'a Args,
    /// Requests that start before this are not counted.
    measure_from: Instant,
    deadline: Instant,
}

/// One device's sync loop: push when a push is due, pull until caught up, then (with
/// `--wait-ms`) wait in a long poll until news or the next push; until time is up.
fn simulate(run: &Run<'_>, device: &Device, pusher: bool) -> Tally {
    let args = run.args;
    let team = &run.teams[device.team];
    let mut tally = Tally::default();
    let mut cursor = 0u64;
    let doc = DocId(random());
    let envelopes_path = format!("/v1/teams/{}/envelopes", team.id);
    let payload = vec![b'x'; args.payload_bytes];
    let every = Duration::from_millis(args.push_every_ms);
    // Pushers start at random points of their period, so they do not push in step.
    let mut next_push = Instant::now() + every.mul_f64(rand::thread_rng().gen_range(0.0..1.0));
    let mut pushes_left = args.max_pushes.unwrap_or(u64::MAX);
    let mut caught_up = false;
    while Instant::now() < run.deadline {
        if pusher && pushes_left > 0 && Instant::now() >= next_push {
            next_push = (next_push + every).max(Instant::now());
            let batch: Vec<Vec<u8>> = (0..args.batch)
                .filter_map(|_| {
                    PlainChange {
                        kind: EnvelopeKind::Change,
                        team: team.id,
                        doc,
                        class: DocClass::Person,
                        payload: payload.clone(),
                    }
                    .seal(&team.key, device.id, &device.key, random())
                    .ok()
                    .map(|e| e.into_bytes())
                })
                .collect();
            let started = Instant::now();
            match run
                .client
                .send(device, "POST", &envelopes_path, &encode_push(&batch))
            {
                Ok(a) if a.status == 200 => {
                    pushes_left -= 1;
                    if started >= run.measure_from {
                        tally
                            .push_latency_us
                            .push(started.elapsed().as_micros() as u64);
                        tally.pushes += 1;
                        if let Ok(r) = serde_json::from_slice::<PushResponse>(&a.body) {
                            tally.appended +=
                                r.appended.iter().filter(|x| !x.duplicate).count() as u64;
                        }
                    }
                }
                Ok(a) if a.status == 429 => {
                    tally.rate_limited += 1;
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                Ok(a) => tally.error(format!("push: {}", a.status)),
                Err(e) => tally.error(format!("push: {e}")),
            }
        }
        // Pull until caught up (unless a long poll just did), then, with --wait-ms, wait in
        // one long poll until news or the next push.
        if !caught_up {
            while pull(run, device, &envelopes_path, &mut cursor, 0, &mut tally) == Some(true) {}
        }
        caught_up = false;
        let until = if pusher && pushes_left > 0 {
            next_push.min(run.deadline)
        } else {
            run.deadline
        };
        let now = Instant::now();
        if args.wait_ms > 0 && now < until {
            let wait = (until - now)
                .as_millis()
                .min(u128::from(args.wait_ms.min(MAX_WAIT_MS))) as u64;
            // No `more` after a long poll: it brought everything, wait again next time.
            caught_up =
                pull(run, device, &envelopes_path, &mut cursor, wait, &mut tally) == Some(false);
        } else if args.wait_ms == 0 && now < until {
            // No long polls: a reader looks again shortly, a pusher waits for its next push.
            let pause = if pusher && pushes_left > 0 {
                until - now
            } else {
                Duration::from_millis(100)
            };
            std::thread::sleep(pause.min(until - now));
        }
    }
    tally
}

/// One pull of the team's log after `cursor`, waiting up to `wait_ms` for news. `Some(more)`
/// when answered, `None` when refused or failed.
fn pull(
    run: &Run<'_>,
    device: &Device,
    envelopes_path: &str,
    cursor: &mut u64,
    wait_ms: u64,
    tally: &mut Tally,
) -> Option<bool> {
    let path = if wait_ms > 0 {
        format!("{envelopes_path}?after={cursor}&wait_ms={wait_ms}")
    } else {
        format!("{envelopes_path}?after={cursor}")
    };
    let started = Instant::now();
    match run.client.send(device, "GET", &path, b"") {
        Ok(a) if a.status == 200 => {
            let page = decode_page(&a.body, usize::MAX).unwrap_or_default();
            if started >= run.measure_from {
                tally.pulls += 1;
                tally.pulled += page.len() as u64;
                if wait_ms > 0 {
                    // A long poll's time is mostly waiting: not a request latency.
                    tally.long_polls += 1;
                    tally.long_polls_with_news += u64::from(!page.is_empty());
                } else {
                    tally
                        .pull_latency_us
                        .push(started.elapsed().as_micros() as u64);
                }
            }
            if let Some((seq, _)) = page.last() {
                *cursor = *seq;
            }
            Some(a.more && !page.is_empty())
        }
        Ok(a) if a.status == 429 => {
            tally.rate_limited += 1;
            std::thread::sleep(Duration::from_millis(50));
            None
        }
        Ok(a) => {
            tally.error(format!("pull: {}", a.status));
            None
        }
        Err(e) => {
            tally.error(format!("pull: {e}"));
            std::thread::sleep(Duration::from_millis(50));
            None
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

fn memory(pid: u32) -> Option<(String, String)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_owned())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// User + system CPU seconds a process has used (`/proc/PID/stat`, in clock ticks of 1/100 s).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Makes a team: its first device creates it, the others join with invites.
fn make_team(
    client: &Client,
    base: &str,
    token: Option<&str>,
    team: &Team,
    members: &[&Device],
) -> anyhow::Result<()> {
    let Some((admin, others)) = members.split_first() else {
        return Ok(());
    };
    let create = serde_json::to_vec(&CreateTeam {
        team: team.id,
        device: admin.id,
        public_key: hex::encode(admin.key.verifying_key().to_bytes()),
        creation_token: token.map(str::to_owned),
        founding: None,
    })?;
    client.expect(admin, "POST", "/v1/teams", &create, 201)?;
    for device in others {
        let code = InviteCode {
            relay: base.to_owned(),
            token: random(),
            wrap: random(),
        };
        let invite = serde_json::to_vec(&CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(code.seal_team_key(team.id, &team.key, random())),
            expires_in_s: 600,
            epoch: None,
        })?;
        client.expect(
            admin,
            "POST",
            &format!("/v1/teams/{}/invites", team.id),
            &invite,
            201,
        )?;
        let join = serde_json::to_vec(&JoinTeam {
            token: hex::encode(code.token),
            device: device.id,
            public_key: hex::encode(device.key.verifying_key().to_bytes()),
        })?;
        client.expect(device, "POST", "/v1/join", &join, 200)?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = check_loopback(&args.relay)?;
    if args.devices == 0 || args.batch == 0 || args.teams == 0 || args.teams > args.devices {
        bail!("--devices, --teams and --batch must be at least 1, and --teams at most --devices");
    }
    // One socket per device here, and one per device in the relay.
    let needed = args.devices as u64 + 64;
    if let Some(limit) = open_files_limit("self").filter(|l| *l < needed) {
        bail!(
            "{} devices need about {needed} open files but this process may open {limit}: \
             raise the limit first (ulimit -n {needed})",
            args.devices
        );
    }
    if let Some(pid) = args.relay_pid {
        if let Some(limit) = open_files_limit(&pid.to_string()).filter(|l| *l < needed) {
            bail!(
                "the relay may open {limit} files, fewer than {needed} for {} connections: \
                 start it after `ulimit -n {needed}`",
                args.devices
            );
        }
    }
    let duration = Duration::from_secs(args.duration_s.min(600));
    let info_agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut info_answer = info_agent
        .get(format!("{base}/v1/info"))
        .call()
        .context("the relay does not answer")?;
    let info: RelayInfo = serde_json::from_slice(&info_answer.body_mut().read_to_vec()?)?;
    let client = Client {
        base: base.clone(),
        relay_id: info.relay_id,
    };

    let teams: Vec<Team> = (0..args.teams)
        .map(|_| Team {
            id: TeamId(random()),
            key: TeamKey::new(1, random()),
        })
        .collect();
    let devices: Vec<Device> = (0..args.devices)
        .map(|i| Device::new(i % args.teams, args.wait_ms))
        .collect();
    let pushers = args.pushers.unwrap_or(args.devices).min(args.devices);
    // Teams are set up in parallel (a few at a time), each by its own admin.
    let setup_started = Instant::now();
    let failed: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let numbered: Vec<(usize, &Team)> = teams.iter().enumerate().collect();
    std::thread::scope(|scope| {
        for chunk in numbered.chunks(8) {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(index, team)| {
                    let members: Vec<&Device> =
                        devices.iter().filter(|d| d.team == *index).collect();
                    let (client, base, failed) = (&client, &base, &failed);
                    let token = args.creation_token.as_deref();
                    scope.spawn(move || {
                        if let Err(e) = make_team(client, base, token, team, &members) {
                            failed
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(format!("{e:#}"));
                        }
                    })
                })
                .collect();
            for handle in handles {
                let _ = handle.join();
            }
        }
    });
    if let Some(e) = failed
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .first()
    {
        bail!("setting up the teams failed: {e}");
    }
    println!(
        "teams ready: {} devices in {} teams ({:.1} s); {} pushing batches of {} × {} bytes {}, \
         {}; {} s",
        args.devices,
        args.teams,
        setup_started.elapsed().as_secs_f64(),
        pushers,
        args.batch,
        args.payload_bytes,
        if args.push_every_ms == 0 {
            "back to back".to_owned()
        } else {
            format!("every {} ms", args.push_every_ms)
        },
        if args.wait_ms == 0 {
            "no long polls".to_owned()
        } else {
            format!("long polls of up to {} ms", args.wait_ms)
        },
        duration.as_secs()
    );

    let measure_from = Instant::now() + Duration::from_secs(args.warmup_s.min(60));
    let run = Run {
        client: &client,
        teams: &teams,
        args: &args,
        measure_from,
        deadline: measure_from + duration,
    };
    let mut total = Tally::default();
    let mut cpu_before = None;
    std::thread::scope(|scope| {
        let handles: Vec<_> = devices
            .iter()
            .enumerate()
            .filter_map(|(i, device)| {
                let run = &run;
                std::thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(scope, move || simulate(run, device, i < pushers))
                    .ok()
            })
            .collect();
        if handles.len() < devices.len() {
            println!(
                "only {} of {} device threads could start",
                handles.len(),
                devices.len()
            );
        }
        std::thread::sleep(measure_from.saturating_duration_since(Instant::now()));
        cpu_before = Some((
            args.relay_pid.and_then(|p| cpu_seconds(&p.to_string())),
            cpu_seconds("self"),
        ));
        for handle in handles {
            if let Ok(tally) = handle.join() {
                total.merge(tally);
            }
        }
    });
    let elapsed = measure_from.elapsed().as_secs_f64();
    let (relay_cpu_before, own_cpu_before) = cpu_before.unwrap_or_default();
    let relay_cpu = args
        .relay_pid
        .and_then(|p| cpu_seconds(&p.to_string()))
        .zip(relay_cpu_before)
        .map(|(after, before)| after - before);
    let own_cpu = cpu_seconds("self")
        .zip(own_cpu_before)
        .map(|(after, before)| after - before);
    total.push_latency_us.sort_unstable();
    total.pull_latency_us.sort_unstable();
    let mut all = total.push_latency_us.clone();
    all.extend(&total.pull_latency_us);
    all.sort_unstable();

    println!(
        "measured           {elapsed:.1} s (after {} s of warm-up)",
        args.warmup_s.min(60)
    );
    println!(
        "pushes             {} ({:.0}/s), envelopes appended {} ({:.0}/s)",
        total.pushes,
        total.pushes as f64 / elapsed,
        total.appended,
        total.appended as f64 / elapsed
    );
    println!(
        "pulls              {} ({:.0}/s), envelopes pulled {} ({:.0}/s)",
        total.pulls,
        total.pulls as f64 / elapsed,
        total.pulled,
        total.pulled as f64 / elapsed
    );
    println!(
        "long polls         {} ({} answered with news)",
        total.long_polls, total.long_polls_with_news
    );
    println!(
        "latency push       p50 {:.1} ms, p99 {:.1} ms",
        percentile(&total.push_latency_us, 50.0),
        percentile(&total.push_latency_us, 99.0)
    );
    println!(
        "latency pull       p50 {:.1} ms, p99 {:.1} ms (pulls that do not wait)",
        percentile(&total.pull_latency_us, 50.0),
        percentile(&total.pull_latency_us, 99.0)
    );
    println!(
        "latency all        p50 {:.1} ms, p99 {:.1} ms (pushes and pulls that do not wait)",
        percentile(&all, 50.0),
        percentile(&all, 99.0)
    );
    println!(
        "refused            {} rate limited (429), {} errors{}",
        total.rate_limited,
        total.errors,
        total
            .first_error
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    if let Some(cpu) = relay_cpu {
        println!(
            "relay CPU          {cpu:.1} s ({:.0}% of one core)",
            cpu / elapsed * 100.0
        );
    }
    if let Some(cpu) = own_cpu {
        println!(
            "load tool CPU      {cpu:.1} s ({:.0}% of one core)",
            cpu / elapsed * 100.0
        );
    }
    if let Some(pid) = args.relay_pid {
        match memory(pid) {
            Some((rss, peak)) => println!("relay memory       VmRSS {rss}, peak VmHWM {peak}"),
            None => println!("relay memory       (no /proc/{pid}/status)"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_loopback;

    #[test]
    fn only_loopback_relays() {
        for ok in [
            "http://127.0.0.1:8787",
            "http://localhost:1/",
            "http://[::1]:80",
            "http://127.1.2.3",
        ] {
            assert!(check_loopback(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://127.0.0.1",
            "http://10.0.0.1:8787",
            "http://relay.example.org",
            "http://127.0.0.1.example.org",
            "ftp://localhost",
        ] {
            assert!(check_loopback(bad).is_err(), "{bad}");
        }
    }
}
