//! WebAssembly 3.0 features through the embedding API: tail calls in constant stack,
//! tail calls of host functions, typed function references, exceptions across Wasm and host
//! frames, and switching features off in `Config`.

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
    let cases: [(&str, SwitchOff); 8] = [
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
        (
            "(module (type $t (func)) (func (param (ref $t)) (call_ref $t (local.get 0))))",
            |c| {
                c.wasm_function_references(false);
            },
        ),
        (
            "(module (tag (param i32)) (func (throw 0 (i32.const 1))))",
            |c| {
                c.wasm_exceptions(false);
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

/// A module with typed function references: a table of `(ref $binop)` with an initializer,
/// `call_ref` and `br_on_null` on what the host hands in.
const TYPED_REFS: &str = r#"
(module
  (type $binop (func (param i32 i32) (result i32)))
  (type $unop (func (param i32) (result i32)))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (export "sub") (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $neg (export "neg") (type $unop) (i32.sub (i32.const 0) (local.get 0)))
  (table $ops (export "ops") 2 (ref $binop) (ref.func $add))
  (global $last (export "last") (mut (ref null $binop)) (ref.null $binop))
  (elem declare func $add)
  ;; Applies element `i` of the table with call_ref.
  (func (export "apply") (param $i i32) (param i32 i32) (result i32)
    (call_ref $binop (local.get 1) (local.get 2) (table.get $ops (local.get $i))))
  ;; Calls `f` unless it is null (then -1); remembers it in the global.
  (func (export "maybe") (param $f (ref null $binop)) (result i32)
    (global.set $last (local.get $f))
    (block $null
      (return (call_ref $binop (i32.const 7) (i32.const 2)
        (br_on_null $null (local.get $f)))))
    (i32.const -1))
  ;; call_ref without a check: traps on null.
  (func (export "call") (param $f (ref null $binop)) (result i32)
    (call_ref $binop (i32.const 7) (i32.const 2) (local.get $f)))
  (func (export "non-null") (param $f (ref null $binop)) (result (ref $binop))
    (ref.as_non_null (local.get $f))))
"#;

/// Typed references through the API: the table initializer fills every element, the
/// store checks a function's type against `(ref $t)` (tables, globals, arguments), and null
/// traps with the spec's messages.
#[test]
fn typed_function_references_check_types_at_the_api() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, TYPED_REFS)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let apply = instance.get_typed_func::<(i32, i32, i32), i32>(&store, "apply")?;
    assert_eq!(apply.call(&mut store, (0, 7, 2))?, 9);
    assert_eq!(
        apply.call(&mut store, (1, 7, 2))?,
        9,
        "initializer fills all"
    );

    let table = instance.get_table(&store, "ops").unwrap();
    let sub = instance.get_func(&store, "sub").unwrap();
    let neg = instance.get_func(&store, "neg").unwrap();
    table.set(&mut store, 1, Ref::Func(Some(sub)))?;
    assert_eq!(apply.call(&mut store, (1, 7, 2))?, 5);
    // `neg` has another type, and the element type is not nullable.
    assert!(table.set(&mut store, 1, Ref::Func(Some(neg))).is_err());
    assert!(table.set(&mut store, 1, Ref::Func(None)).is_err());
    assert_eq!(apply.call(&mut store, (1, 7, 2))?, 5);

    let maybe = instance.get_func(&store, "maybe").unwrap();
    let mut out = [Val::I32(0)];
    maybe.call(&mut store, &[Val::FuncRef(Some(sub))], &mut out)?;
    assert_eq!(out[0].unwrap_i32(), 5);
    maybe.call(&mut store, &[Val::FuncRef(None)], &mut out)?;
    assert_eq!(out[0].unwrap_i32(), -1, "br_on_null branches on null");
    let err = maybe
        .call(&mut store, &[Val::FuncRef(Some(neg))], &mut out)
        .unwrap_err();
    assert!(err.to_string().contains("argument 0"), "{err}");

    let last = instance.get_global(&store, "last").unwrap();
    assert!(matches!(last.get(&store), Val::FuncRef(None)));
    assert!(last.set(&mut store, Val::FuncRef(Some(neg))).is_err());
    last.set(&mut store, Val::FuncRef(Some(sub)))?;
    assert!(Val::FuncRef(Some(sub)).matches_ty(&store, last.ty(&store).content()));
    assert!(!Val::FuncRef(Some(neg)).matches_ty(&store, last.ty(&store).content()));

    let call = instance.get_func(&store, "call").unwrap();
    let err = call
        .call(&mut store, &[Val::FuncRef(None)], &mut out)
        .unwrap_err();
    assert_eq!(
        err.trap_code(),
        Some(TrapCode::NullFunctionReference),
        "{err}"
    );
    let non_null = instance.get_func(&store, "non-null").unwrap();
    let mut r = [Val::FuncRef(None)];
    let err = non_null
        .call(&mut store, &[Val::FuncRef(None)], &mut r)
        .unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::NullReference), "{err}");
    non_null.call(&mut store, &[Val::FuncRef(Some(sub))], &mut r)?;
    assert!(matches!(r[0], Val::FuncRef(Some(f)) if f == sub));
    Ok(())
}

/// A second module imports the first's table and global by their typed reference types:
/// the same type declared again in another module matches; another type does not.
#[test]
fn typed_reference_imports_match_across_modules() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let first = Module::new(&engine, TYPED_REFS)?;
    let first = Instance::new(&mut store, &first, &[])?;
    let table = first.get_table(&store, "ops").unwrap();
    let global = first.get_global(&store, "last").unwrap();
    let importer = |elem: &str| {
        format!(
            r#"(module
                 (type $other (func (param i32) (result i32)))
                 (type $b (func (param i32 i32) (result i32)))
                 (import "m" "ops" (table 2 (ref {elem})))
                 (import "m" "last" (global (mut (ref null {elem})))))"#
        )
    };
    let good = Module::new(&engine, importer("$b"))?;
    Instance::new(&mut store, &good, &[table.into(), global.into()])?;
    let bad = Module::new(&engine, importer("$other"))?;
    let err = Instance::new(&mut store, &bad, &[table.into(), global.into()]).unwrap_err();
    assert!(
        err.to_string().contains("incompatible import type"),
        "{err}"
    );
    Ok(())
}

/// Exceptions across frames: `catcher` calls the host, the host calls `w1` back, and `w1`
/// -> `w2` -> `w3` -> `thrower` throws. The exception leaves the three Wasm frames above
/// `thrower` (and `thrower` itself), then the host frame (the host function returns the
/// error its call gave it), and `catcher` catches it with its payload.
const EXCEPTIONS: &str = r#"
(module
  (import "host" "call-back" (func $call_back (param i32) (result i32)))
  (import "host" "throw" (func $host_throw (param i32)))
  (tag $e (export "e") (param i32 i64))
  (tag $other (param i32 i64))
  (func $thrower (export "thrower") (param i32) (result i32)
    (throw $e (local.get 0) (i64.const 77)))
  (func $w3 (param i32) (result i32) (call $thrower (local.get 0)))
  (func $w2 (param i32) (result i32) (i32.add (call $w3 (local.get 0)) (i32.const 1)))
  (func (export "w1") (param i32) (result i32) (call $w2 (local.get 0)))
  (func (export "catcher") (param i32) (result i32 i64)
    (block $h (result i32 i64)
      (try_table (catch $other $h) (catch $e $h)
        (drop (call $call_back (local.get 0))))
      (return (i32.const -1) (i64.const -1))))
  ;; The host throws $e into Wasm: caught, its payload summed.
  (func (export "host-throws") (param i32) (result i64)
    (local $x i32) (local $y i64)
    (block $h (result i32 i64)
      (try_table (catch $other $h) (catch $e $h) (call $host_throw (local.get 0)))
      (return (i64.const -1)))
    (local.set $y)
    (local.set $x)
    (i64.add (i64.extend_i32_s (local.get $x)) (local.get $y)))
)
"#;

#[test]
fn an_exception_crosses_wasm_and_host_frames_and_is_caught_with_its_payload() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, EXCEPTIONS)?;
    let mut store = Store::new(&engine, None::<Tag>);
    let mut linker: Linker<Option<Tag>> = Linker::new(&engine);
    linker.func_new(
        "host",
        "call-back",
        FuncType::new([ValType::I32], [ValType::I32]),
        |mut caller, params, results| {
            let w1 = caller.get_export("w1").and_then(Extern::into_func).unwrap();
            // The error of this call is the exception; returning it throws it on.
            w1.call(&mut caller, params, results)?;
            Ok(())
        },
    )?;
    linker.func_new(
        "host",
        "throw",
        FuncType::new([ValType::I32], []),
        |caller, params, _| {
            let tag = caller.data().expect("tag set before the call");
            let payload = vec![params[0].clone(), Val::I64(1000)];
            Err(Exception::new(tag, payload).into())
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let tag = instance
        .get_export(&store, "e")
        .and_then(Extern::into_tag)
        .unwrap();
    *store.data_mut() = Some(tag);

    let catcher = instance.get_typed_func::<i32, (i32, i64)>(&store, "catcher")?;
    assert_eq!(catcher.call(&mut store, 42)?, (42, 77));

    // Uncaught, it reaches the host as an error carrying the tag and the payload.
    let w1 = instance.get_typed_func::<i32, i32>(&store, "w1")?;
    let err = w1.call(&mut store, 5).unwrap_err();
    let exn = err.as_exception().expect("an exception");
    assert_eq!(exn.tag(), tag);
    assert_eq!(exn.payload()[0].unwrap_i32(), 5);
    assert_eq!(exn.payload()[1].unwrap_i64(), 77);

    // Thrown by the host into Wasm.
    let host_throws = instance.get_typed_func::<i32, i64>(&store, "host-throws")?;
    assert_eq!(host_throws.call(&mut store, 3)?, 1003);
    Ok(())
}
