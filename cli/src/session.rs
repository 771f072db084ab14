//! Where the vault is and how to unlock it: the folder from `--vault`, `TANDEM_VAULT` or the
//! user's data folder; the passphrase from the environment or a prompt.

use crate::output::Failure;
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::PathBuf;
use tandem_core::{NewVault, Passphrase, Vault};
use tandem_model::ErrorCode;

const PASSPHRASE_VAR: &str = "TANDEM_PASSPHRASE";
const NEW_PASSPHRASE_VAR: &str = "TANDEM_NEW_PASSPHRASE";

/// The vault a command works on.
#[derive(Debug)]
pub struct Session {
    pub dir: PathBuf,
}

impl Session {
    pub fn new(dir: Option<PathBuf>) -> Result<Self> {
        let dir = match dir {
            Some(d) => d,
            None => directories::ProjectDirs::from("org", "Tandem", "tandem")
                .map(|p| p.data_dir().join("vault"))
                .ok_or_else(|| {
                    Failure::new(
                        ErrorCode::InvalidInput,
                        "cannot find your data folder: give the vault's folder with --vault DIR",
                    )
                })?,
        };
        Ok(Self { dir })
    }

    /// Unlocks the vault with the passphrase from the environment or the terminal.
    pub fn open(&self) -> Result<Vault> {
        self.open_with(&current_passphrase()?)
    }

    /// Unlocks the vault with a passphrase already read.
    pub fn open_with(&self, passphrase: &Passphrase) -> Result<Vault> {
        Ok(Vault::open(&self.dir, passphrase)?)
    }

    /// Creates the vault, with a new passphrase (asked twice at a terminal).
    pub fn create(&self, setup: &NewVault) -> Result<Vault> {
        let passphrase = new_passphrase(PASSPHRASE_VAR, "Passphrase for the new vault: ")?;
        Ok(Vault::create(&self.dir, &passphrase, setup)?)
    }

    pub fn exists(&self) -> bool {
        Vault::exists(&self.dir)
    }
}

fn from_env(var: &str) -> Option<Passphrase> {
    std::env::var(var)
        .ok()
        .filter(|s| !s.is_empty())
        .map(Passphrase::new)
}

fn no_terminal(var: &str) -> anyhow::Error {
    Failure::new(
        ErrorCode::InvalidInput,
        format!("no passphrase: set {var} (there is no terminal to ask for it)"),
    )
    .into()
}

/// The passphrase of the vault as it is now.
pub fn current_passphrase() -> Result<Passphrase> {
    if let Some(p) = from_env(PASSPHRASE_VAR) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal(PASSPHRASE_VAR));
    }
    let typed = rpassword::prompt_password("Passphrase: ").context("reading the passphrase")?;
    Ok(Passphrase::new(typed))
}

/// A passphrase being chosen: from `var`, or typed twice.
pub fn new_passphrase(var: &str, question: &str) -> Result<Passphrase> {
    if let Some(p) = from_env(var) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal(var));
    }
    let first = rpassword::prompt_password(question).context("reading the passphrase")?;
    let again =
        rpassword::prompt_password("Again, to be sure: ").context("reading the passphrase")?;
    let same = first == again;
    wipe(again);
    if !same {
        wipe(first);
        return Err(Failure::new(
            ErrorCode::InvalidInput,
            "the two passphrases differ: nothing was changed",
        )
        .into());
    }
    Ok(Passphrase::new(first))
}

/// The new passphrase when changing it.
pub fn changed_passphrase() -> Result<Passphrase> {
    new_passphrase(NEW_PASSPHRASE_VAR, "New passphrase: ")
}

/// Overwrites a typed passphrase that will not be kept (`Passphrase` wipes the one kept).
fn wipe(text: String) {
    let mut bytes = text.into_bytes();
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&bytes);
}
