//! `tandem report`: counts for a period as JSON, text and CSV, and the research export.

use crate::support::TestVault;

#[test]
fn a_month_is_counted_in_its_time_zone_and_exported() {
    let v = TestVault::new();
    let ana = v.add_person(&["--name", "Anaïs Quenouille"]);
    v.ok(&[
        "person",
        "consent",
        &ana,
        "--what",
        "Recherche",
        "--use",
        "research",
        // A day in the past wherever the export is read: "today" in UTC is tomorrow in
        // Montreal for five hours of each night, and a consent not given yet covers nothing.
        "--on",
        "2026-10-01",
    ]);
    // 31 October 23:30 in Montreal (03:30 UTC on 1 November): October there.
    for at in [
        "2026-11-01T03:30:00Z",
        "2026-11-10T15:00:00Z",
        "2026-11-20T15:00:00Z",
    ] {
        v.ok(&[
            "encounter",
            "add",
            &ana,
            "--at",
            at,
            "--given",
            "naloxone",
            "--notes",
            "Secret de la note",
        ]);
    }
    v.ok(&[
        "encounter",
        "add",
        "--anonymous",
        "--at",
        "2026-11-12T15:00:00Z",
    ]);
    let r = v.json(&["report", "--month", "2026-11", "--tz", "America/Montreal"]);
    assert_eq!(r["encounters"], 3);
    assert_eq!(r["naloxone"], 2);
    assert_eq!(r["anonymous_contacts"], 1);
    assert_eq!(r["people_met"], 1);
    let paris = v.json(&[
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--tz",
        "Europe/Paris",
    ]);
    assert_eq!(paris["encounters"], 4);

    let fr = v.ok(&[
        "--lang",
        "fr",
        "report",
        "--month",
        "2026-11",
        "--tz",
        "America/Montreal",
    ]);
    assert!(
        fr.contains("Naloxone remise") && fr.contains("Rencontres par semaine"),
        "{fr}"
    );
    let csv = v.ok(&[
        "--lang",
        "en",
        "report",
        "--month",
        "2026-11",
        "--tz",
        "America/Montreal",
        "--format",
        "csv",
    ]);
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("totals,Naloxone given,,<5\r\n"),
        "{csv}"
    );

    let file = v.dir().with_file_name("research.csv");
    let said = v.ok(&[
        "--lang",
        "en",
        "report",
        "--month",
        "2026-11",
        "--tz",
        "America/Montreal",
        "--research-csv",
        file.to_str().unwrap(),
    ]);
    assert!(said.contains("2 encounters of 1 people"), "{said}");
    let bytes = std::fs::read_to_string(&file).unwrap();
    assert_eq!(bytes.lines().count(), 3, "{bytes}");
    assert!(!bytes.contains("Anaïs") && !bytes.contains("Secret") && !bytes.contains(&ana));
}
