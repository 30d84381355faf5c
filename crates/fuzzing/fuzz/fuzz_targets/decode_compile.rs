//! Any bytes through decoding, validation and eager translation: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wvm_fuzzing::decode_compile(data);
});
