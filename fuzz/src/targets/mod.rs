//! What each fuzz target checks. Every function takes the raw fuzz input, must never panic on
//! its own account, and panics (an `assert!`) when a decoder breaks what it promises.

mod api;
mod automerge;
mod envelope;
mod frames;
mod invite;
mod key_package;
mod keyfile;
mod record_entry;
pub mod record_sequence;
mod request;

pub use api::api;
pub use automerge::automerge;
pub use envelope::envelope;
pub use frames::frames;
pub use invite::invite;
pub use key_package::key_package;
pub use keyfile::keyfile;
pub use record_entry::record_entry;
pub use record_sequence::record_sequence;
pub use request::request;

/// A target's checks over one input.
pub type Check = fn(&[u8]);

/// Every target by name, for the seed tests.
pub const ALL: &[(&str, Check)] = &[
    ("api", api),
    ("automerge", automerge),
    ("envelope", envelope),
    ("frames", frames),
    ("invite", invite),
    ("key_package", key_package),
    ("keyfile", keyfile),
    ("record_entry", record_entry),
    ("record_sequence", record_sequence),
    ("request", request),
];
