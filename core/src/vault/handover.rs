//! Hand-over and cover: who accompanies a person, who is responsible for a follow-up,
//! members marked away, and what then needs someone.
//!
//! Who may be given work comes from the same place as the Team screen's members, less those
//! the signed team record no longer holds; "away" is read from the team document's own map.
//! Lists come from the indexes (`crate::cover_index`), never from opening every record.

use super::*;
use crate::cover_index;
use crate::docs::handover;
use std::collections::HashSet;
use tandem_model::{Away, AwayReason, Member, NeedsSomeone, TeamFollowUps};

fn not_in_team() -> VaultError {
    VaultError::Invalid {
        field: "member",
        reason: "not a member of the team (or no longer one)",
    }
}

fn away_now() -> VaultError {
    VaultError::Invalid {
        field: "member",
        reason: "marked away: mark them back first",
    }
}

impl Vault {
    /// The team's members who can be given work: those the Team screen shows, less any the
    /// signed team record no longer holds (every device of theirs removed).
    pub fn active_members(&mut self) -> Result<Vec<Member>> {
        let record = self.team_record()?;
        let members = self.team()?.members;
        Ok(match record {
            None => members,
            Some(r) => {
                let active: HashSet<String> =
                    r.active().map(|(_, d)| hex::encode(d.member)).collect();
                members
                    .into_iter()
                    .filter(|m| active.contains(m.id.as_str()))
                    .collect()
            }
        })
    }

    /// Members marked away, with their names.
    pub fn away_members(&mut self) -> Result<Vec<Away>> {
        let team_id = self.team_id.clone();
        let doc = self.doc(&team_id)?;
        let names = team::members(doc);
        let mut away = handover::away(doc);
        for a in &mut away {
            a.name = names
                .iter()
                .find(|m| m.id == a.member)
                .map(|m| m.name.clone())
                .unwrap_or_default();
        }
        away.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.member.cmp(&b.member)));
        Ok(away)
    }

    /// Members of the team who are not away: who can take work now.
    pub fn present_members(&mut self) -> Result<Vec<Member>> {
        let away: HashSet<MemberId> = self.away_members()?.into_iter().map(|a| a.member).collect();
        Ok(self
            .active_members()?
            .into_iter()
            .filter(|m| !away.contains(&m.id))
            .collect())
    }

    fn require_present(&mut self, member: &MemberId) -> Result<()> {
        if !self.active_members()?.iter().any(|m| &m.id == member) {
            return Err(not_in_team());
        }
        if self.away_members()?.iter().any(|a| &a.member == member) {
            return Err(away_now());
        }
        Ok(())
    }

    /// Marks a member away (on leave, or left the team): their people and open follow-ups
    /// appear in [`Self::needs_someone`] until others take them.
    pub fn mark_away(&mut self, member: &MemberId, reason: AwayReason) -> Result<()> {
        if !self.team()?.members.iter().any(|m| &m.id == member) {
            return Err(not_in_team());
        }
        let (by, now) = (self.member.clone(), Utc::now());
        let team_id = self.team_id.clone();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "member.away",
            |_| Some(member.0.clone()),
            |tx| handover::set_away(tx, member, reason, &by, now),
        )?;
        self.commit(change.into_iter().collect())
    }

    /// A member is back: what they accompanied and were responsible for is theirs again
    /// (unless someone took it meanwhile, in which case both are named).
    pub fn mark_back(&mut self, member: &MemberId) -> Result<()> {
        let team_id = self.team_id.clone();
        let (was, change) = self.edit(
            &team_id,
            DocKind::Team,
            "member.back",
            |_| Some(member.0.clone()),
            |tx| handover::set_back(tx, member),
        )?;
        self.commit(change.into_iter().collect())?;
        if !was {
            return Err(VaultError::not_found("member away", member));
        }
        Ok(())
    }

    /// Adds and removes members who accompany a person. Only present members can be added.
    pub fn change_accompanied(
        &mut self,
        id: &PersonId,
        add: &[MemberId],
        remove: &[MemberId],
    ) -> Result<()> {
        for m in add {
            self.require_present(m)?;
        }
        let now = Utc::now();
        self.edit_person(
            id,
            "accompany.edit",
            |_| None,
            |tx| handover::change_accompanied(tx, add, remove, now),
        )
    }

    /// Gives a follow-up to another present member.
    pub fn reassign_follow_up(
        &mut self,
        id: &PersonId,
        follow_up: &FollowUpId,
        to: &MemberId,
    ) -> Result<()> {
        self.require_present(to)?;
        self.edit_person(
            id,
            "followup.assign",
            |_| Some(follow_up.0.clone()),
            |tx| handover::set_responsible(tx, follow_up, to),
        )
    }

    /// This device's member takes a person on (becomes one who accompanies them), with an
    /// optional note for whoever reads the brief next. One change: both or neither.
    pub fn take_person(&mut self, id: &PersonId, note: Option<&str>) -> Result<()> {
        let me = self.member.clone();
        self.require_present(&me)?;
        let now = Utc::now();
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        self.edit_person(
            id,
            "handover.take",
            |_| None,
            |tx| {
                handover::change_accompanied(tx, std::slice::from_ref(&me), &[], now)?;
                if let Some(n) = note {
                    handover::add_note(tx, n, &me, now)?;
                }
                Ok(())
            },
        )
    }

    /// This device's member takes a follow-up (becomes responsible for it), with an
    /// optional note on the person's brief.
    pub fn take_follow_up(
        &mut self,
        id: &PersonId,
        follow_up: &FollowUpId,
        note: Option<&str>,
    ) -> Result<()> {
        let me = self.member.clone();
        self.require_present(&me)?;
        let now = Utc::now();
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        self.edit_person(
            id,
            "followup.take",
            |_| Some(follow_up.0.clone()),
            |tx| {
                handover::set_responsible(tx, follow_up, &me)?;
                if let Some(n) = note {
                    handover::add_note(tx, n, &me, now)?;
                }
                Ok(())
            },
        )
    }

    /// People no present member accompanies, and open follow-ups whose responsible member
    /// is away or gone.
    pub fn needs_someone(&mut self) -> Result<NeedsSomeone> {
        let present: Vec<MemberId> = self.present_members()?.into_iter().map(|m| m.id).collect();
        Ok(NeedsSomeone {
            people: cover_index::people_needing_someone(&self.conn, &present)?,
            follow_ups: cover_index::follow_ups_needing_someone(&self.conn, &present)?,
        })
    }

    /// This device's member's open follow-ups due on or before `until` (Today).
    pub fn my_follow_ups_due(&self, until: NaiveDate) -> Result<Vec<FollowUpDue>> {
        cover_index::follow_ups_due_for(&self.conn, &self.member, until)
    }

    /// When this device's member's follow-ups and check-ins come due (the daily reminder,
    /// which counts them, also while the vault is locked: dates only).
    pub fn my_due_dates(&self) -> Result<tandem_model::reminder::DueDates> {
        cover_index::due_dates_for(&self.conn, &self.member)
    }

    /// Everyone's open follow-ups due on or before `until`, with who is away (the team view).
    pub fn team_follow_ups(&mut self, until: NaiveDate) -> Result<TeamFollowUps> {
        Ok(TeamFollowUps {
            follow_ups: index::follow_ups_due(&self.conn, until)?,
            away: self.away_members()?,
        })
    }

    /// Finds a member from an id, the start of one (6 characters or more), or a name only
    /// one member has (case and accents ignored).
    pub fn find_member(&mut self, query: &str) -> Result<MemberId> {
        let q = query.trim();
        if q.is_empty() {
            return Err(VaultError::Invalid {
                field: "member",
                reason: "give a name or an id",
            });
        }
        let members = self.team()?.members;
        if let Some(m) = members.iter().find(|m| m.id.as_str() == q) {
            return Ok(m.id.clone());
        }
        let folded = tandem_model::fold_for_search(q);
        let found: Vec<&Member> = members
            .iter()
            .filter(|m| {
                (q.len() >= 6 && m.id.as_str().starts_with(&q.to_lowercase()))
                    || tandem_model::fold_for_search(&m.name) == folded
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(VaultError::NoMatch),
            more => Err(VaultError::Ambiguous { count: more.len() }),
        }
    }

    /// The names of the team's members (removed ones too: records still name them).
    pub fn member_directory(&mut self) -> Result<Vec<(MemberId, String)>> {
        let team_id = self.team_id.clone();
        Ok(team::members(self.doc(&team_id)?)
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect())
    }
}

#[cfg(test)]
#[path = "handover_tests.rs"]
mod tests;
