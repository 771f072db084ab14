//! Hand-over and cover: members away (and back), marking a member away, what needs someone
//! (people and follow-ups, each taken with an optional note for the next peer), and the
//! team's open follow-ups with who is responsible. A list of work: it counts no one.

use crate::ctx::{ctx, Screen};
use crate::logic::format::{due_words, local_day};
use crate::platform::{minutes_east, now};
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use tandem_model::shell::answers::Cover;
use tandem_model::shell::args::{MarkAway, NoArgs, OfMember, TakeFollowUp, TakePerson};
use tandem_model::shell::Command;
use tandem_model::{AwayReason, FollowUpDue, MemberId, PersonNeed, TeamFollowUps};

fn name_in(names: &[(MemberId, String)], id: &MemberId) -> String {
    names
        .iter()
        .find(|(m, _)| m == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| id.as_str().chars().take(8).collect())
}

fn reason_key(r: AwayReason) -> &'static str {
    match r {
        AwayReason::Leave => "away-leave",
        AwayReason::Left => "away-left",
    }
}

/// The Cover screen.
#[component]
pub fn CoverScreen() -> impl IntoView {
    let ctx = ctx();
    let cover = RwSignal::new(None::<Cover>);
    let team = RwSignal::new(None::<TeamFollowUps>);
    let error = RwSignal::new(None::<String>);
    let load_cover = ctx.load(Command::Cover, NoArgs {}, cover, error);
    let load_team = ctx.load(Command::TeamFollowUps, NoArgs {}, team, error);
    let reload = move || {
        load_cover();
        load_team();
    };
    let who = RwSignal::new(String::new());
    let reason = RwSignal::new("leave".to_owned());

    let mark_away = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let member = who.get_untracked();
        if member.is_empty() {
            error.set(Some(ctx.t("away-choose")));
            return;
        }
        let args = MarkAway {
            member: MemberId(member),
            reason: AwayReason::from_code(&reason.get_untracked()).unwrap_or(AwayReason::Leave),
        };
        ctx.run(Command::MarkAway, args, error, move |()| {
            error.set(None);
            who.set(String::new());
            ctx.notify("away-marked");
            reload();
        });
    };
    let back = move |member: MemberId| {
        ctx.run(Command::MarkBack, OfMember { member }, error, move |()| {
            ctx.notify("back-marked");
            reload();
        });
    };

    let away_rows = move || {
        cover.get().map(|c| {
            c.away
                .into_iter()
                .map(|a| {
                    let m = a.member.clone();
                    let named = format!("away-{}", a.member);
                    view! {
                        <li class="item" data-testid="away-member">
                            <span class="item-main" id=named.clone()>
                                <strong>{a.name.clone()}</strong>" — "{ctx.t(reason_key(a.reason))}
                            </span>
                            <button class="small" data-testid="mark-back" aria-describedby=named
                                on:click=move |_| back(m.clone())>
                                {ctx.t("away-back")}
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let member_options = move || {
        cover.get().map(|c| {
            c.present
                .into_iter()
                .map(|m| {
                    let mine = m.id == c.me;
                    let label = if mine {
                        format!("{} ({})", m.name, ctx.t("you"))
                    } else {
                        m.name.clone()
                    };
                    view! { <option value=m.id.0.clone()>{label}</option> }
                })
                .collect_view()
        })
    };
    let needs_people = move || {
        cover.get().map(|c| {
            let names = c.names.clone();
            c.needs
                .people
                .into_iter()
                .map(|p| view! { <NeedsPerson need=p names=names.clone() error=error on_taken=reload /> })
                .collect_view()
        })
    };
    let needs_follow_ups = move || {
        cover.get().map(|c| {
            c.needs
                .follow_ups
                .into_iter()
                .map(|f| view! { <NeedsFollowUp due=f error=error on_taken=reload /> })
                .collect_view()
        })
    };
    let team_rows = move || {
        let lang = ctx.lang.get();
        let today = local_day(now(), minutes_east());
        let names = cover.get().map(|c| c.names).unwrap_or_default();
        team.get().map(|t| {
            let away: Vec<MemberId> = t.away.iter().map(|a| a.member.clone()).collect();
            t.follow_ups
                .into_iter()
                .map(|d| {
                    let f = d.follow_up;
                    let due = f.due.map(|x| due_words(x, today, lang).1);
                    let is_away = f.responsible.as_ref().is_some_and(|m| away.contains(m));
                    let by = f
                        .responsible
                        .as_ref()
                        .map(|m| ctx.tra("responsible-named", &[("name", name_in(&names, m))]));
                    let person = d.person.clone();
                    view! {
                        <li data-testid="team-followup">
                            <button class="item-main" on:click=move |_| ctx.go(Screen::Brief(person.clone()))>
                                <strong>{d.person_name.clone()}</strong>
                                <span>{f.what.clone()}</span>
                                <span class="meta">{due}</span>
                                <span class="meta" data-testid="team-followup-responsible">
                                    {by}
                                    {is_away.then(|| view! {
                                        " — "<span class="warning" data-testid="responsible-away">{ctx.t("is-away")}</span>
                                    })}
                                </span>
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let no_away = move || cover.get().is_none_or(|c| c.away.is_empty());
    let no_people = move || cover.get().is_none_or(|c| c.needs.people.is_empty());
    let no_follow_ups = move || cover.get().is_none_or(|c| c.needs.follow_ups.is_empty());
    let no_team = move || team.get().is_none_or(|t| t.follow_ups.is_empty());

    view! {
        <section data-testid="cover-screen" aria-labelledby="cover-title">
            <h1 id="cover-title">{move || ctx.t("cover-title")}</h1>
            <p class="hint">{move || ctx.t("cover-hint")}</p>
            <ErrorLine text=error testid="cover-error" />
            <h2>{move || ctx.t("away-title")}</h2>
            <ul class="list" data-testid="away-list">{away_rows}</ul>
            <p class="empty" hidden=move || !no_away()>{move || ctx.t("away-none")}</p>
            <form class="card" data-testid="away-form" on:submit=mark_away>
                <label for="away-who">{move || ctx.t("away-who")}</label>
                <select id="away-who" data-testid="away-who"
                    prop:value=move || who.get() on:change=move |ev| who.set(event_target_value(&ev))>
                    <option value="">{move || ctx.t("away-choose")}</option>
                    {member_options}
                </select>
                <label for="away-reason">{move || ctx.t("away-reason")}</label>
                <select id="away-reason" data-testid="away-reason"
                    prop:value=move || reason.get() on:change=move |ev| reason.set(event_target_value(&ev))>
                    <option value="leave">{move || ctx.t("away-leave")}</option>
                    <option value="left">{move || ctx.t("away-left")}</option>
                </select>
                <button type="submit" class="primary" data-testid="away-submit">{move || ctx.t("away-submit")}</button>
            </form>
            <h2>{move || ctx.t("needs-title")}</h2>
            <h3>{move || ctx.t("needs-people")}</h3>
            <ul class="list" data-testid="needs-people">{needs_people}</ul>
            <p class="empty" hidden=move || !no_people()>{move || ctx.t("needs-people-none")}</p>
            <h3>{move || ctx.t("needs-followups")}</h3>
            <ul class="list" data-testid="needs-followups">{needs_follow_ups}</ul>
            <p class="empty" hidden=move || !no_follow_ups()>{move || ctx.t("needs-followups-none")}</p>
            <h2>{move || ctx.t("team-followups-title")}</h2>
            <ul class="list" data-testid="team-followups">{team_rows}</ul>
            <p class="empty" hidden=move || !no_team()>{move || ctx.t("followups-none")}</p>
        </section>
    }
}

/// A note for the next peer, and the button that takes the thing over.
#[component]
fn TakeForm(
    id: String,
    testid: &'static str,
    button: &'static str,
    described_by: String,
    take: Callback<String>,
) -> impl IntoView {
    let ctx = ctx();
    let note = RwSignal::new(String::new());
    let field = format!("note-{id}");
    let field_for = field.clone();
    view! {
        <label for=field_for class="meta">{move || ctx.t("handover-note")}</label>
        <textarea id=field data-testid="handover-note" maxlength="1000" rows="2"
            prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
        <button class="secondary" data-testid=testid aria-describedby=described_by
            on:click=move |_| take.run(note.get_untracked())>
            {move || ctx.t(button)}
        </button>
    }
}

#[component]
fn NeedsPerson(
    need: PersonNeed,
    names: Vec<(MemberId, String)>,
    error: RwSignal<Option<String>>,
    on_taken: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let was: Vec<String> = need
        .accompanied_by
        .iter()
        .map(|m| name_in(&names, m))
        .collect();
    let was = if was.is_empty() {
        ctx.t("nobody")
    } else {
        was.join(", ")
    };
    let person = need.person.clone();
    let take = Callback::new(move |note: String| {
        let args = TakePerson {
            person: person.clone(),
            note,
        };
        ctx.run(Command::TakePerson, args, error, move |()| {
            ctx.notify("person-taken");
            on_taken();
        });
    });
    let named = format!("need-{}", need.person);
    view! {
        <li class="item take" data-testid="needs-person">
            <span class="item-main">
                <strong id=named.clone()>{need.name.clone()}</strong>
                <span class="meta">{ctx.tra("accompanied-was", &[("names", was)])}</span>
            </span>
            <TakeForm id=need.person.0.clone() testid="take-person" button="take-person" described_by=named take=take />
        </li>
    }
}

#[component]
fn NeedsFollowUp(
    due: FollowUpDue,
    error: RwSignal<Option<String>>,
    on_taken: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang.get_untracked();
    let today = local_day(now(), minutes_east());
    let when = due.follow_up.due.map(|d| due_words(d, today, lang).1);
    let (person, follow_up) = (due.person.clone(), due.follow_up.id.clone());
    let take = Callback::new(move |note: String| {
        let args = TakeFollowUp {
            person: person.clone(),
            follow_up: follow_up.clone(),
            note,
        };
        ctx.run(Command::TakeFollowUp, args, error, move |()| {
            ctx.notify("followup-taken");
            on_taken();
        });
    });
    let named = format!("need-{}", due.follow_up.id);
    view! {
        <li class="item take" data-testid="needs-followup">
            <span class="item-main" id=named.clone()>
                <strong>{due.person_name.clone()}</strong>
                <span>{due.follow_up.what.clone()}</span>
                <span class="meta">{when}</span>
            </span>
            <TakeForm id=due.follow_up.id.0.clone() testid="take-followup" button="take-followup" described_by=named take=take />
        </li>
    }
}
