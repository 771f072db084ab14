//! The `record_entry` target: see `tandem_fuzz::targets::record_entry`.
#![no_main]

#[global_allocator]
static ALLOC: tandem_fuzz_targets::Limited = tandem_fuzz_targets::Limited::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz::targets::record_entry(data));
