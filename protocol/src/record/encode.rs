//! An entry, byte for byte: [`UncheckedEntry::parse`] and [`NewEntry::sign`].

use super::{
    EntryBody, EntryHeader, EntryKind, FoundingDevice, NewEntry, Origin, RecordError,
    UncheckedEntry,
};
use crate::api::DeviceRole;
use crate::ids::{DeviceId, DocId, TeamId};
use ed25519_dalek::{Signer, SigningKey};

const MAGIC: [u8; 4] = *b"TNR1";
const SIGNING_CONTEXT: &[u8] = b"tandem record v1\0";
/// Where the body starts (the fixed header's length).
pub const BODY_AT: usize = 89;
/// Bytes of the signature at the end.
pub const SIGNATURE_LEN: usize = 64;
/// The largest body an entry may carry (64 KiB).
pub const MAX_BODY_LEN: usize = 64 * 1024;
/// The largest entry.
pub const MAX_ENTRY_LEN: usize = BODY_AT + MAX_BODY_LEN + SIGNATURE_LEN;

fn malformed<T>(why: &'static str) -> Result<T, RecordError> {
    Err(RecordError::Malformed(why))
}

/// Reads big-endian fields from a slice, refusing to run past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let Some(end) = end else {
            return malformed("body truncated");
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RecordError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, RecordError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, RecordError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, RecordError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn finished(&self) -> bool {
        self.at == self.bytes.len()
    }
}

fn role_from(b: u8) -> Result<DeviceRole, RecordError> {
    match b {
        0 => Ok(DeviceRole::Admin),
        1 => Ok(DeviceRole::Member),
        _ => malformed("unknown role"),
    }
}

fn role_byte(role: DeviceRole) -> u8 {
    match role {
        DeviceRole::Admin => 0,
        DeviceRole::Member => 1,
    }
}

/// Whether every key is strictly greater than the one before (sorted, no duplicates).
fn strictly_ascending<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> bool {
    items.windows(2).all(|w| key(&w[0]) < key(&w[1]))
}

fn parse_body(kind: EntryKind, body: &[u8]) -> Result<EntryBody, RecordError> {
    let mut r = Reader::new(body);
    let out = match kind {
        EntryKind::Founding => {
            let origin = match r.u8()? {
                0 => Origin::New,
                1 => Origin::Migrated,
                _ => return malformed("unknown origin"),
            };
            let count = r.u16()?;
            let mut devices = Vec::new();
            for _ in 0..count {
                let device = DeviceId(r.array()?);
                let key = r.array()?;
                let role = role_from(r.u8()?)?;
                let removed = match r.u8()? {
                    0 => false,
                    1 => true,
                    _ => return malformed("unknown device state"),
                };
                let member = r.array()?;
                devices.push(FoundingDevice {
                    device,
                    key,
                    role,
                    removed,
                    member,
                });
            }
            if !strictly_ascending(&devices, |d| d.device) {
                return malformed("devices not sorted or duplicated");
            }
            let count = r.u16()?;
            let mut epochs = Vec::new();
            for _ in 0..count {
                epochs.push((r.u32()?, r.array()?));
            }
            if !strictly_ascending(&epochs, |e| e.0) {
                return malformed("epochs not sorted or duplicated");
            }
            EntryBody::Founding {
                origin,
                devices,
                epochs,
                legacy_log_head: r.u64()?,
            }
        }
        EntryKind::InviteCreated => EntryBody::InviteCreated {
            invite_id: r.array()?,
            invite_key: r.array()?,
            expires_at_ms: r.u64()?,
        },
        EntryKind::InviteRevoked => EntryBody::InviteRevoked {
            invite_id: r.array()?,
        },
        EntryKind::DeviceJoined => EntryBody::DeviceJoined {
            invite_id: r.array()?,
            device_key: r.array()?,
            member: r.array()?,
            has_epochs_to: r.u32()?,
            invite_proof: r.array()?,
        },
        EntryKind::RoleChanged => EntryBody::RoleChanged {
            device: DeviceId(r.array()?),
            role: role_from(r.u8()?)?,
        },
        EntryKind::DeviceRemoved => EntryBody::DeviceRemoved {
            device: DeviceId(r.array()?),
            cutoff_log_seq: r.u64()?,
            cascade_since: r.u64()?,
        },
        EntryKind::KeyEpoch => {
            let epoch = r.u32()?;
            let commitment = r.array()?;
            let count = r.u16()?;
            let mut recipients = Vec::new();
            for _ in 0..count {
                recipients.push(DeviceId(r.array()?));
            }
            if !strictly_ascending(&recipients, |d| *d) {
                return malformed("recipients not sorted or duplicated");
            }
            EntryBody::KeyEpoch {
                epoch,
                commitment,
                recipients,
            }
        }
        EntryKind::DocErased => EntryBody::DocErased {
            doc: DocId(r.array()?),
        },
        EntryKind::RelayRestored => EntryBody::RelayRestored {
            log_head: r.u64()?,
            log_chain: r.array()?,
        },
        EntryKind::ForkResolved => {
            let fork_seq = r.u64()?;
            let count = r.u8()?;
            let mut abandoned = Vec::new();
            for _ in 0..count {
                abandoned.push(r.array()?);
            }
            if !strictly_ascending(&abandoned, |t| *t) {
                return malformed("abandoned tags not sorted or duplicated");
            }
            EntryBody::ForkResolved {
                fork_seq,
                abandoned,
            }
        }
    };
    if !r.finished() {
        return malformed("trailing bytes in the body");
    }
    Ok(out)
}

/// Writes a body. Returns why it does not fit the layout, if it does not (a count too large
/// for its field, or a list not strictly ascending); the bytes are written anyway.
fn write_body(body: &EntryBody, out: &mut Vec<u8>) -> Option<&'static str> {
    let mut unfit = None;
    let mut count = |n: usize, wide: bool, out: &mut Vec<u8>| {
        let max = if wide {
            usize::from(u16::MAX)
        } else {
            usize::from(u8::MAX)
        };
        if n > max {
            unfit = Some("a list is too long for its count");
        }
        if wide {
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            out.push(n as u8);
        }
    };
    match body {
        EntryBody::Founding {
            origin,
            devices,
            epochs,
            legacy_log_head,
        } => {
            out.push(match origin {
                Origin::New => 0,
                Origin::Migrated => 1,
            });
            count(devices.len(), true, out);
            for d in devices {
                out.extend_from_slice(&d.device.0);
                out.extend_from_slice(&d.key);
                out.push(role_byte(d.role));
                out.push(u8::from(d.removed));
                out.extend_from_slice(&d.member);
            }
            count(epochs.len(), true, out);
            for (epoch, commitment) in epochs {
                out.extend_from_slice(&epoch.to_be_bytes());
                out.extend_from_slice(commitment);
            }
            out.extend_from_slice(&legacy_log_head.to_be_bytes());
        }
        EntryBody::InviteCreated {
            invite_id,
            invite_key,
            expires_at_ms,
        } => {
            out.extend_from_slice(invite_id);
            out.extend_from_slice(invite_key);
            out.extend_from_slice(&expires_at_ms.to_be_bytes());
        }
        EntryBody::InviteRevoked { invite_id } => out.extend_from_slice(invite_id),
        EntryBody::DeviceJoined {
            invite_id,
            device_key,
            member,
            has_epochs_to,
            invite_proof,
        } => {
            out.extend_from_slice(invite_id);
            out.extend_from_slice(device_key);
            out.extend_from_slice(member);
            out.extend_from_slice(&has_epochs_to.to_be_bytes());
            out.extend_from_slice(invite_proof);
        }
        EntryBody::RoleChanged { device, role } => {
            out.extend_from_slice(&device.0);
            out.push(role_byte(*role));
        }
        EntryBody::DeviceRemoved {
            device,
            cutoff_log_seq,
            cascade_since,
        } => {
            out.extend_from_slice(&device.0);
            out.extend_from_slice(&cutoff_log_seq.to_be_bytes());
            out.extend_from_slice(&cascade_since.to_be_bytes());
        }
        EntryBody::KeyEpoch {
            epoch,
            commitment,
            recipients,
        } => {
            out.extend_from_slice(&epoch.to_be_bytes());
            out.extend_from_slice(commitment);
            count(recipients.len(), true, out);
            for d in recipients {
                out.extend_from_slice(&d.0);
            }
        }
        EntryBody::DocErased { doc } => out.extend_from_slice(&doc.0),
        EntryBody::RelayRestored {
            log_head,
            log_chain,
        } => {
            out.extend_from_slice(&log_head.to_be_bytes());
            out.extend_from_slice(log_chain);
        }
        EntryBody::ForkResolved {
            fork_seq,
            abandoned,
        } => {
            out.extend_from_slice(&fork_seq.to_be_bytes());
            count(abandoned.len(), false, out);
            for tag in abandoned {
                out.extend_from_slice(tag);
            }
        }
    }
    if let EntryBody::Founding {
        devices, epochs, ..
    } = body
    {
        if !strictly_ascending(devices, |d| d.device) || !strictly_ascending(epochs, |e| e.0) {
            unfit = Some("two list items share an id");
        }
    }
    unfit
}

/// The body with its lists sorted ascending and exact duplicates dropped.
fn canonical(body: &EntryBody) -> EntryBody {
    let mut body = body.clone();
    match &mut body {
        EntryBody::Founding {
            devices, epochs, ..
        } => {
            devices.sort_by_key(|d| d.device);
            devices.dedup();
            epochs.sort();
            epochs.dedup();
        }
        EntryBody::KeyEpoch { recipients, .. } => {
            recipients.sort();
            recipients.dedup();
        }
        EntryBody::ForkResolved { abandoned, .. } => {
            abandoned.sort();
            abandoned.dedup();
        }
        _ => {}
    }
    body
}

impl UncheckedEntry {
    /// Parses an entry: the layout, sorted lists, bounds, no trailing bytes. Nothing is
    /// verified (not even the signature).
    pub fn parse(bytes: &[u8]) -> Result<Self, RecordError> {
        if bytes.len() < BODY_AT + SIGNATURE_LEN {
            return malformed("shorter than an entry");
        }
        if bytes[..4] != MAGIC {
            return malformed("not a version 1 record entry");
        }
        let Some(kind) = EntryKind::from_u8(bytes[4]) else {
            return malformed("unknown entry kind");
        };
        let mut r = Reader::new(&bytes[5..BODY_AT]);
        let team = TeamId(r.array()?);
        let seq = r.u64()?;
        let prev = r.array()?;
        let author = DeviceId(r.array()?);
        let time_ms = r.u64()?;
        let n = r.u32()? as usize;
        if n > MAX_BODY_LEN {
            return malformed("body over 64 KiB");
        }
        if bytes.len() != BODY_AT + n + SIGNATURE_LEN {
            return malformed("length does not match the body length");
        }
        let body = parse_body(kind, &bytes[BODY_AT..BODY_AT + n])?;
        Ok(Self {
            header: EntryHeader {
                kind,
                team,
                seq,
                prev,
                author,
                time_ms,
            },
            body,
            bytes: bytes.to_vec(),
            unfit: None,
        })
    }

    /// Why [`NewEntry::sign`] could not encode this entry canonically, if it could not.
    pub(crate) fn unfit(&self) -> Option<&'static str> {
        self.unfit
    }

    /// What the author signed: `"tandem record v1\0" ‖ bytes 0..89+n`.
    pub(crate) fn signed_message(&self) -> Vec<u8> {
        let end = self.bytes.len() - SIGNATURE_LEN;
        let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + end);
        m.extend_from_slice(SIGNING_CONTEXT);
        m.extend_from_slice(&self.bytes[..end]);
        m
    }

    /// The signature's bytes.
    pub(crate) fn signature(&self) -> [u8; 64] {
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&self.bytes[self.bytes.len() - SIGNATURE_LEN..]);
        sig
    }
}

impl NewEntry {
    /// Encodes (lists sorted, exact duplicates dropped) and signs with the author's key.
    ///
    /// An entry the layout cannot carry (a body over 64 KiB, a list longer than its count, two
    /// list items with one id) still comes back, but every [`super::RecordState`] check refuses
    /// it as [`RecordError::Malformed`] and its bytes do not parse; [`NewEntry::try_sign`] says
    /// so at once.
    pub fn sign(&self, key: &SigningKey) -> UncheckedEntry {
        let (entry, _) = self.encode(key);
        entry
    }

    /// [`NewEntry::sign`], refusing an entry the layout cannot carry.
    pub fn try_sign(&self, key: &SigningKey) -> Result<UncheckedEntry, RecordError> {
        match self.encode(key) {
            (entry, None) => Ok(entry),
            (_, Some(why)) => malformed(why),
        }
    }

    fn encode(&self, key: &SigningKey) -> (UncheckedEntry, Option<&'static str>) {
        let body = canonical(&self.body);
        let mut encoded = Vec::new();
        let mut unfit = write_body(&body, &mut encoded);
        if encoded.len() > MAX_BODY_LEN {
            unfit = Some("body over 64 KiB");
        }
        let kind = body.kind();
        let mut bytes = Vec::with_capacity(BODY_AT + encoded.len() + SIGNATURE_LEN);
        bytes.extend_from_slice(&MAGIC);
        bytes.push(kind.as_u8());
        bytes.extend_from_slice(&self.team.0);
        bytes.extend_from_slice(&self.seq.to_be_bytes());
        bytes.extend_from_slice(&self.prev);
        bytes.extend_from_slice(&self.author.0);
        bytes.extend_from_slice(&self.time_ms.to_be_bytes());
        bytes.extend_from_slice(&(encoded.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&encoded);
        let mut message = Vec::with_capacity(SIGNING_CONTEXT.len() + bytes.len());
        message.extend_from_slice(SIGNING_CONTEXT);
        message.extend_from_slice(&bytes);
        bytes.extend_from_slice(&key.sign(&message).to_bytes());
        let entry = UncheckedEntry {
            header: EntryHeader {
                kind,
                team: self.team,
                seq: self.seq,
                prev: self.prev,
                author: self.author,
                time_ms: self.time_ms,
            },
            body,
            bytes,
            unfit,
        };
        (entry, unfit)
    }
}
