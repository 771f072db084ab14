//! Tandem's app: a thin Tauri 2 shell over the vault (`tandem-core`).
//!
//! - [`commands`]: what the front end calls; each is a short call into core.
//! - [`state`]: the unlocked vault, its background sync (started on unlock, stopped on lock,
//!   status pushed to the front end as `sync-status` events), the draft encounter.
//! - [`settings`]: language, auto-lock time and the reminder, in a small JSON file beside the
//!   vault.
//! - [`reminders`]: the daily desktop notification of what is due (counts only).
//!
//! The vault folder is `TANDEM_VAULT` or the user's data folder (the one the `tandem` command
//! uses too).

pub mod commands;
pub mod cover;
pub mod error;
pub mod files;
pub mod links;
pub mod places;
pub mod reminders;
pub mod settings;
pub mod state;
pub mod timing;

#[cfg(test)]
mod contract_tests;

use state::AppState;
use tauri::Runtime;

/// Builds the app on any runtime (tests use `tauri::test::mock_builder()`).
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            reminders::start(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::save_settings,
            commands::create_vault,
            commands::join_team,
            commands::unlock,
            commands::lock,
            commands::create_team,
            commands::today,
            commands::list_people,
            commands::search_people,
            commands::add_person,
            commands::record_encounter,
            commands::brief,
            commands::person_record,
            commands::history,
            commands::resolve_conflict,
            commands::erase_person,
            commands::update_profile,
            commands::record_consent,
            commands::withdraw_consent,
            commands::add_goal,
            commands::update_goal,
            commands::add_step,
            commands::set_step_done,
            commands::complete_follow_up,
            commands::team_overview,
            commands::team_settings,
            commands::add_team_option,
            commands::remove_team_option,
            commands::list_devices,
            commands::create_invite,
            commands::revoke_device,
            commands::sync_now,
            commands::sync_status,
            commands::change_passphrase,
            commands::draft_save,
            commands::draft_load,
            commands::draft_clear,
            commands::report,
            commands::export_report_csv,
            commands::export_research_csv,
            cover::cover,
            cover::team_follow_ups,
            cover::mark_away,
            cover::mark_back,
            cover::take_person,
            cover::take_follow_up,
            cover::reassign_follow_up,
            places::search_places,
            places::add_place,
            places::edit_place,
            places::check_place,
            places::remove_place,
            places::resolve_place_conflict,
            places::set_referral_outcome,
            places::debriefs,
            places::mark_debrief_done,
            links::street_log,
            links::link_street_entry,
            links::unlink_street_entry,
            links::merge_people,
            links::unmerge_person,
        ])
        .on_window_event(|window, event| {
            // Closing the window locks the vault before the process ends.
            if let tauri::WindowEvent::Destroyed = event {
                use tauri::Manager;
                window.state::<AppState>().lock();
            }
        })
}

// `generate_context!` embeds the front end and the configuration; its expansion contains
// `unsafe` code, hence the one allowance in this crate.
#[allow(unsafe_code)]
fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// Runs the app.
pub fn run() -> Result<(), tauri::Error> {
    timing::start();
    let state = AppState::new(state::vault_dir());
    app_builder(tauri::Builder::default(), state).run(context())
}
