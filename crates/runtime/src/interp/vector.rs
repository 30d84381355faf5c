//! The v128 instructions, for both dispatch loops.
//!
//! A function that uses v128 ([`CompiledFunc::wide`](wvm_bytecode::CompiledFunc::wide))
//! has, beside each frame slot's 64-bit scalar cell, a 128-bit vector cell with the same
//! index, in the activation's vector stack (grown only when such a function is entered).
//! Scalar code never touches it, so v128 support costs scalar instructions nothing.
//!
//! Each loop sends every instruction that uses vector cells to [`run`] (one handler for
//! the family); the lane arithmetic itself is in `simd.rs`. Vector cells are reached by
//! checked indexing: an index out of range would be a translator bug (the translator's
//! `verify` bounds every slot by the frame, whose vector cells `enter_vectors` provides),
//! and it panics rather than touching memory it should not.

use super::ops::{Env, Mem, Regs};
use super::simd;
use crate::store::InstanceData;
use wvm_bytecode::{CompiledFunc, Instr, Slot, VLoadLaneOp, VLoadOp, VStoreLaneOp};
use wvm_environ::TrapCode;

/// Makes room for the vector cells of a wide function's frame at `fp` and sets its locals'
/// and constants' cells from the template.
#[inline(never)]
pub(super) fn enter_vectors(vstack: &mut Vec<u128>, cf: &CompiledFunc, fp: usize, end: usize) {
    if vstack.len() < end {
        let new_len = end.max(vstack.len() * 2).max(256);
        vstack.resize(new_len, 0);
    }
    let start = fp + cf.num_params as usize;
    vstack[start..start + cf.vtemplate.len()].copy_from_slice(&cf.vtemplate);
}

/// Whether `run` reads an `Extra` word after `i` (the loop passes it and skips it).
#[inline(always)]
pub(super) fn takes_extra(i: &Instr) -> bool {
    matches!(
        i,
        Instr::VTern { .. }
            | Instr::VShuffle { .. }
            | Instr::VLoad { .. }
            | Instr::VStore { .. }
            | Instr::VLoadLane { .. }
            | Instr::VStoreLane { .. }
            | Instr::SelectV { .. }
    )
}

/// Runs `i`, an instruction that uses vector cells, on the frame whose scalar cells are
/// `regs` and vector cells `v`; `extra` is its `Extra` word if it has one (for memory
/// instructions, its `b` and `c` are the memarg and the offset's high half, see
/// [`Instr::LoadX`]). `mem` is memory 0.
///
/// `i` is a reference (into the code, for the threaded loop): a handler that passed the
/// address of one of its own locals could no longer jump to the next handler.
#[inline(never)]
pub(super) fn run(
    i: &Instr,
    extra: Option<&Instr>,
    regs: Regs,
    v: &mut [u128],
    mem: Mem,
    env: &mut Env<'_>,
    inst: &InstanceData,
) -> Result<(), TrapCode> {
    let (extra, memarg, hi) = match extra {
        Some(&Instr::Extra { a, b, c }) => (a, b, c),
        _ => (0, 0, 0),
    };
    let x = |s: Slot| v[s as usize];
    let oob = TrapCode::MemoryOutOfBounds;
    // The memory and effective address of a memory instruction.
    let at = |env: &mut Env<'_>, addr: Slot, offset: u32| {
        let addr = regs.get(addr);
        env.access(inst, mem, memarg, addr, offset, hi).ok_or(oob)
    };
    let r = match *i {
        Instr::VUn { op, dst, src } => (dst, simd::un(op, x(src))),
        Instr::VBin { op, dst, lhs, rhs } => (dst, simd::bin(op, x(lhs), x(rhs))),
        Instr::VTern { op, dst, a, b } => (dst, simd::tern(op, x(a), x(b), x(extra))),
        Instr::VShift { op, dst, lhs, rhs } => (dst, simd::shift(op, x(lhs), regs.get(rhs) as u32)),
        Instr::VSplat { op, dst, src } => (dst, simd::splat(op, regs.get(src))),
        Instr::VReplace {
            op,
            lane,
            dst,
            vec,
            val,
        } => (dst, simd::replace(op, x(vec), lane, regs.get(val))),
        Instr::VShuffle { dst, lhs, rhs } => (dst, simd::shuffle(x(lhs), x(rhs), x(extra))),
        Instr::VLoad {
            op,
            dst,
            addr,
            offset,
        } => {
            let (m, ea) = at(env, addr, offset)?;
            (dst, load(m, op, ea).ok_or(oob)?)
        }
        Instr::VLoadLane {
            op,
            lane,
            dst,
            addr,
            offset,
        } => {
            let (m, ea) = at(env, addr, offset)?;
            (dst, load_lane(m, op, lane, ea, x(extra)).ok_or(oob)?)
        }
        Instr::CopyV { dst, src } => {
            regs.set(dst, regs.get(src));
            (dst, x(src))
        }
        Instr::SelectV { dst, cond, lhs } => {
            let from = if regs.get(cond) as u32 != 0 {
                lhs
            } else {
                extra
            };
            regs.set(dst, regs.get(from));
            (dst, x(from))
        }
        Instr::VGlobalGet { dst, global } => (dst, env.global_get_v128(inst, global)),
        // The rest write no vector cell.
        Instr::VTest { op, dst, src } => {
            regs.set(dst, u64::from(simd::test(op, x(src))));
            return Ok(());
        }
        Instr::VExtract { op, lane, dst, src } => {
            regs.set(dst, simd::extract(op, x(src), lane));
            return Ok(());
        }
        Instr::VStore {
            addr,
            value,
            offset,
        } => {
            let (m, ea) = at(env, addr, offset)?;
            return m.store_at(ea, x(value).to_le_bytes()).ok_or(oob);
        }
        Instr::VStoreLane {
            op,
            lane,
            addr,
            value,
            offset,
        } => {
            let (m, ea) = at(env, addr, offset)?;
            return store_lane(m, op, lane, ea, x(value)).ok_or(oob);
        }
        Instr::VGlobalSet { src, global } => {
            env.global_set_v128(inst, global, x(src));
            return Ok(());
        }
        _ => return Err(TrapCode::UnreachableCodeReached),
    };
    v[r.0 as usize] = r.1;
    Ok(())
}

/// The little-endian bytes at effective address `ea`, `N` of them, zero-extended.
#[inline(always)]
fn load_bits<const N: usize>(mem: Mem, ea: u64) -> Option<u64> {
    let b = mem.load_at::<N>(ea)?;
    let mut wide = [0u8; 8];
    wide[..N].copy_from_slice(&b);
    Some(u64::from_le_bytes(wide))
}

fn load(mem: Mem, op: VLoadOp, ea: u64) -> Option<u128> {
    use VLoadOp as L;
    let bits = match op {
        L::V128Load => return mem.load_at::<16>(ea).map(u128::from_le_bytes),
        L::V128Load8Splat => load_bits::<1>(mem, ea)?,
        L::V128Load16Splat => load_bits::<2>(mem, ea)?,
        L::V128Load32Splat | L::V128Load32Zero => load_bits::<4>(mem, ea)?,
        L::V128Load8x8S
        | L::V128Load8x8U
        | L::V128Load16x4S
        | L::V128Load16x4U
        | L::V128Load32x2S
        | L::V128Load32x2U
        | L::V128Load64Splat
        | L::V128Load64Zero => load_bits::<8>(mem, ea)?,
    };
    Some(simd::load(op, bits))
}

/// The bit position and mask of lane `lane` of `width` bytes (the lane index is taken
/// modulo the lane count; validation keeps it in range).
fn lane_shift(width: usize, lane: u8) -> (u32, u128) {
    let lanes = 16 / width;
    let shift = ((lane as usize % lanes) * width * 8) as u32;
    let mask = if width == 16 {
        u128::MAX
    } else {
        (1u128 << (width * 8)) - 1
    };
    (shift, mask)
}

fn load_lane(mem: Mem, op: VLoadLaneOp, lane: u8, ea: u64, vec: u128) -> Option<u128> {
    let width = op.width();
    let bits = match width {
        1 => load_bits::<1>(mem, ea)?,
        2 => load_bits::<2>(mem, ea)?,
        4 => load_bits::<4>(mem, ea)?,
        _ => load_bits::<8>(mem, ea)?,
    };
    let (shift, mask) = lane_shift(width, lane);
    Some((vec & !(mask << shift)) | (u128::from(bits) << shift))
}

fn store_lane(mem: Mem, op: VStoreLaneOp, lane: u8, ea: u64, vec: u128) -> Option<()> {
    let width = op.width();
    let (shift, mask) = lane_shift(width, lane);
    let bytes = (((vec >> shift) & mask) as u64).to_le_bytes();
    match width {
        1 => mem.store_at::<1>(ea, [bytes[0]]),
        2 => mem.store_at::<2>(ea, [bytes[0], bytes[1]]),
        4 => mem.store_at::<4>(ea, [bytes[0], bytes[1], bytes[2], bytes[3]]),
        _ => mem.store_at::<8>(ea, bytes),
    }
}
