;; Floating-point arguments and results.
;;   wvm run --invoke hypot examples/floats.wat 3 4    prints 5
;;   wvm run --invoke half examples/floats.wat 3       prints 1.5
(module
  ;; sqrt(x*x + y*y)
  (func (export "hypot") (param $x f64) (param $y f64) (result f64)
    local.get $x
    local.get $x
    f64.mul
    local.get $y
    local.get $y
    f64.mul
    f64.add
    f64.sqrt)

  (func (export "half") (param $x f32) (result f32)
    local.get $x
    f32.const 0.5
    f32.mul))
