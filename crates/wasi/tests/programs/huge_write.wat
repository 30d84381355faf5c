;; fd_write with 1024 iovecs that all cover the whole 4 MiB memory: 4 GiB asked for. The host
;; must not try to gather that; it writes at most 16 MiB and reports a short write. The
;; number written is the exit code's input: exit 0 if it is exactly 16 MiB, 1 otherwise, and
;; 100 + errno if the call failed.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 64)
  (func (export "_start")
    (local $i i32) (local $errno i32)
    ;; iovecs at 4096: (0, 4 MiB) x 1024
    (loop $fill
      (i32.store (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
      (i32.store (i32.add (i32.const 4100) (i32.shl (local.get $i) (i32.const 3)))
                 (i32.const 0x400000))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                             (i32.const 1024))))
    (local.set $errno
      (call $write (i32.const 1) (i32.const 4096) (i32.const 1024) (i32.const 16)))
    (if (local.get $errno) (then (call $exit (i32.add (i32.const 100) (local.get $errno)))))
    (call $exit (i32.ne (i32.load (i32.const 16)) (i32.const 0x1000000)))))
