//! Encounters (a meeting, a call, an accompaniment, a brief street contact) and follow-ups.

use crate::ids::{EncounterId, FollowUpId, GoalId, MemberId, PersonId, PlaceId};
use crate::referral::{Noted, Referral};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Whom an encounter was with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum EncounterSubject {
    /// A person the team accompanies.
    Person(PersonId),
    /// Someone not (yet) known: goes in the month's street log. The optional text is how the
    /// peer will recognise them ("tall, green coat, by the station"), never required.
    Anonymous(Option<String>),
}

/// An encounter as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encounter {
    /// Its id.
    pub id: EncounterId,
    /// With whom.
    pub subject: EncounterSubject,
    /// When it started.
    pub at: DateTime<Utc>,
    /// How long, in minutes.
    pub duration_minutes: Option<u32>,
    /// Where, in words (no GPS).
    pub place: Option<String>,
    /// Kind code (street outreach, accompaniment, clinic, home, phone, group…).
    pub kind: Option<String>,
    /// Life domain codes touched.
    pub domains: Vec<String>,
    /// Goals touched.
    pub goals: Vec<GoalId>,
    /// What happened.
    pub notes: String,
    /// What was given (codes: food, hygiene_kit, harm_reduction, naloxone…).
    pub given: Vec<String>,
    /// Referrals made, in words.
    pub referrals: Vec<String>,
    /// The peer would like a debrief for their own support.
    pub debrief: bool,
    /// The member who recorded it.
    pub recorded_by: Option<MemberId>,
    /// The same referrals, in the same order, with the place each was to and whether it
    /// happened (`referrals` stays as it was, for what read it before).
    #[serde(default)]
    pub referral_details: Vec<Referral>,
    /// When the debrief asked for took place, and who noted it.
    #[serde(default)]
    pub debrief_done: Option<Noted<()>>,
    /// For an entry of the street log: the person it was later found to be ("this was
    /// Marc"), who said so and when. The entry stays in the street log; the person's record
    /// shows it.
    #[serde(default)]
    pub link: Option<StreetLink>,
}

/// A street-log entry linked to a person's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetLink {
    /// The person (the record named when it was linked; a merged record's id still finds
    /// the merged one).
    pub person: PersonId,
    /// Who linked it.
    pub by: Option<MemberId>,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// Other people the same entry was linked to at the same time on other devices (they
    /// lost: every device shows `person`); linking again settles it.
    #[serde(default)]
    pub also: Vec<PersonId>,
}

/// An encounter to record: only the subject is required; `at` defaults to now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEncounter {
    /// With whom.
    pub subject: EncounterSubject,
    /// When (now if `None`).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// How long, in minutes.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// Where.
    #[serde(default)]
    pub place: Option<String>,
    /// Kind code.
    #[serde(default)]
    pub kind: Option<String>,
    /// Life domains touched.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Goals touched (person encounters only).
    #[serde(default)]
    pub goals: Vec<GoalId>,
    /// What happened.
    #[serde(default)]
    pub notes: String,
    /// What was given.
    #[serde(default)]
    pub given: Vec<String>,
    /// Referrals, in words.
    #[serde(default)]
    pub referrals: Vec<String>,
    /// Places of the team's list the person was referred to: each becomes a referral (in
    /// the place's name) linked to it, before those in `referrals`. Optional.
    #[serde(default)]
    pub referred_to: Vec<PlaceId>,
    /// Follow-ups decided during the encounter (person encounters only).
    #[serde(default)]
    pub follow_ups: Vec<NewFollowUp>,
    /// "I'd like a debrief".
    #[serde(default)]
    pub debrief: bool,
}

impl NewEncounter {
    /// An encounter with a known person, now, with nothing else filled in.
    pub fn with_person(person: PersonId) -> Self {
        Self::new(EncounterSubject::Person(person))
    }

    /// An encounter with someone not known, now.
    pub fn anonymous() -> Self {
        Self::new(EncounterSubject::Anonymous(None))
    }

    fn new(subject: EncounterSubject) -> Self {
        Self {
            subject,
            at: None,
            duration_minutes: None,
            place: None,
            kind: None,
            domains: Vec::new(),
            goals: Vec::new(),
            notes: String::new(),
            given: Vec::new(),
            referrals: Vec::new(),
            referred_to: Vec::new(),
            follow_ups: Vec::new(),
            debrief: false,
        }
    }
}

/// Something to do for or with a person, by a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Its id.
    pub id: FollowUpId,
    /// What to do.
    pub what: String,
    /// By when.
    pub due: Option<NaiveDate>,
    /// When it was done, if it was.
    pub done_at: Option<DateTime<Utc>>,
    /// The encounter it came from.
    pub encounter: Option<EncounterId>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Who added it.
    pub created_by: Option<MemberId>,
    /// The member responsible for doing it: whoever added it, until it is given to another.
    #[serde(default)]
    pub responsible: Option<MemberId>,
}

/// A follow-up to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFollowUp {
    /// What to do.
    pub what: String,
    /// By when.
    #[serde(default)]
    pub due: Option<NaiveDate>,
}
