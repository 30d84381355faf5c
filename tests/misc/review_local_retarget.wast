;; local.get folding, local.set/local.tee retargeting of the previous instruction's result,
;; and pending reads of a local that is then overwritten (also inside nested blocks).

(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))

  ;; old value of local 0 pending on the stack while the local is overwritten by tee
  (func (export "tee-pending") (param i32) (result i32)
    (local.get 0)
    (local.tee 0 (i32.add (local.get 0) (i32.const 1)))
    (i32.add)                      ;; p + (p+1)
    (local.get 0)
    (i32.add))                     ;; + (p+1)  = 3p+2

  ;; pending read, local.set inside a nested block
  (func (export "set-in-block") (param i32) (result i32)
    (local.get 0)
    (block
      (block
        (local.set 0 (i32.const 5))))
    (local.get 0)
    (i32.sub))                     ;; p - 5

  ;; pending read in an if arm, overwritten in both arms
  (func (export "set-in-if") (param i32 i32) (result i32)
    (local.get 0)
    (if (result i32) (local.get 1)
      (then (local.set 0 (i32.const 7)) (local.get 0))
      (else (local.set 0 (i32.const 9)) (local.get 0)))
    (i32.sub))                     ;; p0 - (c ? 7 : 9)

  ;; if with a parameter taken from a local that the arms overwrite
  (func (export "if-param-local") (param i32 i32) (result i32)
    (local.get 0)
    (local.get 1)
    (if (param i32) (result i32)
      (then (local.set 0 (i32.const 7)) (local.get 0) (i32.add))
      (else (local.set 0 (i32.const 3)) (local.get 0) (i32.mul))))

  ;; block parameter from a producer, then local.set inside the block retargets it
  (func (export "block-param-set") (param i32) (result i32)
    (i32.add (local.get 0) (local.get 0))
    (block (param i32) (result i32)
      (local.set 0)
      (local.get 0) (i32.const 1) (i32.add)))        ;; 2p + 1

  ;; several pending copies of the same local, then set and tee
  (func (export "many-pending") (param i32) (result i32)
    (local.get 0) (local.get 0) (local.get 0)
    (local.set 0 (i32.const 100))
    (i32.add) (i32.add)            ;; 3p
    (local.get 0) (i32.add))       ;; 3p + 100

  ;; local.set of a value produced before an if's end (then arm unreachable)
  (func (export "set-after-if-dead-then") (param i32 i32) (result i32)
    (local $x i32)
    (block $out
      (if (result i32) (local.get 0)
        (then (br $out))
        (else (i32.mul (local.get 1) (i32.const 3))))
      (local.set $x)
      (return (local.get $x)))
    (i32.const -1))

  ;; local.set of a block result that is also reached by a branch
  (func (export "set-after-branched-block") (param i32 i32) (result i32)
    (local $x i32)
    (block (result i32)
      (i32.add (local.get 1) (i32.const 10))
      (br_if 0 (local.get 0))
      (drop)
      (i32.mul (local.get 1) (i32.const 2)))
    (local.set $x)
    (local.get $x))

  ;; same with br_table into the block (no copy needed)
  (func (export "set-after-brtable-block") (param i32 i32) (result i32)
    (local $x i32)
    (block $a (result i32)
      (block $b (result i32)
        (i32.add (local.get 1) (i32.const 10))
        (local.get 0)
        (br_table $a $b))
      (i32.const 1000) (i32.add))
    (local.set $x)
    (local.get $x))

  ;; local.tee of a producer and the stack slot is used afterwards through the local
  (func (export "tee-twice") (param i32) (result i32)
    (local $a i32) (local $b i32)
    (local.tee $a (i32.mul (local.get 0) (i32.const 3)))
    (local.tee $b)
    (local.get $a) (i32.add)       ;; 3p + 3p
    (local.get $b) (i32.add))      ;; 9p

  ;; select with operands from locals and constants, result tee'd into an operand local
  (func (export "select-tee") (param i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (local.get 2))
    (local.tee 0)
    (local.get 1)
    (i32.sub))                     ;; (c ? p0 : p1) - p1

  ;; select whose condition is a local that is overwritten after the select
  (func (export "select-then-set") (param i32 i32 i32) (result i32)
    (local.get 2)                                  ;; pending old p2
    (select (local.get 0) (local.get 1) (local.get 2))
    (local.set 2)                                  ;; p2 := selected
    (i32.const 10) (i32.mul)                       ;; old p2 * 10
    (local.get 2) (i32.add))

  ;; multi-value block results set into locals in reverse order
  (func (export "mv-block-set") (param i32 i32) (result i32)
    (block (result i32 i32)
      (i32.add (local.get 0) (local.get 1))
      (i32.sub (local.get 0) (local.get 1)))
    (local.set 0)                  ;; p0 - p1
    (local.set 1)                  ;; p0 + p1
    (i32.mul (local.get 0) (i32.const 100))
    (local.get 1) (i32.add))

  ;; global.get / load / memory.size retargeted into locals
  (func (export "retarget-misc") (param i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    (global.set $g (local.get 0))
    (i32.store (i32.const 8) (i32.const 40))
    (local.set $a (global.get $g))
    (local.set $b (i32.load (i32.const 8)))
    (local.set $c (memory.size))
    (i32.add (i32.add (local.get $a) (local.get $b)) (local.get $c)))  ;; p + 40 + 1

  ;; a producer whose operand is the very local it is retargeted to (read before write)
  (func (export "self-update") (param i32 i32) (result i32)
    (local.set 0 (i32.sub (local.get 1) (local.get 0)))
    (local.set 1 (i32.sub (local.get 1) (local.get 0)))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))

  ;; swapping two locals through the stack
  (func (export "swap") (param i32 i32) (result i32 i32)
    (local.get 0) (local.get 1)
    (local.set 0) (local.set 1)
    (local.get 0) (local.get 1))

  ;; rotate three locals through the stack
  (func (export "rot3") (param i32 i32 i32) (result i32 i32 i32)
    (local.get 0) (local.get 1) (local.get 2)
    (local.set 0) (local.set 2) (local.set 1)
    (local.get 0) (local.get 1) (local.get 2))
)

(assert_return (invoke "tee-pending" (i32.const 10)) (i32.const 32))
(assert_return (invoke "set-in-block" (i32.const 12)) (i32.const 7))
(assert_return (invoke "set-in-if" (i32.const 20) (i32.const 1)) (i32.const 13))
(assert_return (invoke "set-in-if" (i32.const 20) (i32.const 0)) (i32.const 11))
(assert_return (invoke "if-param-local" (i32.const 5) (i32.const 1)) (i32.const 12))
(assert_return (invoke "if-param-local" (i32.const 5) (i32.const 0)) (i32.const 15))
(assert_return (invoke "block-param-set" (i32.const 6)) (i32.const 13))
(assert_return (invoke "many-pending" (i32.const 4)) (i32.const 112))
(assert_return (invoke "set-after-if-dead-then" (i32.const 0) (i32.const 5)) (i32.const 15))
(assert_return (invoke "set-after-if-dead-then" (i32.const 1) (i32.const 5)) (i32.const -1))
(assert_return (invoke "set-after-branched-block" (i32.const 0) (i32.const 5)) (i32.const 10))
(assert_return (invoke "set-after-branched-block" (i32.const 1) (i32.const 5)) (i32.const 15))
(assert_return (invoke "set-after-brtable-block" (i32.const 0) (i32.const 5)) (i32.const 15))
(assert_return (invoke "set-after-brtable-block" (i32.const 1) (i32.const 5)) (i32.const 1015))
(assert_return (invoke "tee-twice" (i32.const 2)) (i32.const 18))
(assert_return (invoke "select-tee" (i32.const 7) (i32.const 3) (i32.const 1)) (i32.const 4))
(assert_return (invoke "select-tee" (i32.const 7) (i32.const 3) (i32.const 0)) (i32.const 0))
(assert_return (invoke "select-then-set" (i32.const 7) (i32.const 3) (i32.const 1)) (i32.const 17))
(assert_return (invoke "select-then-set" (i32.const 7) (i32.const 3) (i32.const 0)) (i32.const 3))
(assert_return (invoke "mv-block-set" (i32.const 5) (i32.const 3)) (i32.const 208))
(assert_return (invoke "retarget-misc" (i32.const 2)) (i32.const 43))
(assert_return (invoke "self-update" (i32.const 3) (i32.const 10)) (i32.const 7003))
(assert_return (invoke "swap" (i32.const 1) (i32.const 2)) (i32.const 2) (i32.const 1))
(assert_return (invoke "rot3" (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 3) (i32.const 1) (i32.const 2))
