//! A goal: edit the words with the person, the steps, the status, the next check-in; its
//! history (who changed it and when, never the content).

use crate::ctx::{ctx, Screen};
use crate::logic::format::{from_date_input, when, BadDate};
use crate::platform::{minutes_east, now};
use crate::tauri::invoke;
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::labels::{action_label, code_label, status_label};
use tandem_model::shell::args::{AddStep, NoArgs, OfPerson, SetStepDone, UpdateGoal};
use tandem_model::shell::Command;
use tandem_model::{
    Goal, GoalId, GoalStatus, GoalUpdate, HistoryEntry, PersonId, PersonRecord, StepId,
    TeamSettings,
};

/// What changed between the goal as loaded and the form.
pub fn goal_update(
    goal: &Goal,
    words: &str,
    status: &str,
    domain: &str,
    check_in: &str,
) -> Result<GoalUpdate, BadDate> {
    let check = from_date_input(check_in)?;
    let status = GoalStatus::from_code(status).unwrap_or(goal.status);
    Ok(GoalUpdate {
        words: (words.trim() != goal.words.trim()).then(|| words.trim().to_owned()),
        // "" clears it.
        domain: (domain != goal.domain.as_deref().unwrap_or("")).then(|| domain.to_owned()),
        status: (status != goal.status).then_some(status),
        next_check_in: (check != goal.next_check_in).then_some(check),
    })
}

/// The Goal screen.
#[component]
pub fn GoalScreen(person: PersonId, goal: GoalId) -> impl IntoView {
    let ctx = ctx();
    let ids = StoredValue::new((person, goal));
    let loaded = RwSignal::new(None::<Goal>);
    let history = RwSignal::new(Vec::<HistoryEntry>::new());
    let words = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let domain = RwSignal::new(String::new());
    let check_in = RwSignal::new(String::new());
    let new_step = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The team's life domains; the defaults until the vault answers.
    let domains = RwSignal::new(TeamSettings::default().life_domains);
    spawn_local(async move {
        if let Ok(s) = invoke::<TeamSettings>(Command::TeamSettings, &NoArgs {}).await {
            domains.set(s.life_domains);
        }
    });

    // Loaded once (not on every sync), so words being typed are never replaced under the
    // peer's fingers; saving reloads.
    let load = move || {
        let (person, goal) = ids.get_value();
        spawn_local(async move {
            let rec = invoke::<PersonRecord>(
                Command::PersonRecord,
                &OfPerson {
                    person: person.clone(),
                },
            )
            .await;
            match ctx
                .answer(rec, error)
                .map(|r| r.goals.into_iter().find(|g| g.id == goal))
            {
                Some(Some(g)) => {
                    words.set(g.words.clone());
                    status.set(g.status.code().to_owned());
                    domain.set(g.domain.clone().unwrap_or_default());
                    check_in.set(g.next_check_in.map(|d| d.to_string()).unwrap_or_default());
                    loaded.set(Some(g));
                }
                Some(None) => error.set(Some(ctx.t("error-not-found"))),
                None => {}
            }
            if let Ok(h) = invoke::<Vec<HistoryEntry>>(Command::History, &OfPerson { person }).await
            {
                history.set(
                    h.into_iter()
                        .filter(|e| e.target.as_deref() == Some(goal.as_str()))
                        .collect(),
                );
            }
        });
    };
    load();

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(g) = loaded.get_untracked() else {
            return;
        };
        let Ok(update) = goal_update(
            &g,
            &words.get_untracked(),
            &status.get_untracked(),
            &domain.get_untracked(),
            &check_in.get_untracked(),
        ) else {
            error.set(Some(ctx.t("invalid-date")));
            return;
        };
        if update.is_empty() {
            ctx.notify("goal-saved");
            return;
        }
        let (person, goal) = ids.get_value();
        let args = UpdateGoal {
            person,
            goal,
            update,
        };
        ctx.run(Command::UpdateGoal, args, error, move |()| {
            error.set(None);
            ctx.notify("goal-saved");
            load();
        });
    };
    let add_step = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = new_step.get_untracked().trim().to_owned();
        if text.is_empty() {
            return;
        }
        let (person, goal) = ids.get_value();
        let args = AddStep { person, goal, text };
        ctx.run(Command::AddStep, args, error, move |_: StepId| {
            new_step.set(String::new());
            load();
        });
    };
    let tick = move |step: StepId, done: bool| {
        let (person, goal) = ids.get_value();
        let args = SetStepDone {
            person,
            goal,
            step,
            done,
        };
        ctx.run(Command::SetStepDone, args, error, move |()| load());
    };

    let steps = move || {
        loaded.get().map(|g| {
            g.steps.into_iter().map(|s| {
                let id = format!("step-{}", s.id);
                let for_id = id.clone();
                let sid = s.id.clone();
                let done = s.done_at.is_some();
                view! {
                    <li>
                        <label class="check" for=for_id>
                            <input type="checkbox" id=id data-testid="goal-step" prop:checked=done
                                on:change=move |ev| tick(sid.clone(), event_target_checked(&ev)) />
                            {s.text.clone()}
                        </label>
                    </li>
                }
            }).collect_view()
        })
    };
    let changes = move || {
        let lang = ctx.lang.get();
        let n = now();
        history.get().into_iter().map(|h| {
            let who = h.by_name.clone().unwrap_or_else(|| ctx.t("someone"));
            view! {
                <li data-testid="goal-history-item">
                    {when(h.at, n, minutes_east(), lang)} " — " {who} " " {action_label(&h.action, lang)}
                </li>
            }
        }).collect_view()
    };

    view! {
        <section data-testid="goal-screen" aria-labelledby="goal-title">
            <button class="link" data-testid="back"
                on:click=move |_| ctx.go(Screen::Brief(ids.get_value().0))>
                {move || ctx.t("back")}
            </button>
            <h1 id="goal-title">{move || ctx.t("goal-title")}</h1>
            <ErrorLine text=error testid="goal-error" />
            <form on:submit=save data-testid="goal-form">
                <label for="goal-words">{move || ctx.t("goal-words")}</label>
                <textarea id="goal-words" data-testid="goal-words" rows="3"
                    prop:value=move || words.get() on:input=move |ev| words.set(event_target_value(&ev))></textarea>
                <label for="goal-status">{move || ctx.t("goal-status")}</label>
                <select id="goal-status" data-testid="goal-status"
                    prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                    {GoalStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.code() selected=move || status.get() == s.code()>
                            {move || status_label(s, ctx.lang.get())}
                        </option>
                    }).collect_view()}
                </select>
                <label for="goal-domain">{move || ctx.t("goal-domain")}</label>
                <select id="goal-domain" data-testid="goal-domain"
                    prop:value=move || domain.get() on:change=move |ev| domain.set(event_target_value(&ev))>
                    <option value="" selected=move || domain.get().is_empty()>{move || ctx.t("goal-domain-none")}</option>
                    {move || {
                        // The goal's domain shows even if the team has since removed it.
                        let current = domain.get();
                        let mut codes = domains.get();
                        if !current.is_empty() && !codes.contains(&current) {
                            codes.push(current.clone());
                        }
                        codes.into_iter().map(|d| {
                            let label = code_label(&d, ctx.lang.get());
                            let selected = d == current;
                            view! { <option value=d selected=selected>{label}</option> }
                        }).collect_view()
                    }}
                </select>
                <label for="goal-check-in">{move || ctx.t("goal-check-in")}</label>
                <input id="goal-check-in" data-testid="goal-check-in" type="date"
                    prop:value=move || check_in.get() on:input=move |ev| check_in.set(event_target_value(&ev)) />
                <button type="submit" class="primary" data-testid="goal-save">{move || ctx.t("save")}</button>
            </form>
            <h2>{move || ctx.t("goal-steps")}</h2>
            <ul class="list" data-testid="goal-steps">{steps}</ul>
            <form class="inline" on:submit=add_step data-testid="step-add-form">
                <label for="step-new">{move || ctx.t("step-new")}</label>
                <input id="step-new" data-testid="step-new"
                    prop:value=move || new_step.get() on:input=move |ev| new_step.set(event_target_value(&ev)) />
                <button type="submit" class="secondary" data-testid="step-add">{move || ctx.t("add")}</button>
            </form>
            <h2>{move || ctx.t("goal-history")}</h2>
            <ul class="list" data-testid="goal-history">{changes}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn goal() -> Goal {
        Goal {
            id: GoalId("g".into()),
            words: "Find a flat near my sister".into(),
            domain: None,
            status: GoalStatus::Exploring,
            steps: Vec::new(),
            next_check_in: NaiveDate::from_ymd_opt(2026, 12, 1),
            created_at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn only_what_changed_is_sent() {
        let g = goal();
        let u = goal_update(
            &g,
            "Find a flat near my sister ",
            "exploring",
            "",
            "2026-12-01",
        );
        assert_eq!(u.map(|u| u.is_empty()), Ok(true));
        let u = goal_update(
            &g,
            "Find a flat near my sister and work",
            "working_on_it",
            "housing",
            "",
        )
        .unwrap_or_default();
        assert_eq!(
            u.words.as_deref(),
            Some("Find a flat near my sister and work")
        );
        assert_eq!(u.status, Some(GoalStatus::WorkingOnIt));
        assert_eq!(u.next_check_in, Some(None));
        assert_eq!(u.domain.as_deref(), Some("housing"));
        assert!(goal_update(&g, "x", "exploring", "", "next week").is_err());
        // Cleared.
        let housing = Goal {
            domain: Some("housing".into()),
            ..goal()
        };
        let u = goal_update(&housing, &housing.words, "exploring", "", "2026-12-01");
        assert_eq!(u.map(|u| u.domain), Ok(Some(String::new())));
    }
}
