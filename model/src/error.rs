//! Error codes the user interface can match on, whatever the language it shows them in.

use serde::{Deserialize, Serialize};

/// What went wrong, as a stable code. Errors cross from the vault to the UI as
/// `{code, message}`; the UI words the message in the user's language from the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// No vault exists at the given place.
    NoVault,
    /// A vault already exists there.
    VaultExists,
    /// The passphrase does not open this vault.
    WrongPassphrase,
    /// Too many wrong passphrases in a row: wait before trying again.
    TooManyAttempts,
    /// The vault is open in another program.
    VaultInUse,
    /// The vault was written by a newer version of Tandem.
    VaultTooNew,
    /// A vault file is damaged.
    VaultDamaged,
    /// The person, goal, encounter or follow-up does not exist.
    NotFound,
    /// Several people match; be more precise.
    Ambiguous,
    /// A value given is not acceptable (empty name, bad date…).
    InvalidInput,
    /// Reading or writing a file failed.
    Io,
    /// The device's storage is full: nothing was saved.
    DiskFull,
    /// The relay cannot be reached: changes wait safely and sync resumes by itself.
    Offline,
    /// The relay refused a request (not an admin…).
    RelayRefused,
    /// The relay did not let this device create a team: it takes none, or needs its
    /// operator's team-creation token and this one is missing or wrong.
    TeamCreationRefused,
    /// An invite code that cannot be used any more: expired, used, or made before a device
    /// was removed from the team. A new one is needed.
    InviteInvalid,
    /// This device was removed from the team.
    Revoked,
    /// The relay's log went back past what this device saw (restored from a backup?): this
    /// device stops syncing with it, keeping its changes, until an admin checks the relay.
    RelayWentBack,
    /// The relay offered the team record a change no admin signed, out of order, or went
    /// back on it: refused; syncing with it is paused (changes wait here) until its answers
    /// extend the record this device verified.
    TeamRecordRefused,
    /// The vault is not in a team on a relay yet.
    NotInTeam,
    /// What the action was asked for changed since it was shown (a sync brought a change):
    /// nothing was done; look again and confirm what is shown now.
    ChangedMeanwhile,
    /// A merge would put more records together than one person's record may hold (the
    /// vault's bound, so a brief never loads an unbounded number of documents).
    TooManyMerged,
    /// Anything else: a bug or an unexpected state.
    Internal,
}
