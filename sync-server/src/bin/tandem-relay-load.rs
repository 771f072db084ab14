//! `tandem-relay-load`: simulated devices pushing and pulling against a relay on this machine.
//!
//! It makes a real team (the first device creates it, the others join through invites), then
//! every device, on its own thread, pushes a batch of sealed envelopes and pulls everything
//! new, over and over, until the time or push budget is spent. It reports appends per second,
//! pull throughput, request latency percentiles and the relay's memory.
//!
//! ```text
//! tandem-relay --listen 127.0.0.1:8787 --data /tmp/relay --rate-per-second 100000 &
//! tandem-relay-load --relay http://127.0.0.1:8787 --devices 50 --duration-s 20 --relay-pid $!
//! ```
//! Only loopback relays are accepted: this is a load generator, not a way to hammer a server.

use anyhow::{bail, Context};
use clap::Parser;
use ed25519_dalek::SigningKey;
use rand::RngCore;
use std::time::{Duration, Instant};
use tandem_protocol::api::{
    CreateInvite, CreateTeam, JoinTeam, PushResponse, RelayInfo, HEADER_MORE,
};
use tandem_protocol::frames::{decode_page, encode_push};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::request::{RequestToSign, HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME};
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
    /// Simulated devices, one thread each.
    #[arg(long, default_value_t = 10)]
    devices: usize,
    /// How long to run, in seconds (at most 600).
    #[arg(long, default_value_t = 10)]
    duration_s: u64,
    /// Stop a device after this many pushes, even if time is left.
    #[arg(long)]
    max_pushes: Option<u64>,
    /// Envelopes per push.
    #[arg(long, default_value_t = 10)]
    batch: usize,
    /// Plaintext bytes per envelope (before padding and sealing).
    #[arg(long, default_value_t = 400)]
    payload_bytes: usize,
    /// The relay's process id, to report its memory.
    #[arg(long)]
    relay_pid: Option<u32>,
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

struct Device {
    id: DeviceId,
    key: SigningKey,
}

impl Device {
    fn new() -> Self {
        Self {
            id: DeviceId(random()),
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }
}

struct Answer {
    status: u16,
    more: bool,
    body: Vec<u8>,
}

struct Client {
    agent: ureq::Agent,
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
        let time_ms = now_ms();
        let signature = RequestToSign {
            relay_id: &self.relay_id,
            method,
            path_and_query: path,
            body,
            time_ms,
            device: device.id,
        }
        .sign(&device.key);
        let builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(HEADER_DEVICE, device.id.to_hex())
            .header(HEADER_TIME, time_ms.to_string())
            .header(HEADER_SIGNATURE, hex::encode(signature));
        let mut response = if method == "GET" {
            self.agent.run(builder.body(())?)?
        } else {
            self.agent.run(builder.body(body.to_vec())?)?
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

    fn expect(
        &self,
        device: &Device,
        method: &str,
        path: &str,
        body: &[u8],
        status: u16,
    ) -> anyhow::Result<Answer> {
        let answer = self.send(device, method, path, body)?;
        if answer.status != status {
            bail!(
                "{method} {path}: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
        Ok(answer)
    }
}

#[derive(Default)]
struct Tally {
    pushes: u64,
    appended: u64,
    pulls: u64,
    pulled: u64,
    rate_limited: u64,
    errors: u64,
    push_latency_us: Vec<u64>,
    pull_latency_us: Vec<u64>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.pushes += other.pushes;
        self.appended += other.appended;
        self.pulls += other.pulls;
        self.pulled += other.pulled;
        self.rate_limited += other.rate_limited;
        self.errors += other.errors;
        self.push_latency_us.extend(other.push_latency_us);
        self.pull_latency_us.extend(other.pull_latency_us);
    }
}

struct Run<'a> {
    client: &'a Client,
    team: TeamId,
    key: &'a TeamKey,
    args: &'a Args,
    deadline: Instant,
}

/// One device: push a batch, pull until caught up; again until time is up.
fn simulate(run: &Run<'_>, device: &Device) -> Tally {
    let mut tally = Tally::default();
    let mut cursor = 0u64;
    let doc = DocId(random());
    let envelopes_path = format!("/v1/teams/{}/envelopes", run.team);
    let payload = vec![b'x'; run.args.payload_bytes];
    while Instant::now() < run.deadline && run.args.max_pushes.is_none_or(|max| tally.pushes < max)
    {
        let batch: Vec<Vec<u8>> = (0..run.args.batch)
            .filter_map(|_| {
                PlainChange {
                    kind: EnvelopeKind::Change,
                    team: run.team,
                    doc,
                    class: DocClass::Person,
                    payload: payload.clone(),
                }
                .seal(run.key, device.id, &device.key, random())
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
                tally
                    .push_latency_us
                    .push(started.elapsed().as_micros() as u64);
                tally.pushes += 1;
                if let Ok(r) = serde_json::from_slice::<PushResponse>(&a.body) {
                    tally.appended += r.appended.iter().filter(|x| !x.duplicate).count() as u64;
                }
            }
            Ok(a) if a.status == 429 => {
                tally.rate_limited += 1;
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            _ => tally.errors += 1,
        }
        loop {
            let path = format!("{envelopes_path}?after={cursor}");
            let started = Instant::now();
            match run.client.send(device, "GET", &path, b"") {
                Ok(a) if a.status == 200 => {
                    tally
                        .pull_latency_us
                        .push(started.elapsed().as_micros() as u64);
                    tally.pulls += 1;
                    let page = decode_page(&a.body, usize::MAX).unwrap_or_default();
                    tally.pulled += page.len() as u64;
                    if let Some((seq, _)) = page.last() {
                        cursor = *seq;
                    }
                    if !a.more || page.is_empty() {
                        break;
                    }
                }
                Ok(a) if a.status == 429 => {
                    tally.rate_limited += 1;
                    std::thread::sleep(Duration::from_millis(50));
                    break;
                }
                _ => {
                    tally.errors += 1;
                    break;
                }
            }
        }
    }
    tally
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

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = check_loopback(&args.relay)?;
    if args.devices == 0 || args.batch == 0 {
        bail!("--devices and --batch must be at least 1");
    }
    let duration = Duration::from_secs(args.duration_s.min(600));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections(args.devices + 8)
        .max_idle_connections_per_host(args.devices + 8)
        .build()
        .into();
    let mut info_answer = agent
        .get(format!("{base}/v1/info"))
        .call()
        .context("the relay does not answer")?;
    let info: RelayInfo = serde_json::from_slice(&info_answer.body_mut().read_to_vec()?)?;
    let client = Client {
        agent,
        base: base.clone(),
        relay_id: info.relay_id,
    };

    // A real team: the first device creates it, the others join with invites.
    let team = TeamId(random());
    let key = TeamKey::new(1, random());
    let devices: Vec<Device> = (0..args.devices).map(|_| Device::new()).collect();
    let admin = &devices[0];
    let create = serde_json::to_vec(&CreateTeam {
        team,
        device: admin.id,
        public_key: hex::encode(admin.key.verifying_key().to_bytes()),
    })?;
    client.expect(admin, "POST", "/v1/teams", &create, 201)?;
    for device in &devices[1..] {
        let code = InviteCode {
            relay: base.clone(),
            token: random(),
            wrap: random(),
        };
        let invite = serde_json::to_vec(&CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(code.seal_team_key(team, &key, random())),
            expires_in_s: 600,
        })?;
        client.expect(
            admin,
            "POST",
            &format!("/v1/teams/{team}/invites"),
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
    println!(
        "team ready: {} devices; pushing batches of {} × {} bytes for {} s",
        args.devices,
        args.batch,
        args.payload_bytes,
        duration.as_secs()
    );

    let started = Instant::now();
    let run = Run {
        client: &client,
        team,
        key: &key,
        args: &args,
        deadline: started + duration,
    };
    let mut total = Tally::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = devices
            .iter()
            .map(|device| scope.spawn(|| simulate(&run, device)))
            .collect();
        for handle in handles {
            if let Ok(tally) = handle.join() {
                total.merge(tally);
            }
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    total.push_latency_us.sort_unstable();
    total.pull_latency_us.sort_unstable();
    let mut all = total.push_latency_us.clone();
    all.extend(&total.pull_latency_us);
    all.sort_unstable();

    println!("elapsed            {elapsed:.1} s");
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
        "latency push       p50 {:.1} ms, p99 {:.1} ms",
        percentile(&total.push_latency_us, 50.0),
        percentile(&total.push_latency_us, 99.0)
    );
    println!(
        "latency pull       p50 {:.1} ms, p99 {:.1} ms",
        percentile(&total.pull_latency_us, 50.0),
        percentile(&total.pull_latency_us, 99.0)
    );
    println!(
        "latency all        p50 {:.1} ms, p99 {:.1} ms",
        percentile(&all, 50.0),
        percentile(&all, 99.0)
    );
    println!(
        "refused            {} rate limited (429), {} errors",
        total.rate_limited, total.errors
    );
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
