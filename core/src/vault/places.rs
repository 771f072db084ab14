//! The team's list of places to refer people to: read from and written to the team
//! document, which every device of the team holds (so the list works offline).

use super::*;
use crate::docs::place;
use tandem_model::{NewPlace, Place, PlaceId, PlaceUpdate};

impl Vault {
    /// The places on the team's list, by name; `removed` adds those taken off it.
    pub fn places(&mut self, removed: bool) -> Result<Vec<Place>> {
        let team_id = self.team_id.clone();
        let mut all = place::read_all(self.doc(&team_id)?);
        if !removed {
            all.retain(|p| p.removed_at.is_none());
        }
        Ok(all)
    }

    /// Places on the list whose name, kind, address or notes hold every word of `query`
    /// (accents and case ignored), names starting with it first.
    pub fn search_places(&mut self, query: &str) -> Result<Vec<Place>> {
        let folded = tandem_model::fold_for_search(query);
        if folded.is_empty() {
            return self.places(false);
        }
        let mut found: Vec<Place> = self
            .places(false)?
            .into_iter()
            .filter(|p| p.matches(&folded))
            .collect();
        // A stable sort: by name within each group, as `places` gave them.
        found.sort_by_key(|p| !tandem_model::fold_for_search(&p.name).starts_with(&folded));
        Ok(found)
    }

    /// One place, even one taken off the list (a referral may name it).
    pub fn place(&mut self, id: &PlaceId) -> Result<Place> {
        let team_id = self.team_id.clone();
        place::read(self.doc(&team_id)?, id)
    }

    /// Finds one place from its id, the start of its id (6 characters or more), or words
    /// that only one place on the list matches (its name exactly, else anything).
    pub fn find_place(&mut self, query: &str) -> Result<PlaceId> {
        let q = query.trim();
        if q.is_empty() {
            return Err(VaultError::Invalid {
                field: "place",
                reason: "give a name or an id",
            });
        }
        let all = self.places(true)?;
        if let Some(p) = all.iter().find(|p| p.id.as_str() == q) {
            return Ok(p.id.clone());
        }
        if q.len() >= 6 && q.chars().all(|c| c.is_ascii_hexdigit()) {
            let by_id: Vec<&Place> = all
                .iter()
                .filter(|p| p.id.as_str().starts_with(&q.to_lowercase()))
                .collect();
            if by_id.len() == 1 {
                return Ok(by_id[0].id.clone());
            }
        }
        let folded = tandem_model::fold_for_search(q);
        let found = self.search_places(q)?;
        let exact: Vec<&Place> = found
            .iter()
            .filter(|p| tandem_model::fold_for_search(&p.name) == folded)
            .collect();
        match (exact.len(), found.len()) {
            (1, _) => Ok(exact[0].id.clone()),
            (0, 1) => Ok(found[0].id.clone()),
            (0, 0) => Err(VaultError::NoMatch),
            (n, m) => Err(VaultError::Ambiguous { count: n.max(m) }),
        }
    }

    /// Adds a place to the team's list (checked today, by this member).
    pub fn add_place(&mut self, new: &NewPlace) -> Result<PlaceId> {
        let (by, now) = (self.member.clone(), Utc::now());
        self.edit_team("place.add", |tx| place::add(tx, new, &by, now))
    }

    /// Changes the fields given of a place.
    pub fn edit_place(&mut self, id: &PlaceId, update: &PlaceUpdate) -> Result<()> {
        self.edit_team("place.edit", |tx| place::edit(tx, id, update))
    }

    /// Notes that a place's details are still right, as of now, by this member.
    pub fn check_place(&mut self, id: &PlaceId) -> Result<()> {
        let (by, now) = (self.member.clone(), Utc::now());
        self.edit_team("place.check", |tx| place::check(tx, id, &by, now))
    }

    /// Takes a place off the list; referrals to it keep it. One already off is
    /// [`VaultError::NotFound`].
    pub fn remove_place(&mut self, id: &PlaceId) -> Result<()> {
        let (by, now) = (self.member.clone(), Utc::now());
        if !self.edit_team("place.remove", |tx| place::remove(tx, id, &by, now))? {
            return Err(VaultError::not_found("place on the list", id));
        }
        Ok(())
    }

    /// Settles a field of a place edited on two devices at once by keeping value number
    /// `choice` (in the order `Conflict::values` lists them).
    pub fn resolve_place_conflict(
        &mut self,
        id: &PlaceId,
        field: &str,
        choice: usize,
    ) -> Result<()> {
        self.edit_team("place.resolve", |tx| {
            place::resolve_conflict(tx, id, field, choice)
        })
    }

    /// One change to the team document, written before returning.
    fn edit_team<T>(
        &mut self,
        action: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let team_id = self.team_id.clone();
        let (out, change) = self.edit(&team_id, DocKind::Team, action, |_| None, f)?;
        self.commit(change.into_iter().collect())?;
        Ok(out)
    }
}
