//! A generated module in WVM and in wasmi: any disagreement is a crash, with the module
//! printed as text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(d) = wvm_fuzzing::differential(data) {
        panic!("{d}\n{}", d.wat());
    }
});
