;; One table.grow asking for 2^31 elements, each set to a function reference: a host
;; without a limiter would fill 16 GiB. Run with a table-elements limit.
(module
  (table $t 0 funcref)
  (elem declare func $f)
  (func $f (export "grow_huge") (result i32)
    (table.grow $t (ref.func $f) (i32.const 0x8000_0000))))
