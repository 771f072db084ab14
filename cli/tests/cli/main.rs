//! The `tandem` binary, run as a user or a script would run it, on a vault in a temporary
//! folder. Each invocation unlocks the vault (one Argon2id run), so tests keep their
//! invocations few.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod brief;
mod cover;
mod encounter;
mod followup;
mod help;
mod links;
mod outcomes;
mod person;
mod places;
mod report;
mod support;
mod team;
mod vault;
