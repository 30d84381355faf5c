;; br_if / br_table to the FUNCTION's own label with several results. The branch emits the
;; result copies on the taken path only; the fall-through path (or the other br_table stubs)
;; must still see the values where they were before the branch.
;; Fall-through cases are invoked first so stale frame slots cannot mask a miscompile.

(module
  (func (export "brif-ret2") (param i32 i32 i32) (result i32 i32)
    (local.get 0) (local.get 1) (local.get 2) (br_if 0)
    (i32.const 10) (i32.add))

  (func (export "brif-ret2-swap") (param i32 i32 i32) (result i32 i32)
    (local.get 1) (local.get 0) (local.get 2) (br_if 0)
    (i32.const 10) (i32.add))

  (func (export "brif-ret2-const") (param i32) (result i32 i32)
    (i32.const 7) (i32.const 8) (local.get 0) (br_if 0)
    (i32.const 10) (i32.add))

  ;; br_table whose first target is the function label and default is an inner block.
  (func (export "brtable-ret-first") (param i32 i32 i32) (result i32 i32)
    (block (result i32 i32)
      (local.get 0) (local.get 1) (local.get 2)
      (br_table 1 0))
    (i32.const 100) (i32.add))

  ;; Same with the order of the targets swapped.
  (func (export "brtable-ret-last") (param i32 i32 i32) (result i32 i32)
    (block (result i32 i32)
      (local.get 0) (local.get 1) (local.get 2)
      (br_table 0 1))
    (i32.const 100) (i32.add))

  ;; br_table to the function label, then another block, then the function label again.
  (func (export "brtable-ret-three") (param i32 i32 i32) (result i32 i32)
    (block $a (result i32 i32)
      (block $b (result i32 i32)
        (local.get 1) (local.get 0) (local.get 2)
        (br_table 2 0 1 2))
      ;; from $b
      (i32.const 1000) (i32.add)
      (return))
    ;; from $a
    (i32.const 100) (i32.add))

  ;; Loop with parameters; br_table either returns from the function or loops.
  (func (export "tri-brtable") (param i32) (result i32 i32)
    (local $acc i32) (local $n i32) (local $guard i32)
    (i32.const 0) (local.get 0)
    (loop $l (param i32 i32) (result i32 i32)
      (local.set $n) (local.set $acc)
      (local.set $guard (i32.add (local.get $guard) (i32.const 1)))
      (if (i32.gt_u (local.get $guard) (i32.const 1000)) (then (unreachable)))
      (i32.add (local.get $acc) (local.get $n))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (local.get $n)
      (br_table 1 0)))

  ;; Same with br_if to the function label and a br back to the loop.
  (func (export "tri-brif") (param i32) (result i32 i32)
    (local $acc i32) (local $n i32) (local $guard i32)
    (i32.const 0) (local.get 0)
    (loop $l (param i32 i32) (result i32 i32)
      (local.set $n) (local.set $acc)
      (local.set $guard (i32.add (local.get $guard) (i32.const 1)))
      (if (i32.gt_u (local.get $guard) (i32.const 1000)) (then (unreachable)))
      (i32.add (local.get $acc) (local.get $n))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if 1 (i32.eqz (local.get $n)))
      (br $l)))

  ;; Single result: br_if to the function label from a local, then fall through.
  (func (export "brif-ret1") (param i32 i32) (result i32)
    (local.get 0) (local.get 1) (br_if 0)
    (i32.const 3) (i32.mul))

  ;; Single result: br_table to the function label and to a block.
  (func (export "brtable-ret1") (param i32 i32) (result i32)
    (block (result i32)
      (local.get 0) (local.get 1) (br_table 1 0))
    (i32.const 3) (i32.mul))
)

(assert_return (invoke "brif-ret2" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 1) (i32.const 12))
(assert_return (invoke "brif-ret2" (i32.const 1) (i32.const 2) (i32.const 1)) (i32.const 1) (i32.const 2))
(assert_return (invoke "brif-ret2" (i32.const 3) (i32.const 4) (i32.const 0)) (i32.const 3) (i32.const 14))

(assert_return (invoke "brif-ret2-swap" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 2) (i32.const 11))
(assert_return (invoke "brif-ret2-swap" (i32.const 1) (i32.const 2) (i32.const 5)) (i32.const 2) (i32.const 1))
(assert_return (invoke "brif-ret2-swap" (i32.const 5) (i32.const 6) (i32.const 0)) (i32.const 6) (i32.const 15))

(assert_return (invoke "brif-ret2-const" (i32.const 0)) (i32.const 7) (i32.const 18))
(assert_return (invoke "brif-ret2-const" (i32.const 1)) (i32.const 7) (i32.const 8))
(assert_return (invoke "brif-ret2-const" (i32.const 0)) (i32.const 7) (i32.const 18))

(assert_return (invoke "brtable-ret-first" (i32.const 1) (i32.const 2) (i32.const 1)) (i32.const 1) (i32.const 102))
(assert_return (invoke "brtable-ret-first" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 1) (i32.const 2))
(assert_return (invoke "brtable-ret-first" (i32.const 5) (i32.const 6) (i32.const 7)) (i32.const 5) (i32.const 106))

(assert_return (invoke "brtable-ret-last" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 1) (i32.const 102))
(assert_return (invoke "brtable-ret-last" (i32.const 1) (i32.const 2) (i32.const 1)) (i32.const 1) (i32.const 2))
(assert_return (invoke "brtable-ret-last" (i32.const 5) (i32.const 6) (i32.const 0)) (i32.const 5) (i32.const 106))

(assert_return (invoke "brtable-ret-three" (i32.const 1) (i32.const 2) (i32.const 1)) (i32.const 2) (i32.const 1001))
(assert_return (invoke "brtable-ret-three" (i32.const 1) (i32.const 2) (i32.const 2)) (i32.const 2) (i32.const 101))
(assert_return (invoke "brtable-ret-three" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 2) (i32.const 1))
(assert_return (invoke "brtable-ret-three" (i32.const 1) (i32.const 2) (i32.const 9)) (i32.const 2) (i32.const 1))

(assert_return (invoke "tri-brtable" (i32.const 4)) (i32.const 10) (i32.const 0))
(assert_return (invoke "tri-brtable" (i32.const 1)) (i32.const 1) (i32.const 0))
(assert_return (invoke "tri-brtable" (i32.const 3)) (i32.const 6) (i32.const 0))

(assert_return (invoke "tri-brif" (i32.const 4)) (i32.const 10) (i32.const 0))
(assert_return (invoke "tri-brif" (i32.const 1)) (i32.const 1) (i32.const 0))
(assert_return (invoke "tri-brif" (i32.const 3)) (i32.const 6) (i32.const 0))

(assert_return (invoke "brif-ret1" (i32.const 5) (i32.const 0)) (i32.const 15))
(assert_return (invoke "brif-ret1" (i32.const 5) (i32.const 1)) (i32.const 5))
(assert_return (invoke "brtable-ret1" (i32.const 5) (i32.const 1)) (i32.const 15))
(assert_return (invoke "brtable-ret1" (i32.const 5) (i32.const 0)) (i32.const 5))
