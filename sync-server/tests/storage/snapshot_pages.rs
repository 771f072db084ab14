//! Snapshots by the page and by the batch, each case over any backend: pages come in
//! document order within their count and byte limits and say when more follow; a batch is
//! stored whole (one outcome each, in order) or, refused, not at all.

use crate::support::{doc, envelope, new_team, Backend, NOW};
use tandem_protocol::DocId;
use tandem_relay::storage::{Quota, Refusal, SnapshotOutcome, SnapshotPageRequest, StorageError};

use crate::support::sized_snapshot as snapshot;

fn page(after: Option<DocId>, limit: usize, max_bytes: usize) -> SnapshotPageRequest {
    SnapshotPageRequest {
        after,
        limit,
        max_bytes,
    }
}

pub async fn snapshot_pages_keep_document_order_and_limits(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let mut docs: Vec<DocId> = (0..7).map(|_| doc()).collect();
    for d in &docs {
        s.append(t, vec![envelope(*d)], NOW).await.unwrap();
    }
    let sizes: std::collections::HashMap<DocId, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (*d, 100 + i))
        .collect();
    let batch = docs
        .iter()
        .map(|d| snapshot(*d, 7, admin, sizes[d]))
        .collect();
    let roomy = Quota {
        max_bytes: 1 << 30,
        max_envelopes: 1 << 20,
    };
    let outcomes = s.put_snapshots_within(t, batch, roomy).await.unwrap();
    assert_eq!(outcomes, [SnapshotOutcome::Stored; 7]);
    docs.sort();

    // Three at a time: 3, 3, 1, then nothing more.
    let mut seen = Vec::new();
    let mut after = None;
    let mut mores = Vec::new();
    loop {
        let p = s
            .snapshot_page(t, page(after, 3, usize::MAX))
            .await
            .unwrap();
        assert!(p.items.len() <= 3);
        mores.push(p.more);
        for item in &p.items {
            // Each document's own snapshot.
            assert_eq!((item.covers, item.bytes.len()), (7, sizes[&item.doc]));
        }
        seen.extend(p.items.iter().map(|i| i.doc));
        after = p.items.last().map(|i| i.doc);
        if !p.more {
            break;
        }
    }
    assert_eq!(seen, docs, "every document once, in order");
    assert_eq!(mores, [true, true, false]);

    // The byte budget cuts a page short, but never to nothing.
    let cut = s.snapshot_page(t, page(None, 7, 250)).await.unwrap();
    assert_eq!((cut.items.len(), cut.more), (2, true));
    let tiny = s.snapshot_page(t, page(None, 7, 1)).await.unwrap();
    assert_eq!((tiny.items.len(), tiny.more), (1, true));
    // After the last document: nothing, and no more.
    let end = s
        .snapshot_page(t, page(docs.last().copied(), 7, usize::MAX))
        .await
        .unwrap();
    assert!(end.items.is_empty() && !end.more);
}

pub async fn a_snapshot_batch_is_stored_whole_or_not_at_all(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (a, b, c) = (doc(), doc(), doc());
    for d in [a, b, c, a] {
        s.append(t, vec![envelope(d)], NOW).await.unwrap();
    }
    let before = s.usage(t).await.unwrap();
    // Room for about two snapshots of 400 bytes past what the log holds: the third refuses
    // the batch, and neither of the first two is kept.
    let quota = Quota {
        max_bytes: before.1 + 700,
        max_envelopes: 100,
    };
    let three = vec![
        snapshot(a, 4, admin, 400),
        snapshot(b, 4, admin, 400),
        snapshot(c, 4, admin, 400),
    ];
    match s.put_snapshots_within(t, three, quota).await {
        Err(StorageError::Refused(Refusal::QuotaBytes)) => {}
        other => panic!("expected the byte quota, got {other:?}"),
    }
    assert!(s.snapshots(t).await.unwrap().is_empty());
    assert_eq!(s.usage(t).await.unwrap(), before);

    // One outcome each, in order: a newer one stored, an older one superseded within the
    // same batch, an erased document's dropped.
    s.erase_doc(t, c, NOW).await.unwrap();
    let outcomes = s
        .put_snapshots_within(
            t,
            vec![
                snapshot(a, 4, admin, 50),
                snapshot(a, 3, admin, 50),
                snapshot(c, 4, admin, 50),
                snapshot(b, 2, admin, 50),
            ],
            quota,
        )
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        [
            SnapshotOutcome::Stored,
            SnapshotOutcome::Superseded,
            SnapshotOutcome::Erased,
            SnapshotOutcome::Stored,
        ]
    );
    let stored = s.snapshots(t).await.unwrap();
    assert_eq!(stored.len(), 2);
    // Once the only device is past the log, what the snapshots cover goes (a's two
    // envelopes, b's one; c's went with its erasure): the snapshots' bytes are what is left.
    s.set_cursor(t, admin, 4).await.unwrap();
    let (_, bytes) = s.usage(t).await.unwrap();
    assert_eq!(bytes, 100);
}
