//! Printing: JSON or plain text on stdout, and errors as `{code, message}` or one line on
//! stderr.

use crate::i18n;
use anyhow::Result;
use serde::Serialize;
use serde_json::json;
use std::io::Write;
use tandem_core::VaultError;
use tandem_model::words::FluentValue;
use tandem_model::{ErrorCode, Lang};

/// An error of the command itself (not of the vault), with the code scripts match on.
#[derive(Debug)]
pub struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// How results are shown.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
    pub lang: Lang,
}

impl Output {
    /// Prints `value` as JSON, or the text `human` makes of it.
    pub fn show<T: Serialize + ?Sized>(
        &self,
        value: &T,
        human: impl FnOnce(&T) -> String,
    ) -> Result<()> {
        if self.json {
            let mut text = serde_json::to_string_pretty(value)?;
            text.push('\n');
            write_stdout(text.as_bytes())
        } else {
            write_stdout(human(value).as_bytes())
        }
    }

    /// For commands that only act: `{"ok": true, …fields}` or a short sentence.
    pub fn done(&self, fields: serde_json::Value, human: impl FnOnce() -> String) -> Result<()> {
        let mut value = json!({ "ok": true });
        if let (Some(all), serde_json::Value::Object(more)) = (value.as_object_mut(), fields) {
            all.extend(more);
        }
        self.show(&value, |_| line(human()))
    }

    /// For commands that make something: its id.
    pub fn made(&self, id: &str) -> Result<()> {
        self.show(&json!({ "ok": true, "id": id }), |_| line(id.to_owned()))
    }

    /// The words of `key` in the chosen language (from `locales/*.ftl`, see [`i18n`]).
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    /// The words of `key` with its placeables filled from `args`.
    pub fn t_args(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        i18n::t_args(self.lang, key, args)
    }
}

fn line(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn code_of(err: &anyhow::Error) -> ErrorCode {
    err.chain()
        .find_map(|e| {
            if let Some(v) = e.downcast_ref::<VaultError>() {
                Some(v.code())
            } else if let Some(s) = e.downcast_ref::<tandem_core::sync::SyncError>() {
                Some(s.code())
            } else if let Some(f) = e.downcast_ref::<Failure>() {
                Some(f.code)
            } else if e.is::<std::io::Error>() {
                Some(ErrorCode::Io)
            } else if e.is::<serde_json::Error>() {
                Some(ErrorCode::Internal)
            } else {
                None
            }
        })
        .unwrap_or(ErrorCode::Internal)
}

fn retry_after(err: &anyhow::Error) -> Option<u64> {
    err.chain()
        .find_map(|e| match e.downcast_ref::<VaultError>() {
            Some(VaultError::TooManyAttempts { retry_after }) => Some(retry_after.as_secs().max(1)),
            _ => None,
        })
}

fn hint(code: ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::NoVault => {
            Some("create one with `tandem vault create --me NAME`, or give --vault DIR")
        }
        ErrorCode::Ambiguous => Some("`tandem person search` lists them with their ids"),
        ErrorCode::InviteInvalid => Some("ask a team member for a new code (`tandem team invite`)"),
        ErrorCode::DiskFull => Some("what was saved before is intact; free some space on this device, then run the command again"),
        ErrorCode::Offline => Some("nothing is lost: changes wait in the vault; `tandem sync` again when the relay answers"),
        ErrorCode::NotInTeam => Some("put the team on a relay with `tandem team create --relay URL`, or join one with `tandem team join CODE`"),
        _ => None,
    }
}

/// Reports an error: JSON on stdout with `--json`, else `tandem: message: cause…` on stderr.
/// Messages hold ids, counts, paths and what the user typed, never a person's data.
pub fn print_error(err: &anyhow::Error, json: bool) {
    let code = code_of(err);
    let message = format!("{err:#}");
    if json {
        let mut error = json!({ "code": code, "message": message });
        if let (Some(secs), Some(obj)) = (retry_after(err), error.as_object_mut()) {
            obj.insert("retry_after_secs".into(), secs.into());
        }
        let _ = write_stdout(format!("{}\n", json!({ "error": error })).as_bytes());
    } else {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "tandem: {message}");
        if let Some(h) = hint(code) {
            let _ = writeln!(stderr, "tandem: {h}");
        }
    }
}

/// Lines of columns, each column as wide as its widest cell (the last is not padded).
pub fn table(rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.chars().count();
            match widths.get_mut(i) {
                Some(old) => *old = (*old).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad + 2));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_on_characters_not_bytes() {
        let t = table(&[
            vec!["Hélène".into(), "elle".into()],
            vec!["Sam".into(), "they".into()],
        ]);
        assert_eq!(t, "Hélène  elle\nSam     they\n");
    }

    #[test]
    fn codes_are_found_through_context() {
        let err = anyhow::Error::new(VaultError::InUse).context("opening");
        assert_eq!(code_of(&err), ErrorCode::VaultInUse);
        let err = anyhow::Error::new(Failure::new(ErrorCode::InvalidInput, "x"));
        assert_eq!(code_of(&err), ErrorCode::InvalidInput);
        assert_eq!(code_of(&anyhow::anyhow!("plain")), ErrorCode::Internal);
    }
}
