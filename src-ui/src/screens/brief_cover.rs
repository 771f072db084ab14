//! The brief's hand-over parts: who accompanies the person, the notes left for the next peer
//! when someone took over, and who is responsible for each open follow-up (with a way to give
//! it to another member present).

use crate::ctx::ctx;
use crate::logic::format::{done_on_words, local_day};
use crate::platform::{minutes_east, now};
use leptos::prelude::*;
use tandem_model::shell::answers::Cover;
use tandem_model::shell::args::{NoArgs, ReassignFollowUp};
use tandem_model::shell::Command;
use tandem_model::{FollowUp, MemberId, PersonBrief};

/// Who accompanies them, and the hand-over notes, newest first.
#[component]
pub fn BriefCover(brief: PersonBrief) -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang.get_untracked();
    let today = local_day(now(), minutes_east());
    let who: Vec<String> = brief
        .accompanied_by
        .iter()
        .map(|m| brief.member_name(m))
        .collect();
    let who = if who.is_empty() {
        ctx.t("nobody")
    } else {
        who.join(", ")
    };
    let notes = brief
        .handovers
        .iter()
        .map(|n| {
            let by =
                n.by.as_ref()
                    .map(|m| brief.member_name(m))
                    .unwrap_or_default();
            let day = local_day(n.at, minutes_east());
            let date = done_on_words("handover-written-on", day, today, lang);
            let head = ctx.tra("handover-by", &[("name", by), ("date", date)]);
            view! {
                <li class="item" data-testid="handover-note-shown">
                    <span class="meta">{head}</span>
                    <span class="notes">{n.note.clone()}</span>
                </li>
            }
        })
        .collect_view();
    let has_notes = !brief.handovers.is_empty();
    view! {
        <p data-testid="brief-accompanied">{ctx.tra("accompanied-by", &[("names", who)])}</p>
        <div class="card remember" hidden=!has_notes>
            <h2>{ctx.t("handover-notes")}</h2>
            <ul class="list" data-testid="brief-handovers">{notes}</ul>
        </div>
    }
}

/// Who does a follow-up, and a choice of another present member to give it to.
#[component]
pub fn FollowUpOwner(
    brief: PersonBrief,
    follow_up: FollowUp,
    error: RwSignal<Option<String>>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let cover = RwSignal::new(None::<Cover>);
    let open = RwSignal::new(false);
    let to = RwSignal::new(String::new());
    let name = follow_up
        .responsible
        .as_ref()
        .map(|m| ctx.tra("responsible-named", &[("name", brief.member_name(m))]));
    let current = follow_up.responsible.clone();
    let (person, fid) = (brief.id.clone(), follow_up.id.clone());
    let field = format!("give-{}", follow_up.id);
    let field_for = field.clone();
    let show = move |_| {
        open.set(true);
        if cover.get_untracked().is_none() {
            ctx.run(Command::Cover, NoArgs {}, error, move |c: Cover| {
                cover.set(Some(c))
            });
        }
    };
    let give = move |_| {
        let chosen = to.get_untracked();
        if chosen.is_empty() {
            return;
        }
        let args = ReassignFollowUp {
            person: person.clone(),
            follow_up: fid.clone(),
            to: MemberId(chosen),
        };
        ctx.run(Command::ReassignFollowUp, args, error, move |()| {
            ctx.notify("followup-given");
            on_change();
        });
    };
    let options = move || {
        cover.get().map(|c| {
            c.present
                .into_iter()
                .filter(|m| Some(&m.id) != current.as_ref())
                .map(|m| view! { <option value=m.id.0.clone()>{m.name.clone()}</option> })
                .collect_view()
        })
    };
    view! {
        <span class="meta" data-testid="followup-responsible">{name}</span>
        <button class="small" data-testid="followup-give-open" hidden=move || open.get() on:click=show>
            {move || ctx.t("followup-give")}
        </button>
        <span class="row" hidden=move || !open.get()>
            <label for=field_for>{move || ctx.t("followup-give")}</label>
            <select id=field data-testid="followup-give-to"
                prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))>
                <option value="">{move || ctx.t("away-choose")}</option>
                {options}
            </select>
            <button class="small" data-testid="followup-give" on:click=give>
                {move || ctx.t("followup-give-button")}
            </button>
        </span>
    }
}
