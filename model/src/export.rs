//! A person's record as readable text, for the person to take away.

use crate::brief::PersonRecord;
use crate::encounter::FollowUp;
use crate::labels::{code_label, consent_use_label, status_label, Lang};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write;

fn t(lang: Lang, en: &'static str, fr: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// A date the way people read it in each language.
pub fn format_date(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::En => date.format("%Y-%m-%d").to_string(),
        Lang::Fr => date.format("%d/%m/%Y").to_string(),
    }
}

/// A moment, to the minute, in UTC.
pub fn format_time(at: DateTime<Utc>, lang: Lang) -> String {
    match lang {
        Lang::En => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Lang::Fr => at.format("%d/%m/%Y %H h %M UTC").to_string(),
    }
}

fn follow_up_line(out: &mut String, f: &FollowUp, lang: Lang) {
    let due = f
        .due
        .map(|d| format!(" ({} {})", t(lang, "by", "d'ici le"), format_date(d, lang)))
        .unwrap_or_default();
    let done = if f.done_at.is_some() { "[x]" } else { "[ ]" };
    let _ = writeln!(out, "  {done} {}{due}", f.what);
}

/// The whole record as plain text in French or English: everything written about the person,
/// so they can read it, keep it or take it elsewhere.
pub fn render_text(record: &PersonRecord, lang: Lang) -> String {
    let mut out = String::new();
    let p = &record.profile;
    let _ = writeln!(out, "{}: {}", t(lang, "Record of", "Dossier de"), p.name);
    let _ = writeln!(
        out,
        "{} {}",
        t(
            lang,
            "Written with Tandem; started on",
            "Écrit avec Tandem; commencé le"
        ),
        format_date(record.created_at.date_naive(), lang)
    );
    if !record.merged.is_empty() {
        // Whoever hands the text over sees which records it gathers, and can check that each
        // is this person's before it leaves the team.
        let _ = writeln!(
            out,
            "{}",
            t(
                lang,
                "It gathers these records of the same person, merged into it:",
                "Il réunit ces dossiers de la même personne, fusionnés avec lui :"
            )
        );
        for m in &record.merged {
            let when =
                m.at.map(|at| {
                    format!(
                        " ({} {})",
                        t(lang, "on", "le"),
                        format_date(at.date_naive(), lang)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(out, "  * {}{when}", m.name);
        }
    }
    out.push('\n');
    let _ = writeln!(out, "== {} ==", t(lang, "About me", "À propos de moi"));
    let _ = writeln!(
        out,
        "{}: {}",
        t(lang, "Name I go by", "Nom que j'utilise"),
        p.name
    );
    if !p.nicknames.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            t(lang, "Other names", "Autres noms"),
            p.nicknames.join(", ")
        );
    }
    if let Some(pr) = &p.pronouns {
        let _ = writeln!(out, "{}: {}", t(lang, "Pronouns", "Pronoms"), pr);
    }
    if !p.languages.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            t(lang, "Languages", "Langues"),
            p.languages.join(", ")
        );
    }
    if !p.contact.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            t(lang, "How to reach me", "Comment me joindre"),
            p.contact
        );
    }
    if !p.remember.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            t(lang, "To remember", "À retenir"),
            p.remember
        );
    }
    out.push('\n');
    let _ = writeln!(out, "== {} ==", t(lang, "My goals", "Mes objectifs"));
    if record.goals.is_empty() {
        let _ = writeln!(out, "{}", t(lang, "(none yet)", "(aucun pour l'instant)"));
    }
    for g in &record.goals {
        let _ = writeln!(out, "* « {} » — {}", g.words, status_label(g.status, lang));
        if let Some(d) = &g.domain {
            let _ = writeln!(
                out,
                "  {}: {}",
                t(lang, "Life domain", "Domaine de vie"),
                code_label(d, lang)
            );
        }
        if let Some(d) = g.next_check_in {
            let _ = writeln!(
                out,
                "  {}: {}",
                t(lang, "Next check-in", "Prochain point"),
                format_date(d, lang)
            );
        }
        for s in &g.steps {
            let done = if s.done_at.is_some() { "[x]" } else { "[ ]" };
            let _ = writeln!(out, "  {done} {}", s.text);
        }
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "== {} ==",
        t(lang, "What I agreed to", "Ce que j'ai accepté")
    );
    if record.consents.is_empty() {
        let _ = writeln!(out, "{}", t(lang, "(nothing recorded)", "(rien de noté)"));
    }
    for c in &record.consents {
        let uses: Vec<&str> = c.uses.iter().map(|u| consent_use_label(*u, lang)).collect();
        let _ = writeln!(
            out,
            "* {} ({}: {})",
            c.what,
            t(lang, "for", "pour"),
            uses.join(", ")
        );
        let _ = writeln!(
            out,
            "  {} {}",
            t(lang, "given on", "donné le"),
            format_date(c.given_on, lang)
        );
        if let Some(w) = c.withdrawn_on {
            let _ = writeln!(
                out,
                "  {} {}",
                t(lang, "withdrawn on", "retiré le"),
                format_date(w, lang)
            );
        }
    }
    out.push('\n');
    let _ = writeln!(out, "== {} ==", t(lang, "Follow-ups", "Suivis"));
    if record.follow_ups.is_empty() {
        let _ = writeln!(out, "{}", t(lang, "(none)", "(aucun)"));
    }
    for f in &record.follow_ups {
        follow_up_line(&mut out, f, lang);
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "== {} ({}) ==",
        t(lang, "Our meetings", "Nos rencontres"),
        record.encounters.len()
    );
    for e in &record.encounters {
        let mut head = format_time(e.at, lang);
        if let Some(k) = &e.kind {
            let _ = write!(head, " — {}", code_label(k, lang));
        }
        if let Some(pl) = &e.place {
            let _ = write!(head, " — {pl}");
        }
        if let Some(d) = e.duration_minutes {
            let _ = write!(head, " — {d} min");
        }
        let _ = writeln!(out, "* {head}");
        if !e.domains.is_empty() {
            let d: Vec<String> = e.domains.iter().map(|c| code_label(c, lang)).collect();
            let _ = writeln!(
                out,
                "  {}: {}",
                t(lang, "Life domains", "Domaines de vie"),
                d.join(", ")
            );
        }
        if !e.notes.is_empty() {
            for line in e.notes.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if !e.given.is_empty() {
            let g: Vec<String> = e.given.iter().map(|c| code_label(c, lang)).collect();
            let _ = writeln!(out, "  {}: {}", t(lang, "Given", "Remis"), g.join(", "));
        }
        if !e.referrals.is_empty() {
            let _ = writeln!(
                out,
                "  {}: {}",
                t(lang, "Referrals", "Références"),
                e.referrals.join(", ")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goal::{Goal, GoalStatus};
    use crate::ids::{GoalId, PersonId};
    use crate::person::Profile;

    fn record() -> PersonRecord {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        PersonRecord {
            id: PersonId::from("p1"),
            profile: Profile {
                name: "Hélène".into(),
                ..Profile::default()
            },
            consents: vec![],
            goals: vec![Goal {
                id: GoalId::from("g1"),
                words: "Retrouver un logement".into(),
                domain: Some("housing".into()),
                status: GoalStatus::WorkingOnIt,
                steps: vec![],
                next_check_in: None,
                created_at: at,
            }],
            encounters: vec![],
            follow_ups: vec![],
            created_at: at,
            conflicts: vec![],
            accompanied_by: vec![],
            handovers: vec![],
            merged: vec![],
        }
    }

    #[test]
    fn text_export_names_the_records_it_gathers() {
        let mut r = record();
        assert!(!render_text(&r, Lang::En).contains("merged into it"));
        r.merged.push(crate::brief::MergedRecord {
            id: PersonId::from("p2"),
            name: "Hélène T.".into(),
            by: None,
            at: DateTime::from_timestamp(1_700_100_000, 0),
        });
        let en = render_text(&r, Lang::En);
        assert!(
            en.contains("merged into it:\n  * Hélène T. (on 2023-11-16)"),
            "{en}"
        );
        let fr = render_text(&r, Lang::Fr);
        assert!(
            fr.contains("fusionnés avec lui :\n  * Hélène T. (le 16/11/2023)"),
            "{fr}"
        );
    }

    #[test]
    fn text_export_speaks_the_chosen_language() {
        let fr = render_text(&record(), Lang::Fr);
        assert!(fr.contains("Mes objectifs"), "{fr}");
        assert!(fr.contains("En cours"));
        assert!(fr.contains("Logement"));
        assert!(!fr.contains("My goals"));
        let en = render_text(&record(), Lang::En);
        assert!(en.contains("My goals"));
        assert!(en.contains("Working on it"));
        assert!(
            en.contains("« Retrouver un logement »"),
            "the person's words stay theirs"
        );
    }
}
