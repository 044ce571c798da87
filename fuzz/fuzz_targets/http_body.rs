#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| baraza_fuzz::checks::http_body(data));
