;; The classic first WASI program: print "hello" through wasi_unstable.fd_write.
;; Run it with: wvm run examples/hello.wat
(module
  (import "wasi_unstable" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; The iovec at 0 points at the text at 16.
  (data (i32.const 0) "\10\00\00\00\06\00\00\00")
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    ;; fd 1 (stdout), one iovec at 0, number of bytes written to 8.
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
