//! Text for `tandem cover …` and the team view of follow-ups: lists of work, never counts
//! per member.

use crate::output::{table, Output};
use chrono::NaiveDate;
use std::fmt::Write;
use tandem_model::export::{format_date, format_time};
use tandem_model::{Away, AwayReason, FollowUpDue, Member, MemberId, NeedsSomeone, TeamFollowUps};

fn name_of(names: &[(MemberId, String)], id: &MemberId) -> String {
    names
        .iter()
        .find(|(m, _)| m == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| id.as_str().chars().take(8).collect())
}

fn reason(r: AwayReason, out: &Output) -> String {
    match r {
        AwayReason::Leave => out.t("cover-reason-leave"),
        AwayReason::Left => out.t("cover-reason-left"),
    }
}

/// Who can take work, and who is away.
pub fn members(present: &[Member], away: &[Away], out: &Output) -> String {
    let mut text = format!("{}\n", out.t("cover-present"));
    let rows: Vec<Vec<String>> = present
        .iter()
        .map(|m| vec![format!("  {}", m.name), m.id.to_string()])
        .collect();
    text.push_str(&table(&rows));
    let _ = writeln!(text, "\n{}", out.t("cover-away"));
    if away.is_empty() {
        let _ = writeln!(text, "  {}", out.t("list-none"));
    }
    for a in away {
        let since = out.t_args(
            "cover-away-since",
            &[("date", format_time(a.since, out.lang).into())],
        );
        let _ = writeln!(text, "  {} — {} ({since})", a.name, reason(a.reason, out));
    }
    text
}

fn follow_up_rows(
    list: &[FollowUpDue],
    names: &[(MemberId, String)],
    away: &[MemberId],
    out: &Output,
) -> String {
    let mut rows = vec![vec![
        out.t("due-column-due"),
        out.t("due-column-person"),
        out.t("due-column-what"),
        out.t("cover-column-responsible"),
        "ID".into(),
    ]];
    for d in list {
        let f = &d.follow_up;
        let who = match &f.responsible {
            Some(m) if away.contains(m) => {
                format!("{} ({})", name_of(names, m), out.t("cover-is-away"))
            }
            Some(m) => name_of(names, m),
            None => "—".into(),
        };
        rows.push(vec![
            f.due
                .map(|d| format_date(d, out.lang))
                .unwrap_or_else(|| "—".into()),
            d.person_name.clone(),
            f.what.clone(),
            who,
            f.id.to_string(),
        ]);
    }
    table(&rows)
}

/// What needs someone: people, then follow-ups.
pub fn needs(n: &NeedsSomeone, names: &[(MemberId, String)], out: &Output) -> String {
    let mut text = format!("{}\n", out.t("cover-needs-people"));
    if n.people.is_empty() {
        let _ = writeln!(text, "  {}", out.t("list-none"));
    }
    for p in &n.people {
        let was: Vec<String> = p.accompanied_by.iter().map(|m| name_of(names, m)).collect();
        let was = if was.is_empty() {
            out.t("cover-nobody")
        } else {
            was.join(", ")
        };
        let _ = writeln!(
            text,
            "  {}  (id {}) — {}",
            p.name,
            p.person,
            out.t_args("cover-was-accompanied", &[("members", was.into())])
        );
    }
    let _ = writeln!(text, "\n{}", out.t("cover-needs-follow-ups"));
    if n.follow_ups.is_empty() {
        let _ = writeln!(text, "  {}", out.t("list-none"));
    } else {
        text.push_str(&follow_up_rows(&n.follow_ups, names, &[], out));
    }
    text
}

/// Everyone's open follow-ups, those of members away marked.
pub fn team_follow_ups(
    t: &TeamFollowUps,
    names: &[(MemberId, String)],
    until: NaiveDate,
    out: &Output,
) -> String {
    if t.follow_ups.is_empty() {
        let date = format_date(until, out.lang);
        let nothing = out.t_args("followups-nothing-due", &[("date", date.into())]);
        return format!("{nothing}\n");
    }
    let away: Vec<MemberId> = t.away.iter().map(|a| a.member.clone()).collect();
    follow_up_rows(&t.follow_ups, names, &away, out)
}

/// A conflict's values as a person reads them: member ids (two devices gave a follow-up to
/// different members) become names.
pub fn conflict_values(c: &tandem_model::Conflict, names: &[(MemberId, String)]) -> Vec<String> {
    if c.field() != "responsible" {
        return c.values.clone();
    }
    c.values
        .iter()
        .map(|v| name_of(names, &MemberId(v.clone())))
        .collect()
}

/// The brief's lines about who accompanies the person and the notes left for the next peer.
pub fn brief_cover(text: &mut String, b: &tandem_model::PersonBrief, out: &Output) {
    let who: Vec<String> = b.accompanied_by.iter().map(|m| b.member_name(m)).collect();
    let who = if who.is_empty() {
        out.t("cover-nobody")
    } else {
        who.join(", ")
    };
    let _ = writeln!(text, "  {}: {who}", out.t("brief-accompanied-by"));
    if b.handovers.is_empty() {
        return;
    }
    let _ = writeln!(text, "\n{}", out.t("brief-handover-notes"));
    for n in &b.handovers {
        let by = n.by.as_ref().map(|m| b.member_name(m)).unwrap_or_default();
        let head = out.t_args(
            "brief-handover-by",
            &[
                ("member", by.into()),
                ("time", format_time(n.at, out.lang).into()),
            ],
        );
        let _ = writeln!(text, "  {head}: « {} »", n.note);
    }
}
