//! The commands the front end calls. Each is a short call into `tandem-core`, the same calls
//! the `tandem` command makes (see `cli/src/commands/`). They run off the main thread
//! (`async`), so unlocking (Argon2) or a sync never freezes the window. Their names, what
//! they take and what they answer are the shell ↔ UI contract (`tandem_model::shell`).

use crate::error::{CommandError, CommandResult};
use crate::settings::Settings;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::Arc;
use tandem_core::sync::{self, SyncProgress, SyncReport, SyncState, SyncStatus};
use tandem_core::{NewVault, Passphrase, SharedVault, Vault, VaultError};
use tandem_model::shell::answers::{
    AppInfo, DeviceInfo, DeviceRole, Invite, RecentEncounter, TeamOverview, Today,
};
use tandem_model::shell::SYNC_EVENT;
use tandem_model::{
    ConsentId, EncounterSubject, ErrorCode, FollowUpId, GoalId, GoalUpdate, HistoryEntry,
    NewConsent, NewEncounter, NewGoal, NewPerson, OptionList, PersonBrief, PersonId, PersonRecord,
    PersonSummary, ProfileUpdate, StepId, TeamSettings,
};
use tauri::{AppHandle, Emitter, Runtime, State};

/// How far ahead "Today" looks for follow-ups, in days.
const FOLLOW_UPS_AHEAD_DAYS: u64 = 7;
/// How many recent encounters "Today" shows.
const RECENT: usize = 8;
/// A draft larger than this is refused (a page of notes is a few kB).
const MAX_DRAFT_BYTES: usize = 256 * 1024;

#[tauri::command(async, rename_all = "snake_case")]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    crate::timing::mark("front end asked app_info (first screen about to show)");
    AppInfo {
        vault_exists: Vault::exists(&state.dir),
        unlocked: state.is_unlocked(),
        settings: state.settings(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> CommandResult<Settings> {
    state.set_settings(settings)
}

fn emit_status<R: Runtime>(app: &AppHandle<R>) -> impl Fn(&SyncStatus) + Send + Sync + 'static {
    let app = app.clone();
    move |status| {
        // The window may be gone while the app quits: nothing to tell then.
        let _ = app.emit(SYNC_EVENT, status);
    }
}

fn start<R: Runtime>(state: &AppState, app: &AppHandle<R>, vault: Vault) {
    state.start(Arc::new(SharedVault::new(vault)), emit_status(app));
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn create_vault<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: String,
    member_name: String,
    team_name: String,
) -> CommandResult<()> {
    let setup = NewVault {
        member_name,
        team_name,
    };
    let vault = Vault::create(&state.dir, &Passphrase::new(passphrase), &setup)?;
    start(&state, &app, vault);
    Ok(())
}

/// Joins a team with an invite code: creates this device's vault and runs the first sync.
/// If that sync fails (the relay went away), the vault is there and sync resumes by itself;
/// the report is then absent.
#[tauri::command(async, rename_all = "snake_case")]
pub fn join_team<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    code: String,
    passphrase: String,
    member_name: String,
) -> CommandResult<Option<SyncReport>> {
    let progress = {
        let app = app.clone();
        move |p: SyncProgress| {
            let (SyncProgress::Pushing(done, total)
            | SyncProgress::Pulling(done, total)
            | SyncProgress::Checking(done, total)) = p;
            let status = SyncStatus {
                state: SyncState::Syncing { done, total },
                waiting: 0,
                last_synced_at: None,
                last_report: None,
                seq: sync::next_status_seq(),
            };
            let _ = app.emit(SYNC_EVENT, &status);
        }
    };
    let (vault, first) = sync::join_team(
        &state.dir,
        &Passphrase::new(passphrase),
        &member_name,
        code.trim(),
        &progress,
    )?;
    start(&state, &app, vault.into_inner());
    Ok(first.ok())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<()> {
    if state.is_unlocked() {
        return Ok(());
    }
    crate::timing::mark("unlock asked");
    match Vault::open(&state.dir, &Passphrase::new(passphrase)) {
        Ok(vault) => start(&state, &app, vault),
        Err(VaultError::InUse) => match state.still_open_vault() {
            Some(vault) => state.start(vault, emit_status(&app)),
            None => return Err(VaultError::InUse.into()),
        },
        Err(e) => return Err(e.into()),
    }
    crate::timing::mark("unlocked");
    crate::reminders::after_unlock(&app);
    Ok(())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn lock(state: State<'_, AppState>) {
    state.lock();
}

/// Puts this vault's team on a relay, then asks the sync to send everything.
#[tauri::command(async, rename_all = "snake_case")]
pub fn create_team<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    relay_url: String,
    team_name: String,
    relay_token: Option<String>,
) -> CommandResult<()> {
    let vault = state.shared_vault()?;
    sync::create_team_on_relay(&vault, relay_url.trim(), &team_name, relay_token.as_deref())?;
    // The runner stopped itself when it found no relay: start it again.
    state.start(vault, emit_status(&app));
    Ok(())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn today(state: State<'_, AppState>) -> CommandResult<Today> {
    crate::timing::mark("front end asked today");
    let until = chrono::Local::now().date_naive() + chrono::Days::new(FOLLOW_UPS_AHEAD_DAYS);
    state.with_vault(|v| {
        let names: HashMap<PersonId, String> = v
            .list_people()?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let me = v.member_id().clone();
        let recent = v.recent_encounters(RECENT)?;
        let last_place = recent
            .iter()
            .filter(|e| e.recorded_by.as_ref() == Some(&me))
            .find_map(|e| e.place.clone());
        Ok(Today {
            follow_ups_due: v.my_follow_ups_due(until)?,
            recent: recent
                .into_iter()
                .map(|encounter| RecentEncounter {
                    person_name: match &encounter.subject {
                        EncounterSubject::Person(p) => names.get(p).cloned(),
                        EncounterSubject::Anonymous(_) => None,
                    },
                    encounter,
                })
                .collect(),
            last_place,
            team_name: v.team()?.name,
        })
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn list_people(state: State<'_, AppState>) -> CommandResult<Vec<PersonSummary>> {
    state.with_vault(|v| v.list_people())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn search_people(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<PersonSummary>> {
    state.with_vault(|v| v.search_people(&query))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn add_person(state: State<'_, AppState>, person: NewPerson) -> CommandResult<PersonId> {
    state.change(|v| v.add_person(&person))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn record_encounter(
    state: State<'_, AppState>,
    encounter: NewEncounter,
) -> CommandResult<String> {
    let id = state.change(|v| v.record_encounter(&encounter))?;
    // Saved: the draft it came from is done.
    state.set_draft(None);
    Ok(id.0)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn brief(state: State<'_, AppState>, person: PersonId) -> CommandResult<PersonBrief> {
    crate::timing::mark("front end asked brief");
    let b = state.with_vault(|v| v.brief(&person));
    crate::timing::mark("brief read");
    b
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn person_record(state: State<'_, AppState>, person: PersonId) -> CommandResult<PersonRecord> {
    state.with_vault(|v| v.person(&person))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn history(state: State<'_, AppState>, person: PersonId) -> CommandResult<Vec<HistoryEntry>> {
    state.with_vault(|v| v.history(&person))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn resolve_conflict(
    state: State<'_, AppState>,
    person: PersonId,
    path: Vec<String>,
    choice: usize,
) -> CommandResult<()> {
    state.change(|v| v.resolve_conflict(&person, &path, choice))
}

/// Edits how a person is known and reached; only the fields given change.
#[tauri::command(async, rename_all = "snake_case")]
pub fn update_profile(
    state: State<'_, AppState>,
    person: PersonId,
    update: ProfileUpdate,
) -> CommandResult<()> {
    state.change(|v| v.update_profile(&person, &update))
}

/// Records a consent the person gave.
#[tauri::command(async, rename_all = "snake_case")]
pub fn record_consent(
    state: State<'_, AppState>,
    person: PersonId,
    consent: NewConsent,
) -> CommandResult<ConsentId> {
    state.change(|v| v.record_consent(&person, &consent))
}

/// Records that the person withdrew a consent (today if no date).
#[tauri::command(async, rename_all = "snake_case")]
pub fn withdraw_consent(
    state: State<'_, AppState>,
    person: PersonId,
    consent: ConsentId,
    on: Option<chrono::NaiveDate>,
) -> CommandResult<()> {
    state.change(|v| v.withdraw_consent(&person, &consent, on))
}

/// Erases everything about a person, at their request: here at once, on the team's other
/// devices and on the relay at the next sync. `merged`: the records the brief showed as
/// merged into theirs, erased with it (refused as changed meanwhile when that is not so now).
#[tauri::command(async, rename_all = "snake_case")]
pub fn erase_person(
    state: State<'_, AppState>,
    person: PersonId,
    merged: Vec<PersonId>,
) -> CommandResult<()> {
    state.change(|v| v.erase_person(&person, &merged))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn add_goal(
    state: State<'_, AppState>,
    person: PersonId,
    goal: NewGoal,
) -> CommandResult<GoalId> {
    state.change(|v| v.add_goal(&person, &goal))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn update_goal(
    state: State<'_, AppState>,
    person: PersonId,
    goal: GoalId,
    update: GoalUpdate,
) -> CommandResult<()> {
    state.change(|v| v.update_goal(&person, &goal, &update))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn add_step(
    state: State<'_, AppState>,
    person: PersonId,
    goal: GoalId,
    text: String,
) -> CommandResult<StepId> {
    state.change(|v| v.add_step(&person, &goal, &text))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn set_step_done(
    state: State<'_, AppState>,
    person: PersonId,
    goal: GoalId,
    step: StepId,
    done: bool,
) -> CommandResult<()> {
    state.change(|v| v.set_step_done(&person, &goal, &step, done))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn complete_follow_up(
    state: State<'_, AppState>,
    person: PersonId,
    follow_up: FollowUpId,
) -> CommandResult<()> {
    state.change(|v| v.complete_follow_up(&person, &follow_up))
}

/// The lists the forms offer (encounter kinds, life domains, what can be given).
#[tauri::command(async, rename_all = "snake_case")]
pub fn team_settings(state: State<'_, AppState>) -> CommandResult<TeamSettings> {
    state.with_vault(|v| Ok(v.team()?.settings))
}

/// Adds an option to one of the team's lists; the team's devices hear of it by sync.
#[tauri::command(async, rename_all = "snake_case")]
pub fn add_team_option(
    state: State<'_, AppState>,
    which: OptionList,
    value: String,
) -> CommandResult<TeamSettings> {
    state.change(|v| v.add_team_option(which, &value))?;
    state.with_vault(|v| Ok(v.team()?.settings))
}

/// Removes an option from one of the team's lists (records written with it keep it).
#[tauri::command(async, rename_all = "snake_case")]
pub fn remove_team_option(
    state: State<'_, AppState>,
    which: OptionList,
    value: String,
) -> CommandResult<TeamSettings> {
    state.change(|v| v.remove_team_option(which, &value))?;
    state.with_vault(|v| Ok(v.team()?.settings))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn team_overview(state: State<'_, AppState>) -> CommandResult<TeamOverview<SyncStatus>> {
    let (team, relay_url, set_aside, team_doc_claims) = state.with_vault(|v| {
        Ok((
            v.team()?,
            v.relay()?.map(|r| r.url),
            v.set_aside_count()?,
            v.team_doc_claims()?,
        ))
    })?;
    let is_admin = team
        .members
        .iter()
        .any(|m| m.id == team.me && m.role == tandem_model::MemberRole::Admin);
    Ok(TeamOverview {
        team,
        relay_url,
        is_admin,
        sync: state.sync_status(),
        set_aside,
        team_doc_claims,
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn list_devices(state: State<'_, AppState>) -> CommandResult<Vec<DeviceInfo>> {
    let vault = state.shared_vault()?;
    Ok(sync::list_devices(&vault)?
        .into_iter()
        .map(device_info)
        .collect())
}

/// A device as the relay answered it, in the contract's terms (the same JSON: the match
/// below stops the build if the relay's roles and the contract's ever part).
pub fn device_info(d: tandem_protocol::api::DeviceInfo) -> DeviceInfo {
    use tandem_protocol::api::DeviceRole as Relay;
    DeviceInfo {
        device: d.device.to_hex(),
        public_key: d.public_key,
        role: match d.role {
            Relay::Admin => DeviceRole::Admin,
            Relay::Member => DeviceRole::Member,
        },
        enrolled_at_ms: d.enrolled_at_ms,
        revoked_at_ms: d.revoked_at_ms,
    }
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn create_invite(state: State<'_, AppState>, hours: u64) -> CommandResult<Invite> {
    let hours = hours.clamp(1, 24 * 7);
    let vault = state.shared_vault()?;
    let code = sync::create_invite(&vault, hours * 3600)?.to_string();
    Ok(Invite {
        qr_svg: qr_svg(&code)?,
        code,
        hours,
    })
}

/// The QR code of `text` as SVG markup (without the XML declaration, to sit inside HTML).
pub fn qr_svg(text: &str) -> CommandResult<String> {
    let qr = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn revoke_device(state: State<'_, AppState>, device: String) -> CommandResult<()> {
    let vault = state.shared_vault()?;
    Ok(sync::revoke_device(&vault, &device)?)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    state.shared_vault()?;
    state.poke();
    Ok(())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sync_status(state: State<'_, AppState>) -> Option<SyncStatus> {
    state.sync_status()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> CommandResult<()> {
    state.with_vault(|v| v.change_passphrase(&Passphrase::new(current), &Passphrase::new(new)))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn draft_save(state: State<'_, AppState>, draft: String) -> CommandResult<()> {
    if draft.len() > MAX_DRAFT_BYTES {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "the draft is too long",
        ));
    }
    state.set_draft(Some(draft));
    Ok(())
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn draft_load(state: State<'_, AppState>) -> Option<String> {
    state.draft()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn draft_clear(state: State<'_, AppState>) {
    state.set_draft(None);
}

/// The team's work from `from` to `to` (both included), the days read in this computer's
/// time zone (UTC if it has no IANA name), counted from the vault's indexes.
#[tauri::command(async, rename_all = "snake_case")]
pub fn report(
    state: State<'_, AppState>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> CommandResult<tandem_model::Report> {
    state.with_vault(|v| v.report(&local_period(from, to)))
}

/// The days `from` to `to` in this computer's time zone (UTC if it has no IANA name).
fn local_period(from: chrono::NaiveDate, to: chrono::NaiveDate) -> tandem_model::ReportPeriod {
    let zone = tandem_core::report::system_time_zone().unwrap_or_else(|| "UTC".to_owned());
    tandem_model::ReportPeriod::days(from, to, &zone)
}

/// The report's counts from `from` to `to` as a CSV file a spreadsheet opens (UTF-8 with a
/// byte-order mark, in the app's language, every count below 5 written "<5"; nothing per
/// member, no name), saved in the Downloads folder (else the home folder) under a name no
/// other file has there. Answers where.
#[tauri::command(async, rename_all = "snake_case")]
pub fn export_report_csv(
    state: State<'_, AppState>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> CommandResult<tandem_model::shell::answers::SavedFile> {
    let lang = state.settings().lang;
    let bytes = state.with_vault(|v| v.report_csv(&local_period(from, to), lang))?;
    let path = save_in_downloads(&format!("tandem-report-{from}-{to}"), &bytes)?;
    Ok(tandem_model::shell::answers::SavedFile { path })
}

/// The de-identified row-per-encounter file of `from` to `to` (both included): only people
/// whose recorded consent covers research, a key made for this file only, codes and no words
/// (`tandem_core::report` says what it holds). Saved as the report's CSV is, readable by this
/// user only; answers where, and how many encounters, people and people left out.
#[tauri::command(async, rename_all = "snake_case")]
pub fn export_research_csv(
    state: State<'_, AppState>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> CommandResult<tandem_model::shell::answers::ResearchSaved> {
    let export = state.with_vault(|v| v.research_csv(&local_period(from, to)))?;
    let path = save_in_downloads(&format!("tandem-research-{from}-{to}"), &export.bytes)?;
    Ok(tandem_model::shell::answers::ResearchSaved {
        path,
        encounters: export.encounters,
        people: export.people,
        left_out: export.left_out,
    })
}

/// Saves a CSV file in the Downloads folder (else the home folder) under a name no other file
/// has there; answers its path.
fn save_in_downloads(stem: &str, bytes: &[u8]) -> CommandResult<String> {
    let dirs = directories::UserDirs::new();
    let dir = dirs
        .as_ref()
        .and_then(|d| d.download_dir().map(std::path::Path::to_path_buf))
        .or_else(|| dirs.as_ref().map(|d| d.home_dir().to_path_buf()))
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::Io,
                "no Downloads or home folder to save the file in",
            )
        })?;
    let path = crate::files::save_new(&dir, stem, "csv", bytes)
        .map_err(|e| CommandError::new(ErrorCode::Io, format!("saving the file: {e}")))?;
    Ok(path.display().to_string())
}
