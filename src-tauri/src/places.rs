//! The shell's commands for the team's places, referral outcomes and debriefs: each a few
//! lines into `tandem_core::Vault`. All of it is vault data (the team document and the
//! encounters), so it works offline.

use crate::error::CommandResult;
use crate::state::AppState;
use tandem_model::shell::answers::{Debriefs, PlaceList};
use tandem_model::{EncounterId, NewPlace, Outcome, PlaceId, PlaceUpdate};
use tauri::State;

#[tauri::command(async, rename_all = "snake_case")]
pub fn search_places(state: State<'_, AppState>, query: String) -> CommandResult<PlaceList> {
    state.with_vault(|v| {
        Ok(PlaceList {
            places: v.search_places(&query)?,
            names: v.member_directory()?,
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn add_place(state: State<'_, AppState>, place: NewPlace) -> CommandResult<PlaceId> {
    state.change(|v| v.add_place(&place))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn edit_place(
    state: State<'_, AppState>,
    place: PlaceId,
    update: PlaceUpdate,
) -> CommandResult<()> {
    state.change(|v| v.edit_place(&place, &update))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn check_place(state: State<'_, AppState>, place: PlaceId) -> CommandResult<()> {
    state.change(|v| v.check_place(&place))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn remove_place(state: State<'_, AppState>, place: PlaceId) -> CommandResult<()> {
    state.change(|v| v.remove_place(&place))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn resolve_place_conflict(
    state: State<'_, AppState>,
    place: PlaceId,
    field: String,
    choice: usize,
) -> CommandResult<()> {
    state.change(|v| v.resolve_place_conflict(&place, &field, choice))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn set_referral_outcome(
    state: State<'_, AppState>,
    encounter: EncounterId,
    index: usize,
    outcome: Option<Outcome>,
) -> CommandResult<()> {
    state.change(|v| v.set_referral_outcome(&encounter, index, outcome))
}

/// Every debrief asked for: those not done yet first, each group newest first.
#[tauri::command(async, rename_all = "snake_case")]
pub fn debriefs(state: State<'_, AppState>) -> CommandResult<Debriefs> {
    state.with_vault(|v| {
        let mut requests = v.debrief_requests(true)?;
        // A stable sort: the vault's order (newest first) stays inside each group.
        requests.sort_by_key(|r| r.done.is_some());
        Ok(Debriefs {
            requests,
            names: v.member_directory()?,
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn mark_debrief_done(state: State<'_, AppState>, encounter: EncounterId) -> CommandResult<()> {
    state.change(|v| v.mark_debrief_done(&encounter))
}
