//! The debriefs peers asked for, for the team: those not done yet first, each with the peer
//! who asked and when; marked done when it took place (who noted it and when is shown). It
//! names neither the person met nor the notes, and counts no one: a list of care to give,
//! not a measure of anyone.

use crate::ctx::{ctx, Screen};
use crate::logic::format::{day_args, local_day, when};
use crate::platform::{minutes_east, now};
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use tandem_model::shell::answers::Debriefs;
use tandem_model::shell::args::{NoArgs, OfEncounter};
use tandem_model::shell::Command;
use tandem_model::{DebriefRequest, MemberId};

fn name_in(names: &[(MemberId, String)], id: &MemberId) -> String {
    names
        .iter()
        .find(|(m, _)| m == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| id.as_str().chars().take(8).collect())
}

/// The Debriefs screen.
#[component]
pub fn DebriefsScreen() -> impl IntoView {
    let ctx = ctx();
    let list = RwSignal::new(None::<Debriefs>);
    let error = RwSignal::new(None::<String>);
    let load = ctx.load(Command::Debriefs, NoArgs {}, list, error);

    let done = move |encounter| {
        ctx.run(
            Command::MarkDebriefDone,
            OfEncounter { encounter },
            error,
            move |()| {
                ctx.notify("debrief-marked");
                load();
            },
        );
    };
    let row = move |r: DebriefRequest, names: &[(MemberId, String)]| {
        let lang = ctx.lang.get();
        let n = now();
        let asked = r
            .asked_by_name
            .clone()
            .or_else(|| r.asked_by.as_ref().map(|m| name_in(names, m)))
            .unwrap_or_else(|| "?".to_owned());
        let label = format!("debrief-{}", r.encounter);
        let noted = r.done.as_ref().map(|d| {
            let mut args = day_args(
                local_day(d.at, minutes_east()),
                local_day(n, minutes_east()),
                lang,
            );
            let who =
                d.by.as_ref()
                    .map(|m| name_in(names, m))
                    .unwrap_or_else(|| "?".to_owned());
            args.push(("name", who));
            ctx.tra("debrief-done-by", &args)
        });
        let waiting = noted.is_none();
        let encounter = r.encounter.clone();
        let testid = if waiting {
            "debrief-waiting"
        } else {
            "debrief-done"
        };
        view! {
            <li class="item" data-testid=testid>
                <span class="item-main" id=label.clone()>
                    <strong>{ctx.tra("debrief-asked-by", &[("name", asked)])}</strong>
                    <span class="meta">{when(r.at, n, minutes_east(), lang)}</span>
                    <span class="meta" data-testid="debrief-noted">{noted}</span>
                </span>
                <button class="small" data-testid="debrief-mark-done" hidden=!waiting
                    aria-describedby=label
                    on:click=move |_| done(encounter.clone())>
                    {ctx.t("debrief-mark-done")}
                </button>
            </li>
        }
    };
    let waiting = move || {
        list.get().map(|l| {
            l.requests
                .into_iter()
                .filter(|r| r.done.is_none())
                .map(|r| row(r, &l.names))
                .collect_view()
        })
    };
    let done_rows = move || {
        list.get().map(|l| {
            l.requests
                .into_iter()
                .filter(|r| r.done.is_some())
                .map(|r| row(r, &l.names))
                .collect_view()
        })
    };
    let none_waiting = move || {
        list.get()
            .is_none_or(|l| l.requests.iter().all(|r| r.done.is_some()))
    };
    let none_done = move || {
        list.get()
            .is_none_or(|l| l.requests.iter().all(|r| r.done.is_none()))
    };

    view! {
        <section data-testid="debriefs-screen" aria-labelledby="debriefs-title">
            <button class="link" data-testid="back" on:click=move |_| ctx.go(Screen::Team)>
                {move || ctx.t("back")}
            </button>
            <h1 id="debriefs-title">{move || ctx.t("debriefs-title")}</h1>
            <p class="hint">{move || ctx.t("debriefs-hint")}</p>
            <ErrorLine text=error testid="debriefs-error" />
            <h2>{move || ctx.t("debriefs-waiting")}</h2>
            <ul class="list" data-testid="debriefs-waiting">{waiting}</ul>
            <p class="empty" hidden=move || !none_waiting()>{move || ctx.t("debriefs-none-waiting")}</p>
            <h2>{move || ctx.t("debriefs-done")}</h2>
            <ul class="list" data-testid="debriefs-done">{done_rows}</ul>
            <p class="empty" hidden=move || !none_done()>{move || ctx.t("debriefs-none-done")}</p>
        </section>
    }
}
