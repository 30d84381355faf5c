//! The two interpreter loops (threaded where the build has it, and portable) run the same
//! code the same way, and the threaded one runs in constant host stack.

use wvm::{Config, Engine, Instance, Module, Store, Val};

/// A loop that runs, each iteration, most kinds of handler: integer and float arithmetic,
/// comparisons fused with branches, loads and stores, globals, select, br_table, a call, a
/// call_indirect, memory.size, copies at block boundaries, a call of a function using
/// v128 (lane arithmetic, a vector load and store, a shuffle, bitselect, a v128 global), and
/// loads and stores of a second, 64-bit memory, and a tail call.
const MIXED_LOOP: &str = r#"
(module
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (memory $m64 i64 1)
  (global $g (mut i32) (i32.const 0))
  (global $h (mut i64) (i64.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $inc $dec)
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $dec (type $t) (i32.sub (local.get 0) (i32.const 1)))
  (func $tail (type $t)
    (if (i32.and (local.get 0) (i32.const 1)) (then (return_call $inc (local.get 0))))
    (return_call_indirect (type $t) (local.get 0) (i32.const 1)))
  (global $v (mut v128) (v128.const i32x4 0 0 0 0))
  (func $vec (param $x i32) (result i32)
    (local $a v128)
    (local.set $a (i32x4.add (global.get $v) (i32x4.splat (local.get $x))))
    (v128.store (i32.const 256) (local.get $a))
    (local.set $a (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11
      (local.get $a) (v128.load (i32.const 256))))
    (global.set $v (v128.bitselect (local.get $a) (global.get $v) (v128.const i32x4 -1 0 -1 0)))
    (i32x4.extract_lane 0 (global.get $v)))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $f f64) (local $x i32)
    (loop $l
      (local.set $x (call $inc (local.get $i)))
      (local.set $x (call $tail (local.get $x)))
      (local.set $x (call_indirect (type $t) (local.get $x) (i32.and (local.get $i) (i32.const 1))))
      (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfffc)) (local.get $x))
      (local.set $x (i32.load8_u (i32.and (local.get $i) (i32.const 0xffff))))
      (local.set $x (i32.add (local.get $x) (i32.and (call $vec (local.get $i)) (i32.const 0xff))))
      (i64.store $m64 offset=8 (i64.extend_i32_u (i32.and (local.get $i) (i32.const 0xff8)))
        (i64.extend_i32_u (local.get $x)))
      (local.set $x (i32.add (local.get $x)
        (i32.load8_u $m64 (i64.extend_i32_u (i32.and (local.get $i) (i32.const 0xfff))))))
      (local.set $f (f64.add (local.get $f) (f64.convert_i32_u (local.get $x))))
      (global.set $g (select (global.get $g) (local.get $x) (i32.lt_u (local.get $i) (i32.const 100))))
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (i32.rem_u (local.get $i) (i32.const 3))))
        (global.set $h (i64.add (global.get $h) (i64.extend_i32_u (local.get $x)))) (br $b2))
        (global.set $h (i64.xor (global.get $h) (i64.const 0x55))) (br $b2))
      (global.set $h (i64.add (global.get $h) (i64.extend_i32_u (memory.size))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (i64.add (global.get $h) (i64.extend_i32_u (global.get $g)))
             (i64.trunc_f64_u (local.get $f)))))
"#;

/// Runs the loop `n` times; `metered`: the config meters fuel and checks epochs.
fn run_mixed(config: &Config, metered: bool, n: i32) -> i64 {
    let engine = Engine::new(config);
    let module = Module::new(&engine, MIXED_LOOP).unwrap();
    let mut store = Store::new(&engine, ());
    if metered {
        store.set_fuel(u64::MAX).unwrap();
        store.set_epoch_deadline(1);
    }
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let mut out = [Val::I64(0)];
    run.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
    out[0].unwrap_i64()
}

#[test]
fn both_loops_compute_the_same() {
    let mut portable = Config::new();
    portable.threaded_dispatch(false);
    let expected = run_mixed(&portable, false, 1000);
    assert_eq!(run_mixed(&Config::new(), false, 1000), expected);
    let mut metered = Config::new();
    metered.consume_fuel(true).epoch_interruption(true);
    assert_eq!(run_mixed(&metered, true, 1000), expected);
}

/// Two million iterations on a thread with a 256 KiB stack: a handler that called the next
/// one instead of jumping to it would need a host frame per instruction run and overflow.
#[test]
fn the_loops_run_in_constant_host_stack() {
    let small_stack = |config: Config, metered: bool| {
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || run_mixed(&config, metered, 2_000_000))
            .unwrap()
            .join()
            .expect("ran without overflowing its stack")
    };
    let plain = small_stack(Config::new(), false);
    let mut metered = Config::new();
    metered.consume_fuel(true).epoch_interruption(true);
    assert_eq!(small_stack(metered, true), plain);
    let mut portable = Config::new();
    portable.threaded_dispatch(false);
    assert_eq!(small_stack(portable, false), plain);
}
