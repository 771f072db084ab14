//! The two functions of Tauri's global API the app uses (`withGlobalTauri`): `invoke` and
//! `listen`. Commands are named by the contract's [`Command`], never by a string of the UI's
//! own. On the host (unit tests) they answer that there is no shell.
// The code `#[wasm_bindgen]` generates for imported functions contains `unsafe` blocks.
#![allow(unsafe_code)]

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tandem_model::shell::Command;

/// An error from the shell (`{code, message}`), or a failure to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShellError {
    /// A model `ErrorCode` in snake_case, or `locked` (`tandem_model::shell::LOCKED`).
    pub code: String,
    /// Details in English (not shown; the UI words the code).
    #[serde(default)]
    pub message: String,
}

impl ShellError {
    fn internal(message: impl Into<String>) -> Self {
        Self {
            code: "internal".into(),
            message: message.into(),
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
        pub async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
        pub async fn listen(
            event: &str,
            handler: &Closure<dyn FnMut(JsValue)>,
        ) -> Result<JsValue, JsValue>;
    }
}

/// Calls a shell command with named arguments and reads its answer.
#[cfg(target_arch = "wasm32")]
pub async fn invoke<T: DeserializeOwned>(
    cmd: Command,
    args: &impl Serialize,
) -> Result<T, ShellError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args
        .serialize(&serializer)
        .map_err(|e| ShellError::internal(e.to_string()))?;
    match js::invoke(cmd.as_str(), args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| ShellError::internal(e.to_string())),
        Err(e) => Err(
            serde_wasm_bindgen::from_value::<ShellError>(e.clone()).unwrap_or_else(|_| {
                ShellError::internal(
                    e.as_string()
                        .unwrap_or_else(|| "the shell did not answer".into()),
                )
            }),
        ),
    }
}

/// Calls a shell command (host build: there is no shell).
#[cfg(not(target_arch = "wasm32"))]
pub async fn invoke<T: DeserializeOwned>(
    cmd: Command,
    _args: &impl Serialize,
) -> Result<T, ShellError> {
    Err(ShellError::internal(format!(
        "no shell to run {}",
        cmd.as_str()
    )))
}

/// Listens to a shell event for the life of the page; `f` gets each payload.
#[cfg(target_arch = "wasm32")]
pub async fn listen<T: DeserializeOwned + 'static>(event: &str, f: impl Fn(T) + 'static) {
    use wasm_bindgen::prelude::*;
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        if let Ok(payload) = js_sys::Reflect::get(&e, &JsValue::from_str("payload")) {
            if let Ok(v) = serde_wasm_bindgen::from_value::<T>(payload) {
                f(v);
            }
        }
    });
    let _ = js::listen(event, &handler).await;
    // The listener lives as long as the page.
    handler.forget();
}

/// Listens to a shell event (host build: nothing to hear).
#[cfg(not(target_arch = "wasm32"))]
pub async fn listen<T: DeserializeOwned + 'static>(_event: &str, _f: impl Fn(T) + 'static) {}
