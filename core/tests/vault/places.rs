//! The team's list of places, on real vaults: kept after locking, found with accents
//! ignored, bounded, and merged between two devices like a person's fields.

use crate::support::*;
use tandem_core::model::*;
use tandem_core::{Vault, VaultError};

fn hospital() -> NewPlace {
    NewPlace {
        name: "Hôpital Saint-Luc".into(),
        kind: Some("health_care".into()),
        address: Some("1058 rue Saint-Denis".into()),
        phone: Some("+1 (514) 890-8000".into()),
        hours: Some("24 h".into()),
        notes: "Ask for the social worker at triage".into(),
    }
}

fn names(places: &[Place]) -> Vec<&str> {
    places.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn places_are_kept_found_checked_and_removed_without_losing_them() {
    let (dir, mut v) = new_vault();
    let h = v.add_place(&hospital()).expect("add");
    let f = v
        .add_place(&NewPlace {
            name: "Banque alimentaire du Plateau".into(),
            kind: Some("food_bank".into()),
            ..NewPlace::default()
        })
        .expect("add");
    let mut v = reopen(dir.path(), v);

    let all = v.places(false).expect("list");
    assert_eq!(
        names(&all),
        ["Banque alimentaire du Plateau", "Hôpital Saint-Luc"]
    );
    let kept = v.place(&h).expect("place");
    assert_eq!(kept.phone.as_deref(), Some("+1 (514) 890-8000"));
    assert_eq!(kept.checked_by.as_ref(), Some(&v.team().expect("team").me));
    assert!(kept.conflicts.is_empty());

    // Accents and case ignored; every word must match; kinds match in either language.
    assert_eq!(
        names(&v.search_places("HOPITAL").expect("s")),
        ["Hôpital Saint-Luc"]
    );
    assert_eq!(
        names(&v.search_places("saint denis").expect("s")),
        ["Hôpital Saint-Luc"]
    );
    assert_eq!(
        names(&v.search_places("food bank").expect("s")),
        ["Banque alimentaire du Plateau"]
    );
    assert!(v.search_places("hopital plateau").expect("s").is_empty());
    assert_eq!(v.find_place("hopital saint-luc").expect("find"), h);

    v.edit_place(
        &h,
        &PlaceUpdate {
            hours: Some("Urgences 24 h, clinique 8 h – 16 h".into()),
            address: Some(String::new()),
            ..PlaceUpdate::default()
        },
    )
    .expect("edit");
    let before = v.place(&h).expect("place").checked_at;
    std::thread::sleep(std::time::Duration::from_millis(5));
    v.check_place(&h).expect("check");
    v.remove_place(&f).expect("remove");
    let mut v = reopen(dir.path(), v);

    let edited = v.place(&h).expect("place");
    assert_eq!(
        edited.hours.as_deref(),
        Some("Urgences 24 h, clinique 8 h – 16 h")
    );
    assert_eq!(edited.address, None, "an empty text clears the field");
    assert_eq!(edited.name, "Hôpital Saint-Luc", "fields not given stay");
    assert!(edited.checked_at > before);
    assert_eq!(
        names(&v.places(false).expect("list")),
        ["Hôpital Saint-Luc"]
    );
    assert_eq!(v.places(true).expect("list").len(), 2);
    assert!(v.search_places("banque").expect("s").is_empty());
    // A removed place is still there for what points at it.
    let removed = v.place(&f).expect("removed place");
    assert!(removed.removed_at.is_some());
    assert!(matches!(
        v.remove_place(&f),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn oversized_or_formula_like_fields_are_refused_and_nothing_is_written() {
    let (_dir, mut v) = new_vault();
    let outbox = v.outbox(1000).expect("outbox").len();
    let long = "x".repeat(PlaceLimits::NAME + 1);
    let cases = [
        NewPlace {
            name: long,
            ..NewPlace::default()
        },
        NewPlace {
            name: "  ".into(),
            ..NewPlace::default()
        },
        NewPlace {
            phone: Some("=HYPERLINK(\"http://x\")".into()),
            ..hospital()
        },
        NewPlace {
            phone: Some("@SUM(1)".into()),
            ..hospital()
        },
        NewPlace {
            phone: Some("-1+1".into()),
            ..hospital()
        },
        NewPlace {
            notes: "n".repeat(PlaceLimits::NOTES + 1),
            ..hospital()
        },
        NewPlace {
            address: Some("line one\nline two".into()),
            ..hospital()
        },
    ];
    for c in &cases {
        assert!(
            matches!(v.add_place(c), Err(VaultError::Invalid { .. })),
            "{c:?}"
        );
    }
    let h = v.add_place(&hospital()).expect("a good one");
    assert!(matches!(
        v.edit_place(
            &h,
            &PlaceUpdate {
                phone: Some("+1 514 =2".into()),
                ..PlaceUpdate::default()
            }
        ),
        Err(VaultError::Invalid { .. })
    ));
    assert_eq!(v.outbox(1000).expect("outbox").len(), outbox + 1);
    assert_eq!(
        v.place(&h).expect("place").phone.as_deref(),
        Some("+1 (514) 890-8000")
    );
}

fn team_of_two() -> (tempfile::TempDir, Vault, tempfile::TempDir, Vault) {
    let (da, mut a) = new_vault();
    let (db, mut b) = join_vault(&mut a, "Alex");
    exchange(&mut [&mut a, &mut b]);
    (da, a, db, b)
}

#[test]
fn concurrent_edits_of_a_place_merge_and_a_clash_is_kept_until_chosen() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let h = a.add_place(&hospital()).expect("add");
    exchange(&mut [&mut a, &mut b]);
    assert_eq!(b.place(&h).expect("b has it"), a.place(&h).expect("a"));

    // Offline on both: the same field changed two ways, different fields changed once
    // each, both check it, and both add to the notes.
    a.edit_place(
        &h,
        &PlaceUpdate {
            phone: Some("514 890-8001".into()),
            hours: Some("8 h – 20 h".into()),
            notes: Some("Ask for the social worker at triage. No pets.".into()),
            ..PlaceUpdate::default()
        },
    )
    .expect("a edits");
    b.edit_place(
        &h,
        &PlaceUpdate {
            phone: Some("514 890-8002".into()),
            address: Some("850 rue Saint-Denis".into()),
            notes: Some("Closed on holidays. Ask for the social worker at triage".into()),
            ..PlaceUpdate::default()
        },
    )
    .expect("b edits");
    a.check_place(&h).expect("a checks");
    b.check_place(&h).expect("b checks");
    exchange(&mut [&mut a, &mut b]);

    let (pa, pb) = (a.place(&h).expect("a"), b.place(&h).expect("b"));
    assert_eq!(pa, pb, "both devices show the same");
    assert_eq!(pa.hours.as_deref(), Some("8 h – 20 h"));
    assert_eq!(pa.address.as_deref(), Some("850 rue Saint-Denis"));
    assert!(
        pa.notes.contains("No pets") && pa.notes.contains("Closed on holidays"),
        "{}",
        pa.notes
    );
    // Only the phone is a conflict: two checks at once are not.
    assert_eq!(pa.conflicts.len(), 1, "{:?}", pa.conflicts);
    let c = &pa.conflicts[0];
    assert_eq!(c.path, ["places", h.as_str(), "phone"]);
    let mut values = c.values.clone();
    values.sort();
    assert_eq!(values, ["514 890-8001", "514 890-8002"]);
    assert_eq!(pa.phone.as_deref(), Some(c.values[0].as_str()));

    let chosen = c.values[1].clone();
    b.resolve_place_conflict(&h, "phone", 1).expect("choose");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        let p = v.place(&h).expect("place");
        assert!(p.conflicts.is_empty());
        assert_eq!(p.phone.as_deref(), Some(chosen.as_str()));
    }
    // The team's membership is untouched by all this.
    assert_eq!(a.team().expect("a").members, b.team().expect("b").members);
    assert_eq!(a.team().expect("a").members.len(), 2);
}
