//! v128 on the command line: `examples/simd.c` built with and without `-msimd128` prints the
//! same through `wvm run`, and `--invoke` parses and prints v128 values in the text format's
//! lane syntax.

use std::path::PathBuf;

use crate::*;

/// `examples/simd.c` compiled with clang (`-O2`, about 1/16 of the work) plus `extra` flags.
fn build_simd_example(name: &str, extra: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-simd");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{name}.wasm"));
    let flags: Vec<&str> = ["-O2", "-Wextra", "-DBENCH_DIV=16"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    crate::wasi::clang_wasi(&repo_root().join("examples/simd.c"), &out, &flags);
    out
}

/// Whether the module validates without the SIMD feature.
fn validates_without_simd(wasm: &std::path::Path) -> bool {
    let bytes = std::fs::read(wasm).unwrap();
    let features = wasmparser::WasmFeatures::WASM2 & !wasmparser::WasmFeatures::SIMD;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&bytes)
        .is_ok()
}

#[test]
fn c_program_built_with_msimd128_prints_what_its_scalar_build_prints() {
    let scalar = build_simd_example("scalar", &[]);
    let simd = build_simd_example("simd", &["-msimd128"]);
    // The two builds really differ: only the scalar one is free of v128 code.
    assert!(validates_without_simd(&scalar));
    assert!(!validates_without_simd(&simd));
    let run = |wasm: &PathBuf| {
        let out = wvm(&["run", path_str(wasm)]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let expected = run(&scalar);
    assert!(expected.starts_with("checksum: "), "{expected}");
    assert_eq!(run(&simd), expected);
}

#[test]
fn invoke_takes_and_prints_v128_lanes() {
    let wat = temp_file(
        "simd_invoke",
        "simd.wat",
        br#"(module
          (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
          (func (export "half") (param v128) (result v128) (f32x4.mul (local.get 0) (v128.const f32x4 0.5 0.5 0.5 0.5))))"#,
    );
    let wat = path_str(&wat);
    assert_prints(
        &[
            "run",
            "--invoke",
            "add",
            wat,
            "i32x4 1 2 3 -4",
            "i32x4 10 20 30 40",
        ],
        "i32x4 11 22 33 36\n",
    );
    assert_prints(
        &[
            "run",
            "--invoke",
            "add",
            wat,
            "i8x16 1 0 0 0 2 0 0 0 3 0 0 0 4 0 0 0",
            "0x1",
        ],
        "i32x4 2 2 3 4\n",
    );
    // 1.0 halved is 0.5 (0x3f000000), printed as its i32 lane.
    assert_prints(
        &["run", "--invoke", "half", wat, "f32x4 1 0 -0 2"],
        "i32x4 1056964608 0 -2147483648 1065353216\n",
    );
    assert_error(
        &["run", "--invoke", "add", wat, "i32x4 1 2 3", "0"],
        1,
        &["i32x4 1 2 3 4"],
    );
}
