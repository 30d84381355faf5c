//! The workloads: the benchmark kit's C programs (built by its `build.sh`), the repository's
//! `examples/simd.c` built with and without `-msimd128`, WAT micro-workloads written here,
//! and a generated multi-megabyte C program for start-up.
//!
//! Every workload is a module without imports that exports `bench: [] -> [i32]`, returning a
//! checksum that has to be the same on every runtime.

use anyhow::{Context, Result, anyhow, bail, ensure};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The C programs of the kit, in its order.
pub const C_PROGRAMS: [&str; 8] = [
    "fib", "sieve", "matmul", "nbody", "sha256", "cmark", "sort", "strings",
];

/// A module to measure.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Row name.
    pub name: String,
    /// `c` for the kit's programs, `wat` for the micro-workloads.
    pub group: &'static str,
    /// One line: what it exercises.
    pub about: String,
    /// The binary module (no imports, exports `bench`).
    pub wasm: Vec<u8>,
}

/// Where the kit lives: `--kit`, else `$WVM_BENCH_KIT`, else `shared/bench` beside the
/// repository.
pub fn default_kit_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WVM_BENCH_KIT") {
        return PathBuf::from(dir);
    }
    repo_root().join("../shared/bench")
}

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Build outputs: `crates/bench/target/programs`.
pub fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/programs")
}

fn newest_mtime(dir: &Path) -> Result<std::time::SystemTime> {
    let mut newest = std::time::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let m = entry?.metadata()?.modified()?;
        newest = newest.max(m);
    }
    Ok(newest)
}

/// Runs the kit's `build.sh` with `OUT=crates/bench/target/programs` unless its outputs are
/// newer than the kit's sources. The kit calls `wat2wasm` (wabt) for its two start-up probes;
/// a shim earlier on `PATH` hands that to this binary's `wat2wasm` subcommand (the `wat`
/// crate), so wabt is not needed.
pub fn build_kit(kit: &Path, self_exe: &Path) -> Result<PathBuf> {
    let script = kit.join("build.sh");
    ensure!(
        script.is_file(),
        "the benchmark kit is not at {} (pass --kit DIR or set WVM_BENCH_KIT)",
        kit.display()
    );
    let out = out_dir();
    let wasm = out.join("wasm");
    let src_time = newest_mtime(&kit.join("src"))?.max(std::fs::metadata(&script)?.modified()?);
    let fresh = C_PROGRAMS.iter().all(|b| {
        [
            format!("{b}.export.wasm"),
            format!("{b}.small.export.wasm"),
            format!("{b}.small.wasm"),
        ]
        .iter()
        .all(|f| {
            std::fs::metadata(wasm.join(f))
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= src_time)
        })
    });
    if fresh {
        return Ok(out);
    }
    let shim_dir = out.join("shim");
    std::fs::create_dir_all(&shim_dir)?;
    let shim = shim_dir.join("wat2wasm");
    std::fs::write(
        &shim,
        format!("#!/bin/sh\nexec '{}' wat2wasm \"$@\"\n", self_exe.display()),
    )?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755))?;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![shim_dir.clone()];
    paths.extend(std::env::split_paths(&path));
    eprintln!(
        "building the kit's programs: OUT={} {}",
        out.display(),
        script.display()
    );
    let status = Command::new("bash")
        .arg(&script)
        .env("OUT", &out)
        .env("PATH", std::env::join_paths(paths)?)
        .status()
        .context("running build.sh")?;
    ensure!(
        status.success(),
        "build.sh failed ({status}); it needs clang, lld, wasi-libc, libclang-rt-14-dev-wasm32 and gcc \
         (`apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32 gcc`)"
    );
    Ok(out)
}

/// The kit's C programs (`NAME.export.wasm`, or `NAME.small.export.wasm` when `small`).
pub fn c_workloads(out: &Path, small: bool) -> Result<Vec<Workload>> {
    C_PROGRAMS
        .iter()
        .map(|name| {
            let file = out.join("wasm").join(if small {
                format!("{name}.small.export.wasm")
            } else {
                format!("{name}.export.wasm")
            });
            let wasm =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            Ok(Workload {
                name: name.to_string(),
                group: "c",
                about: c_about(name).to_string(),
                wasm,
            })
        })
        .collect()
}

fn c_about(name: &str) -> &'static str {
    match name {
        "fib" => "recursive Fibonacci (calls)",
        "sieve" => "prime sieve (byte loads/stores, branches)",
        "matmul" => "f64 matrix multiply",
        "nbody" => "n-body simulation (f64, sqrt)",
        "sha256" => "SHA-256 (i32 rotates, shifts, adds)",
        "cmark" => "CoreMark-like: linked list, state machine, matrix, CRC",
        "sort" => "quicksort + heapsort of pseudo-random ints (random access)",
        "strings" => "string search, copy, compare",
        _ => "",
    }
}

/// `examples/simd.c` as two workloads: `simd` (clang `-msimd128`: v128 code) and
/// `simd-scalar` (the same source without it). Their checksums must agree (checked here on
/// WVM), so the pair shows each runtime's SIMD speed against its own scalar speed.
pub fn simd_workloads(small: bool) -> Result<Vec<Workload>> {
    let src = repo_root().join("examples/simd.c");
    let dir = out_dir().join("simd");
    std::fs::create_dir_all(&dir)?;
    let src_time = std::fs::metadata(&src)?.modified()?;
    let mut built = Vec::new();
    for (name, flags) in [("simd", &["-msimd128"][..]), ("simd-scalar", &[][..])] {
        let file = dir.join(format!("{name}{}.wasm", if small { ".small" } else { "" }));
        let fresh = std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= src_time);
        if !fresh {
            let status = Command::new("clang")
                .args([
                    "--target=wasm32-wasi",
                    "--sysroot=/usr",
                    "-O2",
                    "-DBENCH_EXPORT",
                ])
                .args(["-nostartfiles", "-Wl,--no-entry"])
                .args(if small {
                    &["-DBENCH_DIV=16"][..]
                } else {
                    &[][..]
                })
                .args(flags)
                .arg(&src)
                .arg("-o")
                .arg(&file)
                .status()
                .context(
                    "running clang (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)",
                )?;
            ensure!(status.success(), "clang failed on {}", src.display());
        }
        let wasm = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let about = if flags.is_empty() {
            "examples/simd.c without -msimd128 (same checksum as simd)"
        } else {
            "image/signal kernels, clang -msimd128 (v128 lane arithmetic, shuffles)"
        };
        built.push(Workload {
            name: name.to_string(),
            group: "c",
            about: about.to_string(),
            wasm,
        });
    }
    let sums: Vec<u32> = built
        .iter()
        .map(|w| crate::runtimes::run_once(crate::runtimes::Kind::WvmLazy, &w.wasm))
        .collect::<Result<_>>()?;
    ensure!(
        sums[0] == sums[1],
        "examples/simd.c: the -msimd128 build returned {}, the scalar build {}",
        sums[0],
        sums[1]
    );
    Ok(built)
}

/// The checksum the WASI build of a kit program prints (`checksum: N`), running it on WVM
/// with wvm-wasi and an in-memory stdout. Cross-checks the `bench` export variants.
pub fn wasi_checksum_on_wvm(wasm: &[u8]) -> Result<u32> {
    use wvm_wasi::{WasiCtx, WasiCtxBuilder, WritePipe};
    let engine = wvm::Engine::default();
    let module = wvm::Module::from_binary(&engine, wasm)?;
    let stdout = WritePipe::new_in_memory();
    let ctx = WasiCtxBuilder::new()
        .arg("bench")
        .stdout(stdout.clone())
        .build();
    let mut store = wvm::Store::new(&engine, ctx);
    let mut linker = wvm::Linker::new(&engine);
    wvm_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    if let Err(e) = start.call(&mut store, ()) {
        match e.downcast_ref::<wvm_wasi::I32Exit>() {
            Some(wvm_wasi::I32Exit(0)) => {}
            _ => return Err(anyhow!("{e}")),
        }
    }
    parse_checksum(&String::from_utf8_lossy(&stdout.contents()))
}

/// The checksum a native build prints.
pub fn native_checksum(exe: &Path) -> Result<u32> {
    let out = Command::new(exe)
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    ensure!(out.status.success(), "{} failed", exe.display());
    parse_checksum(&String::from_utf8_lossy(&out.stdout))
}

fn parse_checksum(text: &str) -> Result<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("checksum: "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| anyhow!("no `checksum: N` line in {text:?}"))
}

/// The WAT micro-workloads; `scale` multiplies their iteration counts (1 = the published
/// size, each roughly 0.1-0.5 s on wasmi here).
pub fn micro_workloads(scale: f64) -> Result<Vec<Workload>> {
    let n = |base: u64| ((base as f64 * scale).max(1.0)) as u64;
    let list = [
        (
            "counter",
            "tight loop: i32 add, compare, branch",
            format!(
                r#"(module (func (export "bench") (result i32) (local $i i32) (local $acc i32)
                  (loop $l
                    (local.set $acc (i32.add (local.get $acc) (i32.xor (local.get $i) (i32.const 0x5bd1e995))))
                    (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {})))
                  )
                  (local.get $acc)))"#,
                n(100_000_000)
            ),
        ),
        (
            "fib-rec",
            "recursive fib(i32): calls and returns",
            format!(
                r#"(module
                  (func $fib (param $n i32) (result i32)
                    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
                      (then (local.get $n))
                      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
                  (func (export "bench") (result i32) (call $fib (i32.const {}))))"#,
                // fib(n) calls grow by ~1.618 per step; scale the argument, not a count.
                (33.0 + scale.log(1.618)).round().clamp(5.0, 40.0) as u32
            ),
        ),
        (
            "fib-iter",
            "iterative fib(i64): locals, add, loop",
            format!(
                r#"(module (func (export "bench") (result i32) (local $a i64) (local $b i64) (local $t i64) (local $i i32) (local $r i32) (local $acc i64)
                  (loop $outer
                    (local.set $a (i64.const 0)) (local.set $b (i64.const 1)) (local.set $i (i32.const 0))
                    (loop $inner
                      (local.set $t (i64.add (local.get $a) (local.get $b)))
                      (local.set $a (local.get $b)) (local.set $b (local.get $t))
                      (br_if $inner (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))
                    (local.set $acc (i64.add (local.get $acc) (local.get $a)))
                    (br_if $outer (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const {}))))
                  (i32.wrap_i64 (i64.xor (local.get $acc) (i64.shr_u (local.get $acc) (i64.const 32))))))"#,
                n(60_000)
            ),
        ),
        (
            "call-indirect",
            "call_indirect through an 8-entry table",
            format!(
                r#"(module
                  (type $t (func (param i32) (result i32)))
                  (table 8 funcref)
                  (elem (i32.const 0) $f0 $f1 $f2 $f3 $f4 $f5 $f6 $f7)
                  (func $f0 (type $t) (i32.add (local.get 0) (i32.const 1)))
                  (func $f1 (type $t) (i32.xor (local.get 0) (i32.const 0x55)))
                  (func $f2 (type $t) (i32.mul (local.get 0) (i32.const 3)))
                  (func $f3 (type $t) (i32.sub (local.get 0) (i32.const 7)))
                  (func $f4 (type $t) (i32.rotl (local.get 0) (i32.const 5)))
                  (func $f5 (type $t) (i32.shr_u (local.get 0) (i32.const 1)))
                  (func $f6 (type $t) (i32.or (local.get 0) (i32.const 0x100)))
                  (func $f7 (type $t) (i32.and (local.get 0) (i32.const 0x7fffffff)))
                  (func (export "bench") (result i32) (local $i i32) (local $acc i32)
                    (loop $l
                      (local.set $acc (call_indirect (type $t) (i32.add (local.get $acc) (local.get $i))
                                                      (i32.and (local.get $i) (i32.const 7))))
                      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {}))))
                    (local.get $acc)))"#,
                n(12_000_000)
            ),
        ),
        (
            "bulk-memory",
            "memory.fill and memory.copy of 64 KiB blocks",
            format!(
                r#"(module (memory 4)
                  (func (export "bench") (result i32) (local $i i32) (local $acc i32)
                    (loop $l
                      (memory.fill (i32.const 0) (i32.and (local.get $i) (i32.const 255)) (i32.const 65536))
                      (memory.copy (i32.add (i32.const 65536) (i32.and (local.get $i) (i32.const 1023)))
                                   (i32.const 0) (i32.const 65536))
                      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
                                      (i32.load (i32.add (i32.const 65536) (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfffc))))))
                      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {}))))
                    (local.get $acc)))"#,
                n(100_000)
            ),
        ),
        (
            "globals",
            "global.get / global.set in a loop",
            format!(
                r#"(module
                  (global $g0 (mut i32) (i32.const 0))
                  (global $g1 (mut i32) (i32.const 1))
                  (global $g2 (mut i64) (i64.const 0))
                  (func (export "bench") (result i32) (local $i i32)
                    (loop $l
                      (global.set $g0 (i32.add (global.get $g0) (global.get $g1)))
                      (global.set $g1 (i32.xor (global.get $g1) (global.get $g0)))
                      (global.set $g2 (i64.add (global.get $g2) (i64.extend_i32_u (global.get $g1))))
                      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {}))))
                    (i32.add (global.get $g0) (i32.wrap_i64 (global.get $g2)))))"#,
                n(10_000_000)
            ),
        ),
        (
            "br-table",
            "state machine dispatched by br_table (8 states)",
            format!(
                r#"(module (func (export "bench") (result i32) (local $i i32) (local $s i32) (local $acc i32)
                  (loop $l
                    (block $done
                      (block $s7 (block $s6 (block $s5 (block $s4 (block $s3 (block $s2 (block $s1 (block $s0
                        (br_table $s0 $s1 $s2 $s3 $s4 $s5 $s6 $s7 (local.get $s)))
                        (local.set $acc (i32.add (local.get $acc) (i32.const 1))) (local.set $s (i32.const 3)) (br $done))
                        (local.set $acc (i32.xor (local.get $acc) (local.get $i))) (local.set $s (i32.const 5)) (br $done))
                        (local.set $acc (i32.mul (local.get $acc) (i32.const 3))) (local.set $s (i32.const 0)) (br $done))
                        (local.set $acc (i32.sub (local.get $acc) (i32.const 9))) (local.set $s (i32.const 6)) (br $done))
                        (local.set $acc (i32.rotl (local.get $acc) (i32.const 3))) (local.set $s (i32.const 2)) (br $done))
                        (local.set $acc (i32.add (local.get $acc) (local.get $i))) (local.set $s (i32.const 7)) (br $done))
                        (local.set $acc (i32.shr_u (local.get $acc) (i32.const 1))) (local.set $s (i32.const 4)) (br $done))
                      (local.set $acc (i32.or (local.get $acc) (i32.const 0x1000))) (local.set $s (i32.and (local.get $acc) (i32.const 1))))
                    (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {}))))
                  (local.get $acc)))"#,
                n(20_000_000)
            ),
        ),
    ];
    list.into_iter()
        .map(|(name, about, text)| {
            let wasm = wat::parse_str(&text).with_context(|| format!("micro-workload {name}"))?;
            Ok(Workload {
                name: name.to_string(),
                group: "wat",
                about: about.to_string(),
                wasm,
            })
        })
        .collect()
}

/// The generated start-up program: `funcs` functions of branchy integer and float code in
/// one C file, all reachable through a function-pointer table; `bench` calls every eighth
/// (a program's start touches a fraction of its code). Built like the kit's export variants.
pub fn big_module(funcs: usize) -> Result<(PathBuf, Vec<u8>)> {
    let dir = out_dir().join("big");
    std::fs::create_dir_all(&dir)?;
    let c = dir.join(format!("big{funcs}.c"));
    let wasm_path = dir.join(format!("big{funcs}.export.wasm"));
    let source = big_c_source(funcs);
    let up_to_date = std::fs::read_to_string(&c).is_ok_and(|s| s == source) && wasm_path.is_file();
    if !up_to_date {
        std::fs::write(&c, &source)?;
        eprintln!("compiling the generated start-up program ({funcs} functions) with clang ...");
        let status = Command::new(std::env::var("CLANG").unwrap_or_else(|_| "clang".into()))
            .args([
                "--target=wasm32-wasi",
                "--sysroot=/usr",
                "-O2",
                "-nostartfiles",
                "-Wl,--no-entry",
            ])
            .arg(&c)
            .arg("-o")
            .arg(&wasm_path)
            .status()
            .context("running clang")?;
        if !status.success() {
            let _ = std::fs::remove_file(&wasm_path);
            bail!("clang failed on {}", c.display());
        }
    }
    let wasm = std::fs::read(&wasm_path)?;
    Ok((wasm_path, wasm))
}

fn big_c_source(funcs: usize) -> String {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 16) as u32
    };
    let mut s = String::new();
    s.push_str(
        "/* Generated by wvm-bench (workloads.rs): a large program for start-up measurements. */\n\
         #include <stdint.h>\n\
         typedef uint32_t (*fn_t)(uint32_t, uint32_t, uint32_t);\n\
         static uint32_t state[256];\n\
         static double fstate[64];\n",
    );
    for i in 0..funcs {
        writeln!(
            s,
            "static uint32_t f{i}(uint32_t a, uint32_t b, uint32_t d);"
        )
        .unwrap();
    }
    for i in 0..funcs {
        let k: Vec<u32> = (0..12).map(|_| rand()).collect();
        writeln!(
            s,
            "__attribute__((noinline)) static uint32_t f{i}(uint32_t a, uint32_t b, uint32_t d) {{\n\
             \x20   uint32_t x = a ^ 0x{:08x}u, y = b + 0x{:08x}u;\n\
             \x20   for (uint32_t i = 0; i < (a & 7) + {}; i++) {{\n\
             \x20       switch ((x + i) & 7) {{\n\
             \x20       case 0: x = x * 0x{:08x}u + y; break;\n\
             \x20       case 1: y ^= (x >> {}) | (x << {}); break;\n\
             \x20       case 2: x += state[(y ^ i) & 255] + 0x{:08x}u; break;\n\
             \x20       case 3: state[(x + i) & 255] ^= y * 0x{:08x}u; break;\n\
             \x20       case 4: {{ double f = fstate[(x ^ y) & 63] * 1.000{}1 + (double)(y & 0xffff); fstate[(x + y) & 63] = f * 0.5; y += (uint32_t)(f * 0.25); break; }}\n\
             \x20       case 5: y = y / ((x & 0xff) | 1) + 0x{:08x}u; break;\n\
             \x20       case 6: x = (x < y) ? x - y : y - (x >> {}); break;\n\
             \x20       default: x ^= 0x{:08x}u; y = y * 33u + x; break;\n\
             \x20       }}\n\
             \x20   }}",
            k[0],
            k[1],
            1 + k[2] % 5,
            k[3] | 1,
            1 + k[4] % 31,
            31 - k[4] % 31,
            k[5],
            k[6] | 1,
            k[7] % 10,
            k[8],
            1 + k[9] % 31,
            k[10],
        )
        .unwrap();
        if i > 0 {
            let callee = k[11] as usize % i;
            writeln!(
                s,
                "    if (d > 0 && (x & 3) != 0) x += f{callee}(y, x, d - 1);"
            )
            .unwrap();
        }
        s.push_str("    return x ^ (y >> 3);\n}\n");
    }
    s.push_str("static fn_t const table[] = {\n");
    for i in 0..funcs {
        writeln!(s, "    f{i},").unwrap();
    }
    s.push_str(
        "};\n\
         __attribute__((export_name(\"bench\"))) uint32_t bench(void) {\n\
         \x20   uint32_t h = 0x811c9dc5u;\n\
         \x20   for (uint32_t i = 0; i < sizeof table / sizeof table[0]; i += 8) {\n\
         \x20       h ^= table[i](i, h, 2);\n\
         \x20       h *= 0x01000193u;\n\
         \x20   }\n\
         \x20   return h;\n\
         }\n",
    );
    s
}

/// `wat2wasm IN -o OUT` (what the kit's build.sh calls), with the `wat` crate.
pub fn wat2wasm(args: &[String]) -> Result<()> {
    let (input, output) = match args {
        [input, o, output] if o == "-o" => (input, output),
        _ => bail!("usage: wvm-bench wat2wasm IN.wat -o OUT.wasm"),
    };
    let wasm = wat::parse_file(input).with_context(|| format!("parsing {input}"))?;
    std::fs::write(output, wasm).with_context(|| format!("writing {output}"))?;
    Ok(())
}
