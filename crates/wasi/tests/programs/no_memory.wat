;; Calls fd_write and args_sizes_get without exporting a memory: the host has nowhere to read
;; or write, and must answer with an errno or a trap, never a panic.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory 1)
  (func (export "write") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "args_sizes") (result i32)
    (call $args_sizes_get (i32.const 0) (i32.const 4)))
  ;; proc_exit needs no memory
  (func (export "_start")
    (call $proc_exit (i32.const 3))))
