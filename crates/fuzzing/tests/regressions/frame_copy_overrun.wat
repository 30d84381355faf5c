;; Found by instantiate_and_run (a module without a fuel global, recursing until WVM's call
;; stack is exhausted). Before commit e79c807 WVM panicked the host: "index out of bounds:
;; the len is 2048 but the index is 2048" at crates/runtime/src/interp/exec.rs (`Instr::Copy`),
;; because a function's frame size did not count the stack positions that block-boundary
;; copies write, so a frame at the top of the VM stack wrote past its end. Expected: the
;; recursion ends in a "call stack exhausted" trap. Minimized from a wasm-smith module
;; (line-based reduction; the comments with indices are wasmprinter's).
(module
  (type (;0;) (func))
  (table (;0;) 20 672 externref)
  (memory (;0;) 2 54)
  (global (;0;) externref ref.null extern)
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (export "2" (func 1))
  (func (;1;) (type 0)
    (local i32 f32 i32 i64 i64 f32)
    ref.null func
    ref.null extern
    loop (type 0) ;; label = @1
      br 1
      f32.const -0x1.63e274p-52 (;=-0.00000000000000030868067;)
      loop ;; label = @2
        ref.null func
        block ;; label = @3
          block ;; label = @4
          end
          f32.const 0x0p+0 (;=0;)
          local.set 1
        end
        local.get 1
        i64.const -3045990147237329680
        block ;; label = @3
          block ;; label = @4
            memory.size
            i32.const 65536
            i32.le_u
            br_if 0 (;@4;)
          end
          i64.const 0
          local.set 3
        end
        i64.const 1
        local.get 4
        local.get 4
        i64.eqz
        select
        i64.div_u
        f32.convert_i64_u
        local.get 5
        f32.ne
        local.get 5
        f32.const inf (;=inf;)
        f32.eq
        local.get 5
        f32.const -inf (;=-inf;)
        f32.eq
        i32.or
        i32.or
        if ;; label = @3
        end
        local.get 5
        f32.const 0x0p+0 (;=0;)
        f32.lt
        if ;; label = @3
        end
        local.get 5
        f32.const 0x1.fffffep+62 (;=9223371500000000000;)
        f32.gt
        if ;; label = @3
        end
        local.get 5
        i64.trunc_f32_u
        global.get 0
        ref.is_null
        global.get 4
        i32.xor
        global.set 4
        global.set 3
        i32.reinterpret_f32
        global.set 2
        drop
      end
      i32.reinterpret_f32
      global.set 2
    end
    drop
    drop
  )
  (func (;2;) (type 0)
    (local i32 f32 i32 i32 i32 i64)
    loop (result funcref) ;; label = @1
      f64.const 0x1.9a9ba175beac5p+238 (;=708477949408476600000000000000000000000000000000000000000000000000000000;)
      block (result f64) ;; label = @2
        table.size 0
        f32.convert_i32_u
        block ;; label = @3
          call 0
        end
        i64.trunc_sat_f32_s
        memory.size
        f64.convert_i32_u
        i64.trunc_sat_f64_s
        block (type 0) ;; label = @3
        end
        i64.sub
        i64.const -1048576
        memory.size
        local.set 0
        block ;; label = @3
          block ;; label = @4
            i32.const 4199
            br 1 (;@3;)
          end
        end
        local.get 1
        call 1
        memory.size
        i64.const 9007199254740991
        table.size 0
        local.set 2
        block ;; label = @3
          block ;; label = @4
            i32.const 65536
            br 1 (;@3;)
          end
        end
        loop (result i64) ;; label = @3
          i64.const -6500129106431308471
        end
        i64.xor
        global.set 3
        global.set 4
        i32.reinterpret_f32
        global.set 2
        global.get 3
        i64.xor
        global.set 3
        global.set 3
        f64.const 0x0p+0 (;=0;)
      end
      i64.reinterpret_f64
      global.set 1
      i64.reinterpret_f64
      global.set 1
      ref.null func
    end
    drop
  )
)
