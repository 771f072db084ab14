//! `tandem`: the same operations as the app, from the command line.
//!
//! This file parses, dispatches and reports errors; each command is a short call into
//! `tandem_core::Vault` (see `commands/`), so the app and the command can never disagree.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod args;
mod args_cover;
mod args_links;
mod args_team_work;
mod commands;
mod i18n;
mod output;
mod parse;
mod render;
mod render_cover;
mod session;

use clap::error::ErrorKind;
use clap::Parser;
use output::{print_error, Output};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let out = Output {
        json: cli.json,
        lang: cli.lang.unwrap_or_else(parse::lang_from_env),
    };
    let result =
        session::Session::new(cli.vault).and_then(|s| commands::run(cli.command, &s, &out));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_error(&e, out.json);
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout as clap prints them; with `--json`, a usage error is a JSON
/// error like any other. Either way a usage error exits with 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    let informational = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !informational && std::env::args_os().any(|a| a == "--json") {
        let message = one_line(e);
        let json = serde_json::json!({ "error": { "code": "invalid_input", "message": message } });
        let _ = output::write_stdout(format!("{json}\n").as_bytes());
        return ExitCode::from(2);
    }
    let _ = e.print();
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// The error without clap's usage and hint lines, on one line.
fn one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let message = text.split("\n\n").next().unwrap_or_default();
    let words: Vec<&str> = message.split_whitespace().collect();
    words.join(" ").trim_start_matches("error: ").to_owned()
}
