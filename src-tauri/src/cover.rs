//! The shell's hand-over and cover commands: each a few lines into `tandem_core::Vault`.

use crate::error::CommandResult;
use crate::state::AppState;
use tandem_model::shell::answers::Cover;
use tandem_model::{AwayReason, FollowUpId, MemberId, PersonId, TeamFollowUps};
use tauri::State;

/// How far ahead the team view looks (the same as Today).
const AHEAD_DAYS: u64 = 7;

fn note(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cover(state: State<'_, AppState>) -> CommandResult<Cover> {
    state.with_vault(|v| {
        Ok(Cover {
            me: v.member_id().clone(),
            present: v.present_members()?,
            away: v.away_members()?,
            needs: v.needs_someone()?,
            names: v.member_directory()?,
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn team_follow_ups(state: State<'_, AppState>) -> CommandResult<TeamFollowUps> {
    let until = chrono::Local::now().date_naive() + chrono::Days::new(AHEAD_DAYS);
    state.with_vault(|v| v.team_follow_ups(until))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn mark_away(
    state: State<'_, AppState>,
    member: MemberId,
    reason: AwayReason,
) -> CommandResult<()> {
    state.change(|v| v.mark_away(&member, reason))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn mark_back(state: State<'_, AppState>, member: MemberId) -> CommandResult<()> {
    state.change(|v| v.mark_back(&member))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn take_person(
    state: State<'_, AppState>,
    person: PersonId,
    note: String,
) -> CommandResult<()> {
    state.change(|v| v.take_person(&person, self::note(&note)))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn take_follow_up(
    state: State<'_, AppState>,
    person: PersonId,
    follow_up: FollowUpId,
    note: String,
) -> CommandResult<()> {
    state.change(|v| v.take_follow_up(&person, &follow_up, self::note(&note)))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn reassign_follow_up(
    state: State<'_, AppState>,
    person: PersonId,
    follow_up: FollowUpId,
    to: MemberId,
) -> CommandResult<()> {
    state.change(|v| v.reassign_follow_up(&person, &follow_up, &to))
}
