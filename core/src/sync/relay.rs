//! The relay over HTTP: every request signed by this device (see `tandem_protocol::request`).

use super::SyncError;
use ed25519_dalek::SigningKey;
use std::time::Duration;
use tandem_protocol::api::{
    CompleteJoin, CreateInvite, CreateTeam, DeviceInfo, ErrorBody, JoinAccepted, JoinTeam,
    KeyPackages, PostKeyPackages, PostRecord, PushResponse, RecordHead, RelayInfo, SnapshotFate,
    SnapshotsStored, HEADER_EPOCH, HEADER_HEAD, HEADER_MORE, HEADER_RECORD_HASH, HEADER_RECORD_SEQ,
};
use tandem_protocol::frames;
use tandem_protocol::request::RequestToSign;
use tandem_protocol::{DeviceId, DocId, RelayErrorCode, TeamId};

/// The largest response body read (a page of 500 envelopes stays far below).
const MAX_RESPONSE: u64 = 256 * 1024 * 1024;

/// A page of the team's log.
#[derive(Debug)]
pub struct Page {
    /// `(sequence number, envelope bytes)`, in order.
    pub items: Vec<(u64, Vec<u8>)>,
    /// The log's latest sequence number.
    pub head: u64,
    /// Whether more follow.
    pub more: bool,
    /// The team's current key epoch, if the relay said.
    pub epoch: Option<u32>,
}

/// A page of the team's snapshots.
#[derive(Debug)]
pub struct SnapshotPage {
    /// `(sequence number covered, snapshot envelope bytes)`, in document order.
    pub items: Vec<(u64, Vec<u8>)>,
    /// Whether more follow.
    pub more: bool,
}

/// A page of the team record.
#[derive(Debug)]
pub struct RecordPage {
    /// The signed entries, in order, as the relay sent them (to be verified).
    pub entries: Vec<Vec<u8>>,
    /// The relay's head: its last entry's seq and hash; `None` when it says the team has no
    /// record.
    pub head: Option<(u64, [u8; 32])>,
    /// Whether more follow.
    pub more: bool,
}

/// Refuses plain HTTP to anything but this machine: a relay elsewhere sits behind TLS.
pub(crate) fn check_url(url: &str) -> Result<String, SyncError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
        let loopback = matches!(host, "localhost" | "[::1]") || host.starts_with("127.");
        if !loopback && std::env::var_os("TANDEM_ALLOW_PLAIN_HTTP").is_none() {
            return Err(SyncError::Config(
                "plain http:// only reaches this machine; use the relay's https:// address",
            ));
        }
        return Ok(url);
    }
    if url.starts_with("https://") {
        return Ok(url);
    }
    Err(SyncError::Config(
        "the relay address must start with https:// (or http:// on this machine)",
    ))
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn offline(e: ureq::Error) -> SyncError {
    SyncError::Offline(e.to_string())
}

fn read_body(resp: &mut ureq::http::Response<ureq::Body>) -> Result<Vec<u8>, SyncError> {
    resp.body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(offline)
}

fn check(
    mut resp: ureq::http::Response<ureq::Body>,
) -> Result<ureq::http::Response<ureq::Body>, SyncError> {
    let status = resp.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(resp);
    }
    let body = read_body(&mut resp).unwrap_or_default();
    // An answer that is not an error body (a proxy's page, say) still reports its status.
    let err: ErrorBody = serde_json::from_slice(&body).unwrap_or(ErrorBody {
        error: RelayErrorCode::Unknown("http".into()),
        reason: format!("status {status}"),
    });
    if status == 403 && err.error == RelayErrorCode::Revoked {
        return Err(SyncError::Revoked);
    }
    Err(SyncError::Relay {
        status,
        code: err.error,
        reason: err.reason,
    })
}

fn json<T: serde::de::DeserializeOwned>(
    mut resp: ureq::http::Response<ureq::Body>,
) -> Result<T, SyncError> {
    let body = read_body(&mut resp)?;
    serde_json::from_slice(&body)
        .map_err(|_| SyncError::Protocol("the relay answered something unexpected"))
}

/// Reads `/v1/info` (unsigned).
pub fn relay_info(url: &str) -> Result<RelayInfo, SyncError> {
    let url = check_url(url)?;
    let resp = agent(Duration::from_secs(10))
        .get(format!("{url}/v1/info"))
        .call()
        .map_err(offline)?;
    json(check(resp)?)
}

/// A device talking to its team's relay.
pub struct RelayClient {
    base: String,
    relay_id: String,
    device: DeviceId,
    key: SigningKey,
    agent: ureq::Agent,
    long_agent: ureq::Agent,
}

impl std::fmt::Debug for RelayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RelayClient({} as {})", self.base, self.device)
    }
}

impl RelayClient {
    /// A client for `url`, signing as `device`.
    pub fn new(
        url: &str,
        relay_id: &str,
        device: DeviceId,
        key: SigningKey,
    ) -> Result<Self, SyncError> {
        Ok(Self {
            base: check_url(url)?,
            relay_id: relay_id.to_owned(),
            device,
            key,
            agent: agent(Duration::from_secs(60)),
            long_agent: agent(Duration::from_millis(
                tandem_protocol::api::MAX_WAIT_MS + 15_000,
            )),
        })
    }

    /// The relay's base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        long: bool,
    ) -> Result<ureq::http::Response<ureq::Body>, SyncError> {
        let auth = RequestToSign {
            relay_id: &self.relay_id,
            method,
            path_and_query: path,
            body,
            time_ms: now_ms(),
            device: self.device,
        }
        .signed_headers(&self.key);
        let agent = if long { &self.long_agent } else { &self.agent };
        let url = format!("{}{}", self.base, path);
        let resp = match method {
            "GET" => auth
                .into_iter()
                .fold(agent.get(&url), |req, (name, value)| {
                    req.header(name, value)
                })
                .call(),
            _ => auth
                .into_iter()
                .fold(agent.post(&url), |req, (name, value)| {
                    req.header(name, value)
                })
                .header(
                    "content-type",
                    if body.first() == Some(&b'{') {
                        "application/json"
                    } else {
                        "application/octet-stream"
                    },
                )
                .send(body),
        }
        .map_err(offline)?;
        check(resp)
    }

    /// Registers a new team, with this device as its first admin, presenting the relay
    /// operator's team-creation `token` (a relay open to all needs none).
    pub fn create_team(
        &self,
        team: TeamId,
        token: Option<&str>,
        founding: Option<&[u8]>,
    ) -> Result<(), SyncError> {
        let body = serde_json::to_vec(&CreateTeam {
            founding: founding.map(hex::encode),
            team,
            device: self.device,
            public_key: hex::encode(self.key.verifying_key().to_bytes()),
            creation_token: token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
        .map_err(|_| SyncError::Protocol("encoding"))?;
        self.send("POST", "/v1/teams", &body, false).map(|_| ())
    }

    /// Parks an invite on the relay.
    pub fn create_invite(&self, team: TeamId, invite: &CreateInvite) -> Result<(), SyncError> {
        let body = serde_json::to_vec(invite).map_err(|_| SyncError::Protocol("encoding"))?;
        self.send("POST", &format!("/v1/teams/{team}/invites"), &body, false)
            .map(|_| ())
    }

    /// Redeems an invite token, enrolling this device.
    pub fn join(&self, token: &[u8]) -> Result<JoinAccepted, SyncError> {
        let body = serde_json::to_vec(&JoinTeam {
            token: hex::encode(token),
            device: self.device,
            public_key: hex::encode(self.key.verifying_key().to_bytes()),
        })
        .map_err(|_| SyncError::Protocol("encoding"))?;
        json(self.send("POST", "/v1/join", &body, false)?)
    }

    /// Completes a join to a team with a record: sends the `DeviceJoined` entry this device
    /// signed (with the invite's proof) on the record's head. The relay enrols it only then.
    pub fn complete_join(&self, token: &[u8], entry: &[u8]) -> Result<JoinAccepted, SyncError> {
        let body = serde_json::to_vec(&CompleteJoin {
            token: hex::encode(token),
            entry: hex::encode(entry),
        })
        .map_err(|_| SyncError::Protocol("encoding"))?;
        json(self.send("POST", "/v1/join/complete", &body, false)?)
    }

    /// The team record's entries from `from` on (a page of them).
    pub fn record(&self, team: TeamId, from: u64) -> Result<RecordPage, SyncError> {
        let mut resp = self.send(
            "GET",
            &format!("/v1/teams/{team}/record?from={from}"),
            &[],
            false,
        )?;
        let header = |name: &str| -> Option<String> {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let seq = header(HEADER_RECORD_SEQ).and_then(|s| s.parse::<u64>().ok());
        let hash = header(HEADER_RECORD_HASH).and_then(|h| {
            let mut out = [0u8; 32];
            hex::decode_to_slice(h, &mut out).ok().map(|()| out)
        });
        let head = match (seq, hash) {
            (Some(seq), Some(hash)) => Some((seq, hash)),
            (None, None) => None,
            _ => {
                return Err(SyncError::Protocol(
                    "the relay sent a malformed record head",
                ))
            }
        };
        let more = header(HEADER_MORE).as_deref() == Some("1");
        let body = read_body(&mut resp)?;
        let entries = frames::decode_page(&body, usize::MAX)
            .map_err(|_| SyncError::Protocol("the relay sent a malformed record page"))?
            .into_iter()
            .map(|(_, bytes)| bytes)
            .collect();
        Ok(RecordPage {
            entries,
            head,
            more,
        })
    }

    /// Posts entries on the record's head (with the key packages of a new key epoch).
    pub fn post_record(&self, team: TeamId, post: &PostRecord) -> Result<RecordHead, SyncError> {
        let body = serde_json::to_vec(post).map_err(|_| SyncError::Protocol("encoding"))?;
        json(self.send("POST", &format!("/v1/teams/{team}/record"), &body, false)?)
    }

    /// Pushes envelopes; the answer says each one's sequence number.
    pub fn push<B: AsRef<[u8]>>(
        &self,
        team: TeamId,
        envelopes: &[B],
    ) -> Result<PushResponse, SyncError> {
        let body = frames::encode_push(envelopes);
        json(self.send("POST", &format!("/v1/teams/{team}/envelopes"), &body, false)?)
    }

    /// Pulls a page after `after`; with `wait_ms`, waits that long for news when there is
    /// none.
    pub fn pull(
        &self,
        team: TeamId,
        after: u64,
        limit: usize,
        wait_ms: u64,
    ) -> Result<Page, SyncError> {
        let path =
            format!("/v1/teams/{team}/envelopes?after={after}&limit={limit}&wait_ms={wait_ms}");
        let mut resp = self.send("GET", &path, &[], wait_ms > 0)?;
        let header = |name: &str| -> Option<String> {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let head = header(HEADER_HEAD)
            .and_then(|h| h.parse().ok())
            .unwrap_or(0);
        let more = header(HEADER_MORE).as_deref() == Some("1");
        let epoch = header(HEADER_EPOCH).and_then(|e| e.parse().ok());
        let body = read_body(&mut resp)?;
        let items = frames::decode_page(&body, usize::MAX)
            .map_err(|_| SyncError::Protocol("the relay sent a malformed page"))?;
        Ok(Page {
            items,
            head,
            more,
            epoch,
        })
    }

    /// A page of the team's snapshots: those of documents after `after`, in document order,
    /// at most `limit`; `more` when others follow. A relay from before paging sends them
    /// all, with no `more`.
    pub fn snapshot_page(
        &self,
        team: TeamId,
        after: Option<DocId>,
        limit: usize,
    ) -> Result<SnapshotPage, SyncError> {
        let path = match after {
            Some(doc) => format!("/v1/teams/{team}/snapshots?after={doc}&limit={limit}"),
            None => format!("/v1/teams/{team}/snapshots?limit={limit}"),
        };
        let mut resp = self.send("GET", &path, &[], false)?;
        let more = resp
            .headers()
            .get(HEADER_MORE)
            .and_then(|v| v.to_str().ok())
            == Some("1");
        let body = read_body(&mut resp)?;
        let items = frames::decode_page(&body, usize::MAX)
            .map_err(|_| SyncError::Protocol("the relay sent a malformed page"))?;
        Ok(SnapshotPage { items, more })
    }

    /// Uploads a snapshot covering the log up to `covers`.
    pub fn put_snapshot(
        &self,
        team: TeamId,
        covers: u64,
        envelope: &[u8],
    ) -> Result<(), SyncError> {
        self.send(
            "POST",
            &format!("/v1/teams/{team}/snapshots?covers={covers}"),
            envelope,
            false,
        )
        .map(|_| ())
    }

    /// Uploads several snapshots in one request (`(covers, envelope)` each); the answer says
    /// what became of each. `Ok(None)` from a relay from before batches (it has no such
    /// route): upload them one by one.
    pub fn put_snapshots(
        &self,
        team: TeamId,
        snapshots: &[(u64, Vec<u8>)],
    ) -> Result<Option<Vec<SnapshotFate>>, SyncError> {
        let body = frames::encode_page(snapshots);
        match self.send(
            "POST",
            &format!("/v1/teams/{team}/snapshots/batch"),
            &body,
            false,
        ) {
            Ok(resp) => {
                let answer: SnapshotsStored = json(resp)?;
                if answer.fates.len() != snapshots.len() {
                    return Err(SyncError::Protocol(
                        "the relay answered for a different number of snapshots",
                    ));
                }
                Ok(Some(answer.fates))
            }
            // No such route: a relay from before batches (not a 404 about the team).
            Err(SyncError::Relay {
                status: 404 | 405,
                code:
                    RelayErrorCode::NoRoute
                    | RelayErrorCode::MethodNotAllowed
                    | RelayErrorCode::Unknown(_),
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The team's devices.
    pub fn devices(&self, team: TeamId) -> Result<Vec<DeviceInfo>, SyncError> {
        json(self.send("GET", &format!("/v1/teams/{team}/devices"), &[], false)?)
    }

    /// Parks a new key epoch's packages (admins only).
    pub fn post_key_packages(
        &self,
        team: TeamId,
        packages: &PostKeyPackages,
    ) -> Result<(), SyncError> {
        let body = serde_json::to_vec(packages).map_err(|_| SyncError::Protocol("encoding"))?;
        self.send("POST", &format!("/v1/teams/{team}/keys"), &body, false)
            .map(|_| ())
    }

    /// The key packages sealed for this device above `after_epoch`.
    pub fn key_packages(&self, team: TeamId, after_epoch: u32) -> Result<KeyPackages, SyncError> {
        json(self.send(
            "GET",
            &format!("/v1/teams/{team}/keys?after_epoch={after_epoch}"),
            &[],
            false,
        )?)
    }

    /// Asks the relay to drop a document's envelopes and snapshot (a person asked to be
    /// erased), and anything of it pushed later.
    pub fn erase_doc(&self, team: TeamId, doc: DocId) -> Result<(), SyncError> {
        self.send(
            "POST",
            &format!("/v1/teams/{team}/docs/{}/erase", doc.to_hex()),
            &[],
            false,
        )
        .map(|_| ())
    }

    /// Revokes a device (admins only).
    pub fn revoke(&self, team: TeamId, device: DeviceId) -> Result<(), SyncError> {
        self.send(
            "POST",
            &format!("/v1/teams/{team}/devices/{device}/revoke"),
            &[],
            false,
        )
        .map(|_| ())
    }
}
