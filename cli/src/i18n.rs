//! The words `tandem` prints, in French and English, from Fluent files (`locales/*.ftl`)
//! compiled into the binary, like the app's. Tests check that the files parse, that both
//! languages have the same keys and placeables, that none is empty or defined twice, and that
//! the keys the code uses and the keys the files define are the same.
//!
//! Messages meant for whoever fixes a command line (usage errors, hints) stay in English, as
//! clap's own are. The labels of stored codes (goal statuses, encounter kinds, life domains…)
//! and the dates are not here: they come from `tandem_model::labels` and `export`, which the
//! app and the text export share; their tables write the two words of each code side by side
//! (and the compiler checks that every goal status and consent use has them).

#[cfg(test)]
use tandem_model::words::{FluentBundle, FluentResource};
use tandem_model::words::{FluentValue, Words};
use tandem_model::Lang;

const EN: &str = include_str!("../locales/en.ftl");
const FR: &str = include_str!("../locales/fr.ftl");

#[cfg(test)]
fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => EN,
        Lang::Fr => FR,
    }
}

thread_local! {
    static WORDS: Words = Words::new(EN, FR);
}

#[cfg(test)]
fn with_bundle<T>(lang: Lang, f: impl FnOnce(&FluentBundle<FluentResource>) -> T) -> T {
    WORDS.with(|w| f(w.bundle(lang)))
}

/// The text of `key` with its placeables filled from `args`; the key itself if it is missing
/// (the tests prevent that). Numbers are passed as numbers, so that a message can choose a
/// plural form; text is inserted as it is.
pub fn t_args(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let (text, complete) = WORDS.with(|w| w.format_checked(lang, key, args));
    // A placeable without its argument: a mistake in the code, shown by the CLI tests.
    debug_assert!(complete, "{key}: a placeable lacks its argument");
    text
}

/// The text of `key`.
pub fn t(lang: Lang, key: &str) -> String {
    t_args(lang, key, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Each message of an .ftl file and the names of its placeables, from the lines that
    /// start a message (`key = value`; the files have no multi-line values).
    fn messages(src: &str) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut out = BTreeMap::new();
        for line in src.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not a message: {line:?}"));
            let key = key.trim();
            assert!(
                !key.is_empty() && !line.starts_with(char::is_whitespace),
                "a message continued or without a key: {line:?}"
            );
            let vars = value
                .split('$')
                .skip(1)
                .filter_map(|rest| rest.split([' ', '}']).next())
                .collect();
            assert!(out.insert(key, vars).is_none(), "{key} is defined twice");
        }
        out
    }

    #[test]
    fn both_files_parse_without_a_key_defined_twice() {
        for lang in [Lang::En, Lang::Fr] {
            let src = source(lang);
            let res = match FluentResource::try_new(src.to_owned()) {
                Ok(r) => r,
                Err((_, errors)) => panic!("{lang:?}: syntax errors: {errors:?}"),
            };
            let mut b = FluentBundle::new(vec![Default::default()]);
            assert_eq!(b.add_resource(res).map_err(|e| format!("{e:?}")), Ok(()));
        }
    }

    #[test]
    fn both_languages_have_the_same_keys_and_placeables_and_no_empty_value() {
        let en = messages(EN);
        let fr = messages(FR);
        let only_en: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
        let only_fr: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
        for (key, vars) in &en {
            assert_eq!(Some(vars), fr.get(key), "{key}: other placeables in fr.ftl");
            for lang in [Lang::En, Lang::Fr] {
                let has_value = with_bundle(lang, |b| {
                    b.get_message(key).and_then(|m| m.value()).is_some()
                });
                assert!(has_value, "{key} has no value in {lang:?}");
                let args: Vec<(&str, FluentValue<'_>)> =
                    vars.iter().map(|v| (*v, "x".into())).collect();
                let text = t_args(lang, key, &args);
                assert!(!text.trim().is_empty(), "{key} is empty in {lang:?}");
            }
        }
    }

    /// The keys of every `.t("key")` and `.t_args("key", …)` in the CLI's sources (rustfmt may
    /// put the key on the next line).
    fn keys_in_the_code() -> BTreeSet<&'static str> {
        let sources = [
            include_str!("render.rs"),
            include_str!("output.rs"),
            include_str!("commands/debriefs.rs"),
            include_str!("commands/demo.rs"),
            include_str!("commands/encounter.rs"),
            include_str!("commands/followup.rs"),
            include_str!("commands/goal.rs"),
            include_str!("commands/person.rs"),
            include_str!("commands/places.rs"),
            include_str!("commands/report.rs"),
            include_str!("commands/sync.rs"),
            include_str!("commands/team.rs"),
            include_str!("commands/vault.rs"),
            include_str!("commands/cover.rs"),
            include_str!("commands/street.rs"),
            include_str!("render_cover.rs"),
        ];
        let mut keys = BTreeSet::new();
        for src in sources {
            for marker in [".t(", ".t_args(", "i18n::t(", "i18n::t_args("] {
                for (i, _) in src.match_indices(marker) {
                    let Some(rest) = src[i + marker.len()..].trim_start().strip_prefix('"') else {
                        continue;
                    };
                    if let Some(end) = rest.find('"') {
                        keys.insert(&rest[..end]);
                    }
                }
            }
        }
        keys
    }

    /// Both ways: a key the code uses is in the files, and a key in the files is used (so a
    /// key passed around in a variable, which the scan cannot see, shows up as unused).
    #[test]
    fn the_code_and_the_files_use_the_same_keys() {
        let used = keys_in_the_code();
        let defined: BTreeSet<&str> = messages(EN).into_keys().collect();
        assert!(used.len() > 80, "the scan found only {} keys", used.len());
        let missing: Vec<_> = used.difference(&defined).collect();
        let unused: Vec<_> = defined.difference(&used).collect();
        assert!(
            missing.is_empty(),
            "keys missing from the .ftl files: {missing:?}"
        );
        assert!(unused.is_empty(), "keys no code uses: {unused:?}");
    }

    #[test]
    fn placeables_are_filled_without_marks_or_number_formatting() {
        let args = [
            ("pushed", 1234.into()),
            ("pulled", 0.into()),
            ("updated", 7.into()),
        ];
        assert_eq!(
            t_args(Lang::En, "sync-report", &args),
            "Sent 1234 change(s). Received 0 (7 record(s) updated)."
        );
        assert_eq!(
            t_args(Lang::Fr, "sync-report", &args),
            "Envoyé: 1234 changement(s). Reçu: 0 (7 dossier(s) mis à jour)."
        );
        // Text that looks like a number stays as typed.
        assert_eq!(
            t_args(Lang::En, "vault-unlocked", &[("team", "007".into())]),
            "Unlocked: 007"
        );
        assert_eq!(t(Lang::Fr, "list-none"), "(aucun)");
        assert_eq!(t(Lang::En, "no-such-key"), "no-such-key");
    }
}
