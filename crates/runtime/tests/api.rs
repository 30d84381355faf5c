//! The embedding API, exercised the way an embedder uses it.

use wvm::*;

fn setup(wat: &str) -> (Store<Vec<String>>, Module, Linker<Vec<String>>) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).expect("module compiles");
    (
        Store::new(&engine, Vec::new()),
        module,
        Linker::new(&engine),
    )
}

#[test]
fn host_function_reads_memory_through_caller() -> Result<()> {
    let (mut store, module, mut linker) = setup(
        r#"(module
            (import "env" "log" (func $log (param i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "hello")
            (func (export "run") (result i32)
                (call $log (i32.const 16) (i32.const 5))
                (i32.const 7)))"#,
    );
    linker.func_wrap(
        "env",
        "log",
        |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> Result<()> {
            let mem = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .ok_or_else(|| Error::msg("no memory"))?;
            let mut buf = vec![0; len as usize];
            mem.read(&caller, ptr as usize, &mut buf)?;
            caller
                .data_mut()
                .push(String::from_utf8_lossy(&buf).into_owned());
            Ok(())
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&store, "run")?;
    assert_eq!(run.call(&mut store, ())?, 7);
    assert_eq!(store.data(), &["hello".to_string()]);
    Ok(())
}

#[test]
fn deep_recursion_traps_and_the_store_survives() -> Result<()> {
    let (mut store, module, linker) = setup(
        r#"(module
            (func $r (export "r") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 0))
                    (else (i32.add (i32.const 1)
                        (call $r (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    let instance = linker.instantiate(&mut store, &module)?;
    let r = instance.get_typed_func::<i32, i32>(&store, "r")?;
    let err = r.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::StackOverflow));
    assert_eq!(err.to_string(), "call stack exhausted");
    // The same store keeps working after the trap.
    assert_eq!(r.call(&mut store, 1000)?, 1000);
    Ok(())
}

#[test]
fn traps_carry_spec_messages() -> Result<()> {
    let (mut store, module, linker) = setup(
        r#"(module
            (func (export "div") (param i32 i32) (result i32)
                (i32.div_s (local.get 0) (local.get 1)))
            (func (export "oob") (result i32) (i32.load (i32.const 70000)))
            (memory 1))"#,
    );
    let instance = linker.instantiate(&mut store, &module)?;
    let div = instance.get_typed_func::<(i32, i32), i32>(&store, "div")?;
    assert_eq!(div.call(&mut store, (7, 2))?, 3);
    let e = div.call(&mut store, (1, 0)).unwrap_err();
    assert_eq!(e.to_string(), "integer divide by zero");
    let e = div.call(&mut store, (i32::MIN, -1)).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::IntegerOverflow));
    let oob = instance.get_typed_func::<(), i32>(&store, "oob")?;
    let e = oob.call(&mut store, ()).unwrap_err();
    assert_eq!(e.to_string(), "out of bounds memory access");
    Ok(())
}

#[test]
fn malformed_and_invalid_modules_report_offsets() {
    let engine = Engine::default();
    let e = Module::new(&engine, b"\0asm\x01\0\0\0\x01\x05").unwrap_err();
    assert!(e.is_compile(), "{e}");
    assert!(e.to_string().contains("offset 0x"), "{e}");
    let e = Module::new(&engine, [0xde, 0xad, 0xbe, 0xef, 0, 1, 2]).unwrap_err();
    assert!(
        e.is_compile() && e.to_string().contains("at offset 0x0"),
        "{e}"
    );
    let e = Module::new(&engine, "(module (func (result i32) i64.const 0))").unwrap_err();
    assert!(e.is_compile(), "{e}");
    assert!(e.to_string().contains("type mismatch"), "{e}");
    assert!(e.to_string().contains("offset 0x"), "{e}");
}

#[test]
fn link_errors_name_the_import_and_both_types() -> Result<()> {
    let (mut store, module, mut linker) =
        setup(r#"(module (import "env" "f" (func (param i32))))"#);
    let e = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(e.is_link() && e.to_string().contains("env::f"), "{e}");
    linker.func_wrap("env", "f", |_: i64| {})?;
    let e = linker.instantiate(&mut store, &module).unwrap_err();
    let msg = e.to_string();
    assert!(e.is_link(), "{msg}");
    assert!(
        msg.contains("env::f") && msg.contains("(i32)") && msg.contains("(i64)"),
        "{msg}"
    );
    Ok(())
}

#[derive(Debug)]
struct Refused(u32);
impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused {}", self.0)
    }
}
impl std::error::Error for Refused {}

#[test]
fn host_errors_become_traps_carrying_them() -> Result<()> {
    let (mut store, module, mut linker) =
        setup(r#"(module (import "env" "f" (func $f)) (func (export "run") (call $f)))"#);
    linker.func_wrap("env", "f", || -> Result<()> {
        Err(Error::new(Refused(42)))
    })?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_func(&store, "run").unwrap();
    let e = run.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::Host));
    assert_eq!(e.downcast_ref::<Refused>().map(|r| r.0), Some(42));
    Ok(())
}

#[test]
fn dynamic_calls_check_types_and_return_values() -> Result<()> {
    let (mut store, module, linker) = setup(
        r#"(module (func (export "swap") (param i64 f64) (result f64 i64)
            local.get 1 local.get 0))"#,
    );
    let instance = linker.instantiate(&mut store, &module)?;
    let swap = instance.get_func(&store, "swap").unwrap();
    assert_eq!(swap.ty(&store).to_string(), "func (i64, f64) -> (f64, i64)");
    let mut results = [Val::I32(0), Val::I32(0)];
    swap.call(&mut store, &[Val::I64(-3), Val::from(2.5f64)], &mut results)?;
    assert_eq!(results[0].f64(), Some(2.5));
    assert_eq!(results[1].i64(), Some(-3));
    assert!(
        swap.call(&mut store, &[Val::I32(1), Val::from(1.0f64)], &mut results)
            .is_err()
    );
    Ok(())
}

#[test]
fn memory_table_global_from_the_host() -> Result<()> {
    let (mut store, module, mut linker) = setup(
        r#"(module
            (import "env" "counter" (global $c (mut i32)))
            (import "env" "mem" (memory 1 2))
            (import "env" "tab" (table 1 funcref))
            (func $inc (export "inc") (global.set $c (i32.add (global.get $c) (i32.const 1))))
            (elem (i32.const 0) $inc)
            (func (export "peek") (result i32) (i32.load8_u (i32.const 3))))"#,
    );
    let counter = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Var),
        Val::I32(41),
    )?;
    let mem = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
    let tab = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 1, None),
        Ref::Func(None),
    )?;
    linker.define(&store, "env", "counter", counter)?;
    linker.define(&store, "env", "mem", mem)?;
    linker.define(&store, "env", "tab", tab)?;
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&store, "inc")?
        .call(&mut store, ())?;
    assert_eq!(counter.get(&store).i32(), Some(42));
    mem.write(&mut store, 3, &[99])?;
    assert_eq!(
        instance
            .get_typed_func::<(), i32>(&store, "peek")?
            .call(&mut store, ())?,
        99
    );
    assert_eq!(mem.grow(&mut store, 1)?, 1);
    assert!(mem.grow(&mut store, 1).is_err(), "maximum is 2 pages");
    assert_eq!(mem.data(&store).len(), 2 * 65536);
    let Some(Ref::Func(Some(f))) = tab.get(&store, 0) else {
        panic!("the element segment put a function in the table")
    };
    f.call(&mut store, &[], &mut [])?;
    assert_eq!(counter.get(&store).i32(), Some(43));
    Ok(())
}

#[test]
fn linker_reexports_an_instance_under_a_name() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let a = Module::new(
        &engine,
        r#"(module (func (export "seven") (result i32) i32.const 7))"#,
    )?;
    let b = Module::new(
        &engine,
        r#"(module (import "a" "seven" (func $s (result i32)))
            (func (export "fourteen") (result i32) (i32.mul (call $s) (i32.const 2))))"#,
    )?;
    let ia = linker.instantiate(&mut store, &a)?;
    linker.instance(&mut store, "a", ia)?;
    let ib = linker.instantiate(&mut store, &b)?;
    let f = ib.get_typed_func::<(), i32>(&store, "fourteen")?;
    assert_eq!(f.call(&mut store, ())?, 14);
    Ok(())
}

#[test]
fn host_can_reenter_wasm_from_a_host_function() -> Result<()> {
    let (mut store, module, mut linker) = setup(
        r#"(module
            (import "env" "twice" (func $twice (param i32) (result i32)))
            (func (export "double") (param i32) (result i32)
                (i32.add (local.get 0) (local.get 0)))
            (func (export "quad") (param i32) (result i32) (call $twice (local.get 0))))"#,
    );
    linker.func_wrap(
        "env",
        "twice",
        |mut caller: Caller<'_, Vec<String>>, x: i32| -> Result<i32> {
            let d = caller
                .get_export("double")
                .and_then(Extern::into_func)
                .unwrap();
            let d = d.typed::<i32, i32>(&caller)?;
            let once = d.call(&mut caller, x)?;
            d.call(&mut caller, once)
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let quad = instance.get_typed_func::<i32, i32>(&store, "quad")?;
    assert_eq!(quad.call(&mut store, 5)?, 20);
    Ok(())
}

#[test]
fn module_lists_imports_and_exports_with_types() -> Result<()> {
    let (_, module, _) = setup(
        r#"(module (import "m" "g" (global i64)) (memory (export "mem") 1 3)
            (func (export "f") (param f32) (result f64) f64.const 0))"#,
    );
    let imports: Vec<_> = module
        .imports()
        .map(|i| (i.module(), i.name(), i.ty()))
        .collect();
    assert_eq!(imports.len(), 1);
    assert_eq!(
        imports[0].2,
        ExternType::Global(GlobalType::new(ValType::I64, Mutability::Const))
    );
    let exports: Vec<_> = module
        .exports()
        .map(|e| (e.name(), e.ty().to_string()))
        .collect();
    assert_eq!(
        exports,
        [
            ("mem", "memory 1 3".to_string()),
            ("f", "func (f32) -> (f64)".to_string())
        ]
    );
    Ok(())
}

#[test]
fn eager_translation_mode_compiles_everything_up_front() -> Result<()> {
    let mut config = Config::new();
    config.lazy_translation(false);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 1))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let i = Instance::new(&mut store, &module, &[])?;
    assert_eq!(
        i.get_typed_func::<(), i32>(&store, "f")?
            .call(&mut store, ())?,
        1
    );
    Ok(())
}

#[test]
fn unbounded_host_wasm_reentry_ends_in_a_trap() -> Result<()> {
    let (mut store, module, mut linker) = setup(
        r#"(module
            (import "env" "host" (func $host (param i32) (result i32)))
            (func (export "wasm") (param i32) (result i32)
                (call $host (i32.add (local.get 0) (i32.const 1)))))"#,
    );
    linker.func_wrap(
        "env",
        "host",
        |mut caller: Caller<'_, Vec<String>>, depth: i32| -> Result<i32> {
            let f = caller
                .get_export("wasm")
                .and_then(Extern::into_func)
                .unwrap();
            f.typed::<i32, i32>(&caller)?.call(&mut caller, depth)
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let wasm = instance.get_typed_func::<i32, i32>(&store, "wasm")?;
    let e = wasm.call(&mut store, 0).unwrap_err();
    assert!(e.to_string().contains("call stack exhausted"), "{e}");
    Ok(())
}

/// The start of defined function `def`'s body and the byte offset of each of its
/// operators, read with wasmparser independently of the runtime.
fn operator_offsets(wasm: &[u8], def: usize) -> (usize, Vec<usize>) {
    use wvm_environ::wasmparser::{Parser, Payload};
    let body = Parser::new(0)
        .parse_all(wasm)
        .filter_map(|p| match p.unwrap() {
            Payload::CodeSectionEntry(body) => Some(body),
            _ => None,
        })
        .nth(def)
        .expect("function body");
    let mut ops = body.get_operators_reader().unwrap();
    let mut offsets = Vec::new();
    while !ops.eof() {
        offsets.push(ops.read_with_offset().unwrap().1 as usize);
    }
    (body.range().start as usize, offsets)
}

/// The offset of the `n`-th operator of defined function `def` whose opcode byte is `opcode`.
fn offset_of_opcode(wasm: &[u8], def: usize, opcode: u8, n: usize) -> usize {
    let (_, offsets) = operator_offsets(wasm, def);
    offsets
        .into_iter()
        .filter(|&o| wasm[o] == opcode)
        .nth(n)
        .expect("operator")
}

const UNREACHABLE: u8 = 0x00;
const CALL: u8 = 0x10;

#[test]
fn trap_trace_names_each_frame_at_its_instruction() -> Result<()> {
    let wasm = wat::parse_str(
        r#"(module $calc
            (func $a (export "a") (nop) (call $b))
            (func $b (drop (i32.const 1)) (call $c) (nop))
            (func $c (nop) (nop) (unreachable)))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let a = instance.get_typed_func::<(), ()>(&store, "a")?;
    let err = a.call(&mut store, ()).unwrap_err();
    assert_eq!(err.to_string(), "unreachable");
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.to_string(), "unreachable");
    let trace = trap.trace();
    let names: Vec<_> = trace.iter().map(|f| f.func_name()).collect();
    assert_eq!(names, [Some("c"), Some("b"), Some("a")], "{trace:?}");
    let indices: Vec<_> = trace.iter().map(FrameInfo::func_index).collect();
    assert_eq!(indices, [2, 1, 0]);
    assert!(trace.iter().all(|f| f.module_name() == Some("calc")));
    let expected = [
        offset_of_opcode(&wasm, 2, UNREACHABLE, 0),
        offset_of_opcode(&wasm, 1, CALL, 0),
        offset_of_opcode(&wasm, 0, CALL, 0),
    ];
    for (frame, (def, want)) in
        trace
            .iter()
            .zip([(2, expected[0]), (1, expected[1]), (0, expected[2])])
    {
        assert_eq!(frame.module_offset(), Some(want), "{frame}");
        let (body_start, _) = operator_offsets(&wasm, def);
        assert_eq!(frame.func_offset(), Some(want - body_start), "{frame}");
    }
    assert_eq!(wasm[expected[0]], UNREACHABLE);
    assert_eq!(wasm[expected[1]], CALL);
    assert_eq!(
        trace[0].to_string(),
        format!("calc!c (func 2) at offset {:#x}", expected[0])
    );
    Ok(())
}

#[test]
fn host_error_trap_trace_starts_at_the_wasm_caller() -> Result<()> {
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "fail" (func $fail (param i32)))
            (func $run (export "run") (call $mid))
            (func $mid (call $fail (i32.const 7))))"#,
    )
    .unwrap();
    let (mut store, _, mut linker) = setup("(module)");
    let module = Module::new(store.engine(), &wasm)?;
    linker.func_wrap("env", "fail", |x: i32| -> Result<()> {
        Err(Error::msg(format!("host says no to {x}")))
    })?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), ()>(&store, "run")?;
    let err = run.call(&mut store, ()).unwrap_err();
    assert_eq!(err.to_string(), "host says no to 7");
    assert_eq!(err.trap_code(), Some(TrapCode::Host));
    let trace = err.as_trap().unwrap().trace();
    let frames: Vec<_> = trace
        .iter()
        .map(|f| (f.func_index(), f.func_name(), f.module_offset()))
        .collect();
    assert_eq!(
        frames,
        [
            (2, Some("mid"), Some(offset_of_opcode(&wasm, 1, CALL, 0))),
            (1, Some("run"), Some(offset_of_opcode(&wasm, 0, CALL, 0))),
        ]
    );
    Ok(())
}

#[test]
fn trace_without_a_name_section_counts_imported_functions() -> Result<()> {
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "f" (func))
            (import "env" "g" (func))
            (func (export "run") (param i32) (result i32)
                (call 3 (local.get 0)))
            (func (param i32) (result i32)
                (i32.div_u (i32.const 1) (local.get 0))))"#,
    )
    .unwrap();
    let (mut store, _, mut linker) = setup("(module)");
    let module = Module::new(store.engine(), &wasm)?;
    linker.func_wrap("env", "f", || {})?;
    linker.func_wrap("env", "g", || {})?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
    assert_eq!(run.call(&mut store, 1)?, 1);
    let err = run.call(&mut store, 0).unwrap_err();
    assert_eq!(err.to_string(), "integer divide by zero");
    let trace = err.as_trap().unwrap().trace();
    assert_eq!(trace.len(), 2, "{trace:?}");
    assert!(trace.iter().all(|f| f.func_name().is_none()));
    assert!(trace.iter().all(|f| f.module_name().is_none()));
    assert_eq!(trace[0].func_index(), 3);
    assert_eq!(trace[1].func_index(), 2);
    let div = trace[0].module_offset().unwrap();
    assert_eq!(wasm[div], 0x6e, "i32.div_u");
    assert_eq!(
        trace[1].module_offset(),
        Some(offset_of_opcode(&wasm, 0, CALL, 0))
    );
    assert_eq!(trace[0].to_string(), format!("<func 3> at offset {div:#x}"));
    Ok(())
}

#[test]
fn trap_trace_spans_host_reentry() -> Result<()> {
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "reenter" (func $reenter))
            (func $outer (export "outer") (call $reenter))
            (func $inner (export "inner") (call $deep))
            (func $deep (unreachable)))"#,
    )
    .unwrap();
    let (mut store, _, mut linker) = setup("(module)");
    let module = Module::new(store.engine(), &wasm)?;
    linker.func_wrap(
        "env",
        "reenter",
        |mut caller: Caller<'_, Vec<String>>| -> Result<()> {
            let inner = caller
                .get_export("inner")
                .and_then(Extern::into_func)
                .ok_or_else(|| Error::msg("no inner"))?;
            inner.call(&mut caller, &[], &mut [])
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let outer = instance.get_typed_func::<(), ()>(&store, "outer")?;
    let err = outer.call(&mut store, ()).unwrap_err();
    assert_eq!(err.to_string(), "unreachable");
    let names: Vec<_> = err
        .as_trap()
        .unwrap()
        .trace()
        .iter()
        .map(|f| f.func_name().unwrap())
        .collect();
    assert_eq!(names, ["deep", "inner", "outer"]);
    Ok(())
}

#[test]
fn stack_exhaustion_trace_shows_the_recursion() -> Result<()> {
    let (mut store, module, linker) = setup(
        r#"(module
            (func $down (export "down") (param i32) (result i32)
                (i32.add (i32.const 1) (call $down (local.get 0)))))"#,
    );
    let instance = linker.instantiate(&mut store, &module)?;
    let down = instance.get_typed_func::<i32, i32>(&store, "down")?;
    let err = down.call(&mut store, 0).unwrap_err();
    assert_eq!(err.to_string(), "call stack exhausted");
    let trace = err.as_trap().unwrap().trace();
    assert!(trace.len() > 1000, "{}", trace.len());
    let first = trace[0].module_offset();
    assert!(first.is_some());
    assert!(
        trace
            .iter()
            .all(|f| f.func_name() == Some("down") && f.module_offset() == first)
    );
    Ok(())
}

#[test]
fn traps_with_traces_stay_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Error>();
    send_sync::<Trap>();
    send_sync::<FrameInfo>();
}

// ---- Fuel, epochs, determinism -------------------------------------------------------------

fn fuel_engine() -> Engine {
    Engine::new(Config::new().consume_fuel(true))
}

const LOOP_FOREVER: &str = r#"(module (func (export "spin") (loop $l (br $l))))"#;

const FIB: &str = r#"(module
    (memory (export "memory") 1)
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "fill") (param i32)
      (memory.fill (i32.const 0) (i32.const 7) (local.get 0))))"#;

#[test]
fn an_infinite_loop_runs_out_of_fuel() -> Result<()> {
    let engine = fuel_engine();
    let module = Module::new(&engine, LOOP_FOREVER)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
    store.set_fuel(10_000)?;
    let e = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::OutOfFuel));
    assert_eq!(e.to_string(), "all fuel consumed by WebAssembly");
    assert!(store.get_fuel()? < 10);
    // No fuel at all: the first segment can't start.
    store.set_fuel(0)?;
    let e = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::OutOfFuel));
    Ok(())
}

#[test]
fn fuel_is_off_by_default_and_then_refused() {
    let mut store = Store::new(&Engine::default(), ());
    assert!(store.set_fuel(5).is_err());
    assert!(store.get_fuel().is_err());
}

#[test]
fn fuel_used_is_the_same_every_run_and_grows_with_work() -> Result<()> {
    let engine = fuel_engine();
    let module = Module::new(&engine, FIB)?;
    let used = |n: i32| -> Result<u64> {
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[])?;
        let fib = instance.get_typed_func::<i32, i32>(&mut store, "fib")?;
        store.set_fuel(u64::MAX)?;
        assert_eq!(
            fib.call(&mut store, n)?,
            [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55][n as usize]
        );
        Ok(u64::MAX - store.get_fuel()?)
    };
    let first = used(10)?;
    for _ in 0..10 {
        assert_eq!(used(10)?, first);
    }
    assert!(used(9)? < first && used(9)? > 0);
    Ok(())
}

#[test]
fn bulk_operations_cost_in_proportion_to_their_size() -> Result<()> {
    let engine = fuel_engine();
    let module = Module::new(&engine, FIB)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let fill = instance.get_typed_func::<i32, ()>(&mut store, "fill")?;
    let mut cost = |bytes: i32| -> Result<u64> {
        store.set_fuel(1_000_000)?;
        fill.call(&mut store, bytes)?;
        Ok(1_000_000 - store.get_fuel()?)
    };
    let small = cost(64)?;
    let large = cost(64 * 1000)?;
    assert_eq!(large - small, 999, "one unit per 64 bytes");
    // Not enough fuel for the bytes: trapped before anything was written.
    store.set_fuel(small + 10)?;
    let e = fill.call(&mut store, 65536).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::OutOfFuel));
    Ok(())
}

#[test]
fn resuming_after_adding_fuel_completes_the_call() -> Result<()> {
    let engine = fuel_engine();
    let module = Module::new(&engine, FIB)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let fib = instance.get_func(&mut store, "fib").unwrap();
    store.set_fuel(u64::MAX)?;
    let mut results = [Val::I32(0)];
    fib.call(&mut store, &[Val::I32(20)], &mut results)?;
    let total = u64::MAX - store.get_fuel()?;

    // The same call in slices of 1,000 fuel: it suspends many times, deep in the recursion,
    // and finishes with the right result having used exactly the same fuel.
    store.set_fuel(1_000)?;
    let mut results = [Val::I32(0)];
    let mut call = fib.call_resumable(&mut store, &[Val::I32(20)], &mut results)?;
    let mut added = 1_000;
    let mut suspensions = 0;
    while let ResumableCall::OutOfFuel(invocation) = call {
        suspensions += 1;
        added += 1_000 - store.get_fuel()?;
        store.set_fuel(1_000)?;
        call = invocation.resume(&mut store, &mut results)?;
    }
    assert_eq!(results[0].i32(), Some(6765));
    assert_eq!(added - store.get_fuel()?, total);
    assert!(suspensions > 10, "{suspensions} suspensions");

    // Dropping a suspended call leaves the store usable.
    store.set_fuel(10)?;
    let call = fib.call_resumable(&mut store, &[Val::I32(20)], &mut results)?;
    assert!(matches!(call, ResumableCall::OutOfFuel(_)));
    drop(call);
    store.set_fuel(u64::MAX)?;
    fib.call(&mut store, &[Val::I32(10)], &mut results)?;
    assert_eq!(results[0].i32(), Some(55));
    Ok(())
}

#[test]
fn a_suspended_loop_shows_and_takes_the_globals_it_keeps_in_slots() -> Result<()> {
    // `count` calls nothing, so it keeps $n in a frame slot while it loops; running out of
    // fuel must still leave the global current, and a value the host sets must be the one
    // the loop goes on with.
    let engine = fuel_engine();
    let module = Module::new(
        &engine,
        r#"(module
            (global $n (export "n") (mut i32) (i32.const 0))
            (func (export "count") (param $to i32) (result i32)
              (loop $l
                (global.set $n (i32.add (global.get $n) (i32.const 1)))
                (br_if $l (i32.lt_u (global.get $n) (local.get $to))))
              (global.get $n)))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let count = instance.get_func(&mut store, "count").unwrap();
    let n = instance.get_global(&mut store, "n").unwrap();
    store.set_fuel(1_000)?;
    let mut results = [Val::I32(0)];
    let mut call = count.call_resumable(&mut store, &[Val::I32(1_000_000)], &mut results)?;
    let mut seen = Vec::new();
    while let ResumableCall::OutOfFuel(invocation) = call {
        let now = n.get(&mut store).i32().unwrap();
        seen.push(now);
        if seen.len() == 3 {
            n.set(&mut store, Val::I32(999_990))?;
        }
        store.set_fuel(1_000)?;
        call = invocation.resume(&mut store, &mut results)?;
    }
    assert_eq!(results[0].i32(), Some(1_000_000));
    // Three suspensions with the count rising, then the host's value ends the loop within
    // the next slice of fuel.
    assert_eq!(seen.len(), 3, "{:?}...", &seen[..seen.len().min(5)]);
    assert!(
        0 < seen[0] && seen[0] < seen[1] && seen[1] < seen[2],
        "{seen:?}"
    );
    assert_eq!(n.get(&mut store).i32(), Some(1_000_000));
    Ok(())
}

#[test]
fn both_loops_charge_the_same_fuel_and_run_out_at_the_same_point() -> Result<()> {
    // Loops closed by each kind of branch (br, br_if, a fused compare-and-branch, a loop
    // counter's increment-and-branch) and forward branches to labels: the threaded loop's
    // branches pay the charge of the segment they jump to themselves, which must change
    // nothing that can be observed.
    let wat = r#"(module
        (global $g (mut i32) (i32.const 0))
        (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
          (loop $a
            (local.set $acc (i32.add (local.get $acc) (local.get $i)))
            (br_if $a (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
          (local.set $i (i32.const 0))
          (loop $b
            (block $skip
              (br_if $skip (i32.and (local.get $i) (i32.const 1)))
              (local.set $acc (i32.xor (local.get $acc) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.lt_u (local.get $i) (local.get $n)) (then (br $b))))
          (local.set $i (local.get $n))
          (loop $c
            (global.set $g (i32.add (global.get $g) (i32.const 3)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br_if $c (local.get $i)))
          (i32.add (local.get $acc) (global.get $g))))"#;
    let run = |threaded: bool, slice: u64| -> Result<(i32, u64, u32)> {
        let mut config = Config::new();
        config.consume_fuel(true).threaded_dispatch(threaded);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat)?;
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[])?;
        let f = instance.get_func(&mut store, "run").unwrap();
        store.set_fuel(slice)?;
        let mut results = [Val::I32(0)];
        let mut call = f.call_resumable(&mut store, &[Val::I32(1000)], &mut results)?;
        let (mut used, mut stops) = (0, 0);
        while let ResumableCall::OutOfFuel(invocation) = call {
            used += slice - store.get_fuel()?;
            stops += 1;
            // A slice smaller than some segment's charge would never get past it.
            assert!(stops < 100_000, "no progress with slices of {slice}");
            store.set_fuel(slice)?;
            call = invocation.resume(&mut store, &mut results)?;
        }
        used += slice - store.get_fuel()?;
        Ok((results[0].i32().unwrap(), used, stops))
    };
    for slice in [u64::MAX / 2, 997, 101, 40] {
        let threaded = run(true, slice)?;
        assert_eq!(threaded, run(false, slice)?, "fuel slices of {slice}");
        assert_eq!(threaded.0, run(true, u64::MAX / 2)?.0);
    }
    Ok(())
}

#[test]
fn another_thread_interrupts_an_infinite_loop() -> Result<()> {
    let engine = Engine::new(Config::new().epoch_interruption(true));
    let module = Module::new(&engine, LOOP_FOREVER)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
    store.set_epoch_deadline(1);
    let ticker = engine.clone();
    let started = std::time::Instant::now();
    let timer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        ticker.increment_epoch();
    });
    let e = spin.call(&mut store, ()).unwrap_err();
    timer.join().unwrap();
    assert_eq!(e.trap_code(), Some(TrapCode::Interrupt));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // A new deadline lets code run again.
    store.set_epoch_deadline(10);
    let module = Module::new(&engine, FIB)?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let fib = instance.get_typed_func::<i32, i32>(&mut store, "fib")?;
    assert_eq!(fib.call(&mut store, 15)?, 610);
    Ok(())
}

#[test]
fn deterministic_mode_canonicalizes_nans() -> Result<()> {
    let wat = r#"(module
        (func (export "div32") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
        (func (export "add64") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
        (func (export "neg32") (param f32) (result f32) (f32.neg (local.get 0))))"#;
    let run = |deterministic: bool| -> Result<(u32, u64, u32)> {
        let engine = Engine::new(Config::new().deterministic(deterministic));
        let module = Module::new(&engine, wat)?;
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[])?;
        let div = instance.get_typed_func::<(f32, f32), f32>(&mut store, "div32")?;
        let add = instance.get_typed_func::<(f64, f64), f64>(&mut store, "add64")?;
        let neg = instance.get_typed_func::<f32, f32>(&mut store, "neg32")?;
        let payload = f64::from_bits(0x7ff0_0000_0000_0123);
        Ok((
            div.call(&mut store, (0.0, 0.0))?.to_bits(),
            add.call(&mut store, (payload, 1.0))?.to_bits(),
            neg.call(&mut store, f32::from_bits(0x7fc0_0001))?.to_bits(),
        ))
    };
    let (div, add, neg) = run(true)?;
    assert_eq!(div, 0x7fc0_0000);
    assert_eq!(add, 0x7ff8_0000_0000_0000);
    // Sign operations are exact, never canonicalized.
    assert_eq!(neg, 0xffc0_0001);
    // Without the mode, the hardware's NaN comes through (x86: the sign bit set for 0/0).
    let (div, _, _) = run(false)?;
    assert!(f32::from_bits(div).is_nan());
    Ok(())
}

// Resource limits and the hostile corpus; in `api/` to be ready for `tests/api/main.rs`.
#[path = "api/limits.rs"]
mod limits;

// The two interpreter loops.
#[path = "api/dispatch.rs"]
mod dispatch;

#[path = "api/wasm3.rs"]
mod wasm3;

#[test]
fn deterministic_runs_leave_the_same_memory_and_fuel() -> Result<()> {
    // Float work whose NaNs the hardware chooses (0/0, inf-inf, sqrt(-1), NaN payloads
    // through arithmetic), stored to memory, under fuel.
    let wat = r#"(module
        (memory (export "memory") 1)
        (func (export "run") (param $n i32)
          (local $i i32) (local $x f64) (local $y f32)
          (loop $l
            (local.set $x (f64.div (f64.convert_i32_s (local.get $i)) (f64.const 0)))
            (local.set $x (f64.sub (local.get $x) (local.get $x)))
            (local.set $y (f32.sqrt (f32.sub (f32.const 0) (f32.convert_i32_u (local.get $i)))))
            (local.set $y (f32.add (local.get $y) (f32.reinterpret_i32 (i32.const 0x7fa00001))))
            (f64.store (i32.shl (local.get $i) (i32.const 4)) (local.get $x))
            (f32.store offset=8 (i32.shl (local.get $i) (i32.const 4)) (local.get $y))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                (local.get $n))))))"#;
    let run = || -> Result<(Vec<u8>, u64)> {
        let engine = Engine::new(Config::new().deterministic(true).consume_fuel(true));
        let module = Module::new(&engine, wat)?;
        let mut store = Store::new(&engine, ());
        store.set_fuel(1_000_000)?;
        let instance = Instance::new(&mut store, &module, &[])?;
        let f = instance.get_typed_func::<i32, ()>(&mut store, "run")?;
        f.call(&mut store, 100)?;
        let memory = instance.get_memory(&store, "memory").unwrap();
        Ok((memory.data(&store)[..1600].to_vec(), store.get_fuel()?))
    };
    let (memory, fuel) = run()?;
    for _ in 0..3 {
        assert_eq!(run()?, (memory.clone(), fuel));
    }
    // Every NaN stored is the canonical one, whatever the hardware would have produced.
    for i in 0..100 {
        let x = u64::from_le_bytes(memory[i * 16..i * 16 + 8].try_into().unwrap());
        let y = u32::from_le_bytes(memory[i * 16 + 8..i * 16 + 12].try_into().unwrap());
        assert_eq!(x, 0x7ff8_0000_0000_0000, "f64 at {i}");
        assert_eq!(y, 0x7fc0_0000, "f32 at {i}");
    }
    Ok(())
}

#[test]
fn failing_growth_and_out_of_bounds_bulk_cost_only_their_static_fuel() -> Result<()> {
    let engine = fuel_engine();
    let module = Module::new(
        &engine,
        r#"(module (memory 1 2) (table 1 2 funcref)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "tgrow") (param i32) (result i32)
              (table.grow (ref.null func) (local.get 0)))
            (func (export "fill") (param i32)
              (memory.fill (i32.const 65000) (i32.const 0) (local.get 0))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
    let tgrow = instance.get_typed_func::<i32, i32>(&mut store, "tgrow")?;
    let fill = instance.get_typed_func::<i32, ()>(&mut store, "fill")?;
    store.set_fuel(1_000)?;
    // Past the maximum: -1, as the spec says, for a few units of fuel.
    assert_eq!(grow.call(&mut store, -1)?, -1);
    assert_eq!(tgrow.call(&mut store, -1)?, -1);
    assert!(store.get_fuel()? > 990);
    // Out of bounds: the bounds trap, not "out of fuel" for bytes never touched.
    let e = fill.call(&mut store, 1 << 30).unwrap_err();
    assert_eq!(e.trap_code(), Some(TrapCode::MemoryOutOfBounds));
    // Growth that happens pays for its pages.
    let before = store.get_fuel()?;
    assert_eq!(grow.call(&mut store, 1)?, 1);
    assert!(before - store.get_fuel()? >= 64);
    Ok(())
}

/// v128 values cross the embedding API whole: arguments and results of `Func::call`, a host
/// function's parameters and results (called from a function that keeps other v128 values
/// live across the call), and globals.
#[test]
fn v128_values_cross_calls_host_functions_and_globals() -> Result<()> {
    let (mut store, module, mut linker) = setup(
        r#"(module
            (import "env" "swap" (func $swap (param v128 i32) (result i32 v128)))
            (global (export "g") (mut v128) (v128.const i64x2 1 2))
            (func (export "run") (param $x v128) (result v128 i32)
                (local $keep v128) (local $n i32)
                (local.set $keep (i32x4.splat (i32.const 7)))
                (call $swap (local.get $x) (i32.const 5))
                (local.set $x)
                (local.set $n)
                (global.set 0 (local.get $x))
                (i32x4.add (local.get $x) (local.get $keep))
                (local.get $n)))"#,
    );
    linker.func_new(
        "env",
        "swap",
        FuncType::new([ValType::V128, ValType::I32], [ValType::I32, ValType::V128]),
        |_caller, params, results| {
            let Val::V128(v) = params[0] else {
                return Err(Error::msg("expected a v128"));
            };
            results[0] = Val::I32(params[1].unwrap_i32() * 2);
            // The lanes reversed (as u32s).
            let lanes: Vec<u32> = (0..4).map(|i| (v >> (32 * i)) as u32).collect();
            let mut r = 0u128;
            for (i, l) in lanes.iter().rev().enumerate() {
                r |= u128::from(*l) << (32 * i);
            }
            results[1] = Val::V128(r);
            Ok(())
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_func(&store, "run").unwrap();
    let x = 0x0000_0004_0000_0003_0000_0002_0000_0001u128;
    let mut out = [Val::V128(0), Val::I32(0)];
    run.call(&mut store, &[Val::V128(x)], &mut out)?;
    let reversed = 0x0000_0001_0000_0002_0000_0003_0000_0004u128;
    let sevens = 0x0000_0007_0000_0007_0000_0007_0000_0007u128;
    assert_eq!(out[0].unwrap_v128(), reversed + sevens);
    assert_eq!(out[1].unwrap_i32(), 10);
    let g = instance.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store).v128(), Some(reversed));
    g.set(&mut store, Val::V128(u128::MAX))?;
    assert_eq!(g.get(&store).v128(), Some(u128::MAX));
    Ok(())
}
