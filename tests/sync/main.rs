//! Vaults syncing through a real relay process on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod converge;
mod creation;
mod erasure;
mod faults;
mod handover;
mod harness;
mod hostile_member;
mod hostile_relay;
mod links;
mod malicious;
mod migration;
mod rollback;
mod rotation;
mod snapshot_pages;
mod team;
