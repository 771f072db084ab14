//! `tandem person …`

use super::find;
use crate::args::{ExportArgs, ExportFormat, PersonAdd, PersonCommand, PersonEdit};
use crate::output::{write_stdout, Failure, Output};
use crate::render;
use crate::session::Session;
use anyhow::{Context, Result};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;
use tandem_model::{ConsentId, ErrorCode, NewConsent, NewPerson, ProfileUpdate};

pub fn run(command: PersonCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        PersonCommand::Add(a) => add(a, session, out),
        PersonCommand::List => {
            let people = session.open()?.list_people()?;
            out.show(&people, |p| render::people(p, out))
        }
        PersonCommand::Search { query } => {
            let people = session.open()?.search_people(&query)?;
            out.show(&people, |p| render::people(p, out))
        }
        PersonCommand::Show { person } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            let record = vault.person(&id)?;
            out.show(&record, |r| render::record(r, out))
        }
        PersonCommand::Edit(e) => edit(e, session, out),
        PersonCommand::History { person } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            let history = vault.history(&id)?;
            out.show(&history, |h| render::history(h, out))
        }
        PersonCommand::Export(a) => export(&a, session, out),
        PersonCommand::Merge { keep, other } => {
            let mut vault = session.open()?;
            let (keep, other) = (find(&vault, &keep)?, find(&vault, &other)?);
            let other_name = vault.person(&other)?.profile.name;
            vault.merge_people(&keep, &other)?;
            let keep_name = vault.person(&keep)?.profile.name;
            out.done(json!({ "kept": keep, "merged": other }), || {
                out.t_args(
                    "person-merged",
                    &[
                        ("other", other_name.clone().into()),
                        ("keep", keep_name.clone().into()),
                    ],
                )
            })
        }
        PersonCommand::Unmerge { other } => {
            let mut vault = session.open()?;
            let root = find(&vault, &other)?;
            let merged = vault.person(&root)?.merged;
            let found: Vec<_> = merged
                .iter()
                .filter(|m| id_matches(m.id.as_str(), &other))
                .collect();
            let [one] = found.as_slice() else {
                return Err(Failure::new(
                    ErrorCode::InvalidInput,
                    "give the id of the record merged away, as `person show` lists it",
                )
                .into());
            };
            vault.unmerge_person(&one.id)?;
            let name = one.name.clone();
            out.done(json!({ "unmerged": one.id }), || {
                out.t_args("person-unmerged", &[("name", name.clone().into())])
            })
        }
        PersonCommand::Consent(c) => {
            let mut vault = session.open()?;
            let id = find(&vault, &c.person)?;
            let consent = NewConsent {
                what: c.what,
                uses: c.uses,
                given_on: c.on,
                how: c.how,
            };
            out.made(vault.record_consent(&id, &consent)?.as_str())
        }
        PersonCommand::WithdrawConsent {
            person,
            consent,
            on,
        } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            vault.withdraw_consent(&id, &ConsentId(consent.clone()), on)?;
            out.done(json!({ "id": consent }), || out.t("consent-withdrawn"))
        }
        PersonCommand::Resolve {
            person,
            field,
            choice,
        } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            let path: Vec<String> = field.split('.').map(str::to_owned).collect();
            // People count from 1; the vault counts from 0.
            vault.resolve_conflict(&id, &path, choice as usize - 1)?;
            out.done(
                json!({ "id": id, "field": field, "choice": choice }),
                || out.t("conflict-kept"),
            )
        }
        PersonCommand::Erase { person, yes, also } => {
            let mut vault = session.open()?;
            let id = vault.resolve_person(&find(&vault, &person)?)?;
            if !yes {
                return Err(
                    Failure::new(ErrorCode::InvalidInput, out.t("person-erase-needs-yes")).into(),
                );
            }
            let merged: Vec<_> = vault
                .person(&id)?
                .merged
                .into_iter()
                .map(|m| m.id)
                .collect();
            let named: Vec<_> = merged
                .iter()
                .filter(|m| also.iter().any(|a| id_matches(m.as_str(), a)))
                .cloned()
                .collect();
            let unknown = also
                .iter()
                .any(|a| !merged.iter().any(|m| id_matches(m.as_str(), a)));
            if named.len() != merged.len() || unknown {
                return Err(Failure::new(
                    ErrorCode::InvalidInput,
                    out.t_args(
                        "person-erase-name-merged",
                        &[("count", (merged.len() as i64).into())],
                    ),
                )
                .into());
            }
            vault.erase_person(&id, &named)?;
            out.done(json!({ "erased": id, "merged": named }), || {
                out.t("person-erased")
            })
        }
    }
}

/// Whether `given` names the record `id`: the whole id, or its start (six characters or
/// more), as `person show` lists merged records.
fn id_matches(id: &str, given: &str) -> bool {
    let given = given.trim().to_lowercase();
    id == given || (given.len() >= 6 && id.starts_with(&given))
}

fn add(a: PersonAdd, session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    let new = NewPerson {
        name: a.name,
        nicknames: a.nicknames,
        pronouns: a.pronouns,
        languages: a.languages,
        contact: a.contact.unwrap_or_default(),
        remember: a.remember.unwrap_or_default(),
    };
    out.made(vault.add_person(&new)?.as_str())
}

/// `--nickname ""` alone means "none".
fn list(items: Option<Vec<String>>) -> Option<Vec<String>> {
    items.map(|v| v.into_iter().filter(|s| !s.trim().is_empty()).collect())
}

fn edit(e: PersonEdit, session: &Session, out: &Output) -> Result<()> {
    let update = ProfileUpdate {
        name: e.name,
        nicknames: list(e.nicknames),
        pronouns: e.pronouns,
        languages: list(e.languages),
        contact: e.contact,
        remember: e.remember,
    };
    if update.is_empty() {
        return Err(Failure::new(
            ErrorCode::InvalidInput,
            "nothing to change: give at least one of --name, --nickname, --pronouns, --language, --contact, --remember",
        )
        .into());
    }
    let mut vault = session.open()?;
    let id = find(&vault, &e.person)?;
    vault.update_profile(&id, &update)?;
    out.done(json!({ "id": id }), || out.t("person-profile-updated"))
}

fn export(a: &ExportArgs, session: &Session, out: &Output) -> Result<()> {
    // Refused before unlocking, so that nothing is read for nothing.
    if a.format == ExportFormat::Automerge
        && a.output.is_none()
        && (out.json || std::io::stdout().is_terminal())
    {
        return Err(Failure::new(
            ErrorCode::InvalidInput,
            "an Automerge export is binary: give --output FILE (or redirect stdout)",
        )
        .into());
    }
    let mut vault = session.open()?;
    let id = find(&vault, &a.person)?;
    let bytes = match a.format {
        ExportFormat::Text => vault.export_text(&id, out.lang)?.into_bytes(),
        ExportFormat::Json => vault.export_json(&id)?.into_bytes(),
        ExportFormat::Automerge => vault.export_automerge(&id)?,
    };
    match &a.output {
        Some(path) => {
            write_private(path, &bytes)
                .with_context(|| format!("writing the export to {}", path.display()))?;
            out.done(
                json!({ "id": id, "path": path, "bytes": bytes.len() }),
                || {
                    let path = path.display().to_string();
                    out.t_args("person-export-written", &[("path", path.into())])
                },
            )
        }
        None if out.json && a.format == ExportFormat::Text => out.show(
            &json!({ "id": id, "text": String::from_utf8_lossy(&bytes) }),
            |_| String::new(),
        ),
        None => {
            let mut bytes = bytes;
            if a.format == ExportFormat::Json {
                bytes.push(b'\n');
            }
            write_stdout(&bytes)
        }
    }
}

/// Writes a file only its owner can read: it holds everything about a person.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // `mode` only applies to a new file; an older one may have been readable by others.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}
