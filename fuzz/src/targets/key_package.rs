//! Key packages (`protocol/src/key_package.rs`). Three roads, by the first byte:
//!
//! - 0, **wire**: the rest is a package as a device fetches it. Parsed (224 bytes exactly, the
//!   header at its documented offsets), verified with the admin's key (refused for anything but
//!   a seed), opened by the recipient if it verifies.
//! - 1, **round trip**: the rest chooses team, epoch, sender, recipient id, key, ephemeral key
//!   and nonce; the package seals (epoch 2 and up), parses, and opens to the same key, only for
//!   its recipient and only with its sender's key; any one flipped bit is refused.
//! - 2, **an admin who breaks the rules**: the rest chooses every signed byte (a low-order
//!   ephemeral point, an epoch below 2, garbage ciphertext), signed by the admin: it verifies,
//!   and opening gives an error or the key of the epoch it names, never a panic.

use crate::fixtures::{author, recipient, stranger};
use crate::{spec, Reader};
use tandem_protocol::key_package::{
    KeyPackage, KeyPackageError, KeyPackageHeader, NewKeyPackage, KEY_PACKAGE_LEN,
};
use tandem_protocol::{DeviceId, TeamId, TeamKey};

/// The target.
pub fn key_package(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => wire(rest),
        1 => round_trip(rest),
        _ => hostile_admin(rest),
    }
}

fn header_at_offsets(p: &KeyPackage, bytes: &[u8]) {
    let h = p.header();
    assert_eq!(&bytes[..4], b"TNK1");
    assert_eq!(h.team.0, bytes[4..20]);
    assert_eq!(h.epoch.to_be_bytes(), bytes[20..24]);
    assert_eq!(h.from.0, bytes[24..40]);
    assert_eq!(h.to.0, bytes[40..56]);
    assert_eq!(p.bytes(), bytes);
}

fn wire(bytes: &[u8]) {
    let Ok(p) = KeyPackage::parse(bytes.to_vec()) else {
        assert!(bytes.len() != KEY_PACKAGE_LEN || &bytes[..4] != b"TNK1");
        return;
    };
    assert_eq!(bytes.len(), KEY_PACKAGE_LEN);
    header_at_offsets(&p, bytes);
    assert_eq!(
        p.verify(&stranger().verifying_key()),
        Err(KeyPackageError::BadSignature)
    );
    if p.verify(&author().verifying_key()).is_ok() {
        opens_to_its_epoch_or_fails(&p);
    }
}

fn opens_to_its_epoch_or_fails(p: &KeyPackage) {
    let epoch = p.header().epoch;
    match p.open(&author().verifying_key(), recipient()) {
        Ok(key) => {
            assert!(epoch >= 2);
            assert_eq!(key.epoch, epoch);
        }
        Err(KeyPackageError::BadEpoch(e)) => {
            assert_eq!(e, epoch);
            assert!(epoch < 2);
        }
        Err(e) => assert_eq!(e, KeyPackageError::CannotOpen),
    }
    // Only its recipient can open it.
    assert!(p.open(&author().verifying_key(), stranger()).is_err());
}

fn round_trip(rest: &[u8]) {
    let mut r = Reader::new(rest);
    let team = TeamId(r.array());
    let epoch = r.u32();
    let from = DeviceId(r.array());
    let to = DeviceId(r.array());
    let key = TeamKey::new(epoch, r.array());
    let ephemeral: [u8; 32] = r.array();
    let nonce: [u8; 24] = r.array();
    let flip = r.u32();
    let admin = author();
    let bob = recipient();
    let sealed = NewKeyPackage {
        team,
        key: &key,
        from,
        signer: admin,
        to,
        to_key: &bob.verifying_key(),
    }
    .seal(ephemeral, nonce);
    let package = match sealed {
        Err(e) => {
            assert!(epoch < 2, "{e:?} for epoch {epoch}");
            assert_eq!(e, KeyPackageError::BadEpoch(epoch));
            return;
        }
        Ok(p) => p,
    };
    assert!(epoch >= 2);
    let bytes = package.bytes().to_vec();
    let parsed = KeyPackage::parse(bytes.clone()).expect("a sealed package parses");
    assert_eq!(parsed, package);
    header_at_offsets(&parsed, &bytes);
    assert_eq!(
        *parsed.header(),
        KeyPackageHeader {
            team,
            epoch,
            from,
            to
        }
    );
    let opened = parsed
        .open(&admin.verifying_key(), bob)
        .expect("its recipient opens it");
    assert_eq!((opened.epoch, opened.bytes()), (epoch, key.bytes()));
    // The sealed key is not the key (a key of zeros may well show up in zero ids).
    assert_ne!(&bytes[112..144], key.bytes().as_slice(), "key in clear");
    assert_eq!(
        parsed.open(&admin.verifying_key(), admin).err(),
        Some(KeyPackageError::CannotOpen)
    );
    assert_eq!(
        parsed.open(&stranger().verifying_key(), bob).err(),
        Some(KeyPackageError::BadSignature)
    );

    let mut flipped = bytes;
    let at = flip as usize % KEY_PACKAGE_LEN;
    flipped[at] ^= 1 << (flip >> 29);
    let result = KeyPackage::parse(flipped).and_then(|p| p.open(&admin.verifying_key(), bob));
    assert!(
        result.is_err(),
        "bit {} of byte {at} flipped was accepted",
        flip >> 29
    );
}

fn hostile_admin(rest: &[u8]) {
    let fields: [u8; 156] = Reader::new(rest).array();
    let bytes = spec::key_package_signed(&fields, author());
    let p = KeyPackage::parse(bytes.clone()).expect("the documented layout parses");
    header_at_offsets(&p, &bytes);
    p.verify(&author().verifying_key())
        .expect("the admin's signature verifies");
    opens_to_its_epoch_or_fails(&p);
}
