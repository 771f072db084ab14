//! Places the team refers people to (shelters, food banks, clinics, legal aid…): team data,
//! not a person's, kept in the team document so that every device of the team has them
//! offline.
//!
//! Every field is bounded ([`PlaceLimits`]): a place is typed by one member and read by all,
//! so one member (or a device gone bad) must not be able to fill everyone's vault or screen.

use crate::brief::Conflict;
use crate::ids::{MemberId, PlaceId};
use crate::labels::Lang;
use crate::search::fold_for_search;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most places a team document holds, removed ones included (a shelter list of a city
/// is a few hundred).
pub const MAX_PLACES: usize = 2_000;

/// The longest each field may be, in characters.
#[derive(Clone, Copy, Debug)]
pub struct PlaceLimits;

impl PlaceLimits {
    /// A place's name.
    pub const NAME: usize = 200;
    /// Its kind (a code, or the team's own words).
    pub const KIND: usize = 60;
    /// Its address.
    pub const ADDRESS: usize = 300;
    /// Its phone number.
    pub const PHONE: usize = 40;
    /// Its opening hours.
    pub const HOURS: usize = 300;
    /// Notes for the team ("ask for Josée", "no pets").
    pub const NOTES: usize = 2_000;
}

/// Kinds of places offered in forms (codes; [`place_kind_label`] names them). A team may
/// type its own words instead.
pub const PLACE_KINDS: [&str; 9] = [
    "shelter",
    "food_bank",
    "health_care",
    "mental_health_care",
    "harm_reduction_site",
    "detox",
    "legal_aid",
    "drop_in",
    "other_place",
];

/// The label of a place kind code, or the words as typed.
pub fn place_kind_label(code: &str, lang: Lang) -> String {
    let (en, fr) = match code {
        "shelter" => ("Shelter", "Hébergement d'urgence"),
        "food_bank" => ("Food bank", "Banque alimentaire"),
        "health_care" => ("Health care", "Soins de santé"),
        "mental_health_care" => ("Mental health care", "Soins en santé mentale"),
        "harm_reduction_site" => ("Harm-reduction site", "Site de réduction des méfaits"),
        "detox" => ("Detox", "Désintoxication"),
        "legal_aid" => ("Legal aid", "Aide juridique"),
        "drop_in" => ("Drop-in centre", "Centre de jour"),
        "other_place" => ("Other", "Autre"),
        _ => return code.to_owned(),
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Fr => fr.to_owned(),
    }
}

/// A place as the team knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Its id.
    pub id: PlaceId,
    /// Its name.
    pub name: String,
    /// What kind of place (a [`PLACE_KINDS`] code or the team's words).
    pub kind: Option<String>,
    /// Where it is.
    pub address: Option<String>,
    /// How to reach it.
    pub phone: Option<String>,
    /// When it is open, in words.
    pub hours: Option<String>,
    /// What the team should know.
    pub notes: String,
    /// When someone last checked that all this is still right.
    pub checked_at: Option<DateTime<Utc>>,
    /// Who checked it.
    pub checked_by: Option<MemberId>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Who added it.
    pub created_by: Option<MemberId>,
    /// When it was taken off the list (referrals to it keep pointing at it).
    pub removed_at: Option<DateTime<Utc>>,
    /// Fields edited concurrently on two devices: every value kept until one is chosen.
    pub conflicts: Vec<Conflict>,
}

impl Place {
    /// Whether every word of the query is in its name, kind (in either language), address or
    /// notes, accents and case ignored. `folded` is [`fold_for_search`] of the query.
    pub fn matches(&self, folded: &str) -> bool {
        let mut hay = fold_for_search(&self.name);
        for s in [
            self.kind.as_deref().map(|k| place_kind_label(k, Lang::En)),
            self.kind.as_deref().map(|k| place_kind_label(k, Lang::Fr)),
            self.kind.clone(),
            self.address.clone(),
            Some(self.notes.clone()),
        ]
        .into_iter()
        .flatten()
        {
            hay.push_str(" | ");
            hay.push_str(&fold_for_search(&s));
        }
        folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .all(|w| hay.contains(w))
    }
}

/// A place to add: only the name is required.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlace {
    /// Its name.
    pub name: String,
    /// Its kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Its address.
    #[serde(default)]
    pub address: Option<String>,
    /// Its phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its opening hours.
    #[serde(default)]
    pub hours: Option<String>,
    /// Notes for the team.
    #[serde(default)]
    pub notes: String,
}

/// Changes to a place: only the fields given change; an empty text clears a field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceUpdate {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// A new kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// A new address.
    #[serde(default)]
    pub address: Option<String>,
    /// A new phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// New opening hours.
    #[serde(default)]
    pub hours: Option<String>,
    /// New notes.
    #[serde(default)]
    pub notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(name: &str, address: &str) -> Place {
        Place {
            id: PlaceId("p".into()),
            name: name.into(),
            kind: Some("health_care".into()),
            address: Some(address.into()),
            phone: None,
            hours: None,
            notes: String::new(),
            checked_at: None,
            checked_by: None,
            created_at: DateTime::from_timestamp_millis(0).unwrap_or_default(),
            created_by: None,
            removed_at: None,
            conflicts: Vec::new(),
        }
    }

    #[test]
    fn search_ignores_accents_and_case_and_needs_every_word() {
        let p = place("Hôpital Notre-Dame", "1560 rue Sherbrooke Est");
        assert!(p.matches(&fold_for_search("hopital")));
        assert!(p.matches(&fold_for_search("HÔPITAL sherbrooke")));
        assert!(p.matches(&fold_for_search("soins")), "kind label");
        assert!(!p.matches(&fold_for_search("hopital ontario")));
    }
}
