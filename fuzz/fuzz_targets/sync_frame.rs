#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| baraza_fuzz::checks::sync_frame(data));
