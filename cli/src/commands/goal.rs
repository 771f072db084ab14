//! `tandem goal …`

use super::find;
use crate::args::GoalCommand;
use crate::output::{Failure, Output};
use crate::render;
use crate::session::Session;
use anyhow::Result;
use serde_json::json;
use tandem_model::{ErrorCode, GoalId, GoalUpdate, NewGoal, StepId};

pub fn run(command: GoalCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        GoalCommand::Add(a) => {
            let mut vault = session.open()?;
            let id = find(&vault, &a.person)?;
            let goal = NewGoal {
                words: a.words,
                domain: a.domain,
                status: a.status,
                steps: a.steps,
                next_check_in: a.check_in,
            };
            out.made(vault.add_goal(&id, &goal)?.as_str())
        }
        GoalCommand::Edit(e) => {
            let update = GoalUpdate {
                words: e.words,
                domain: e.domain,
                status: e.status,
                next_check_in: e.check_in.map(|c| c.0),
            };
            if update.is_empty() {
                return Err(Failure::new(
                    ErrorCode::InvalidInput,
                    "nothing to change: give at least one of --words, --domain, --status, --check-in",
                )
                .into());
            }
            let mut vault = session.open()?;
            let id = find(&vault, &e.person)?;
            vault.update_goal(&id, &GoalId(e.goal.clone()), &update)?;
            out.done(json!({ "id": e.goal }), || out.t("goal-updated"))
        }
        GoalCommand::Step { person, goal, add } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            out.made(vault.add_step(&id, &GoalId(goal), &add)?.as_str())
        }
        GoalCommand::Tick {
            person,
            goal,
            step,
            undo,
        } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            vault.set_step_done(&id, &GoalId(goal), &StepId(step.clone()), !undo)?;
            out.done(json!({ "id": step, "done": !undo }), || {
                if undo {
                    out.t("goal-step-unticked")
                } else {
                    out.t("goal-step-ticked")
                }
            })
        }
        GoalCommand::List { person } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            let goals = vault.person(&id)?.goals;
            out.show(&goals, |g| render::goals(g, out))
        }
    }
}
