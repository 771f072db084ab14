//! Referrals to the team's places: the picker of the encounter form (search the team's list,
//! accents ignored, pick one or more; other referrals still typed in words), and on the brief
//! what came of each referral of an encounter (done, didn't happen, not known), with who
//! noted it and when.

use crate::ctx::{ctx, Ctx};
use crate::logic::draft::{EncounterDraft, PickedPlace};
use crate::logic::format::{day_args, local_day};
use crate::platform::{minutes_east, now};
use crate::widgets::LiveSearch;
use leptos::prelude::*;
use tandem_model::shell::answers::PlaceList;
use tandem_model::shell::args::SetReferralOutcome;
use tandem_model::shell::Command;
use tandem_model::{place_kind_label, Encounter, MemberId, Outcome, Place};

/// The referrals of the encounter form: places picked from the team's list, and words.
#[component]
pub fn ReferralPicker(draft: RwSignal<EncounterDraft>) -> impl IntoView {
    let ctx = ctx();
    let live = LiveSearch::<Place>::new();
    let (query, results) = (live.query, live.results);
    let search = move |text: String| {
        live.typed(Command::SearchPlaces, text, |found: PlaceList| found.places);
    };
    let pick = move |p: PickedPlace| {
        draft.update(|d| {
            if !d.referred_to.iter().any(|x| x.id == p.id) {
                d.referred_to.push(p);
            }
        });
        live.clear();
    };
    let unpick =
        move |id: tandem_model::PlaceId| draft.update(|d| d.referred_to.retain(|p| p.id != id));
    let picked = Memo::new(move |_| draft.with(|d| d.referred_to.clone()));
    let no_match = move || !query.get().trim().is_empty() && results.get().is_empty();

    view! {
        <fieldset data-testid="referral-picker">
            <legend>{move || ctx.t("referrals")}</legend>
            <ul class="chips" data-testid="referral-picked" aria-label=move || ctx.t("referral-picked")>
                <For each=move || picked.get() key=|p| p.id.clone() let:p>
                    {
                        let id = p.id.clone();
                        let name = p.name.clone();
                        view! {
                            <li class="chip" data-testid="referral-chip">
                                <span>{p.name.clone()}</span>
                                <button type="button" class="small" data-testid="referral-unpick"
                                    aria-label=move || ctx.tra("referral-unpick", &[("name", name.clone())])
                                    on:click=move |_| unpick(id.clone())>
                                    "×"
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <label for="referral-place-search">{move || ctx.t("referral-place-search")}</label>
            <input id="referral-place-search" data-testid="referral-place-search" type="search"
                autocomplete="off" aria-controls="referral-place-results"
                prop:value=move || query.get()
                on:input=move |ev| search(event_target_value(&ev)) />
            <ul id="referral-place-results" class="list" data-testid="referral-place-results">
                <For each=move || results.get() key=|p| p.id.clone() let:p>
                    {
                        let chosen = PickedPlace { id: p.id.clone(), name: p.name.clone() };
                        let kind = p.kind.clone();
                        let address = p.address.clone();
                        let meta = move || {
                            let lang = ctx.lang.get();
                            [kind.as_deref().map(|k| place_kind_label(k, lang)), address.clone()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" · ")
                        };
                        view! {
                            <li>
                                <button type="button" class="item-main" data-testid="referral-place-result"
                                    on:click=move |_| pick(chosen.clone())>
                                    <strong>{p.name.clone()}</strong>
                                    <span class="meta">{meta}</span>
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <p class="hint" data-testid="referral-no-place" hidden=move || !no_match()>
                {move || ctx.t("referral-no-place")}
            </p>
            <label for="encounter-referrals">{move || ctx.t("referrals-other")}</label>
            <input id="encounter-referrals" data-testid="encounter-referrals"
                prop:value=move || draft.with(|d| d.referrals.clone())
                on:input=move |ev| draft.update(|d| d.referrals = event_target_value(&ev)) />
        </fieldset>
    }
}

fn name_in(names: &[(MemberId, String)], id: &MemberId) -> String {
    names
        .iter()
        .find(|(m, _)| m == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| id.as_str().chars().take(8).collect())
}

/// What a referral came to, in words: "Done — noted by Sam today", "Not known yet".
fn outcome_words(
    ctx: Ctx,
    outcome: Option<&tandem_model::Noted<Outcome>>,
    names: &[(MemberId, String)],
) -> String {
    let Some(o) = outcome else {
        return ctx.t("referral-unknown-yet");
    };
    let lang = ctx.lang.get();
    let today = local_day(now(), minutes_east());
    let mut args = day_args(local_day(o.at, minutes_east()), today, lang);
    let who =
        o.by.as_ref()
            .map(|m| name_in(names, m))
            .unwrap_or_else(|| "?".to_owned());
    args.push(("name", who));
    let what = match o.what {
        Outcome::Done => ctx.t("referral-done"),
        Outcome::DidNotHappen => ctx.t("referral-didnt-happen"),
    };
    format!("{what} — {}", ctx.tra("noted-by", &args))
}

/// Each referral of an encounter on the brief, with what came of it and three buttons to
/// say so.
#[component]
pub fn EncounterReferrals(
    encounter: Encounter,
    names: Vec<(MemberId, String)>,
    error: RwSignal<Option<String>>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let eid = encounter.id.clone();
    let rows = encounter
        .referral_details
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let eid = eid.clone();
            let label = format!("referral-{}-{i}", eid.as_str());
            let current = r.outcome.as_ref().map(|o| o.what);
            let words = {
                let (o, names) = (r.outcome.clone(), names.clone());
                move || outcome_words(ctx, o.as_ref(), &names)
            };
            let button = move |value: Option<Outcome>, key: &'static str, testid: &'static str| {
                let encounter = eid.clone();
                view! {
                    <button type="button" class="small choice" data-testid=testid
                        aria-pressed=(current == value).to_string()
                        on:click=move |_| {
                            let args = SetReferralOutcome {
                                encounter: encounter.clone(),
                                index: i,
                                outcome: value,
                            };
                            ctx.run(Command::SetReferralOutcome, args, error, move |()| {
                                ctx.notify("referral-noted");
                                on_change();
                            });
                        }>
                        {move || ctx.t(key)}
                    </button>
                }
            };
            view! {
                <li class="referral" data-testid="brief-referral">
                    <span id=label.clone() data-testid="referral-text">
                        {move || ctx.t("referred-to")}" "<strong>{r.text.clone()}</strong>
                    </span>
                    <span class="meta" data-testid="referral-outcome">{words}</span>
                    <div class="row" role="group" aria-labelledby=label>
                        {button(Some(Outcome::Done), "referral-done", "referral-done")}
                        {button(Some(Outcome::DidNotHappen), "referral-didnt-happen", "referral-didnt-happen")}
                        {button(None, "referral-unknown", "referral-unknown")}
                    </div>
                </li>
            }
        })
        .collect_view();
    let none = encounter.referral_details.is_empty();
    view! {
        <ul class="referrals" data-testid="brief-referrals" hidden=none>{rows}</ul>
    }
}
