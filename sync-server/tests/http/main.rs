//! The relay over real HTTP: a real server on 127.0.0.1:0 (and the real binary for the
//! privacy checks), a real HTTP client, real signed requests and sealed envelopes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod bodies;
mod creation;
mod envelopes;
mod erasure;
mod keys;
mod postgres;
mod privacy;
mod quotas;
mod record;
mod snapshot_batches;
mod support;
