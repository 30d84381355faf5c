;; Loop counters: an i32.add of a small constant fused with the compare-and-branch after it
;; (IncBrI32{Ne,LtS,LtU} with a slot or an immediate bound), and immediate operands.

(module
  ;; counts iterations of `i += step` until `i != bound` fails
  (func (export "ne") (param $i i32) (param $step_neg i32) (param $bound i32) (result i32)
    (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 3))) (local.get $bound))))
    (local.get $n))
  (func (export "ne-imm-down") (param $i i32) (result i32)
    (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const -1))) (i32.const -5))))
    (local.get $n))
  (func (export "lt-s") (param $i i32) (param $bound i32) (result i32)
    (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 100))) (local.get $bound))))
    (local.get $i))
  (func (export "lt-u-imm") (param $i i32) (result i32)
    (loop $l
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 127))) (i32.const 1000))))
    (local.get $i))
  (func (export "lt-s-imm") (param $i i32) (result i32)
    (loop $l
      ;; signed: stepping down past i32::MIN wraps to a large positive value, ending the loop
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const -128))) (i32.const 0))))
    (local.get $i))
  (func (export "ne-wraps") (param $i i32) (result i32)
    ;; 0xffffffff + 1 wraps to 0; the loop runs on to 5
    (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 5))))
    (local.get $n))
  ;; the bound on the left flips the comparison: 10 > i is i < 10
  (func (export "flipped") (param $i i32) (result i32)
    (loop $l
      (br_if $l (i32.gt_s (i32.const 10) (local.tee $i (i32.add (local.get $i) (i32.const 1))))))
    (local.get $i))
  ;; i64 immediates sign-extend; 0x80000000 does not fit and stays a constant slot
  (func (export "i64-imm") (param $x i64) (result i64)
    (i64.add (i64.add (local.get $x) (i64.const -3)) (i64.const 0x80000000)))
  (func (export "sub-imm") (param $x i32) (result i32)
    (i32.sub (local.get $x) (i32.const -2147483648)))
  (func (export "eqz-cmp") (param $x i32) (result i32)
    (block $b
      (br_if $b (i32.eqz (i32.gt_u (local.get $x) (i32.const 7))))
      (return (i32.const 1)))
    (i32.const 0))
)

(assert_return (invoke "ne" (i32.const 0) (i32.const 0) (i32.const 30)) (i32.const 10))
(assert_return (invoke "ne-imm-down" (i32.const 5)) (i32.const 10))
(assert_return (invoke "lt-s" (i32.const -1000) (i32.const 0)) (i32.const 0))
(assert_return (invoke "lt-s" (i32.const 0) (i32.const -5)) (i32.const 100))
(assert_return (invoke "lt-u-imm" (i32.const 0)) (i32.const 1016))
(assert_return (invoke "lt-s-imm" (i32.const -2147483348)) (i32.const 2147483564))
(assert_return (invoke "ne-wraps" (i32.const -2)) (i32.const 7))
(assert_return (invoke "flipped" (i32.const 0)) (i32.const 10))
(assert_return (invoke "i64-imm" (i64.const 3)) (i64.const 0x80000000))
(assert_return (invoke "i64-imm" (i64.const 0)) (i64.const 0x7ffffffd))
(assert_return (invoke "sub-imm" (i32.const 1)) (i32.const -2147483647))
(assert_return (invoke "eqz-cmp" (i32.const 8)) (i32.const 1))
(assert_return (invoke "eqz-cmp" (i32.const 7)) (i32.const 0))
