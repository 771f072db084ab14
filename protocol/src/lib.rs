//! What crosses the wire between Tandem devices and the relay.
//!
//! - [`envelope`]: a change or snapshot of one document, sealed (XChaCha20-Poly1305 under the
//!   team key) and signed (Ed25519, the author device). [`envelope::PlainChange`] and
//!   [`envelope::SealedEnvelope`] are different types: only sealed data can be sent.
//! - [`request`]: every HTTP request is signed by the device (method, path, body hash, time,
//!   relay identity), so the relay can refuse strangers, stale and replayed requests.
//! - [`invite`]: the code a device in the team shows to a new device.
//! - [`key_package`]: a new team key epoch sealed for one device (after a revocation).
//! - [`record`]: the team record, the signed log of who is in the team, which every device
//!   verifies so the relay cannot decide it.
//! - [`api`]: request and response bodies; [`frames`]: batches of binary envelopes.
//! - [`error_code`]: the codes of the relay's error answers, typed on both ends.
//!
//! Pure: no I/O, no clock, no randomness (callers pass nonces and times in), so it is the same
//! on the relay, the app and in tests.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod envelope;
pub mod error_code;
pub mod frames;
pub mod ids;
pub mod invite;
pub mod key_package;
pub mod record;
pub mod request;

pub use envelope::{
    DocClass, EnvelopeError, EnvelopeHeader, EnvelopeKind, PlainChange, SealedEnvelope, TeamKey,
};
pub use error_code::RelayErrorCode;
pub use ids::{DeviceId, DocId, TeamId};

/// The protocol version spoken by this build (in paths: `/v1/…`).
pub const VERSION: u32 = 1;
