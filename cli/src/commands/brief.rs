//! `tandem brief PERSON`

use super::find;
use crate::args::BriefArgs;
use crate::output::Output;
use crate::render;
use crate::session::Session;
use anyhow::Result;

pub fn run(a: &BriefArgs, session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    let id = find(&vault, &a.person)?;
    let brief = vault.brief(&id)?;
    out.show(&brief, |b| render::brief(b, out))
}
