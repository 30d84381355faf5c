;; Recurses without end, growing the VM stack with a few locals per frame.
(module
  (func $f (export "recurse") (param i64) (result i64)
    (local i64 i64 i64 i64)
    (i64.add (call $f (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))
