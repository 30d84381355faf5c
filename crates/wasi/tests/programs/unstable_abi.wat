;; The places where `wasi_unstable` (snapshot 0) and `wasi_snapshot_preview1` differ, called
;; side by side on one file so the harness can compare the two layouts:
;;   fd_seek whence        unstable: CUR=0 END=1 SET=2        preview1: SET=0 CUR=1 END=2
;;   filestat (56 / 64 B)  unstable: nlink u32 @20, size @24, atim @32, mtim @40, ctim @48
;;                         preview1: nlink u64 @24, size @32, atim @40, mtim @48, ctim @56
;;   subscription_clock    unstable: identifier u64 @16 before the clock id, 56-byte subscription
;;                         preview1: no identifier, 48-byte subscription
;; Expects one preopened directory (fd 3) holding f.txt.
(module
  (import "wasi_unstable" "path_open" (func $u_path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $u_fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $u_fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $u_path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $u_poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func $u_clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $p_path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $p_fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $p_fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $p_path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $p_poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $p_clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 4096) "f.txt")

  ;; Opens f.txt (relative to fd 3) through either module: the fd, or -errno.
  (func (export "open_unstable") (result i32)
    (local $e i32)
    (local.set $e (call $u_path_open (i32.const 3) (i32.const 0) (i32.const 4096) (i32.const 5) (i32.const 0)
      (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 512)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 512)))))
  (func (export "open_preview1") (result i32)
    (local $e i32)
    (local.set $e (call $p_path_open (i32.const 3) (i32.const 0) (i32.const 4096) (i32.const 5) (i32.const 0)
      (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 512)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 512)))))

  ;; fd_seek: the new offset, or -errno.
  (func (export "seek_unstable") (param $fd i32) (param $off i64) (param $whence i32) (result i64)
    (local $e i32)
    (local.set $e (call $u_fd_seek (local.get $fd) (local.get $off) (local.get $whence) (i32.const 256)))
    (if (result i64) (local.get $e)
      (then (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $e))))
      (else (i64.load (i32.const 256)))))
  (func (export "seek_preview1") (param $fd i32) (param $off i64) (param $whence i32) (result i64)
    (local $e i32)
    (local.set $e (call $p_fd_seek (local.get $fd) (local.get $off) (local.get $whence) (i32.const 256)))
    (if (result i64) (local.get $e)
      (then (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $e))))
      (else (i64.load (i32.const 256)))))

  ;; filestat into 1024..: the harness pre-fills 1024..1104 with 0xAA and reads it back.
  (func (export "filestat_unstable") (param $fd i32) (result i32)
    (call $u_fd_filestat_get (local.get $fd) (i32.const 1024)))
  (func (export "filestat_preview1") (param $fd i32) (result i32)
    (call $p_fd_filestat_get (local.get $fd) (i32.const 1024)))
  (func (export "path_filestat_unstable") (result i32)
    (call $u_path_filestat_get (i32.const 3) (i32.const 1) (i32.const 4096) (i32.const 5) (i32.const 1024)))
  (func (export "path_filestat_preview1") (result i32)
    (call $p_path_filestat_get (i32.const 3) (i32.const 1) (i32.const 4096) (i32.const 5) (i32.const 1024)))

  ;; Sleeps `ns` on the monotonic clock with one clock subscription at 2048 (userdata
  ;; 0x1122334455667788), event at 3072. Returns the monotonic time that passed, or -errno
  ;; (-1000 - n if poll_oneoff reported n events instead of 1).
  (func (export "sleep_unstable") (param $ns i64) (result i64)
    (local $e i32) (local $t0 i64)
    (memory.fill (i32.const 2048) (i32.const 0) (i32.const 56))
    (memory.fill (i32.const 3072) (i32.const 0xAA) (i32.const 32))
    (i64.store (i32.const 2048) (i64.const 0x1122334455667788)) ;; userdata
    (i32.store8 (i32.const 2056) (i32.const 0))                 ;; tag: clock
    ;; identifier: its low half reads as the monotonic clock id and its high half as a
    ;; 1 ns timeout to a host that wrongly applies the preview1 layout (and returns early)
    (i64.store (i32.const 2064) (i64.const 0x0000000100000001))
    (i32.store (i32.const 2072) (i32.const 1))                  ;; clock id: monotonic
    (i64.store (i32.const 2080) (local.get $ns))                ;; timeout
    (i64.store (i32.const 2088) (i64.const 0))                  ;; precision
    (i32.store16 (i32.const 2096) (i32.const 0))                ;; flags: relative
    (local.set $e (call $u_clock_time_get (i32.const 1) (i64.const 0) (i32.const 256)))
    (if (local.get $e) (then (return (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $e))))))
    (local.set $t0 (i64.load (i32.const 256)))
    (local.set $e (call $u_poll_oneoff (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 264)))
    (if (local.get $e) (then (return (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $e))))))
    (if (i32.ne (i32.load (i32.const 264)) (i32.const 1))
      (then (return (i64.sub (i64.const -1000) (i64.extend_i32_u (i32.load (i32.const 264)))))))
    (drop (call $u_clock_time_get (i32.const 1) (i64.const 0) (i32.const 256)))
    (i64.sub (i64.load (i32.const 256)) (local.get $t0)))
  (func (export "sleep_preview1") (param $ns i64) (result i64)
    (local $e i32) (local $t0 i64)
    (memory.fill (i32.const 2048) (i32.const 0) (i32.const 56))
    (memory.fill (i32.const 3072) (i32.const 0xAA) (i32.const 32))
    (i64.store (i32.const 2048) (i64.const 0x1122334455667788)) ;; userdata
    (i32.store8 (i32.const 2056) (i32.const 0))                 ;; tag: clock
    (i32.store (i32.const 2064) (i32.const 1))                  ;; clock id: monotonic
    (i64.store (i32.const 2072) (local.get $ns))                ;; timeout
    (i64.store (i32.const 2080) (i64.const 0))                  ;; precision
    (i32.store16 (i32.const 2088) (i32.const 0))                ;; flags: relative
    (local.set $e (call $p_clock_time_get (i32.const 1) (i64.const 0) (i32.const 256)))
    (if (local.get $e) (then (return (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $e))))))
    (local.set $t0 (i64.load (i32.const 256)))
    (local.set $e (call $p_poll_oneoff (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 264)))
    (if (local.get $e) (then (return (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $e))))))
    (if (i32.ne (i32.load (i32.const 264)) (i32.const 1))
      (then (return (i64.sub (i64.const -1000) (i64.extend_i32_u (i32.load (i32.const 264)))))))
    (drop (call $p_clock_time_get (i32.const 1) (i64.const 0) (i32.const 256)))
    (i64.sub (i64.load (i32.const 256)) (local.get $t0)))
)
