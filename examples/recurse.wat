;; Recursion n calls deep; the addition after each call keeps it out of tail position.
;; Deep guest recursion ends in a clean trap, never a host crash:
;;   wvm run --invoke recurse examples/recurse.wat 1000       prints 1000
;;   wvm run --invoke recurse examples/recurse.wat 1000000    error: wasm trap: call stack exhausted
(module
  (func $recurse (export "recurse") (param $n i32) (result i32)
    local.get $n
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get $n
      i32.const 1
      i32.sub
      call $recurse
      i32.const 1
      i32.add
    end))
