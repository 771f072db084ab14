//! Today: one large "New encounter" action, follow-ups due, recent encounters.

use crate::ctx::{ctx, Screen};
use crate::logic::format::{due_words, encounter_meta, Due};
use crate::platform::{minutes_east, now};
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use tandem_model::shell::answers::Today;
use tandem_model::shell::args::{CompleteFollowUp, NoArgs};
use tandem_model::shell::Command;
use tandem_model::{EncounterSubject, FollowUpId, PersonId};

/// The Today screen.
#[component]
pub fn TodayScreen() -> impl IntoView {
    let ctx = ctx();
    let data = RwSignal::new(None::<Today>);
    let error = RwSignal::new(None::<String>);
    let load = ctx.load(Command::Today, NoArgs {}, data, error);
    let complete = move |person: PersonId, follow_up: FollowUpId| {
        let args = CompleteFollowUp { person, follow_up };
        ctx.run(Command::CompleteFollowUp, args, error, move |()| {
            ctx.notify("followup-done-saved");
            load();
        });
    };

    let follow_ups = move || {
        let lang = ctx.lang.get();
        let today = crate::logic::format::local_day(now(), minutes_east());
        data.get()
            .map(|d| d.follow_ups_due)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let person = f.person.clone();
                let (p2, fid) = (f.person.clone(), f.follow_up.id.clone());
                let due_text = f.follow_up.due.map(|d| due_words(d, today, lang));
                let late = matches!(due_text, Some((Due::Late, _)));
                view! {
                    <li class="item" class:late=late data-testid="followup-item">
                        <button class="item-main" on:click=move |_| ctx.go(Screen::Brief(person.clone()))>
                            <strong>{f.person_name.clone()}</strong>
                            " — "
                            {f.follow_up.what.clone()}
                            <span class="meta">{due_text.map(|(_, t)| t)}</span>
                        </button>
                        <button class="small" data-testid="followup-done"
                            on:click=move |_| complete(p2.clone(), fid.clone())>
                            {ctx.t("followup-done")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let recent = move || {
        let lang = ctx.lang.get();
        let n = now();
        data.get()
            .map(|d| d.recent)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let e = r.encounter;
                let who = match (&e.subject, r.person_name) {
                    (EncounterSubject::Person(_), Some(name)) => name,
                    (EncounterSubject::Anonymous(Some(d)), _) => format!("{} ({d})", ctx.t("street-log")),
                    _ => ctx.t("street-log"),
                };
                let target = match &e.subject {
                    EncounterSubject::Person(p) => Some(p.clone()),
                    EncounterSubject::Anonymous(_) => None,
                };
                let meta = encounter_meta(&e, n, minutes_east(), lang);
                view! {
                    <li class="item" data-testid="recent-item">
                        <button class="item-main" disabled=target.is_none()
                            on:click=move |_| if let Some(p) = target.clone() { ctx.go(Screen::Brief(p)) }>
                            <strong>{who}</strong>
                            <span class="meta">{meta}</span>
                            <span class="notes">{e.notes.clone()}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section data-testid="today-screen" aria-labelledby="today-title">
            <h1 id="today-title">{move || ctx.t("today-title")}</h1>
            <button class="primary big" data-testid="new-encounter"
                on:click=move |_| ctx.go(Screen::Encounter)>
                {move || ctx.t("new-encounter")}
            </button>
            <ErrorLine text=error testid="today-error" />
            <h2>{move || ctx.t("followups-due")}</h2>
            <ul class="list" data-testid="followups-due">{follow_ups}</ul>
            <p class="empty" hidden=move || data.get().map(|d| !d.follow_ups_due.is_empty()).unwrap_or(true)>
                {move || ctx.t("followups-none")}
            </p>
            <h2>{move || ctx.t("recent-encounters")}</h2>
            <ul class="list" data-testid="recent-encounters">{recent}</ul>
            <p class="empty" hidden=move || data.get().map(|d| !d.recent.is_empty()).unwrap_or(true)>
                {move || ctx.t("recent-none")}
            </p>
        </section>
    }
}
