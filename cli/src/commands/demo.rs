//! `tandem demo`: a synthetic team, for demos and benchmarks.

use crate::args::DemoArgs;
use crate::output::{table, Output};
use crate::session::Session;
use anyhow::Result;
use tandem_core::demo::{generate, DemoSize};
use tandem_core::NewVault;

pub fn run(a: &DemoArgs, session: &Session, out: &Output) -> Result<()> {
    let mut vault = if session.exists() {
        session.open()?
    } else {
        session.create(&NewVault {
            member_name: a.me.clone(),
            team_name: a.team.clone(),
        })?
    };
    let size = DemoSize {
        persons: a.persons,
        encounters: a.encounters,
        seed: a.seed,
    };
    let report = generate(&mut vault, &size)?;
    out.show(&report, |r| {
        table(&[
            vec![out.t("people", "personnes").into(), r.persons.to_string()],
            vec![
                out.t("encounters", "rencontres").into(),
                r.encounters.to_string(),
            ],
            vec![
                out.t("follow-ups", "suivis").into(),
                r.follow_ups.to_string(),
            ],
            vec![
                out.t("time", "durée").into(),
                format!("{} ms", r.elapsed_ms),
            ],
        ])
    })
}
