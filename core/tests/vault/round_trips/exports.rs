//! What a person can take away: JSON, text in French and English, the Automerge document.

use crate::support::*;
use automerge::ReadDoc;
use tandem_core::model::*;
use tandem_core::VaultError;

#[test]
fn exports_round_trip() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "Hélène".into(),
            nicknames: vec!["Lulu".into()],
            pronouns: Some("elle".into()),
            languages: vec!["fr".into()],
            contact: "Au refuge".into(),
            remember: "Le parc".into(),
        })
        .expect("add");
    let g = v
        .add_goal(
            &id,
            &NewGoal {
                words: "Avoir mon appart".into(),
                domain: Some("housing".into()),
                status: Some(GoalStatus::WorkingOnIt),
                steps: vec!["Appeler l'OMHM".into()],
                next_check_in: Some(day(2024, 5, 10)),
            },
        )
        .expect("goal");
    v.record_consent(
        &id,
        &NewConsent {
            what: "Notes".into(),
            uses: vec![ConsentUse::Accompaniment],
            given_on: Some(day(2024, 3, 1)),
            how: None,
        },
    )
    .expect("consent");
    v.record_encounter(&NewEncounter {
        at: Some(at(2024, 3, 15, 14, 30)),
        kind: Some("clinic".into()),
        duration_minutes: Some(30),
        notes: "Première ligne\nDeuxième ligne".into(),
        goals: vec![g],
        given: vec!["food".into()],
        referrals: vec!["OMHM".into()],
        follow_ups: vec![NewFollowUp {
            what: "Rappeler".into(),
            due: Some(day(2024, 3, 20)),
        }],
        ..NewEncounter::with_person(id.clone())
    })
    .expect("enc");
    let mut v = reopen(dir.path(), v);
    let rec = v.person(&id).expect("p");

    let json = v.export_json(&id).expect("json");
    let back: PersonRecord = serde_json::from_str(&json).expect("parses as a PersonRecord");
    assert_eq!(back, rec);

    let fr = v.export_text(&id, Lang::Fr).expect("fr");
    let en = v.export_text(&id, Lang::En).expect("en");
    for (text, lang) in [(&fr, "fr"), (&en, "en")] {
        for needle in [
            "Hélène",
            "Lulu",
            "« Avoir mon appart »",
            "Appeler l'OMHM",
            "  Première ligne\n  Deuxième ligne\n",
            "Rappeler",
            "OMHM",
            "30 min",
        ] {
            assert!(
                text.contains(needle),
                "{lang} export lacks {needle:?}:\n{text}"
            );
        }
    }
    for needle in [
        "Mes objectifs",
        "Dossier de: Hélène",
        "d'ici le 20/03/2024",
        "10/05/2024",
        "15/03/2024 14 h 30 UTC",
    ] {
        assert!(fr.contains(needle), "fr export lacks {needle:?}:\n{fr}");
    }
    for needle in [
        "My goals",
        "Record of: Hélène",
        "(by 2024-03-20)",
        "2024-05-10",
        "2024-03-15 14:30 UTC",
    ] {
        assert!(en.contains(needle), "en export lacks {needle:?}:\n{en}");
    }
    assert!(!fr.contains("My goals") && !en.contains("Mes objectifs"));

    let bytes = v.export_automerge(&id).expect("automerge");
    let doc = automerge::Automerge::load(&bytes).expect("any Automerge tool can load it");
    let kind = doc
        .get(automerge::ROOT, "kind")
        .expect("get")
        .map(|(v, _)| v.as_str().map(str::to_owned));
    assert_eq!(kind, Some(Some("person".to_owned())));
    let mut heads: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
    heads.sort();
    assert_eq!(heads, v.document_heads(id.as_str()).expect("heads"));
    assert!(matches!(
        v.export_json(&PersonId::from("0123456789abcdef")),
        Err(VaultError::NotFound { what: "person", .. })
    ));
}
