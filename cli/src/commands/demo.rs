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
            vec![out.t("demo-people"), r.persons.to_string()],
            vec![out.t("demo-encounters"), r.encounters.to_string()],
            vec![out.t("demo-follow-ups"), r.follow_ups.to_string()],
            vec![out.t("demo-time"), format!("{} ms", r.elapsed_ms)],
        ])
    })
}
