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
        TableType::new(RefType::FuncRef, 1, None),
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
