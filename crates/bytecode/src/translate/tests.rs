//! Unit tests of the translator.

use super::*;
use crate::instr::{Bin, BinImm, BrBin, BrBinImm, Instr};

fn translate_wat(wat: &str) -> CompiledFunc {
    let wasm = wat::parse_str(wat).unwrap();
    let info = ModuleInfo::decode(&wasm).unwrap();
    translate(&info, &wasm, 0, &TranslateOptions::default()).unwrap()
}

#[test]
fn operands_read_locals_directly_and_results_land_in_slot_zero() {
    let f = translate_wat(
        "(module (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))",
    );
    assert_eq!(
        &*f.code,
        &[
            Instr::I32Add(Bin {
                dst: 0,
                lhs: 0,
                rhs: 1
            }),
            Instr::Return
        ]
    );
    assert_eq!(f.frame_size, 3);
}

#[test]
fn constants_live_in_slots_and_local_set_rewrites_the_producer() {
    let f =
        translate_wat("(module (func (param i32) local.get 0 i32.const 7 i32.rotl local.set 0))");
    // Slot 1 holds the constant 7 (from the frame template).
    assert_eq!(&*f.template, &[7]);
    assert_eq!(
        &*f.code,
        &[
            Instr::I32Rotl(Bin {
                dst: 0,
                lhs: 0,
                rhs: 1
            }),
            Instr::Return
        ]
    );
}

#[test]
fn a_pending_local_read_is_saved_before_the_local_changes() {
    // The first `local.get 0` must still see the old value after `local.set 0`.
    let f = translate_wat(
        "(module (func (param i32) (result i32)
            local.get 0 i32.const 1 local.set 0 local.get 0 i32.sub))",
    );
    // The old value is saved first, then the local is set: two copies in a row, one
    // instruction.
    assert_eq!(
        f.code[0],
        Instr::Copy2 {
            d0: 2,
            s0: 0,
            d1: 0,
            s1: 1
        },
        "{:?}",
        f.code
    );
    assert!(matches!(
        f.code[1],
        Instr::I32Sub(Bin { lhs: 2, rhs: 0, .. })
    ));
}

#[test]
fn copies_in_a_row_join_unless_something_jumps_to_the_second() {
    let f = translate_wat(
        "(module (func (param i32 i32 i32)
            (local.set 0 (local.get 1)) (local.set 1 (local.get 2))
            (loop (local.set 2 (local.get 0)))))",
    );
    assert_eq!(
        &f.code[..2],
        &[
            Instr::Copy2 {
                d0: 0,
                s0: 1,
                d1: 1,
                s1: 2
            },
            // The loop's start is a branch target.
            Instr::Copy { dst: 2, src: 0 },
        ]
    );
}

#[test]
fn loops_branch_back_to_their_header() {
    let f = translate_wat(
        "(module (func (param i32)
            (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))",
    );
    assert!(
        f.code
            .iter()
            .any(|i| matches!(i, Instr::BrIfNez { target: 0, .. })),
        "{:?}",
        f.code
    );
}

#[test]
fn trapping_and_calling_instructions_record_their_wasm_offset() {
    let wasm = wat::parse_str(
        "(module
            (table 1 funcref)
            (func (param i32) (result i32)
                (drop (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
                (i32.div_u (local.get 0) (local.get 0))))",
    )
    .unwrap();
    let info = ModuleInfo::decode(&wasm).unwrap();
    let f = translate(&info, &wasm, 0, &TranslateOptions::default()).unwrap();
    let opcode_at = |pc: usize| wasm[f.wasm_offset(pc).unwrap() as usize];
    let ci = f
        .code
        .iter()
        .position(|i| matches!(i, Instr::CallIndirect { .. }))
        .unwrap();
    let div = f
        .code
        .iter()
        .position(|i| matches!(i, Instr::I32DivU(_)))
        .unwrap();
    assert_eq!(opcode_at(ci), 0x11, "call_indirect");
    assert_eq!(opcode_at(div), 0x6e, "i32.div_u");
    assert_eq!(f.offsets.len(), 2, "{:?}", f.offsets);
    // The return address of call_indirect lies after its operand word.
    assert!(matches!(f.code[ci + 1], Instr::Extra { .. }));
    assert_eq!(f.instr_before(ci + 2), Some(ci));
    assert_eq!(f.instr_before(div + 1), Some(div));
    assert_eq!(
        f.wasm_offset(f.code.len() - 1),
        None,
        "return does not trap"
    );
}

#[test]
fn a_comparison_feeding_br_if_or_if_becomes_one_branch() {
    let f = translate_wat(
        "(module (func (param i32 i32) (result i32)
            (loop $l (br_if $l (i32.lt_u (local.get 0) (local.get 1))))
            (if (result i32) (i32.eq (local.get 0) (local.get 1))
              (then (i32.const 1)) (else (i32.const 2)))))",
    );
    assert!(matches!(
        f.code[0],
        Instr::BrI32LtU(BrBin {
            lhs: 0,
            rhs: 1,
            target: 0
        })
    ));
    // `if` branches to its else arm when the condition fails: the comparison is negated.
    assert!(
        matches!(f.code[1], Instr::BrI32Ne(BrBin { lhs: 0, rhs: 1, .. })),
        "{:?}",
        f.code
    );
    assert!(!f.code.iter().any(|i| matches!(
        i,
        Instr::I32LtU(_) | Instr::I32Eq(_) | Instr::BrIfNez { .. } | Instr::BrIfEqz { .. }
    )));
}

#[test]
fn a_comparison_kept_in_a_local_is_not_fused() {
    let f = translate_wat(
        "(module (func (param i32 i32) (result i32) (local i32)
            (block (br_if 0 (local.tee 2 (i32.lt_u (local.get 0) (local.get 1)))))
            (local.get 2)))",
    );
    assert!(f.code.iter().any(|i| matches!(i, Instr::I32LtU(_))));
}

fn valid_func() -> CompiledFunc {
    translate_wat("(module (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))")
}

#[test]
fn verify_rejects_code_the_executor_could_run_off() {
    let good = valid_func();
    assert_eq!(good.verify(), Ok(()));

    let mut f = good.clone();
    f.code = vec![Instr::Copy { dst: 0, src: 0 }].into();
    assert!(f.verify().unwrap_err().contains("ends with"));

    let mut f = good.clone();
    f.code = vec![
        Instr::Copy {
            dst: 0,
            src: f.frame_size,
        },
        Instr::Return,
    ]
    .into();
    assert!(f.verify().unwrap_err().contains("names slot"));

    let mut f = good.clone();
    f.code = vec![Instr::BrIfNez { cond: 0, target: 2 }, Instr::Return].into();
    assert!(f.verify().unwrap_err().contains("jumps past the end"));

    let mut f = good.clone();
    f.code = vec![Instr::BrTable { index: 0, len: 1 }, Instr::Br { target: 0 }].into();
    assert!(f.verify().unwrap_err().contains("br_table"));

    let mut f = good.clone();
    f.code = vec![
        Instr::Select {
            dst: 0,
            cond: 0,
            lhs: 0,
        },
        Instr::Return,
    ]
    .into();
    assert!(f.verify().unwrap_err().contains("Extra"));

    let mut f = good;
    f.template = vec![0; f.frame_size as usize].into();
    assert!(f.verify().unwrap_err().contains("frame too small"));
}

#[test]
fn a_call_without_arguments_may_start_its_frame_past_the_callers() {
    // Two locals on the operand stack (never copied), then a call without arguments or
    // results: its callee's frame starts above the caller's whole frame, which is fine.
    let wasm = wat::parse_str(
        "(module (func $g) (func (param i32)
            (local.get 0) (local.get 0) (call $g) (drop) (drop)))",
    )
    .unwrap();
    let info = ModuleInfo::decode(&wasm).unwrap();
    let f = translate(&info, &wasm, 1, &TranslateOptions::default()).unwrap();
    assert!(matches!(f.code[0], Instr::Call { base, .. } if base >= f.frame_size));
}

#[test]
fn constant_operands_become_immediates_where_an_immediate_form_exists() {
    let f = translate_wat(
        "(module (func (param i32 i64) (result i64)
            (local.set 0 (i32.sub (local.get 0) (i32.const 5)))
            (local.set 0 (i32.and (i32.const 0xff) (local.get 0)))
            (local.set 1 (i64.add (local.get 1) (i64.const -3)))
            (local.set 1 (i64.add (local.get 1) (i64.const 0x80000000)))
            (local.set 0 (i32.rotl (local.get 0) (i32.const 1)))
            (local.get 1)))",
    );
    let k = |v: u64| 2 + f.template.iter().position(|&t| t == v).unwrap() as u32;
    assert_eq!(
        &f.code[..5],
        &[
            // x - 5 is x + (-5).
            Instr::I32AddImm(BinImm {
                dst: 0,
                lhs: 0,
                imm: 5u32.wrapping_neg()
            }),
            // A constant on the left of a commuting operator.
            Instr::I32AndImm(BinImm {
                dst: 0,
                lhs: 0,
                imm: 0xff
            }),
            // i64 immediates sign-extend from 32 bits ...
            Instr::I64AddImm(BinImm {
                dst: 1,
                lhs: 1,
                imm: (-3i32) as u32
            }),
            // ... so 0x8000_0000 cannot be one and stays in its slot.
            Instr::I64Add(Bin {
                dst: 1,
                lhs: 1,
                rhs: k(0x8000_0000)
            }),
            // No immediate form: the constant's slot.
            Instr::I32Rotl(Bin {
                dst: 0,
                lhs: 0,
                rhs: k(1)
            }),
        ]
    );
}

#[test]
fn compare_and_branch_takes_a_constant_as_an_immediate_flipping_if_it_is_on_the_left() {
    let f = translate_wat(
        "(module (func (param i32 i64)
            (block (br_if 0 (i32.lt_u (local.get 0) (i32.const 10))))
            (block (br_if 0 (i32.lt_s (i32.const 10) (local.get 0))))
            (block (br_if 0 (i64.ge_u (local.get 1) (i64.const -1))))
            (block (br_if 0 (i32.and (local.get 0) (i32.const 4))))
            (block (br_if 0 (i32.eqz (i32.ge_u (local.get 0) (i32.const 4)))))
            (if (i32.and (local.get 0) (i32.const 4)) (then (nop)))))",
    );
    let ops: Vec<_> = f
        .code
        .iter()
        .filter(|i| { **i }.target_mut().is_some())
        .copied()
        .collect();
    assert_eq!(
        ops,
        [
            Instr::BrI32LtUImm(BrBinImm {
                lhs: 0,
                imm: 10,
                target: 1
            }),
            // 10 < x is x > 10.
            Instr::BrI32GtSImm(BrBinImm {
                lhs: 0,
                imm: 10,
                target: 2
            }),
            Instr::BrI64GeUImm(BrBinImm {
                lhs: 1,
                imm: u32::MAX,
                target: 3
            }),
            Instr::BrI32AndImm(BrBinImm {
                lhs: 0,
                imm: 4,
                target: 4
            }),
            // i32.eqz of a comparison is the opposite comparison.
            Instr::BrI32LtUImm(BrBinImm {
                lhs: 0,
                imm: 4,
                target: 5
            }),
            // `if` branches (to its end) when its condition is zero.
            Instr::BrI32AndEqzImm(BrBinImm {
                lhs: 0,
                imm: 4,
                target: 6
            }),
        ]
    );
}

#[test]
fn a_loop_counters_increment_joins_the_branch_unless_something_jumps_between() {
    let f = translate_wat(
        "(module (func (param i32 i32)
            (loop $l (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 4)))
                                         (local.get 1))))
            (loop $m (br_if $m (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const -1)))
                                       (i32.const 0))))
            ;; a branch skips the increment to land just before the compare-and-branch
            (loop $n
                (block $b
                    (br_if $b (local.get 1))
                    (local.set 0 (i32.add (local.get 0) (i32.const 1))))
                (br_if $n (i32.ne (local.get 0) (i32.const 9))))))",
    );
    assert_eq!(
        &f.code[..2],
        &[
            Instr::IncBrI32LtU {
                step: 4,
                slot: 0,
                rhs: 1,
                target: 0
            },
            Instr::IncBrI32NeImm {
                step: -1,
                slot: 0,
                rhs: 0,
                target: 1
            },
        ]
    );
    assert!(
        !f.code
            .iter()
            .skip(2)
            .any(|i| matches!(i, Instr::IncBrI32NeImm { .. } | Instr::IncBrI32LtU { .. }))
    );
}

/// The promoted globals of the module's last function.
fn promoted_of(wat: &str) -> Vec<PromotedGlobal> {
    let wasm = wat::parse_str(wat).unwrap();
    let info = ModuleInfo::decode(&wasm).unwrap();
    let last = info.func_bodies.len() as u32 - 1;
    let f = translate(&info, &wasm, last, &TranslateOptions::default()).unwrap();
    f.promoted.into_vec()
}

#[test]
fn a_leaf_keeps_the_globals_of_its_loops_in_slots() {
    let f = translate_wat(
        "(module
            (global $a (mut i32) (i32.const 0))
            (global $b i32 (i32.const 5))
            (global $c (mut i32) (i32.const 0))
            (func (param $n i32)
              (global.set $c (i32.const 1))
              (loop $l
                (global.set $a (i32.add (global.get $a) (global.get $b)))
                (br_if $l (i32.lt_u (global.get $a) (local.get $n))))))",
    );
    // $a (read and written in the loop) and $b (read only) get slots after the parameter;
    // $c is only used outside the loop.
    let a = PromotedGlobal {
        global: 0,
        slot: 1,
        written: true,
    };
    let b = PromotedGlobal {
        global: 1,
        slot: 2,
        written: false,
    };
    assert_eq!(&*f.promoted, &[a, b]);
    assert_eq!(
        &f.code[..2],
        &[
            Instr::GlobalGet { dst: 1, global: 0 },
            Instr::GlobalGet { dst: 2, global: 1 }
        ]
    );
    // The loop adds slot to slot, and only the written global is stored back, before the
    // return.
    assert!(f.code.contains(&Instr::I32Add(Bin {
        dst: 1,
        lhs: 1,
        rhs: 2
    })));
    assert!(
        !f.code
            .iter()
            .any(|i| matches!(i, Instr::GlobalGet { global: 2, .. }))
    );
    let n = f.code.len();
    assert_eq!(
        &f.code[n - 2..],
        &[Instr::GlobalSet { src: 1, global: 0 }, Instr::Return]
    );
    assert_eq!(f.verify(), Ok(()));
}

#[test]
fn globals_stay_in_the_store_when_a_call_or_an_alias_could_see_them() {
    // Without the call it would be kept in a slot.
    assert_eq!(
        promoted_of(
            "(module (global $g (mut i32) (i32.const 0)) (func $f)
                (func (loop (global.set $g (i32.const 1)) (br_if 0 (global.get $g)))))"
        )
        .len(),
        1
    );
    // A call: the callee may read or write any global.
    assert!(
        promoted_of(
            "(module (global $g (mut i32) (i32.const 0)) (func $f)
                (func (loop (global.set $g (i32.const 1)) (call $f) (br_if 0 (global.get $g)))))"
        )
        .is_empty()
    );
    // No loop: nothing to gain.
    assert!(
        promoted_of(
            "(module (global $g (mut i32) (i32.const 0))
                (func (global.set $g (i32.add (global.get $g) (i32.const 1)))))"
        )
        .is_empty()
    );
    // An imported mutable global may be imported again under another index; an imported
    // constant may not change.
    let p = promoted_of(
        r#"(module (import "m" "v" (global $v (mut i32))) (import "m" "k" (global $k i32))
            (func (loop (br_if 0 (i32.add (global.get $v) (global.get $k))))))"#,
    );
    assert_eq!(
        p,
        [PromotedGlobal {
            global: 1,
            slot: 0,
            written: false
        }]
    );
}

#[test]
fn verify_rejects_a_promoted_global_without_its_load() {
    let mut f = translate_wat(
        "(module (global $g (mut i32) (i32.const 0))
            (func (loop (br_if 0 (global.get $g)))))",
    );
    assert_eq!(f.verify(), Ok(()));
    f.code[0] = Instr::Copy { dst: 0, src: 0 };
    assert!(f.verify().unwrap_err().contains("prologue"));
}
