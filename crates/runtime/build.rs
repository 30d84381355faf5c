//! Sets `wvm_tail_calls` when the compiler turns the threaded interpreter's calls from one
//! instruction handler to the next into jumps: optimized builds (opt-level 2, 3, s, z)
//! without debug assertions, for x86-64 and AArch64. Debug assertions add checks that keep
//! locals' addresses alive across those calls, which stops the optimization. Other builds
//! run the portable loop (see `src/interp/threaded.rs`).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    println!("cargo::rustc-check-cfg=cfg(wvm_tail_calls)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let debug_assertions = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    if matches!(opt.as_str(), "2" | "3" | "s" | "z")
        && !debug_assertions
        && matches!(arch.as_str(), "x86_64" | "aarch64")
    {
        println!("cargo::rustc-cfg=wvm_tail_calls");
    }
}
