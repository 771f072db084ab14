//! Tandem's front end: Leptos, rendered in the browser engine of the Tauri shell.
//!
//! - [`logic`]: form state, validation and formatting as plain functions (unit-tested on the
//!   host with `cargo test -p tandem-ui`);
//! - [`i18n`]: every word in French and English (Fluent);
//! - [`tauri`]: the binding to the shell's `invoke` and `listen`; the commands, what they take
//!   and answer are the contract in `tandem_model::shell`;
//! - [`ctx`]: what every component shares (a leaf: it renders nothing); [`calls`]: the one way
//!   a component calls the shell and shows a failure;
//! - [`app`] renders [`screens`], which use [`widgets`]; only the entry point imports [`app`].

pub mod app;
pub mod calls;
pub mod ctx;
pub mod i18n;
pub mod logic;
pub mod platform;
pub mod screens;
pub mod tauri;
pub mod widgets;

/// Starts the app (called by `main.js` once the wasm is loaded).
// The exported entry point `#[wasm_bindgen(start)]` generates is flagged by `unsafe_code`.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
