;; Found by the differential target with WVM metering fuel. With `Config::consume_fuel`,
;; WVM charges `memory.grow` and `table.grow` for the pages / elements asked for before it
;; checks the maximum: a grow that must fail (and return -1, per the spec) either traps
;; "all fuel consumed by WebAssembly" when the fuel left is below delta x per-page cost,
;; or silently burns that much fuel (2^32-1 pages x 64 = 2^38 fuel for `memory.grow -1`).
;; Expected: each export returns -1 and uses a few units of fuel.
(module
  (memory 1 2)
  (table 1 10 funcref)
  (func (export "memory_grow_past_max") (result i32)
    i32.const -1
    memory.grow)
  (func (export "memory_grow_too_many") (result i32)
    i32.const 100000
    memory.grow)
  (func (export "table_grow_past_max") (result i32)
    ref.null func
    i32.const -1
    table.grow 0))
