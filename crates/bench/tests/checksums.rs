//! Every runtime returns the same checksum on the small workloads. No timing here: speed is
//! read from the report, never asserted.
//!
//! `cargo test --release --manifest-path crates/bench/Cargo.toml` (reuses the release build).

use wvm_bench::runtimes::{Kind, run_once};
use wvm_bench::workloads::{self, Workload};

fn check_agree(workloads: &[Workload]) {
    for w in workloads {
        let mut results = Vec::new();
        for kind in Kind::all() {
            let got = run_once(kind, &w.wasm);
            if kind == Kind::Wasm3 && (w.name == "bulk-memory" || w.name == "simd") {
                // wasm3 0.4.7 predates the bulk-memory and SIMD proposals.
                assert!(
                    got.is_err(),
                    "wasm3 now runs {}: update this test and the docs",
                    w.name
                );
                continue;
            }
            let got = got.unwrap_or_else(|e| panic!("{} on {}: {e:#}", kind.id(), w.name));
            results.push((kind, got));
        }
        let first = results[0].1;
        for (kind, got) in &results {
            assert_eq!(
                *got,
                first,
                "{}: {} returned {got}, {} returned {first}",
                w.name,
                kind.id(),
                results[0].0.id()
            );
        }
    }
}

#[test]
fn simd_example_agrees_with_its_scalar_build_everywhere() {
    if std::process::Command::new("clang")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no clang");
        return;
    }
    // `simd_workloads` itself checks that the two builds agree on WVM.
    let both = workloads::simd_workloads(true).unwrap();
    assert_eq!(both[0].name, "simd");
    check_agree(&both);
    let sums: Vec<u32> = both
        .iter()
        .map(|w| run_once(Kind::Wasmi, &w.wasm).unwrap())
        .collect();
    assert_eq!(
        sums[0], sums[1],
        "wasmi: -msimd128 and scalar builds differ"
    );
}

#[test]
fn micro_workloads_agree() {
    check_agree(&workloads::micro_workloads(0.01).unwrap());
}

#[test]
fn kit_small_programs_agree_and_match_wasi_and_native() {
    let kit = workloads::default_kit_dir();
    if !kit.join("build.sh").is_file()
        || std::process::Command::new("clang")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("skipped: no benchmark kit at {} or no clang", kit.display());
        return;
    }
    let out = workloads::build_kit(&kit, env!("CARGO_BIN_EXE_wvm-bench").as_ref()).unwrap();
    let programs = workloads::c_workloads(&out, true).unwrap();
    check_agree(&programs);
    for w in &programs {
        let export = run_once(Kind::WvmLazy, &w.wasm).unwrap();
        let wasi = std::fs::read(out.join(format!("wasm/{}.small.wasm", w.name))).unwrap();
        assert_eq!(
            workloads::wasi_checksum_on_wvm(&wasi).unwrap(),
            export,
            "{}: WASI build",
            w.name
        );
        let native = out.join(format!("native/{}.small", w.name));
        assert_eq!(
            workloads::native_checksum(&native).unwrap(),
            export,
            "{}: native build",
            w.name
        );
    }
}
