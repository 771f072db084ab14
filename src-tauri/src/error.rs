//! Errors as the front end receives them: `{code, message}`. The code is one of the model's
//! [`ErrorCode`]s (snake_case) or `locked`; the UI words it in the user's language. Messages
//! come from core's errors, which never contain a person's data.

use serde::Serialize;
use tandem_core::sync::SyncError;
use tandem_core::VaultError;
use tandem_model::ErrorCode;

/// An error crossing to the front end.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommandError {
    /// What went wrong, as a stable code.
    pub code: String,
    /// Details in English, for logs and bug reports; the UI shows its own words.
    pub message: String,
}

/// The code used when a command needs the vault and it is locked (written once, in the
/// shell ↔ UI contract).
pub use tandem_model::shell::LOCKED;

fn code_text(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "internal".to_owned(),
    }
}

impl CommandError {
    /// An error with one of the model's codes.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: code_text(code),
            message: message.into(),
        }
    }

    /// The vault is locked (or was never unlocked).
    pub fn locked() -> Self {
        Self {
            code: LOCKED.to_owned(),
            message: "the vault is locked".to_owned(),
        }
    }
}

impl From<VaultError> for CommandError {
    fn from(e: VaultError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_models_snake_case_names() {
        assert_eq!(
            CommandError::new(ErrorCode::WrongPassphrase, "x").code,
            "wrong_passphrase"
        );
        let e: CommandError = VaultError::NoMatch.into();
        assert_eq!(e.code, "not_found");
        assert_eq!(CommandError::locked().code, "locked");
    }
}
