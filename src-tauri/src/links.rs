//! The shell's commands for street contacts that become people and for two records of one
//! person merged into one: each a few lines into `tandem_core::Vault`. Links and merges are
//! written into the documents, so they work offline and travel like everything else.

use crate::error::CommandResult;
use crate::state::AppState;
use tandem_model::shell::answers::StreetMonth;
use tandem_model::{EncounterId, PersonId};
use tauri::State;

#[tauri::command(async, rename_all = "snake_case")]
pub fn street_log(state: State<'_, AppState>, month: String) -> CommandResult<StreetMonth> {
    state.with_vault(|v| {
        let mut entries = v.street_log(&month)?;
        entries.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        let mut linked: Vec<PersonId> = Vec::new();
        for l in entries.iter().filter_map(|e| e.link.as_ref()) {
            for p in std::iter::once(&l.person).chain(&l.also) {
                if !linked.contains(p) {
                    linked.push(p.clone());
                }
            }
        }
        Ok(StreetMonth {
            month,
            people: v.person_names(&linked)?,
            names: v.member_directory()?,
            entries,
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn link_street_entry(
    state: State<'_, AppState>,
    entry: EncounterId,
    person: PersonId,
) -> CommandResult<PersonId> {
    state.change(|v| v.link_street_entry(&entry, &person))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unlink_street_entry(state: State<'_, AppState>, entry: EncounterId) -> CommandResult<bool> {
    state.change(|v| v.unlink_street_entry(&entry))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn merge_people(
    state: State<'_, AppState>,
    keep: PersonId,
    other: PersonId,
) -> CommandResult<()> {
    state.change(|v| v.merge_people(&keep, &other))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unmerge_person(state: State<'_, AppState>, other: PersonId) -> CommandResult<()> {
    state.change(|v| v.unmerge_person(&other))
}
