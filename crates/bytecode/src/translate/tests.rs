//! Unit tests of the translator.

use super::*;
use crate::instr::{Bin, BrBin, Instr};

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
        translate_wat("(module (func (param i32) local.get 0 i32.const 7 i32.add local.set 0))");
    // Slot 1 holds the constant 7 (from the frame template).
    assert_eq!(&*f.template, &[7]);
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
}

#[test]
fn a_pending_local_read_is_saved_before_the_local_changes() {
    // The first `local.get 0` must still see the old value after `local.set 0`.
    let f = translate_wat(
        "(module (func (param i32) (result i32)
            local.get 0 i32.const 1 local.set 0 local.get 0 i32.sub))",
    );
    let copies = f
        .code
        .iter()
        .filter(|i| matches!(i, Instr::Copy { .. }))
        .count();
    assert_eq!(copies, 2, "{:?}", f.code);
    assert!(
        matches!(f.code[0], Instr::Copy { dst: 2, src: 0 }),
        "{:?}",
        f.code
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
