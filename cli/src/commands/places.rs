//! `tandem places …`: the team's list of places to refer people to.

use crate::args_team_work::{PlaceFields, PlacesCommand};
use crate::output::{table, Failure, Output};
use crate::session::Session;
use anyhow::{Context, Result};
use serde_json::json;
use std::fmt::Write;
use tandem_core::Vault;
use tandem_model::export::format_date;
use tandem_model::{place_kind_label, ErrorCode, NewPlace, Place, PlaceId, PlaceUpdate, TeamInfo};

pub fn run(command: PlacesCommand, session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    match command {
        PlacesCommand::List { removed } => {
            let places = vault.places(removed)?;
            let team = vault.team()?;
            out.show(&places, |p| list(p, &team, out))
        }
        PlacesCommand::Search { query } => {
            let places = vault.search_places(&query)?;
            let team = vault.team()?;
            out.show(&places, |p| list(p, &team, out))
        }
        PlacesCommand::Show { place } => {
            let id = find(&mut vault, &place)?;
            let p = vault.place(&id)?;
            let team = vault.team()?;
            out.show(&p, |p| show(p, &team, out))
        }
        PlacesCommand::Add(f) => {
            let Some(name) = f.name.clone() else {
                return Err(Failure::new(ErrorCode::InvalidInput, "a place needs --name").into());
            };
            let new = NewPlace {
                name,
                kind: f.kind,
                address: f.address,
                phone: f.phone,
                hours: f.hours,
                notes: f.notes.unwrap_or_default(),
            };
            out.made(vault.add_place(&new)?.as_str())
        }
        PlacesCommand::Edit { place, fields } => {
            let id = find(&mut vault, &place)?;
            vault.edit_place(&id, &update(fields))?;
            out.done(json!({ "id": id }), || out.t("place-updated"))
        }
        PlacesCommand::Check { place } => {
            let id = find(&mut vault, &place)?;
            vault.check_place(&id)?;
            out.done(json!({ "id": id }), || out.t("place-checked"))
        }
        PlacesCommand::Remove { place } => {
            let id = find(&mut vault, &place)?;
            vault.remove_place(&id)?;
            out.done(json!({ "id": id }), || out.t("place-removed"))
        }
        PlacesCommand::Choose {
            place,
            field,
            number,
        } => {
            let id = find(&mut vault, &place)?;
            let choice = number.checked_sub(1).ok_or_else(|| {
                Failure::new(ErrorCode::InvalidInput, "values are numbered from 1")
            })?;
            vault.resolve_place_conflict(&id, &field, choice)?;
            out.done(json!({ "id": id, "field": field }), || {
                out.t("place-conflict-settled")
            })
        }
    }
}

fn find(vault: &mut Vault, place: &str) -> Result<PlaceId> {
    vault
        .find_place(place)
        .with_context(|| format!("finding the place \"{place}\""))
}

fn update(f: PlaceFields) -> PlaceUpdate {
    PlaceUpdate {
        name: f.name,
        kind: f.kind,
        address: f.address,
        phone: f.phone,
        hours: f.hours,
        notes: f.notes,
    }
}

fn member_name(team: &TeamInfo, id: Option<&tandem_model::MemberId>) -> String {
    id.and_then(|id| team.members.iter().find(|m| &m.id == id))
        .map(|m| m.name.clone())
        .unwrap_or_else(|| "?".into())
}

fn checked(p: &Place, team: &TeamInfo, out: &Output) -> String {
    match p.checked_at {
        Some(t) => out.t_args(
            "place-checked-on",
            &[
                ("date", format_date(t.date_naive(), out.lang).into()),
                ("member", member_name(team, p.checked_by.as_ref()).into()),
            ],
        ),
        None => out.t("place-never-checked"),
    }
}

fn list(places: &[Place], team: &TeamInfo, out: &Output) -> String {
    if places.is_empty() {
        return format!("{}\n", out.t("places-none"));
    }
    let mut rows = vec![vec![
        "ID".to_owned(),
        out.t("place-column-name"),
        out.t("place-column-kind"),
        out.t("place-column-phone"),
        out.t("place-column-checked"),
    ]];
    for p in places {
        let mut name = p.name.clone();
        if !p.conflicts.is_empty() {
            name.push_str(" ⚠");
        }
        if p.removed_at.is_some() {
            let _ = write!(name, " ({})", out.t("place-off-the-list"));
        }
        rows.push(vec![
            p.id.as_str().get(..8).unwrap_or(p.id.as_str()).to_owned(),
            name,
            p.kind
                .as_deref()
                .map(|k| place_kind_label(k, out.lang))
                .unwrap_or_default(),
            p.phone.clone().unwrap_or_default(),
            checked(p, team, out),
        ]);
    }
    table(&rows)
}

fn show(p: &Place, team: &TeamInfo, out: &Output) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}  ({})", p.name, p.id);
    if let Some(k) = &p.kind {
        let _ = writeln!(s, "  {}", place_kind_label(k, out.lang));
    }
    for (label, value) in [
        (out.t("place-column-address"), &p.address),
        (out.t("place-column-phone"), &p.phone),
        (out.t("place-column-hours"), &p.hours),
    ] {
        if let Some(v) = value {
            let _ = writeln!(s, "  {label}: {v}");
        }
    }
    if !p.notes.is_empty() {
        let _ = writeln!(s, "  {}: {}", out.t("place-column-notes"), p.notes);
    }
    let _ = writeln!(s, "  {}", checked(p, team, out));
    if p.removed_at.is_some() {
        let _ = writeln!(s, "  {}", out.t("place-off-the-list"));
    }
    for c in &p.conflicts {
        let _ = writeln!(
            s,
            "  ⚠ {}",
            out.t_args("place-conflict", &[("field", c.field().to_owned().into())])
        );
        for (i, v) in c.values.iter().enumerate() {
            let _ = writeln!(s, "    {}. {v}", i + 1);
        }
    }
    s
}
