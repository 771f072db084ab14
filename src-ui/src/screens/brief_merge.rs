//! On a brief: the records of the same person merged into this one (who merged each, when,
//! and undo), and merging another record into it. Nothing is moved or deleted by a merge:
//! everything of both records is shown here, and the other record's id still finds this one.

use crate::ctx::ctx;
use crate::logic::format::{day_args, local_day};
use crate::platform::{minutes_east, now};
use crate::screens::person_picker::PersonPicker;
use leptos::prelude::*;
use tandem_model::shell::args::{MergePeople, UnmergePerson};
use tandem_model::shell::Command;
use tandem_model::{PersonBrief, PersonId, PersonSummary};

/// The records merged into this one, each with who merged it and an undo.
#[component]
pub fn MergedRecords(
    brief: PersonBrief,
    error: RwSignal<Option<String>>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let unmerge = move |other: PersonId| {
        ctx.run(
            Command::UnmergePerson,
            UnmergePerson { other },
            error,
            move |()| {
                ctx.notify("person-unmerged");
                on_change();
            },
        );
    };
    let lang = ctx.lang.get_untracked();
    let today = local_day(now(), minutes_east());
    let rows = brief
        .merged
        .iter()
        .map(|m| {
            let mut args =
                m.at.map(|at| day_args(local_day(at, minutes_east()), today, lang))
                    .unwrap_or_default();
            let by = m.by.as_ref().map(|id| brief.member_name(id));
            args.push(("by", by.unwrap_or_else(|| "?".to_owned())));
            let noted = m.at.is_some().then(|| ctx.tra("merged-by", &args));
            let label = format!("merged-{}", m.id);
            let id = m.id.clone();
            view! {
                <li class="item" data-testid="merged-record">
                    <span class="item-main" id=label.clone()>
                        <strong>{m.name.clone()}</strong>
                        <span class="meta">{noted}</span>
                    </span>
                    <button class="small secondary" data-testid="unmerge" aria-describedby=label
                        on:click=move |_| unmerge(id.clone())>
                        {ctx.t("unmerge")}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <div hidden=brief.merged.is_empty() data-testid="merged-records">
            <h2>{ctx.t("merged-title")}</h2>
            <p class="hint">{ctx.t("merged-hint")}</p>
            <ul class="list">{rows}</ul>
        </div>
    }
}

/// "Same person as another record?": choose it, confirm, and it is merged into this one.
#[component]
pub fn MergeWith(
    brief: PersonBrief,
    error: RwSignal<Option<String>>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let open = RwSignal::new(false);
    let chosen = RwSignal::new(None::<PersonSummary>);
    let keep = StoredValue::new(brief.id.clone());
    let keep_name = brief.name.clone();
    let merge = move |_| {
        let Some(other) = chosen.get_untracked() else {
            return;
        };
        let args = MergePeople {
            keep: keep.get_value(),
            other: other.id,
        };
        ctx.run(Command::MergePeople, args, error, move |()| {
            open.set(false);
            chosen.set(None);
            ctx.notify("person-merged");
            on_change();
        });
    };
    let close = move || {
        chosen.set(None);
        open.set(false);
    };
    let question = move || {
        chosen.get().map(|o| {
            ctx.tra(
                "merge-question",
                &[("other", o.name), ("keep", keep_name.clone())],
            )
        })
    };
    view! {
        <h2>{ctx.t("merge-title")}</h2>
        <button class="secondary" data-testid="merge-start" hidden=move || open.get()
            on:click=move |_| open.set(true)>
            {ctx.t("merge-start")}
        </button>
        <Show when=move || open.get() && chosen.get().is_none()>
            <PersonPicker id="merge-with" label="merge-who" exclude=Some(keep.get_value())
                on_pick=move |p| chosen.set(Some(p)) />
            <button class="small secondary" data-testid="merge-cancel"
                on:click=move |_| open.set(false)>
                {ctx.t("merge-cancel")}
            </button>
        </Show>
        <div role="alertdialog" aria-labelledby="merge-question" data-testid="merge-dialog"
            hidden=move || chosen.get().is_none()>
            <p id="merge-question" data-testid="merge-question">{question}</p>
            <button class="primary" data-testid="merge-confirm" on:click=merge>
                {ctx.t("merge-confirm")}
            </button>
            <button class="secondary" data-testid="merge-dialog-cancel"
                on:click=move |_| close()>
                {ctx.t("merge-cancel")}
            </button>
        </div>
    }
}
