;; Declares the largest 32-bit memory (65536 pages = 4 GiB) and touches its last byte.
;; Must instantiate lazily (address space, not resident memory) or fail cleanly; a store
;; limited to 1 MiB must refuse it with an error naming the limit.
(module
  (memory (export "memory") 65536)
  (func (export "touch_last") (result i32)
    (i32.store8 (i32.const 0xffff_ffff) (i32.const 42))
    (i32.load8_u (i32.const 0xffff_ffff))))
