//! `tandem team …`

use crate::args::TeamCommand;
use crate::output::Output;
use crate::render;
use crate::session::Session;
use anyhow::Result;

pub fn run(command: TeamCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        TeamCommand::Show => {
            let team = session.open()?.team()?;
            out.show(&team, |t| render::team(t, out))
        }
    }
}
