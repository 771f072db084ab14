//! The `keyfile` target: see `tandem_fuzz::targets::keyfile`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::keyfile(data));
