//! Every word the app shows, in French and English, from Fluent files (`locales/*.ftl`)
//! compiled into the binary. Tests check that both languages have the same keys, that none is
//! empty, and that every key the code uses exists.

use tandem_model::words::{FluentBundle, FluentResource, FluentValue, Words};
use tandem_model::Lang;

const EN: &str = include_str!("../locales/en.ftl");
const FR: &str = include_str!("../locales/fr.ftl");

thread_local! {
    static WORDS: Words = Words::new(EN, FR);
}

fn with_bundle<T>(lang: Lang, f: impl FnOnce(&FluentBundle<FluentResource>) -> T) -> T {
    WORDS.with(|w| f(w.bundle(lang)))
}

/// The text of `key` with `args`; the key itself if missing (the tests prevent that).
pub fn t_args(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    // Numbers as numbers, so plural selectors work.
    let args: Vec<(&str, FluentValue<'_>)> = args
        .iter()
        .map(|(k, v)| match v.parse::<i64>() {
            Ok(n) => (*k, FluentValue::from(n)),
            Err(_) => (*k, FluentValue::from(v.as_str())),
        })
        .collect();
    WORDS.with(|w| w.format(lang, key, &args))
}

/// The text of `key`.
pub fn t(lang: Lang, key: &str) -> String {
    t_args(lang, key, &[])
}

/// Whether `key` exists (in English; the tests check French has the same keys).
pub fn has_key(key: &str) -> bool {
    with_bundle(Lang::En, |b| b.has_message(key))
}

/// The key of the words for an error code from the shell.
pub fn error_key(code: &str) -> &'static str {
    match code {
        "locked" => "error-locked",
        "no_vault" => "error-no-vault",
        "vault_exists" => "error-vault-exists",
        "wrong_passphrase" => "error-wrong-passphrase",
        "too_many_attempts" => "error-too-many-attempts",
        "vault_in_use" => "error-vault-in-use",
        "vault_too_new" => "error-vault-too-new",
        "vault_damaged" => "error-vault-damaged",
        "not_found" => "error-not-found",
        "ambiguous" => "error-ambiguous",
        "invalid_input" => "error-invalid-input",
        "io" => "error-io",
        "disk_full" => "error-disk-full",
        "offline" => "error-offline",
        "relay_refused" => "error-relay-refused",
        "team_creation_refused" => "error-team-creation-refused",
        "invite_invalid" => "error-invite-invalid",
        "revoked" => "error-revoked",
        "relay_went_back" => "error-relay-went-back",
        "team_record_refused" => "error-team-record-refused",
        "not_in_team" => "error-not-in-team",
        "changed_meanwhile" => "error-changed-meanwhile",
        "too_many_merged" => "error-too-many-merged",
        _ => "error-internal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Keys and values of an .ftl file (messages only; attributes are not used).
    fn entries(src: &str) -> BTreeMap<String, String> {
        let res = match FluentResource::try_new(src.to_owned()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("syntax errors: {errors:?}"),
        };
        let mut out = BTreeMap::new();
        for entry in res.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                let key = m.id.name.to_owned();
                assert!(m.value.is_some(), "{key} has no value");
                assert!(!out.contains_key(&key), "{key} twice");
                out.insert(key, String::new());
            }
        }
        out
    }

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_value() {
        let en = entries(EN);
        let fr = entries(FR);
        let only_en: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
        let only_fr: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
        for lang in [Lang::En, Lang::Fr] {
            for key in en.keys() {
                let text = t(lang, key);
                assert!(!text.trim().is_empty(), "{key} is empty in {lang:?}");
                assert!(
                    with_bundle(lang, |b| b
                        .get_message(key)
                        .and_then(|m| m.value())
                        .is_some()),
                    "{key} does not format in {lang:?}"
                );
            }
        }
    }

    /// Every `"key"` the code passes to `t`, `tr`, `t_args` or `tra` exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let sources = [
            include_str!("app.rs"),
            include_str!("widgets.rs"),
            include_str!("screens/first_run.rs"),
            include_str!("screens/unlock.rs"),
            include_str!("screens/today.rs"),
            include_str!("screens/encounter.rs"),
            include_str!("screens/people.rs"),
            include_str!("screens/brief.rs"),
            include_str!("screens/goal.rs"),
            include_str!("screens/team.rs"),
            include_str!("screens/settings.rs"),
            include_str!("screens/report.rs"),
            include_str!("screens/cover.rs"),
            include_str!("screens/brief_cover.rs"),
            include_str!("screens/places.rs"),
            include_str!("screens/place_form.rs"),
            include_str!("screens/debriefs.rs"),
            include_str!("screens/referrals.rs"),
        ];
        let mut missing = Vec::new();
        let mut seen = 0;
        for src in sources {
            for marker in ["t(\"", "tr(\"", "t_args(\"", "tra(\""] {
                for (i, _) in src.match_indices(marker) {
                    let rest = &src[i + marker.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    seen += 1;
                    if !has_key(key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        assert!(seen > 100, "the scan found only {seen} keys");
        assert!(
            missing.is_empty(),
            "keys missing from the .ftl files: {missing:?}"
        );
    }

    #[test]
    fn every_error_code_has_words() {
        for code in [
            "locked",
            "no_vault",
            "vault_exists",
            "wrong_passphrase",
            "too_many_attempts",
            "vault_in_use",
            "vault_too_new",
            "vault_damaged",
            "not_found",
            "ambiguous",
            "invalid_input",
            "io",
            "disk_full",
            "offline",
            "relay_refused",
            "team_creation_refused",
            "invite_invalid",
            "revoked",
            "relay_went_back",
            "team_record_refused",
            "not_in_team",
            "changed_meanwhile",
            "internal",
            "something_new",
        ] {
            assert!(has_key(error_key(code)), "{code}");
        }
    }

    #[test]
    fn arguments_and_plurals() {
        assert_eq!(
            t_args(Lang::En, "sync-synced-at", &[("time", "14:02".into())]),
            "Synced at 14:02"
        );
        assert_eq!(
            t_args(Lang::Fr, "sync-synced-at", &[("time", "14:02".into())]),
            "Synchronisé à 14:02"
        );
        assert_eq!(
            t_args(Lang::En, "sync-waiting", &[("n", "1".into())]),
            "1 change waiting"
        );
        assert_eq!(
            t_args(Lang::En, "sync-waiting", &[("n", "3".into())]),
            "3 changes waiting"
        );
        assert!(t_args(Lang::En, "team-doc-claims", &[("n", "1".into())])
            .starts_with("The team document claims 1 thing about"));
        assert!(t_args(Lang::En, "team-doc-claims", &[("n", "2".into())])
            .starts_with("The team document claims 2 things about"));
        assert!(t_args(Lang::Fr, "team-doc-claims", &[("n", "2".into())])
            .starts_with("Le document d'équipe affirme 2 choses sur"));
    }
}
