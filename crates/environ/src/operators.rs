//! A fast path for decoding the most common operators of a function body.
//!
//! Validation spends most of its time in wasmparser's `BinaryReader::visit_operator`, a large
//! function the compiler does not inline, entered once per operator. Most operators of real
//! code are a one-byte opcode with at most a LEB128 immediate; decoding those inline in the
//! validation loop, then calling the same validator method, makes validation about a quarter
//! faster. Everything else (and anything unusual about these, such as a block type other than
//! the five common ones) goes through `visit_operator`.
//!
//! Each operator handled here is read with the very `BinaryReader` calls `visit_operator`
//! makes for it (the opcode byte, then its immediate) and passed to the same `VisitOperator`
//! method, so results and errors, offsets included, are the same; the test below checks this
//! for every opcode.

use wasmparser::{BinaryReader, BlockType, Result, ValType, VisitOperator};

/// Decodes the operator at the reader's position if it is one of the common ones and calls
/// `visitor` for it, as `reader.visit_operator(visitor)` would. Returns `None`, having read
/// nothing, for any other operator.
///
/// `bytes` are the reader's bytes from its position `start` on. The caller has checked that a
/// control frame is open, which `visit_operator` checks first ("operators remaining after end
/// of function body").
#[inline(always)]
pub(crate) fn visit_common_operator<'a, V: VisitOperator<'a>>(
    reader: &mut BinaryReader<'a>,
    bytes: &[u8],
    start: usize,
    visitor: &mut V,
) -> Option<Result<V::Output>> {
    let at = reader.current_position() - start;
    let code = *bytes.get(at)?;
    // Reads `$n` bytes known to be there (the opcode, and a block type), then `$visit`.
    // (The error is returned rather than dropped: dropping a `Result<u8, Error>` is a call
    // that is not inlined, 5 % of validation.)
    macro_rules! skip {
        ($n:literal, $visit:expr) => {{
            for _ in 0..$n {
                if let Err(e) = reader.read_u8() {
                    return Some(Err(e));
                }
            }
            $visit
        }};
    }
    // Reads an immediate as `visit_operator` does; its error is `visit_operator`'s error.
    macro_rules! imm {
        ($read:ident) => {
            match reader.$read() {
                Ok(value) => value,
                Err(e) => return Some(Err(e)),
            }
        };
    }
    // `read_var_u32` and `read_var_i32` for an immediate of one byte (most are), inline.
    macro_rules! var_u32 {
        () => {
            match bytes.get(at + 1) {
                Some(&byte) if byte & 0x80 == 0 => skip!(1, u32::from(byte)),
                _ => imm!(read_var_u32),
            }
        };
    }
    macro_rules! var_i32 {
        () => {
            match bytes.get(at + 1) {
                Some(&byte) if byte & 0x80 == 0 => skip!(1, (i32::from(byte) << 25) >> 25),
                _ => imm!(read_var_i32),
            }
        };
    }
    Some(Ok(match code {
        0x02..=0x04 => {
            let ty = match bytes.get(at + 1)? {
                0x40 => BlockType::Empty,
                0x7f => BlockType::Type(ValType::I32),
                0x7e => BlockType::Type(ValType::I64),
                0x7d => BlockType::Type(ValType::F32),
                0x7c => BlockType::Type(ValType::F64),
                _ => return None,
            };
            skip!(
                2,
                match code {
                    0x02 => visitor.visit_block(ty),
                    0x03 => visitor.visit_loop(ty),
                    _ => visitor.visit_if(ty),
                }
            )
        }
        0x0c => skip!(1, visitor.visit_br(var_u32!())),
        0x0d => skip!(1, visitor.visit_br_if(var_u32!())),
        0x10 => skip!(1, visitor.visit_call(var_u32!())),
        0x20 => skip!(1, visitor.visit_local_get(var_u32!())),
        0x21 => skip!(1, visitor.visit_local_set(var_u32!())),
        0x22 => skip!(1, visitor.visit_local_tee(var_u32!())),
        0x23 => skip!(1, visitor.visit_global_get(var_u32!())),
        0x24 => skip!(1, visitor.visit_global_set(var_u32!())),
        0x41 => skip!(1, visitor.visit_i32_const(var_i32!())),
        0x42 => skip!(1, visitor.visit_i64_const(imm!(read_var_i64))),
        0x43 => skip!(1, visitor.visit_f32_const(imm!(read_f32))),
        0x44 => skip!(1, visitor.visit_f64_const(imm!(read_f64))),
        // Operators without immediates, as in wasmparser 0.263's `visit_operator`.
        0x00 => skip!(1, visitor.visit_unreachable()),
        0x01 => skip!(1, visitor.visit_nop()),
        0x0b => skip!(1, visitor.visit_end()),
        0x0f => skip!(1, visitor.visit_return()),
        0x1a => skip!(1, visitor.visit_drop()),
        0x1b => skip!(1, visitor.visit_select()),
        0x45 => skip!(1, visitor.visit_i32_eqz()),
        0x46 => skip!(1, visitor.visit_i32_eq()),
        0x47 => skip!(1, visitor.visit_i32_ne()),
        0x48 => skip!(1, visitor.visit_i32_lt_s()),
        0x49 => skip!(1, visitor.visit_i32_lt_u()),
        0x4a => skip!(1, visitor.visit_i32_gt_s()),
        0x4b => skip!(1, visitor.visit_i32_gt_u()),
        0x4c => skip!(1, visitor.visit_i32_le_s()),
        0x4d => skip!(1, visitor.visit_i32_le_u()),
        0x4e => skip!(1, visitor.visit_i32_ge_s()),
        0x4f => skip!(1, visitor.visit_i32_ge_u()),
        0x50 => skip!(1, visitor.visit_i64_eqz()),
        0x51 => skip!(1, visitor.visit_i64_eq()),
        0x52 => skip!(1, visitor.visit_i64_ne()),
        0x53 => skip!(1, visitor.visit_i64_lt_s()),
        0x54 => skip!(1, visitor.visit_i64_lt_u()),
        0x55 => skip!(1, visitor.visit_i64_gt_s()),
        0x56 => skip!(1, visitor.visit_i64_gt_u()),
        0x57 => skip!(1, visitor.visit_i64_le_s()),
        0x58 => skip!(1, visitor.visit_i64_le_u()),
        0x59 => skip!(1, visitor.visit_i64_ge_s()),
        0x5a => skip!(1, visitor.visit_i64_ge_u()),
        0x5b => skip!(1, visitor.visit_f32_eq()),
        0x5c => skip!(1, visitor.visit_f32_ne()),
        0x5d => skip!(1, visitor.visit_f32_lt()),
        0x5e => skip!(1, visitor.visit_f32_gt()),
        0x5f => skip!(1, visitor.visit_f32_le()),
        0x60 => skip!(1, visitor.visit_f32_ge()),
        0x61 => skip!(1, visitor.visit_f64_eq()),
        0x62 => skip!(1, visitor.visit_f64_ne()),
        0x63 => skip!(1, visitor.visit_f64_lt()),
        0x64 => skip!(1, visitor.visit_f64_gt()),
        0x65 => skip!(1, visitor.visit_f64_le()),
        0x66 => skip!(1, visitor.visit_f64_ge()),
        0x67 => skip!(1, visitor.visit_i32_clz()),
        0x68 => skip!(1, visitor.visit_i32_ctz()),
        0x69 => skip!(1, visitor.visit_i32_popcnt()),
        0x6a => skip!(1, visitor.visit_i32_add()),
        0x6b => skip!(1, visitor.visit_i32_sub()),
        0x6c => skip!(1, visitor.visit_i32_mul()),
        0x6d => skip!(1, visitor.visit_i32_div_s()),
        0x6e => skip!(1, visitor.visit_i32_div_u()),
        0x6f => skip!(1, visitor.visit_i32_rem_s()),
        0x70 => skip!(1, visitor.visit_i32_rem_u()),
        0x71 => skip!(1, visitor.visit_i32_and()),
        0x72 => skip!(1, visitor.visit_i32_or()),
        0x73 => skip!(1, visitor.visit_i32_xor()),
        0x74 => skip!(1, visitor.visit_i32_shl()),
        0x75 => skip!(1, visitor.visit_i32_shr_s()),
        0x76 => skip!(1, visitor.visit_i32_shr_u()),
        0x77 => skip!(1, visitor.visit_i32_rotl()),
        0x78 => skip!(1, visitor.visit_i32_rotr()),
        0x79 => skip!(1, visitor.visit_i64_clz()),
        0x7a => skip!(1, visitor.visit_i64_ctz()),
        0x7b => skip!(1, visitor.visit_i64_popcnt()),
        0x7c => skip!(1, visitor.visit_i64_add()),
        0x7d => skip!(1, visitor.visit_i64_sub()),
        0x7e => skip!(1, visitor.visit_i64_mul()),
        0x7f => skip!(1, visitor.visit_i64_div_s()),
        0x80 => skip!(1, visitor.visit_i64_div_u()),
        0x81 => skip!(1, visitor.visit_i64_rem_s()),
        0x82 => skip!(1, visitor.visit_i64_rem_u()),
        0x83 => skip!(1, visitor.visit_i64_and()),
        0x84 => skip!(1, visitor.visit_i64_or()),
        0x85 => skip!(1, visitor.visit_i64_xor()),
        0x86 => skip!(1, visitor.visit_i64_shl()),
        0x87 => skip!(1, visitor.visit_i64_shr_s()),
        0x88 => skip!(1, visitor.visit_i64_shr_u()),
        0x89 => skip!(1, visitor.visit_i64_rotl()),
        0x8a => skip!(1, visitor.visit_i64_rotr()),
        0x8b => skip!(1, visitor.visit_f32_abs()),
        0x8c => skip!(1, visitor.visit_f32_neg()),
        0x8d => skip!(1, visitor.visit_f32_ceil()),
        0x8e => skip!(1, visitor.visit_f32_floor()),
        0x8f => skip!(1, visitor.visit_f32_trunc()),
        0x90 => skip!(1, visitor.visit_f32_nearest()),
        0x91 => skip!(1, visitor.visit_f32_sqrt()),
        0x92 => skip!(1, visitor.visit_f32_add()),
        0x93 => skip!(1, visitor.visit_f32_sub()),
        0x94 => skip!(1, visitor.visit_f32_mul()),
        0x95 => skip!(1, visitor.visit_f32_div()),
        0x96 => skip!(1, visitor.visit_f32_min()),
        0x97 => skip!(1, visitor.visit_f32_max()),
        0x98 => skip!(1, visitor.visit_f32_copysign()),
        0x99 => skip!(1, visitor.visit_f64_abs()),
        0x9a => skip!(1, visitor.visit_f64_neg()),
        0x9b => skip!(1, visitor.visit_f64_ceil()),
        0x9c => skip!(1, visitor.visit_f64_floor()),
        0x9d => skip!(1, visitor.visit_f64_trunc()),
        0x9e => skip!(1, visitor.visit_f64_nearest()),
        0x9f => skip!(1, visitor.visit_f64_sqrt()),
        0xa0 => skip!(1, visitor.visit_f64_add()),
        0xa1 => skip!(1, visitor.visit_f64_sub()),
        0xa2 => skip!(1, visitor.visit_f64_mul()),
        0xa3 => skip!(1, visitor.visit_f64_div()),
        0xa4 => skip!(1, visitor.visit_f64_min()),
        0xa5 => skip!(1, visitor.visit_f64_max()),
        0xa6 => skip!(1, visitor.visit_f64_copysign()),
        0xa7 => skip!(1, visitor.visit_i32_wrap_i64()),
        0xa8 => skip!(1, visitor.visit_i32_trunc_f32_s()),
        0xa9 => skip!(1, visitor.visit_i32_trunc_f32_u()),
        0xaa => skip!(1, visitor.visit_i32_trunc_f64_s()),
        0xab => skip!(1, visitor.visit_i32_trunc_f64_u()),
        0xac => skip!(1, visitor.visit_i64_extend_i32_s()),
        0xad => skip!(1, visitor.visit_i64_extend_i32_u()),
        0xae => skip!(1, visitor.visit_i64_trunc_f32_s()),
        0xaf => skip!(1, visitor.visit_i64_trunc_f32_u()),
        0xb0 => skip!(1, visitor.visit_i64_trunc_f64_s()),
        0xb1 => skip!(1, visitor.visit_i64_trunc_f64_u()),
        0xb2 => skip!(1, visitor.visit_f32_convert_i32_s()),
        0xb3 => skip!(1, visitor.visit_f32_convert_i32_u()),
        0xb4 => skip!(1, visitor.visit_f32_convert_i64_s()),
        0xb5 => skip!(1, visitor.visit_f32_convert_i64_u()),
        0xb6 => skip!(1, visitor.visit_f32_demote_f64()),
        0xb7 => skip!(1, visitor.visit_f64_convert_i32_s()),
        0xb8 => skip!(1, visitor.visit_f64_convert_i32_u()),
        0xb9 => skip!(1, visitor.visit_f64_convert_i64_s()),
        0xba => skip!(1, visitor.visit_f64_convert_i64_u()),
        0xbb => skip!(1, visitor.visit_f64_promote_f32()),
        0xbc => skip!(1, visitor.visit_i32_reinterpret_f32()),
        0xbd => skip!(1, visitor.visit_i64_reinterpret_f64()),
        0xbe => skip!(1, visitor.visit_f32_reinterpret_i32()),
        0xbf => skip!(1, visitor.visit_f64_reinterpret_i64()),
        0xc0 => skip!(1, visitor.visit_i32_extend8_s()),
        0xc1 => skip!(1, visitor.visit_i32_extend16_s()),
        0xc2 => skip!(1, visitor.visit_i64_extend8_s()),
        0xc3 => skip!(1, visitor.visit_i64_extend16_s()),
        0xc4 => skip!(1, visitor.visit_i64_extend32_s()),
        _ => return None,
    }))
}

#[cfg(test)]
mod tests {
    use super::visit_common_operator;
    use wasmparser::{BinaryReader, FrameKind, FrameStack, VisitOperator};

    /// Records which visitor method was called with which arguments.
    struct Record;

    macro_rules! record {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            $(
                fn $visit(&mut self $($(,$arg: $argty)*)?) -> String {
                    format!("{} {:?}", stringify!($visit), ($($($arg,)*)?))
                }
            )*
        };
    }

    impl<'a> VisitOperator<'a> for Record {
        type Output = String;
        wasmparser::for_each_visit_operator!(record);
    }

    impl FrameStack for Record {
        fn current_frame(&self) -> Option<FrameKind> {
            Some(FrameKind::Block)
        }
    }

    /// Every opcode, followed by immediates of every interesting shape (missing, one byte,
    /// several, overlong, too large, block types common and not), decodes to the same call,
    /// the same error and the same position as with `visit_operator`; or is left alone.
    #[test]
    fn common_operators_decode_as_visit_operator_does() {
        let tails: &[&[u8]] = &[
            &[],
            &[0x00],
            &[0x05, 0x0b],
            &[0x40],
            &[0x7f],
            &[0x7e],
            &[0x7d],
            &[0x7c],
            &[0x7b],
            &[0x70],
            &[0x3f],
            &[0x80],
            &[0x80, 0x01],
            &[0xff, 0xff, 0xff, 0xff, 0x0f],
            &[0xff, 0xff, 0xff, 0xff, 0x1f],
            &[0xff, 0xff, 0xff, 0xff, 0x7f],
            &[0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
            &[
                0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
            ],
            &[1, 2, 3],
            &[1, 2, 3, 4, 5, 6, 7, 8],
        ];
        let mut handled = 0;
        for code in 0..=255u8 {
            for tail in tails {
                let mut bytes = vec![code];
                bytes.extend_from_slice(tail);
                let reader = BinaryReader::new(&bytes, 1000);
                let mut fast_reader = reader.clone();
                let fast = visit_common_operator(&mut fast_reader, &bytes, 0, &mut Record);
                let Some(fast) = fast else {
                    assert_eq!(fast_reader.current_position(), 0, "{bytes:x?}");
                    continue;
                };
                handled += 1;
                let mut slow_reader = reader.clone();
                let slow = slow_reader.visit_operator(&mut Record);
                let show = |r: wasmparser::Result<String>| {
                    r.map_err(|e| format!("{} at {}", e.message(), e.offset()))
                };
                assert_eq!(show(fast), show(slow), "{bytes:x?}");
                assert_eq!(
                    fast_reader.current_position(),
                    slow_reader.current_position(),
                    "{bytes:x?}"
                );
            }
        }
        // Every opcode handled at all is handled with every tail but those the block types
        // leave to `visit_operator`.
        assert!(handled > 140 * tails.len(), "{handled}");
    }
}
