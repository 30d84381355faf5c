;; Opens "fifo" beneath the preopen (fd 3) asking for a directory, and returns the errno: a
;; FIFO is no directory (ENOTDIR), and asking must not wait for a writer to appear.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "fifo")
  (func (export "open_fifo_as_directory") (result i32)
    ;; O_DIRECTORY = 2, rights FD_READ | FD_READDIR
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 4) (i32.const 2)
      (i64.const 0x4002) (i64.const 0) (i32.const 0) (i32.const 64))))
