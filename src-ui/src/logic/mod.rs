//! The front end's logic as plain functions, unit-tested on the host: formatting, the sync
//! badge, passphrase strength, the encounter draft and its validation, idle locking.

pub mod draft;
pub mod format;
pub mod idle;
pub mod strength;
pub mod sync_badge;
