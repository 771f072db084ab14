//! The brief, read before a visit: how they want to be called, things to remember, their goals
//! in their own words with the next small step, the last encounters, open follow-ups, consent;
//! fields edited concurrently on two devices, with both values and a one-tap choice.

use crate::ctx::{ctx, Screen};
use crate::logic::draft::{EncounterDraft, Who};
use crate::logic::format::{
    check_in_words, done_on_words, due_words, encounter_meta, local_day, to_datetime_input,
};
use crate::platform::{minutes_east, now};
use crate::tauri::invoke;
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::labels::{code_label, consent_use_label, language_name, status_label};
use tandem_model::shell::args::{
    AddGoal, CompleteFollowUp, DraftSave, ErasePerson, NoArgs, OfPerson, RecordConsent,
    ResolveConflict, WithdrawConsent,
};
use tandem_model::shell::Command;
use tandem_model::{
    ConsentId, ConsentUse, FollowUpId, GoalId, NewConsent, NewGoal, PersonBrief, PersonId,
};

/// The brief of one person.
#[component]
pub fn BriefScreen(id: PersonId) -> impl IntoView {
    let ctx = ctx();
    let brief = RwSignal::new(None::<PersonBrief>);
    let error = RwSignal::new(None::<String>);
    let person = StoredValue::new(id.clone());
    let load = ctx.load(Command::Brief, OfPerson { person: id }, brief, error);

    let resolve = move |path: Vec<String>, choice: usize| {
        let args = ResolveConflict {
            person: person.get_value(),
            path,
            choice,
        };
        ctx.run(Command::ResolveConflict, args, error, move |()| {
            ctx.notify("conflict-resolved");
            load();
        });
    };
    let complete = move |follow_up: FollowUpId| {
        let args = CompleteFollowUp {
            person: person.get_value(),
            follow_up,
        };
        ctx.run(Command::CompleteFollowUp, args, error, move |()| load());
    };
    let new_goal = RwSignal::new(String::new());
    let add_goal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let words = new_goal.get_untracked().trim().to_owned();
        if words.is_empty() {
            return;
        }
        let goal = NewGoal {
            words,
            domain: None,
            status: None,
            steps: Vec::new(),
            next_check_in: None,
        };
        let args = AddGoal {
            person: person.get_value(),
            goal,
        };
        ctx.run(Command::AddGoal, args, error, move |_: GoalId| {
            new_goal.set(String::new());
            load();
        });
    };
    let consent_what = RwSignal::new(String::new());
    let consent_how = RwSignal::new(String::new());
    let consent_uses = RwSignal::new(Vec::<ConsentUse>::new());
    let record_consent = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let what = consent_what.get_untracked().trim().to_owned();
        let uses = consent_uses.get_untracked();
        if what.is_empty() || uses.is_empty() {
            error.set(Some(ctx.t("consent-incomplete")));
            return;
        }
        let how = consent_how.get_untracked().trim().to_owned();
        let consent = NewConsent {
            what,
            uses,
            given_on: None,
            how: (!how.is_empty()).then_some(how),
        };
        let args = RecordConsent {
            person: person.get_value(),
            consent,
        };
        ctx.run(Command::RecordConsent, args, error, move |_: ConsentId| {
            error.set(None);
            consent_what.set(String::new());
            consent_how.set(String::new());
            consent_uses.set(Vec::new());
            ctx.notify("consent-saved");
            load();
        });
    };
    let withdraw = move |consent: ConsentId| {
        let args = WithdrawConsent {
            person: person.get_value(),
            consent,
            on: None,
        };
        ctx.run(Command::WithdrawConsent, args, error, move |()| load());
    };
    let confirming = RwSignal::new(false);
    let erase = move |_| {
        // What the dialog showed: the vault erases nothing if a sync changed it since.
        let merged = brief
            .get_untracked()
            .map(|b| b.merged.into_iter().map(|m| m.id).collect())
            .unwrap_or_default();
        let args = ErasePerson {
            person: person.get_value(),
            merged,
        };
        ctx.run(Command::ErasePerson, args, error, move |()| {
            ctx.notify("person-erased");
            ctx.go(Screen::People);
        });
    };
    let encounter = move |_| {
        let Some(b) = brief.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let kept = invoke::<Option<String>>(Command::DraftLoad, &NoArgs {})
                .await
                .ok()
                .flatten();
            let started = kept
                .and_then(|j| serde_json::from_str::<EncounterDraft>(&j).ok())
                .is_some_and(|d| d.is_started());
            if !started {
                let mut d = EncounterDraft::new(to_datetime_input(now(), minutes_east()), None);
                d.who = Who::Person {
                    id: b.id.clone(),
                    name: b.name.clone(),
                };
                if let Ok(json) = serde_json::to_string(&d) {
                    let _ = invoke::<()>(Command::DraftSave, &DraftSave { draft: json }).await;
                }
            }
            ctx.go(Screen::Encounter);
        });
    };

    let body = move || {
        let lang = ctx.lang.get();
        let n = now();
        let today = local_day(n, minutes_east());
        brief.get().map(|b| {
            let pid = b.id.clone();
            let pid_for_profile = b.id.clone();
            let also = (!b.nicknames.is_empty()).then(|| ctx.tra("also-called", &[("names", b.nicknames.join(", "))]));
            let names = b.languages.iter().map(|l| language_name(l, lang).map_or_else(|| l.clone(), str::to_owned)).collect::<Vec<_>>();
            let speaks = (!names.is_empty()).then(|| ctx.tra("speaks", &[("languages", names.join(", "))]));
            let conflicts = b.conflicts.iter().map(|c| {
                let path = c.path.clone();
                let field = c.field().to_owned();
                // Two devices gave a follow-up to different members: show their names.
                let shown: Vec<String> = if field == "responsible" {
                    c.values.iter().map(|v| b.member_name(&tandem_model::MemberId(v.clone()))).collect()
                } else {
                    c.values.clone()
                };
                let choices = shown.iter().enumerate().map(|(i, v)| {
                    let path = path.clone();
                    view! {
                        <button class="choice" data-testid="conflict-choice"
                            on:click=move |_| resolve(path.clone(), i)>
                            {move || ctx.t("keep")} ": " <strong>{v.clone()}</strong>
                        </button>
                    }
                }).collect_view();
                view! {
                    <li class="conflict" data-testid="conflict">
                        <p>{ctx.tra("conflict-field", &[("field", field)])}</p>
                        <div class="row">{choices}</div>
                    </li>
                }
            }).collect_view();
            let goals = b.goals.iter().map(|g| {
                let (p, gid) = (pid.clone(), g.id.clone());
                let next = g.next_step().map(|s| ctx.tra("next-step", &[("step", s.text.clone())]));
                let check = g.next_check_in.map(|d| check_in_words(d, today, lang));
                view! {
                    <li>
                        <button class="item-main" data-testid="goal-row"
                            on:click=move |_| ctx.go(Screen::Goal(p.clone(), gid.clone()))>
                            <strong class="words">"« "{g.words.clone()}" »"</strong>
                            <span class=format!("status status-{}", g.status.code())>{status_label(g.status, lang)}</span>
                            <span class="meta" data-testid="goal-domain">{g.domain.as_deref().map(|d| code_label(d, lang))}</span>
                            <span class="meta">{next}</span>
                            <span class="meta">{check}</span>
                        </button>
                    </li>
                }
            }).collect_view();
            let encounters = b.last_encounters.iter().map(|e| {
                let meta = encounter_meta(e, n, minutes_east(), lang);
                let given = (!e.given.is_empty()).then(|| e.given.iter().map(|g| code_label(g, lang)).collect::<Vec<_>>().join(", "));
                let referrals = view! {
                    <crate::screens::referrals::EncounterReferrals encounter=e.clone()
                        names=b.member_names.clone() error=error on_change=load />
                };
                view! {
                    <li class="item encounter" data-testid="brief-encounter">
                        <span class="meta">{meta}</span>
                        <span class="notes">{e.notes.clone()}</span>
                        <span class="meta">{given}</span>
                        {referrals}
                    </li>
                }
            }).collect_view();
            let follow_ups = b.open_follow_ups.iter().map(|f| {
                let owner = view! {
                    <crate::screens::brief_cover::FollowUpOwner brief=b.clone() follow_up=f.clone() error=error on_change=load />
                };
                let fid = f.id.clone();
                let due = f.due.map(|d| due_words(d, today, lang).1);
                view! {
                    <li class="item owned" data-testid="brief-followup">
                        <span class="item-main">{f.what.clone()} <span class="meta">{due}</span></span>
                        <button class="small" data-testid="followup-done" on:click=move |_| complete(fid.clone())>
                            {ctx.t("followup-done")}
                        </button>
                        {owner}
                    </li>
                }
            }).collect_view();
            let consents = b.consents.iter().map(|c| {
                let uses = c.uses.iter().map(|u| consent_use_label(*u, lang)).collect::<Vec<_>>().join(", ");
                let state = match c.withdrawn_on {
                    Some(d) => done_on_words("consent-withdrawn-on", d, today, lang),
                    None => done_on_words("consent-given-on", c.given_on, today, lang),
                };
                let cid = c.id.clone();
                let active = c.withdrawn_on.is_none();
                view! {
                    <li class="item" data-testid="brief-consent">
                        <span class="item-main">{c.what.clone()} " — " {uses} " (" {state} ")"</span>
                        <button class="small" data-testid="consent-withdraw" hidden=!active
                            on:click=move |_| withdraw(cid.clone())>
                            {ctx.t("consent-withdraw")}
                        </button>
                    </li>
                }
            }).collect_view();
            let use_boxes = ConsentUse::ALL.into_iter().map(|u| {
                let id = format!("consent-use-{}", u.code());
                let for_id = id.clone();
                view! {
                    <label class="check" for=for_id>
                        <input type="checkbox" id=id data-testid="consent-use" value=u.code()
                            prop:checked=move || consent_uses.with(|v| v.contains(&u))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                consent_uses.update(|v| {
                                    v.retain(|x| *x != u);
                                    if on {
                                        v.push(u);
                                        v.sort();
                                    }
                                });
                            } />
                        {consent_use_label(u, lang)}
                    </label>
                }
            }).collect_view();
            let merged_names: Vec<String> = b.merged.iter().map(|m| m.name.clone()).collect();
            let erase_also = (!merged_names.is_empty()).then(|| ctx.tra("erase-also", &[
                ("n", merged_names.len().to_string()),
                ("names", merged_names.join(", ")),
            ]));
            view! {
                <header class="person">
                    <h1 data-testid="brief-name">{b.name.clone()}</h1>
                    <p class="meta">
                        {b.pronouns.clone()}
                        " "
                        {also}
                    </p>
                    <p class="meta" data-testid="brief-languages">{speaks}</p>
                    <button class="link" data-testid="brief-edit-profile"
                        on:click=move |_| ctx.go(Screen::Profile(pid_for_profile.clone()))>
                        {ctx.t("profile-edit")}
                    </button>
                </header>
                <button class="primary big" data-testid="brief-new-encounter" on:click=encounter>
                    {ctx.t("new-encounter")}
                </button>
                <div hidden=b.conflicts.is_empty() class="card warn">
                    <h2>{ctx.t("conflicts-title")}</h2>
                    <p class="hint">{ctx.t("conflicts-hint")}</p>
                    <ul class="list" data-testid="conflicts">{conflicts}</ul>
                </div>
                <div hidden=b.remember.trim().is_empty() class="card remember">
                    <h2>{ctx.t("remember")}</h2>
                    <p data-testid="brief-remember">{b.remember.clone()}</p>
                </div>
                <crate::screens::brief_cover::BriefCover brief=b.clone() />
                <div hidden=b.contact.trim().is_empty()>
                    <h2>{ctx.t("contact")}</h2>
                    <p data-testid="brief-contact">{b.contact.clone()}</p>
                </div>
                <h2>{ctx.t("goals-title")}</h2>
                <ul class="list" data-testid="brief-goals">{goals}</ul>
                <form class="inline" on:submit=add_goal data-testid="goal-add-form">
                    <label for="goal-new-words">{ctx.t("goal-new")}</label>
                    <input id="goal-new-words" data-testid="goal-new-words"
                        prop:value=move || new_goal.get() on:input=move |ev| new_goal.set(event_target_value(&ev)) />
                    <button type="submit" class="secondary" data-testid="goal-add">{ctx.t("add")}</button>
                </form>
                <h2>{ctx.t("followups-open")}</h2>
                <ul class="list" data-testid="brief-followups">{follow_ups}</ul>
                <h2>{ctx.tra("last-encounters", &[("n", b.encounter_count.to_string())])}</h2>
                <ul class="list" data-testid="brief-encounters">{encounters}</ul>
                <h2>{ctx.t("consent-title")}</h2>
                <ul data-testid="brief-consents">{consents}</ul>
                <p class="empty" hidden=!b.consents.is_empty()>{ctx.t("consent-none")}</p>
                <form data-testid="consent-form" on:submit=record_consent>
                    <fieldset>
                        <legend>{ctx.t("consent-new")}</legend>
                        <label for="consent-what">{ctx.t("consent-what")}</label>
                        <input id="consent-what" data-testid="consent-what"
                            prop:value=move || consent_what.get()
                            on:input=move |ev| consent_what.set(event_target_value(&ev)) />
                        <fieldset class="checks">
                            <legend>{ctx.t("consent-uses")}</legend>
                            {use_boxes}
                        </fieldset>
                        <label for="consent-how">{ctx.t("consent-how")}</label>
                        <input id="consent-how" data-testid="consent-how"
                            prop:value=move || consent_how.get()
                            on:input=move |ev| consent_how.set(event_target_value(&ev)) />
                        <button type="submit" class="secondary" data-testid="consent-save">
                            {ctx.t("consent-save")}
                        </button>
                    </fieldset>
                </form>
                <crate::screens::brief_merge::MergedRecords brief=b.clone() error=error on_change=load />
                <crate::screens::brief_merge::MergeWith brief=b.clone() error=error on_change=load />
                <h2>{ctx.t("erase-title")}</h2>
                <p>{ctx.t("erase-explain")}</p>
                <button class="danger" data-testid="erase-start" hidden=move || confirming.get()
                    on:click=move |_| confirming.set(true)>
                    {ctx.t("erase-start")}
                </button>
                <div role="alertdialog" aria-labelledby="erase-warning" data-testid="erase-dialog"
                    hidden=move || !confirming.get()>
                    <p id="erase-warning" data-testid="erase-warning">
                        {ctx.tra("erase-warning", &[("name", b.name.clone())])}
                        " "
                        {erase_also}
                    </p>
                    <button class="danger" data-testid="erase-confirm" on:click=erase>
                        {ctx.t("erase-confirm")}
                    </button>
                    <button class="secondary" data-testid="erase-cancel"
                        on:click=move |_| confirming.set(false)>
                        {ctx.t("erase-cancel")}
                    </button>
                </div>
            }
        })
    };
    view! {
        <section data-testid="brief-screen" class="brief">
            <button class="link" data-testid="back" on:click=move |_| ctx.go(Screen::People)>
                {move || ctx.t("back")}
            </button>
            <ErrorLine text=error testid="brief-error" />
            {body}
        </section>
    }
}
