;; v128 values in frames: a function using v128 keeps a vector cell beside each slot, and its
;; copies (block results, branches, calls, returns, local.set) move both cells. These check
;; the places where the translator moves values rather than the lane arithmetic (which the
;; spec's simd_* scripts cover).

(module
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (global $k v128 (v128.const i64x2 -1 7))
  (global $s (mut i64) (i64.const 0))

  ;; A scalar and a v128 constant with the same low 64 bits stay distinct.
  (func (export "same_low_bits") (result i64 v128)
    (i64.const 5)
    (v128.const i64x2 5 9))

  ;; Block results and branches carrying a v128 and a scalar side by side.
  (func (export "block_mix") (param $c i32) (result v128 i32)
    (block $b (result v128 i32)
      (v128.const i32x4 10 20 30 40)
      (i32.const 1)
      (br_if $b (local.get $c))
      (drop)
      (drop)
      (v128.const i32x4 -1 -2 -3 -4)
      (i32.const 2)))

  ;; br_table to several labels with a v128 result.
  (func (export "table") (param $i i32) (result v128)
    (block $d (result v128)
      (block $b1 (result v128)
        (block $b0 (result v128)
          (v128.const i32x4 7 7 7 7)
          (br_table $b0 $b1 $d (local.get $i)))
        (return (i32x4.add (v128.const i32x4 100 0 0 0))))
      (return (i32x4.add (v128.const i32x4 0 200 0 0)))))

  ;; A loop carrying a v128 accumulator in a local and one on the stack (block params).
  (func (export "loop_sum") (param $n i32) (result v128)
    (local $acc v128)
    (v128.const i32x4 0 0 0 0)
    (loop $l (param v128) (result v128)
      (local.set $acc (i32x4.add (local.get $acc) (v128.const i32x4 1 2 3 4)))
      (i32x4.add (v128.const i32x4 1 1 1 1))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l))
    (local.get $acc)
    (i32x4.add))

  ;; A local read before it is overwritten keeps the old value (the reader gets a copy).
  (func (export "old_value") (result v128)
    (local $a v128)
    (local.set $a (v128.const i32x4 1 1 1 1))
    (local.get $a)
    (local.set $a (v128.const i32x4 5 5 5 5))
    (local.get $a)
    (i32x4.sub))

  ;; Calls: v128 parameters and results, several at once, through a scalar function too.
  (func $swap (param v128 i32 v128) (result v128 i32 v128)
    (local.get 2) (local.get 1) (local.get 0))
  (func $scalar (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "calls") (result v128 i32 v128)
    (call $swap
      (v128.const i32x4 1 2 3 4)
      (call $scalar (i32.const 5))
      (v128.const i32x4 5 6 7 8)))

  ;; Recursion: each frame's v128 local must survive the callee's frame.
  (func $rec (export "rec") (param $n i32) (result v128)
    (local $mine v128)
    (local.set $mine (i32x4.splat (local.get $n)))
    (if (result v128) (i32.eqz (local.get $n))
      (then (local.get $mine))
      (else
        (i32x4.add
          (call $rec (i32.sub (local.get $n) (i32.const 1)))
          (local.get $mine)))))

  ;; select on v128, both the untyped and the typed form, and on a scalar in the same function.
  (func (export "selects") (param $c i32) (result v128 v128 i32)
    (select (v128.const i32x4 1 1 1 1) (v128.const i32x4 2 2 2 2) (local.get $c))
    (select (result v128) (v128.const i32x4 3 3 3 3) (v128.const i32x4 4 4 4 4) (local.get $c))
    (select (i32.const 5) (i32.const 6) (local.get $c)))

  ;; v128 globals: read, write, read back; a scalar global beside them.
  (func (export "globals") (result v128 i64)
    (global.set $g (i32x4.add (global.get $g) (global.get $k)))
    (global.set $s (i64x2.extract_lane 1 (global.get $g)))
    (global.get $g)
    (global.get $s))

  ;; A v128 store at the last 16 bytes of memory works; one byte further traps.
  (memory 1)
  (func (export "store_at") (param $a i32) (result v128)
    (v128.store (local.get $a) (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
    (v128.load (local.get $a)))

  ;; A shuffle mask equal to a v128 constant of the same function.
  (func (export "shuffle_const") (result v128 v128)
    (v128.const i8x16 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14)
    (i8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
      (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))
)

(assert_return (invoke "same_low_bits") (i64.const 5) (v128.const i64x2 5 9))
(assert_return (invoke "block_mix" (i32.const 1)) (v128.const i32x4 10 20 30 40) (i32.const 1))
(assert_return (invoke "block_mix" (i32.const 0)) (v128.const i32x4 -1 -2 -3 -4) (i32.const 2))
(assert_return (invoke "table" (i32.const 0)) (v128.const i32x4 107 7 7 7))
(assert_return (invoke "table" (i32.const 1)) (v128.const i32x4 7 207 7 7))
(assert_return (invoke "table" (i32.const 9)) (v128.const i32x4 7 7 7 7))
(assert_return (invoke "loop_sum" (i32.const 3)) (v128.const i32x4 6 9 12 15))
(assert_return (invoke "old_value") (v128.const i32x4 -4 -4 -4 -4))
(assert_return (invoke "calls")
  (v128.const i32x4 5 6 7 8) (i32.const 15) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "rec" (i32.const 4)) (v128.const i32x4 10 10 10 10))
(assert_return (invoke "rec" (i32.const 1000)) (v128.const i32x4 500500 500500 500500 500500))
(assert_return (invoke "selects" (i32.const 1))
  (v128.const i32x4 1 1 1 1) (v128.const i32x4 3 3 3 3) (i32.const 5))
(assert_return (invoke "selects" (i32.const 0))
  (v128.const i32x4 2 2 2 2) (v128.const i32x4 4 4 4 4) (i32.const 6))
(assert_return (invoke "globals") (v128.const i32x4 0 1 10 4) (i64.const 0x000000040000000a))
(assert_return (invoke "globals") (v128.const i32x4 -1 0 17 4) (i64.const 0x0000000400000011))
(assert_return (invoke "store_at" (i32.const 65520))
  (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
(assert_trap (invoke "store_at" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "shuffle_const")
  (v128.const i8x16 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14)
  (v128.const i8x16 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14))

;; A v128 global exported and imported by another module, and a v128 function called
;; across modules.
(module $m
  (global (export "g") (mut v128) (v128.const i32x4 9 8 7 6))
  (func (export "twice") (param v128) (result v128) (i32x4.add (local.get 0) (local.get 0))))
(register "m" $m)
(module
  (import "m" "g" (global $g (mut v128)))
  (import "m" "twice" (func $twice (param v128) (result v128)))
  (func (export "run") (result v128)
    (global.set $g (call $twice (global.get $g)))
    (global.get $g)))
(assert_return (invoke "run") (v128.const i32x4 18 16 14 12))
(assert_return (invoke "run") (v128.const i32x4 36 32 28 24))
