//! Index queries for hand-over and cover: people no present member accompanies, open
//! follow-ups whose responsible member is not present, and one member's follow-ups due.
//!
//! They read `accompany_index` and `follow_up_index.responsible` (schema 8), never a person's
//! document, so a team of thousands of people lists them in one query. Who is present (a
//! member of the team, not away) is decided by the caller from the signed record and the
//! team document, and passed in as a JSON array of member ids.

use crate::error::Result;
use crate::index::due_rows;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use tandem_model::reminder::DueDates;
use tandem_model::{FollowUpDue, MemberId, PersonId, PersonNeed};

fn json_ids(ids: &[MemberId]) -> String {
    let v: Vec<&str> = ids.iter().map(MemberId::as_str).collect();
    serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())
}

/// People accompanied by no member of `present`, by name: those whose peers are away or
/// gone, and those whose list was emptied.
pub(crate) fn people_needing_someone(
    conn: &Connection,
    present: &[MemberId],
) -> Result<Vec<PersonNeed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name,
                (SELECT json_group_array(a.member_id) FROM accompany_index a
                 WHERE a.person_id = p.id)
         FROM person_index p
         WHERE NOT EXISTS (
             SELECT 1 FROM accompany_index a
             WHERE a.person_id = p.id
               AND a.member_id IN (SELECT value FROM json_each(?1)))
         ORDER BY p.name COLLATE NOCASE, p.id",
    )?;
    let rows = stmt
        .query_map(params![json_ids(present)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(id, name, members)| {
            let members: Vec<String> = serde_json::from_str(&members).unwrap_or_default();
            PersonNeed {
                person: PersonId(id),
                name,
                accompanied_by: members.into_iter().map(MemberId).collect(),
            }
        })
        .collect())
}

/// Open follow-ups (any due date, or none) whose responsible member is not in `present`,
/// oldest due first, undated last.
pub(crate) fn follow_ups_needing_someone(
    conn: &Connection,
    present: &[MemberId],
) -> Result<Vec<FollowUpDue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.person_id, p.name, f.json FROM follow_up_index f
         JOIN person_index p ON p.id = f.person_id
         WHERE f.done = 0
           AND (f.responsible IS NULL
                OR f.responsible NOT IN (SELECT value FROM json_each(?1)))
         ORDER BY f.due IS NULL, f.due, p.name COLLATE NOCASE, f.id",
    )?;
    due_rows(&mut stmt, params![json_ids(present)])
}

/// One member's open follow-ups due on or before `until`, oldest due first.
pub(crate) fn follow_ups_due_for(
    conn: &Connection,
    member: &MemberId,
    until: NaiveDate,
) -> Result<Vec<FollowUpDue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.person_id, p.name, f.json FROM follow_up_index f
         JOIN person_index p ON p.id = f.person_id
         WHERE f.responsible = ?1 AND f.done = 0 AND f.due IS NOT NULL AND f.due <= ?2
         ORDER BY f.due, p.name COLLATE NOCASE",
    )?;
    due_rows(&mut stmt, params![member.as_str(), until.to_string()])
}

/// When things come due for `member` (the daily reminder): the due date of each of their open
/// follow-ups, as Today lists them, and for each person they accompany (a merged group once,
/// accompanied through any of its records) the nearest check-in of an open goal over all the
/// group's records, as the brief shows it. Dates only.
pub(crate) fn due_dates_for(conn: &Connection, member: &MemberId) -> Result<DueDates> {
    let dates = |sql: &str| -> Result<Vec<NaiveDate>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map(params![member.as_str()], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .iter()
            .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .collect())
    };
    Ok(DueDates {
        follow_ups: dates(
            "SELECT f.due FROM follow_up_index f
             JOIN person_index p ON p.id = f.person_id
             WHERE f.responsible = ?1 AND f.done = 0 AND f.due IS NOT NULL",
        )?,
        check_ins: dates(
            "SELECT MIN(p.next_check_in) FROM person_index p
             WHERE p.next_check_in IS NOT NULL
               AND COALESCE(p.merge_root, p.id) IN (
                   SELECT COALESCE(q.merge_root, q.id) FROM person_index q
                   JOIN accompany_index a ON a.person_id = q.id
                   WHERE a.member_id = ?1)
             GROUP BY COALESCE(p.merge_root, p.id)",
        )?,
    })
}
