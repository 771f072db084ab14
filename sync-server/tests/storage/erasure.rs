//! Who may erase what, each case over any backend: never the team document; another one
//! only by an admin or by the device that wrote its first envelope; a refused erasure
//! changes nothing; and what is pushed to an erased document afterwards is answered as
//! erased, never as a plain duplicate.

use crate::support::{device, doc, enrol, envelope, new_team, Backend, NOW};
use tandem_protocol::DocId;
use tandem_relay::storage::{PageRequest, Quota, Refusal, StorageError};

const QUOTA: Quota = Quota {
    max_bytes: u64::MAX,
    max_envelopes: u64::MAX,
};

fn everything() -> PageRequest {
    PageRequest {
        after: 0,
        limit: 100_000,
        skip_covered: false,
        max_bytes: usize::MAX,
    }
}

pub async fn the_team_document_is_never_erased(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let team_doc = DocId(t.0);
    s.push_by(t, admin, vec![envelope(team_doc)], 1, QUOTA, NOW)
        .await
        .unwrap();
    for (who, is_admin) in [(admin, true), (device(), false)] {
        assert!(matches!(
            s.erase_doc_by(t, team_doc, who, is_admin, NOW).await,
            Err(StorageError::Refused(Refusal::TeamDocument))
        ));
    }
    assert!(s.erased_among(t, vec![team_doc]).await.unwrap().is_empty());
    assert_eq!(s.page(t, everything()).await.unwrap().items.len(), 1);
    // Later changes to it are stored as ever.
    let later = s
        .push_by(t, admin, vec![envelope(team_doc)], 1, QUOTA, NOW)
        .await
        .unwrap();
    assert_eq!((later[0].seq, later[0].erased), (2, false));
}

pub async fn only_an_admin_or_the_first_writer_erases(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (writer, other) = (enrol(s, t, admin).await, enrol(s, t, admin).await);
    let (theirs, by_admin, unknown) = (doc(), doc(), doc());
    s.push_by(t, writer, vec![envelope(theirs)], 1, QUOTA, NOW)
        .await
        .unwrap();
    // A later writer of the same record does not become its first.
    s.push_by(t, other, vec![envelope(theirs)], 1, QUOTA, NOW)
        .await
        .unwrap();
    s.push_by(t, writer, vec![envelope(by_admin)], 1, QUOTA, NOW)
        .await
        .unwrap();
    // Stored before authors were kept, with bytes whose header names nobody readable.
    s.append(t, vec![envelope(unknown)], NOW).await.unwrap();

    assert!(matches!(
        s.erase_doc_by(t, theirs, other, false, NOW).await,
        Err(StorageError::Refused(Refusal::NotDocAuthor))
    ));
    assert!(matches!(
        s.erase_doc_by(t, unknown, writer, false, NOW).await,
        Err(StorageError::Refused(Refusal::NotDocAuthor))
    ));
    // A document nobody wrote to yet: admins only.
    assert!(matches!(
        s.erase_doc_by(t, doc(), writer, false, NOW).await,
        Err(StorageError::Refused(Refusal::NotDocAuthor))
    ));
    // Refused: nothing changed.
    assert!(s
        .erased_among(t, vec![theirs, unknown])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.page(t, everything()).await.unwrap().items.len(), 4);

    assert_eq!(
        s.erase_doc_by(t, theirs, writer, false, NOW).await.unwrap(),
        2
    );
    assert_eq!(
        s.erase_doc_by(t, by_admin, admin, true, NOW).await.unwrap(),
        1
    );
    assert_eq!(
        s.erase_doc_by(t, unknown, admin, true, NOW).await.unwrap(),
        1
    );
    assert_eq!(
        s.erased_among(t, vec![theirs, by_admin, unknown])
            .await
            .unwrap()
            .len(),
        3
    );
}

pub async fn a_push_to_an_erased_document_is_said_to_be_erased(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let d = doc();
    let before = envelope(d);
    s.push_by(t, admin, vec![before.clone()], 1, QUOTA, NOW)
        .await
        .unwrap();
    s.erase_doc_by(t, d, admin, true, NOW).await.unwrap();
    let (late, other) = (envelope(d), envelope(doc()));
    let answer = s
        .push_by(t, admin, vec![late, before, other], 1, QUOTA, NOW)
        .await
        .unwrap();
    let seen: Vec<_> = answer
        .iter()
        .map(|o| (o.seq, o.duplicate, o.erased))
        .collect();
    // Dropped for the erasure (and a duplicate, for older clients); a retry of what was
    // stored before is a plain duplicate of its number; another document goes in.
    assert_eq!(
        seen,
        vec![(0, true, true), (1, true, false), (2, false, false)]
    );
    assert_eq!(s.head(t).await.unwrap(), 2);
}
