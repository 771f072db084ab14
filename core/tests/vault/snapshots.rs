//! Snapshots taken in by a new device: stored as received with their index rows, read later.

use crate::support::*;
use tandem_core::model::*;
use tandem_core::{DocKind, IncomingSnapshot, Vault};

/// The payload's layout (core/src/vault/snapshots.rs): magic, the log position it covers,
/// document length, document, index rows as JSON. `MAGIC_LEN` is the magic (8 bytes) and the
/// position (8).
const MAGIC_LEN: usize = 16;

fn parts(payload: &[u8]) -> (&[u8], &[u8]) {
    let len = u32::from_be_bytes(payload[MAGIC_LEN..MAGIC_LEN + 4].try_into().unwrap()) as usize;
    let doc_at = MAGIC_LEN + 4;
    (&payload[doc_at..doc_at + len], &payload[doc_at + len..])
}

fn rebuild(payload: &[u8], document: &[u8], rows: &[u8]) -> Vec<u8> {
    let mut out = payload[..MAGIC_LEN].to_vec();
    out.extend_from_slice(&(document.len() as u32).to_be_bytes());
    out.extend_from_slice(document);
    out.extend_from_slice(rows);
    out
}

/// A team with two people (goals, encounters, a follow-up) and an anonymous encounter.
fn founder() -> (tempfile::TempDir, Vault, PersonId, PersonId) {
    let (d, mut a) = new_vault();
    let h = a
        .add_person(&NewPerson {
            name: "Hélène Tremblay".into(),
            nicknames: vec!["Lulu".into()],
            ..NewPerson::default()
        })
        .unwrap();
    let m = a
        .add_person(&NewPerson {
            name: "Marc".into(),
            ..NewPerson::default()
        })
        .unwrap();
    a.add_goal(
        &h,
        &NewGoal {
            words: "Avoir mon appart".into(),
            domain: Some("housing".into()),
            status: None,
            steps: vec![],
            next_check_in: Some(day(2030, 1, 1)),
        },
    )
    .unwrap();
    for (i, who) in [&h, &m, &h].iter().enumerate() {
        let mut e = NewEncounter::with_person((*who).clone());
        e.at = Some(at(2025, 3, 1 + i as u32, 10, 0));
        e.notes = format!("Rencontre {i}");
        if i == 0 {
            e.follow_ups.push(NewFollowUp {
                what: "Rappeler le refuge".into(),
                due: Some(day(2025, 3, 10)),
            });
        }
        a.record_encounter(&e).unwrap();
    }
    let mut anon = NewEncounter::anonymous();
    anon.at = Some(at(2025, 3, 2, 22, 0));
    a.record_encounter(&anon).unwrap();
    (d, a, h, m)
}

/// Every document of `a` as a snapshot covering log position `covers`.
fn snapshots_of(a: &mut Vault, covers: u64) -> Vec<IncomingSnapshot> {
    a.documents()
        .unwrap()
        .into_iter()
        .map(|(id, kind)| IncomingSnapshot {
            payload: a.snapshot_payload(&id, kind, covers).unwrap(),
            doc_id: id,
            kind,
            covers,
        })
        .collect()
}

#[test]
fn a_new_device_lists_searches_and_reads_records_before_loading_them() {
    let (_da, mut a, h, m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let report = b.apply_snapshots(snapshots_of(&mut a, 10)).unwrap();
    assert_eq!(report.refused, 0);
    // Two people and one street log stored as received; the team document was merged.
    assert_eq!(b.deferred_count().unwrap(), 3);
    assert_eq!(report.taken.len(), 4);
    // Lists, search, what is due and recent encounters work from the rows alone.
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    assert_eq!(b.search_people("helene").unwrap()[0].id, h);
    assert_eq!(b.search_people("lulu").unwrap()[0].id, h);
    let until = day(2025, 12, 31);
    assert_eq!(
        b.follow_ups_due(until).unwrap(),
        a.follow_ups_due(until).unwrap()
    );
    assert_eq!(
        b.recent_encounters(10).unwrap(),
        a.recent_encounters(10).unwrap()
    );
    // A brief reads the document itself.
    assert_eq!(b.brief(&h).unwrap(), a.brief(&h).unwrap());
    // The same snapshots again (a first sync cut off after them, then resumed): nothing to
    // do, still taken (their log envelopes are skipped), nothing changes.
    let again = b.apply_snapshots(snapshots_of(&mut a, 10)).unwrap();
    assert_eq!(again.refused, 0);
    assert_eq!(again.taken.len(), 4);
    assert_eq!(b.deferred_count().unwrap(), 3);
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    // Checking loads each one, and leaves everything as it was.
    assert_eq!(b.check_deferred(2).unwrap(), 1);
    assert_eq!(b.check_deferred(2).unwrap(), 0);
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    assert_eq!(b.person(&m).unwrap(), a.person(&m).unwrap());
    // (The team document differs: B added itself when it joined.)
    for (id, _) in a
        .documents()
        .unwrap()
        .into_iter()
        .filter(|(_, k)| *k != DocKind::Team)
    {
        assert_eq!(
            b.document_heads(&id).unwrap(),
            a.document_heads(&id).unwrap()
        );
    }
    // The rows the check wrote are exactly what indexing from scratch writes.
    let checked = b.list_people().unwrap();
    b.rebuild_indexes().unwrap();
    assert_eq!(b.list_people().unwrap(), checked);
}

#[test]
fn changes_after_the_snapshot_join_the_stored_record_and_its_rows_follow_once_checked() {
    let (_da, mut a, h, _m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let snaps = snapshots_of(&mut a, 10);
    let before = a.outbox(1000).unwrap().len();
    let mut e = NewEncounter::with_person(h.clone());
    e.at = Some(at(2026, 1, 5, 9, 0));
    e.notes = "Après l'instantané".into();
    a.record_encounter(&e).unwrap();
    b.apply_snapshots(snaps).unwrap();
    for entry in a.outbox(1000).unwrap().into_iter().skip(before) {
        b.apply_changes(&entry.doc_id, entry.kind, &[&entry.bytes])
            .unwrap();
    }
    // The brief has it at once (it loads the document); the list catches up when checked.
    let brief = b.brief(&h).unwrap();
    assert!(brief
        .last_encounters
        .iter()
        .any(|x| x.notes == "Après l'instantané"));
    assert_eq!(b.check_deferred(10).unwrap(), 0);
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    assert_eq!(b.person(&h).unwrap(), a.person(&h).unwrap());
}

#[test]
fn rows_that_do_not_match_their_document_give_way_to_the_document() {
    let (_da, mut a, h, _m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let mut snaps = snapshots_of(&mut a, 10);
    let s = snaps.iter_mut().find(|s| s.doc_id == h.as_str()).unwrap();
    let (document, rows) = parts(&s.payload);
    let mut json: serde_json::Value = serde_json::from_slice(rows).unwrap();
    json["person"]["name"] = "Someone else".into();
    json["person"]["search_key"] = "someone else".into();
    s.payload = rebuild(&s.payload, document, &serde_json::to_vec(&json).unwrap());
    b.apply_snapshots(snaps).unwrap();
    assert!(b
        .list_people()
        .unwrap()
        .iter()
        .any(|p| p.name == "Someone else"));
    b.check_deferred(10).unwrap();
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    assert!(b.search_people("someone").unwrap().is_empty());
}

#[test]
fn a_snapshot_that_cannot_be_read_is_dropped_then_skipped_and_a_newer_one_is_taken() {
    let (_da, mut a, h, m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let good = snapshots_of(&mut a, 10);
    let mut bad = snapshots_of(&mut a, 10);
    let s = bad.iter_mut().find(|s| s.doc_id == h.as_str()).unwrap();
    let (document, rows) = parts(&s.payload);
    // Automerge's magic number, then junk: passes the first look, fails to load.
    let mut junk = document[..4].to_vec();
    junk.extend_from_slice(&[0x55; 200]);
    s.payload = rebuild(&s.payload, &junk, rows);
    // Refused as it arrives (not laid out as Automerge chunks: checked before it is stored),
    // and nothing else changes.
    let r = b.apply_snapshots(bad).unwrap();
    assert_eq!(r.refused, 1, "{r:?}");
    assert!(b.brief(&h).is_err());
    assert_eq!(b.check_deferred(10).unwrap(), 0);
    // Dropped whole: no record, no rows; the other person is intact.
    let people = b.list_people().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].id, m);
    assert!(!b
        .documents()
        .unwrap()
        .iter()
        .any(|(id, _)| id == h.as_str()));
    assert!(b.search_people("helene").unwrap().is_empty());
    // The same snapshot again (the next full pull) is skipped...
    let again: Vec<IncomingSnapshot> = snapshots_of(&mut a, 10)
        .into_iter()
        .filter(|s| s.doc_id == h.as_str())
        .collect();
    let r = b.apply_snapshots(again).unwrap();
    assert!(r.taken.is_empty(), "{r:?}");
    assert_eq!(b.list_people().unwrap().len(), 1);
    // ...and one covering more of the log is taken.
    drop(good);
    let newer: Vec<IncomingSnapshot> = snapshots_of(&mut a, 11)
        .into_iter()
        .filter(|s| s.doc_id == h.as_str())
        .collect();
    b.apply_snapshots(newer).unwrap();
    b.check_deferred(10).unwrap();
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    assert_eq!(b.person(&h).unwrap(), a.person(&h).unwrap());
}

#[test]
fn malformed_payloads_are_refused_and_store_nothing() {
    let (_da, mut a, h, _m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let payload = a.snapshot_payload(h.as_str(), DocKind::Person, 10).unwrap();
    let (document, rows) = parts(&payload);
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"junk".to_vec(),
        payload[..10].to_vec(),
        rebuild(&payload, document, b"{\"person\": 3}"),
        rebuild(&payload, b"not automerge", rows),
    ];
    for p in cases {
        let r = b
            .apply_snapshots(vec![IncomingSnapshot {
                doc_id: h.as_str().to_owned(),
                kind: DocKind::Person,
                covers: 5,
                payload: p,
            }])
            .unwrap();
        assert_eq!(r.refused, 1);
        assert!(r.taken.is_empty());
    }
    // A person's rows sent as a street log's: refused too.
    let r = b
        .apply_snapshots(vec![IncomingSnapshot {
            doc_id: h.as_str().to_owned(),
            kind: DocKind::StreetLog,
            covers: 5,
            payload,
        }])
        .unwrap();
    assert_eq!(r.refused, 1);
    assert!(b.list_people().unwrap().is_empty());
    assert_eq!(b.deferred_count().unwrap(), 0);
}

#[test]
fn rows_naming_another_records_encounters_are_not_taken_the_document_is_read_instead() {
    let (_da, mut a, h, m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let marcs = a.person(&m).unwrap().encounters[0].id.clone();
    let mut snaps = snapshots_of(&mut a, 10);
    // Marc's record first, as received.
    let at = snaps.iter().position(|s| s.doc_id == m.as_str()).unwrap();
    let marc = snaps.remove(at);
    b.apply_snapshots(vec![marc]).unwrap();
    let s = snaps.iter_mut().find(|s| s.doc_id == h.as_str()).unwrap();
    let (document, rows) = parts(&s.payload);
    let mut json: serde_json::Value = serde_json::from_slice(rows).unwrap();
    json["encounters"][0][0] = marcs.as_str().into();
    s.payload = rebuild(&s.payload, document, &serde_json::to_vec(&json).unwrap());
    let r = b.apply_snapshots(snaps).unwrap();
    assert_eq!(r.refused, 0);
    assert!(r.taken.iter().any(|(id, _)| id == h.as_str()));
    // Hélène's record was read whole (not deferred), Marc's rows are intact.
    assert_eq!(b.deferred_count().unwrap(), 2);
    assert_eq!(
        b.recent_encounters(10).unwrap(),
        a.recent_encounters(10).unwrap()
    );
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
}

/// The log position a snapshot covers is what its author sealed: a relay saying it covers more
/// (so that a new device would skip log envelopes the snapshot does not hold) is not believed.
#[test]
fn a_snapshot_covers_what_its_author_sealed_not_what_the_relay_says() {
    let (_da, mut a, _h, _m) = founder();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let inflated: Vec<IncomingSnapshot> = snapshots_of(&mut a, 10)
        .into_iter()
        .map(|mut s| {
            s.covers = 1_000_000;
            s
        })
        .collect();
    let r = b.apply_snapshots(inflated).unwrap();
    assert!(!r.taken.is_empty());
    assert!(
        r.taken.iter().all(|(_, covers)| *covers == 10),
        "{:?}",
        r.taken
    );
    // Saying less than sealed is believed (it skips less).
    let (_dc, mut c) = join_vault(&mut a, "Chris");
    let modest: Vec<IncomingSnapshot> = snapshots_of(&mut a, 10)
        .into_iter()
        .map(|mut s| {
            s.covers = 4;
            s
        })
        .collect();
    let r = c.apply_snapshots(modest).unwrap();
    assert!(
        r.taken.iter().all(|(_, covers)| *covers == 4),
        "{:?}",
        r.taken
    );
}

#[test]
fn a_new_device_reports_from_snapshot_rows_before_loading_the_records() {
    let (_da, mut a, h, _m) = founder();
    let mut e = NewEncounter::with_person(h.clone());
    e.at = Some(at(2025, 3, 20, 10, 0));
    e.given = vec!["naloxone".into()];
    e.referrals = vec!["Refuge".into()];
    e.duration_minutes = Some(40);
    a.record_encounter(&e).unwrap();
    let march = ReportPeriod::month(2025, 3, "America/Montreal").unwrap();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    b.apply_snapshots(snapshots_of(&mut a, 10)).unwrap();
    assert_eq!(b.deferred_count().unwrap(), 3);
    let from_rows = b.report(&march).unwrap();
    assert_eq!(from_rows, a.report(&march).unwrap());
    assert_eq!(
        (
            from_rows.encounters,
            from_rows.naloxone,
            from_rows.referrals
        ),
        (5, 1, 1)
    );
    // Goals set now: counted in a period up to today.
    let today = chrono::Utc::now().date_naive();
    let until_now = ReportPeriod::days(day(2025, 1, 1), today, "UTC");
    let goals = b.report(&until_now).unwrap();
    assert_eq!(goals, a.report(&until_now).unwrap());
    assert_eq!(goals.goals_by_domain[0].code.as_deref(), Some("housing"));
    b.check_deferred(10).unwrap();
    assert_eq!(b.report(&march).unwrap(), from_rows);
    assert_eq!(b.report(&until_now).unwrap(), goals);
}

#[test]
fn a_snapshot_from_before_reports_is_taken_and_its_record_indexed_from_itself_first() {
    let (_da, mut a, h, _m) = founder();
    let mut e = NewEncounter::with_person(h.clone());
    e.at = Some(at(2025, 3, 20, 10, 0));
    e.given = vec!["naloxone".into()];
    a.record_encounter(&e).unwrap();
    let march = ReportPeriod::month(2025, 3, "UTC").unwrap();
    // What an earlier version sealed: rows without what reports count.
    let old: Vec<IncomingSnapshot> = snapshots_of(&mut a, 10)
        .into_iter()
        .map(|mut s| {
            if s.kind != DocKind::Team {
                let (document, rows) = parts(&s.payload);
                let mut rows: serde_json::Value = serde_json::from_slice(rows).unwrap();
                let map = rows.as_object_mut().unwrap();
                for key in ["encounter_facts", "goals", "report_rows"] {
                    assert!(map.remove(key).is_some(), "{key} is carried");
                }
                if let Some(p) = map.get_mut("person").and_then(|p| p.as_object_mut()) {
                    p.remove("created_at");
                    p.remove("research_since");
                }
                let rows = serde_json::to_vec(&rows).unwrap();
                s.payload = rebuild(&s.payload, document, &rows);
            }
            s
        })
        .collect();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    let taken = b.apply_snapshots(old).unwrap();
    assert_eq!(taken.refused, 0);
    assert_eq!(b.list_people().unwrap(), a.list_people().unwrap());
    // Listed at once; counted once each record was read from itself (these come first).
    assert_eq!(b.report(&march).unwrap().naloxone, 0);
    b.check_deferred(10).unwrap();
    assert_eq!(b.report(&march).unwrap(), a.report(&march).unwrap());
    assert_eq!(b.report(&march).unwrap().naloxone, 1);
}

#[test]
fn a_new_device_sees_links_and_merges_from_snapshot_rows_before_loading_the_records() {
    let (_da, mut a, h, m) = founder();
    let entry = a.street_log("2025-03").unwrap()[0].id.clone();
    a.link_street_entry(&entry, &m).unwrap();
    let lenie = a
        .add_person(&NewPerson {
            name: "Lénie".into(),
            ..NewPerson::default()
        })
        .unwrap();
    a.merge_people(&h, &lenie).unwrap();
    let march = ReportPeriod::month(2025, 3, "America/Montreal").unwrap();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    b.apply_snapshots(snapshots_of(&mut a, 10)).unwrap();
    assert!(b.deferred_count().unwrap() > 0, "read from the rows");
    let from_rows = b.report(&march).unwrap();
    assert_eq!(from_rows, a.report(&march).unwrap());
    assert_eq!(
        (
            from_rows.anonymous_contacts,
            from_rows.street_contacts_linked
        ),
        (1, 1)
    );
    let people = b.list_people().unwrap();
    assert_eq!(
        people.len(),
        2,
        "Lénie is part of Hélène's record: {people:?}"
    );
    assert_eq!(b.search_people("lenie").unwrap()[0].id, h);
    b.check_deferred(10).unwrap();
    assert_eq!(b.report(&march).unwrap(), from_rows);
    assert_eq!(b.list_people().unwrap(), people);
}
