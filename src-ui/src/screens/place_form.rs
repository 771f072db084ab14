//! The form of a place, to add one to the team's list or to change one: name (needed), kind,
//! address, phone, hours and notes. A change sends only the fields that differ, so it cannot
//! conflict with another device's change of another field.

use crate::ctx::ctx;
use leptos::prelude::*;
use tandem_model::shell::args::{AddPlace, EditPlace};
use tandem_model::shell::Command;
use tandem_model::{place_kind_label, NewPlace, Place, PlaceId, PlaceUpdate, PLACE_KINDS};

/// What the inputs hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Fields {
    name: String,
    kind: String,
    address: String,
    phone: String,
    hours: String,
    notes: String,
}

impl Fields {
    fn of(p: &Place) -> Self {
        Self {
            name: p.name.clone(),
            kind: p.kind.clone().unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            hours: p.hours.clone().unwrap_or_default(),
            notes: p.notes.clone(),
        }
    }

    fn new_place(&self) -> NewPlace {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        NewPlace {
            name: self.name.trim().to_owned(),
            kind: opt(&self.kind),
            address: opt(&self.address),
            phone: opt(&self.phone),
            hours: opt(&self.hours),
            notes: self.notes.trim().to_owned(),
        }
    }

    /// Only what differs from `before` (an emptied field is sent empty: it clears).
    fn update_from(&self, before: &Fields) -> PlaceUpdate {
        let changed =
            |now: &str, was: &str| (now.trim() != was.trim()).then(|| now.trim().to_owned());
        PlaceUpdate {
            name: changed(&self.name, &before.name),
            kind: changed(&self.kind, &before.kind),
            address: changed(&self.address, &before.address),
            phone: changed(&self.phone, &before.phone),
            hours: changed(&self.hours, &before.hours),
            notes: changed(&self.notes, &before.notes),
        }
    }
}

/// The form. `place` is the one changed, `None` to add one; `done` runs once it is saved,
/// `cancel` (when given) shows a Cancel button.
#[component]
pub fn PlaceForm(
    place: Option<Place>,
    error: RwSignal<Option<String>>,
    done: Callback<()>,
    #[prop(optional)] cancel: Option<Callback<()>>,
) -> impl IntoView {
    let ctx = ctx();
    let before = place.as_ref().map(Fields::of).unwrap_or_default();
    let id: Option<PlaceId> = place.as_ref().map(|p| p.id.clone());
    // Element ids: one form to add, one per place being changed.
    let prefix = match &id {
        Some(id) => format!("place-edit-{id}"),
        None => "place-new".to_owned(),
    };
    let fields = RwSignal::new(before.clone());
    let name_missing = RwSignal::new(false);
    let (before, id) = (StoredValue::new(before), StoredValue::new(id));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = fields.get_untracked();
        if f.name.trim().is_empty() {
            name_missing.set(true);
            return;
        }
        name_missing.set(false);
        let saved = move || {
            error.set(None);
            done.run(());
        };
        match id.get_value() {
            None => {
                let args = AddPlace {
                    place: f.new_place(),
                };
                ctx.run(Command::AddPlace, args, error, move |_: PlaceId| {
                    fields.set(Fields::default());
                    ctx.notify("place-added");
                    saved();
                });
            }
            Some(place) => {
                let args = EditPlace {
                    place,
                    update: f.update_from(&before.get_value()),
                };
                ctx.run(Command::EditPlace, args, error, move |()| {
                    ctx.notify("place-saved");
                    saved();
                });
            }
        }
    };

    let prefix = StoredValue::new(prefix);
    let field_id = move |name: &str| format!("{}-{name}", prefix.get_value());
    let field = move |name: &'static str,
                      key: &'static str,
                      kind: &'static str,
                      get: fn(&Fields) -> String,
                      set: fn(&mut Fields, String)| {
        let fid = field_id(name);
        let for_id = fid.clone();
        view! {
            <label for=for_id>{move || ctx.t(key)}</label>
            <input id=fid data-testid=format!("place-{name}-input") type=kind
                autocomplete="off"
                prop:value=move || fields.with(get)
                on:input=move |ev| fields.update(|f| set(f, event_target_value(&ev))) />
        }
    };
    let name_id = field_id("name");
    let name_error = format!("{name_id}-error");
    let kind_id = field_id("kind");
    let notes_id = field_id("notes");
    let kinds = move || {
        let lang = ctx.lang.get();
        let chosen = fields.with(|f| f.kind.clone());
        let mut codes: Vec<String> = PLACE_KINDS.iter().map(|k| (*k).to_owned()).collect();
        if !chosen.is_empty() && !codes.contains(&chosen) {
            codes.push(chosen.clone());
        }
        codes
            .into_iter()
            .map(|code| {
                let label = place_kind_label(&code, lang);
                let selected = code == chosen;
                view! { <option value=code selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let adding = id.get_value().is_none();
    let form_testid = if adding {
        "place-add-form"
    } else {
        "place-edit-form"
    };

    view! {
        <form class="card place-form" data-testid=form_testid on:submit=submit>
            <label for=name_id.clone()>{move || ctx.t("place-name")}</label>
            <input id=name_id data-testid="place-name-input" aria-required="true"
                aria-describedby=name_error.clone()
                aria-invalid=move || name_missing.get().to_string()
                prop:value=move || fields.with(|f| f.name.clone())
                on:input=move |ev| fields.update(|f| f.name = event_target_value(&ev)) />
            <p class="field-error" id=name_error role="alert">
                {move || name_missing.get().then(|| ctx.t("place-name-needed"))}
            </p>
            <label for=kind_id.clone()>{move || ctx.t("place-kind")}</label>
            <select id=kind_id data-testid="place-kind-input"
                prop:value=move || fields.with(|f| f.kind.clone())
                on:change=move |ev| fields.update(|f| f.kind = event_target_value(&ev))>
                <option value="">{move || ctx.t("place-kind-none")}</option>
                {kinds}
            </select>
            {field("address", "place-address", "text", |f| f.address.clone(), |f, v| f.address = v)}
            {field("phone", "place-phone", "tel", |f| f.phone.clone(), |f, v| f.phone = v)}
            {field("hours", "place-hours", "text", |f| f.hours.clone(), |f, v| f.hours = v)}
            <label for=notes_id.clone()>{move || ctx.t("place-notes")}</label>
            <textarea id=notes_id data-testid="place-notes-input" rows="3" maxlength="2000"
                prop:value=move || fields.with(|f| f.notes.clone())
                on:input=move |ev| fields.update(|f| f.notes = event_target_value(&ev))></textarea>
            <div class="row">
                <button type="submit" class="primary" data-testid="place-save">
                    {move || ctx.t(if adding { "place-add" } else { "save" })}
                </button>
                {cancel.map(|c| view! {
                    <button type="button" class="secondary" data-testid="place-cancel"
                        on:click=move |_| c.run(())>
                        {move || ctx.t("place-cancel")}
                    </button>
                })}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_sends_only_the_fields_that_differ() {
        let before = Fields {
            name: "Refuge".into(),
            phone: "514 555-0199".into(),
            notes: "No pets".into(),
            ..Fields::default()
        };
        let now = Fields {
            phone: "514 555-0100".into(),
            notes: String::new(),
            ..before.clone()
        };
        let u = now.update_from(&before);
        assert_eq!(u.phone.as_deref(), Some("514 555-0100"));
        assert_eq!(u.notes.as_deref(), Some(""), "an emptied field clears");
        assert_eq!(
            (u.name, u.address, u.kind, u.hours),
            (None, None, None, None)
        );
    }
}
