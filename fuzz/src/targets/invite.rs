//! Invite codes (`protocol/src/invite.rs`). Two roads, by the first byte:
//!
//! - 0, **typed text**: the rest is what a person types or a QR code holds. When it parses, the
//!   relay is an `http(s)://` address without a trailing `/`, the secret is exactly the 32
//!   symbols typed (case, dashes and spaces aside, `O`/`I`/`L` read as `0`/`1`/`1`), and the
//!   code's text parses back to the same code.
//! - 1, **the keys parked with an invite**: the rest chooses a code, a team, a nonce and up to
//!   seven epoch keys; sealed, they open to the same keys (the newest is the current one), not
//!   for another team or another code, nor with any one bit flipped; and what is left of the
//!   input, taken as sealed keys from the relay, gives keys or an error, never a panic.

use crate::Reader;
use tandem_protocol::invite::{InviteCode, InviteError};
use tandem_protocol::{TeamId, TeamKey};

/// The target.
pub fn invite(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    if mode.is_multiple_of(2) {
        typed(&String::from_utf8_lossy(rest));
    } else {
        parked_keys(rest);
    }
}

/// The secret as typed, in the code's own symbols.
fn normalised(secret: &str) -> String {
    secret
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn typed(text: &str) {
    let Ok(code) = InviteCode::parse(text) else {
        return;
    };
    assert!(code.relay.starts_with("http://") || code.relay.starts_with("https://"));
    assert!(!code.relay.ends_with('/'));
    let (relay, secret) = text.trim().rsplit_once('#').expect("parsed, so it has a #");
    assert_eq!(code.relay, relay.trim_end_matches('/'));
    let canonical = code.secret_text();
    assert_eq!(canonical.len(), 32 + 7);
    assert_eq!(normalised(secret), canonical.replace('-', ""));
    let shown = code.to_string();
    assert_eq!(InviteCode::parse(&shown).as_ref(), Ok(&code), "{shown}");
}

fn parked_keys(rest: &[u8]) {
    let mut r = Reader::new(rest);
    let code = InviteCode {
        relay: "https://relay.example.org".into(),
        token: r.array(),
        wrap: r.array(),
    };
    let team = TeamId(r.array());
    let nonce: [u8; 24] = r.array();
    let flip = r.u32();
    let count = usize::from(r.u8() % 8);
    let keys: Vec<TeamKey> = (0..count)
        .map(|_| TeamKey::new(r.u32(), r.array()))
        .collect();
    let from_relay = r.rest();

    let sealed = code.seal_team_keys(team, &keys, nonce);
    let opened = code.open_team_keys(team, &sealed);
    if keys.is_empty() {
        assert_eq!(opened.err(), Some(InviteError::CannotOpen));
    } else {
        let opened = opened.expect("the keys sealed open");
        let pairs = |ks: &[TeamKey]| -> Vec<(u32, [u8; 32])> {
            ks.iter().map(|k| (k.epoch, *k.bytes())).collect()
        };
        assert_eq!(pairs(&opened), pairs(&keys));
        let current = code.open_team_key(team, &sealed).expect("and the current");
        let newest = keys.iter().map(|k| k.epoch).max().expect("not empty");
        assert_eq!(current.epoch, newest);
        assert!(keys.iter().any(|k| k.bytes() == current.bytes()));
    }
    let other_team = TeamId(team.0.map(|b| !b));
    assert!(code.open_team_keys(other_team, &sealed).is_err());
    let other_code = InviteCode {
        wrap: code.wrap.map(|b| b.wrapping_add(1)),
        ..code.clone()
    };
    assert!(other_code.open_team_keys(team, &sealed).is_err());
    let mut flipped = sealed;
    let at = flip as usize % flipped.len();
    flipped[at] ^= 1 << (flip >> 29);
    assert!(code.open_team_keys(team, &flipped).is_err());

    if let Ok(keys) = code.open_team_keys(team, from_relay) {
        assert!(!keys.is_empty());
    }
}
