//! The `api` target: see `tandem_fuzz::targets::api`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::api(data));
