//! One module a screen.

pub mod brief;
pub mod brief_cover;
pub mod brief_merge;
pub mod cover;
pub mod debriefs;
pub mod encounter;
pub mod first_run;
pub mod goal;
pub mod options;
pub mod people;
pub mod person_picker;
pub mod place_form;
pub mod places;
pub mod profile;
pub mod referrals;
pub mod report;
pub mod settings;
pub mod street;
pub mod team;
pub mod today;
pub mod unlock;
