//! The `frames` target: see `tandem_fuzz::targets::frames`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::frames(data));
