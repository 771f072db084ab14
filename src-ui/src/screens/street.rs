//! The street log, a month at a time: the anonymous contacts recorded on the street ("green
//! coat, by the station"), newest first. One found later to be a person the team accompanies
//! is linked to them ("this was Marc"): it then shows on their record with its own time and
//! author, and stays in the month's log (the month's count of street contacts is unchanged;
//! the report says how many were later linked). A link can be taken off again.

use crate::ctx::{ctx, Screen};
use crate::logic::format::{day_args, encounter_meta, local_day, month_shift, month_words};
use crate::platform::{minutes_east, now};
use crate::screens::person_picker::PersonPicker;
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, Latest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::labels::code_label;
use tandem_model::shell::answers::StreetMonth;
use tandem_model::shell::args::{LinkStreetEntry, OfEntry, OfMonth};
use tandem_model::shell::Command;
use tandem_model::{Encounter, EncounterId, EncounterSubject, MemberId, PersonId, PersonSummary};

fn name_of<K: PartialEq>(names: &[(K, String)], id: &K) -> Option<String> {
    names.iter().find(|(k, _)| k == id).map(|(_, n)| n.clone())
}

/// The Street contacts screen.
#[component]
pub fn StreetScreen() -> impl IntoView {
    let ctx = ctx();
    let first = month_shift(local_day(now(), minutes_east()), 0);
    let month = RwSignal::new(first);
    let data = RwSignal::new(None::<StreetMonth>);
    let error = RwSignal::new(None::<String>);
    let linking = RwSignal::new(None::<EncounterId>);
    let loads = Latest::new();
    let load = move || {
        let mine = loads.begin();
        let m = month.get_untracked().format("%Y-%m").to_string();
        spawn_local(async move {
            let r = invoke::<StreetMonth>(Command::StreetLog, &OfMonth { month: m }).await;
            if loads.is_newest(mine) {
                if let Some(d) = ctx.answer(r, error) {
                    data.set(Some(d));
                }
            }
        });
    };
    Effect::new(move |_| {
        ctx.refresh.track();
        month.track();
        load();
    });
    let link = move |entry: EncounterId, p: PersonSummary| {
        let args = LinkStreetEntry {
            entry,
            person: p.id,
        };
        ctx.run(Command::LinkStreetEntry, args, error, move |_: PersonId| {
            linking.set(None);
            ctx.notify("street-linked");
            load();
        });
    };
    let unlink = move |entry: EncounterId| {
        ctx.run(
            Command::UnlinkStreetEntry,
            OfEntry { entry },
            error,
            move |_: bool| {
                ctx.notify("street-unlinked");
                load();
            },
        );
    };

    let row = move |e: Encounter, d: &StreetMonth| {
        let lang = ctx.lang.get();
        let n = now();
        let today = local_day(n, minutes_east());
        let description = match &e.subject {
            EncounterSubject::Anonymous(Some(words)) if !words.trim().is_empty() => words.clone(),
            _ => ctx.t("street-contact"),
        };
        let meta = encounter_meta(&e, n, minutes_east(), lang);
        let by = e
            .recorded_by
            .as_ref()
            .and_then(|m| name_of(&d.names, m))
            .map(|name| ctx.tra("street-recorded-by", &[("name", name)]));
        let given = (!e.given.is_empty()).then(|| {
            let items: Vec<String> = e.given.iter().map(|g| code_label(g, lang)).collect();
            ctx.tra("street-given", &[("items", items.join(", "))])
        });
        let label = format!("street-{}", e.id);
        let eid = e.id.clone();
        let linked = e.link.clone().map(|l| {
            let who = name_of(&d.people, &l.person).unwrap_or_else(|| ctx.t("street-unknown-record"));
            let person = l.person.clone();
            let mut args = l
                .at
                .map(|at| day_args(local_day(at, minutes_east()), today, lang))
                .unwrap_or_default();
            args.push(("name", who.clone()));
            let member = l.by.as_ref().and_then(|m: &MemberId| name_of(&d.names, m));
            args.push(("by", member.unwrap_or_else(|| "?".to_owned())));
            let noted = l.at.is_some().then(|| ctx.tra("street-linked-by", &args));
            let also: Vec<String> = l
                .also
                .iter()
                .map(|p| name_of(&d.people, p).unwrap_or_else(|| ctx.t("street-unknown-record")))
                .collect();
            let also = (!also.is_empty())
                .then(|| ctx.tra("street-link-conflict", &[("names", also.join(", "))]));
            let (eid, label) = (eid.clone(), label.clone());
            view! {
                <p data-testid="street-linked">
                    <button class="link" data-testid="street-linked-person"
                        on:click=move |_| ctx.go(Screen::Brief(person.clone()))>
                        {ctx.tra("street-was", &[("name", who)])}
                    </button>
                    " "
                    <span class="meta">{noted}</span>
                </p>
                <p class="warn" data-testid="street-link-conflict" hidden=also.is_none()>{also.clone()}</p>
                <button class="small secondary" data-testid="street-unlink" aria-describedby=label
                    on:click=move |_| unlink(eid.clone())>
                    {ctx.t("street-unlink")}
                </button>
            }
        });
        let is_linked = linked.is_some();
        let this = StoredValue::new(eid.clone());
        let open = move || linking.with(|l| this.with_value(|e| l.as_ref() == Some(e)));
        let (eid_start, eid_pick) = (eid.clone(), eid.clone());
        view! {
            <li class="item" data-testid="street-entry">
                <span class="item-main" id=label.clone()>
                    <strong>{description}</strong>
                    <span class="meta">{meta}</span>
                    <span class="meta">{by}</span>
                    <span class="notes">{e.notes.clone()}</span>
                    <span class="meta">{given}</span>
                </span>
                {linked}
                <button class="small" data-testid="street-link-start" aria-describedby=label
                    hidden=move || is_linked || open()
                    on:click=move |_| linking.set(Some(eid_start.clone()))>
                    {ctx.t("street-link-start")}
                </button>
                <Show when=open>
                    {
                        let eid = StoredValue::new(eid_pick.clone());
                        view! {
                            <PersonPicker id="street-link" label="street-link-who" exclude=None
                                on_pick=move |p| link(eid.get_value(), p) />
                            <button class="small secondary" data-testid="street-link-cancel"
                                on:click=move |_| linking.set(None)>
                                {ctx.t("street-link-cancel")}
                            </button>
                        }
                    }
                </Show>
            </li>
        }
    };
    let at_latest = move || month.get() >= first;
    let go_month = move |by: i32| {
        linking.set(None);
        month.update(|m| *m = month_shift(*m, by));
    };
    let body = move || {
        data.get().map(|d| {
            let rows = d
                .entries
                .clone()
                .into_iter()
                .map(|e| row(e, &d))
                .collect_view();
            let empty = d.entries.is_empty();
            view! {
                <ul class="list" data-testid="street-entries">{rows}</ul>
                <p class="empty" hidden=!empty>{ctx.t("street-none")}</p>
            }
        })
    };
    view! {
        <section data-testid="street-screen" aria-labelledby="street-title">
            <button class="link" data-testid="back" on:click=move |_| ctx.go(Screen::People)>
                {move || ctx.t("back")}
            </button>
            <h1 id="street-title">{move || ctx.t("street-title")}</h1>
            <p class="hint">{move || ctx.t("street-hint")}</p>
            <div class="row" role="group" aria-label=move || ctx.t("street-month")>
                <button class="small secondary" data-testid="street-month-before"
                    on:click=move |_| go_month(-1)>
                    {move || ctx.t("street-month-before")}
                </button>
                <h2 data-testid="street-month" aria-live="polite">
                    {move || month_words(month.get(), ctx.lang.get())}
                </h2>
                <button class="small secondary" data-testid="street-month-after"
                    disabled=at_latest
                    on:click=move |_| go_month(1)>
                    {move || ctx.t("street-month-after")}
                </button>
            </div>
            <ErrorLine text=error testid="street-error" />
            {body}
        </section>
    }
}
