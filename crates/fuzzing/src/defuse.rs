//! A semantics-preserving rewrite that keeps wasmi 2.0.0 away from a known bug of its own.
//!
//! wasmi fuses `select` with a condition made by `i32.eqz` (or `i32.eq`/`i32.ne` with 0)
//! and, when the compared value sits in a stack slot, drops the comparison but reads the
//! condition from a register that was never loaded: the select sees whatever value an
//! earlier, dropped computation left there. Minimal case (WVM and the spec: 1; wasmi: 0):
//!
//! ```wat
//! (module (memory 1)
//!   (func (export "f") (result i32) (local i32)
//!     memory.size drop
//!     i32.const 1 i32.const 0 local.get 0 i32.eqz select))
//! ```
//!
//! wasm-smith's `disallow_traps` guards every division with exactly that pattern, so the
//! oracle would report wasmi's bug as a disagreement. wasmi's `drop` commits the pending
//! comparison, so `i32.const 0; drop` right before each `select` prevents the fusion
//! without changing what the module computes. Only the module given to wasmi is rewritten;
//! WVM runs the generated module as it is.

use wasmparser::{BinaryReader, FunctionBody, Operator};

fn write_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut result = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *data.get(*pos)?;
        *pos += 1;
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(result);
        }
    }
    None
}

/// `i32.const 0; drop`.
const COMMIT: [u8; 3] = [0x41, 0x00, 0x1a];

fn defuse_body(body: &[u8], offset: usize) -> Option<Vec<u8>> {
    let func = FunctionBody::new(BinaryReader::new(body, offset as u64));
    let mut ops = func.get_operators_reader().ok()?;
    let mut at = Vec::new();
    while !ops.eof() {
        let (op, pos) = ops.read_with_offset().ok()?;
        if matches!(op, Operator::Select | Operator::TypedSelect { .. }) {
            at.push(usize::try_from(pos).ok()? - offset);
        }
    }
    let mut out = Vec::with_capacity(body.len() + at.len() * COMMIT.len());
    let mut last = 0;
    for a in at {
        out.extend_from_slice(&body[last..a]);
        out.extend_from_slice(&COMMIT);
        last = a;
    }
    out.extend_from_slice(&body[last..]);
    Some(out)
}

/// `wasm` with `i32.const 0; drop` before every `select`, or `None` if it does not parse.
pub fn defuse_selects(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut out = wasm.get(..8)?.to_vec();
    let mut pos = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        pos += 1;
        let size = usize::try_from(read_leb(wasm, &mut pos)?).ok()?;
        let contents = wasm.get(pos..pos.checked_add(size)?)?;
        let start = pos;
        pos += size;
        if id != 10 {
            out.push(id);
            write_leb(&mut out, size as u64);
            out.extend_from_slice(contents);
            continue;
        }
        let mut section = Vec::new();
        let mut p = 0;
        let count = read_leb(contents, &mut p)?;
        write_leb(&mut section, count);
        for _ in 0..count {
            let len = usize::try_from(read_leb(contents, &mut p)?).ok()?;
            let body = contents.get(p..p.checked_add(len)?)?;
            let new = defuse_body(body, start + p)?;
            p += len;
            write_leb(&mut section, new.len() as u64);
            section.extend_from_slice(&new);
        }
        out.push(id);
        write_leb(&mut out, section.len() as u64);
        out.extend_from_slice(&section);
    }
    Some(out)
}
