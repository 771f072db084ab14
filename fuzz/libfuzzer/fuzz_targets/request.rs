//! The `request` target: see `tandem_fuzz::targets::request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::request(data));
