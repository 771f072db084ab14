//! Report: the team's work over a period (last month first), counted on the device. Three
//! charts a coordinator puts in a monthly report (encounters per week, what was given, goals
//! by status), drawn as SVG, each with its numbers in a table beside it for screen readers and
//! print; the totals as a list. Nothing per member.

use crate::ctx::ctx;
use crate::logic::format::{day, local_day};
use crate::platform::{minutes_east, now};
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use tandem_model::labels::{code_label, status_label};
use tandem_model::shell::answers::{ResearchSaved, SavedFile};
use tandem_model::shell::args::ReportDays;
use tandem_model::shell::Command;
use tandem_model::{GoalStatus, Lang, Report, ReportPeriod, Tally};

/// One bar of a chart: its label and its count.
#[derive(Clone, Debug, PartialEq)]
struct Bar {
    label: String,
    count: u64,
}

fn tally_bars(rows: &[Tally], lang: Lang, status: bool) -> Vec<Bar> {
    rows.iter()
        .map(|t| {
            let label = match (t.code.as_deref(), status) {
                (Some(c), true) => GoalStatus::from_code(c)
                    .map(|s| status_label(s, lang).to_owned())
                    .unwrap_or_else(|| code_label(c, lang)),
                (Some(c), false) => code_label(c, lang),
                (None, _) => "—".to_owned(),
            };
            Bar {
                label,
                count: t.count,
            }
        })
        .collect()
}

/// A horizontal bar chart (one row a bar, so long French labels fit at 360 px) with the same
/// numbers as a table beside it. The SVG is hidden from screen readers: the table says it.
#[component]
fn Chart(title: String, bars: Vec<Bar>, head: String, testid: &'static str) -> impl IntoView {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let row = 22u64;
    let height = row * bars.len().max(1) as u64;
    let rects = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = i as u64 * row;
            let w = b.count * 200 / max;
            view! {
                <rect x="0" y=y + 3 width=w.max(1) height=row - 6 class="bar" />
                <text x=w + 6 y=y + 16 class="bar-n">{b.count}</text>
            }
        })
        .collect_view();
    let lines = bars
        .iter()
        .map(|b| view! { <tr><th scope="row">{b.label.clone()}</th><td>{b.count}</td></tr> })
        .collect_view();
    view! {
        <section class="chart" data-testid=testid>
            <h2>{title.clone()}</h2>
            <div class="chart-pair">
                <svg viewBox=format!("0 0 260 {height}") width="100%" preserveAspectRatio="xMinYMin meet"
                    aria-hidden="true" focusable="false" role="presentation">
                    {rects}
                </svg>
                <table aria-label=title>
                    <thead><tr><th scope="col">{head}</th><th scope="col">"#"</th></tr></thead>
                    <tbody>{lines}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The period choices, computed from today on this device.
fn period_of(choice: &str, today: chrono::NaiveDate) -> Option<ReportPeriod> {
    let tz = "";
    match choice {
        "week" => Some(ReportPeriod::week_of(today, tz)),
        "month" => ReportPeriod::month(
            chrono::Datelike::year(&today),
            chrono::Datelike::month(&today),
            tz,
        ),
        "quarter" => ReportPeriod::quarter_of(today, tz),
        _ => ReportPeriod::last_month(today, tz),
    }
}

/// The Report screen.
#[component]
pub fn ReportScreen() -> impl IntoView {
    let ctx = ctx();
    let data = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let choice = RwSignal::new("last_month".to_owned());
    let fetch = move || {
        let today = local_day(now(), minutes_east());
        let Some(p) = period_of(&choice.get_untracked(), today) else {
            return;
        };
        let args = ReportDays {
            from: p.from,
            to: p.to,
        };
        ctx.run(Command::Report, args, error, move |r: Report| {
            data.set(Some(r))
        });
    };
    fetch();
    // The days of the report on screen, which both exports save.
    let shown_days = move || {
        data.with_untracked(|r| {
            r.as_ref().map(|r| ReportDays {
                from: r.period.from,
                to: r.period.to,
            })
        })
    };
    // Where the CSV of the counts on screen was saved, to say so.
    let saved = RwSignal::new(None::<String>);
    let export = move |_| {
        let Some(args) = shown_days() else {
            return;
        };
        saved.set(None);
        ctx.run(
            Command::ExportReportCsv,
            args,
            error,
            move |f: SavedFile| saved.set(Some(f.path)),
        );
    };
    // The research export of the same days: where it went and what it holds.
    let research = RwSignal::new(None::<ResearchSaved>);
    let export_research = move |_| {
        let Some(args) = shown_days() else {
            return;
        };
        research.set(None);
        ctx.run(
            Command::ExportResearchCsv,
            args,
            error,
            move |f: ResearchSaved| research.set(Some(f)),
        );
    };
    let research_words = move || {
        research.get().map(|f| {
            let counts = ctx.tra(
                "report-research-counts",
                &[
                    ("encounters", f.encounters.to_string()),
                    ("people", f.people.to_string()),
                    ("left", f.left_out.to_string()),
                ],
            );
            let path = ctx.tra("report-saved", &[("path", f.path)]);
            view! {
                <span data-testid="research-counts">{counts}</span>" "
                <span data-testid="research-path">{path}</span>
            }
        })
    };

    let option = move |value: &'static str, key: &'static str| {
        view! {
            <option value=value selected=move || choice.get() == value>{move || ctx.t(key)}</option>
        }
    };
    let totals = move || {
        data.get().map(|r| {
            let lang = ctx.lang.get();
            let hours = format!("{} h {:02}", r.minutes / 60, r.minutes % 60);
            let rows = [
                ("report-encounters", r.encounters.to_string()),
                ("report-people-met", r.people_met.to_string()),
                ("report-new-people", r.new_people.to_string()),
                ("report-anonymous", r.anonymous_contacts.to_string()),
                ("report-anonymous-linked", r.street_contacts_linked.to_string()),
                ("report-naloxone", r.naloxone.to_string()),
                ("report-referrals", r.referrals.to_string()),
                ("report-referrals-done", r.referrals_done.to_string()),
                ("report-referrals-not-happened", r.referrals_not_happened.to_string()),
                ("report-follow-ups-done", r.follow_ups_done.to_string()),
                ("report-follow-ups-overdue", r.follow_ups_overdue.to_string()),
                ("report-goals-reached", r.goals_reached.to_string()),
                ("report-time", hours),
                ("report-debriefs", r.debrief_requests.to_string()),
            ];
            let period = ctx.tra(
                "report-period",
                &[("from", day(r.period.from, lang)), ("to", day(r.period.to, lang))],
            );
            let weeks: Vec<Bar> = r
                .per_week
                .iter()
                .map(|w| Bar {
                    label: day(w.week_of, lang),
                    count: w.encounters,
                })
                .collect();
            view! {
                <p data-testid="report-period">{period}</p>
                <dl class="totals" data-testid="report-totals">
                    {rows.into_iter().map(|(k, v)| view! { <dt>{ctx.t(k)}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
                <Chart title=ctx.t("report-per-week") bars=weeks head=ctx.t("report-week-of")
                    testid="chart-weeks" />
                <Chart title=ctx.t("report-given") bars=tally_bars(&r.given, lang, false)
                    head=ctx.t("report-item") testid="chart-given" />
                <Chart title=ctx.t("report-goals-by-status")
                    bars=tally_bars(&r.goals_by_status, lang, true)
                    head=ctx.t("report-status") testid="chart-goals" />
            }
        })
    };

    view! {
        <h1>{move || ctx.t("report-title")}</h1>
        <label class="field">
            <span>{move || ctx.t("report-choose")}</span>
            <select data-testid="report-choice"
                on:change=move |ev| { choice.set(event_target_value(&ev)); fetch(); }>
                {option("last_month", "report-last-month")}
                {option("week", "report-this-week")}
                {option("month", "report-this-month")}
                {option("quarter", "report-this-quarter")}
            </select>
        </label>
        <ErrorLine text=error testid="report-error" />
        <div class="report-export no-print">
            <button type="button" data-testid="report-export-csv" aria-describedby="report-export-hint"
                disabled=move || data.get().is_none() on:click=export>
                {move || ctx.t("report-export-csv")}
            </button>
            <p class="hint" id="report-export-hint">{move || ctx.t("report-export-hint")}</p>
            <p role="status" data-testid="report-saved">
                {move || saved.get().map(|path| ctx.tra("report-saved", &[("path", path)]))}
            </p>
            <button type="button" data-testid="report-export-research"
                aria-describedby="report-research-hint"
                disabled=move || data.get().is_none() on:click=export_research>
                {move || ctx.t("report-export-research")}
            </button>
            <p class="hint" id="report-research-hint">{move || ctx.t("report-export-research-hint")}</p>
            <p role="status" data-testid="report-research-saved">{research_words}</p>
        </div>
        {totals}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_from_today() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let last = period_of("last_month", today).map(|p| (p.from.to_string(), p.to.to_string()));
        assert_eq!(last, Some(("2026-11-01".into(), "2026-11-30".into())));
        let week = period_of("week", today).map(|p| p.from.to_string());
        assert_eq!(week.as_deref(), Some("2026-11-30"));
    }

    #[test]
    fn bars_name_statuses_and_items_in_the_language() {
        let rows = [Tally {
            code: Some("reached".into()),
            count: 3,
        }];
        assert_eq!(tally_bars(&rows, Lang::Fr, true)[0].label, "Atteint");
        let given = [Tally {
            code: Some("hygiene_kit".into()),
            count: 2,
        }];
        assert_eq!(
            tally_bars(&given, Lang::Fr, false)[0].label,
            "Trousse d'hygiène"
        );
    }
}
