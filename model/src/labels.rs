//! Words shown to people, in French and English, for every stored code.

use crate::goal::GoalStatus;
use crate::person::ConsentUse;
use serde::{Deserialize, Serialize};

/// A language Tandem speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Français.
    Fr,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// Parses `fr`, `en`, `fr-CA`, `en_GB`…
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase();
        if s.starts_with("fr") {
            Some(Self::Fr)
        } else if s.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }
}

/// Default encounter kind codes.
pub const ENCOUNTER_KINDS: [&str; 6] = [
    "street_outreach",
    "accompaniment",
    "clinic",
    "home",
    "phone_or_text",
    "group",
];

/// Default life domain codes.
pub const LIFE_DOMAINS: [&str; 12] = [
    "housing",
    "health",
    "mental_health",
    "substance_use",
    "income",
    "work_and_learning",
    "relationships",
    "justice",
    "food",
    "papers",
    "leisure_and_culture",
    "spirituality",
];

/// Default codes of what can be given.
pub const GIVEN_ITEMS: [&str; 7] = [
    "food",
    "hygiene_kit",
    "harm_reduction",
    "naloxone",
    "clothing",
    "transit",
    "other",
];

/// The label of any known code (encounter kind, life domain, given item), or the code itself.
pub fn code_label(code: &str, lang: Lang) -> String {
    let (en, fr) = match code {
        "street_outreach" => ("Street outreach", "Travail de rue"),
        "accompaniment" => (
            "Accompaniment to an appointment",
            "Accompagnement à un rendez-vous",
        ),
        "clinic" => ("At the clinic", "À la clinique"),
        "home" => ("At home", "À domicile"),
        "phone_or_text" => ("Phone or text", "Téléphone ou texto"),
        "group" => ("Group", "Groupe"),
        "housing" => ("Housing", "Logement"),
        "health" => ("Physical health", "Santé physique"),
        "mental_health" => ("Mental health", "Santé mentale"),
        "substance_use" => ("Substance use", "Consommation"),
        "income" => ("Income", "Revenu"),
        "work_and_learning" => ("Work and learning", "Travail et études"),
        "relationships" => ("Family and relationships", "Famille et relations"),
        "justice" => ("Justice", "Justice"),
        "food" => ("Food", "Alimentation"),
        "papers" => ("Identity papers", "Papiers d'identité"),
        "leisure_and_culture" => ("Leisure and culture", "Loisirs et culture"),
        "spirituality" => ("Spirituality", "Spiritualité"),
        "hygiene_kit" => ("Hygiene kit", "Trousse d'hygiène"),
        "harm_reduction" => (
            "Harm-reduction supplies",
            "Matériel de réduction des méfaits",
        ),
        "naloxone" => ("Naloxone", "Naloxone"),
        "clothing" => ("Clothing", "Vêtements"),
        "transit" => ("Transit fare", "Titre de transport"),
        "other" => ("Other", "Autre"),
        _ => return code.to_owned(),
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Fr => fr.to_owned(),
    }
}

/// The label of a goal status.
pub fn status_label(status: GoalStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (GoalStatus::Exploring, Lang::En) => "Exploring",
        (GoalStatus::Exploring, Lang::Fr) => "En réflexion",
        (GoalStatus::WorkingOnIt, Lang::En) => "Working on it",
        (GoalStatus::WorkingOnIt, Lang::Fr) => "En cours",
        (GoalStatus::Paused, Lang::En) => "Paused",
        (GoalStatus::Paused, Lang::Fr) => "En pause",
        (GoalStatus::Reached, Lang::En) => "Reached",
        (GoalStatus::Reached, Lang::Fr) => "Atteint",
        (GoalStatus::LetGo, Lang::En) => "Let go",
        (GoalStatus::LetGo, Lang::Fr) => "Laissé de côté",
    }
}

/// The label of a consent use.
pub fn consent_use_label(use_: ConsentUse, lang: Lang) -> &'static str {
    match (use_, lang) {
        (ConsentUse::Accompaniment, Lang::En) => "notes to accompany me",
        (ConsentUse::Accompaniment, Lang::Fr) => "des notes pour m'accompagner",
        (ConsentUse::TeamSharing, Lang::En) => "sharing with the care team",
        (ConsentUse::TeamSharing, Lang::Fr) => "le partage avec l'équipe de soins",
        (ConsentUse::Research, Lang::En) => "anonymous statistics and research",
        (ConsentUse::Research, Lang::Fr) => "des statistiques et la recherche, anonymes",
        (ConsentUse::Contact, Lang::En) => "being contacted",
        (ConsentUse::Contact, Lang::Fr) => "être contacté·e",
    }
}

/// The label of a history action code.
pub fn action_label(action: &str, lang: Lang) -> String {
    let (en, fr) = match action {
        "person.add" => ("started the record", "a ouvert le dossier"),
        "profile.edit" => ("edited the profile", "a modifié le profil"),
        "consent.add" => ("recorded a consent", "a noté un consentement"),
        "consent.edit" => ("edited a consent", "a modifié un consentement"),
        "consent.withdraw" => (
            "recorded a consent withdrawn",
            "a noté un retrait de consentement",
        ),
        "goal.add" => ("added a goal", "a ajouté un objectif"),
        "goal.edit" => ("edited a goal", "a modifié un objectif"),
        "step.add" => ("added a step", "a ajouté une étape"),
        "step.done" => ("ticked a step", "a coché une étape"),
        "step.undone" => ("unticked a step", "a décoché une étape"),
        "encounter.add" => ("recorded an encounter", "a noté une rencontre"),
        "encounter.edit" => ("edited an encounter", "a modifié une rencontre"),
        "followup.add" => ("added a follow-up", "a ajouté un suivi"),
        "followup.done" => ("completed a follow-up", "a complété un suivi"),
        "person.merge" => (
            "merged this record into another of the same person",
            "a fusionné ce dossier dans un autre de la même personne",
        ),
        "person.unmerge" => ("undid a merge", "a annulé une fusion"),
        "street.link" => (
            "linked a street contact to a person",
            "a relié un contact de rue à une personne",
        ),
        "street.unlink" => (
            "unlinked a street contact",
            "a retiré le lien d'un contact de rue",
        ),
        "conflict.resolve" => (
            "chose between concurrent values",
            "a choisi entre des valeurs concurrentes",
        ),
        _ => return action.to_owned(),
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Fr => fr.to_owned(),
    }
}

/// The name of a language a person speaks, from the code typed in their profile ("fr", "ht",
/// "fr-CA": ISO 639-1, or ISO 639-3 and the usual short forms for sign languages; case, and a
/// region after `-` or `_`, ignored), in French or English. `None` for anything else, which
/// is shown as typed ("Kreyòl", "Français").
pub fn language_name(code: &str, lang: Lang) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    let base = code.split(['-', '_']).next().unwrap_or_default();
    let (en, fr) = match base {
        "fr" => ("French", "français"),
        "en" => ("English", "anglais"),
        "es" => ("Spanish", "espagnol"),
        "pt" => ("Portuguese", "portugais"),
        "it" => ("Italian", "italien"),
        "de" => ("German", "allemand"),
        "nl" => ("Dutch", "néerlandais"),
        "ht" => ("Haitian Creole", "créole haïtien"),
        "ar" => ("Arabic", "arabe"),
        "fa" => ("Persian", "persan"),
        "ps" => ("Pashto", "pachto"),
        "ku" => ("Kurdish", "kurde"),
        "tr" => ("Turkish", "turc"),
        "he" => ("Hebrew", "hébreu"),
        "el" => ("Greek", "grec"),
        "ro" => ("Romanian", "roumain"),
        "pl" => ("Polish", "polonais"),
        "ru" => ("Russian", "russe"),
        "uk" => ("Ukrainian", "ukrainien"),
        "zh" => ("Chinese", "chinois"),
        "vi" => ("Vietnamese", "vietnamien"),
        "km" => ("Khmer", "khmer"),
        "lo" => ("Lao", "lao"),
        "ko" => ("Korean", "coréen"),
        "ja" => ("Japanese", "japonais"),
        "tl" => ("Tagalog", "tagalog"),
        "hi" => ("Hindi", "hindi"),
        "ur" => ("Urdu", "ourdou"),
        "pa" => ("Punjabi", "pendjabi"),
        "bn" => ("Bengali", "bengali"),
        "ta" => ("Tamil", "tamoul"),
        "ne" => ("Nepali", "népalais"),
        "so" => ("Somali", "somali"),
        "ti" => ("Tigrinya", "tigrigna"),
        "am" => ("Amharic", "amharique"),
        "sw" => ("Swahili", "swahili"),
        "ln" => ("Lingala", "lingala"),
        "wo" => ("Wolof", "wolof"),
        "ff" => ("Fula", "peul"),
        "iu" => ("Inuktitut", "inuktitut"),
        "cr" => ("Cree", "cri"),
        "ase" | "asl" => ("American Sign Language", "langue des signes américaine"),
        "fcs" | "lsq" => ("Quebec Sign Language", "langue des signes québécoise"),
        "fsl" | "lsf" => ("French Sign Language", "langue des signes française"),
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Fr => fr,
    })
}

#[cfg(test)]
mod language_tests {
    use super::*;

    #[test]
    fn languages_are_named_in_the_readers_language() {
        assert_eq!(language_name("fr", Lang::En), Some("French"));
        assert_eq!(language_name("en", Lang::Fr), Some("anglais"));
        assert_eq!(language_name(" FR-ca ", Lang::Fr), Some("français"));
        assert_eq!(language_name("ht", Lang::En), Some("Haitian Creole"));
        assert_eq!(
            language_name("lsq", Lang::Fr),
            Some("langue des signes québécoise")
        );
        // What is not a known code is left to be shown as typed.
        assert_eq!(language_name("Kreyòl", Lang::En), None);
        assert_eq!(language_name("", Lang::En), None);
    }
}
