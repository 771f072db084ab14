//! Three devices doing random things offline, hearing from each other in random order, in
//! random pieces, more than once: once everyone has heard everything, all three agree and
//! nothing recorded is lost.

use crate::support::*;
use proptest::prelude::*;
use proptest::sample::Index;
use tandem_core::model::*;
use tandem_core::{DocKind, Vault, VaultError};

const REPLICAS: usize = 3;
const MONTHS: [&str; 2] = ["2024-03", "2024-04"];

#[derive(Clone, Debug)]
enum Op {
    AddPerson {
        r: usize,
        name: String,
    },
    Encounter {
        r: usize,
        person: Index,
        notes: String,
    },
    EditNotes {
        r: usize,
        encounter: Index,
        notes: String,
    },
    SetStatus {
        r: usize,
        goal: Index,
        status: Index,
    },
    AddGoal {
        r: usize,
        person: Index,
        words: String,
    },
    Rename {
        r: usize,
        person: Index,
        name: String,
    },
    TickStep {
        r: usize,
        step: Index,
        done: bool,
    },
    Anonymous {
        r: usize,
        month: usize,
        notes: String,
    },
    /// Some of `from`'s unacknowledged changes, picked and ordered at random (repeats
    /// allowed), delivered to `to`.
    Deliver {
        from: usize,
        to: usize,
        pick: Vec<Index>,
    },
}

fn replica() -> impl Strategy<Value = usize> {
    0..REPLICAS
}

fn words() -> impl Strategy<Value = String> {
    "[a-zéèàô]{1,7}( [a-zéèàô]{1,7}){0,4}"
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (replica(), "[A-Z][a-zéë]{1,6}( [A-Z][a-zé]{1,6})?")
            .prop_map(|(r, name)| Op::AddPerson { r, name }),
        3 => (replica(), any::<Index>(), words())
            .prop_map(|(r, person, notes)| Op::Encounter { r, person, notes }),
        3 => (replica(), any::<Index>(), words())
            .prop_map(|(r, encounter, notes)| Op::EditNotes { r, encounter, notes }),
        2 => (replica(), any::<Index>(), any::<Index>())
            .prop_map(|(r, goal, status)| Op::SetStatus { r, goal, status }),
        2 => (replica(), any::<Index>(), words())
            .prop_map(|(r, person, words)| Op::AddGoal { r, person, words }),
        1 => (replica(), any::<Index>(), "[A-Z][a-z]{1,6}")
            .prop_map(|(r, person, name)| Op::Rename { r, person, name }),
        2 => (replica(), any::<Index>(), any::<bool>())
            .prop_map(|(r, step, done)| Op::TickStep { r, step, done }),
        1 => (replica(), 0..MONTHS.len(), words())
            .prop_map(|(r, month, notes)| Op::Anonymous { r, month, notes }),
        5 => (replica(), 1..REPLICAS, prop::collection::vec(any::<Index>(), 0..8))
            .prop_map(|(from, d, pick)| Op::Deliver { from, to: (from + d) % REPLICAS, pick }),
    ]
}

/// What the test has been told was recorded, to check nothing is lost.
#[derive(Default)]
struct Known {
    persons: Vec<PersonId>,
    goals: Vec<(PersonId, GoalId)>,
    steps: Vec<(PersonId, GoalId, StepId)>,
    encounters: Vec<(PersonId, EncounterId)>,
    anonymous: Vec<(&'static str, EncounterId)>,
}

/// A target that has not reached this replica yet (or whose document is still waiting for
/// its creation) is refused; anything else is a failure.
fn not_here_yet(e: &VaultError) -> bool {
    matches!(
        e,
        VaultError::NotFound { .. } | VaultError::WrongDocumentShape { .. }
    )
}

fn pick<T: Clone>(items: &[T], i: &Index) -> Option<T> {
    (!items.is_empty()).then(|| items[i.index(items.len())].clone())
}

/// What a replica shows.
struct View {
    documents: Vec<(String, DocKind)>,
    heads: Vec<Vec<String>>,
    people: Vec<PersonSummary>,
    records: Vec<PersonRecord>,
}

fn view(v: &mut Vault, known: &Known) -> View {
    let documents = v.documents().expect("docs");
    View {
        heads: documents
            .iter()
            .map(|(id, _)| v.document_heads(id).expect("heads"))
            .collect(),
        documents,
        people: v.list_people().expect("list"),
        records: known
            .persons
            .iter()
            .map(|p| v.person(p).expect("person"))
            .collect(),
    }
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let (da, mut a) = new_vault();
    let (db, b) = join_vault(&mut a, "Alex");
    let (dc, c) = join_vault(&mut a, "Chris");
    let dirs = (da, db, dc);
    let mut v = [a, b, c];
    let mut known = Known::default();

    for op in ops {
        let outcome: Result<(), VaultError> = match op {
            Op::AddPerson { r, name } => v[*r]
                .add_person(&NewPerson {
                    name: name.clone(),
                    ..NewPerson::default()
                })
                .map(|id| known.persons.push(id)),
            Op::Encounter { r, person, notes } => match pick(&known.persons, person) {
                None => Ok(()),
                Some(p) => v[*r]
                    .record_encounter(&NewEncounter {
                        notes: notes.clone(),
                        ..NewEncounter::with_person(p.clone())
                    })
                    .map(|e| known.encounters.push((p, e))),
            },
            Op::EditNotes {
                r,
                encounter,
                notes,
            } => match pick(&known.encounters, encounter) {
                None => Ok(()),
                Some((p, e)) => v[*r].update_encounter_notes(&p, &e, notes),
            },
            Op::SetStatus { r, goal, status } => match pick(&known.goals, goal) {
                None => Ok(()),
                Some((p, g)) => v[*r].update_goal(
                    &p,
                    &g,
                    &GoalUpdate {
                        status: Some(GoalStatus::ALL[status.index(GoalStatus::ALL.len())]),
                        ..GoalUpdate::default()
                    },
                ),
            },
            Op::AddGoal { r, person, words } => match pick(&known.persons, person) {
                None => Ok(()),
                Some(p) => v[*r]
                    .add_goal(
                        &p,
                        &NewGoal {
                            words: words.clone(),
                            domain: None,
                            status: None,
                            steps: vec![format!("first step of {words}")],
                            next_check_in: None,
                        },
                    )
                    .and_then(|g| {
                        let rec = v[*r].person(&p)?;
                        let goal = rec.goals.iter().find(|x| x.id == g).expect("new goal");
                        for s in &goal.steps {
                            known.steps.push((p.clone(), g.clone(), s.id.clone()));
                        }
                        known.goals.push((p, g));
                        Ok(())
                    }),
            },
            Op::Rename { r, person, name } => match pick(&known.persons, person) {
                None => Ok(()),
                Some(p) => v[*r].update_profile(
                    &p,
                    &ProfileUpdate {
                        name: Some(name.clone()),
                        ..ProfileUpdate::default()
                    },
                ),
            },
            Op::TickStep { r, step, done } => match pick(&known.steps, step) {
                None => Ok(()),
                Some((p, g, s)) => v[*r].set_step_done(&p, &g, &s, *done),
            },
            Op::Anonymous { r, month, notes } => {
                let m = MONTHS[*month];
                let when = if *month == 0 {
                    at(2024, 3, 15, 12, 0)
                } else {
                    at(2024, 4, 2, 8, 30)
                };
                v[*r]
                    .record_encounter(&NewEncounter {
                        at: Some(when),
                        notes: notes.clone(),
                        ..NewEncounter::anonymous()
                    })
                    .map(|e| known.anonymous.push((m, e)))
            }
            Op::Deliver { from, to, pick } => {
                let out = v[*from].outbox(100_000).expect("outbox");
                if !out.is_empty() {
                    for i in pick {
                        let e = &out[i.index(out.len())];
                        v[*to]
                            .apply_changes(&e.doc_id, e.kind, &[&e.bytes])
                            .map_err(|err| {
                                TestCaseError::fail(format!("delivering {e:?}: {err}"))
                            })?;
                    }
                }
                Ok(())
            }
        };
        if let Err(e) = outcome {
            prop_assert!(not_here_yet(&e), "{op:?} failed: {e:?}");
        }
    }

    // Everyone hears everything, then the relay acknowledges it all; then every device is
    // locked and unlocked, so what is compared is what each one keeps, not what it holds in
    // memory.
    let [a, b, c] = &mut v;
    exchange(&mut [a, b, c]);
    let [a, b, c] = v;
    let mut v = [
        reopen(dirs.0.path(), a),
        reopen(dirs.1.path(), b),
        reopen(dirs.2.path(), c),
    ];

    let views: Vec<View> = v.iter_mut().map(|x| view(x, &known)).collect();
    let first = &views[0];
    prop_assert_eq!(
        first.people.len(),
        known.persons.len(),
        "every person is listed"
    );
    for (r, other) in views.iter().enumerate().skip(1) {
        prop_assert_eq!(&other.documents, &first.documents, "documents on {}", r);
        for ((id, _), (h0, h)) in first
            .documents
            .iter()
            .zip(first.heads.iter().zip(&other.heads))
        {
            prop_assert_eq!(h, h0, "heads of {} on {}", id, r);
        }
        prop_assert_eq!(&other.people, &first.people, "people on {}", r);
        prop_assert_eq!(&other.records, &first.records, "records on {}", r);
    }
    let months: std::collections::BTreeSet<&str> =
        known.anonymous.iter().map(|(m, _)| *m).collect();
    for (r, (x, seen)) in v.iter_mut().zip(&views).enumerate() {
        for (p, e) in &known.encounters {
            let rec = seen
                .records
                .iter()
                .find(|rec| &rec.id == p)
                .expect("record");
            prop_assert!(
                rec.encounters.iter().any(|x| &x.id == e),
                "encounter {} lost on {}",
                e,
                r
            );
        }
        for (m, e) in &known.anonymous {
            let log = x.street_log(m).expect("log");
            prop_assert!(
                log.iter().any(|x| &x.id == e),
                "street encounter {} lost on {}",
                e,
                r
            );
        }
        let logs = seen
            .documents
            .iter()
            .filter(|(_, k)| *k == DocKind::StreetLog)
            .count();
        prop_assert_eq!(
            logs,
            months.len(),
            "one street log per month used, on {}",
            r
        );
        prop_assert_eq!(x.outbox_len().expect("outbox"), 0);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        // Each case opens vaults six times (Argon2id each): keep shrinking bounded.
        max_shrink_iters: 256,
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn three_devices_converge_whatever_the_order(ops in prop::collection::vec(op(), 1..40)) {
        run(&ops)?;
    }
}
