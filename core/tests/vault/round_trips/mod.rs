//! Every operation, read back after the vault is locked and unlocked again.

mod exports;
mod lists;
mod records;
mod upkeep;

use tandem_core::model::{NewGoal, NewPerson, PersonId};
use tandem_core::Vault;

pub(super) fn add(v: &mut Vault, name: &str) -> PersonId {
    v.add_person(&NewPerson {
        name: name.into(),
        ..NewPerson::default()
    })
    .expect("add person")
}

pub(super) fn goal(words: &str) -> NewGoal {
    NewGoal {
        words: words.into(),
        domain: None,
        status: None,
        steps: vec![],
        next_check_in: None,
    }
}
