//! Team & sync: members and devices, an invite for a new device (code and QR), revoking a
//! device (admins), sync now, the last sync and what it brought.

use crate::ctx::ctx;
use crate::logic::format::clock;
use crate::logic::sync_badge::SyncView;
use crate::platform::minutes_east;
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, SyncBadge};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::answers::{DeviceInfo, DeviceRole, Invite, TeamOverview};
use tandem_model::shell::args::{CreateInvite, CreateTeam, NoArgs, RevokeDevice};
use tandem_model::shell::Command;
use tandem_model::MemberRole;

/// The Team & sync screen.
#[component]
pub fn TeamScreen() -> impl IntoView {
    let ctx = ctx();
    let overview = RwSignal::new(None::<TeamOverview<SyncView>>);
    let devices = RwSignal::new(None::<Vec<DeviceInfo>>);
    let invite = RwSignal::new(None::<Invite>);
    let hours = RwSignal::new("24".to_owned());
    let relay = RwSignal::new(String::new());
    let relay_token = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = ctx.load(Command::TeamOverview, NoArgs {}, overview, error);

    let sync_now = move |_| ctx.run(Command::SyncNow, NoArgs {}, error, |()| ());
    let show_devices = move |_| {
        busy.set(true);
        spawn_local(async move {
            let r = invoke::<Vec<DeviceInfo>>(Command::ListDevices, &NoArgs {}).await;
            if let Some(d) = ctx.answer(r, error) {
                devices.set(Some(d));
            }
            busy.set(false);
        });
    };
    let make_invite = move |_| {
        let h = hours.get_untracked().parse().unwrap_or(24);
        busy.set(true);
        spawn_local(async move {
            let r = invoke::<Invite>(Command::CreateInvite, &CreateInvite { hours: h }).await;
            if let Some(i) = ctx.answer(r, error) {
                invite.set(Some(i));
            }
            busy.set(false);
        });
    };
    let revoke = move |device: String| {
        spawn_local(async move {
            let r = invoke::<()>(Command::RevokeDevice, &RevokeDevice { device }).await;
            if ctx.answer(r, error).is_some() {
                ctx.notify("device-revoked");
                if let Ok(d) = invoke::<Vec<DeviceInfo>>(Command::ListDevices, &NoArgs {}).await {
                    devices.set(Some(d));
                }
            }
        });
    };
    let put_on_relay = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(o) = overview.get_untracked() else {
            return;
        };
        let url = relay.get_untracked();
        if url.trim().is_empty() {
            error.set(Some(ctx.t("invalid-relay-and-team")));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = invoke::<()>(
                Command::CreateTeam,
                &CreateTeam {
                    relay_url: url,
                    team_name: o.team.name,
                    relay_token: crate::logic::format::optional_text(relay_token.get_untracked()),
                },
            )
            .await;
            busy.set(false);
            if ctx.answer(r, error).is_some() {
                error.set(None);
                ctx.notify("team-on-relay");
                load();
            }
        });
    };

    let members = move || {
        overview.get().map(|o| {
            o.team.members.into_iter().map(|m| {
                let me = m.id == o.team.me;
                let role = match m.role {
                    MemberRole::Admin => "role-admin",
                    MemberRole::Member => "role-member",
                };
                view! {
                    <li data-testid="member">
                        <strong>{m.name.clone()}</strong> " — " {ctx.t(role)}
                        {me.then(|| format!(" ({})", ctx.t("you")))}
                        " · "<span class="meta">{ctx.tra("devices-count", &[("n", m.devices.len().to_string())])}</span>
                    </li>
                }
            }).collect_view()
        })
    };
    let device_rows = move || {
        let o = overview.get();
        let this = o
            .as_ref()
            .map(|o| o.team.device.clone())
            .unwrap_or_default();
        let admin = o.map(|o| o.is_admin).unwrap_or(false);
        devices.get().map(|list| {
            list.into_iter().map(|d| {
                let id = d.device.clone();
                let short: String = d.device.chars().take(8).collect();
                let mine = d.device == this;
                let revoked = d.revoked_at_ms.is_some();
                let can_revoke = admin && !mine && !revoked;
                view! {
                    <li class="item" data-testid="device">
                        <span class="item-main">
                            <code>{short}</code> " "
                            {(d.role == DeviceRole::Admin).then(|| ctx.t("role-admin"))}
                            {mine.then(|| format!(" ({})", ctx.t("this-device")))}
                            {revoked.then(|| format!(" — {}", ctx.t("revoked")))}
                        </span>
                        <button class="small danger" data-testid="device-revoke" hidden=!can_revoke
                            on:click=move |_| revoke(id.clone())>
                            {ctx.t("revoke")}
                        </button>
                    </li>
                }
            }).collect_view()
        })
    };
    let last_sync = move || {
        ctx.sync.get().and_then(|s| {
            let at = s
                .last_synced_at
                .map(|t| ctx.tra("sync-synced-at", &[("time", clock(t, minutes_east()))]));
            let report = s.last_report.map(|r| {
                ctx.tra(
                    "sync-report",
                    &[
                        ("pushed", r.pushed.to_string()),
                        ("pulled", r.pulled.to_string()),
                        ("records", r.documents_updated.to_string()),
                    ],
                )
            });
            at.map(|a| format!("{a}. {}", report.unwrap_or_default()))
        })
    };
    // Only an admin can do something about a member whose changes nobody can read.
    let set_aside = move || {
        overview
            .get()
            .filter(|o| o.is_admin && o.set_aside > 0)
            .map(|o| ctx.tra("sync-set-aside", &[("n", o.set_aside.to_string())]))
    };
    // What a member wrote into the team document about roles or keys: ignored, for an admin
    // to see.
    let claims = move || {
        overview
            .get()
            .filter(|o| o.is_admin && o.team_doc_claims > 0)
            .map(|o| ctx.tra("team-doc-claims", &[("n", o.team_doc_claims.to_string())]))
    };
    let on_relay = move || {
        overview
            .get()
            .map(|o| o.relay_url.is_some())
            .unwrap_or(false)
    };

    view! {
        <section data-testid="team-screen" aria-labelledby="team-title">
            <h1 id="team-title">{move || ctx.t("team-title")}</h1>
            <p data-testid="team-name"><strong>{move || overview.get().map(|o| o.team.name)}</strong></p>
            // The same on every device of the team: read aloud between people, it shows that
            // no one else wrote the record this device holds.
            {move || overview.get().and_then(|o| o.team.record_fingerprint).map(|f| view! {
                <p class="meta" data-testid="record-fingerprint">
                    {move || ctx.t("record-fingerprint")}" "<span class="fingerprint">{f}</span>
                </p>
            })}
            <ErrorLine text=error testid="team-error" />
            <div class="card">
                <h2>{move || ctx.t("sync-title")}</h2>
                <SyncBadge />
                <p data-testid="relay-url" class="meta">{move || overview.get().and_then(|o| o.relay_url)}</p>
                <p data-testid="last-sync">{last_sync}</p>
                <p data-testid="set-aside" role="status" class="warning" hidden=move || set_aside().is_none()>
                    {set_aside}
                </p>
                <p data-testid="team-doc-claims" role="status" class="warning" hidden=move || claims().is_none()>
                    {claims}
                </p>
                <button class="primary" data-testid="sync-now" hidden=move || !on_relay() on:click=sync_now>
                    {move || ctx.t("sync-now")}
                </button>
                <form hidden=on_relay on:submit=put_on_relay data-testid="team-relay-form">
                    <p class="hint">{move || ctx.t("team-local-explain")}</p>
                    <label for="team-relay-url">{move || ctx.t("relay-url")}</label>
                    <input id="team-relay-url" data-testid="team-relay-url" type="url" inputmode="url"
                        placeholder="https://relay.example.org"
                        prop:value=move || relay.get() on:input=move |ev| relay.set(event_target_value(&ev)) />
                    <label for="team-relay-token">{move || ctx.t("relay-token")}</label>
                    <input id="team-relay-token" data-testid="team-relay-token" type="password"
                        autocomplete="off" spellcheck="false" aria-describedby="team-relay-token-hint"
                        prop:value=move || relay_token.get()
                        on:input=move |ev| relay_token.set(event_target_value(&ev)) />
                    <p class="hint" id="team-relay-token-hint">{move || ctx.t("relay-token-hint")}</p>
                    <button type="submit" class="primary" data-testid="team-relay-submit" disabled=move || busy.get()>
                        {move || ctx.t("team-create-submit")}
                    </button>
                </form>
            </div>
            <h2>{move || ctx.t("members")}</h2>
            <ul class="list" data-testid="members">{members}</ul>
            <div class="row">
                <button class="secondary" data-testid="open-cover" on:click=move |_| ctx.go(crate::ctx::Screen::Cover)>
                    {move || ctx.t("cover-open")}
                </button>
                <button class="secondary" data-testid="open-places" on:click=move |_| ctx.go(crate::ctx::Screen::Places)>
                    {move || ctx.t("places-open")}
                </button>
                <button class="secondary" data-testid="open-debriefs" on:click=move |_| ctx.go(crate::ctx::Screen::Debriefs)>
                    {move || ctx.t("debriefs-open")}
                </button>
            </div>
            <div hidden=move || !on_relay()>
                <h2>{move || ctx.t("devices")}</h2>
                <button class="secondary" data-testid="devices-show" on:click=show_devices disabled=move || busy.get()>
                    {move || ctx.t("devices-show")}
                </button>
                <ul class="list" data-testid="devices">{device_rows}</ul>
                <h2>{move || ctx.t("invite-title")}</h2>
                <p class="hint">{move || ctx.t("invite-hint")}</p>
                <label for="invite-hours">{move || ctx.t("invite-valid-for")}</label>
                <select id="invite-hours" data-testid="invite-hours"
                    prop:value=move || hours.get() on:change=move |ev| hours.set(event_target_value(&ev))>
                    <option value="1">{move || ctx.tra("hours", &[("n", "1".to_owned())])}</option>
                    <option value="24" selected>{move || ctx.tra("hours", &[("n", "24".to_owned())])}</option>
                    <option value="168">{move || ctx.tra("hours", &[("n", "168".to_owned())])}</option>
                </select>
                <button class="primary" data-testid="invite-create" on:click=make_invite disabled=move || busy.get()>
                    {move || ctx.t("invite-create")}
                </button>
                {move || invite.get().map(|i| view! {
                    <div class="invite" data-testid="invite">
                        <p>{ctx.t("invite-code")}</p>
                        <output class="code" data-testid="invite-code">{i.code.clone()}</output>
                        <div class="qr" data-testid="invite-qr" role="img" aria-label=ctx.t("invite-qr") inner_html=i.qr_svg.clone()></div>
                    </div>
                })}
            </div>
            <crate::screens::options::TeamOptions />
        </section>
    }
}
