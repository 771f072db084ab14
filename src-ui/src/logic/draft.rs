//! The encounter being written: its form state (saved as the peer types, kept by the shell
//! across a lock) and how it becomes a [`NewEncounter`].

use super::format::{from_date_input, from_datetime_input, split_list};
use serde::{Deserialize, Serialize};
use tandem_model::{EncounterSubject, GoalId, NewEncounter, NewFollowUp, PersonId, PlaceId};

/// Whom the encounter is with, as chosen in the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Who {
    /// Not chosen yet.
    #[default]
    Nobody,
    /// A known person (the name is kept only to show the choice).
    Person {
        /// Their id.
        id: PersonId,
        /// Their name.
        name: String,
    },
    /// Someone not known: the street log.
    Unknown,
}

/// The form, as typed. Every field is text or a flag, exactly what the inputs hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct EncounterDraft {
    /// With whom.
    pub who: Who,
    /// How to recognise someone not known (street log).
    pub description: String,
    /// When, as the `datetime-local` input holds it.
    pub when: String,
    /// Where.
    pub place: String,
    /// What happened.
    pub notes: String,
    /// Kind code ("" for none).
    pub kind: String,
    /// Minutes, as typed.
    pub duration: String,
    /// Life domain codes.
    pub domains: Vec<String>,
    /// Goals touched.
    pub goals: Vec<GoalId>,
    /// What was given (codes).
    pub given: Vec<String>,
    /// Places of the team's list picked as referrals, in the order picked.
    pub referred_to: Vec<PickedPlace>,
    /// Other referrals, in words, comma-separated.
    pub referrals: String,
    /// A follow-up to do.
    pub follow_up: String,
    /// Its due date (`date` input).
    pub follow_up_due: String,
    /// "I'd like a debrief".
    pub debrief: bool,
}

/// A place picked from the team's list (the name is kept only to show the choice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickedPlace {
    /// Its id.
    pub id: PlaceId,
    /// Its name, as the list showed it.
    pub name: String,
}

/// What is wrong with a draft, as translation keys, one per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<(&'static str, &'static str)>);

/// Adds `item` to `list` if missing, removes it otherwise (checkbox groups).
pub fn toggle<T: PartialEq + Clone>(list: &mut Vec<T>, item: &T) {
    if let Some(i) = list.iter().position(|x| x == item) {
        list.remove(i);
    } else {
        list.push(item.clone());
    }
}

impl EncounterDraft {
    /// A new draft: now, at the last place.
    pub fn new(now_input: String, last_place: Option<String>) -> Self {
        Self {
            when: now_input,
            place: last_place.unwrap_or_default(),
            ..Self::default()
        }
    }

    /// Whether the peer has typed or chosen anything beyond the pre-filled values.
    pub fn is_started(&self) -> bool {
        self.who != Who::Nobody || !self.notes.trim().is_empty() || !self.description.is_empty()
    }

    /// The encounter to record, or what to fix (field id, message key).
    pub fn to_new_encounter(&self, minutes_east: i32) -> Result<NewEncounter, Invalid> {
        let mut errors = Vec::new();
        let subject = match &self.who {
            Who::Nobody => {
                errors.push(("who", "invalid-who"));
                EncounterSubject::Anonymous(None)
            }
            Who::Person { id, .. } => EncounterSubject::Person(id.clone()),
            Who::Unknown => {
                let d = self.description.trim();
                EncounterSubject::Anonymous((!d.is_empty()).then(|| d.to_owned()))
            }
        };
        let at = if self.when.trim().is_empty() {
            None
        } else {
            match from_datetime_input(&self.when, minutes_east) {
                Some(t) => Some(t),
                None => {
                    errors.push(("when", "invalid-when"));
                    None
                }
            }
        };
        let duration_minutes = match self.duration.trim() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(m) if m > 0 && m <= 24 * 60 => Some(m),
                _ => {
                    errors.push(("duration", "invalid-duration"));
                    None
                }
            },
        };
        let due = match from_date_input(&self.follow_up_due) {
            Ok(d) => d,
            Err(_) => {
                errors.push(("follow-up-due", "invalid-date"));
                None
            }
        };
        let person = matches!(self.who, Who::Person { .. });
        let follow_ups = if person && !self.follow_up.trim().is_empty() {
            vec![NewFollowUp {
                what: self.follow_up.trim().to_owned(),
                due,
            }]
        } else {
            if !person && !self.follow_up.trim().is_empty() {
                errors.push(("follow-up", "invalid-follow-up-unknown"));
            }
            Vec::new()
        };
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        let place = self.place.trim();
        Ok(NewEncounter {
            subject,
            at,
            duration_minutes,
            place: (!place.is_empty()).then(|| place.to_owned()),
            kind: (!self.kind.is_empty()).then(|| self.kind.clone()),
            domains: self.domains.clone(),
            goals: if person {
                self.goals.clone()
            } else {
                Vec::new()
            },
            notes: self.notes.trim_end().to_owned(),
            given: self.given.clone(),
            referrals: split_list(&self.referrals),
            referred_to: self.referred_to.iter().map(|p| p.id.clone()).collect(),
            follow_ups,
            debrief: self.debrief,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Who {
        Who::Person {
            id: PersonId("p1".into()),
            name: "Hélène".into(),
        }
    }

    #[test]
    fn a_known_person_and_notes_is_enough() {
        let mut d = EncounterDraft::new("2026-11-25T14:02".into(), Some("the park".into()));
        d.who = person();
        d.notes = "Talked about the flat.\n".into();
        let e = d.to_new_encounter(-300).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(e.subject, EncounterSubject::Person(PersonId("p1".into())));
        assert_eq!(e.place.as_deref(), Some("the park"));
        assert_eq!(e.notes, "Talked about the flat.");
        assert_eq!(
            e.at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-25T19:02:00+00:00")
        );
    }

    #[test]
    fn someone_unknown_goes_to_the_street_log_without_goals_or_follow_ups() {
        let mut d = EncounterDraft::new(String::new(), None);
        d.who = Who::Unknown;
        d.description = " green coat ".into();
        d.goals = vec![GoalId("g".into())];
        let e = d.to_new_encounter(0).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            e.subject,
            EncounterSubject::Anonymous(Some("green coat".into()))
        );
        assert!(e.goals.is_empty());
        assert!(e.at.is_none());
        d.follow_up = "call back".into();
        assert!(d.to_new_encounter(0).is_err());
    }

    #[test]
    fn each_bad_field_is_named() {
        let d = EncounterDraft {
            when: "soon".into(),
            duration: "-3".into(),
            follow_up_due: "friday".into(),
            ..Default::default()
        };
        let Err(Invalid(errors)) = d.to_new_encounter(0) else {
            panic!("should be refused")
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["who", "when", "duration", "follow-up-due"]);
        for (_, key) in errors {
            assert!(crate::i18n::has_key(key), "{key}");
        }
    }

    #[test]
    fn details_and_follow_up_come_through() {
        let mut d = EncounterDraft::new("2026-11-25T14:02".into(), None);
        d.who = person();
        d.kind = "street_outreach".into();
        d.duration = "20".into();
        toggle(&mut d.given, &"food".to_owned());
        toggle(&mut d.given, &"naloxone".to_owned());
        toggle(&mut d.given, &"food".to_owned());
        d.referrals = "food bank, clinic".into();
        d.referred_to = vec![PickedPlace {
            id: PlaceId("pl1".into()),
            name: "Refuge Sainte-Anne".into(),
        }];
        d.follow_up = "Call the housing office".into();
        d.follow_up_due = "2026-11-27".into();
        d.debrief = true;
        let e = d.to_new_encounter(0).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(e.given, vec!["naloxone"]);
        assert_eq!(e.referrals, vec!["food bank", "clinic"]);
        assert_eq!(e.referred_to, vec![PlaceId("pl1".into())]);
        assert_eq!(e.duration_minutes, Some(20));
        assert_eq!(e.follow_ups.len(), 1);
        assert!(e.debrief);
    }

    #[test]
    fn drafts_survive_json_as_the_shell_keeps_them() {
        let mut d = EncounterDraft::new("2026-11-25T14:02".into(), None);
        d.who = person();
        d.notes = "à suivre".into();
        let json = serde_json::to_string(&d).unwrap_or_default();
        let back: EncounterDraft = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, d);
        assert!(back.is_started());
        // An older or partial draft still loads.
        let partial: EncounterDraft = serde_json::from_str(r#"{"notes":"x"}"#).unwrap_or_default();
        assert_eq!(partial.notes, "x");
    }
}
