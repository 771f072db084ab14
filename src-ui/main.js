// Loads the front end (Rust compiled to WebAssembly by wasm-bindgen); its start function
// mounts the app. A file of its own, not an inline script, so the CSP needs no exception.
import init from "./tandem_ui.js";
init();
