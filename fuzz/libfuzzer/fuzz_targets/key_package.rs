//! The `key_package` target: see `tandem_fuzz::targets::key_package`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::key_package(data));
