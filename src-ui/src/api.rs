//! The shell's answers that are not model types (see `src-tauri/src/commands.rs`).

use serde::{Deserialize, Serialize};
use tandem_model::{Encounter, FollowUpDue, Lang, TeamInfo};

/// The settings (`src-tauri/src/settings.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Language.
    pub lang: Lang,
    /// Minutes before the app locks itself.
    pub auto_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lang: Lang::En,
            auto_lock_minutes: 5,
        }
    }
}

/// `app_info`.
#[derive(Debug, Clone, Deserialize)]
pub struct AppInfo {
    /// A vault exists.
    pub vault_exists: bool,
    /// It is unlocked.
    pub unlocked: bool,
    /// Settings.
    pub settings: Settings,
}

/// An encounter on Today.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecentEncounter {
    /// The encounter.
    pub encounter: Encounter,
    /// The person's name (none for the street log).
    pub person_name: Option<String>,
}

/// `today`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Today {
    /// Follow-ups due.
    pub follow_ups_due: Vec<FollowUpDue>,
    /// Recent encounters.
    pub recent: Vec<RecentEncounter>,
    /// Last place.
    pub last_place: Option<String>,
    /// Team name.
    pub team_name: String,
}

/// `team_overview`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamOverview {
    /// The team.
    pub team: TeamInfo,
    /// The relay.
    pub relay_url: Option<String>,
    /// Whether this member is an admin.
    pub is_admin: bool,
}

/// A device as the relay knows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceInfo {
    /// Its id (hex).
    pub device: String,
    /// `admin` or `member`.
    pub role: String,
    /// When enrolled (Unix ms).
    pub enrolled_at_ms: i64,
    /// When revoked.
    pub revoked_at_ms: Option<i64>,
}

/// `create_invite`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Invite {
    /// The code.
    pub code: String,
    /// Its QR code as SVG markup.
    pub qr_svg: String,
    /// Valid for.
    pub hours: u64,
}
