//! Pulling: on a first sync the relay's snapshots, then the log page by page, each page
//! verified, opened and applied in one transaction with the cursor, which never moves past
//! an envelope that was refused. What a device of the team signed but this device cannot
//! read is set aside in that same transaction, and the pull goes on.

use super::link::TeamLink;
use super::opener::{Checked, Opener};
use super::report::{SyncProgress, SyncReport};
use super::sealing::kind_of;
use super::SyncError;
use crate::vault::{
    ChunkOrigin, IncomingChanges, IncomingSnapshot, PulledPage, RelayTrail, SetAside,
    SetAsideReason, SharedVault,
};
use std::collections::HashMap;
use tandem_protocol::api::{DEFAULT_PAGE, SNAPSHOT_PAGE};
use tandem_protocol::envelope::{envelope_id, EnvelopeHeader, UncheckedEnvelope};
use tandem_protocol::{DocId, EnvelopeKind, PlainChange};

/// Groups opened changes by document, keeping their order and where each came from.
fn group(changes: Vec<(PlainChange, ChunkOrigin)>) -> Vec<IncomingChanges> {
    let mut order: Vec<IncomingChanges> = Vec::new();
    let mut index: HashMap<DocId, usize> = HashMap::new();
    for (c, origin) in changes {
        let i = *index.entry(c.doc).or_insert_with(|| {
            order.push(IncomingChanges {
                doc_id: c.doc.to_hex(),
                kind: kind_of(c.class),
                chunks: Vec::new(),
                origins: Vec::new(),
            });
            order.len() - 1
        });
        order[i].chunks.push(c.payload);
        order[i].origins.push(origin);
    }
    order
}

fn origin(seq: u64, h: &EnvelopeHeader) -> ChunkOrigin {
    ChunkOrigin {
        seq,
        author: h.author.to_hex(),
        epoch: h.epoch,
    }
}

/// Sorts what checking an envelope of the log found: a change to apply, or one to set aside.
/// `None`: refused, the pull stops before it.
fn sort_out(
    checked: Checked,
    seq: u64,
    h: &EnvelopeHeader,
    opened: &mut Vec<(PlainChange, ChunkOrigin)>,
    set_aside: &mut Vec<SetAside>,
) -> Option<()> {
    let (reason, sealed, bytes) = match checked {
        Checked::Opened(p) if p.kind == EnvelopeKind::Change => {
            opened.push((p, origin(seq, h)));
            return Some(());
        }
        // A snapshot has no place in the log. Nothing of what it holds is kept: it may be a
        // whole record (even one erased since), and it will never be applied.
        Checked::Opened(_) => (SetAsideReason::NotAChange, false, Vec::new()),
        Checked::Unreadable { reason, envelope } => (reason, true, envelope),
        Checked::Refused => return None,
    };
    set_aside.push(SetAside {
        origin: origin(seq, h),
        doc_id: h.doc.to_hex(),
        reason,
        sealed,
        bytes,
    });
    Some(())
}

/// Notes that the relay went back, and says so: nothing more is taken from it or sent to it.
fn went_back(vault: &SharedVault, seen: u64, relay: u64) -> SyncError {
    match vault.lock().note_relay_went_back(seen, relay) {
        Ok(()) => SyncError::RelayWentBack { seen, relay },
        Err(e) => e.into(),
    }
}

/// Checks, before pulling after `cursor`, that the relay still holds the log this device saw:
/// a head not below the highest it announced, and at the cursor the envelope this device
/// applied there (an erased or collected one is gone, which proves nothing either way). Another
/// envelope there counts only if a device of the team really signed it (another history);
/// altered bytes are refused as any altered envelope is, and the pull is tried again later.
/// One small request; not made for the long polls that follow a first pull.
fn check_not_gone_back(
    vault: &SharedVault,
    link: &TeamLink,
    opener: &mut Opener,
    trail: &RelayTrail,
    cursor: u64,
) -> Result<(), SyncError> {
    let Some((seq, id)) = trail.at_cursor.filter(|(s, _)| *s == cursor && cursor > 0) else {
        return Ok(());
    };
    let page = link.client.pull(link.team, cursor - 1, 1, 0)?;
    if page.head < trail.seen_head {
        return Err(went_back(vault, trail.seen_head, page.head));
    }
    let Some((_, there)) = page.items.iter().find(|(s, _)| *s == seq) else {
        return Ok(());
    };
    if envelope_id(there) == id {
        return Ok(());
    }
    if opener.is_genuine(there) {
        return Err(went_back(vault, trail.seen_head, page.head));
    }
    Err(SyncError::Refused(1))
}

/// Tries again the envelopes set aside for want of a key this device now holds.
fn retry_set_aside(
    vault: &SharedVault,
    link: &TeamLink,
    opener: &mut Opener,
    announced: Option<u32>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    // Waiting for an epoch the team has reached but this device lacks: a relay held its key
    // back (perhaps while delivering a later one). Ask again. An epoch past the team's is a
    // member's junk and asks nothing.
    let lacking = vault
        .lock()
        .set_aside_epochs_waiting()?
        .into_iter()
        .any(|e| announced.is_some_and(|a| e <= a) && !opener.epochs().contains(&e));
    if lacking {
        opener.refresh_keys(vault, link)?;
    }
    let waiting = vault.lock().set_aside_to_retry(&opener.epochs())?;
    if waiting.is_empty() {
        return Ok(());
    }
    let mut page = PulledPage::default();
    let mut opened = Vec::new();
    for (seq, bytes) in waiting {
        let Ok(u) = UncheckedEnvelope::parse(bytes) else {
            continue;
        };
        let h = *u.header();
        let checked = opener.open_parsed(vault, link, u, seq)?;
        if matches!(
            checked,
            Checked::Refused
                | Checked::Unreadable {
                    reason: SetAsideReason::UnknownEpoch,
                    ..
                }
        ) {
            continue;
        }
        page.resolved.push(seq);
        sort_out(checked, seq, &h, &mut opened, &mut page.set_aside);
    }
    let resolved = page.resolved.len();
    page.docs = group(opened);
    let r = vault.lock().apply_page(page)?;
    report.documents_updated += r.learnt;
    // Set aside again (now for another reason) are not read.
    report.set_aside_read += resolved.saturating_sub(r.set_aside);
    Ok(())
}

/// On a first sync, takes in the relay's snapshots a page at a time (a new device holds one
/// page, whatever the team's size), noting in `covered` what each one taken in covers. The
/// pages must come in document order, each document once: a relay that sends one again or
/// out of order (and so could keep a device paging for ever) is refused.
fn take_snapshots(
    vault: &SharedVault,
    link: &TeamLink,
    opener: &mut Opener,
    report: &mut SyncReport,
    covered: &mut HashMap<DocId, u64>,
) -> Result<(), SyncError> {
    let mut after: Option<DocId> = None;
    loop {
        let page = link.client.snapshot_page(link.team, after, SNAPSHOT_PAGE)?;
        if page.items.len() > SNAPSHOT_PAGE {
            return Err(SyncError::Protocol(
                "the relay sent a page of snapshots too long",
            ));
        }
        let mut opened = Vec::with_capacity(page.items.len());
        let mut advanced = false;
        for (covers, bytes) in page.items {
            report.pulled += 1;
            let Ok(unchecked) = UncheckedEnvelope::parse(bytes) else {
                report.refused += 1;
                continue;
            };
            // In order by the header's document (what the relay pages by).
            let doc = unchecked.header().doc;
            if after.is_some_and(|a| doc <= a) {
                return Err(SyncError::Protocol("the relay sent snapshots out of order"));
            }
            // Held by the relay as of now, not at a place in the log: only a device active
            // in the team today vouches for it.
            let checked = opener.open_parsed(vault, link, unchecked, u64::MAX)?;
            if matches!(checked, Checked::Refused) {
                // Signed by no device of the team: it moves nothing on, or a relay could
                // page a device for ever (or past real snapshots) with made-up ones.
                report.refused += 1;
                continue;
            }
            after = Some(doc);
            advanced = true;
            match checked {
                Checked::Opened(p) if p.kind == EnvelopeKind::Snapshot => {
                    opened.push(IncomingSnapshot {
                        doc_id: p.doc.to_hex(),
                        kind: kind_of(p.class),
                        covers,
                        payload: p.payload,
                    })
                }
                _ => report.refused += 1,
            }
        }
        if page.more && !advanced {
            // Every page must move on by a snapshot a device of the team signed.
            return Err(SyncError::Protocol(
                "the relay announced more snapshots but sent none",
            ));
        }
        if !opened.is_empty() {
            let r = vault.lock().apply_snapshots(opened)?;
            report.documents_updated += r.learnt;
            report.refused += r.refused;
            // Only what was taken in: the log replays any document whose snapshot was not.
            for (doc, c) in r.taken {
                if let Ok(doc) = doc.parse::<DocId>() {
                    covered.insert(doc, c);
                }
            }
            opener.devices = vault.lock().team_device_keys()?;
        }
        if !page.more {
            return Ok(());
        }
    }
}

/// Pulls and applies the log page by page. On a device's first sync, the relay's snapshots
/// come first and log envelopes they cover are skipped.
pub(super) fn pull(
    vault: &SharedVault,
    link: &TeamLink,
    wait_ms: u64,
    report: &mut SyncReport,
    progress: &dyn Fn(SyncProgress),
) -> Result<(), SyncError> {
    let (mut opener, mut cursor) = {
        let mut v = vault.lock();
        let cursor = if v.full_pull_requested()? {
            0
        } else {
            v.sync_cursor()?
        };
        (Opener::new(&mut v)?, cursor)
    };
    let trail = vault.lock().relay_trail()?;
    if let Some((seen, relay)) = trail.went_back {
        return Err(SyncError::RelayWentBack { seen, relay });
    }
    if wait_ms == 0 {
        check_not_gone_back(vault, link, &mut opener, &trail, cursor)?;
    }
    let full_pull = cursor == 0;
    let mut covered: HashMap<DocId, u64> = HashMap::new();
    if cursor == 0 {
        take_snapshots(vault, link, &mut opener, report, &mut covered)?;
    }
    let mut wait = wait_ms;
    // The highest key epoch the relay said the team is at.
    let mut announced: Option<u32> = None;
    let mut incomplete = 0;
    loop {
        let page = link.client.pull(link.team, cursor, DEFAULT_PAGE, wait)?;
        wait = 0;
        if page.head < trail.seen_head.max(cursor) {
            return Err(went_back(vault, trail.seen_head.max(cursor), page.head));
        }
        opener.note_epoch(vault, link, page.epoch)?;
        announced = announced.max(page.epoch);
        report.head = page.head;
        // Defensive: in order, once each, only what is new (a relay may reorder or replay).
        let mut items = page.items;
        items.sort_by_key(|(seq, _)| *seq);
        items.dedup_by_key(|(seq, _)| *seq);
        items.retain(|(seq, _)| *seq > cursor);
        let Some(last) = items.last().map(|(s, _)| *s) else {
            if page.more {
                return Err(SyncError::Protocol(
                    "the relay announced more but sent nothing new",
                ));
            }
            break;
        };
        // What this device pushed itself in this range: the same envelope is skipped.
        let own = vault.lock().take_pushed_upto(last);
        let mut opened = Vec::with_capacity(items.len());
        let mut set_aside = Vec::new();
        let mut applied_to = last;
        let mut refused = 0;
        let mut previous = cursor;
        let mut last_id = None;
        for (seq, bytes) in items {
            report.pulled += 1;
            let id = envelope_id(&bytes);
            if own.get(&seq) == Some(&id) {
                // Written here, and held here since: nothing to check or apply.
                previous = seq;
                last_id = Some((seq, id));
                continue;
            }
            let parsed = UncheckedEnvelope::parse(bytes);
            if let Ok(u) = &parsed {
                // A snapshot taken in holds it already: not even worth checking.
                if covered.get(&u.header().doc).is_some_and(|c| seq <= *c) {
                    previous = seq;
                    last_id = Some((seq, id));
                    continue;
                }
            }
            let sorted = match parsed {
                Ok(u) => {
                    let h = *u.header();
                    let checked = opener.open_parsed(vault, link, u, seq)?;
                    sort_out(checked, seq, &h, &mut opened, &mut set_aside)
                }
                Err(_) => None,
            };
            if sorted.is_none() {
                // Stop before it: nothing after a refused envelope is applied, so the
                // cursor never moves past a change this device has not really got.
                refused += 1;
                applied_to = previous;
                break;
            }
            previous = seq;
            last_id = Some((seq, id));
        }
        let r = vault.lock().apply_page(PulledPage {
            docs: group(opened),
            cursor: Some(applied_to),
            set_aside,
            resolved: Vec::new(),
            head: Some(page.head),
            at_cursor: last_id.filter(|(s, _)| *s == applied_to),
        })?;
        report.documents_updated += r.learnt;
        report.refused += r.refused.len() + refused;
        report.set_aside += r.set_aside;
        incomplete = r.incomplete;
        cursor = applied_to;
        progress(SyncProgress::Pulling(cursor, page.head));
        if refused > 0 {
            return Err(SyncError::Refused(refused));
        }
        if r.learnt > 0 && opener.devices.is_empty() {
            opener.devices = vault.lock().team_device_keys()?;
        }
        if !page.more {
            break;
        }
    }
    retry_set_aside(vault, link, &mut opener, announced, report)?;
    // Records stored from a snapshot that changed since are read now, so what lists show
    // is up to date when the sync returns.
    vault.lock().check_changed_deferred()?;
    if full_pull {
        vault.lock().full_pull_done()?;
    }
    if incomplete > 0 {
        // Some document holds changes whose predecessors never came: the relay withheld or
        // lost them. Ask for the whole log again next time (Automerge drops what it has).
        vault.lock().request_full_pull()?;
    }
    Ok(())
}
