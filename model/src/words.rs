//! Words in French and English from Fluent files: the one loader the app, its shell and the
//! CLI share. Each keeps its own `.ftl` files (compiled in with `include_str!`) and its own
//! tests that both languages have the same keys; this module only turns a file into a
//! bundle and a key with its arguments into text.

pub use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

use crate::Lang;

/// Both languages' bundles of one program.
pub struct Words {
    en: FluentBundle<FluentResource>,
    fr: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Words").finish_non_exhaustive()
    }
}

fn bundle(source: &str, lang: Lang) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut b = FluentBundle::new(vec![id]);
    // No Unicode isolation marks around values: the text is plain (a terminal, a
    // notification, a label) and tests compare it byte for byte.
    b.set_use_isolating(false);
    // A syntax error or a key defined twice is caught by each program's tests; what parses
    // is used, so one bad message never silences the others.
    let res = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = b.add_resource(res);
    b
}

impl Words {
    /// The bundles of the English and French sources.
    pub fn new(en: &str, fr: &str) -> Self {
        Self {
            en: bundle(en, Lang::En),
            fr: bundle(fr, Lang::Fr),
        }
    }

    /// The bundle of `lang` (for tests that look at messages themselves).
    pub fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }

    /// The text of `key` in `lang` with its placeables filled from `args`; the key itself
    /// when it is missing (each program's tests prevent that). Pass numbers as numbers, so
    /// that a message can choose a plural form.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.format_checked(lang, key, args).0
    }

    /// [`Words::format`], and whether no placeable lacked its argument (a program whose tests
    /// run its debug build can assert it; a missing key is the key, as `format` gives).
    pub fn format_checked(
        &self,
        lang: Lang,
        key: &str,
        args: &[(&str, FluentValue<'_>)],
    ) -> (String, bool) {
        let b = self.bundle(lang);
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            return (key.to_owned(), true);
        };
        let mut fa = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fa.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = b
            .format_pattern(pattern, Some(&fa), &mut errors)
            .into_owned();
        (text, errors.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_each_language() {
        let w = Words::new(
            "n = { $n ->\n    [one] { $n } thing\n   *[other] { $n } things\n}\n",
            "n = { $n ->\n    [one] { $n } chose\n   *[other] { $n } choses\n}\n",
        );
        let n = |lang, n: i64| w.format(lang, "n", &[("n", FluentValue::from(n))]);
        assert_eq!(n(Lang::En, 1), "1 thing");
        assert_eq!(n(Lang::En, 0), "0 things");
        // French counts zero as one (CLDR), English does not.
        assert_eq!(n(Lang::Fr, 0), "0 chose");
        assert_eq!(n(Lang::Fr, 3), "3 choses");
        assert_eq!(w.format(Lang::Fr, "missing", &[]), "missing");
        assert!(
            !w.format_checked(Lang::En, "n", &[]).1,
            "a placeable without its argument"
        );
        assert!(w.format_checked(Lang::En, "n", &[("n", 2.into())]).1);
    }
}
