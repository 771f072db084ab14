//! The plain-text views of the model types: short, aligned, in French or English.

use crate::output::{table, Output};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt::Write;
use tandem_model::export::{format_date, format_time};
use tandem_model::labels::{action_label, code_label, consent_use_label, status_label};
use tandem_model::{
    Conflict, Consent, Encounter, EncounterSubject, FollowUp, FollowUpDue, Goal, HistoryEntry,
    MemberId, Outcome, PersonBrief, PersonId, PersonRecord, PersonSummary, TeamInfo,
};

/// How many characters of a person's id lists show (enough for `find_person`).
const SHORT_ID: usize = 8;

fn short(id: &str) -> &str {
    id.get(..SHORT_ID).unwrap_or(id)
}

fn heading(text: &mut String, title: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    let _ = writeln!(text, "{title}");
}

fn none(text: &mut String, out: &Output) {
    let _ = writeln!(text, "  {}", out.t("list-none"));
}

pub fn people(people: &[PersonSummary], out: &Output) -> String {
    if people.is_empty() {
        return format!("{}\n", out.t("people-none-found"));
    }
    let mut rows = vec![vec![
        "ID".to_owned(),
        out.t("people-column-name"),
        out.t("people-column-pronouns"),
        out.t("people-column-last-seen"),
        out.t("people-column-goals"),
        out.t("people-column-follow-ups"),
    ]];
    for p in people {
        let mut name = p.name.clone();
        if !p.nicknames.is_empty() {
            let _ = write!(name, " ({})", p.nicknames.join(", "));
        }
        if p.has_conflicts {
            name.push_str(" ⚠");
        }
        rows.push(vec![
            short(p.id.as_str()).to_owned(),
            name,
            p.pronouns.clone().unwrap_or_default(),
            p.last_seen
                .map(|t| format_date(t.date_naive(), out.lang))
                .unwrap_or_else(|| "—".into()),
            p.open_goals.to_string(),
            p.open_follow_ups.to_string(),
        ]);
    }
    table(&rows)
}

fn goal_head(g: &Goal, out: &Output) -> String {
    let mut head = format!("« {} » — {}", g.words, status_label(g.status, out.lang));
    if let Some(d) = g.domain.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(head, " · {}", code_label(d, out.lang));
    }
    if let Some(d) = g.next_check_in {
        let date = format_date(d, out.lang);
        let _ = write!(
            head,
            " · {}",
            out.t_args("goal-check-in", &[("date", date.into())])
        );
    }
    head
}

/// Goals with every step and the ids `goal` commands take.
pub fn goals(goals: &[Goal], out: &Output) -> String {
    let mut text = String::new();
    if goals.is_empty() {
        none(&mut text, out);
    }
    for g in goals {
        let _ = writeln!(text, "  {}", goal_head(g, out));
        let _ = writeln!(text, "    id {}", g.id);
        let steps: Vec<Vec<String>> = g
            .steps
            .iter()
            .map(|s| {
                let tick = if s.done_at.is_some() { "[x]" } else { "[ ]" };
                vec![format!("    {tick} {}", s.text), s.id.to_string()]
            })
            .collect();
        text.push_str(&table(&steps));
    }
    text
}

fn who(e: &Encounter, names: &HashMap<PersonId, String>, out: &Output) -> String {
    match &e.subject {
        EncounterSubject::Person(p) => names
            .get(p)
            .cloned()
            .unwrap_or_else(|| short(p.as_str()).to_owned()),
        EncounterSubject::Anonymous(None) => out.t("encounter-someone-not-known"),
        EncounterSubject::Anonymous(Some(w)) => {
            format!("{} ({w})", out.t("encounter-someone-not-known"))
        }
    }
}

fn encounter_head(e: &Encounter, out: &Output) -> String {
    let mut head = format_time(e.at, out.lang);
    if let Some(k) = &e.kind {
        let _ = write!(head, " — {}", code_label(k, out.lang));
    }
    if let Some(p) = &e.place {
        let _ = write!(head, " — {p}");
    }
    if let Some(m) = e.duration_minutes {
        let _ = write!(head, " — {m} min");
    }
    head
}

fn encounter_body(text: &mut String, e: &Encounter, out: &Output) {
    for line in e.notes.lines() {
        let _ = writeln!(text, "    {line}");
    }
    let codes = |codes: &[String]| -> String {
        let labels: Vec<String> = codes.iter().map(|c| code_label(c, out.lang)).collect();
        labels.join(", ")
    };
    if !e.domains.is_empty() {
        let label = out.t("life-domains");
        let _ = writeln!(text, "    {label}: {}", codes(&e.domains));
    }
    if !e.given.is_empty() {
        let _ = writeln!(
            text,
            "    {}: {}",
            out.t("encounter-given"),
            codes(&e.given)
        );
    }
    if !e.referrals.is_empty() {
        let label = out.t("encounter-referrals");
        let items: Vec<String> = e
            .referrals
            .iter()
            .enumerate()
            .map(|(i, words)| {
                let outcome = e.referral_details.get(i).and_then(|r| r.outcome.as_ref());
                match outcome.map(|o| o.what) {
                    Some(Outcome::Done) => {
                        format!("{}. {words} ({})", i + 1, out.t("referral-done"))
                    }
                    Some(Outcome::DidNotHappen) => {
                        format!("{}. {words} ({})", i + 1, out.t("referral-didnt-happen"))
                    }
                    None => format!("{}. {words}", i + 1),
                }
            })
            .collect();
        let _ = writeln!(text, "    {label}: {}", items.join("; "));
    }
    if e.debrief && e.debrief_done.is_some() {
        let _ = writeln!(text, "    {}", out.t("encounter-debrief-done"));
    } else if e.debrief {
        let _ = writeln!(text, "    {}", out.t("encounter-debrief"));
    }
}

/// Encounters, newest first, each with whom, its id and what happened.
pub fn encounters(list: &[Encounter], names: &HashMap<PersonId, String>, out: &Output) -> String {
    if list.is_empty() {
        return format!("{}\n", out.t("encounters-none"));
    }
    let mut text = String::new();
    for e in list {
        let _ = writeln!(text, "{} — {}", encounter_head(e, out), who(e, names, out));
        let _ = writeln!(text, "    id {}", e.id);
        if let Some(l) = &e.link {
            let line = match names.get(&l.person) {
                Some(name) => out.t_args(
                    "street-linked-to",
                    &[
                        ("name", name.clone().into()),
                        ("id", short(l.person.as_str()).to_owned().into()),
                    ],
                ),
                None => out.t_args(
                    "street-linked-unknown",
                    &[("id", short(l.person.as_str()).to_owned().into())],
                ),
            };
            let _ = writeln!(text, "    → {line}");
            if !l.also.is_empty() {
                let also: Vec<String> = l
                    .also
                    .iter()
                    .map(|p| {
                        names
                            .get(p)
                            .cloned()
                            .unwrap_or_else(|| short(p.as_str()).to_owned())
                    })
                    .collect();
                let line = out.t_args("street-link-also", &[("names", also.join(", ").into())]);
                let _ = writeln!(text, "    ⚠ {line}");
            }
        }
        encounter_body(&mut text, e, out);
    }
    text
}

fn follow_up_line(f: &FollowUp, out: &Output) -> String {
    let tick = if f.done_at.is_some() { "[x]" } else { "[ ]" };
    match f.due {
        Some(d) => {
            let by = out.t_args("followup-by", &[("date", format_date(d, out.lang).into())]);
            format!("{tick} {} ({by})", f.what)
        }
        None => format!("{tick} {}", f.what),
    }
}

/// Open follow-ups due by `until`, overdue ones marked.
pub fn follow_ups_due(due: &[FollowUpDue], until: NaiveDate, out: &Output) -> String {
    if due.is_empty() {
        let date = format_date(until, out.lang);
        let nothing = out.t_args("followups-nothing-due", &[("date", date.into())]);
        return format!("{nothing}\n");
    }
    let today = chrono::Local::now().date_naive();
    let mut rows = vec![vec![
        out.t("due-column-due"),
        out.t("due-column-person"),
        out.t("due-column-what"),
        "ID".into(),
    ]];
    for d in due {
        let f = &d.follow_up;
        let when = match f.due {
            Some(day) if day < today => {
                format!(
                    "{} ({})",
                    format_date(day, out.lang),
                    out.t("followup-late")
                )
            }
            Some(day) => format_date(day, out.lang),
            None => "—".into(),
        };
        rows.push(vec![
            when,
            d.person_name.clone(),
            f.what.clone(),
            f.id.to_string(),
        ]);
    }
    table(&rows)
}

pub fn history(entries: &[HistoryEntry], out: &Output) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|h| {
            vec![
                format_time(h.at, out.lang),
                h.by_name
                    .clone()
                    .unwrap_or_else(|| short(&h.device).to_owned()),
                action_label(&h.action, out.lang),
                h.target.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&rows)
}

fn consent_line(c: &Consent, out: &Output) -> String {
    let uses: Vec<&str> = c
        .uses
        .iter()
        .map(|u| consent_use_label(*u, out.lang))
        .collect();
    let given = format_date(c.given_on, out.lang);
    let given = out.t_args("consent-given-on", &[("date", given.into())]);
    let mut line = format!("{} — {} ({given})", c.what, uses.join(", "));
    if let Some(w) = c.withdrawn_on {
        let date = format_date(w, out.lang);
        let withdrawn = out.t_args("consent-withdrawn-on", &[("date", date.into())]);
        let _ = write!(line, "; {withdrawn}");
    }
    line
}

fn conflicts(
    text: &mut String,
    id: &PersonId,
    list: &[Conflict],
    names: &[(MemberId, String)],
    out: &Output,
) {
    for c in list {
        let values = crate::render_cover::conflict_values(c, names);
        let devices = if c.values.len() == 2 {
            out.t("conflict-two-devices")
        } else {
            out.t("conflict-several-devices")
        };
        let _ = writeln!(text, "{devices}: {} — {}", c.field(), values.join(" | "));
        let keep = out.t("conflict-keep");
        let _ = writeln!(
            text,
            "  {keep}: tandem person resolve {id} --field {} --choice N",
            c.path.join(".")
        );
    }
}

/// Rows of a label and a value, leaving out the empty values.
fn profile_lines(text: &mut String, fields: &[(String, &str)]) {
    let rows: Vec<Vec<String>> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(label, v)| vec![format!("  {label}"), (*v).to_owned()])
        .collect();
    text.push_str(&table(&rows));
}

/// The brief: what to read before seeing someone.
pub fn brief(b: &PersonBrief, out: &Output) -> String {
    let mut text = b.name.clone();
    if let Some(p) = &b.pronouns {
        let _ = write!(text, " ({p})");
    }
    text.push('\n');
    profile_lines(
        &mut text,
        &[
            (out.t("profile-nicknames"), &b.nicknames.join(", ")),
            (out.t("profile-languages"), &b.languages.join(", ")),
            (out.t("profile-contact"), &b.contact),
            (out.t("profile-remember"), &b.remember),
        ],
    );
    let seen = match b.last_seen {
        Some(t) => out.t_args(
            "brief-last-seen",
            &[("time", format_time(t, out.lang).into())],
        ),
        None => out.t("brief-never-met"),
    };
    let count = out.t_args(
        "brief-encounter-count",
        &[("count", b.encounter_count.into())],
    );
    let _ = writeln!(text, "  {seen} · {count}");
    crate::render_cover::brief_cover(&mut text, b, out);

    heading(&mut text, &out.t("heading-goals"));
    if b.goals.is_empty() {
        none(&mut text, out);
    }
    for g in &b.goals {
        let _ = writeln!(text, "  {}", goal_head(g, out));
        if let Some(s) = g.next_step() {
            let _ = writeln!(text, "    {}: {}", out.t("brief-next-step"), s.text);
        }
    }
    heading(&mut text, &out.t("heading-last-encounters"));
    if b.last_encounters.is_empty() {
        none(&mut text, out);
    }
    for e in &b.last_encounters {
        let _ = writeln!(text, "  {}", encounter_head(e, out));
        encounter_body(&mut text, e, out);
    }
    heading(&mut text, &out.t("heading-open-follow-ups"));
    if b.open_follow_ups.is_empty() {
        none(&mut text, out);
    }
    for f in &b.open_follow_ups {
        let _ = writeln!(text, "  {}", follow_up_line(f, out));
    }
    heading(&mut text, &out.t("heading-consent"));
    if b.consents.is_empty() {
        none(&mut text, out);
    }
    for c in &b.consents {
        let _ = writeln!(text, "  {}", consent_line(c, out));
    }
    if !b.conflicts.is_empty() {
        text.push('\n');
        conflicts(&mut text, &b.id, &b.conflicts, &b.member_names, out);
    }
    text
}

/// A whole record, with the ids other commands take.
pub fn record(r: &PersonRecord, out: &Output) -> String {
    let p = &r.profile;
    let mut text = format!("{}  (id {})\n", p.name, r.id);
    profile_lines(
        &mut text,
        &[
            (out.t("profile-nicknames"), &p.nicknames.join(", ")),
            (
                out.t("profile-pronouns"),
                p.pronouns.as_deref().unwrap_or(""),
            ),
            (out.t("profile-languages"), &p.languages.join(", ")),
            (out.t("profile-contact"), &p.contact),
            (out.t("profile-remember"), &p.remember),
            (
                out.t("profile-started"),
                &format_date(r.created_at.date_naive(), out.lang),
            ),
        ],
    );
    if !r.merged.is_empty() {
        heading(&mut text, &out.t("heading-merged"));
        for m in &r.merged {
            let when =
                m.at.map(|t| format_date(t.date_naive(), out.lang))
                    .unwrap_or_default();
            let line = out.t_args(
                "merged-line",
                &[("name", m.name.clone().into()), ("date", when.into())],
            );
            let _ = writeln!(text, "  {line}\n    id {}", m.id);
        }
    }
    heading(&mut text, &out.t("heading-goals"));
    text.push_str(&goals(&r.goals, out));
    heading(&mut text, &out.t("heading-consent"));
    if r.consents.is_empty() {
        none(&mut text, out);
    }
    for c in &r.consents {
        let _ = writeln!(text, "  {}\n    id {}", consent_line(c, out), c.id);
    }
    heading(&mut text, &out.t("heading-follow-ups"));
    if r.follow_ups.is_empty() {
        none(&mut text, out);
    }
    let rows: Vec<Vec<String>> = r
        .follow_ups
        .iter()
        .map(|f| vec![format!("  {}", follow_up_line(f, out)), f.id.to_string()])
        .collect();
    text.push_str(&table(&rows));
    let count = r.encounters.len();
    heading(
        &mut text,
        &out.t_args("heading-encounters", &[("count", count.into())]),
    );
    for e in &r.encounters {
        let _ = writeln!(text, "  {}\n    id {}", encounter_head(e, out), e.id);
        encounter_body(&mut text, e, out);
    }
    if !r.conflicts.is_empty() {
        text.push('\n');
        conflicts(&mut text, &r.id, &r.conflicts, &[], out);
    }
    text
}

pub fn team(t: &TeamInfo, out: &Output) -> String {
    let mut text = format!("{}  (id {})\n", t.name, t.id);
    if let Some(f) = &t.record_fingerprint {
        let _ = writeln!(
            text,
            "{}",
            out.t_args(
                "team-record-fingerprint",
                &[("fingerprint", f.clone().into())]
            )
        );
    }
    heading(&mut text, &out.t("team-members"));
    let rows: Vec<Vec<String>> = t
        .members
        .iter()
        .map(|m| {
            let role = serde_json::to_value(m.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let count = m.devices.len();
            let mut devices = out.t_args("team-device-count", &[("count", count.into())]);
            if m.id == t.me {
                let _ = write!(devices, " — {}", out.t("team-you"));
            }
            vec![format!("  {}", m.name), role, devices]
        })
        .collect();
    text.push_str(&table(&rows));
    heading(&mut text, &out.t("team-settings"));
    let s = &t.settings;
    text.push_str(&table(&[
        vec![
            format!("  {}", out.t("team-encounter-kinds")),
            s.encounter_kinds.join(", "),
        ],
        vec![
            format!("  {}", out.t("life-domains")),
            s.life_domains.join(", "),
        ],
        vec![
            format!("  {}", out.t("team-given-items")),
            s.given_items.join(", "),
        ],
    ]));
    let _ = writeln!(text, "\n{}: {}", out.t("this-device"), t.device);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_model::Lang;

    fn brief_with_conflict() -> PersonBrief {
        PersonBrief {
            id: PersonId::from("p1"),
            name: "Hélène".into(),
            nicknames: vec![],
            pronouns: Some("elle".into()),
            languages: vec![],
            contact: String::new(),
            remember: String::new(),
            goals: vec![],
            last_encounters: vec![],
            encounter_count: 0,
            open_follow_ups: vec![],
            consents: vec![],
            last_seen: None,
            conflicts: vec![Conflict {
                path: vec!["goals".into(), "g1".into(), "status".into()],
                values: vec!["working_on_it".into(), "paused".into()],
            }],
            accompanied_by: vec![],
            handovers: vec![],
            member_names: vec![],
            merged: vec![],
        }
    }

    #[test]
    fn conflicts_show_every_value_and_how_to_settle_them() {
        let out = Output {
            json: false,
            lang: Lang::En,
        };
        let text = brief(&brief_with_conflict(), &out);
        assert!(
            text.contains("⚠ edited on two devices: status — working_on_it | paused"),
            "{text}"
        );
        assert!(
            text.contains("tandem person resolve p1 --field goals.g1.status --choice N"),
            "{text}"
        );
        let fr = brief(
            &brief_with_conflict(),
            &Output {
                json: false,
                lang: Lang::Fr,
            },
        );
        assert!(fr.contains("⚠ modifié sur deux appareils"), "{fr}");
    }
}
