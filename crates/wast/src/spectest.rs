//! The `spectest` host module every spec script may import from.

use anyhow::Result;
use wvm::{
    FuncType, Global, GlobalType, Linker, Memory, MemoryType, Mutability, Ref, RefType, Store,
    Table, TableType, Val, ValType,
};

/// Defines `spectest.*` in `linker`, allocating its globals, table and memory in `store`.
///
/// The print functions do nothing: scripts call them for their side effect on a console the
/// runner does not have, and no directive observes that output.
pub(crate) fn define(linker: &mut Linker<()>, store: &mut Store<()>) -> Result<()> {
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        linker.func_new("spectest", name, ty, |_caller, _params, _results| Ok(()))?;
    }

    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, val) in globals {
        let global = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), val)?;
        linker.define(&*store, "spectest", name, global)?;
    }

    let table = Table::new(
        &mut *store,
        TableType::new(RefType::FUNCREF, 10, Some(20)),
        Ref::Func(None),
    )?;
    linker.define(&*store, "spectest", "table", table)?;

    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(&*store, "spectest", "memory", memory)?;
    Ok(())
}
