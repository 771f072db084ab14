//! Pulling: on a first sync the relay's snapshots, then the log page by page, each page
//! verified, opened and applied in one transaction with the cursor, which never moves past
//! an envelope that was refused.

use super::link::TeamLink;
use super::opener::Opener;
use super::report::{SyncProgress, SyncReport};
use super::sealing::kind_of;
use super::SyncError;
use crate::vault::{IncomingChanges, IncomingSnapshot, SharedVault};
use std::collections::HashMap;
use tandem_protocol::api::DEFAULT_PAGE;
use tandem_protocol::envelope::UncheckedEnvelope;
use tandem_protocol::{DocId, EnvelopeKind, PlainChange};

/// Groups opened changes by document, keeping their order.
fn group(changes: Vec<PlainChange>) -> Vec<IncomingChanges> {
    let mut order: Vec<IncomingChanges> = Vec::new();
    let mut index: HashMap<DocId, usize> = HashMap::new();
    for c in changes {
        let i = *index.entry(c.doc).or_insert_with(|| {
            order.push(IncomingChanges {
                doc_id: c.doc.to_hex(),
                kind: kind_of(c.class),
                chunks: Vec::new(),
            });
            order.len() - 1
        });
        order[i].chunks.push(c.payload);
    }
    order
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
    let full_pull = cursor == 0;
    let mut covered: HashMap<DocId, u64> = HashMap::new();
    if cursor == 0 {
        let snapshots = link.client.snapshots(link.team)?;
        let mut opened = Vec::with_capacity(snapshots.len());
        for (covers, bytes) in snapshots {
            report.pulled += 1;
            match opener.open(vault, link, bytes)? {
                Some(p) if p.kind == EnvelopeKind::Snapshot => opened.push(IncomingSnapshot {
                    doc_id: p.doc.to_hex(),
                    kind: kind_of(p.class),
                    covers,
                    payload: p.payload,
                }),
                _ => report.refused += 1,
            }
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
    }
    let mut wait = wait_ms;
    let mut incomplete = 0;
    loop {
        let page = link.client.pull(link.team, cursor, DEFAULT_PAGE, wait)?;
        wait = 0;
        opener.note_epoch(vault, link, page.epoch)?;
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
        let mut opened = Vec::with_capacity(items.len());
        let mut applied_to = last;
        let mut refused = 0;
        let mut previous = cursor;
        for (seq, bytes) in items {
            report.pulled += 1;
            let parsed = UncheckedEnvelope::parse(bytes);
            if let Ok(u) = &parsed {
                // A snapshot taken in holds it already: not even worth checking.
                if covered.get(&u.header().doc).is_some_and(|c| seq <= *c) {
                    previous = seq;
                    continue;
                }
            }
            let opened_one = match parsed {
                Ok(u) => opener.open_parsed(vault, link, u)?,
                Err(_) => None,
            };
            match opened_one {
                Some(p) if p.kind == EnvelopeKind::Change => {
                    opened.push(p);
                }
                _ => {
                    // Stop before it: nothing after a refused envelope is applied, so the
                    // cursor never moves past a change this device has not really got.
                    refused += 1;
                    applied_to = previous;
                    break;
                }
            }
            previous = seq;
        }
        let r = vault.lock().apply_page(group(opened), Some(applied_to))?;
        report.documents_updated += r.learnt;
        report.refused += r.refused.len() + refused;
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
