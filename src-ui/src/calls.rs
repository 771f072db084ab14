//! The one way a component calls the shell: [`Ctx::run`] (in the background, the answer to a
//! closure, a failure worded into the screen's error line), [`Ctx::load`] (the same, again each
//! time a sync may have changed the data) and [`Ctx::answer`] for the calls that do more
//! around the answer.

use crate::ctx::Ctx;
use crate::tauri::{invoke, ShellError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tandem_model::shell::Command;

/// A screen's error line: the words of the last failure, none when all is well.
pub type ErrorSignal = RwSignal<Option<String>>;

impl Ctx {
    /// The answer, or `None` with the failure's words put into `error`.
    pub fn answer<T>(&self, r: Result<T, ShellError>, error: ErrorSignal) -> Option<T> {
        r.map_err(|e| error.set(Some(self.error_text(&e)))).ok()
    }

    /// Runs `cmd` in the background; its answer goes to `done`, a failure's words to `error`.
    pub fn run<T, A>(
        &self,
        cmd: Command,
        args: A,
        error: ErrorSignal,
        done: impl FnOnce(T) + 'static,
    ) where
        T: DeserializeOwned + 'static,
        A: Serialize + 'static,
    {
        let ctx = *self;
        spawn_local(async move {
            if let Some(v) = ctx.answer(invoke::<T>(cmd, &args).await, error) {
                done(v);
            }
        });
    }

    /// Loads `cmd`'s answer into `into` now and each time a sync may have brought something
    /// (`refresh`); returns the loader, for a screen to reload after its own changes.
    pub fn load<T, A>(
        &self,
        cmd: Command,
        args: A,
        into: RwSignal<Option<T>>,
        error: ErrorSignal,
    ) -> impl Fn() + Copy + 'static
    where
        T: DeserializeOwned + Send + Sync + 'static,
        A: Serialize + Clone + Send + Sync + 'static,
    {
        let ctx = *self;
        let args = StoredValue::new(args);
        let load = move || ctx.run(cmd, args.get_value(), error, move |v| into.set(Some(v)));
        Effect::new(move |_| {
            ctx.refresh.track();
            load();
        });
        load
    }
}
