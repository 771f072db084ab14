//! What the shell answers, where the answer is not a model type of its own: the settings, the
//! first question the front end asks, the Today and Team screens, devices and invites.

use crate::{
    Away, DebriefRequest, Encounter, FollowUpDue, Lang, Member, MemberId, NeedsSomeone, PersonId,
    Place, TeamInfo,
};
use serde::{Deserialize, Serialize};

/// Shortest and longest auto-lock delays accepted, in minutes.
pub const AUTO_LOCK_RANGE: (u32, u32) = (1, 120);

/// What the app remembers between runs (a small plain file beside the vault: never personal
/// data). A field missing from the file takes its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The language the app speaks.
    pub lang: Lang,
    /// Minutes without a touch or a key before the app locks itself.
    pub auto_lock_minutes: u32,
    /// Whether the daily reminder of what is due is raised (a desktop notification with
    /// counts only: see [`crate::reminder`]).
    pub reminders: bool,
    /// The minute of the day the reminder comes, local time (`0..1440`).
    pub reminder_minute: u16,
}

impl Settings {
    /// The settings of a first start in `lang`.
    pub fn in_lang(lang: Lang) -> Self {
        Self {
            lang,
            auto_lock_minutes: 5,
            reminders: true,
            reminder_minute: crate::reminder::DEFAULT_REMINDER_MINUTE,
        }
    }

    /// The same settings with values brought into range.
    pub fn clamped(self) -> Self {
        Self {
            auto_lock_minutes: self
                .auto_lock_minutes
                .clamp(AUTO_LOCK_RANGE.0, AUTO_LOCK_RANGE.1),
            reminder_minute: self
                .reminder_minute
                .min(crate::reminder::MINUTES_IN_DAY - 1),
            ..self
        }
    }
}

impl Default for Settings {
    /// In the default language; the shell starts from the machine's language instead.
    fn default() -> Self {
        Self::in_lang(Lang::default())
    }
}

/// `app_info`: what the front end needs before anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// A vault exists (show Unlock) or not (show First run).
    pub vault_exists: bool,
    /// The vault is unlocked now (the window was reloaded).
    pub unlocked: bool,
    /// The settings.
    pub settings: Settings,
    /// The app's version.
    pub version: String,
}

/// An encounter on the Today screen, with the person's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentEncounter {
    /// The encounter.
    pub encounter: Encounter,
    /// The person's name (absent for the street log).
    pub person_name: Option<String>,
}

/// `today`: the Today screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Today {
    /// Open follow-ups due within a week (and late ones).
    pub follow_ups_due: Vec<FollowUpDue>,
    /// The latest encounters.
    pub recent: Vec<RecentEncounter>,
    /// Where this member's last encounter was, to pre-fill the next one.
    pub last_place: Option<String>,
    /// The team's name.
    pub team_name: String,
}

/// `team_overview`: the Team & sync screen, without the network (devices come from
/// `list_devices`). `S` is the sync status: the shell's own type where it is sent, the front
/// end's reading of it where it is received (the model does not know the sync engine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOverview<S> {
    /// The team.
    pub team: TeamInfo,
    /// The relay's address, when the team is on one.
    pub relay_url: Option<String>,
    /// Whether the member using this device is an admin.
    pub is_admin: bool,
    /// The sync status, when the vault has a running sync.
    pub sync: Option<S>,
    /// Changes from the team this device could not read and set aside (an admin looks).
    #[serde(default)]
    pub set_aside: u64,
    /// What the team document claims about members' roles or devices' keys that the team
    /// record does not say (ignored: roles and keys come from the record; an admin looks).
    #[serde(default)]
    pub team_doc_claims: u64,
}

/// A device's role, as the relay knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// May revoke devices.
    Admin,
    /// May read, write and invite.
    Member,
}

/// One of `list_devices`: a device as the relay knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Its id (32 hex digits).
    pub device: String,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
    /// Its role.
    pub role: DeviceRole,
    /// When it was enrolled (Unix ms).
    pub enrolled_at_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
}

/// `create_invite`: an invite for a new device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    /// The code to type or paste on the new device.
    pub code: String,
    /// The same code as a QR code (SVG markup).
    pub qr_svg: String,
    /// How long it stays valid, in hours.
    pub hours: u64,
}

/// `export_report_csv`: where the file was saved on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    /// The file's full path, to show the coordinator where to find it.
    pub path: String,
}

/// `export_research_csv`: where the file was saved and what it holds, for the coordinator to
/// check before sending it (these counts stay on the screen; the file holds none of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchSaved {
    /// The file's full path.
    pub path: String,
    /// Encounters (rows) in the file.
    pub encounters: usize,
    /// Different people in it.
    pub people: usize,
    /// People met in the period left out: their consent does not cover research.
    pub left_out: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_missing_a_field_takes_its_default() {
        let s: Settings =
            serde_json::from_str(r#"{"lang":"fr"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s, Settings::in_lang(Lang::Fr));
        assert_eq!(
            Settings {
                auto_lock_minutes: 0,
                ..Settings::default()
            }
            .clamped()
            .auto_lock_minutes,
            AUTO_LOCK_RANGE.0
        );
        let late = Settings {
            reminder_minute: 9000,
            ..Settings::default()
        }
        .clamped();
        assert_eq!(late.reminder_minute, 23 * 60 + 59);
        assert!(Settings::default().reminders);
    }

    #[test]
    fn a_device_reads_as_the_relay_writes_it() {
        let d: DeviceInfo = serde_json::from_str(
            r#"{"device":"00112233445566778899aabbccddeeff","public_key":"ab","role":"admin","enrolled_at_ms":1,"revoked_at_ms":null}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.role, DeviceRole::Admin);
        assert_eq!(d.revoked_at_ms, None);
    }
}

/// The Cover screen: who can take work, who is away, and what needs someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    /// The member using this device.
    pub me: MemberId,
    /// Members in the team and not away (who can be chosen).
    pub present: Vec<Member>,
    /// Members away.
    pub away: Vec<Away>,
    /// People and follow-ups waiting for someone.
    pub needs: NeedsSomeone,
    /// Every member's name (removed ones too), for the ids the lists hold.
    pub names: Vec<(MemberId, String)>,
}

/// `search_places`: places of the team's list, by name (those whose name starts with the
/// query first), with the names of the members who last checked them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceList {
    /// The places found.
    pub places: Vec<Place>,
    /// Every member's name (removed ones too), for the ids the places hold.
    pub names: Vec<(MemberId, String)>,
}

/// `debriefs`: the debriefs peers asked for, those not done yet first (newest first), then
/// those done. A list of work: it counts no one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debriefs {
    /// The requests.
    pub requests: Vec<DebriefRequest>,
    /// Every member's name (removed ones too), for who noted a debrief done.
    pub names: Vec<(MemberId, String)>,
}

/// `street_log`: a month's street contacts, newest first, with the names of the people some
/// were later found to be and of the members who recorded or linked them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetMonth {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Its entries.
    pub entries: Vec<Encounter>,
    /// The name of each person an entry is linked to (a merged record's id gives the merged
    /// one's name); a link to a record this device does not hold is left out.
    pub people: Vec<(PersonId, String)>,
    /// Every member's name (removed ones too).
    pub names: Vec<(MemberId, String)>,
}
