//! Reading typed values from the command line. A value that does not parse is a usage error
//! (clap prints it and exits with 2).

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use tandem_model::{ConsentUse, GoalStatus, Lang};

/// A new check-in date, or none to clear it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckIn(pub Option<NaiveDate>);

pub fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2025-03-31"))
}

pub fn check_in(s: &str) -> Result<CheckIn, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        Ok(CheckIn(None))
    } else {
        date(s).map(|d| CheckIn(Some(d)))
    }
}

/// A moment: RFC 3339, or a local "YYYY-MM-DD HH:MM" as a person types it.
pub fn when(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .ok_or_else(|| format!("`{s}` is not a time like \"2025-03-31 14:30\""))?;
    // A time skipped by a daylight-saving change has no local meaning; one repeated by it
    // is taken at its first occurrence.
    Local
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("`{s}` does not exist in the local time zone"))
}

pub fn month(s: &str) -> Result<String, String> {
    let s = s.trim();
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 7)
        .map(|_| s.to_owned())
        .ok_or_else(|| format!("`{s}` is not a month like 2025-03"))
}

pub fn goal_status(s: &str) -> Result<GoalStatus, String> {
    GoalStatus::from_code(s).ok_or_else(|| {
        let all: Vec<&str> = GoalStatus::ALL.iter().map(|g| g.code()).collect();
        format!("`{s}` is not a status; use one of {}", all.join(", "))
    })
}

pub fn consent_use(s: &str) -> Result<ConsentUse, String> {
    ConsentUse::from_code(s.trim()).ok_or_else(|| {
        let all: Vec<&str> = ConsentUse::ALL.iter().map(|u| u.code()).collect();
        format!("`{s}` is not a use; use one of {}", all.join(", "))
    })
}

/// A value that may be known or not (`unknown` clears it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known<T>(pub Option<T>);

pub fn outcome(s: &str) -> Result<Known<tandem_model::Outcome>, String> {
    if s.trim() == "unknown" {
        return Ok(Known(None));
    }
    tandem_model::Outcome::from_code(s)
        .map(|o| Known(Some(o)))
        .ok_or_else(|| format!("`{s}` is not an outcome; use done, didnt-happen or unknown"))
}

pub fn lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}` is not a language Tandem speaks: use fr or en"))
}

/// The language of the environment: LC_ALL, LC_MESSAGES, then LANG, as the C library reads
/// them; English unless it is French.
pub fn lang_from_env() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .filter(|v| v.to_lowercase().starts_with("fr"))
        .map_or(Lang::En, |_| Lang::Fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_months() {
        assert_eq!(
            date("2025-03-31"),
            Ok(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap())
        );
        assert!(date("31/03/2025").is_err());
        assert_eq!(check_in("none"), Ok(CheckIn(None)));
        assert_eq!(month("2025-03"), Ok("2025-03".to_owned()));
        assert!(month("2025-13").is_err());
        assert!(month("2025-3").is_err());
    }

    #[test]
    fn moments() {
        let t = when("2025-03-31T14:30:00Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-31T14:30:00+00:00");
        assert!(when("2025-03-31 14:30").is_ok());
        assert!(when("yesterday").is_err());
    }

    #[test]
    fn codes() {
        assert_eq!(goal_status("working-on-it"), Ok(GoalStatus::WorkingOnIt));
        assert!(goal_status("done").is_err());
        assert_eq!(consent_use("team_sharing"), Ok(ConsentUse::TeamSharing));
        assert_eq!(lang("fr-CA"), Ok(Lang::Fr));
    }
}
