;; Signed division; dividing by zero traps.
;;   wvm run --invoke div examples/div.wat 7 2     prints 3
;;   wvm run --invoke div examples/div.wat 1 0     error: wasm trap: integer divide by zero
(module
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.div_s))
