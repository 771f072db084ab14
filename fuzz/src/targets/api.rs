//! The relay's JSON (`protocol/src/api.rs`): the answers a device decodes, and the bodies the
//! relay decodes. The first byte picks the type ([`TYPES`]), the rest is the JSON.
//!
//! Whatever decodes encodes, decodes back to the same value, and encodes the same again; an
//! error code that decodes is a known code or an unknown one, never an unknown one spelled
//! like a known one; and the client's reading of an error answer never fails.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;
use tandem_protocol::api::{
    CreateInvite, CreateTeam, DeviceInfo, ErrorBody, JoinAccepted, JoinTeam, KeyPackages,
    PostKeyPackages, PushResponse, RelayInfo,
};
use tandem_protocol::RelayErrorCode;

/// The types, by the first byte of the input (modulo their number).
pub const TYPES: &[&str] = &[
    "ErrorBody",
    "RelayInfo",
    "JoinAccepted",
    "PushResponse",
    "[DeviceInfo]",
    "KeyPackages",
    "CreateTeam",
    "CreateInvite",
    "JoinTeam",
    "PostKeyPackages",
];

/// The target.
pub fn api(data: &[u8]) {
    let Some((which, json)) = data.split_first() else {
        return;
    };
    match usize::from(*which) % TYPES.len() {
        0 => {
            if let Some(body) = round_trips::<ErrorBody>(json) {
                known_or_unknown(&body.error);
            }
            // How the client reads an error answer: anything that is not one still reports.
            let body: ErrorBody = serde_json::from_slice(json).unwrap_or(ErrorBody {
                error: RelayErrorCode::Unknown("http".into()),
                reason: String::new(),
            });
            let _ = body.error.is_invite_refusal();
        }
        1 => drop(round_trips::<RelayInfo>(json)),
        2 => drop(round_trips::<JoinAccepted>(json)),
        3 => drop(round_trips::<PushResponse>(json)),
        4 => drop(round_trips::<Vec<DeviceInfo>>(json)),
        5 => drop(round_trips::<KeyPackages>(json)),
        6 => drop(round_trips::<CreateTeam>(json)),
        7 => drop(round_trips::<CreateInvite>(json)),
        8 => drop(round_trips::<JoinTeam>(json)),
        _ => drop(round_trips::<PostKeyPackages>(json)),
    }
}

fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(json: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(json).ok()?;
    let encoded = serde_json::to_vec(&value).expect("what decoded encodes");
    let again: T = serde_json::from_slice(&encoded).expect("and decodes back");
    assert_eq!(again, value);
    assert_eq!(
        serde_json::to_vec(&again).expect("encodes"),
        encoded,
        "not stable"
    );
    Some(value)
}

fn known_or_unknown(code: &RelayErrorCode) {
    match code {
        RelayErrorCode::Unknown(s) => {
            assert!(!RelayErrorCode::KNOWN.iter().any(|k| k.as_str() == s));
        }
        known => assert!(RelayErrorCode::KNOWN.contains(known)),
    }
    assert_eq!(&RelayErrorCode::parse(code.as_str()), code);
}
