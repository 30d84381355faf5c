;; Globals kept in frame slots: a function that calls nothing keeps each global it uses
;; inside a loop in a slot, loaded by a prologue and stored back at every return, at a
;; trap and when fuel runs out. These check that nothing of that is visible.

(module
  (global $g (export "g") (mut i32) (i32.const 0))
  (global $h (export "h") (mut i64) (i64.const 0))
  (global $k i32 (i32.const 7))
  (global $f (export "f") (mut f64) (f64.const 0))

  ;; counts $g up to $n, adding $k to $h each time, then traps: the trap leaves both
  (func (export "count-then-trap") (param $n i32) (result i32)
    (loop $l
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (global.set $h (i64.add (global.get $h) (i64.extend_i32_u (global.get $k))))
      (br_if $l (i32.lt_u (global.get $g) (local.get $n))))
    (i32.div_u (global.get $g) (i32.const 0)))

  ;; leaves through `br_if` to the function's label, `return` and `br_table`
  (func (export "exits") (param $n i32) (param $how i32) (result i32)
    (loop $l
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (global.set $f (f64.add (global.get $f) (f64.const 0.5)))
      (if (i32.eq (local.get $how) (i32.const 0))
        (then (drop (br_if 2 (global.get $g) (i32.ge_u (global.get $g) (local.get $n))))))
      (if (i32.eq (local.get $how) (i32.const 1))
        (then (if (i32.ge_u (global.get $g) (local.get $n)) (then (return (global.get $g))))))
      (if (i32.eq (local.get $how) (i32.const 2))
        (then
          (drop (block $next (result i32)
            (br_table $next 3 (global.get $g) (i32.ge_u (global.get $g) (local.get $n)))))))
      (br $l))
    (unreachable))

  ;; no parameters or locals, so the global's slot is slot 0, where the result goes
  (func (export "slot-zero") (result i32)
    (loop $l
      (global.set $g (i32.add (global.get $g) (i32.const 2)))
      (br_if $l (i32.lt_u (global.get $g) (i32.const 100))))
    (i32.add (global.get $g) (i32.const 1)))

  ;; a value read before the global is set keeps the old value
  (func (export "old-value") (result i32)
    (loop $l (result i32)
      (global.get $g)
      (global.set $g (i32.const 1000))))

  (func (export "reset")
    (global.set $g (i32.const 0))
    (global.set $h (i64.const 0))
    (global.set $f (f64.const 0)))
)

(assert_trap (invoke "count-then-trap" (i32.const 10)) "integer divide by zero")
(assert_return (get "g") (i32.const 10))
(assert_return (get "h") (i64.const 70))
(assert_trap (invoke "count-then-trap" (i32.const 3)) "integer divide by zero")
(assert_return (get "g") (i32.const 11))
(assert_return (get "h") (i64.const 77))

(invoke "reset")
(assert_return (invoke "exits" (i32.const 5) (i32.const 0)) (i32.const 5))
(assert_return (get "g") (i32.const 5))
(assert_return (get "f") (f64.const 2.5))
(assert_return (invoke "exits" (i32.const 8) (i32.const 1)) (i32.const 8))
(assert_return (get "g") (i32.const 8))
(assert_return (get "f") (f64.const 4))
(assert_return (invoke "exits" (i32.const 12) (i32.const 2)) (i32.const 12))
(assert_return (get "g") (i32.const 12))
(assert_return (get "f") (f64.const 6))

(invoke "reset")
(assert_return (invoke "slot-zero") (i32.const 101))
(assert_return (get "g") (i32.const 100))
(assert_return (invoke "old-value") (i32.const 100))
(assert_return (get "g") (i32.const 1000))

;; A mutable global imported twice is one global under two indices: it stays in the store.
(module $M (global (export "gm") (mut i32) (i32.const 0)))
(register "M" $M)
(module
  (import "M" "gm" (global $a (mut i32)))
  (import "M" "gm" (global $b (mut i32)))
  (func (export "alias") (result i32) (local $i i32)
    (loop $l
      (global.set $a (i32.add (global.get $b) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 10))))
    (global.get $b)))
(assert_return (invoke "alias") (i32.const 10))
(assert_return (get $M "gm") (i32.const 10))
