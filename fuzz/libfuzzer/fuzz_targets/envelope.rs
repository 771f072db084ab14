//! The `envelope` target: see `tandem_fuzz::targets::envelope`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::envelope(data));
