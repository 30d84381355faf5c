;; Accepts one connection on the preopened listening socket (fd 3), reads what the peer
;; sends, sends it back, and shuts the connection down. Any failing call exits with
;; 100 + its errno; success is exit 0.
(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $exit (i32.add (i32.const 100) (local.get $errno))))))
  (func (export "_start")
    (local $conn i32)
    ;; accept -> fd at 0
    (call $check (call $accept (i32.const 3) (i32.const 0) (i32.const 0)))
    (local.set $conn (i32.load (i32.const 0)))
    ;; one iovec at 16: (buffer 256, length 64); bytes received at 8, flags at 12
    (i32.store (i32.const 16) (i32.const 256))
    (i32.store (i32.const 20) (i32.const 64))
    (call $check (call $recv (local.get $conn) (i32.const 16) (i32.const 1) (i32.const 0)
                             (i32.const 8) (i32.const 12)))
    ;; send back exactly what came in
    (i32.store (i32.const 20) (i32.load (i32.const 8)))
    (call $check (call $send (local.get $conn) (i32.const 16) (i32.const 1) (i32.const 0)
                             (i32.const 4)))
    ;; SHUT_RDWR = 3
    (call $check (call $shutdown (local.get $conn) (i32.const 3)))
    ;; the listener itself is not a connection
    (if (i32.ne (call $recv (i32.const 3) (i32.const 16) (i32.const 1) (i32.const 0)
                             (i32.const 8) (i32.const 12))
                (i32.const 53)) ;; ENOTCONN
      (then (call $exit (i32.const 99))))))
