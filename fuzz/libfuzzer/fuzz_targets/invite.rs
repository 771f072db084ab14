//! The `invite` target: see `tandem_fuzz::targets::invite`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::invite(data));
