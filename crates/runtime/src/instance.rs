//! Instantiation: linking imports, creating the instance's items, running segments and
//! the start function.

use crate::interp::CodeSlot;
use crate::store::{
    FuncKind, GlobalData, InstanceData, InstanceState, MemoryData, StoreInner, TableData,
};
use crate::vm::VMGlobalDefinition;
use crate::{
    AsContext, AsContextMut, Error, Extern, ExternType, Func, FuncType, Global, Memory, Module,
    Result, Store, Table, TypedFunc, WasmParams, WasmResults,
};
use std::sync::Arc;
use wvm_environ::{ConstExpr, DataMode, ElemMode, EntityIndex, Mutability, TrapCode, limits_match};

/// An instantiated module. A handle into a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Instance {
    /// Instantiates `module` with `imports` given in the order of the module's imports.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        instantiate(store.as_context_mut().0, module, imports)
    }

    /// The export `name`, if any.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        export_by_name(inner, self.index, name)
    }

    /// The exported function `name`, if any.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function `name` with a typed signature.
    pub fn get_typed_func<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        let f = self
            .get_func(&store, name)
            .ok_or_else(|| Error::usage(format!("no exported function named `{name}`")))?;
        f.typed(&store)
    }

    /// The exported memory `name`, if any.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table `name`, if any.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global `name`, if any.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// All exports, in module order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        let data = &inner.instances[self.index as usize];
        data.module
            .inner
            .info
            .exports
            .iter()
            .map(|e| (e.name.clone(), entity_extern(inner, self.index, e.index)))
            .collect()
    }

    /// The module this instance was made from.
    pub fn module<'a, C: AsContext + 'a>(&self, store: &'a C) -> &'a Module {
        &store.as_context().0.inner.instances[self.index as usize].module
    }
}

pub(crate) fn export_by_name(inner: &StoreInner, instance: u32, name: &str) -> Option<Extern> {
    let data = &inner.instances[instance as usize];
    let e = data
        .module
        .inner
        .info
        .exports
        .iter()
        .find(|e| e.name == name)?;
    Some(entity_extern(inner, instance, e.index))
}

fn entity_extern(inner: &StoreInner, instance: u32, index: EntityIndex) -> Extern {
    let data = &inner.instances[instance as usize];
    let store = inner.id;
    match index {
        EntityIndex::Func(i) => Extern::Func(Func {
            store,
            index: data.funcs[i as usize],
        }),
        EntityIndex::Table(i) => Extern::Table(Table {
            store,
            index: data.tables[i as usize],
        }),
        EntityIndex::Memory(i) => Extern::Memory(Memory {
            store,
            index: data.memories[i as usize],
        }),
        EntityIndex::Global(i) => Extern::Global(Global {
            store,
            index: data.globals[i as usize],
        }),
        EntityIndex::Tag(i) => Extern::Tag(crate::Tag {
            store,
            index: data.tags[i as usize],
        }),
    }
}

/// Checks that `actual` can satisfy an import of type `want`.
pub(crate) fn import_matches(actual: &ExternType, want: &ExternType) -> bool {
    match (actual, want) {
        (ExternType::Func(a), ExternType::Func(w)) => a == w,
        // An immutable global may hold a subtype of what the import asks for; a mutable one
        // is read and written, so its type must be the same.
        (ExternType::Global(a), ExternType::Global(w)) => {
            a.mutability() == w.mutability()
                && match a.mutability() {
                    Mutability::Const => a.content().matches(w.content()),
                    Mutability::Var => a.content() == w.content(),
                }
        }
        (ExternType::Table(a), ExternType::Table(w)) => {
            a.element() == w.element()
                && a.is_64() == w.is_64()
                && limits_match(a.minimum(), a.maximum(), w.minimum(), w.maximum())
        }
        (ExternType::Tag(a), ExternType::Tag(w)) => a == w,
        (ExternType::Memory(a), ExternType::Memory(w)) => {
            a.is_64() == w.is_64()
                && a.page_size() == w.page_size()
                && limits_match(a.minimum(), a.maximum(), w.minimum(), w.maximum())
        }
        _ => false,
    }
}

/// An offset into a table or memory with 64-bit indices (`is64`) or 32-bit ones, as a
/// `usize` (`usize::MAX`, out of bounds, if it does not fit).
fn index_operand(is64: bool, v: u64) -> usize {
    let v = if is64 { v } else { u64::from(v as u32) };
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// The value of a constant expression as a 16-byte cell (scalars in the low 8 bytes).
fn eval_const(inner: &StoreInner, globals: &[u32], funcs: &[u32], expr: &ConstExpr) -> u128 {
    match *expr {
        ConstExpr::I32(v) => u128::from(v as u32),
        ConstExpr::I64(v) => u128::from(v as u64),
        ConstExpr::F32(v) => u128::from(v),
        ConstExpr::F64(v) => u128::from(v),
        ConstExpr::V128(v) => v,
        ConstExpr::RefNull(_) => 0,
        ConstExpr::RefFunc(f) => u128::from(funcs[f as usize]) + 1,
        ConstExpr::GlobalGet(g) => {
            let [lo, hi] = inner.globals[globals[g as usize] as usize].def.storage;
            u128::from(lo) | (u128::from(hi) << 64)
        }
        ConstExpr::Extended(ref ops) => {
            let global = |g: u32| inner.globals[globals[g as usize] as usize].def.storage[0];
            // Validation leaves exactly one value.
            u128::from(wvm_environ::eval_extended(ops, global).unwrap_or(0))
        }
    }
}

pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let info = &module.inner.info;
    if !crate::Engine::same(store.engine(), module.engine()) {
        return Err(Error::usage("module and store belong to different engines"));
    }
    if imports.len() != info.imports.len() {
        return Err(Error::link(format!(
            "expected {} imports, got {}",
            info.imports.len(),
            imports.len()
        )));
    }
    let mut funcs = Vec::with_capacity(info.functions.len());
    let mut tables = Vec::with_capacity(info.tables.len());
    let mut memories = Vec::with_capacity(info.memories.len());
    let mut globals = Vec::with_capacity(info.globals.len());
    let mut tags = Vec::with_capacity(info.tags.len());
    for (imp, ext) in info.imports.iter().zip(imports) {
        let want = crate::module::entity_type(info, imp.index);
        let actual = ext.ty(&*store);
        if !import_matches(&actual, &want) {
            return Err(Error::link(format!(
                "incompatible import type for `{}::{}`: expected {} `{want}`, found {} `{actual}`",
                imp.module,
                imp.name,
                want.kind_name(),
                actual.kind_name()
            )));
        }
        match ext {
            Extern::Func(f) => funcs.push(f.index),
            Extern::Table(t) => tables.push(t.index),
            Extern::Memory(m) => memories.push(m.index),
            Extern::Global(g) => globals.push(g.index),
            Extern::Tag(t) => tags.push(t.index),
        }
    }

    let inner = &mut store.inner;
    let instance = inner.instances.len() as u32;
    // The store's limits first, then the new tables and memories, before anything joins the
    // store: a module over a limit leaves nothing behind.
    let defined_tables = &info.tables[info.num_imported_tables as usize..];
    let defined_memories = &info.memories[info.num_imported_memories as usize..];
    let limiter = &mut inner.limiter;
    limiter.check_count("instances", inner.instances.len(), 1, |l| l.instances())?;
    limiter.check_count("tables", inner.tables.len(), defined_tables.len(), |l| {
        l.tables()
    })?;
    let (have, adding) = (inner.memories.len(), defined_memories.len());
    limiter.check_count("memories", have, adding, |l| l.memories())?;
    let new_tables = defined_tables
        .iter()
        .map(|ty| TableData::new(*ty, 0, limiter.get()))
        .collect::<Result<Vec<_>>>()?;
    let new_memories = defined_memories
        .iter()
        .map(|ty| MemoryData::new(*ty, limiter.get()))
        .collect::<Result<Vec<_>>>()?;

    // One shared `FuncType` per type, not one per function. From here to the push of the
    // instance nothing fails: the functions' code slots point into the module the instance
    // keeps (`CodeSlot::get`).
    let types: Vec<Arc<FuncType>> = info.types.iter().cloned().map(Arc::new).collect();
    inner.funcs.reserve(info.func_bodies.len());
    for def in 0..info.func_bodies.len() as u32 {
        let f = info.num_imported_funcs + def;
        let ty_index = info.functions[f as usize];
        let ty = types[ty_index as usize].clone();
        let type_id = module.inner.type_ids[ty_index as usize];
        let code = CodeSlot::new(&module.inner.compiled[def as usize]);
        let kind = FuncKind::Wasm {
            instance,
            def,
            code,
        };
        let func = Func::push(inner, kind, ty, type_id);
        funcs.push(func.index);
    }
    // Table initializers may name imported globals and any function.
    let inits = &info.table_inits;
    for (mut t, init) in new_tables.into_iter().zip(inits) {
        if let Some(init) = init {
            let bits = eval_const(inner, &globals, &funcs, init) as u64;
            t.elements.fill(bits);
        }
        inner.tables.push(t);
        tables.push(inner.tables.len() as u32 - 1);
    }
    for m in new_memories {
        inner.memories.push(m);
        memories.push(inner.memories.len() as u32 - 1);
    }
    for (i, ty) in info.globals[info.num_imported_globals as usize..]
        .iter()
        .enumerate()
    {
        let bits = eval_const(inner, &globals, &funcs, &info.global_inits[i]);
        let def = VMGlobalDefinition {
            storage: [bits as u64, (bits >> 64) as u64],
        };
        inner.globals.push(GlobalData { def, ty: *ty });
        globals.push(inner.globals.len() as u32 - 1);
    }

    for t in info.num_imported_tags..info.tags.len() as u32 {
        let ty = wvm_environ::TagType::new(info.func_type_of_tag(t).clone());
        tags.push(crate::Tag::push(inner, ty).index);
    }

    let elems: Box<[Box<[u64]>]> = info
        .elements
        .iter()
        .map(|seg| {
            seg.items
                .iter()
                .map(|e| eval_const(inner, &globals, &funcs, e) as u64)
                .collect()
        })
        .collect();
    inner.instances.push(InstanceData {
        module: module.clone(),
        funcs: funcs.into(),
        tables: tables.into(),
        memories: memories.into(),
        globals: globals.into(),
        tags: tags.into(),
    });
    inner.instance_state.push(InstanceState {
        data_dropped: vec![false; info.data.len()].into(),
        elems,
    });
    let handle = Instance {
        store: inner.id,
        index: instance,
    };

    // Active element segments, then active data segments, in order; each is dropped after
    // use, and declared segments are dropped right away.
    for (i, seg) in info.elements.iter().enumerate() {
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let data = &inner.instances[instance as usize];
                let offset = eval_const(inner, &data.globals, &data.funcs, offset) as u64;
                let table_id = data.tables[*table as usize];
                let items = std::mem::take(&mut inner.instance_state[instance as usize].elems[i]);
                let t = &mut inner.tables[table_id as usize];
                let start = index_operand(t.ty.is_64(), offset);
                match start
                    .checked_add(items.len())
                    .filter(|&end| end <= t.elements.len())
                {
                    Some(end) => t.elements[start..end].copy_from_slice(&items),
                    None => return Err(Error::trap(TrapCode::TableOutOfBounds)),
                }
            }
            ElemMode::Declared => {
                inner.instance_state[instance as usize].elems[i] = Box::new([]);
            }
            ElemMode::Passive => {}
        }
    }
    for (i, seg) in info.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let data = &inner.instances[instance as usize];
            let offset = eval_const(inner, &data.globals, &data.funcs, offset) as u64;
            let mem_id = data.memories[*memory as usize];
            let bytes = &module.inner.wasm[seg.range.clone()];
            let m = &mut inner.memories[mem_id as usize];
            let offset = index_operand(m.ty.is_64(), offset);
            let m = &mut m.data;
            match offset
                .checked_add(bytes.len())
                .filter(|&end| end <= m.len())
            {
                Some(end) => m[offset..end].copy_from_slice(bytes),
                None => return Err(Error::trap(TrapCode::MemoryOutOfBounds)),
            }
            inner.instance_state[instance as usize].data_dropped[i] = true;
        }
    }
    if let Some(start) = info.start {
        let f = inner.instances[instance as usize].funcs[start as usize];
        crate::interp::invoke(store, f, &mut [])?;
    }
    Ok(handle)
}
