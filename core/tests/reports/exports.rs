//! CSV exports: the "<5" rule, accents through Python's `csv` module, and a research export
//! that holds nobody without research consent, no name and no note.

use crate::{day, new_vault, utc};
use std::path::Path;
use std::process::Command;
use tandem_core::model::{
    ConsentUse, Lang, NewConsent, NewEncounter, NewPerson, PersonId, ReportPeriod,
};
use tandem_core::Vault;

/// Reads a CSV file with Python's `csv` module (as `utf-8-sig`, the encoding spreadsheets
/// write and read) and returns its rows as JSON.
fn python_rows(path: &Path) -> Vec<Vec<String>> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import csv, json, sys\n\
             with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n\
             \x20   print(json.dumps(list(csv.reader(f, strict=True))))",
        )
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("rows as JSON")
}

fn person(vault: &mut Vault, name: &str, uses: &[ConsentUse]) -> PersonId {
    let id = vault
        .add_person(&NewPerson {
            name: name.into(),
            ..NewPerson::default()
        })
        .expect("person");
    if !uses.is_empty() {
        vault
            .record_consent(
                &id,
                &NewConsent {
                    what: "Être compté·e dans les statistiques".into(),
                    uses: uses.to_vec(),
                    given_on: Some(day(2026, 1, 5)),
                    how: None,
                },
            )
            .expect("consent");
    }
    id
}

fn meet(vault: &mut Vault, who: &PersonId, d: u32, notes: &str, given: &[&str]) {
    let mut e = NewEncounter::with_person(who.clone());
    e.at = Some(utc(2026, 2, d, 15, 0, 0));
    e.notes = notes.into();
    e.place = Some("Parc Émilie-Gamelin, banc du fond".into());
    e.kind = Some("street_outreach".into());
    e.given = given.iter().map(|s| s.to_string()).collect();
    e.referrals = vec!["Refuge Saint-Michel, demander Ginette".into()];
    e.domains = vec!["housing".into()];
    e.duration_minutes = Some(30);
    vault.record_encounter(&e).expect("encounter");
}

const FEBRUARY: fn() -> ReportPeriod =
    || ReportPeriod::month(2026, 2, "America/Montreal").expect("month");

#[test]
fn the_research_export_holds_only_consenting_people_and_nothing_that_names_them() {
    let (dir, mut vault) = new_vault();
    let yes = person(
        &mut vault,
        "Ophélie Quenneville-Zèbre",
        &[ConsentUse::Research],
    );
    let also = person(
        &mut vault,
        "Barnabé Xylophone",
        &[ConsentUse::Accompaniment, ConsentUse::Research],
    );
    let no = person(
        &mut vault,
        "Clémentine Wapiti",
        &[ConsentUse::Accompaniment],
    );
    let none = person(&mut vault, "Dorothée Yack", &[]);
    let withdrawn = person(&mut vault, "Eulalie Vortex", &[ConsentUse::Research]);
    let consent = vault.person(&withdrawn).expect("record").consents[0]
        .id
        .clone();
    vault
        .withdraw_consent(&withdrawn, &consent, Some(day(2026, 2, 20)))
        .expect("withdraw");
    meet(
        &mut vault,
        &yes,
        3,
        "Secret numéro un: Ophélie parle de sa sœur",
        &["naloxone"],
    );
    meet(
        &mut vault,
        &yes,
        10,
        "Secret numéro deux",
        &["food", "naloxone"],
    );
    meet(&mut vault, &also, 11, "=HYPERLINK(\"http://x\") note", &[]);
    meet(&mut vault, &no, 12, "Secret de Clémentine", &["naloxone"]);
    meet(&mut vault, &none, 13, "Secret de Dorothée", &[]);
    meet(&mut vault, &withdrawn, 14, "Secret d'Eulalie", &[]);
    let mut street = NewEncounter::anonymous();
    street.subject =
        tandem_core::model::EncounterSubject::Anonymous(Some("manteau vert, près du métro".into()));
    street.at = Some(utc(2026, 2, 15, 12, 0, 0));
    street.notes = "Secret de la rue".into();
    vault.record_encounter(&street).expect("street");

    let export = vault.research_csv(&FEBRUARY()).expect("export");
    assert_eq!(
        (export.encounters, export.people, export.left_out),
        (3, 2, 3)
    );
    let text = String::from_utf8(export.bytes.clone()).expect("UTF-8");
    for secret in [
        "Ophélie",
        "Quenneville",
        "Barnabé",
        "Xylophone",
        "Clémentine",
        "Dorothée",
        "Eulalie",
        "Secret",
        "HYPERLINK",
        "Émilie",
        "Ginette",
        "Refuge",
        "manteau",
        yes.as_str(),
        also.as_str(),
    ] {
        assert!(!text.contains(secret), "the export holds {secret:?}");
    }
    let path = dir.path().join("research.csv");
    std::fs::write(&path, &export.bytes).expect("write");
    let rows = python_rows(&path);
    assert_eq!(rows[0], tandem_core::report::RESEARCH_COLUMNS);
    let body = &rows[1..];
    assert_eq!(body.len(), 3);
    assert_eq!(
        body.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(),
        ["2026-02-03", "2026-02-10", "2026-02-11"]
    );
    assert_eq!(body[1][4], "food;naloxone");
    assert_eq!(body[0][5], "yes");
    // One person, one key, inside an export; another key in the next export.
    assert_eq!(body[0][0], body[1][0]);
    assert_ne!(body[0][0], body[2][0]);
    let again = vault.research_csv(&FEBRUARY()).expect("export");
    let again = String::from_utf8(again.bytes).expect("UTF-8");
    assert!(
        !again.contains(&body[0][0]),
        "keys are made afresh per export"
    );
}

#[test]
fn the_counts_csv_opens_with_accents_and_hides_counts_below_five() {
    let (dir, mut vault) = new_vault();
    let many = person(&mut vault, "Hélène Test", &[]);
    let few = person(&mut vault, "Joël Test", &[]);
    for d in 1..=6 {
        meet(&mut vault, &many, d, "", &["naloxone"]);
    }
    meet(&mut vault, &few, 9, "", &["hygiene_kit"]);
    let report = vault.report(&FEBRUARY()).expect("report");
    // On the device, the numbers as they are.
    assert_eq!(
        (report.encounters, report.people_met, report.naloxone),
        (7, 2, 6)
    );

    let bytes = vault.report_csv(&FEBRUARY(), Lang::Fr).expect("csv");
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark"
    );
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
    let path = dir.path().join("rapport.csv");
    std::fs::write(&path, &bytes).expect("write");
    let rows = python_rows(&path);
    assert_eq!(rows[0], ["section", "élément", "code", "nombre"]);
    let find = |section: &str, item: &str| -> String {
        rows.iter()
            .find(|r| r[0] == section && r[1] == item)
            .unwrap_or_else(|| panic!("no row {section} / {item} in {rows:?}"))[3]
            .clone()
    };
    assert_eq!(find("totaux", "Rencontres"), "7");
    assert_eq!(find("totaux", "Naloxone remise"), "6");
    assert_eq!(find("totaux", "Personnes rencontrées"), "<5");
    assert_eq!(find("totaux", "Références faites"), "7");
    assert_eq!(find("totaux", "Suivis faits"), "<5");
    assert_eq!(find("remis", "Naloxone"), "6");
    assert_eq!(find("remis", "Trousse d'hygiène"), "<5");
    assert_eq!(find("objectifs par état", "Atteint"), "<5");
    // Every count cell is "<5" or a number of 5 or more.
    for r in rows.iter().skip(4) {
        let c = &r[3];
        assert!(c == "<5" || c.parse::<u64>().is_ok_and(|n| n >= 5), "{r:?}");
    }
    let en =
        String::from_utf8(vault.report_csv(&FEBRUARY(), Lang::En).expect("csv")).expect("UTF-8");
    assert!(en.contains("Referrals made,,7"));
}

#[test]
fn words_where_a_code_goes_leave_as_other_and_team_options_as_they_are() {
    // A changed client (or an option since taken off the team's list) puts words where a
    // code goes. The screen on the device shows them; no exported file carries them.
    let (dir, mut vault) = new_vault();
    vault
        .add_team_option(tandem_core::model::OptionList::GivenItems, "Café chaud")
        .expect("team option");
    let err = vault
        .add_team_option(tandem_core::model::OptionList::GivenItems, "a;=cmd|x")
        .expect_err("a separator in an option");
    assert!(err.to_string().contains(';'), "{err}");
    let p = person(&mut vault, "Gaston Ours", &[ConsentUse::Research]);
    for d in 1..=5 {
        let mut e = NewEncounter::with_person(p.clone());
        e.at = Some(utc(2026, 2, d, 15, 0, 0));
        e.kind = Some("Gaston au parc".into());
        e.given = vec![
            "insuline de Gaston".into(),
            "Café chaud".into(),
            "=cmd|' /C calc'!A0".into(),
        ];
        e.domains = vec!["sa fille Léa".into(), "housing".into()];
        vault.record_encounter(&e).expect("encounter");
    }
    let report = vault.report(&FEBRUARY()).expect("report");
    assert!(report
        .given
        .iter()
        .any(|t| t.code.as_deref() == Some("insuline de Gaston")));

    let csv = vault.report_csv(&FEBRUARY(), Lang::Fr).expect("csv");
    let research = vault.research_csv(&FEBRUARY()).expect("research");
    for (name, bytes) in [("counts", &csv), ("research", &research.bytes)] {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        for words in ["Gaston", "insuline", "Léa", "cmd", "calc"] {
            assert!(!text.contains(words), "{name} holds {words:?}:\n{text}");
        }
        let path = dir.path().join(format!("{name}.csv"));
        std::fs::write(&path, bytes).expect("write");
        let rows = python_rows(&path);
        // No cell, nor any part of one between semicolons, starts a formula.
        for cell in rows.iter().flatten() {
            for part in cell.split(';') {
                assert!(
                    !part.trim_start().starts_with(['=', '+', '-', '@']),
                    "{name}: {cell:?}"
                );
            }
        }
        if name == "counts" {
            let count = |section: &str, code: &str| {
                rows.iter()
                    .find(|r| r[0] == section && r[2] == code)
                    .map(|r| r[3].clone())
            };
            // Both unknown items were given five times: one "other" row counts ten.
            assert_eq!(count("remis", "other").as_deref(), Some("10"));
            assert_eq!(count("remis", "Café chaud").as_deref(), Some("5"));
            assert_eq!(count("rencontres par type", "other").as_deref(), Some("5"));
        } else {
            assert_eq!(rows[1][2], "other", "kind");
            assert_eq!(rows[1][4], "other;Café chaud", "given, each once");
            assert_eq!(rows[1][6], "other;housing", "domains");
        }
    }
}

#[test]
fn two_records_merged_into_one_are_one_person_with_one_key_in_the_research_export() {
    let (_dir, mut vault) = new_vault();
    let one = person(&mut vault, "Noé Tremblay", &[ConsentUse::Research]);
    let two = person(&mut vault, "Noé T.", &[ConsentUse::Research]);
    meet(&mut vault, &one, 3, "", &[]);
    meet(&mut vault, &two, 4, "", &[]);
    let before = vault.research_csv(&FEBRUARY()).expect("export");
    assert_eq!((before.encounters, before.people), (2, 2));
    vault.merge_people(&one, &two).expect("merge");
    let after = vault.research_csv(&FEBRUARY()).expect("export");
    assert_eq!((after.encounters, after.people, after.left_out), (2, 1, 0));
    let text = String::from_utf8(after.bytes).expect("UTF-8");
    let keys: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "one person, one key");
}
