//! The team record over real HTTP, on SQLite and on PostgreSQL: a real relay on loopback,
//! entries built and signed with `protocol::record::NewEntry::sign`, as a device (or a
//! hostile member) would send them. Each refusal is checked to leave nothing stored.

use crate::support::{doc, now_ms, random, Answer, Device, Relay, CREATION_TOKEN};
use tandem_protocol::api::{
    CompleteJoin, CreateInvite, CreateTeam, DeviceRole, JoinAccepted, JoinTeam, KeyPackages,
    PostRecord, RecordHead, HEADER_RECORD_HASH, HEADER_RECORD_SEQ,
};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::key_package::NewKeyPackage;
use tandem_protocol::record::{
    invite_id, invite_signing_key, join_proof, key_commitment, EntryBody, FoundingDevice, NewEntry,
    Origin, RecordState, UncheckedEntry,
};
use tandem_protocol::{DeviceId, EnvelopeKind, TeamId, TeamKey};
use tandem_relay::config::Limits;
use tandem_relay::storage::Storage;

/// `case::sqlite` and `case::postgres` for each case: a relay over a fresh SQLite file, and
/// one over a fresh PostgreSQL schema (skipped loudly without `TANDEM_TEST_POSTGRES_URL`,
/// outside CI).
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[test]
            fn sqlite() {
                super::$case(&crate::support::Relay::start());
            }

            #[test]
            fn postgres() {
                if let Some(relay) = super::postgres_relay(stringify!($case)) {
                    super::$case(&relay);
                }
            }
        }
    )*};
}

on_both_backends!(
    a_founding_entry_makes_a_record_team,
    a_forged_founding_entry_creates_nothing,
    a_forged_entry_is_refused_and_nothing_stored,
    a_member_cannot_change_roles_remove_or_rotate,
    entries_off_the_head_conflict_and_reposts_are_answered_again,
    of_concurrent_posts_on_one_head_one_wins,
    a_key_epoch_needs_exactly_its_packages_by_its_author,
    a_removed_device_is_refused_everywhere,
    a_join_is_offered_then_completed_once,
    an_invite_of_a_removed_maker_is_dead,
    an_invite_from_before_a_rotation_is_stale,
    invites_need_the_requesters_own_record_entry,
    joins_and_other_devices_entries_are_not_posted_to_the_record,
    the_older_membership_routes_are_closed_to_record_teams,
    a_team_without_a_record_has_no_record_routes,
    a_team_from_before_is_migrated_by_an_admin_only,
    an_admin_erases_a_document_through_the_record,
);

pub fn postgres_relay(case: &str) -> Option<Relay> {
    let Ok(url) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "TANDEM_TEST_POSTGRES_URL is not set but CI is: PostgreSQL must be tested in CI"
            );
        }
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPING the PostgreSQL half of `{case}`: TANDEM_TEST_POSTGRES_URL is not set \
             (see sync-server/scripts/throwaway-postgres.sh).\n"
        );
        return None;
    };
    let schema: String = format!("relay_http_{case}").chars().take(63).collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
            .unwrap();
        drop(client);
        let _ = task.await;
    });
    Some(Relay::start_on(
        Limits::default(),
        tempfile::tempdir().unwrap(),
        move || async move { Storage::connect_postgres_in_schema(&url, &schema).await },
    ))
}

/// A team with a record, and the record as its devices have verified it.
struct RecordTeam {
    id: TeamId,
    key: TeamKey,
    admin: Device,
    state: RecordState,
}

fn hex_of(entries: &[&UncheckedEntry]) -> Vec<String> {
    entries.iter().map(|e| hex::encode(e.bytes())).collect()
}

fn founding(team: TeamId, author: &Device, key: &Device, epoch_key: &TeamKey) -> UncheckedEntry {
    NewEntry {
        team,
        seq: 0,
        prev: [0; 32],
        author: author.id,
        time_ms: now_ms() as u64,
        body: EntryBody::Founding {
            origin: Origin::New,
            devices: vec![FoundingDevice {
                device: author.id,
                key: key.key.verifying_key().to_bytes(),
                role: DeviceRole::Admin,
                removed: false,
                member: random(),
            }],
            epochs: vec![(1, key_commitment(team, 1, epoch_key.bytes()))],
            legacy_log_head: 0,
        },
    }
    .sign(&key.key)
}

fn create_body(team: TeamId, device: &Device, founding: Option<&UncheckedEntry>) -> Vec<u8> {
    serde_json::to_vec(&CreateTeam {
        team,
        device: device.id,
        public_key: device.public_hex(),
        creation_token: Some(CREATION_TOKEN.into()),
        founding: founding.map(|e| hex::encode(e.bytes())),
    })
    .unwrap()
}

impl RecordTeam {
    fn create(relay: &Relay) -> Self {
        let (id, key, admin) = (TeamId(random()), TeamKey::new(1, random()), Device::new());
        let entry = founding(id, &admin, &admin, &key);
        let answer = relay.send(
            &admin,
            "POST",
            "/v1/teams",
            &create_body(id, &admin, Some(&entry)),
        );
        assert_eq!(answer.status, 201, "{}", text(&answer));
        let (state, _) = RecordState::found(id, &entry).unwrap();
        Self {
            id,
            key,
            admin,
            state,
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/teams/{}{rest}", self.id)
    }

    /// An entry by `by` on the record's head (as the team has verified it), `after` entries
    /// further on (for a post of several).
    fn entry_at(&self, by: &Device, seq: u64, prev: [u8; 32], body: EntryBody) -> UncheckedEntry {
        NewEntry {
            team: self.id,
            seq,
            prev,
            author: by.id,
            time_ms: now_ms() as u64,
            body,
        }
        .sign(&by.key)
    }

    fn entry(&self, by: &Device, body: EntryBody) -> UncheckedEntry {
        self.entry_at(by, self.state.seq() + 1, self.state.head(), body)
    }

    fn post_raw(
        &self,
        relay: &Relay,
        by: &Device,
        entries: Vec<String>,
        packages: Vec<String>,
    ) -> Answer {
        let body = serde_json::to_vec(&PostRecord { entries, packages }).unwrap();
        relay.send(by, "POST", &self.path("/record"), &body)
    }

    fn post(
        &self,
        relay: &Relay,
        by: &Device,
        entries: &[&UncheckedEntry],
        packages: &[Vec<u8>],
    ) -> Answer {
        self.post_raw(
            relay,
            by,
            hex_of(entries),
            packages.iter().map(hex::encode).collect(),
        )
    }

    /// Posts and expects 201; the team's view moves on.
    fn accept(
        &mut self,
        relay: &Relay,
        by: &Device,
        entries: &[&UncheckedEntry],
        packages: &[Vec<u8>],
    ) {
        let answer = self.post(relay, by, entries, packages);
        assert_eq!(answer.status, 201, "{}", text(&answer));
        for e in entries {
            self.state.apply(e).unwrap();
        }
        let head: RecordHead = answer.json();
        assert_eq!(
            (head.seq, head.hash),
            (self.state.seq(), hex::encode(self.state.head()))
        );
    }

    /// The relay's record, from seq 0.
    fn fetch(&self, relay: &Relay, by: &Device) -> Answer {
        relay.send(by, "GET", &self.path("/record?from=0"), b"")
    }

    fn relay_seq(&self, relay: &Relay) -> u64 {
        relay
            .block_on(relay.storage.record_head(self.id))
            .unwrap()
            .unwrap()
            .seq
    }

    /// `by` makes an invite: its `InviteCreated` in the record, then the sealed key parked.
    fn invite(&mut self, relay: &Relay, by: &Device) -> InviteCode {
        let code = self.invite_entry(relay, by);
        assert_eq!(self.park(relay, by, &code).status, 201);
        code
    }

    fn invite_entry(&mut self, relay: &Relay, by: &Device) -> InviteCode {
        let code = InviteCode {
            relay: relay.url.clone(),
            token: random(),
            wrap: random(),
        };
        let made = self.entry(
            by,
            EntryBody::InviteCreated {
                invite_id: invite_id(&code.token_hash()),
                invite_key: invite_signing_key(self.id, &code.wrap)
                    .verifying_key()
                    .to_bytes(),
                expires_at_ms: now_ms() as u64 + 600_000,
            },
        );
        self.accept(relay, by, &[&made], &[]);
        code
    }

    fn park(&self, relay: &Relay, by: &Device, code: &InviteCode) -> Answer {
        let body = serde_json::to_vec(&CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(code.seal_team_key(self.id, &self.key, random())),
            expires_in_s: 600,
            epoch: None,
        })
        .unwrap();
        relay.send(by, "POST", &self.path("/invites"), &body)
    }

    /// The join offer for `device`.
    fn offer(relay: &Relay, device: &Device, code: &InviteCode) -> Answer {
        let body = serde_json::to_vec(&JoinTeam {
            token: hex::encode(code.token),
            device: device.id,
            public_key: device.public_hex(),
        })
        .unwrap();
        relay.send(device, "POST", "/v1/join", &body)
    }

    /// `device`'s `DeviceJoined` on the team's head, carrying keys up to `epochs_to`.
    fn joined(&self, device: &Device, code: &InviteCode, epochs_to: u32) -> UncheckedEntry {
        let (seq, prev) = (self.state.seq() + 1, self.state.head());
        let device_key = device.key.verifying_key().to_bytes();
        let member: [u8; 16] = random();
        let proof = join_proof(
            &invite_signing_key(self.id, &code.wrap),
            self.id,
            seq,
            &prev,
            device.id,
            &device_key,
            &member,
        );
        self.entry_at(
            device,
            seq,
            prev,
            EntryBody::DeviceJoined {
                invite_id: invite_id(&code.token_hash()),
                device_key,
                member,
                has_epochs_to: epochs_to,
                invite_proof: proof,
            },
        )
    }

    fn complete(
        relay: &Relay,
        device: &Device,
        code: &InviteCode,
        entry: &UncheckedEntry,
    ) -> Answer {
        let body = serde_json::to_vec(&CompleteJoin {
            token: hex::encode(code.token),
            entry: hex::encode(entry.bytes()),
        })
        .unwrap();
        relay.send(device, "POST", "/v1/join/complete", &body)
    }

    /// A new member, invited by `by`: offered, verified, completed.
    fn enrol_by(&mut self, relay: &Relay, by: &Device) -> Device {
        let code = self.invite(relay, by);
        let device = Device::new();
        let offer = Self::offer(relay, &device, &code);
        assert_eq!(offer.status, 200, "{}", text(&offer));
        let offered: JoinAccepted = offer.json();
        assert!(!offered.enrolled);
        let verified = RecordState::verify_all(
            self.id,
            offered
                .record
                .iter()
                .map(|e| hex::decode(e).unwrap())
                .collect::<Vec<_>>()
                .iter()
                .map(Vec::as_slice),
        )
        .unwrap();
        assert_eq!(verified.head(), self.state.head());
        let entry = self.joined(&device, &code, self.state.current_epoch());
        let done = Self::complete(relay, &device, &code, &entry);
        assert_eq!(done.status, 201, "{}", text(&done));
        self.state.apply(&entry).unwrap();
        device
    }

    fn enrol(&mut self, relay: &Relay) -> Device {
        let admin = Device {
            id: self.admin.id,
            key: self.admin.key.clone(),
        };
        self.enrol_by(relay, &admin)
    }

    /// A `KeyEpoch` for the devices active now, by `by`, and its packages (epoch key new).
    fn key_epoch(
        &self,
        by: &Device,
        key: &TeamKey,
        seq: u64,
        prev: [u8; 32],
        recipients: &[&Device],
    ) -> (UncheckedEntry, Vec<Vec<u8>>) {
        let entry = self.entry_at(
            by,
            seq,
            prev,
            EntryBody::KeyEpoch {
                epoch: key.epoch,
                commitment: key_commitment(self.id, key.epoch, key.bytes()),
                recipients: recipients.iter().map(|d| d.id).collect(),
            },
        );
        let packages = recipients
            .iter()
            .map(|to| package(self.id, key, by, to))
            .collect();
        (entry, packages)
    }

    fn removal(&self, by: &Device, device: DeviceId) -> UncheckedEntry {
        self.entry(
            by,
            EntryBody::DeviceRemoved {
                device,
                cutoff_log_seq: 0,
                cascade_since: u64::MAX,
            },
        )
    }

    /// Removes `device` and rotates to the next epoch for `remaining`, in one post.
    fn remove_and_rotate(
        &mut self,
        relay: &Relay,
        device: DeviceId,
        remaining: &[&Device],
    ) -> TeamKey {
        let admin = self.admin_device();
        let removed = self.removal(&admin, device);
        let key = TeamKey::new(self.state.current_epoch() + 1, random());
        let (rotate, packages) = self.key_epoch(
            &admin,
            &key,
            self.state.seq() + 2,
            removed.hash(),
            remaining,
        );
        self.accept(relay, &admin, &[&removed, &rotate], &packages);
        key
    }

    fn admin_device(&self) -> Device {
        Device {
            id: self.admin.id,
            key: self.admin.key.clone(),
        }
    }
}

fn package(team: TeamId, key: &TeamKey, from: &Device, to: &Device) -> Vec<u8> {
    NewKeyPackage {
        team,
        key,
        from: from.id,
        signer: &from.key,
        to: to.id,
        to_key: &to.key.verifying_key(),
    }
    .seal(random(), random())
    .unwrap()
    .bytes()
    .to_vec()
}

fn text(answer: &Answer) -> String {
    String::from_utf8_lossy(&answer.body).into_owned()
}

/// A refusal: status, code and reason.
fn refused(answer: &Answer, status: u16, code: &str, reason: &str) {
    let body: tandem_protocol::api::ErrorBody = answer.json();
    assert_eq!(
        (answer.status, body.error.as_str(), body.reason.as_str()),
        (status, code, reason),
    );
}

fn record_refused(answer: &Answer, rule: &str) {
    refused(answer, 403, "record_refused", rule);
}

// The cases.

fn a_founding_entry_makes_a_record_team(relay: &Relay) {
    let team = RecordTeam::create(relay);
    let answer = team.fetch(relay, &team.admin);
    let page = answer.page();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].0, 0);
    assert_eq!(answer.header(HEADER_RECORD_SEQ), Some("0"));
    let hash = hex::encode(team.state.head());
    assert_eq!(answer.header(HEADER_RECORD_HASH), Some(hash.as_str()));
    assert_eq!(answer.header("x-tandem-more"), Some("0"));
    let devices: Vec<tandem_protocol::api::DeviceInfo> = relay
        .send(&team.admin, "GET", &team.path("/devices"), b"")
        .json();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].role, DeviceRole::Admin);
    // Past the head: an empty page with the head.
    let beyond = relay.send(&team.admin, "GET", &team.path("/record?from=5"), b"");
    assert!(beyond.page().is_empty());
    assert_eq!(beyond.header(HEADER_RECORD_SEQ), Some("0"));
}

fn a_forged_founding_entry_creates_nothing(relay: &Relay) {
    let (device, other, key) = (Device::new(), Device::new(), TeamKey::new(1, random()));
    let exists = |team: TeamId| relay.block_on(relay.storage.record_head(team)).is_ok();
    // Listing the requester's key but signed by another.
    let team = TeamId(random());
    let mut forged =
        hex::decode(hex::encode(founding(team, &device, &device, &key).bytes())).unwrap();
    let at = forged.len() - 1;
    forged[at] ^= 1;
    let body = serde_json::to_vec(&CreateTeam {
        team,
        device: device.id,
        public_key: device.public_hex(),
        creation_token: Some(CREATION_TOKEN.into()),
        founding: Some(hex::encode(&forged)),
    })
    .unwrap();
    record_refused(
        &relay.send(&device, "POST", "/v1/teams", &body),
        "bad_signature",
    );
    assert!(!exists(team));
    // Another device's founding entry (its key, its signature) sent by this one.
    let team = TeamId(random());
    let theirs = founding(team, &other, &other, &key);
    let answer = relay.send(
        &device,
        "POST",
        "/v1/teams",
        &create_body(team, &device, Some(&theirs)),
    );
    record_refused(&answer, "founding_not_the_requester");
    assert!(!exists(team));
    // This device as author, but a key other than the one it signs requests with.
    let team = TeamId(random());
    let wrong_key = founding(team, &device, &other, &key);
    let answer = relay.send(
        &device,
        "POST",
        "/v1/teams",
        &create_body(team, &device, Some(&wrong_key)),
    );
    record_refused(&answer, "founding_not_the_requester");
    assert!(!exists(team));
    // For another team than the one created.
    let team = TeamId(random());
    let elsewhere = founding(TeamId(random()), &device, &device, &key);
    let answer = relay.send(
        &device,
        "POST",
        "/v1/teams",
        &create_body(team, &device, Some(&elsewhere)),
    );
    record_refused(&answer, "wrong_team");
    assert!(!exists(team));
}

fn a_forged_entry_is_refused_and_nothing_stored(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let member = team.enrol(relay);
    let seq = team.relay_seq(relay);
    // A member's entry claiming the admin as author, signed with the member's key.
    let claim = NewEntry {
        team: team.id,
        seq: team.state.seq() + 1,
        prev: team.state.head(),
        author: team.admin.id,
        time_ms: now_ms() as u64,
        body: EntryBody::RoleChanged {
            device: member.id,
            role: DeviceRole::Admin,
        },
    }
    .sign(&member.key);
    // Sent by the admin (whose request it claims to be): the relay checks the record's key.
    record_refused(
        &team.post(relay, &team.admin, &[&claim], &[]),
        "bad_signature",
    );
    // Sent by the member: not its own entry.
    record_refused(&team.post(relay, &member, &[&claim], &[]), "not_the_poster");
    // Bytes changed after signing.
    let honest = team.entry(
        &team.admin,
        EntryBody::InviteRevoked {
            invite_id: random(),
        },
    );
    let mut bytes = honest.bytes().to_vec();
    bytes[100] ^= 0x40;
    let answer = team.post_raw(relay, &team.admin, vec![hex::encode(&bytes)], Vec::new());
    assert!(matches!(answer.status, 400 | 403), "{}", text(&answer));
    // A good entry after a forged one: all or nothing.
    let good = team.entry(
        &team.admin,
        EntryBody::InviteRevoked {
            invite_id: random(),
        },
    );
    let forged_next = NewEntry {
        team: team.id,
        seq: good.header().seq + 1,
        prev: good.hash(),
        author: team.admin.id,
        time_ms: 0,
        body: EntryBody::DocErased { doc: doc() },
    }
    .sign(&member.key);
    let answer = team.post(relay, &team.admin, &[&good, &forged_next], &[]);
    assert_eq!(answer.status, 403, "{}", text(&answer));
    assert_eq!(team.relay_seq(relay), seq, "nothing stored");
    let devices: Vec<tandem_protocol::api::DeviceInfo> = relay
        .send(&team.admin, "GET", &team.path("/devices"), b"")
        .json();
    assert!(devices
        .iter()
        .all(|d| d.device != member.id || d.role == DeviceRole::Member));
}

fn a_member_cannot_change_roles_remove_or_rotate(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let member = team.enrol(relay);
    let seq = team.relay_seq(relay);
    let promote = team.entry(
        &member,
        EntryBody::RoleChanged {
            device: member.id,
            role: DeviceRole::Admin,
        },
    );
    record_refused(&team.post(relay, &member, &[&promote], &[]), "not_allowed");
    let remove_admin = team.removal(&member, team.admin.id);
    record_refused(
        &team.post(relay, &member, &[&remove_admin], &[]),
        "not_allowed",
    );
    let key = TeamKey::new(2, random());
    let admin = team.admin_device();
    let (rotate, packages) = team.key_epoch(
        &member,
        &key,
        team.state.seq() + 1,
        team.state.head(),
        &[&admin, &member],
    );
    record_refused(
        &team.post(relay, &member, &[&rotate], &packages),
        "not_allowed",
    );
    let erase = team.entry(&member, EntryBody::DocErased { doc: doc() });
    record_refused(&team.post(relay, &member, &[&erase], &[]), "not_allowed");
    assert_eq!(team.relay_seq(relay), seq, "nothing stored");
    // The member is still a member, the admin still there, epoch 1.
    let keys: KeyPackages = relay.send(&member, "GET", &team.path("/keys"), b"").json();
    assert_eq!(keys.current_epoch, 1);
    // Leaving is the member's own right.
    let leave = team.removal(&member, member.id);
    team.accept(relay, &member, &[&leave], &[]);
    relay
        .send(&member, "GET", &team.path("/record"), b"")
        .expect(403, "revoked");
}

fn entries_off_the_head_conflict_and_reposts_are_answered_again(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let admin = team.admin_device();
    let code = team.invite(relay, &admin);
    let revoke = team.entry(
        &admin,
        EntryBody::InviteRevoked {
            invite_id: invite_id(&code.token_hash()),
        },
    );
    let other = team.entry(
        &admin,
        EntryBody::InviteCreated {
            invite_id: random(),
            invite_key: invite_signing_key(team.id, b"x").verifying_key().to_bytes(),
            expires_at_ms: now_ms() as u64 + 1000,
        },
    );
    team.accept(relay, &admin, &[&revoke], &[]);
    // The same bytes again: 200 and the same head.
    let again = team.post(relay, &admin, &[&revoke], &[]);
    assert_eq!(again.status, 200, "{}", text(&again));
    let head: RecordHead = again.json();
    assert_eq!(head.seq, team.state.seq());
    // Another entry on the old head: 409 with the head's seq.
    let answer = team.post(relay, &admin, &[&other], &[]);
    refused(
        &answer,
        409,
        "record_conflict",
        &format!(
            "the team record's head is at seq {}: fetch it and sign again on it",
            team.state.seq()
        ),
    );
    // Ahead of the head: 409 too.
    let ahead = team.entry_at(
        &admin,
        team.state.seq() + 2,
        [7; 32],
        EntryBody::DocErased { doc: doc() },
    );
    team.post(relay, &admin, &[&ahead], &[])
        .expect(409, "record_conflict");
    // The invite revoked by the record: its sealed key cannot be taken.
    TeamRecordJoin::refused_offer(relay, &code, 403, "record_refused");
    assert_eq!(team.relay_seq(relay), team.state.seq());
}

/// Join helpers for refusals.
struct TeamRecordJoin;

impl TeamRecordJoin {
    fn refused_offer(relay: &Relay, code: &InviteCode, status: u16, error: &str) {
        let device = Device::new();
        RecordTeam::offer(relay, &device, code).expect(status, error);
    }
}

fn of_concurrent_posts_on_one_head_one_wins(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let second_admin = team.enrol(relay);
    let admin = team.admin_device();
    let promote = team.entry(
        &admin,
        EntryBody::RoleChanged {
            device: second_admin.id,
            role: DeviceRole::Admin,
        },
    );
    team.accept(relay, &admin, &[&promote], &[]);
    for _ in 0..5 {
        let seq = team.relay_seq(relay);
        let posts: Vec<(UncheckedEntry, &Device)> = [&admin, &second_admin, &admin, &second_admin]
            .into_iter()
            .map(|by| {
                (
                    team.entry(
                        by,
                        EntryBody::InviteCreated {
                            invite_id: random(),
                            invite_key: invite_signing_key(team.id, &random::<10>())
                                .verifying_key()
                                .to_bytes(),
                            expires_at_ms: now_ms() as u64 + 60_000,
                        },
                    ),
                    by,
                )
            })
            .collect();
        let answers: Vec<(u16, usize)> = std::thread::scope(|scope| {
            let handles: Vec<_> = posts
                .iter()
                .enumerate()
                .map(|(i, (entry, by))| {
                    let team = &team;
                    scope.spawn(move || (team.post(relay, by, &[entry], &[]).status, i))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let won: Vec<usize> = answers
            .iter()
            .filter(|(s, _)| *s == 201)
            .map(|(_, i)| *i)
            .collect();
        assert_eq!(won.len(), 1, "{answers:?}");
        assert!(
            answers.iter().all(|(s, _)| *s == 201 || *s == 409),
            "{answers:?}"
        );
        team.state.apply(&posts[won[0]].0).unwrap();
        assert_eq!(team.relay_seq(relay), seq + 1);
    }
}

fn a_key_epoch_needs_exactly_its_packages_by_its_author(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let (stays, leaves) = (team.enrol(relay), team.enrol(relay));
    let admin = team.admin_device();
    let seq = team.relay_seq(relay);
    let removed = team.removal(&admin, leaves.id);
    let key = TeamKey::new(2, random());
    let (rotate, packages) = team.key_epoch(
        &admin,
        &key,
        team.state.seq() + 2,
        removed.hash(),
        &[&admin, &stays],
    );
    let post = |packages: &[Vec<u8>]| team.post(relay, &admin, &[&removed, &rotate], packages);
    // One missing.
    record_refused(&post(&packages[..1]), "package_missing");
    // One extra: for the device being removed.
    let mut extra = packages.clone();
    extra.push(package(team.id, &key, &admin, &leaves));
    record_refused(&post(&extra), "package_extra");
    // Twice for one recipient.
    let mut twice = packages.clone();
    twice.push(package(team.id, &key, &admin, &stays));
    record_refused(&post(&twice), "package_extra");
    // Signed by someone else (the staying member seals its own).
    let mut forged = packages.clone();
    forged[1] = package(team.id, &key, &stays, &stays);
    record_refused(&post(&forged), "package_not_by_author");
    // Another epoch's, or another team's.
    let mut other_epoch = packages.clone();
    other_epoch[1] = package(team.id, &TeamKey::new(3, random()), &admin, &stays);
    record_refused(&post(&other_epoch), "package_extra");
    let mut other_team = packages.clone();
    other_team[1] = package(TeamId(random()), &key, &admin, &stays);
    record_refused(&post(&other_team), "package_wrong_team");
    // Packages without a key epoch.
    let only_removal = team.post(relay, &admin, &[&removed], &packages);
    record_refused(&only_removal, "package_extra");
    // The recipients must be exactly the devices active after the removal.
    let (wrong, wrong_packages) = team.key_epoch(
        &admin,
        &key,
        team.state.seq() + 2,
        removed.hash(),
        &[&admin, &stays, &leaves],
    );
    record_refused(
        &team.post(relay, &admin, &[&removed, &wrong], &wrong_packages),
        "wrong_recipients",
    );
    assert_eq!(team.relay_seq(relay), seq, "nothing stored");
    assert_eq!(
        relay
            .send(&leaves, "GET", &team.path("/devices"), b"")
            .status,
        200
    );
    // All of it right: stored, and each staying device has its package; epoch 2.
    team.accept(relay, &admin, &[&removed, &rotate], &packages);
    let keys: KeyPackages = relay
        .send(&stays, "GET", &team.path("/keys?after_epoch=1"), b"")
        .json();
    assert_eq!(keys.current_epoch, 2);
    assert_eq!(keys.packages, vec![hex::encode(&packages[1])]);
    // A push under epoch 1 is refused now, as after `POST /keys`.
    let old = crate::support::seal(
        team.id,
        &team.key,
        &stays,
        doc(),
        b"old",
        EnvelopeKind::Change,
    );
    let body = tandem_protocol::frames::encode_push(&[old]);
    relay
        .send(&stays, "POST", &team.path("/envelopes"), &body)
        .expect(409, "stale_epoch");
}

fn a_removed_device_is_refused_everywhere(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let (stays, gone) = (team.enrol(relay), team.enrol(relay));
    let admin = team.admin_device();
    let key = team.remove_and_rotate(relay, gone.id, &[&admin, &stays]);
    relay
        .send(&gone, "GET", &team.path("/record"), b"")
        .expect(403, "revoked");
    relay
        .send(&gone, "GET", &team.path("/keys?after_epoch=1"), b"")
        .expect(403, "revoked");
    let envelope = crate::support::seal(team.id, &key, &gone, doc(), b"late", EnvelopeKind::Change);
    relay
        .send(
            &gone,
            "POST",
            &team.path("/envelopes"),
            &tandem_protocol::frames::encode_push(&[envelope]),
        )
        .expect(403, "revoked");
    let entry = team.entry(&gone, EntryBody::DocErased { doc: doc() });
    team.post(relay, &gone, &[&entry], &[])
        .expect(403, "revoked");
    let devices: Vec<tandem_protocol::api::DeviceInfo> = relay
        .send(&stays, "GET", &team.path("/devices"), b"")
        .json();
    let of_gone = devices.iter().find(|d| d.device == gone.id).unwrap();
    assert!(of_gone.revoked_at_ms.is_some());
}

fn a_join_is_offered_then_completed_once(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let admin = team.admin_device();
    let code = team.invite(relay, &admin);
    let device = Device::new();
    // The offer enrols nothing, and may be asked again.
    for _ in 0..2 {
        let offer = RecordTeam::offer(relay, &device, &code);
        assert_eq!(offer.status, 200, "{}", text(&offer));
        let offered: JoinAccepted = offer.json();
        assert!(!offered.enrolled);
        assert_eq!(offered.team, team.id);
        assert_eq!(offered.record.len() as u64, team.state.seq() + 1);
        let key = code
            .open_team_key(team.id, &hex::decode(&offered.sealed_team_key).unwrap())
            .unwrap();
        assert!(team.state.key_matches(1, key.bytes()));
        assert_eq!(relay.device_count(team.id), 1);
    }
    relay
        .send(&device, "GET", &team.path("/record"), b"")
        .expect(401, "unknown_device");
    // Completed with a bad invite proof (signed with another wrap secret): refused.
    let mut wrong = InviteCode {
        wrap: random(),
        ..code.clone()
    };
    wrong.relay = code.relay.clone();
    let bad = team.joined(&device, &wrong, 1);
    record_refused(
        &RecordTeam::complete(relay, &device, &code, &bad),
        "bad_invite_proof",
    );
    // Signed by a key other than the one the entry introduces.
    let joined = team.joined(&device, &code, 1);
    let impostor = Device {
        id: device.id,
        key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
    };
    RecordTeam::complete(relay, &impostor, &code, &joined).expect(401, "bad_signature");
    assert_eq!(relay.device_count(team.id), 1);
    // Completed: enrolled as a member, the invite used.
    let done = RecordTeam::complete(relay, &device, &code, &joined);
    assert_eq!(done.status, 201, "{}", text(&done));
    let accepted: JoinAccepted = done.json();
    assert!(accepted.enrolled && accepted.record.is_empty());
    team.state.apply(&joined).unwrap();
    let devices: Vec<tandem_protocol::api::DeviceInfo> = relay
        .send(&device, "GET", &team.path("/devices"), b"")
        .json();
    let me = devices.iter().find(|d| d.device == device.id).unwrap();
    assert_eq!(me.role, DeviceRole::Member);
    // The same completion again (a lost answer): 200, nothing new.
    let again = RecordTeam::complete(relay, &device, &code, &joined);
    assert_eq!(again.status, 200, "{}", text(&again));
    assert_eq!(team.relay_seq(relay), team.state.seq());
    // Twice with the same invite: by this device on the new head, or by another.
    let twice = team.joined(&device, &code, 1);
    RecordTeam::complete(relay, &device, &code, &twice).expect(410, "invite_used");
    let other = Device::new();
    let theirs = team.joined(&other, &code, 1);
    RecordTeam::complete(relay, &other, &code, &theirs).expect(410, "invite_used");
    RecordTeam::offer(relay, &other, &code).expect(410, "invite_used");
    assert_eq!(relay.device_count(team.id), 2);
    assert_eq!(team.relay_seq(relay), team.state.seq());
    // A join signed on an old head: 409.
    let code = team.invite(relay, &admin);
    let late = Device::new();
    let stale_head = team.joined(&late, &code, 1);
    let _ = team.enrol(relay);
    RecordTeam::complete(relay, &late, &code, &stale_head).expect(409, "record_conflict");
}

fn an_invite_of_a_removed_maker_is_dead(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let (maker, stays) = (team.enrol(relay), team.enrol(relay));
    let code = team.invite(relay, &maker);
    let admin = team.admin_device();
    team.remove_and_rotate(relay, maker.id, &[&admin, &stays]);
    let device = Device::new();
    let offer = RecordTeam::offer(relay, &device, &code);
    record_refused(&offer, "invite_maker_removed");
    let joined = team.joined(&device, &code, team.state.current_epoch());
    record_refused(
        &RecordTeam::complete(relay, &device, &code, &joined),
        "invite_maker_removed",
    );
    assert_eq!(relay.device_count(team.id), 3);
    assert_eq!(team.relay_seq(relay), team.state.seq());
}

fn an_invite_from_before_a_rotation_is_stale(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let (stays, gone) = (team.enrol(relay), team.enrol(relay));
    let admin = team.admin_device();
    let code = team.invite(relay, &admin);
    team.remove_and_rotate(relay, gone.id, &[&admin, &stays]);
    let device = Device::new();
    // Its sealed keys stop at epoch 1: the join says so, and the record refuses it.
    let joined = team.joined(&device, &code, 1);
    record_refused(
        &RecordTeam::complete(relay, &device, &code, &joined),
        "stale_invite",
    );
    assert_eq!(relay.device_count(team.id), 3);
    assert_eq!(team.relay_seq(relay), team.state.seq());
}

fn invites_need_the_requesters_own_record_entry(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let member = team.enrol(relay);
    let admin = team.admin_device();
    // No InviteCreated at all.
    let stray = InviteCode {
        relay: relay.url.clone(),
        token: random(),
        wrap: random(),
    };
    record_refused(&team.park(relay, &member, &stray), "unknown_invite");
    // The admin's InviteCreated, parked by the member.
    let admins = team.invite_entry(relay, &admin);
    record_refused(
        &team.park(relay, &member, &admins),
        "invite_not_by_requester",
    );
    // Nothing was parked: the admin's own code has no invite on the relay yet.
    RecordTeam::offer(relay, &Device::new(), &admins).expect(404, "unknown_invite");
    assert_eq!(team.park(relay, &admin, &admins).status, 201);
    // Parked once.
    team.park(relay, &admin, &admins).expect(409, "exists");
    // Revoked in the record: not parked any more, and no longer offered.
    let code = team.invite_entry(relay, &member);
    assert_eq!(team.park(relay, &member, &code).status, 201);
    let revoke = team.entry(
        &admin,
        EntryBody::InviteRevoked {
            invite_id: invite_id(&code.token_hash()),
        },
    );
    team.accept(relay, &admin, &[&revoke], &[]);
    record_refused(
        &RecordTeam::offer(relay, &Device::new(), &code),
        "invite_revoked",
    );
}

fn joins_and_other_devices_entries_are_not_posted_to_the_record(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let member = team.enrol(relay);
    let admin = team.admin_device();
    let code = team.invite(relay, &member);
    let device = Device::new();
    // A DeviceJoined posted to the record (by a member, around the invite's bookkeeping).
    let joined = team.joined(&device, &code, 1);
    record_refused(
        &team.post(relay, &member, &[&joined], &[]),
        "join_via_join_complete",
    );
    // Something else than a join to /join/complete.
    let not_a_join = team.entry(&device, EntryBody::DocErased { doc: doc() });
    record_refused(
        &RecordTeam::complete(relay, &device, &code, &not_a_join),
        "not_a_join",
    );
    // A founding entry posted to the record.
    let refound = founding(team.id, &admin, &admin, &team.key);
    record_refused(
        &team.post(relay, &admin, &[&refound], &[]),
        "founding_via_create_team",
    );
    // Too many at once, or none.
    let many: Vec<String> = (0..17).map(|_| hex::encode(joined.bytes())).collect();
    team.post_raw(relay, &admin, many, Vec::new())
        .expect(400, "malformed");
    team.post_raw(relay, &admin, Vec::new(), Vec::new())
        .expect(400, "malformed");
    assert_eq!(relay.device_count(team.id), 2);
    assert_eq!(team.relay_seq(relay), team.state.seq());
}

fn the_older_membership_routes_are_closed_to_record_teams(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let member = team.enrol(relay);
    relay
        .send(
            &team.admin,
            "POST",
            &team.path(&format!("/devices/{}/revoke", member.id)),
            b"",
        )
        .expect(410, "use_team_record");
    let key = TeamKey::new(2, random());
    let body = serde_json::to_vec(&tandem_protocol::api::PostKeyPackages {
        epoch: 2,
        packages: vec![hex::encode(package(team.id, &key, &team.admin, &member))],
    })
    .unwrap();
    relay
        .send(&team.admin, "POST", &team.path("/keys"), &body)
        .expect(410, "use_team_record");
    relay
        .send(&member, "POST", &team.path("/keys"), &body)
        .expect(410, "use_team_record");
    assert_eq!(relay.device_count(team.id), 2);
    let keys: KeyPackages = relay.send(&member, "GET", &team.path("/keys"), b"").json();
    assert_eq!(keys.current_epoch, 1);
}

fn a_team_without_a_record_has_no_record_routes(relay: &Relay) {
    let team = crate::support::Team::create(relay);
    relay
        .send(&team.admin, "GET", &team.path("/record"), b"")
        .expect(400, "no_record");
    let body = serde_json::to_vec(&PostRecord {
        entries: vec![hex::encode(
            founding(team.id, &team.admin, &team.admin, &team.key).bytes(),
        )],
        packages: Vec::new(),
    })
    .unwrap();
    relay
        .send(&team.admin, "POST", &team.path("/record"), &body)
        .expect(400, "no_record");
    // Its invites and joins are as before.
    let member = team.enrol(relay);
    let path = format!("/devices/{}/revoke", member.id);
    assert_eq!(
        relay
            .send(&team.admin, "POST", &team.path(&path), b"")
            .status,
        200
    );
}

fn an_admin_erases_a_document_through_the_record(relay: &Relay) {
    let mut team = RecordTeam::create(relay);
    let member = team.enrol(relay);
    let d = doc();
    let envelope = crate::support::seal(
        team.id,
        &team.key,
        &member,
        d,
        b"a record",
        EnvelopeKind::Change,
    );
    let push = tandem_protocol::frames::encode_push(&[envelope]);
    assert_eq!(
        relay
            .send(&member, "POST", &team.path("/envelopes"), &push)
            .status,
        200
    );
    // The team document is never erased.
    let admin = team.admin_device();
    let team_doc = team.entry(
        &admin,
        EntryBody::DocErased {
            doc: tandem_protocol::DocId(team.id.0),
        },
    );
    record_refused(
        &team.post(relay, &admin, &[&team_doc], &[]),
        "team_doc_not_erasable",
    );
    let erase = team.entry(&admin, EntryBody::DocErased { doc: d });
    team.accept(relay, &admin, &[&erase], &[]);
    let page = relay
        .send(&member, "GET", &team.path("/envelopes?after=0"), b"")
        .page();
    assert!(page.is_empty(), "the erased document's envelopes are gone");
}

/// A migrated founding entry for `team`, by `author`, listing `devices` (device, removed),
/// committing to `keys`, covering the log up to `log_head`.
fn migrated(
    team: TeamId,
    author: &Device,
    devices: &[(&Device, bool)],
    keys: &[&TeamKey],
    log_head: u64,
) -> UncheckedEntry {
    let mut listed: Vec<FoundingDevice> = devices
        .iter()
        .map(|(d, removed)| FoundingDevice {
            device: d.id,
            key: d.key.verifying_key().to_bytes(),
            role: if d.id == author.id {
                DeviceRole::Admin
            } else {
                DeviceRole::Member
            },
            removed: *removed,
            member: random(),
        })
        .collect();
    listed.sort_by_key(|d| d.device);
    NewEntry {
        team,
        seq: 0,
        prev: [0; 32],
        author: author.id,
        time_ms: now_ms() as u64,
        body: EntryBody::Founding {
            origin: Origin::Migrated,
            devices: listed,
            epochs: keys
                .iter()
                .map(|k| (k.epoch, key_commitment(team, k.epoch, k.bytes())))
                .collect(),
            legacy_log_head: log_head,
        },
    }
    .sign(&author.key)
}

/// The key epoch after `founding` (by its author) for `to`, with its packages.
fn rotation_after(
    team: TeamId,
    founding: &UncheckedEntry,
    by: &Device,
    to: &[&Device],
) -> (UncheckedEntry, Vec<String>) {
    let (state, _) = RecordState::found(team, founding).unwrap();
    let key = TeamKey::new(state.current_epoch() + 1, random());
    let entry = NewEntry {
        team,
        seq: 1,
        prev: state.head(),
        author: by.id,
        time_ms: now_ms() as u64,
        body: EntryBody::KeyEpoch {
            epoch: key.epoch,
            commitment: key_commitment(team, key.epoch, key.bytes()),
            recipients: {
                let mut r: Vec<DeviceId> = to.iter().map(|d| d.id).collect();
                r.sort();
                r
            },
        },
    }
    .sign(&by.key);
    let packages = to
        .iter()
        .map(|d| hex::encode(package(team, &key, by, d)))
        .collect();
    (entry, packages)
}

fn post_migration(
    relay: &Relay,
    team: &crate::support::Team,
    by: &Device,
    entries: &[&UncheckedEntry],
    packages: Vec<String>,
) -> Answer {
    let body = serde_json::to_vec(&PostRecord {
        entries: hex_of(entries),
        packages,
    })
    .unwrap();
    relay.send(by, "POST", &team.path("/record"), &body)
}

fn a_team_from_before_is_migrated_by_an_admin_only(relay: &Relay) {
    let team = crate::support::Team::create(relay);
    let (kept, left_out) = (team.enrol(relay), team.enrol(relay));
    let all = [(&team.admin, false), (&kept, false), (&left_out, true)];
    let founding = migrated(team.id, &team.admin, &all, &[&team.key], 0);
    let (rotation, packages) =
        rotation_after(team.id, &founding, &team.admin, &[&team.admin, &kept]);

    // A member, even one that lists itself as admin in its founding entry.
    let by_member = migrated(
        team.id,
        &kept,
        &[(&team.admin, false), (&kept, false)],
        &[&team.key],
        0,
    );
    let (r, p) = rotation_after(team.id, &by_member, &kept, &[&team.admin, &kept]);
    record_refused(
        &post_migration(relay, &team, &kept, &[&by_member, &r], p),
        "migration_not_admin",
    );
    // A device the relay does not list, kept.
    let stranger = Device::new();
    let with_stranger = migrated(
        team.id,
        &team.admin,
        &[(&team.admin, false), (&kept, false), (&stranger, false)],
        &[&team.key],
        0,
    );
    let (r, p) = rotation_after(
        team.id,
        &with_stranger,
        &team.admin,
        &[&team.admin, &kept, &stranger],
    );
    record_refused(
        &post_migration(relay, &team, &team.admin, &[&with_stranger, &r], p),
        "migration_device_unknown",
    );
    // A device the relay enrolled left out of the list altogether.
    let missing = migrated(
        team.id,
        &team.admin,
        &[(&team.admin, false), (&kept, false)],
        &[&team.key],
        0,
    );
    let (r, p) = rotation_after(team.id, &missing, &team.admin, &[&team.admin, &kept]);
    record_refused(
        &post_migration(relay, &team, &team.admin, &[&missing, &r], p),
        "migration_device_missing",
    );
    // Epochs the team never had; a log position past the head; no rotation.
    let later = TeamKey::new(2, random());
    let two_epochs = migrated(team.id, &team.admin, &all, &[&team.key, &later], 0);
    let (r, p) = rotation_after(team.id, &two_epochs, &team.admin, &[&team.admin, &kept]);
    record_refused(
        &post_migration(relay, &team, &team.admin, &[&two_epochs, &r], p),
        "migration_epochs",
    );
    let ahead = migrated(team.id, &team.admin, &all, &[&team.key], 1_000);
    let (r, p) = rotation_after(team.id, &ahead, &team.admin, &[&team.admin, &kept]);
    record_refused(
        &post_migration(relay, &team, &team.admin, &[&ahead, &r], p),
        "cutoff_ahead",
    );
    record_refused(
        &post_migration(relay, &team, &team.admin, &[&founding], Vec::new()),
        "migration_without_rotation",
    );
    // A rotation that still reaches the device left out.
    let (r, p) = rotation_after(
        team.id,
        &founding,
        &team.admin,
        &[&team.admin, &kept, &left_out],
    );
    assert_eq!(
        post_migration(relay, &team, &team.admin, &[&founding, &r], p).status,
        403
    );
    relay
        .send(&team.admin, "GET", &team.path("/record"), b"")
        .expect(400, "no_record");

    // The admin's: stored, the device left out revoked, and a lost answer answered again.
    let answer = post_migration(
        relay,
        &team,
        &team.admin,
        &[&founding, &rotation],
        packages.clone(),
    );
    assert_eq!(answer.status, 201, "{}", text(&answer));
    let head: RecordHead = answer.json();
    assert_eq!(head.seq, 1);
    let again = post_migration(relay, &team, &team.admin, &[&founding, &rotation], packages);
    assert_eq!(again.status, 200, "{}", text(&again));
    relay
        .send(&left_out, "GET", &team.path("/record"), b"")
        .expect(403, "revoked");
    assert_eq!(
        relay
            .send(&kept, "GET", &team.path("/record"), b"")
            .page()
            .len(),
        2
    );
    // The older routes are closed now, and a second migration finds the record there.
    let path = format!("/devices/{}/revoke", kept.id);
    relay
        .send(&team.admin, "POST", &team.path(&path), b"")
        .expect(410, "use_team_record");
    let (r, p) = rotation_after(team.id, &founding, &team.admin, &[&team.admin, &kept]);
    let other = migrated(team.id, &team.admin, &all, &[&team.key], 0);
    assert_ne!(other.bytes(), founding.bytes());
    record_refused(
        &post_migration(relay, &team, &team.admin, &[&other, &r], p),
        "founding_via_create_team",
    );
}
