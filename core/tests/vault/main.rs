//! Vault integration tests on real SQLCipher files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod convergence;
mod convergence_prop;
mod crash;
mod encryption;
mod handover;
mod links;
mod malformed;
mod outcomes;
mod places;
mod round_trips;
mod snapshots;
mod support;
