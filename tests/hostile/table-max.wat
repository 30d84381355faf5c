;; A table of 2^32-1 elements: 32 GiB of 8-byte references if allocated eagerly.
(module
  (table (export "table") 0xffff_ffff funcref)
  (func (export "size") (result i32) (table.size)))
