//! Dates and times as people read them, in words and in local time ("overdue since
//! yesterday", "check in on Tuesday 15 Dec", "23 sept. 2025"). Today and the browser's UTC
//! offset (minutes east of UTC) are passed in, so these stay pure and testable.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc};
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

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec",
];
const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

const MONTHS_LONG_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_LONG_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A month in words: "November 2026", "novembre 2026".
pub fn month_words(d: NaiveDate, lang: Lang) -> String {
    let i = d.month0() as usize;
    match lang {
        Lang::En => format!("{} {}", MONTHS_LONG_EN[i], d.year()),
        Lang::Fr => format!("{} {}", MONTHS_LONG_FR[i], d.year()),
    }
}

/// The first day of the month `months` after (or before, when negative) the month of `d`.
pub fn month_shift(d: NaiveDate, months: i32) -> NaiveDate {
    let index = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

fn month(d: NaiveDate, lang: Lang) -> &'static str {
    let i = d.month0() as usize;
    match lang {
        Lang::En => MONTHS_EN[i],
        Lang::Fr => MONTHS_FR[i],
    }
}

fn weekday(d: NaiveDate, lang: Lang) -> &'static str {
    let i = d.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::En => WEEKDAYS_EN[i],
        Lang::Fr => WEEKDAYS_FR[i],
    }
}

/// A day in words, with its year: "23 Sept 2025" / "23 sept. 2025".
pub fn day(d: NaiveDate, lang: Lang) -> String {
    format!("{} {} {}", d.day(), month(d, lang), d.year())
}

/// Where a day stands from today, which decides the words around it (the `rel` argument of
/// the messages that say a day: "overdue since yesterday", "d'ici le mardi 15 déc.").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// Today.
    Today,
    /// The day before.
    Yesterday,
    /// The day after.
    Tomorrow,
    /// Within six days either side: the weekday alone says it.
    Weekday,
    /// Further: the date (with the year if it is not this year).
    Date,
}

impl Rel {
    /// The value the messages select on.
    pub fn code(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Yesterday => "yesterday",
            Self::Tomorrow => "tomorrow",
            Self::Weekday => "weekday",
            Self::Date => "date",
        }
    }
}

/// A day as said from `today`: "today", "yesterday", "tomorrow", "Thursday" (within six days,
/// either side), "Tuesday 15 Dec" (this year), "23 Sept 2025" (another year); in French
/// "aujourd'hui", "hier", "demain", "jeudi", "mardi 15 déc.", "23 sept. 2025".
pub fn day_words(d: NaiveDate, today: NaiveDate, lang: Lang) -> (Rel, String) {
    let words = |en: &str, fr: &str| match lang {
        Lang::En => en.to_owned(),
        Lang::Fr => fr.to_owned(),
    };
    match d.signed_duration_since(today).num_days() {
        0 => (Rel::Today, words("today", "aujourd'hui")),
        -1 => (Rel::Yesterday, words("yesterday", "hier")),
        1 => (Rel::Tomorrow, words("tomorrow", "demain")),
        -6..=6 => (Rel::Weekday, weekday(d, lang).to_owned()),
        _ if d.year() == today.year() => (
            Rel::Date,
            format!("{} {} {}", weekday(d, lang), d.day(), month(d, lang)),
        ),
        _ => (Rel::Date, day(d, lang)),
    }
}

/// The arguments of a message that says a day: `date` (the words) and `rel` (where it stands).
pub fn day_args(d: NaiveDate, today: NaiveDate, lang: Lang) -> Vec<(&'static str, String)> {
    let (rel, words) = day_words(d, today, lang);
    vec![("date", words), ("rel", rel.code().to_owned())]
}

/// When something happened, short: "14:02" today, "yesterday 14:02", "Thursday 14:02" this
/// week, else the day in words ("Tuesday 15 Dec", "23 Sept 2025").
pub fn when(at: DateTime<Utc>, now: DateTime<Utc>, minutes_east: i32, lang: Lang) -> String {
    let d = local_day(at, minutes_east);
    let today = local_day(now, minutes_east);
    let time = clock(at, minutes_east);
    match day_words(d, today, lang) {
        (Rel::Today, _) => time,
        (Rel::Yesterday, words) => format!("{words} {time}"),
        (Rel::Weekday, words) if d < today => format!("{words} {time}"),
        // Ahead of now (another device's clock ahead of this one): the day.
        (_, words) => words,
    }
}

/// A due date in words, and how it stands: "overdue since 23 Sept 2025", "due today", "by
/// Thursday" / "en retard depuis le 23 sept. 2025", "pour aujourd'hui", "d'ici jeudi".
pub fn due_words(d: NaiveDate, today: NaiveDate, lang: Lang) -> (Due, String) {
    let state = due(d, today);
    let key = match state {
        Due::Late => "due-late",
        Due::Today => "due-today",
        Due::Ahead => "due-on",
    };
    (
        state,
        crate::i18n::t_args(lang, key, &day_args(d, today, lang)),
    )
}

/// A goal's next check-in in words: "check in on Tuesday 15 Dec", "check-in overdue since
/// Monday" / "point le mardi 15 déc.", "point en retard depuis lundi".
pub fn check_in_words(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    let key = if d < today {
        "check-in-late"
    } else {
        "next-check-in-on"
    };
    crate::i18n::t_args(lang, key, &day_args(d, today, lang))
}

/// A day something was done (a consent given or withdrawn), in words: "given today", "given
/// on 23 Sept 2025" / "donné hier", "donné le 23 sept. 2025".
pub fn done_on_words(key: &str, d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    crate::i18n::t_args(lang, key, &day_args(d, today, lang))
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
    fn months_move_across_years_and_read_in_words() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(month_shift(d(2026, 12, 31), 1), d(2027, 1, 1));
        assert_eq!(month_shift(d(2026, 1, 15), -1), d(2025, 12, 1));
        assert_eq!(month_shift(d(2026, 3, 30), -14), d(2025, 1, 1));
        assert_eq!(month_shift(d(2026, 3, 30), 0), d(2026, 3, 1));
        assert_eq!(month_words(d(2026, 11, 3), Lang::En), "November 2026");
        assert_eq!(month_words(d(2026, 2, 3), Lang::Fr), "février 2026");
    }

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
    fn when_says_time_today_yesterday_the_weekday_or_the_date() {
        let now = at(2026, 11, 25, 15, 0);
        assert_eq!(when(at(2026, 11, 25, 9, 30), now, 0, Lang::En), "09:30");
        assert_eq!(
            when(at(2026, 11, 24, 9, 30), now, 0, Lang::Fr),
            "hier 09:30"
        );
        assert_eq!(
            when(at(2026, 11, 21, 9, 30), now, 0, Lang::En),
            "Saturday 09:30"
        );
        assert_eq!(
            when(at(2026, 11, 2, 9, 30), now, 0, Lang::En),
            "Monday 2 Nov"
        );
        assert_eq!(
            when(at(2025, 9, 23, 9, 30), now, 0, Lang::Fr),
            "23 sept. 2025"
        );
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

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn days_in_words_from_today() {
        // Tuesday 1 December 2026.
        let today = ymd(2026, 12, 1);
        let words = |d, lang| day_words(d, today, lang);
        assert_eq!(words(today, Lang::En), (Rel::Today, "today".into()));
        assert_eq!(words(today, Lang::Fr), (Rel::Today, "aujourd'hui".into()));
        assert_eq!(
            words(ymd(2026, 11, 30), Lang::En),
            (Rel::Yesterday, "yesterday".into())
        );
        assert_eq!(
            words(ymd(2026, 12, 2), Lang::Fr),
            (Rel::Tomorrow, "demain".into())
        );
        // Within the week, either side: the weekday.
        assert_eq!(
            words(ymd(2026, 12, 3), Lang::En),
            (Rel::Weekday, "Thursday".into())
        );
        assert_eq!(
            words(ymd(2026, 11, 25), Lang::Fr),
            (Rel::Weekday, "mercredi".into())
        );
        assert_eq!(
            words(ymd(2026, 12, 7), Lang::En),
            (Rel::Weekday, "Monday".into())
        );
        // A week or more away, this year: the weekday and the date.
        assert_eq!(
            words(ymd(2026, 12, 8), Lang::En),
            (Rel::Date, "Tuesday 8 Dec".into())
        );
        assert_eq!(words(ymd(2026, 12, 15), Lang::En).1, "Tuesday 15 Dec");
        assert_eq!(words(ymd(2026, 12, 15), Lang::Fr).1, "mardi 15 déc.");
        // Another year, even a near one: the year too.
        assert_eq!(
            words(ymd(2025, 9, 23), Lang::En),
            (Rel::Date, "23 Sept 2025".into())
        );
        assert_eq!(words(ymd(2025, 9, 23), Lang::Fr).1, "23 sept. 2025");
        assert_eq!(words(ymd(2027, 1, 12), Lang::En).1, "12 Jan 2027");
    }

    #[test]
    fn french_and_english_months() {
        let fr: Vec<String> = (1..=12).map(|m| day(ymd(2025, m, 1), Lang::Fr)).collect();
        assert_eq!(
            fr.join(" | "),
            "1 janv. 2025 | 1 févr. 2025 | 1 mars 2025 | 1 avr. 2025 | 1 mai 2025 | \
             1 juin 2025 | 1 juil. 2025 | 1 août 2025 | 1 sept. 2025 | 1 oct. 2025 | \
             1 nov. 2025 | 1 déc. 2025"
        );
        assert_eq!(day(ymd(2025, 6, 30), Lang::En), "30 June 2025");
        assert_eq!(day(ymd(2025, 3, 9), Lang::En), "9 Mar 2025");
    }

    #[test]
    fn due_dates_in_words_in_both_languages() {
        let today = ymd(2026, 12, 1);
        let en = |d| due_words(d, today, Lang::En);
        let fr = |d| due_words(d, today, Lang::Fr);
        assert_eq!(
            en(ymd(2025, 9, 23)),
            (Due::Late, "overdue since 23 Sept 2025".into())
        );
        assert_eq!(fr(ymd(2025, 9, 23)).1, "en retard depuis le 23 sept. 2025");
        assert_eq!(en(ymd(2026, 11, 30)).1, "overdue since yesterday");
        assert_eq!(fr(ymd(2026, 11, 30)).1, "en retard depuis hier");
        assert_eq!(fr(ymd(2026, 11, 27)).1, "en retard depuis vendredi");
        assert_eq!(en(today), (Due::Today, "due today".into()));
        assert_eq!(fr(today).1, "pour aujourd'hui");
        assert_eq!(en(ymd(2026, 12, 2)), (Due::Ahead, "by tomorrow".into()));
        assert_eq!(fr(ymd(2026, 12, 4)).1, "d'ici vendredi");
        assert_eq!(fr(ymd(2026, 12, 15)).1, "d'ici le mardi 15 déc.");
    }

    #[test]
    fn check_ins_and_consents_in_words() {
        let today = ymd(2026, 12, 1);
        let check = |d, lang| check_in_words(d, today, lang);
        assert_eq!(
            check(ymd(2026, 12, 15), Lang::En),
            "check in on Tuesday 15 Dec"
        );
        assert_eq!(check(ymd(2026, 12, 15), Lang::Fr), "point le mardi 15 déc.");
        assert_eq!(check(today, Lang::En), "check in today");
        assert_eq!(check(ymd(2026, 12, 2), Lang::Fr), "point demain");
        assert_eq!(check(ymd(2026, 12, 3), Lang::En), "check in on Thursday");
        assert_eq!(
            check(ymd(2026, 11, 30), Lang::En),
            "check-in overdue since yesterday"
        );
        assert_eq!(
            check(ymd(2025, 9, 23), Lang::Fr),
            "point en retard depuis le 23 sept. 2025"
        );
        let given = |d, lang| done_on_words("consent-given-on", d, today, lang);
        assert_eq!(given(today, Lang::En), "given today");
        assert_eq!(given(ymd(2026, 11, 30), Lang::Fr), "donné hier");
        assert_eq!(given(ymd(2026, 3, 2), Lang::En), "given on Monday 2 Mar");
        assert_eq!(given(ymd(2025, 9, 23), Lang::Fr), "donné le 23 sept. 2025");
        let withdrawn = done_on_words("consent-withdrawn-on", ymd(2026, 11, 28), today, Lang::Fr);
        assert_eq!(withdrawn, "retiré samedi");
    }
}
