//! Tauri's build step, with a permission generated for each of the app's own commands (the
//! names in the shell ↔ UI contract, `tandem_model::shell::Command`): the capability in
//! `capabilities/` then allows exactly those (and listening to events).

fn main() {
    ensure_front_end();
    let attributes = tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(tandem_model::shell::Command::NAMES),
    );
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is Tauri's own.
        panic!("tauri-build failed: {e:#}");
    }
}

/// Tauri embeds `../src-ui/dist` at compile time and its macro panics if the folder is
/// missing. `scripts/build-ui` builds it; when it has not run yet (a fresh clone, a plain
/// `cargo check --workspace`), a placeholder page is written there so the workspace still
/// compiles, and the app then says how to build its front end.
fn ensure_front_end() {
    let dist = std::path::Path::new("../src-ui/dist");
    println!("cargo:rerun-if-changed=../src-ui/dist");
    if dist.join("index.html").exists() {
        return;
    }
    let page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tandem</title></head>\
        <body><p>The front end is not built: run scripts/build-ui, then build the app again.</p>\
        </body></html>\n";
    if let Err(e) =
        std::fs::create_dir_all(dist).and_then(|_| std::fs::write(dist.join("index.html"), page))
    {
        println!("cargo:warning=could not write a placeholder front end: {e}");
    }
}
