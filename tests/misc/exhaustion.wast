;; Deep guest recursion must end in a clean "call stack exhausted" trap, never a host crash,
;; and the store must stay usable afterwards. Finite recursion of a few thousand frames works.

(module
  (type $v (func))
  (table funcref (elem $indirect))

  (func $runaway (export "runaway") (call $runaway))

  (func $indirect (export "indirect") (call_indirect (type $v) (i32.const 0)))

  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $even (i32.sub (local.get 0) (i32.const 1))))))

  ;; A frame with many locals, so the VM stack runs out of slots rather than frames.
  (func $fat (export "fat") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else
        (i32.add (i32.const 1) (call $fat (i32.sub (local.get 0) (i32.const 1)))))))

  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
)

(assert_exhaustion (invoke "runaway") "call stack exhausted")
(assert_return (invoke "fac" (i64.const 20)) (i64.const 2432902008176640000))
(assert_exhaustion (invoke "indirect") "call stack exhausted")
(assert_return (invoke "even" (i32.const 5000)) (i32.const 1))
(assert_return (invoke "even" (i32.const 4999)) (i32.const 0))
(assert_exhaustion (invoke "even" (i32.const -1)) "call stack exhausted")
(assert_return (invoke "fat" (i32.const 2000)) (i32.const 2000))
(assert_exhaustion (invoke "fat" (i32.const -1)) "call stack exhausted")
(assert_exhaustion (invoke "runaway") "call stack exhausted")
(assert_return (invoke "fac" (i64.const 5)) (i64.const 120))
