//! New encounter, built for the street: pick the person (instant search, accents ignored) or
//! "someone I don't know"; when and where are pre-filled; notes; details if wanted. The draft
//! is handed to the shell as it is typed, so it survives a lock. The cursor waits where the
//! peer types next: in "with whom" when nobody is chosen, in "what happened" once someone is.

use crate::ctx::{ctx, Screen};
use crate::logic::draft::{toggle, EncounterDraft, Invalid, Who};
use crate::logic::format::to_datetime_input;
use crate::platform::{minutes_east, now};
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, LiveSearch};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::labels::code_label;
use tandem_model::shell::answers::Today;
use tandem_model::shell::args::{AddPerson, DraftSave, NoArgs, OfPerson, RecordEncounter};
use tandem_model::shell::Command;
use tandem_model::{
    Goal, NewPerson, OptionList, PersonBrief, PersonId, PersonSummary, TeamSettings,
};

/// The New encounter screen.
#[component]
pub fn EncounterScreen() -> impl IntoView {
    let ctx = ctx();
    let draft = RwSignal::new(EncounterDraft::default());
    let loaded = RwSignal::new(false);
    let saved_draft = RwSignal::new(false);
    let live = LiveSearch::<PersonSummary>::new();
    let (query, results) = (live.query, live.results);
    let goals = RwSignal::new(Vec::<Goal>::new());
    let error = RwSignal::new(None::<String>);
    let field_errors = RwSignal::new(Vec::<(&'static str, &'static str)>::new());
    let busy = RwSignal::new(false);
    // The team's lists; the defaults until the vault answers (at once, in practice).
    let options = RwSignal::new(TeamSettings::default());
    spawn_local(async move {
        if let Ok(s) = invoke::<TeamSettings>(Command::TeamSettings, &NoArgs {}).await {
            options.set(s);
        }
    });

    // Start from the draft the shell kept, or from now at the last place.
    spawn_local(async move {
        let kept = invoke::<Option<String>>(Command::DraftLoad, &NoArgs {})
            .await
            .ok()
            .flatten();
        let restored = kept.and_then(|j| serde_json::from_str::<EncounterDraft>(&j).ok());
        let d = match restored {
            Some(d) => d,
            None => {
                let last_place = invoke::<Today>(Command::Today, &NoArgs {})
                    .await
                    .ok()
                    .and_then(|t| t.last_place);
                EncounterDraft::new(to_datetime_input(now(), minutes_east()), last_place)
            }
        };
        draft.set(d);
        loaded.set(true);
    });

    // Saved as typed.
    Effect::new(move |_| {
        let d = draft.get();
        if !loaded.get_untracked() || !d.is_started() {
            return;
        }
        let Ok(json) = serde_json::to_string(&d) else {
            return;
        };
        spawn_local(async move {
            saved_draft.set(
                invoke::<()>(Command::DraftSave, &DraftSave { draft: json })
                    .await
                    .is_ok(),
            );
        });
    });

    // The chosen person's goals, for "goals touched": only when the choice changes, not on
    // every keystroke in the form.
    let who = Memo::new(move |_| draft.with(|d| d.who.clone()));
    Effect::new(move |_| {
        if let Who::Person { id, .. } = who.get() {
            spawn_local(async move {
                if let Ok(b) = invoke::<PersonBrief>(Command::Brief, &OfPerson { person: id }).await
                {
                    goals.set(b.goals.into_iter().filter(|g| g.status.is_open()).collect());
                }
            });
        } else {
            goals.set(Vec::new());
        }
    });

    // Where the cursor goes: each tap saved counts on the street. Runs when the form appears
    // and when the choice changes (the field it focuses is drawn anew then), not as they type.
    let search_field: NodeRef<leptos::html::Input> = NodeRef::new();
    let notes_field: NodeRef<leptos::html::Textarea> = NodeRef::new();
    Effect::new(move |_| {
        if !loaded.get() {
            return;
        }
        if matches!(who.get(), Who::Nobody) {
            if let Some(el) = search_field.get() {
                let _ = el.focus();
            }
        } else if let Some(el) = notes_field.get() {
            let _ = el.focus();
        }
    });

    let search = move |text: String| {
        live.typed(Command::SearchPeople, text, |found: Vec<PersonSummary>| {
            found
        });
    };
    let choose = move |who: Who| {
        draft.update(|d| d.who = who);
        live.clear();
    };
    let add_new_person = move |_| {
        let name = query.get_untracked().trim().to_owned();
        if name.is_empty() {
            return;
        }
        let person = NewPerson {
            name: name.clone(),
            ..NewPerson::default()
        };
        ctx.run(
            Command::AddPerson,
            AddPerson { person },
            error,
            move |id: PersonId| choose(Who::Person { id, name }),
        );
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        match d.to_new_encounter(minutes_east()) {
            Err(Invalid(errors)) => {
                error.set(Some(ctx.t("invalid-form")));
                field_errors.set(errors);
            }
            Ok(encounter) => {
                field_errors.set(Vec::new());
                error.set(None);
                busy.set(true);
                spawn_local(async move {
                    let args = RecordEncounter { encounter };
                    let r = invoke::<String>(Command::RecordEncounter, &args).await;
                    busy.set(false);
                    if ctx.answer(r, error).is_some() {
                        match d.who {
                            Who::Person { id, .. } => ctx.go(Screen::Brief(id)),
                            _ => ctx.go(Screen::Today),
                        }
                        ctx.notify("encounter-saved");
                    }
                });
            }
        }
    };
    let discard = move |_| {
        spawn_local(async move {
            let _ = invoke::<()>(Command::DraftClear, &NoArgs {}).await;
            ctx.go(Screen::Today);
        });
    };
    let field_error = move |field: &'static str| {
        field_errors
            .get()
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| ctx.t(k))
    };

    let picker = move || {
        match who.get() {
            Who::Nobody => view! {
                <div class="picker" data-testid="person-picker">
                    <label for="person-search">{move || ctx.t("who")}</label>
                    <input id="person-search" data-testid="person-search" type="search"
                        autocomplete="off" aria-controls="person-results" node_ref=search_field
                        placeholder=move || ctx.t("person-search-placeholder")
                        prop:value=move || query.get()
                        on:input=move |ev| search(event_target_value(&ev)) />
                    <ul id="person-results" class="list" data-testid="person-results">
                        <For each=move || results.get() key=|p| p.id.clone() let:p>
                            {
                                let who = Who::Person { id: p.id.clone(), name: p.name.clone() };
                                let nick = (!p.nicknames.is_empty()).then(|| p.nicknames.join(", "));
                                view! {
                                    <li>
                                        <button class="item-main" data-testid="person-result"
                                            on:click=move |_| choose(who.clone())>
                                            <strong>{p.name.clone()}</strong>
                                            <span class="meta">{nick}</span>
                                        </button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                    <p class="field-error" role="alert">{move || field_error("who")}</p>
                    <div class="row">
                        <button type="button" class="secondary" data-testid="who-new-person"
                            hidden=move || query.get().trim().is_empty() on:click=add_new_person>
                            {move || ctx.tra("person-add-named", &[("name", query.get().trim().to_owned())])}
                        </button>
                        <button type="button" class="secondary" data-testid="who-unknown"
                            on:click=move |_| choose(Who::Unknown)>
                            {move || ctx.t("who-unknown")}
                        </button>
                    </div>
                </div>
            }
            .into_any(),
            Who::Person { name, .. } => view! {
                <div class="chosen" data-testid="who-chosen">
                    <span>{move || ctx.t("who")} ": "</span>
                    <strong data-testid="who-chosen-name">{name}</strong>
                    <button type="button" class="small" data-testid="who-change"
                        on:click=move |_| draft.update(|d| d.who = Who::Nobody)>
                        {move || ctx.t("change")}
                    </button>
                </div>
            }
            .into_any(),
            Who::Unknown => view! {
                <div class="chosen" data-testid="who-chosen">
                    <strong data-testid="who-chosen-name">{move || ctx.t("who-unknown")}</strong>
                    <button type="button" class="small" data-testid="who-change"
                        on:click=move |_| draft.update(|d| d.who = Who::Nobody)>
                        {move || ctx.t("change")}
                    </button>
                    <label for="encounter-description">{move || ctx.t("unknown-description")}</label>
                    <input id="encounter-description" data-testid="encounter-description"
                        prop:value=move || draft.with(|d| d.description.clone())
                        on:input=move |ev| draft.update(|d| d.description = event_target_value(&ev)) />
                </div>
            }
            .into_any(),
        }
    };

    // The team's options of one list, with any the draft holds that the team has since
    // removed (so they can be unticked).
    let offered = move |which: OptionList, chosen: Vec<String>| {
        let mut codes = options.with(|o| o.list(which).to_vec());
        for c in chosen {
            if !c.is_empty() && !codes.contains(&c) {
                codes.push(c);
            }
        }
        codes
    };
    let kind = Memo::new(move |_| draft.with(|d| d.kind.clone()));
    let checkboxes = move |which: OptionList,
                           group: &'static str,
                           get: fn(&EncounterDraft) -> &Vec<String>,
                           set: fn(&mut EncounterDraft) -> &mut Vec<String>| {
        // Only a change of what is ticked redraws the list, not every keystroke in the notes.
        let chosen = Memo::new(move |_| draft.with(|d| get(d).clone()));
        move || {
            offered(which, chosen.get())
                .into_iter()
                .enumerate()
                .map(|(i, code)| {
                    let c = code.clone();
                    let c2 = code.clone();
                    // Team options may hold spaces: element ids use the position.
                    let id = format!("{group}-option-{i}");
                    let for_id = id.clone();
                    view! {
                        <label class="check" for=for_id>
                            <input type="checkbox" id=id data-testid=format!("{group}-{code}")
                                prop:checked=move || draft.with(|d| get(d).contains(&c))
                                on:change=move |_| draft.update(|d| toggle(set(d), &c2)) />
                            {move || code_label(&code, ctx.lang.get())}
                        </label>
                    }
                })
                .collect_view()
        }
    };

    view! {
        <section data-testid="encounter-screen" aria-labelledby="encounter-title">
            <h1 id="encounter-title">{move || ctx.t("new-encounter")}</h1>
            <Show when=move || loaded.get() fallback=|| view! { <p>"…"</p> }>
            <form on:submit=save data-testid="encounter-form">
                {picker}
                <label for="encounter-when">{move || ctx.t("when")}</label>
                <input id="encounter-when" data-testid="encounter-when" type="datetime-local"
                    prop:value=move || draft.with(|d| d.when.clone())
                    on:input=move |ev| draft.update(|d| d.when = event_target_value(&ev)) />
                <p class="field-error" role="alert">{move || field_error("when")}</p>
                <label for="encounter-place">{move || ctx.t("where")}</label>
                <input id="encounter-place" data-testid="encounter-place"
                    prop:value=move || draft.with(|d| d.place.clone())
                    on:input=move |ev| draft.update(|d| d.place = event_target_value(&ev)) />
                <label for="encounter-notes">{move || ctx.t("notes")}</label>
                <textarea id="encounter-notes" data-testid="encounter-notes" rows="5" node_ref=notes_field
                    prop:value=move || draft.with(|d| d.notes.clone())
                    on:input=move |ev| draft.update(|d| d.notes = event_target_value(&ev))></textarea>
                <details data-testid="encounter-details">
                    <summary data-testid="encounter-details-toggle">{move || ctx.t("details")}</summary>
                    <label for="encounter-kind">{move || ctx.t("kind")}</label>
                    <select id="encounter-kind" data-testid="encounter-kind"
                        prop:value=move || draft.with(|d| d.kind.clone())
                        on:change=move |ev| draft.update(|d| d.kind = event_target_value(&ev))>
                        <option value="">{move || ctx.t("kind-none")}</option>
                        {move || offered(OptionList::EncounterKinds, vec![kind.get()])
                            .into_iter()
                            .map(|k| {
                                let v = k.clone();
                                let label = code_label(&k, ctx.lang.get());
                                view! {
                                    <option value=v selected=move || draft.with(|d| d.kind == k)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <label for="encounter-duration">{move || ctx.t("duration")}</label>
                    <input id="encounter-duration" data-testid="encounter-duration" type="number"
                        inputmode="numeric" min="1" max="1440"
                        prop:value=move || draft.with(|d| d.duration.clone())
                        on:input=move |ev| draft.update(|d| d.duration = event_target_value(&ev)) />
                    <p class="field-error" role="alert">{move || field_error("duration")}</p>
                    <fieldset>
                        <legend>{move || ctx.t("domains")}</legend>
                        {checkboxes(OptionList::LifeDomains, "domain", |d| &d.domains, |d| &mut d.domains)}
                    </fieldset>
                    <fieldset hidden=move || goals.get().is_empty()>
                        <legend>{move || ctx.t("goals-touched")}</legend>
                        <For each=move || goals.get() key=|g| g.id.clone() let:g>
                            {
                                let (id1, id2) = (g.id.clone(), g.id.clone());
                                let hid = format!("goal-touched-{}", g.id);
                                let for_id = hid.clone();
                                view! {
                                    <label class="check" for=for_id>
                                        <input type="checkbox" id=hid data-testid="goal-touched"
                                            prop:checked=move || draft.with(|d| d.goals.contains(&id1))
                                            on:change=move |_| draft.update(|d| toggle(&mut d.goals, &id2)) />
                                        {g.words.clone()}
                                    </label>
                                }
                            }
                        </For>
                    </fieldset>
                    <fieldset>
                        <legend>{move || ctx.t("given")}</legend>
                        {checkboxes(OptionList::GivenItems, "given", |d| &d.given, |d| &mut d.given)}
                    </fieldset>
                    <crate::screens::referrals::ReferralPicker draft=draft />
                    <label for="encounter-follow-up">{move || ctx.t("follow-up")}</label>
                    <input id="encounter-follow-up" data-testid="encounter-follow-up"
                        prop:value=move || draft.with(|d| d.follow_up.clone())
                        on:input=move |ev| draft.update(|d| d.follow_up = event_target_value(&ev)) />
                    <p class="field-error" role="alert">{move || field_error("follow-up")}</p>
                    <label for="encounter-follow-up-due">{move || ctx.t("follow-up-due")}</label>
                    <input id="encounter-follow-up-due" data-testid="encounter-follow-up-due" type="date"
                        prop:value=move || draft.with(|d| d.follow_up_due.clone())
                        on:input=move |ev| draft.update(|d| d.follow_up_due = event_target_value(&ev)) />
                    <p class="field-error" role="alert">{move || field_error("follow-up-due")}</p>
                    <label class="check" for="encounter-debrief">
                        <input type="checkbox" id="encounter-debrief" data-testid="encounter-debrief"
                            prop:checked=move || draft.with(|d| d.debrief)
                            on:change=move |ev| draft.update(|d| d.debrief = event_target_checked(&ev)) />
                        {move || ctx.t("debrief")}
                    </label>
                </details>
                <ErrorLine text=error testid="encounter-error" />
                <p class="hint" data-testid="draft-status" aria-live="polite">
                    {move || saved_draft.get().then(|| ctx.t("draft-saved"))}
                </p>
                <div class="row">
                    <button type="submit" class="primary" data-testid="encounter-save"
                        disabled=move || busy.get()>
                        {move || ctx.t("save")}
                    </button>
                    <button type="button" class="secondary" data-testid="encounter-discard"
                        on:click=discard>
                        {move || ctx.t("discard")}
                    </button>
                </div>
            </form>
            </Show>
        </section>
    }
}
