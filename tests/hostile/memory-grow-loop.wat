;; Grows its memory one page at a time until memory.grow fails; returns the final size in
;; pages. Unlimited, that is 65536 pages (4 GiB) of address space, never touched.
(module
  (memory (export "memory") 0)
  (func (export "grow_all") (result i32)
    (loop $l
      (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (memory.size)))
