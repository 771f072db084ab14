//! The places the team refers people to (shelters, food banks, clinics, legal aid…): the
//! team's list, searched as typed with accents ignored (the vault's own search), each place
//! with what the team knows of it and who last checked it; add, change, mark still right,
//! take off the list; a field changed on two devices at once shows both values to choose
//! from. All of it is the team document on this device: it works offline.

use crate::ctx::{ctx, Screen};
use crate::logic::format::{day_args, local_day};
use crate::platform::{minutes_east, now};
use crate::screens::place_form::PlaceForm;
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, Latest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::answers::PlaceList;
use tandem_model::shell::args::{OfPlace, Query, ResolvePlaceConflict};
use tandem_model::shell::Command;
use tandem_model::{place_kind_label, MemberId, Place};

fn name_in(names: &[(MemberId, String)], id: &MemberId) -> String {
    names
        .iter()
        .find(|(m, _)| m == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| id.as_str().chars().take(8).collect())
}

/// The words of a field's name, for a conflict.
fn field_key(field: &str) -> &'static str {
    match field {
        "name" => "place-name",
        "kind" => "place-kind",
        "address" => "place-address",
        "phone" => "place-phone",
        _ => "place-hours",
    }
}

/// The Places screen.
#[component]
pub fn PlacesScreen() -> impl IntoView {
    let ctx = ctx();
    let list = RwSignal::new(None::<PlaceList>);
    let error = RwSignal::new(None::<String>);
    let query = RwSignal::new(String::new());
    let searches = Latest::new();
    let adding = RwSignal::new(false);

    // The list for what is typed: again when a sync brings something, and after a change.
    let load = move || {
        let mine = searches.begin();
        let q = query.get_untracked();
        spawn_local(async move {
            let r = invoke::<PlaceList>(Command::SearchPlaces, &Query { query: q }).await;
            if searches.is_newest(mine) {
                if let Some(l) = ctx.answer(r, error) {
                    list.set(Some(l));
                }
            }
        });
    };
    Effect::new(move |_| {
        ctx.refresh.track();
        load();
    });
    let reload = Callback::new(move |()| load());

    let rows = move || {
        list.get().map(|l| {
            let names = l.names.clone();
            l.places
                .into_iter()
                .map(|p| view! { <PlaceRow place=p names=names.clone() error=error reload=reload /> })
                .collect_view()
        })
    };
    let empty = move || list.get().is_some_and(|l| l.places.is_empty());
    let searching = move || !query.get().trim().is_empty();

    view! {
        <section data-testid="places-screen" aria-labelledby="places-title">
            <button class="link" data-testid="back" on:click=move |_| ctx.go(Screen::Team)>
                {move || ctx.t("back")}
            </button>
            <h1 id="places-title">{move || ctx.t("places-title")}</h1>
            <p class="hint">{move || ctx.t("places-hint")}</p>
            <ErrorLine text=error testid="places-error" />
            <label for="places-search">{move || ctx.t("places-search")}</label>
            <input id="places-search" data-testid="places-search" type="search" autocomplete="off"
                aria-controls="places-list"
                prop:value=move || query.get()
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    load();
                } />
            <h2>{move || ctx.t("places-list")}</h2>
            <ul id="places-list" class="list" data-testid="places-list">{rows}</ul>
            <p class="empty" data-testid="places-empty" hidden=move || !empty()>
                {move || ctx.t(if searching() { "places-none-found" } else { "places-none" })}
            </p>
            <h2>{move || ctx.t("place-new")}</h2>
            <button class="secondary" data-testid="place-add-open" hidden=move || adding.get()
                on:click=move |_| adding.set(true)>
                {move || ctx.t("place-add-open")}
            </button>
            <Show when=move || adding.get()>
                <PlaceForm place=None error=error
                    done=Callback::new(move |()| {
                        adding.set(false);
                        load();
                    })
                    cancel=Callback::new(move |()| adding.set(false)) />
            </Show>
        </section>
    }
}

/// One place of the list: what the team knows of it, or its form while it is changed.
#[component]
fn PlaceRow(
    place: Place,
    names: Vec<(MemberId, String)>,
    error: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let ctx = ctx();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let heading = format!("place-{}", place.id);
    let id = StoredValue::new(place.id.clone());
    let check = move |_| {
        let args = OfPlace {
            place: id.get_value(),
        };
        ctx.run(Command::CheckPlace, args, error, move |()| {
            ctx.notify("place-checked");
            reload.run(());
        });
    };
    let remove = move |_| {
        let args = OfPlace {
            place: id.get_value(),
        };
        ctx.run(Command::RemovePlace, args, error, move |()| {
            ctx.notify("place-removed");
            reload.run(());
        });
    };
    let resolve = move |field: String, choice: usize| {
        let args = ResolvePlaceConflict {
            place: id.get_value(),
            field,
            choice,
        };
        ctx.run(Command::ResolvePlaceConflict, args, error, move |()| {
            ctx.notify("conflict-resolved");
            reload.run(());
        });
    };

    let p = StoredValue::new(place);
    let names = StoredValue::new(names);
    let details = move || {
        let lang = ctx.lang.get();
        let place = p.get_value();
        let today = local_day(now(), minutes_east());
        let checked = place.checked_at.map(|at| {
            let mut args = day_args(local_day(at, minutes_east()), today, lang);
            let who = place
                .checked_by
                .as_ref()
                .map(|m| names.with_value(|n| name_in(n, m)))
                .unwrap_or_else(|| "?".to_owned());
            args.push(("name", who));
            ctx.tra("place-checked-by", &args)
        });
        let line = |key: &'static str, value: Option<String>, testid: &'static str| {
            value.map(|v| {
                view! {
                    <div class="place-field">
                        <dt>{ctx.t(key)}</dt>
                        <dd data-testid=testid>{v}</dd>
                    </div>
                }
            })
        };
        let conflicts = place
            .conflicts
            .iter()
            .map(|c| {
                let field = c.field().to_owned();
                let choices = c
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let field = field.clone();
                        view! {
                            <button class="choice small" data-testid="place-conflict-choice"
                                on:click=move |_| resolve(field.clone(), i)>
                                {ctx.t("keep")} ": " <strong>{v.clone()}</strong>
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="card warn" data-testid="place-conflict">
                        <p>{ctx.tra("place-conflict", &[("field", ctx.t(field_key(&field)))])}</p>
                        <div class="row">{choices}</div>
                    </div>
                }
            })
            .collect_view();
        let kind = place.kind.as_deref().map(|k| place_kind_label(k, lang));
        let notes = (!place.notes.trim().is_empty()).then(|| place.notes.clone());
        view! {
            <h3 id=heading.clone() data-testid="place-name">{place.name.clone()}</h3>
            <p class="meta" data-testid="place-kind" hidden=kind.is_none()>{kind.clone()}</p>
            {conflicts}
            <dl class="place-fields">
                {line("place-address", place.address.clone(), "place-address")}
                {line("place-phone", place.phone.clone(), "place-phone")}
                {line("place-hours", place.hours.clone(), "place-hours")}
            </dl>
            <p class="notes" data-testid="place-notes" hidden=notes.is_none()>{notes.clone()}</p>
            <p class="meta" data-testid="place-checked">{checked}</p>
            <div class="row">
                <button class="small" data-testid="place-check" aria-describedby=heading.clone()
                    on:click=check>
                    {ctx.t("place-check")}
                </button>
                <button class="small" data-testid="place-edit" aria-describedby=heading.clone()
                    on:click=move |_| editing.set(true)>
                    {ctx.t("place-edit")}
                </button>
                <button class="small danger" data-testid="place-remove" aria-describedby=heading.clone()
                    hidden=move || confirming.get()
                    on:click=move |_| confirming.set(true)>
                    {ctx.t("place-remove")}
                </button>
            </div>
            <div role="alertdialog" class="card warn" aria-labelledby=format!("{heading}-remove")
                data-testid="place-remove-dialog" hidden=move || !confirming.get()>
                <p id=format!("{heading}-remove")>
                    {ctx.tra("place-remove-warning", &[("name", place.name.clone())])}
                </p>
                <div class="row">
                    <button class="danger" data-testid="place-remove-confirm" on:click=remove>
                        {ctx.t("place-remove-confirm")}
                    </button>
                    <button class="secondary" data-testid="place-remove-cancel"
                        on:click=move |_| confirming.set(false)>
                        {ctx.t("place-cancel")}
                    </button>
                </div>
            </div>
        }
    };

    view! {
        <li class="place" data-testid="place">
            <Show when=move || editing.get() fallback=move || details.clone()>
                <PlaceForm place=Some(p.get_value()) error=error
                    done=Callback::new(move |()| {
                        editing.set(false);
                        reload.run(());
                    })
                    cancel=Callback::new(move |()| editing.set(false)) />
            </Show>
        </li>
    }
}
