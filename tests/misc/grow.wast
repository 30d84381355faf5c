;; memory.grow and table.grow: -1 past the declared maximum or the 4 GiB limit, the old size
;; otherwise; new pages are zeroed and bounds checks follow the new size; an imported memory
;; sees growth done by its exporter.

(module
  (memory 1 3)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
)

(assert_return (invoke "size") (i32.const 1))
(assert_return (invoke "grow" (i32.const 3)) (i32.const -1))
(assert_return (invoke "size") (i32.const 1))
(assert_trap (invoke "load" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 0)) (i32.const 1))
(assert_return (invoke "grow" (i32.const 2)) (i32.const 1))
(assert_return (invoke "size") (i32.const 3))
(assert_return (invoke "load" (i32.const 65536)) (i32.const 0))
(assert_return (invoke "load" (i32.const 196607)) (i32.const 0))
(assert_trap (invoke "load" (i32.const 196608)) "out of bounds memory access")
(invoke "store" (i32.const 196607) (i32.const 0xab))
(assert_return (invoke "load" (i32.const 196607)) (i32.const 171))
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0)) (i32.const 3))
(assert_return (invoke "grow" (i32.const -1)) (i32.const -1))
(assert_return (invoke "size") (i32.const 3))

;; Without a maximum, the limit is 65536 pages.
(module
  (memory 0)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)

(assert_return (invoke "grow" (i32.const 65537)) (i32.const -1))
(assert_return (invoke "grow" (i32.const -1)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0x80000000)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0)) (i32.const 0))
(assert_return (invoke "grow" (i32.const 1)) (i32.const 0))
(assert_return (invoke "grow" (i32.const 0)) (i32.const 1))

;; Growth through the exporting instance is visible to an importer.
(module $M
  (memory (export "mem") 1 2)
  (func (export "grow") (result i32) (memory.grow (i32.const 1))))
(register "M" $M)
(module $N
  (import "M" "mem" (memory 1 2))
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))

(assert_return (invoke $N "size") (i32.const 1))
(assert_trap (invoke $N "load" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke $M "grow") (i32.const 1))
(assert_return (invoke $N "size") (i32.const 2))
(assert_return (invoke $N "load" (i32.const 65536)) (i32.const 0))
(assert_return (invoke $M "grow") (i32.const -1))

(module
  (table 1 2 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "size") (result i32) (table.size))
)

(assert_return (invoke "grow" (i32.const 2)) (i32.const -1))
(assert_return (invoke "size") (i32.const 1))
(assert_return (invoke "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "size") (i32.const 2))
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0)) (i32.const 2))
