//! Fuzzing of every decoder that reads bytes from the network or a file: what the targets check.
//!
//! Each libFuzzer target (`fuzz/libfuzzer/fuzz_targets/*.rs`, built by cargo-fuzz outside the
//! workspace) is one call into [`targets`]. What must hold is written here, in a workspace
//! member, so the workspace's clippy covers it and its tests run the committed seeds
//! (`fuzz/seeds/<target>/`, written by `cargo run -p tandem-fuzz --example seeds` from the real
//! encoders, see [`seeds`]) through the same checks, without libFuzzer.
//!
//! A target's input is read with [`Reader`]: fixed-size fields from the front, zero-filled when
//! the input is short, so every input means something and a seed is easy to write with
//! [`Writer`]. Targets that fuzz more than one road take a first byte that picks it.
#![forbid(unsafe_code)]
// A failed expectation is how a target reports that a decoder broke a promise.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

pub mod fixtures;
pub mod record;
pub mod seeds;
pub mod spec;
pub mod targets;

/// The `fuzz/` folder (seeds, dictionaries, targets).
pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads fields from the front of a fuzz input.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Up to `n` bytes (fewer at the end).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// `N` bytes, zero-filled past the end.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let head = self.bytes(N);
        out[..head.len()].copy_from_slice(head);
        out
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// Big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes(self.array())
    }

    /// Big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.array())
    }

    /// A piece of at most 255 bytes, its length first.
    pub fn piece(&mut self) -> &'a [u8] {
        let n = usize::from(self.u8());
        self.bytes(n)
    }

    /// Whether nothing is left.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Whatever is left.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Writes what a [`Reader`] reads (for seeds).
#[derive(Debug, Clone, Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    /// Starts with the byte that picks a target's road.
    pub fn mode(mode: u8) -> Self {
        Self(vec![mode])
    }

    /// Raw bytes (an array, or the rest).
    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }

    /// One byte.
    pub fn u8(self, v: u8) -> Self {
        self.bytes(&[v])
    }

    /// Big-endian.
    pub fn u16(self, v: u16) -> Self {
        self.bytes(&v.to_be_bytes())
    }

    /// Big-endian.
    pub fn u32(self, v: u32) -> Self {
        self.bytes(&v.to_be_bytes())
    }

    /// A piece, its length first (at most 255 bytes).
    pub fn piece(self, b: &[u8]) -> Self {
        assert!(b.len() <= 255, "a piece is at most 255 bytes");
        self.u8(b.len() as u8).bytes(b)
    }

    /// The input.
    pub fn done(self) -> Vec<u8> {
        self.0
    }
}
