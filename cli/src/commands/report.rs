//! `tandem report …`: the team's work over a period, counted on this device from the
//! vault's indexes; as text, JSON or CSV, or the de-identified export for research.

use super::person::write_private;
use crate::args::{ReportArgs, ReportFormat};
use crate::output::{table, write_stdout, Output};
use crate::session::Session;
use anyhow::{anyhow, Context, Result};
use serde_json::json;
use std::fmt::Write;
use tandem_core::report::{system_time_zone, today_in};
use tandem_model::export::format_date;
use tandem_model::labels::{code_label, status_label};
use tandem_model::{GoalStatus, Report, ReportPeriod, Tally};

/// The period the arguments name (last month by default), in the zone they name.
fn period(a: &ReportArgs) -> Result<ReportPeriod> {
    let tz = match &a.tz {
        Some(tz) => tz.clone(),
        None => system_time_zone().ok_or_else(|| {
            anyhow!("this computer's time zone has no IANA name: pass one with --tz")
        })?,
    };
    let today = today_in(&tz).with_context(|| format!("the time zone \"{tz}\""))?;
    let found = if let (Some(from), Some(to)) = (a.from, a.to) {
        Some(ReportPeriod::days(from, to, &tz))
    } else if let Some(month) = &a.month {
        let (y, m) = month.split_once('-').unwrap_or_default();
        ReportPeriod::month(y.parse()?, m.parse()?, &tz)
    } else if a.week {
        Some(ReportPeriod::week_of(today, &tz))
    } else if a.quarter {
        ReportPeriod::quarter_of(today, &tz)
    } else {
        ReportPeriod::last_month(today, &tz)
    };
    found.ok_or_else(|| anyhow!("that period does not exist"))
}

pub fn run(a: &ReportArgs, session: &Session, out: &Output) -> Result<()> {
    let period = period(a)?;
    let mut vault = session.open()?;
    if let Some(path) = &a.research_csv {
        let export = vault.research_csv(&period)?;
        write_private(path, &export.bytes)
            .with_context(|| format!("writing the export to {}", path.display()))?;
        return out.done(
            json!({
                "path": path,
                "period": period,
                "encounters": export.encounters,
                "people": export.people,
                "left_out": export.left_out,
            }),
            || {
                out.t_args(
                    "report-research-written",
                    &[
                        ("path", path.display().to_string().into()),
                        ("encounters", export.encounters.into()),
                        ("people", export.people.into()),
                        ("left", export.left_out.into()),
                    ],
                )
            },
        );
    }
    let format = if out.json {
        ReportFormat::Json
    } else {
        a.format
    };
    match format {
        ReportFormat::Csv => {
            let bytes = vault.report_csv(&period, out.lang)?;
            match &a.output {
                Some(path) => {
                    write_private(path, &bytes)
                        .with_context(|| format!("writing the report to {}", path.display()))?;
                    let path = path.display().to_string();
                    out.done(json!({ "path": path }), || {
                        out.t_args("report-csv-written", &[("path", path.clone().into())])
                    })
                }
                None => write_stdout(&bytes),
            }
        }
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(&vault.report(&period)?)?;
            text.push('\n');
            write_stdout(text.as_bytes())
        }
        ReportFormat::Text => {
            let report = vault.report(&period)?;
            out.show(&report, |r| text(r, out))
        }
    }
}

fn label(code: &Option<String>, out: &Output) -> String {
    match code {
        Some(c) => code_label(c, out.lang),
        None => out.t("report-not-recorded"),
    }
}

fn tallies(s: &mut String, title: &str, rows: &[Tally], out: &Output, status: bool) {
    let _ = writeln!(s, "\n{title}");
    if rows.iter().all(|t| t.count == 0) {
        let _ = writeln!(s, "  {}", out.t("report-none"));
        return;
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            let name = match t.code.as_deref().and_then(GoalStatus::from_code) {
                Some(st) if status => status_label(st, out.lang).to_owned(),
                _ => label(&t.code, out),
            };
            vec![format!("  {name}"), t.count.to_string()]
        })
        .collect();
    s.push_str(&table(&table_rows));
}

/// The report as text: the numbers as they are (this is the user's own screen; exports write
/// "<5" for small counts).
fn text(r: &Report, out: &Output) -> String {
    let mut s = String::new();
    let p = &r.period;
    let _ = writeln!(
        s,
        "{}",
        out.t_args(
            "report-title",
            &[
                ("from", format_date(p.from, out.lang).into()),
                ("to", format_date(p.to, out.lang).into()),
                ("zone", p.time_zone.clone().into()),
            ],
        )
    );
    let hours = out.t_args(
        "report-hours",
        &[
            ("hours", (r.minutes / 60).into()),
            ("minutes", (r.minutes % 60).into()),
        ],
    );
    let totals: Vec<Vec<String>> = vec![
        vec![out.t("report-encounters"), r.encounters.to_string()],
        vec![out.t("report-people-met"), r.people_met.to_string()],
        vec![out.t("report-new-people"), r.new_people.to_string()],
        vec![out.t("report-anonymous"), r.anonymous_contacts.to_string()],
        vec![
            out.t("report-street-linked"),
            r.street_contacts_linked.to_string(),
        ],
        vec![out.t("report-naloxone"), r.naloxone.to_string()],
        vec![out.t("report-referrals"), r.referrals.to_string()],
        vec![out.t("report-referrals-done"), r.referrals_done.to_string()],
        vec![
            out.t("report-referrals-not-happened"),
            r.referrals_not_happened.to_string(),
        ],
        vec![
            out.t("report-follow-ups-done"),
            r.follow_ups_done.to_string(),
        ],
        vec![
            out.t("report-follow-ups-overdue"),
            r.follow_ups_overdue.to_string(),
        ],
        vec![out.t("report-goals-reached"), r.goals_reached.to_string()],
        vec![out.t("report-debriefs"), r.debrief_requests.to_string()],
        vec![
            out.t_args("report-time", &[("count", r.timed_encounters.into())]),
            hours,
        ],
    ];
    s.push('\n');
    s.push_str(&table(&totals));
    tallies(&mut s, &out.t("report-by-kind"), &r.by_kind, out, false);
    tallies(&mut s, &out.t("report-given"), &r.given, out, false);
    tallies(
        &mut s,
        &out.t("report-goals-by-status"),
        &r.goals_by_status,
        out,
        true,
    );
    tallies(
        &mut s,
        &out.t("report-goals-by-domain"),
        &r.goals_by_domain,
        out,
        false,
    );
    let _ = writeln!(s, "\n{}", out.t("report-per-week"));
    let weeks: Vec<Vec<String>> = r
        .per_week
        .iter()
        .map(|w| {
            vec![
                format!(
                    "  {} – {}",
                    format_date(w.week_of, out.lang),
                    format_date(w.until, out.lang)
                ),
                w.encounters.to_string(),
                "#".repeat(w.encounters.min(60) as usize),
            ]
        })
        .collect();
    s.push_str(&table(&weeks));
    s
}
