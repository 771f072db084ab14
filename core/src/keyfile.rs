//! The vault key file: the random SQLCipher key, wrapped by a key derived from the passphrase.
//!
//! The database is encrypted with a random 256-bit key that never changes. That key is sealed
//! (XChaCha20-Poly1305) under a key derived from the passphrase with Argon2id, and stored in
//! `vault.key` with the KDF parameters. Changing the passphrase re-seals it; the database is not
//! touched. The parameters and the vault id are bound as associated data, so editing them in
//! the file makes the unwrap fail instead of silently weakening it.

use crate::error::{Result, VaultError};
use crate::passphrase::Passphrase;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The key file's name inside a vault folder.
pub const KEY_FILE: &str = "vault.key";
/// The file counting wrong passphrases in a row (holds no secret).
pub const ATTEMPTS_FILE: &str = "unlock-attempts";
const FORMAT: u32 = 1;

/// Argon2id parameters: RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The parameters every new vault gets.
    pub const RECOMMENDED: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };

    fn check(self) -> Result<Self> {
        // Below RFC 9106's profile is refused (a tampered file must not weaken the vault);
        // far above it is refused too (a tampered file must not exhaust memory).
        if self.memory_kib < Self::RECOMMENDED.memory_kib || self.iterations < 3 {
            return Err(VaultError::KeyFileDamaged(
                "key derivation parameters below the minimum",
            ));
        }
        // 1 GiB at most: a tampered file must not make a phone run out of memory on unlock.
        if self.memory_kib > 1024 * 1024 || self.iterations > 64 || self.parallelism > 64 {
            return Err(VaultError::KeyFileDamaged(
                "key derivation parameters out of range",
            ));
        }
        if self.parallelism == 0 {
            return Err(VaultError::KeyFileDamaged(
                "key derivation parameters out of range",
            ));
        }
        Ok(self)
    }
}

/// The vault's raw database key. Wiped on drop.
pub(crate) struct RawKey(pub(crate) Zeroizing<[u8; 32]>);

impl RawKey {
    fn random() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        Self(k)
    }

    /// The SQLCipher `PRAGMA key` value for a raw key: `x'…'`.
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFileOnDisk {
    format: u32,
    vault_id: String,
    kdf: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
    nonce: String,
    wrapped_key: String,
}

/// A parsed key file (`vault.key`): the vault's id, the Argon2id parameters, and the database
/// key sealed under the passphrase. Public so that the parser can be fuzzed on its own
/// ([`KeyFile::parse`], [`KeyFile::to_bytes`]) without deriving a key; opening one takes a
/// [`crate::Vault`].
#[derive(Clone, PartialEq, Eq)]
pub struct KeyFile {
    pub(crate) vault_id: String,
    params: KdfParams,
    salt: [u8; 16],
    nonce: [u8; 24],
    wrapped: Vec<u8>,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The sealed key is no secret without the passphrase, but has no use in a log.
        f.debug_struct("KeyFile")
            .field("vault_id", &self.vault_id)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

fn derive(
    passphrase: &Passphrase,
    salt: &[u8; 16],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>> {
    let p = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|_| VaultError::KeyFileDamaged("key derivation parameters out of range"))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|_| VaultError::Crypto)?;
    Ok(out)
}

fn aad(vault_id: &str, params: KdfParams) -> Vec<u8> {
    format!(
        "tandem vault key v{FORMAT}|{vault_id}|argon2id|{}|{}|{}",
        params.memory_kib, params.iterations, params.parallelism
    )
    .into_bytes()
}

impl KeyFile {
    /// A new key file for a new vault, with a new random database key.
    pub(crate) fn create(
        vault_id: &str,
        passphrase: &Passphrase,
        params: KdfParams,
    ) -> Result<(Self, RawKey)> {
        let raw = RawKey::random();
        let kf = Self::seal(vault_id, &raw, passphrase, params)?;
        Ok((kf, raw))
    }

    fn seal(
        vault_id: &str,
        raw: &RawKey,
        passphrase: &Passphrase,
        params: KdfParams,
    ) -> Result<Self> {
        let params = params.check()?;
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let kek = derive(passphrase, &salt, params)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let wrapped = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: raw.0.as_ref(),
                    aad: &aad(vault_id, params),
                },
            )
            .map_err(|_| VaultError::Crypto)?;
        Ok(Self {
            vault_id: vault_id.to_owned(),
            params,
            salt,
            nonce,
            wrapped,
        })
    }

    /// Opens the database key with a passphrase.
    pub(crate) fn unwrap_key(&self, passphrase: &Passphrase) -> Result<Option<RawKey>> {
        let kek = derive(passphrase, &self.salt, self.params)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let opened = cipher.decrypt(
            XNonce::from_slice(&self.nonce),
            Payload {
                msg: &self.wrapped,
                aad: &aad(&self.vault_id, self.params),
            },
        );
        match opened {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let mut k = Zeroizing::new([0u8; 32]);
                if bytes.len() != 32 {
                    return Err(VaultError::KeyFileDamaged(
                        "wrapped key has the wrong length",
                    ));
                }
                k.copy_from_slice(&bytes);
                Ok(Some(RawKey(k)))
            }
            Err(_) => Ok(None),
        }
    }

    /// The same database key sealed under a new passphrase (new salt, new nonce).
    pub(crate) fn rewrap(&self, raw: &RawKey, new_passphrase: &Passphrase) -> Result<Self> {
        Self::seal(
            &self.vault_id,
            raw,
            new_passphrase,
            KdfParams::RECOMMENDED.max(self.params),
        )
    }

    pub(crate) fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(KEY_FILE);
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::NoVault(dir.to_path_buf()))
            }
            Err(e) => return Err(VaultError::io("reading the vault key file")(e)),
        };
        Self::parse(&text)
    }

    /// Reads a key file's bytes, checking everything that can be checked without the
    /// passphrase: a [`VaultError::KeyFileDamaged`] or [`VaultError::UnsupportedKeyFile`] for
    /// anything else than a version 1 file within the parameters' bounds. Derives no key.
    pub fn parse(text: &[u8]) -> Result<Self> {
        #[derive(Deserialize)]
        struct Probe {
            format: u32,
        }
        let probe: Probe = serde_json::from_slice(text)
            .map_err(|_| VaultError::KeyFileDamaged("not a Tandem key file"))?;
        if probe.format != FORMAT {
            return Err(VaultError::UnsupportedKeyFile(probe.format));
        }
        let disk: KeyFileOnDisk = serde_json::from_slice(text)
            .map_err(|_| VaultError::KeyFileDamaged("not a Tandem key file"))?;
        if disk.format != FORMAT {
            return Err(VaultError::UnsupportedKeyFile(disk.format));
        }
        if disk.kdf != "argon2id" {
            return Err(VaultError::KeyFileDamaged("unknown key derivation"));
        }
        let params = KdfParams {
            memory_kib: disk.memory_kib,
            iterations: disk.iterations,
            parallelism: disk.parallelism,
        }
        .check()?;
        let salt = decode_fixed::<16>(&disk.salt, "salt")?;
        let nonce = decode_fixed::<24>(&disk.nonce, "nonce")?;
        let wrapped = hex::decode(&disk.wrapped_key)
            .map_err(|_| VaultError::KeyFileDamaged("wrapped key is not hex"))?;
        if wrapped.len() != 48 {
            return Err(VaultError::KeyFileDamaged(
                "wrapped key has the wrong length",
            ));
        }
        if disk.vault_id.is_empty() || disk.vault_id.len() > 64 {
            return Err(VaultError::KeyFileDamaged("vault id is missing"));
        }
        Ok(Self {
            vault_id: disk.vault_id,
            params,
            salt,
            nonce,
            wrapped,
        })
    }

    /// The vault this key file belongs to.
    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    /// Its key derivation parameters.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// Writes the key file atomically: a crash leaves either the old or the new file.
    pub(crate) fn write(&self, dir: &Path) -> Result<()> {
        write_atomic(&dir.join(KEY_FILE), &self.to_bytes()?)
    }

    /// The file's bytes, as [`KeyFile::parse`] reads them (pretty JSON and a new line).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let disk = KeyFileOnDisk {
            format: FORMAT,
            vault_id: self.vault_id.clone(),
            kdf: "argon2id".into(),
            memory_kib: self.params.memory_kib,
            iterations: self.params.iterations,
            parallelism: self.params.parallelism,
            salt: hex::encode(self.salt),
            nonce: hex::encode(self.nonce),
            wrapped_key: hex::encode(&self.wrapped),
        };
        let mut bytes = serde_json::to_vec_pretty(&disk).map_err(|_| VaultError::Crypto)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

impl KdfParams {
    fn max(self, other: KdfParams) -> KdfParams {
        KdfParams {
            memory_kib: self.memory_kib.max(other.memory_kib),
            iterations: self.iterations.max(other.iterations),
            parallelism: self.parallelism.max(other.parallelism),
        }
    }
}

fn decode_fixed<const N: usize>(s: &str, _what: &'static str) -> Result<[u8; N]> {
    let v = hex::decode(s).map_err(|_| VaultError::KeyFileDamaged("a field is not hex"))?;
    v.try_into()
        .map_err(|_| VaultError::KeyFileDamaged("a field has the wrong length"))
}

/// Writes a file so that a crash leaves the old or the new content, never a mix.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = crate::private_files::create_file(&tmp)
            .map_err(VaultError::io("writing a vault file"))?;
        f.write_all(bytes)
            .map_err(VaultError::io("writing a vault file"))?;
        f.sync_all()
            .map_err(VaultError::io("syncing a vault file"))?;
    }
    fs::rename(&tmp, path).map_err(VaultError::io("replacing a vault file"))?;
    if let Some(parent) = path.parent() {
        if let Ok(d) = fs::File::open(parent) {
            // Makes the rename itself durable; not all platforms allow syncing a directory.
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Wrong passphrases in a row, and when the last one was typed. Slows guessing on the device;
/// an attacker with a copy of the files faces Argon2id instead.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Attempts {
    failures: u32,
    last_failure_ms: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Attempts {
    /// How long to wait after `failures` wrong passphrases in a row: free for the first
    /// three, then 1 s, 2 s, 4 s… up to 15 minutes.
    pub(crate) fn delay_after(failures: u32) -> Duration {
        if failures < 3 {
            return Duration::ZERO;
        }
        let exp = (failures - 3).min(10);
        Duration::from_secs((1u64 << exp).min(900))
    }

    pub(crate) fn load(dir: &Path) -> Self {
        // A damaged counter must never lock a person out of their notes: start again.
        fs::read(dir.join(ATTEMPTS_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// `Err(TooManyAttempts)` while the delay after the last failure has not passed.
    pub(crate) fn check(&self) -> Result<()> {
        let delay = Self::delay_after(self.failures);
        let elapsed = Duration::from_millis(now_ms().saturating_sub(self.last_failure_ms));
        if elapsed < delay {
            return Err(VaultError::TooManyAttempts {
                retry_after: delay - elapsed,
            });
        }
        Ok(())
    }

    pub(crate) fn record_failure(mut self, dir: &Path) -> u32 {
        self.failures = self.failures.saturating_add(1);
        self.last_failure_ms = now_ms();
        if let Ok(bytes) = serde_json::to_vec(&self) {
            let _ = write_atomic(&dir.join(ATTEMPTS_FILE), &bytes);
        }
        self.failures
    }

    pub(crate) fn clear(dir: &Path) {
        let _ = fs::remove_file(dir.join(ATTEMPTS_FILE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_and_is_capped() {
        assert_eq!(Attempts::delay_after(0), Duration::ZERO);
        assert_eq!(Attempts::delay_after(2), Duration::ZERO);
        assert_eq!(Attempts::delay_after(3), Duration::from_secs(1));
        assert_eq!(Attempts::delay_after(5), Duration::from_secs(4));
        assert_eq!(Attempts::delay_after(40), Duration::from_secs(900));
    }

    #[test]
    fn wrap_unwrap_and_rewrap() {
        let (kf, raw) = KeyFile::create("v1", &"correct horse".into(), KdfParams::RECOMMENDED)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let got = kf
            .unwrap_key(&"correct horse".into())
            .ok()
            .flatten()
            .map(|k| *k.0);
        assert_eq!(got, Some(*raw.0));
        assert!(kf.unwrap_key(&"wrong".into()).ok().flatten().is_none());
        let re = kf
            .rewrap(&raw, &"new one".into())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(re
            .unwrap_key(&"correct horse".into())
            .ok()
            .flatten()
            .is_none());
        assert_eq!(
            re.unwrap_key(&"new one".into())
                .ok()
                .flatten()
                .map(|k| *k.0),
            Some(*raw.0)
        );
    }

    #[test]
    fn parse_reads_what_to_bytes_writes() {
        let (kf, _) = KeyFile::create("v1", &"pw".into(), KdfParams::RECOMMENDED)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let bytes = kf.to_bytes().unwrap_or_else(|e| panic!("{e:?}"));
        let back = KeyFile::parse(&bytes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(back, kf);
        assert_eq!(
            (back.vault_id(), back.params()),
            ("v1", KdfParams::RECOMMENDED)
        );
        assert!(matches!(
            KeyFile::parse(b"{}"),
            Err(VaultError::KeyFileDamaged(_))
        ));
    }

    #[test]
    fn tampered_parameters_fail_to_unwrap() {
        let (mut kf, _) = KeyFile::create("v1", &"pw".into(), KdfParams::RECOMMENDED)
            .unwrap_or_else(|e| panic!("{e:?}"));
        kf.params.iterations = 4;
        assert!(kf.unwrap_key(&"pw".into()).ok().flatten().is_none());
    }
}
