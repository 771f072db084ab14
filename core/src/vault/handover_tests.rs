//! A vault from before schema 8 (so without 9 either): its lists of work are right once it
//! is unlocked.

use super::*;
use tandem_model::{NewFollowUp, NewPerson};

#[test]
fn a_vault_from_before_hand_over_lists_its_work_once_unlocked() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
    let pass = Passphrase::new("correct horse battery staple");
    let setup = NewVault {
        member_name: "Sam".into(),
        team_name: "Équipe".into(),
    };
    let mut v = Vault::create(dir.path(), &pass, &setup).unwrap_or_else(|e| panic!("{e:?}"));
    let p = v
        .add_person(&NewPerson {
            name: "Zoë".into(),
            ..NewPerson::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let new = NewFollowUp {
        what: "Appeler".into(),
        due: Some(Utc::now().date_naive()),
    };
    v.add_follow_up(&p, &new)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let me = v.member_id().clone();
    v.mark_away(&me, AwayReason::Leave)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let before = v.needs_someone().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((before.people.len(), before.follow_ups.len()), (1, 1));
    v.conn
        .execute_batch(
            "DROP INDEX follow_up_index_responsible;
             DROP TABLE accompany_index;
             ALTER TABLE follow_up_index DROP COLUMN responsible;
             DROP INDEX encounter_index_debriefs;
             DROP INDEX encounter_index_report;
             CREATE INDEX encounter_index_report
                 ON encounter_index (at, person_id, kind, duration, debrief, referrals, given);
             ALTER TABLE encounter_index DROP COLUMN referrals_done;
             ALTER TABLE encounter_index DROP COLUMN referrals_missed;
             ALTER TABLE encounter_index DROP COLUMN debrief_by;
             ALTER TABLE encounter_index DROP COLUMN debrief_done_at;
             ALTER TABLE encounter_index DROP COLUMN debrief_done_by;
             DROP TABLE street_link_index;
             DROP INDEX person_index_merged;
             DROP INDEX person_index_root;
             ALTER TABLE person_index DROP COLUMN merged_into;
             ALTER TABLE person_index DROP COLUMN merge_root;
             ALTER TABLE deferred_docs DROP COLUMN rows_digest;
             CREATE INDEX encounter_index_at ON encounter_index (at);
             PRAGMA user_version = 7;",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
    drop(v);
    let mut v = Vault::open(dir.path(), &pass).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        v.needs_someone().unwrap_or_else(|e| panic!("{e:?}")),
        before
    );
    let today = Utc::now().date_naive();
    assert_eq!(
        v.my_follow_ups_due(today)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .len(),
        1
    );
}
