//! Dates and times as people read them, in local time. The browser's UTC offset is passed in
//! (minutes east of UTC), so these stay pure and testable.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc};
use tandem_model::labels::code_label;
use tandem_model::{Encounter, Lang};

fn offset(minutes_east: i32) -> FixedOffset {
    // Out of range (more than a day) cannot come from a browser: UTC then.
    FixedOffset::east_opt(minutes_east * 60).unwrap_or(Utc.fix())
}

/// "14:02" in local time.
pub fn clock(at: DateTime<Utc>, minutes_east: i32) -> String {
    at.with_timezone(&offset(minutes_east))
        .format("%H:%M")
        .to_string()
}

/// The local calendar day of an instant.
pub fn local_day(at: DateTime<Utc>, minutes_east: i32) -> NaiveDate {
    at.with_timezone(&offset(minutes_east)).date_naive()
}

/// A day in words: "25 Nov 2026" / "25 nov. 2026".
pub fn day(d: NaiveDate, lang: Lang) -> String {
    tandem_model::export::format_date(d, lang)
}

/// When something happened, short: "14:02" today, "yesterday 14:02", else the date.
pub fn when(at: DateTime<Utc>, now: DateTime<Utc>, minutes_east: i32, lang: Lang) -> String {
    let d = local_day(at, minutes_east);
    let today = local_day(now, minutes_east);
    let time = clock(at, minutes_east);
    if d == today {
        time
    } else if Some(d) == today.pred_opt() {
        match lang {
            Lang::En => format!("yesterday {time}"),
            Lang::Fr => format!("hier {time}"),
        }
    } else {
        day(d, lang)
    }
}

/// How a due date stands: late, today, or ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Past the date.
    Late,
    /// Today.
    Today,
    /// Later.
    Ahead,
}

/// Whether `due` is late, today or ahead, seen from `today`.
pub fn due(due: NaiveDate, today: NaiveDate) -> Due {
    match due.cmp(&today) {
        std::cmp::Ordering::Less => Due::Late,
        std::cmp::Ordering::Equal => Due::Today,
        std::cmp::Ordering::Greater => Due::Ahead,
    }
}

/// The value of an `<input type="datetime-local">` for an instant: `2026-11-25T14:02`.
pub fn to_datetime_input(at: DateTime<Utc>, minutes_east: i32) -> String {
    at.with_timezone(&offset(minutes_east))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Reads an `<input type="datetime-local">` value (or the same typed by hand, with a space or
/// a `T`) as an instant.
pub fn from_datetime_input(text: &str, minutes_east: i32) -> Option<DateTime<Utc>> {
    let t = text.trim().replace(' ', "T");
    let naive = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let local = naive - Duration::minutes(i64::from(minutes_east));
    Some(DateTime::from_naive_utc_and_offset(local, Utc))
}

/// A date that could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadDate;

/// Reads an `<input type="date">` value (`2026-11-25`); empty gives `Ok(None)`.
pub fn from_date_input(text: &str) -> Result<Option<NaiveDate>, BadDate> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| BadDate)
}

/// Splits a comma-separated list ("Hélène, Lena") into trimmed, non-empty items.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Joins the parts of a line of details: "last seen 09:30 · 2 goals".
pub fn format_split(parts: &[String]) -> String {
    parts.join(" · ")
}

/// An encounter's line of details: when, where, what kind ("14:02 · Gare du Nord · street
/// outreach"), on Today and in the brief alike.
pub fn encounter_meta(e: &Encounter, now: DateTime<Utc>, minutes_east: i32, lang: Lang) -> String {
    let parts: Vec<String> = [
        Some(when(e.at, now, minutes_east, lang)),
        e.place.clone(),
        e.kind.as_deref().map(|k| code_label(k, lang)),
    ]
    .into_iter()
    .flatten()
    .collect();
    format_split(&parts)
}

/// What was typed in an optional field: `None` when it is empty or only spaces.
pub fn optional_text(typed: String) -> Option<String> {
    let trimmed = typed.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_optional_field_left_empty_is_none() {
        assert_eq!(optional_text(String::new()), None);
        assert_eq!(optional_text("  \t".into()), None);
        assert_eq!(optional_text(" a token ".into()), Some("a token".into()));
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_else(|| panic!("bad date"))
    }

    #[test]
    fn clock_is_local_time() {
        let t = at(2026, 11, 25, 19, 2);
        assert_eq!(clock(t, 0), "19:02");
        assert_eq!(clock(t, -300), "14:02"); // Montréal in winter
        assert_eq!(clock(t, 60), "20:02");
    }

    #[test]
    fn when_says_time_today_yesterday_or_the_date() {
        let now = at(2026, 11, 25, 15, 0);
        assert_eq!(when(at(2026, 11, 25, 9, 30), now, 0, Lang::En), "09:30");
        assert_eq!(
            when(at(2026, 11, 24, 9, 30), now, 0, Lang::Fr),
            "hier 09:30"
        );
        let older = when(at(2026, 11, 2, 9, 30), now, 0, Lang::En);
        assert!(older.contains("2026"), "{older}");
        // Just after midnight local time is "today" even if UTC still says yesterday.
        assert_eq!(
            when(
                at(2026, 11, 25, 4, 30),
                at(2026, 11, 25, 6, 0),
                -300,
                Lang::En
            ),
            "yesterday 23:30"
        );
    }

    #[test]
    fn datetime_inputs_round_trip_in_local_time() {
        let t = at(2026, 11, 25, 19, 2);
        let s = to_datetime_input(t, -300);
        assert_eq!(s, "2026-11-25T14:02");
        assert_eq!(from_datetime_input(&s, -300), Some(t));
        assert_eq!(from_datetime_input("2026-11-25 14:02", -300), Some(t));
        assert_eq!(from_datetime_input("tomorrow", 0), None);
    }

    #[test]
    fn date_inputs_and_lists() {
        assert_eq!(from_date_input(""), Ok(None));
        assert_eq!(
            from_date_input("2026-12-01"),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 1))
        );
        assert_eq!(from_date_input("1er décembre"), Err(BadDate));
        assert_eq!(split_list(" Lena, ,Hélène;x "), vec!["Lena", "Hélène", "x"]);
    }

    #[test]
    fn due_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        assert_eq!(due(today, today), Due::Today);
        assert_eq!(due(today - chrono::Days::new(1), today), Due::Late);
        assert_eq!(due(today + chrono::Days::new(3), today), Due::Ahead);
    }
}
