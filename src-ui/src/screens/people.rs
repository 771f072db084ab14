//! People: search and list (status, last seen, next check-in); adding a person.

use crate::ctx::{ctx, Screen};
use crate::logic::format::{check_in_words, format_split, local_day, when};
use crate::platform::{minutes_east, now};
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, Latest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::args::{AddPerson, NoArgs, Query};
use tandem_model::shell::Command;
use tandem_model::{NewPerson, PersonId, PersonSummary};

/// The People screen.
#[component]
pub fn PeopleScreen() -> impl IntoView {
    let ctx = ctx();
    let query = RwSignal::new(String::new());
    let people = RwSignal::new(None::<Vec<PersonSummary>>);
    let error = RwSignal::new(None::<String>);
    let searches = Latest::new();
    Effect::new(move |_| {
        ctx.refresh.track();
        let q = query.get();
        let mine = searches.begin();
        spawn_local(async move {
            let r = if q.trim().is_empty() {
                invoke::<Vec<PersonSummary>>(Command::ListPeople, &NoArgs {}).await
            } else {
                invoke::<Vec<PersonSummary>>(Command::SearchPeople, &Query { query: q }).await
            };
            if !searches.is_newest(mine) {
                return;
            }
            if let Some(p) = ctx.answer(r, error) {
                people.set(Some(p));
            }
        });
    });
    let rows = move || {
        let lang = ctx.lang.get();
        let n = now();
        let today = local_day(n, minutes_east());
        people
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let id = p.id.clone();
                let mut meta = Vec::new();
                if let Some(s) = p.last_seen {
                    meta.push(ctx.tra("last-seen", &[("when", when(s, n, minutes_east(), lang))]));
                }
                if let Some(d) = p.next_check_in {
                    meta.push(check_in_words(d, today, lang));
                }
                if p.open_goals > 0 {
                    meta.push(ctx.tra("open-goals", &[("n", p.open_goals.to_string())]));
                }
                if p.open_follow_ups > 0 {
                    meta.push(ctx.tra("open-followups", &[("n", p.open_follow_ups.to_string())]));
                }
                if p.has_conflicts {
                    meta.push(ctx.t("has-conflicts"));
                }
                let pronouns = p.pronouns.clone().map(|x| format!(" ({x})"));
                view! {
                    <li>
                        <button class="item-main" data-testid="person-row"
                            on:click=move |_| ctx.go(Screen::Brief(id.clone()))>
                            <strong>{p.name.clone()}</strong>{pronouns}
                            <span class="meta">{format_split(&meta)}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section data-testid="people-screen" aria-labelledby="people-title">
            <h1 id="people-title">{move || ctx.t("people-title")}</h1>
            <label for="people-search">{move || ctx.t("search")}</label>
            <input id="people-search" data-testid="people-search" type="search" autocomplete="off"
                placeholder=move || ctx.t("person-search-placeholder")
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
            <button class="secondary" data-testid="add-person" on:click=move |_| ctx.go(Screen::NewPerson)>
                {move || ctx.t("person-add")}
            </button>
            <button class="secondary" data-testid="open-street" on:click=move |_| ctx.go(Screen::Street)>
                {move || ctx.t("street-open")}
            </button>
            <ErrorLine text=error testid="people-error" />
            <ul class="list" data-testid="people-list">{rows}</ul>
            <p class="empty" hidden=move || people.get().map(|p| !p.is_empty()).unwrap_or(true)>
                {move || ctx.t("people-none")}
            </p>
        </section>
    }
}

/// Adding a person: only the name they choose is needed.
#[component]
pub fn NewPersonScreen() -> impl IntoView {
    let ctx = ctx();
    let name = RwSignal::new(String::new());
    let nicknames = RwSignal::new(String::new());
    let pronouns = RwSignal::new(String::new());
    let remember = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.get_untracked().trim().is_empty() {
            error.set(Some(ctx.t("invalid-person-name")));
            return;
        }
        let pr = pronouns.get_untracked().trim().to_owned();
        let person = NewPerson {
            name: name.get_untracked().trim().to_owned(),
            nicknames: crate::logic::format::split_list(&nicknames.get_untracked()),
            pronouns: (!pr.is_empty()).then_some(pr),
            remember: remember.get_untracked(),
            ..NewPerson::default()
        };
        ctx.run(
            Command::AddPerson,
            AddPerson { person },
            error,
            move |id: PersonId| {
                ctx.go(Screen::Brief(id));
                ctx.notify("person-saved");
            },
        );
    };
    view! {
        <section data-testid="new-person-screen" aria-labelledby="new-person-title">
            <h1 id="new-person-title">{move || ctx.t("person-add")}</h1>
            <form on:submit=submit data-testid="new-person-form">
                <label for="person-name">{move || ctx.t("person-name")}</label>
                <input id="person-name" data-testid="person-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="person-nicknames">{move || ctx.t("person-nicknames")}</label>
                <input id="person-nicknames" data-testid="person-nicknames"
                    prop:value=move || nicknames.get() on:input=move |ev| nicknames.set(event_target_value(&ev)) />
                <label for="person-pronouns">{move || ctx.t("pronouns")}</label>
                <input id="person-pronouns" data-testid="person-pronouns"
                    prop:value=move || pronouns.get() on:input=move |ev| pronouns.set(event_target_value(&ev)) />
                <label for="person-remember">{move || ctx.t("remember")}</label>
                <textarea id="person-remember" data-testid="person-remember" rows="3"
                    prop:value=move || remember.get() on:input=move |ev| remember.set(event_target_value(&ev))></textarea>
                <ErrorLine text=error testid="new-person-error" />
                <button type="submit" class="primary" data-testid="person-save">{move || ctx.t("save")}</button>
            </form>
        </section>
    }
}
