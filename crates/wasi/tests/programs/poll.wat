;; poll_oneoff driven by the test harness: it writes the subscriptions into memory, calls
;; `poll`, and reads the events and their count back. `open` gives it a regular file.
;; Expects one preopened directory (fd 3).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; poll_oneoff(in, out, n); the number of events goes to 256. Returns the errno.
  (func (export "poll") (param $in i32) (param $out i32) (param $n i32) (result i32)
    (i32.store (i32.const 256) (i32.const -1))
    (call $poll_oneoff (local.get $in) (local.get $out) (local.get $n) (i32.const 256)))

  ;; Opens the path at [ptr, ptr + len) beneath fd 3 for reading: the fd, or -errno.
  (func (export "open") (param $ptr i32) (param $len i32) (result i32)
    (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len)
      (i32.const 0) (i64.const 0x200006) (i64.const 0) (i32.const 0) (i32.const 512)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 512)))))
)
