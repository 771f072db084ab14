//! A relay on a background runtime, devices that sign, and envelope builders.

use ed25519_dalek::SigningKey;
use rand::RngCore;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use tandem_protocol::api::{CreateInvite, CreateTeam, JoinAccepted, JoinTeam, RelayInfo};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::request::RequestToSign;
use tandem_protocol::{DeviceId, DocClass, DocId, EnvelopeKind, PlainChange, TeamId, TeamKey};
use tandem_relay::config::{CreationToken, Limits, TeamCreation};
use tandem_relay::storage::Storage;
use tandem_relay::AppState;

pub fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The team-creation token the test relays ask for (unless started otherwise).
pub const CREATION_TOKEN: &str = "test relay creation token";

/// The policy of the test relays: founding devices present [`CREATION_TOKEN`].
pub fn token_policy() -> TeamCreation {
    TeamCreation::Token(CreationToken::new(CREATION_TOKEN).unwrap())
}

/// A relay served from a background runtime; stopped on drop.
pub struct Relay {
    pub url: String,
    pub storage: Storage,
    pub relay_id: String,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    agent: ureq::Agent,
    _dir: tempfile::TempDir,
}

impl Relay {
    pub fn start() -> Self {
        Self::start_with(Limits::default())
    }

    pub fn start_with(limits: Limits) -> Self {
        Self::start_creating(limits, token_policy())
    }

    /// A relay over a fresh SQLite file, creating teams as `team_creation` says.
    pub fn start_creating(limits: Limits, team_creation: TeamCreation) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.db");
        Self::start_on_creating(limits, team_creation, dir, move || async move {
            Storage::open_sqlite(&path).await
        })
    }

    /// A relay over the storage `open` makes (on the relay's own runtime).
    pub fn start_on<F, Fut>(limits: Limits, dir: tempfile::TempDir, open: F) -> Self
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Storage, tandem_relay::storage::StorageError>>,
    {
        Self::start_on_creating(limits, token_policy(), dir, open)
    }

    /// [`Self::start_on`] with a team-creation policy.
    pub fn start_on_creating<F, Fut>(
        limits: Limits,
        team_creation: TeamCreation,
        dir: tempfile::TempDir,
        open: F,
    ) -> Self
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Storage, tandem_relay::storage::StorageError>>,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let storage = runtime.block_on(open()).unwrap();
        // Bound before serving: the relay answers as soon as `serve` runs, no waiting.
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(storage.clone(), limits, team_creation);
        runtime.spawn(tandem_relay::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let relay_id = storage.relay_id().to_owned();
        Self {
            url: format!("http://{addr}"),
            storage,
            relay_id,
            runtime: Some(runtime),
            stop: Some(stop),
            agent,
            _dir: dir,
        }
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.as_ref().unwrap().block_on(f)
    }

    /// The team's head, straight from storage.
    pub fn head(&self, team: TeamId) -> u64 {
        self.block_on(self.storage.head(team)).unwrap()
    }

    pub fn device_count(&self, team: TeamId) -> usize {
        self.block_on(self.storage.devices(team)).unwrap().len()
    }

    /// A request with the given extra headers, unsigned.
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Answer {
        raw_request(&self.agent, &self.url, method, path, headers, body)
    }

    /// A request signed by `device` now.
    pub fn send(&self, device: &Device, method: &str, path: &str, body: &[u8]) -> Answer {
        self.send_at(device, method, path, body, now_ms())
    }

    /// A request signed by `device` at `time_ms`.
    pub fn send_at(
        &self,
        device: &Device,
        method: &str,
        path: &str,
        body: &[u8],
        time_ms: i64,
    ) -> Answer {
        let headers = device.sign(&self.relay_id, method, path, body, time_ms);
        self.raw(method, path, &headers, body)
    }

    pub fn info(&self) -> RelayInfo {
        self.raw("GET", "/v1/info", &[], b"").json()
    }

    pub fn metrics(&self) -> String {
        String::from_utf8(self.raw("GET", "/metrics", &[], b"").body).unwrap()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

pub fn raw_request(
    agent: &ureq::Agent,
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Answer {
    let mut builder = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let result = if method == "GET" {
        agent.run(builder.body(()).unwrap())
    } else {
        agent.run(builder.body(body.to_vec()).unwrap())
    };
    let mut response = result.expect("the relay answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts an error answer and returns its code.
    pub fn error(&self) -> String {
        let body: tandem_protocol::api::ErrorBody = self.json();
        assert!(!body.reason.is_empty());
        body.error.to_string()
    }

    pub fn expect(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.error().as_str()),
            (status, code),
            "{}",
            String::from_utf8_lossy(&self.body)
        );
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Page frames.
    pub fn page(&self) -> Vec<(u64, Vec<u8>)> {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        tandem_protocol::frames::decode_page(&self.body, usize::MAX).unwrap()
    }
}

/// A device: an id and a signing key.
pub struct Device {
    pub id: DeviceId,
    pub key: SigningKey,
}

impl Device {
    pub fn new() -> Self {
        Self {
            id: DeviceId(random()),
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub fn sign(
        &self,
        relay_id: &str,
        method: &str,
        path: &str,
        body: &[u8],
        time_ms: i64,
    ) -> Vec<(&'static str, String)> {
        RequestToSign {
            relay_id,
            method,
            path_and_query: path,
            body,
            time_ms,
            device: self.id,
        }
        .signed_headers(&self.key)
        .to_vec()
    }
}

/// A team on the relay: its id, key and admin device.
pub struct Team {
    pub id: TeamId,
    pub key: TeamKey,
    pub admin: Device,
}

impl Team {
    pub fn create(relay: &Relay) -> Self {
        let team = Self {
            id: TeamId(random()),
            key: TeamKey::new(1, random()),
            admin: Device::new(),
        };
        let body = serde_json::to_vec(&CreateTeam {
            team: team.id,
            device: team.admin.id,
            public_key: team.admin.public_hex(),
            creation_token: Some(CREATION_TOKEN.into()),
            founding: None,
        })
        .unwrap();
        let answer = relay.send(&team.admin, "POST", "/v1/teams", &body);
        assert_eq!(
            answer.status,
            201,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        team
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/v1/teams/{}{rest}", self.id)
    }

    /// `by` makes an invite; returns the code.
    pub fn invite(&self, relay: &Relay, by: &Device) -> InviteCode {
        let code = InviteCode {
            relay: relay.url.clone(),
            token: random(),
            wrap: random(),
        };
        let body = serde_json::to_vec(&CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(code.seal_team_key(self.id, &self.key, random())),
            expires_in_s: 600,
            epoch: None,
        })
        .unwrap();
        let answer = relay.send(by, "POST", &self.path("/invites"), &body);
        assert_eq!(
            answer.status,
            201,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        code
    }

    /// A new device joins with `code`.
    pub fn join(relay: &Relay, device: &Device, code: &InviteCode) -> Answer {
        let body = serde_json::to_vec(&JoinTeam {
            token: hex::encode(code.token),
            device: device.id,
            public_key: device.public_hex(),
        })
        .unwrap();
        relay.send(device, "POST", "/v1/join", &body)
    }

    /// A new member, invited by the admin.
    pub fn enrol(&self, relay: &Relay) -> Device {
        let device = Device::new();
        let code = self.invite(relay, &self.admin);
        let answer = Self::join(relay, &device, &code);
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        let accepted: JoinAccepted = answer.json();
        assert_eq!(accepted.team, self.id);
        assert_eq!(accepted.relay_id, relay.relay_id);
        let key = code
            .open_team_key(self.id, &hex::decode(accepted.sealed_team_key).unwrap())
            .unwrap();
        assert_eq!(key.bytes(), self.key.bytes());
        device
    }

    /// An envelope sealed by `author` for this team.
    pub fn seal(&self, author: &Device, doc: DocId, payload: &[u8], kind: EnvelopeKind) -> Vec<u8> {
        seal(self.id, &self.key, author, doc, payload, kind)
    }

    pub fn push(&self, relay: &Relay, by: &Device, envelopes: &[Vec<u8>]) -> Answer {
        let body = tandem_protocol::frames::encode_push(envelopes);
        relay.send(by, "POST", &self.path("/envelopes"), &body)
    }

    pub fn pull(&self, relay: &Relay, by: &Device, query: &str) -> Answer {
        relay.send(by, "GET", &self.path(&format!("/envelopes?{query}")), b"")
    }
}

pub fn seal(
    team: TeamId,
    key: &TeamKey,
    author: &Device,
    doc: DocId,
    payload: &[u8],
    kind: EnvelopeKind,
) -> Vec<u8> {
    PlainChange {
        kind,
        team,
        doc,
        class: DocClass::Person,
        payload: payload.to_vec(),
    }
    .seal(key, author.id, &author.key, random())
    .unwrap()
    .into_bytes()
}

pub fn doc() -> DocId {
    DocId(random())
}
