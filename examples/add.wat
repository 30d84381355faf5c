;; Adds two numbers.
;;   wvm run --invoke calculate examples/add.wat 11 33    prints 44
(module
  (func (export "calculate") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add))
