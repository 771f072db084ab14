//! Editing how a person is known and reached: the name they choose, other names, pronouns,
//! languages, how to reach them, things to remember. Only what changed is sent, so an edit
//! made at the same time on another device to another field is kept.

use crate::ctx::{ctx, Screen};
use crate::logic::format::split_list;
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use tandem_model::shell::args::{OfPerson, UpdateProfile};
use tandem_model::shell::Command;
use tandem_model::{PersonId, PersonRecord, Profile, ProfileUpdate};

/// The form's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileForm {
    /// The name they choose.
    pub name: String,
    /// Other names, separated by commas.
    pub nicknames: String,
    /// Pronouns.
    pub pronouns: String,
    /// Languages, separated by commas.
    pub languages: String,
    /// How to reach them.
    pub contact: String,
    /// Things to remember.
    pub remember: String,
}

impl ProfileForm {
    /// The form filled from a profile.
    pub fn from_profile(p: &Profile) -> Self {
        Self {
            name: p.name.clone(),
            nicknames: p.nicknames.join(", "),
            pronouns: p.pronouns.clone().unwrap_or_default(),
            languages: p.languages.join(", "),
            contact: p.contact.clone(),
            remember: p.remember.clone(),
        }
    }

    /// What changed from `p`; `None` if the name was emptied (a person keeps a name).
    pub fn update_from(&self, p: &Profile) -> Option<ProfileUpdate> {
        let name = self.name.trim();
        if name.is_empty() {
            return None;
        }
        // Compared as the form shows them: a stored name holding a comma reads back as two
        // in the form, and is not a change unless the peer edits the field.
        let nicknames = split_list(&self.nicknames);
        let languages = split_list(&self.languages);
        let shown = Self::from_profile(p);
        let pronouns = self.pronouns.trim();
        Some(ProfileUpdate {
            name: (name != p.name).then(|| name.to_owned()),
            nicknames: (nicknames != split_list(&shown.nicknames)).then_some(nicknames),
            pronouns: (pronouns != p.pronouns.as_deref().unwrap_or(""))
                .then(|| pronouns.to_owned()),
            languages: (languages != split_list(&shown.languages)).then_some(languages),
            contact: (self.contact.trim() != p.contact.trim()).then(|| self.contact.clone()),
            remember: (self.remember.trim() != p.remember.trim()).then(|| self.remember.clone()),
        })
    }
}

/// The profile form of one person.
#[component]
pub fn ProfileScreen(id: PersonId) -> impl IntoView {
    let ctx = ctx();
    let person = StoredValue::new(id);
    let loaded = RwSignal::new(None::<Profile>);
    let form = RwSignal::new(ProfileForm::default());
    let error = RwSignal::new(None::<String>);

    // Loaded once: what is being typed is never replaced by a sync.
    let of = OfPerson {
        person: person.get_value(),
    };
    ctx.run(Command::PersonRecord, of, error, move |r: PersonRecord| {
        form.set(ProfileForm::from_profile(&r.profile));
        loaded.set(Some(r.profile));
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(p) = loaded.get_untracked() else {
            return;
        };
        let Some(update) = form.get_untracked().update_from(&p) else {
            error.set(Some(ctx.t("invalid-person-name")));
            return;
        };
        let person = person.get_value();
        if update.is_empty() {
            ctx.go(Screen::Brief(person));
            return;
        }
        let to = person.clone();
        ctx.run(
            Command::UpdateProfile,
            UpdateProfile { person, update },
            error,
            move |()| {
                ctx.notify("profile-saved");
                ctx.go(Screen::Brief(to));
            },
        );
    };

    // One labelled input per field, bound to the form.
    let field = move |id: &'static str,
                      label: &'static str,
                      get: fn(&ProfileForm) -> &String,
                      set: fn(&mut ProfileForm) -> &mut String,
                      multiline: bool| {
        let value = move || form.with(|f| get(f).clone());
        let input = move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            form.update(|f| *set(f) = v);
        };
        let control = if multiline {
            view! {
                <textarea id=id data-testid=id rows="3" prop:value=value on:input=input></textarea>
            }
            .into_any()
        } else {
            view! { <input id=id data-testid=id prop:value=value on:input=input /> }.into_any()
        };
        view! {
            <label for=id>{move || ctx.t(label)}</label>
            {control}
        }
    };

    view! {
        <section data-testid="profile-screen" aria-labelledby="profile-title">
            <button class="link" data-testid="back"
                on:click=move |_| ctx.go(Screen::Brief(person.get_value()))>
                {move || ctx.t("back")}
            </button>
            <h1 id="profile-title">{move || ctx.t("profile-title")}</h1>
            <ErrorLine text=error testid="profile-error" />
            <form on:submit=save data-testid="profile-form">
                {field("profile-name", "person-name", |f| &f.name, |f| &mut f.name, false)}
                {field("profile-nicknames", "person-nicknames", |f| &f.nicknames, |f| &mut f.nicknames, false)}
                {field("profile-pronouns", "pronouns", |f| &f.pronouns, |f| &mut f.pronouns, false)}
                {field("profile-languages", "languages", |f| &f.languages, |f| &mut f.languages, false)}
                {field("profile-contact", "contact", |f| &f.contact, |f| &mut f.contact, true)}
                {field("profile-remember", "remember", |f| &f.remember, |f| &mut f.remember, true)}
                <button type="submit" class="primary" data-testid="profile-save">
                    {move || ctx.t("save")}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            name: "Hélène Tremblay".into(),
            nicknames: vec!["Lena".into()],
            pronouns: Some("elle".into()),
            languages: vec!["fr".into(), "en".into()],
            contact: "Refuge Saint-Denis, mornings".into(),
            remember: "Meet at the park".into(),
        }
    }

    #[test]
    fn an_untouched_form_changes_nothing() {
        let p = profile();
        let f = ProfileForm::from_profile(&p);
        assert_eq!(f.update_from(&p).map(|u| u.is_empty()), Some(true));
        // Spaces around what was there are not a change either.
        let mut g = f.clone();
        g.name = " Hélène Tremblay ".into();
        g.nicknames = "Lena ,".into();
        assert_eq!(g.update_from(&p).map(|u| u.is_empty()), Some(true));
    }

    #[test]
    fn only_what_changed_is_sent() {
        let p = profile();
        let mut f = ProfileForm::from_profile(&p);
        f.pronouns = String::new();
        f.languages = "fr, es".into();
        f.remember = "Meet at the park, not the clinic".into();
        let u = f.update_from(&p).unwrap_or_default();
        assert_eq!(u.name, None);
        assert_eq!(u.nicknames, None);
        assert_eq!(u.pronouns.as_deref(), Some(""));
        assert_eq!(u.languages, Some(vec!["fr".to_owned(), "es".to_owned()]));
        assert_eq!(u.contact, None);
        assert_eq!(
            u.remember.as_deref(),
            Some("Meet at the park, not the clinic")
        );
    }

    #[test]
    fn an_untouched_name_holding_a_comma_is_not_rewritten() {
        let p = Profile {
            nicknames: vec!["Tremblay, Hélène".into()],
            languages: vec!["fr; en".into()],
            ..profile()
        };
        let mut f = ProfileForm::from_profile(&p);
        f.remember = "Meet at the park, not the clinic".into();
        let u = f.update_from(&p).unwrap_or_default();
        assert_eq!(u.nicknames, None);
        assert_eq!(u.languages, None);
        assert!(u.remember.is_some());
    }

    #[test]
    fn a_person_keeps_a_name() {
        let p = profile();
        let mut f = ProfileForm::from_profile(&p);
        f.name = "  ".into();
        assert_eq!(f.update_from(&p), None);
    }
}
