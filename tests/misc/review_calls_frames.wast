;; Calls whose arguments are locals/constants, callees with more results than parameters
;; placed at the very top of the caller's frame, call_indirect with the index computed
;; right above the arguments, and unreachable-code skipping around blocks.

(module
  (type $r3 (func (param i32) (result i32 i32 i32)))
  (type $r8 (func (result i64 i64 i64 i64 i64 i64 i64 i64)))
  (table funcref (elem $three $eight))

  (func $three (param i32) (result i32 i32 i32)
    (local.get 0)
    (i32.add (local.get 0) (i32.const 1))
    (i32.add (local.get 0) (i32.const 2)))

  ;; no params, no locals, no constants: the frame is only its results
  (global $g (mut i64) (i64.const 5))
  (func $eight (result i64 i64 i64 i64 i64 i64 i64 i64)
    (global.get $g) (global.get $g) (global.get $g) (global.get $g)
    (global.get $g) (global.get $g) (global.get $g) (global.get $g))
  (func $none (result i32 i32 i32 i32) (unreachable))

  (func (export "call3") (param i32) (result i32)
    (call $three (local.get 0))
    (i32.add) (i32.add))                          ;; 3p + 3

  ;; results of the callee land above everything else; the caller has a tiny frame
  (func (export "call8") (result i64)
    (call $eight)
    (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add))

  ;; argument is a constant shared with another use
  (func (export "call3-const") (result i32)
    (i32.const 10)
    (call $three (i32.const 10))
    (drop) (drop)
    (i32.add))                                    ;; 10 + 10

  ;; arguments read a local that is then modified by the caller after the call
  (func (export "call-args-local") (param i32) (result i32)
    (local.get 0)
    (call $three (local.get 0))
    (local.set 0) (drop) (drop)                   ;; local0 = p + 2
    (local.get 0) (i32.mul))                      ;; p * (p + 2)

  ;; call_indirect: index computed right above the argument
  (func (export "ci3") (param i32) (result i32)
    (call_indirect (type $r3) (local.get 0) (i32.sub (i32.const 1) (i32.const 1)))
    (i32.mul) (i32.mul))                          ;; p (p+1) (p+2)

  (func (export "ci8") (result i64)
    (call_indirect (type $r8) (i32.const 1))
    (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add))

  (func (export "ci-bad-type") (result i64)
    (call_indirect (type $r8) (i32.const 0))
    (drop) (drop) (drop) (drop) (drop) (drop) (drop))

  ;; deep values below a call with results: nothing below the call's base is clobbered
  (func (export "below-call") (param i32) (result i32)
    (i32.const 1000) (local.get 0) (i32.const 7)
    (call $three (i32.const 1))                   ;; 1 2 3
    (i32.add) (i32.add)                           ;; 6
    (i32.add) (i32.add) (i32.add))                ;; 1000 + p + 7 + 6

  (func (export "trap-many-results") (result i32)
    (call $none) (drop) (drop) (drop))

  ;; recursion with multi-value results
  (func $fibpair (param i32) (result i32 i32)
    (if (result i32 i32) (i32.eqz (local.get 0))
      (then (i32.const 0) (i32.const 1))
      (else
        (call $fibpair (i32.sub (local.get 0) (i32.const 1)))   ;; a b
        (local.set 0)                                            ;; local0 = b
        (local.get 0) (i32.add)                                  ;; a + b
        (local.get 0)                                            ;; a+b b
        (call $swap))))                                          ;; b a+b
  (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
  (func (export "fibpair") (param i32) (result i32 i32) (call $fibpair (local.get 0)))

  ;; dead code after br / return / unreachable, including nested blocks with else
  (func (export "dead") (param i32) (result i32)
    (block $out (result i32)
      (if (local.get 0)
        (then
          (br $out (i32.const 1))
          (block (result i32) (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))))
          (drop))
        (else
          (return (i32.const 4))
          (loop (br 0))))
      (i32.const 5)))
  (func (export "dead-br-table") (param i32) (result i32)
    (block $a (result i32)
      (block $b
        (br_table $b $b (local.get 0))
        (br_table $a (i32.const 9) (i32.const 0))
        (unreachable))
      (i32.const 7)))
)

(assert_return (invoke "call3" (i32.const 4)) (i32.const 15))
(assert_return (invoke "call8") (i64.const 40))
(assert_return (invoke "call3-const") (i32.const 20))
(assert_return (invoke "call-args-local" (i32.const 3)) (i32.const 15))
(assert_return (invoke "ci3" (i32.const 2)) (i32.const 24))
(assert_return (invoke "ci8") (i64.const 40))
(assert_trap (invoke "ci-bad-type") "indirect call type mismatch")
(assert_return (invoke "below-call" (i32.const 20)) (i32.const 1033))
(assert_trap (invoke "trap-many-results") "unreachable")
(assert_return (invoke "fibpair" (i32.const 0)) (i32.const 0) (i32.const 1))
(assert_return (invoke "fibpair" (i32.const 1)) (i32.const 1) (i32.const 1))
(assert_return (invoke "fibpair" (i32.const 10)) (i32.const 55) (i32.const 89))
(assert_return (invoke "dead" (i32.const 1)) (i32.const 1))
(assert_return (invoke "dead" (i32.const 0)) (i32.const 4))
(assert_return (invoke "dead-br-table" (i32.const 0)) (i32.const 7))
