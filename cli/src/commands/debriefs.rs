//! `tandem debriefs`: the debriefs peers asked for, and noting one took place.

use crate::args_team_work::{DebriefsAction, DebriefsArgs};
use crate::output::{table, Output};
use crate::session::Session;
use anyhow::Result;
use serde_json::json;
use tandem_model::export::{format_date, format_time};
use tandem_model::DebriefRequest;

pub fn run(a: DebriefsArgs, session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    match a.action {
        None => {
            let list = vault.debrief_requests(a.all)?;
            out.show(&list, |l| render(l, out))
        }
        Some(DebriefsAction::Done { encounter }) => {
            let (id, _, _) = vault.find_encounter(&encounter)?;
            vault.mark_debrief_done(&id)?;
            out.done(json!({ "encounter": id }), || out.t("debrief-noted-done"))
        }
    }
}

fn render(list: &[DebriefRequest], out: &Output) -> String {
    if list.is_empty() {
        return format!("{}\n", out.t("debriefs-none"));
    }
    let mut rows = vec![vec![
        out.t("debrief-column-encounter"),
        out.t("debrief-column-asked-by"),
        out.t("debrief-column-when"),
        out.t("debrief-column-done"),
    ]];
    for d in list {
        let id = d.encounter.as_str();
        rows.push(vec![
            id.get(..8).unwrap_or(id).to_owned(),
            d.asked_by_name.clone().unwrap_or_else(|| "?".into()),
            format_time(d.at, out.lang),
            d.done
                .as_ref()
                .map(|n| format_date(n.at.date_naive(), out.lang))
                .unwrap_or_else(|| out.t("debrief-not-yet")),
        ]);
    }
    table(&rows)
}
