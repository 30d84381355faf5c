//! WebAssembly 3.0 features through the embedding API: tail calls in constant stack,
//! tail calls of host functions, and switching features off in `Config`.

use wvm::*;

/// `even`/`odd` by mutual tail calls, each step one `return_call` (and every fourth one a
/// `return_call_indirect`).
const EVEN_ODD: &str = r#"
(module
  (type $t (func (param i64) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even $odd)
  (func $even (export "even") (type $t)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (type $t)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else
        (if (i64.eqz (i64.and (local.get 0) (i64.const 3)))
          (then (return (return_call_indirect (type $t)
            (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
        (return_call $even (i64.sub (local.get 0) (i64.const 1)))))))
"#;

/// 10,000,000 mutual tail calls with a call depth limit of 10 and a VM stack of 256 slots:
/// each tail call reuses its caller's frame, on both interpreter loops.
#[test]
fn ten_million_mutual_tail_calls_run_in_constant_stack() -> Result<()> {
    for threaded in [true, false] {
        let mut config = Config::new();
        config
            .threaded_dispatch(threaded)
            .max_call_depth(10)
            .max_stack_slots(256);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, EVEN_ODD)?;
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[])?;
        let even = instance.get_typed_func::<i64, i32>(&store, "even")?;
        assert_eq!(
            even.call(&mut store, 10_000_000)?,
            1,
            "threaded: {threaded}"
        );
        assert_eq!(
            even.call(&mut store, 10_000_001)?,
            0,
            "threaded: {threaded}"
        );
    }
    Ok(())
}

/// The same recursion with plain calls exhausts those limits: the limits above are tight.
#[test]
fn the_same_recursion_without_tail_calls_exhausts_the_stack() -> Result<()> {
    let plain = EVEN_ODD
        .replace("return_call_indirect", "call_indirect")
        .replace("return_call", "call");
    let mut config = Config::new();
    config.max_call_depth(10).max_stack_slots(256);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &plain)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let even = instance.get_typed_func::<i64, i32>(&store, "even")?;
    let err = even.call(&mut store, 1000).unwrap_err();
    assert!(err.to_string().contains("call stack exhausted"), "{err}");
    Ok(())
}

/// A tail call of a host function returns the host's results to the caller's caller,
/// scalars and v128 alike.
#[test]
fn a_tail_call_of_a_host_function_returns_its_results() -> Result<()> {
    let wat = r#"(module
      (import "host" "pair" (func $pair (param i32) (result i32 i64)))
      (import "host" "vec" (func $vec (param i32) (result v128)))
      (func $tail (param i32) (result i32 i64) (return_call $pair (i32.add (local.get 0) (i32.const 1))))
      (func (export "run") (param i32) (result i64)
        (local $b i64)
        (call $tail (local.get 0))
        (local.set $b)
        (i64.add (i64.extend_i32_u) (local.get $b)))
      (func (export "lane") (param i32) (result i32)
        (i32x4.extract_lane 1 (call $vtail (local.get 0))))
      (func $vtail (param i32) (result v128) (return_call $vec (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat)?;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "pair", |x: i32| (x * 2, i64::from(x) * 1000))?;
    linker.func_new(
        "host",
        "vec",
        FuncType::new([ValType::I32], [ValType::V128]),
        |_, args, results| {
            let x = args[0].unwrap_i32() as u32 as u128;
            results[0] = Val::V128(x | ((x + 7) << 32));
            Ok(())
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i64>(&store, "run")?;
    // pair(5) = (10, 5000): 10 + 5000.
    assert_eq!(run.call(&mut store, 4)?, 5010);
    let lane = instance.get_typed_func::<i32, i32>(&store, "lane")?;
    assert_eq!(lane.call(&mut store, 3)?, 10);
    Ok(())
}

/// Each 3.0 feature can be switched off: a module using it then fails to compile.
#[test]
fn features_switched_off_in_config_reject_their_modules() {
    type SwitchOff = fn(&mut Config);
    let cases: [(&str, SwitchOff); 6] = [
        ("(module (func (return_call 0)))", |c| {
            c.wasm_tail_call(false);
        }),
        ("(module (memory 1) (memory 1))", |c| {
            c.wasm_multi_memory(false);
        }),
        ("(module (memory i64 1))", |c| {
            c.wasm_memory64(false);
        }),
        ("(module (memory 1 (pagesize 1)))", |c| {
            c.wasm_custom_page_sizes(false);
        }),
        (
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
            |c| {
                c.wasm_extended_const(false);
            },
        ),
        (
            "(module (func (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1))))",
            |c| {
                c.wasm_wide_arithmetic(false);
            },
        ),
    ];
    for (wat, off) in cases {
        assert!(Module::new(&Engine::default(), wat).is_ok(), "{wat}");
        let mut config = Config::new();
        off(&mut config);
        assert!(Module::new(&Engine::new(&config), wat).is_err(), "{wat}");
    }
}
