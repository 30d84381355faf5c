;; Found by the differential target (wasm-smith's `disallow_traps` guards every division
;; with `select(1, d, i32.eqz d)`). A bug in wasmi 2.0.0, not in WVM: wasmi fuses `select`
;; with an `i32.eqz` condition whose operand sits in a stack slot, drops the comparison and
;; reads the condition from a register still holding an earlier, dropped value. The spec
;; (and WVM) return 1 from `f` and 100 from `g`; wasmi returned 0 and trapped "integer
;; divide by zero". The oracle rewrites the module it gives wasmi (src/defuse.rs); this
;; module checks that the rewrite keeps the two engines in agreement.
(module
  (memory 1)
  (func (export "f") (result i32)
    (local i32)
    memory.size
    drop
    i32.const 1
    i32.const 0
    local.get 0
    i32.eqz
    select)
  (func (export "g") (param i32) (result i32)
    memory.size
    drop
    i32.const 100
    i32.const 1
    local.get 0
    local.get 0
    i32.eqz
    select
    i32.div_u))
