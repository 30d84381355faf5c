//! Resource limits (a store's `ResourceLimiter`), compile-time limits (`Config::max_*`), and
//! the corpus of hostile modules at `tests/hostile/`: every case ends in a clean error or
//! trap, and the process's peak memory stays bounded.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wvm::*;

fn instantiate(engine: &Engine, store: &mut Store<()>, wat: &str) -> Result<Instance> {
    let module = Module::new(engine, wat)?;
    Linker::new(engine).instantiate(store, &module)
}

const GROWERS: &str = r#"(module
    (memory (export "m") 15)
    (table (export "t") 99 funcref)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "tgrow") (param i32) (result i32)
        (table.grow (ref.null func) (local.get 0))))"#;

#[test]
fn store_limits_bound_memories_and_tables() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let limits = StoreLimitsBuilder::new()
        .memory_size(1 << 20)
        .table_elements(100)
        .build();
    store.limiter(limits);
    // Initial sizes over the limits: instantiation fails, naming the limit.
    let e = instantiate(&engine, &mut store, "(module (memory 17))").unwrap_err();
    assert!(e.to_string().contains("memory size limit"), "{e}");
    let e = instantiate(&engine, &mut store, "(module (table 101 funcref))").unwrap_err();
    assert!(e.to_string().contains("table elements limit"), "{e}");

    // Within them, code grows up to the limit, then gets -1.
    let i = instantiate(&engine, &mut store, GROWERS)?;
    let grow = i.get_typed_func::<i32, i32>(&store, "grow")?;
    assert_eq!(grow.call(&mut store, 2)?, -1);
    assert_eq!(grow.call(&mut store, 1)?, 15);
    assert_eq!(grow.call(&mut store, 1)?, -1);
    assert_eq!(grow.call(&mut store, 0)?, 16);
    let tgrow = i.get_typed_func::<i32, i32>(&store, "tgrow")?;
    assert_eq!(tgrow.call(&mut store, 2)?, -1);
    assert_eq!(tgrow.call(&mut store, 1)?, 99);
    assert_eq!(tgrow.call(&mut store, 1)?, -1);

    // The host's growth fails with an error.
    let m = i.get_memory(&store, "m").unwrap();
    let e = m.grow(&mut store, 1).unwrap_err();
    assert!(e.to_string().contains("failed to grow memory"), "{e}");
    assert_eq!(m.size(&store), 16);
    let t = i.get_table(&store, "t").unwrap();
    assert!(t.grow(&mut store, 1, Ref::Func(None)).is_err());
    assert_eq!(t.size(&store), 100);

    // Memories and tables the host creates obey the same limits.
    assert!(Memory::new(&mut store, MemoryType::new(17, None)).is_err());
    Memory::new(&mut store, MemoryType::new(16, None))?;
    let big = TableType::new(RefType::FUNCREF, 101, None);
    assert!(Table::new(&mut store, big, Ref::Func(None)).is_err());
    Ok(())
}

#[test]
fn trap_on_grow_failure_turns_minus_one_into_a_trap() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let limits = StoreLimitsBuilder::new()
        .memory_size(1 << 20)
        .table_elements(100)
        .trap_on_grow_failure(true)
        .build();
    store.limiter(limits);
    let i = instantiate(&engine, &mut store, GROWERS)?;
    let grow = i.get_typed_func::<i32, i32>(&store, "grow")?;
    let e = grow.call(&mut store, 2).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::ResourceLimitExceeded), "{e}");
    assert!(e.to_string().contains("resource limit exceeded"), "{e}");
    let tgrow = i.get_typed_func::<i32, i32>(&store, "tgrow")?;
    let e = tgrow.call(&mut store, 2).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::ResourceLimitExceeded), "{e}");
    // Past the declared maximum (not a limit of the store), the growth traps too.
    let capped = r#"(module (memory 1 2)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let i = instantiate(&engine, &mut store, capped)?;
    let grow = i.get_typed_func::<i32, i32>(&store, "grow")?;
    assert_eq!(grow.call(&mut store, 1)?, 1);
    let e = grow.call(&mut store, 1).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::ResourceLimitExceeded), "{e}");
    // From the host, the limiter's error itself comes back.
    let m = Memory::new(&mut store, MemoryType::new(1, None))?;
    let e = m.grow(&mut store, 16).unwrap_err();
    assert!(e.to_string().contains("limit of 1048576 bytes"), "{e}");
    Ok(())
}

#[test]
fn store_limits_count_instances_memories_and_tables() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimitsBuilder::new().instances(2).build());
    instantiate(&engine, &mut store, "(module)")?;
    instantiate(&engine, &mut store, "(module)")?;
    let e = instantiate(&engine, &mut store, "(module)").unwrap_err();
    assert!(e.to_string().contains("at most 2 instances"), "{e}");

    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimitsBuilder::new().memories(1).tables(1).build());
    let one_each = "(module (memory 1) (table 1 funcref))";
    instantiate(&engine, &mut store, one_each)?;
    let e = instantiate(&engine, &mut store, one_each).unwrap_err();
    assert!(e.to_string().contains("at most 1 tables"), "{e}");
    let e = Memory::new(&mut store, MemoryType::new(0, None)).unwrap_err();
    assert!(e.to_string().contains("at most 1 memories"), "{e}");
    let ty = TableType::new(RefType::FUNCREF, 0, None);
    assert!(Table::new(&mut store, ty, Ref::Func(None)).is_err());
    // A refused instantiation adds nothing to the store: the next module still fits.
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimitsBuilder::new().memories(1).build());
    assert!(instantiate(&engine, &mut store, "(module (memory 1) (memory 1))").is_err());
    instantiate(&engine, &mut store, "(module (memory 1))")?;
    Ok(())
}

/// What a limiter was asked: current size, desired size, maximum.
type Asked = Arc<Mutex<Vec<(usize, usize, Option<usize>)>>>;

/// Records what it is asked, and refuses with an error past 3 pages.
struct Recorder(Asked);

impl ResourceLimiter for Recorder {
    fn memory_growing(&mut self, cur: usize, desired: usize, max: Option<usize>) -> Result<bool> {
        self.0.lock().unwrap().push((cur, desired, max));
        if desired > 3 << 16 {
            return Err(Error::msg("the recorder says no"));
        }
        Ok(true)
    }

    fn table_growing(&mut self, cur: usize, desired: usize, max: Option<usize>) -> Result<bool> {
        self.0.lock().unwrap().push((cur, desired, max));
        Ok(true)
    }
}

#[test]
fn a_custom_limiter_sees_sizes_and_its_errors() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let seen = Arc::new(Mutex::new(Vec::new()));
    store.limiter(Recorder(seen.clone()));
    let i = instantiate(
        &engine,
        &mut store,
        r#"(module (memory (export "m") 1 5) (table 2 7 funcref)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )?;
    let grow = i.get_typed_func::<i32, i32>(&store, "grow")?;
    assert_eq!(grow.call(&mut store, 1)?, 1);
    // A growth by zero asks nothing.
    assert_eq!(grow.call(&mut store, 0)?, 2);
    let page = 1 << 16;
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (0, 2, Some(7)),
            (0, page, Some(5 * page)),
            (page, 2 * page, Some(5 * page))
        ]
    );
    let e = grow.call(&mut store, 2).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::ResourceLimitExceeded), "{e}");
    let m = i.get_memory(&store, "m").unwrap();
    let e = m.grow(&mut store, 2).unwrap_err();
    assert_eq!(e.to_string(), "the recorder says no");
    assert_eq!(m.size(&store), 2);
    Ok(())
}

fn compile_error(engine: &Engine, wat: &str) -> (String, u64) {
    let e = Module::new(engine, wat).unwrap_err();
    match e.kind() {
        ErrorKind::Compile(c) => (c.message.clone(), c.offset),
        _ => panic!("not a compile error: {e}"),
    }
}

#[test]
fn compile_limits_name_the_limit_and_the_offset() -> Result<()> {
    let mut config = Config::new();
    config
        .max_functions(2)
        .max_locals(3)
        .max_nesting_depth(2)
        .max_function_body_size(64);
    let engine = Engine::new(&config);
    let (m, _) = compile_error(&engine, r#"(module (import "a" "b" (func)) (func) (func))"#);
    assert!(m.contains("max_functions"), "{m}");
    let (m, _) = compile_error(&engine, "(module (func (param i32) (local i32 i32 i32)))");
    assert!(m.contains("max_locals"), "{m}");
    let nested = "(module (func block block block end end end))";
    let (m, offset) = compile_error(&engine, nested);
    assert!(m.contains("max_nesting_depth"), "{m}");
    // The third `block` is the one too deep: the last of the three 0x02 opcodes.
    let wasm = wat::parse_str(nested).unwrap();
    let third = wasm.iter().rposition(|&b| b == 0x02).unwrap();
    assert_eq!(offset, third as u64);
    let nops = format!("(module (func {}))", "nop ".repeat(64));
    let (m, _) = compile_error(&engine, &nops);
    assert!(m.contains("max_function_body_size"), "{m}");
    // `Module::validate` applies the engine's limits as well.
    let wasm = wat::parse_str(&nops).unwrap();
    assert!(Module::validate(&engine, &wasm).is_err());
    assert!(Module::validate(&Engine::default(), &wasm).is_ok());
    // Within the limits, all of it compiles.
    Module::new(
        &engine,
        "(module (func (param i32) (local i32 i32) block block end end))",
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The hostile corpus.

/// Peak resident memory this test process may reach running the whole corpus.
const PEAK_LIMIT_MIB: u64 = 512;

fn hostile(name: &str) -> String {
    let path = format!("{}/../../tests/hostile/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The process's peak resident set size (`VmHWM`) in KiB, where `/proc` tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs one case and prints what it ended in, how long it took and the peak memory so far.
fn case(name: &str, run: impl FnOnce() -> Result<String>) {
    let start = Instant::now();
    let outcome = match run() {
        Ok(s) => s,
        Err(e) => panic!("hostile case {name}: unexpected error: {e}"),
    };
    let peak = peak_rss_kib().map_or("?".into(), |k| format!("{} MiB", k / 1024));
    println!(
        "hostile {name}: {outcome} ({} ms, peak RSS so far {peak})",
        start.elapsed().as_millis()
    );
}

/// Instantiates and calls `func` (no parameters) of `wat` in `store`.
fn call<R: WasmResults>(
    engine: &Engine,
    store: &mut Store<()>,
    wat: &str,
    func: &str,
) -> Result<R> {
    let i = instantiate(engine, store, wat)?;
    i.get_typed_func::<(), R>(&*store, func)?.call(store, ())
}

fn expect_trap<R: std::fmt::Debug>(r: Result<R>, code: TrapCode) -> Result<String> {
    match r {
        Err(e) if e.trap_code() == Some(code) => Ok(format!("trap `{e}`")),
        other => Err(Error::msg(format!(
            "expected a {code:?} trap, got {other:?}"
        ))),
    }
}

fn expect_error<R: std::fmt::Debug>(r: Result<R>, needle: &str) -> Result<String> {
    match r {
        Err(e) if e.to_string().contains(needle) => Ok(format!("error `{e}`")),
        other => Err(Error::msg(format!(
            "expected an error with {needle:?}, got {other:?}"
        ))),
    }
}

fn limited(engine: &Engine, limits: StoreLimits) -> Store<()> {
    let mut store = Store::new(engine, ());
    store.limiter(limits);
    store
}

fn run_corpus() {
    let engine = Engine::default();
    let mib = StoreLimitsBuilder::new().memory_size(1 << 20);

    let wat = hostile("memory-4gib.wat");
    case("memory-4gib.wat (no limiter)", || {
        let mut store = Store::new(&engine, ());
        // Lazily allocated: 4 GiB of address space, one page touched. A host without the
        // address space may refuse it instead, cleanly.
        match call::<i32>(&engine, &mut store, &wat, "touch_last") {
            Ok(42) => Ok("instantiated lazily, last byte written and read".into()),
            r => expect_error(r, "cannot allocate"),
        }
    });
    case("memory-4gib.wat (1 MiB limit)", || {
        let mut store = limited(&engine, mib.clone().build());
        expect_error(instantiate(&engine, &mut store, &wat), "memory size limit")
    });

    let wat = hostile("table-max.wat");
    case("table-max.wat (no limiter)", || {
        let mut store = Store::new(&engine, ());
        match call::<i32>(&engine, &mut store, &wat, "size") {
            Ok(-1) => Ok("instantiated lazily, 2^32-1 null elements".into()),
            r => expect_error(r, "cannot allocate a table"),
        }
    });
    case("table-max.wat (10,000-element limit)", || {
        let limits = StoreLimitsBuilder::new().table_elements(10_000).build();
        let mut store = limited(&engine, limits);
        expect_error(
            instantiate(&engine, &mut store, &wat),
            "table elements limit",
        )
    });

    case("table-grow-huge.wat (10,000-element limit)", || {
        let limits = StoreLimitsBuilder::new().table_elements(10_000).build();
        let mut store = limited(&engine, limits);
        let wat = hostile("table-grow-huge.wat");
        match call::<i32>(&engine, &mut store, &wat, "grow_huge")? {
            -1 => Ok("table.grow returned -1".into()),
            n => Err(Error::msg(format!("table.grow returned {n}"))),
        }
    });

    let depth = 100_000;
    let nested = format!(
        "(module (func (export \"run\") (result i32) {} i32.const 7))",
        "block\n".repeat(depth) + &"end\n".repeat(depth)
    );
    case("100,000 nested blocks (default limits)", || {
        expect_error(Module::new(&engine, &nested), "max_nesting_depth")
    });
    case("100,000 nested blocks (max_nesting_depth 100,000)", || {
        let mut config = Config::new();
        config.max_nesting_depth(depth as u32);
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let v = call::<i32>(&engine, &mut store, &nested, "run")?;
        Ok(format!("compiled, translated and ran: {v}"))
    });

    let locals = |n: usize| {
        format!(
            "(module (func (export \"run\") (result i32) (local {}) local.get {}))",
            "i32 ".repeat(n),
            n - 1
        )
    };
    case("50,000 locals", || {
        let mut store = Store::new(&engine, ());
        let v = call::<i32>(&engine, &mut store, &locals(50_000), "run")?;
        Ok(format!("compiled and ran: {v}"))
    });
    case("50,001 locals", || {
        expect_error(Module::new(&engine, locals(50_001)), "locals")
    });

    let entries = 1_000_000;
    let br_table = format!(
        "(module (func (export \"run\") (result i32) block i32.const {} br_table {} end i32.const 1))",
        entries - 1,
        "0 ".repeat(entries + 1)
    );
    case("1,000,000-entry br_table", || {
        let mut store = Store::new(&engine, ());
        let v = call::<i32>(&engine, &mut store, &br_table, "run")?;
        Ok(format!("compiled and ran: {v}"))
    });

    case("infinite-loop.wat (fuel 10,000,000)", || {
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        store.set_fuel(10_000_000)?;
        let r = call::<()>(&engine, &mut store, &hostile("infinite-loop.wat"), "spin");
        expect_trap(r, TrapCode::OutOfFuel)
    });

    case("unbounded-recursion.wat", || {
        let mut store = Store::new(&engine, ());
        let i = instantiate(&engine, &mut store, &hostile("unbounded-recursion.wat"))?;
        let f = i.get_typed_func::<i64, i64>(&store, "recurse")?;
        expect_trap(f.call(&mut store, 0), TrapCode::StackOverflow)
    });

    let wat = hostile("memory-grow-loop.wat");
    case("memory-grow-loop.wat (no limiter)", || {
        let mut store = Store::new(&engine, ());
        let pages = call::<i32>(&engine, &mut store, &wat, "grow_all")?;
        Ok(format!(
            "grew to {pages} pages, then memory.grow returned -1"
        ))
    });
    case("memory-grow-loop.wat (1 MiB limit)", || {
        let mut store = limited(&engine, mib.clone().build());
        let pages = call::<i32>(&engine, &mut store, &wat, "grow_all")?;
        assert_eq!(pages, 16);
        Ok(format!(
            "grew to {pages} pages, then memory.grow returned -1"
        ))
    });
    case(
        "memory-grow-loop.wat (1 MiB limit, trap on grow failure)",
        || {
            let mut store = limited(&engine, mib.clone().trap_on_grow_failure(true).build());
            let r = call::<i32>(&engine, &mut store, &wat, "grow_all");
            expect_trap(r, TrapCode::ResourceLimitExceeded)
        },
    );

    if let Some(kib) = peak_rss_kib() {
        println!("hostile corpus done: peak RSS {} MiB", kib / 1024);
        assert!(
            kib < PEAK_LIMIT_MIB * 1024,
            "peak RSS {} MiB exceeds {PEAK_LIMIT_MIB} MiB",
            kib / 1024
        );
    } else {
        println!("hostile corpus done: peak RSS unknown (no /proc)");
    }
}

/// The corpus, in this process. Run alone by `hostile_corpus_stays_bounded`, so that the
/// peak memory it checks is the corpus's own.
#[test]
#[ignore = "run in a child process by hostile_corpus_stays_bounded"]
fn hostile_corpus_child() {
    run_corpus();
}

#[test]
fn hostile_corpus_stays_bounded() {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "limits::hostile_corpus_child",
            "--exact",
            "--include-ignored",
        ])
        .args(["--nocapture", "--test-threads=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    // Not a timing test: a generous watchdog, so that a hang fails instead of blocking.
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the hostile corpus did not finish within 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap();
    print!("{stdout}");
    eprint!("{}", stderr.join().unwrap());
    assert!(status.success(), "the hostile corpus failed");
    assert!(
        stdout.contains("hostile corpus done"),
        "the corpus did not run"
    );
}

/// A 64-bit memory of 5 GiB: a store past 4 GiB lands there and reads back, and the last
/// byte's neighbour past the end traps, as do addresses whose offset sum passes 2^64.
#[test]
fn a_64_bit_memory_larger_than_4_gib_is_addressed_past_4_gib() -> wvm::Result<()> {
    let engine = Engine::default();
    let wat = r#"(module
      (memory (export "m") i64 81920)
      (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
      (func (export "load") (param i64) (result i64) (i64.load offset=16 (local.get 0))))"#;
    let module = Module::new(&engine, wat)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let st = instance.get_typed_func::<(i64, i64), ()>(&store, "store")?;
    let ld = instance.get_typed_func::<i64, i64>(&store, "load")?;
    let high = 0x1_2345_6780_i64;
    st.call(&mut store, (high + 16, 0x0123_4567_89ab_cdef))?;
    assert_eq!(ld.call(&mut store, high)?, 0x0123_4567_89ab_cdef);
    // The same address modulo 2^32 holds nothing.
    assert_eq!(ld.call(&mut store, high & 0xffff_ffff)?, 0);
    let mem = instance.get_memory(&store, "m").unwrap();
    assert_eq!(mem.data_size(&store), 5 << 30);
    let end = 5_i64 << 30;
    st.call(&mut store, (end - 8, -1))?;
    let trap = st.call(&mut store, (end - 7, 1)).unwrap_err();
    assert!(
        trap.to_string().contains("out of bounds memory access"),
        "{trap}"
    );
    // addr + offset wraps past 2^64: out of bounds, not address 8.
    let trap = ld.call(&mut store, -8).unwrap_err();
    assert!(
        trap.to_string().contains("out of bounds memory access"),
        "{trap}"
    );
    Ok(())
}
