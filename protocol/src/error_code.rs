//! The relay's error codes: the `error` of every [`crate::api::ErrorBody`], one vocabulary for
//! the relay that answers them and the devices that act on them.
//!
//! On the wire each code is a short snake_case string; a code this build does not know (a
//! newer relay's) still parses, as [`RelayErrorCode::Unknown`], so an older device reports it
//! rather than failing to read the answer.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Declares the known codes once: the enum, its wire strings both ways, and the list of all.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $wire:literal,)*) => {
        /// A relay error code. Compare with the variants; [`RelayErrorCode::as_str`] is what
        /// crosses the wire.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum RelayErrorCode {
            $($(#[doc = $doc])* $variant,)*
            /// A code this build does not know (from a newer relay), as sent. Never one of the
            /// known codes: [`RelayErrorCode::parse`] gives those their own variant.
            Unknown(String),
        }

        impl RelayErrorCode {
            /// Every code this build knows.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The code as it crosses the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(code) => code,
                }
            }

            /// Reads a code from the wire; any string is a code.
            pub fn parse(code: &str) -> Self {
                match code {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
    };
}

codes! {
    /// 400: the request or a part of its body is malformed.
    Malformed = "malformed",
    /// 400: an uploaded envelope does not parse.
    MalformedEnvelope = "malformed_envelope",
    /// 400: a change sent as a snapshot, or the other way round.
    WrongKind = "wrong_kind",
    /// 400: an envelope's signature is not its author's.
    BadEnvelopeSignature = "bad_envelope_signature",
    /// 400: more envelopes in one push than the relay takes.
    TooMany = "too_many",
    /// 400: a snapshot claims to cover more than the log holds.
    BadCovers = "bad_covers",
    /// 400: a team record route on a team that has no record (a team from before it).
    NoRecord = "no_record",
    /// 400: a key package is addressed to a revoked or unknown device.
    InactiveRecipient = "inactive_recipient",
    /// 401 (request signature) or 400 (key package signature): the signature does not verify.
    BadSignature = "bad_signature",
    /// 401: the authentication headers are missing or malformed.
    Unauthenticated = "unauthenticated",
    /// 401: the request's time is too far from the relay's clock.
    Stale = "stale",
    /// 401: this exact request was received already.
    Replayed = "replayed",
    /// 401: the signing device is not enrolled.
    UnknownDevice = "unknown_device",
    /// 403: this device was revoked.
    Revoked = "revoked",
    /// 403: the device, or an envelope, belongs to another team.
    WrongTeam = "wrong_team",
    /// 403: an envelope was written by another device than the one pushing it.
    WrongAuthor = "wrong_author",
    /// 403: only an admin device may do this.
    NotAdmin = "not_admin",
    /// 403: this relay's operator has not opened team creation (no token configured).
    TeamCreationClosed = "team_creation_closed",
    /// 403: creating a team here needs the operator's token, and it is missing or wrong.
    BadCreationToken = "bad_creation_token",
    /// 403: the team stores as many bytes as this relay allows it; nothing was stored.
    QuotaBytes = "quota_bytes",
    /// 403: the team's log holds as many envelopes as this relay allows it; nothing was
    /// stored.
    QuotaEnvelopes = "quota_envelopes",
    /// 403: the team document is never erased.
    TeamDocNotErasable = "team_doc_not_erasable",
    /// 403: only an admin device or the one that wrote a document's first change may erase
    /// it.
    NotDocAuthor = "not_doc_author",
    /// 403: the relay's check of a team record entry refused it; the reason is the
    /// [`crate::record::RecordError::code`]. Nothing was stored.
    RecordRefused = "record_refused",
    /// 404: the relay has no such team.
    UnknownTeam = "unknown_team",
    /// 404: the relay has no such invite.
    UnknownInvite = "unknown_invite",
    /// 404: no such thing here.
    NotFound = "not_found",
    /// 404: no such path on this relay.
    NoRoute = "no_route",
    /// 405: the path does not take that method.
    MethodNotAllowed = "method_not_allowed",
    /// 409: it exists already.
    Exists = "exists",
    /// 409: the push was sealed under a key epoch older than the team's.
    StaleEpoch = "stale_epoch",
    /// 409: only the team's next key epoch may be posted.
    WrongEpoch = "wrong_epoch",
    /// 409: this key epoch exists with other packages.
    EpochExists = "epoch_exists",
    /// 409: a device enrolled meanwhile, and the new key epoch has no package for it.
    MissingRecipient = "missing_recipient",
    /// 409: the posted entries do not start on the team record's head (another device's
    /// came first); the reason holds the head's seq. Nothing was stored.
    RecordConflict = "record_conflict",
    /// 410: the invite has expired.
    InviteExpired = "invite_expired",
    /// 410: the invite has been used.
    InviteUsed = "invite_used",
    /// 410: the invite was made before a device was removed from the team.
    InviteStale = "invite_stale",
    /// 410: this team has a record: membership and key changes go through it, not this
    /// route (an older client's request).
    UseTeamRecord = "use_team_record",
    /// 413: the request is larger than the relay accepts.
    TooLarge = "too_large",
    /// 429: too many requests from this device.
    RateLimited = "rate_limited",
    /// 500: the relay could not do it.
    Internal = "internal",
    /// 503: the relay is serving as many requests as it takes at once; try again shortly.
    Busy = "busy",
}

impl RelayErrorCode {
    /// The invite can no longer be used (expired, used, or made before a device was removed):
    /// ask for a new one. Invite refusals share the `invite_` prefix, so a newer relay's
    /// refusal of an invite counts too.
    pub fn is_invite_refusal(&self) -> bool {
        match self {
            Self::InviteExpired | Self::InviteUsed | Self::InviteStale => true,
            Self::Unknown(code) => code.starts_with("invite_"),
            _ => false,
        }
    }
}

impl fmt::Display for RelayErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for RelayErrorCode {
    fn from(code: &str) -> Self {
        Self::parse(code)
    }
}

impl PartialEq<str> for RelayErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RelayErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for RelayErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RelayErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::parse(&code))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::api::ErrorBody;
    use std::collections::HashSet;

    #[test]
    fn every_known_code_round_trips_as_its_snake_case_string() {
        let mut seen = HashSet::new();
        for code in RelayErrorCode::KNOWN {
            let wire = code.as_str();
            assert!(seen.insert(wire), "{wire} is declared twice");
            assert!(
                !wire.is_empty() && wire.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{wire} is not snake_case"
            );
            assert_eq!(&RelayErrorCode::parse(wire), code);
            assert!(!matches!(code, RelayErrorCode::Unknown(_)));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{wire}\""));
            assert_eq!(
                &serde_json::from_str::<RelayErrorCode>(&json).unwrap(),
                code
            );
            assert_eq!(code.to_string(), wire);
        }
        assert_eq!(RelayErrorCode::KNOWN.len(), 43);
    }

    #[test]
    fn an_unknown_code_parses_and_is_sent_back_as_it_came() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":"team_full","reason":"a newer relay"}"#).unwrap();
        assert_eq!(body.error, RelayErrorCode::Unknown("team_full".into()));
        assert_eq!(body.error, "team_full");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":"team_full","reason":"a newer relay"}"#
        );
    }

    #[test]
    fn error_bodies_keep_their_wire_form() {
        let body = ErrorBody {
            error: RelayErrorCode::StaleEpoch,
            reason: "fetch its key and seal again".into(),
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":"stale_epoch","reason":"fetch its key and seal again"}"#
        );
    }

    #[test]
    fn invite_refusals_are_the_invite_prefixed_codes() {
        for code in RelayErrorCode::KNOWN {
            assert_eq!(
                code.is_invite_refusal(),
                code.as_str().starts_with("invite_"),
                "{code}"
            );
        }
        assert!(RelayErrorCode::parse("invite_revoked").is_invite_refusal());
        assert!(!RelayErrorCode::parse("unknown_invite").is_invite_refusal());
        assert!(!RelayErrorCode::parse("team_full").is_invite_refusal());
    }
}
