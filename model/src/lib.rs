//! Plain types shared by Tandem's vault, app shell and user interface.
//!
//! Everything here is pure (serde, no I/O) so that the Leptos front end can use it from
//! `wasm32-unknown-unknown`. The vault (`tandem-core`) turns Automerge documents into these
//! types; the UI renders them; the CLI prints them as text or JSON.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod brief;
pub mod cover;
pub mod encounter;
pub mod error;
pub mod export;
pub mod goal;
pub mod handover;
pub mod ids;
pub mod labels;
pub mod person;
pub mod place;
pub mod referral;
pub mod reminder;
pub mod report;
pub mod search;
pub mod shell;
pub mod team;
pub mod words;

pub use brief::{
    Conflict, FollowUpDue, HistoryEntry, MergedRecord, PersonBrief, PersonRecord, PersonSummary,
};
pub use cover::{NeedsSomeone, PersonNeed, TeamFollowUps};
pub use encounter::{Encounter, EncounterSubject, FollowUp, NewEncounter, NewFollowUp, StreetLink};
pub use error::ErrorCode;
pub use goal::{Goal, GoalStatus, GoalUpdate, NewGoal, Step};
pub use handover::{Away, AwayReason, HandoverNote, MAX_HANDOVER_CHARS};
pub use ids::{ConsentId, EncounterId, FollowUpId, GoalId, MemberId, PersonId, PlaceId, StepId};
pub use labels::Lang;
pub use person::{Consent, ConsentUse, NewConsent, NewPerson, Profile, ProfileUpdate};
pub use place::{
    place_kind_label, NewPlace, Place, PlaceLimits, PlaceUpdate, MAX_PLACES, PLACE_KINDS,
};
pub use referral::{DebriefRequest, Noted, Outcome, Referral};
pub use report::{exported_count, Report, ReportPeriod, Tally, WeekTally};
pub use search::fold_for_search;
pub use team::{Member, MemberRole, OptionList, TeamInfo, TeamSettings, MAX_OPTION_CHARS};
