//! A generated module instantiated with dummy imports, every export called: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wvm_fuzzing::instantiate_and_run(data);
});
