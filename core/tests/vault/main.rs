//! Vault integration tests on real SQLCipher files.

mod round_trips;
mod support;
