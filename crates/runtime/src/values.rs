//! Values that cross between host and WebAssembly.

use crate::store::StoreInner;
use crate::{AsContext, AsContextMut, ExnRef, Func, HeapType, RefType, ValType};
use std::any::Any;

/// An opaque host value that WebAssembly holds as an `externref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl ExternRef {
    /// Puts `value` in the store and returns a reference to it.
    pub fn new(mut store: impl AsContextMut, value: impl Any + Send + Sync) -> ExternRef {
        let inner = &mut store.as_context_mut().0.inner;
        inner.externrefs.push(Box::new(value));
        ExternRef {
            store: inner.id,
            index: inner.externrefs.len() as u32 - 1,
        }
    }

    /// The host value this reference points to.
    pub fn data<'a, C: AsContext + 'a>(&self, store: &'a C) -> &'a (dyn Any + Send + Sync) {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        &*inner.externrefs[self.index as usize]
    }
}

/// A WebAssembly value.
#[derive(Debug, Clone)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// An `f32`, as its bits (so NaN payloads survive).
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
    /// An `exnref`: an exception caught with its reference, or null.
    ExnRef(Option<ExnRef>),
}

/// A reference, as stored in tables.
#[derive(Debug, Clone)]
pub enum Ref {
    Func(Option<Func>),
    Extern(Option<ExternRef>),
    Exn(Option<ExnRef>),
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::ExnRef(_) => ValType::EXNREF,
        }
    }

    /// Whether this value may be used where a `ty` is expected. For a reference that takes
    /// the store: a function reference matches a typed reference `(ref $t)` only if the
    /// function has type `$t`.
    pub fn matches_ty(&self, store: impl AsContext, ty: ValType) -> bool {
        self.matches(&store.as_context().0.inner, ty)
    }

    pub(crate) fn matches(&self, inner: &StoreInner, ty: ValType) -> bool {
        match (self, ty) {
            (Val::FuncRef(f), ValType::Ref(r)) => Ref::Func(*f).matches(inner, r),
            (Val::ExternRef(e), ValType::Ref(r)) => Ref::Extern(*e).matches(inner, r),
            (Val::ExnRef(e), ValType::Ref(r)) => Ref::Exn(*e).matches(inner, r),
            (v, t) => v.ty() == t,
        }
    }

    /// The null `funcref`.
    pub fn null_func_ref() -> Val {
        Val::FuncRef(None)
    }

    /// The null `externref`.
    pub fn null_extern_ref() -> Val {
        Val::ExternRef(None)
    }

    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }
    /// The 128 bits of a v128 (lane 0 in the low bits).
    pub fn v128(&self) -> Option<u128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }
    pub fn unwrap_v128(&self) -> u128 {
        self.v128().expect("expected a v128")
    }
    pub fn unwrap_i32(&self) -> i32 {
        self.i32().expect("expected an i32")
    }
    pub fn unwrap_i64(&self) -> i64 {
        self.i64().expect("expected an i64")
    }
    pub fn unwrap_f32(&self) -> f32 {
        self.f32().expect("expected an f32")
    }
    pub fn unwrap_f64(&self) -> f64 {
        self.f64().expect("expected an f64")
    }

    /// The 64-bit slot encoding of this value (references are store id + 1, null 0).
    pub(crate) fn to_bits(&self, inner: &StoreInner) -> u64 {
        match self {
            Val::I32(v) => u64::from(*v as u32),
            Val::I64(v) => *v as u64,
            Val::F32(v) => u64::from(*v),
            Val::F64(v) => *v,
            Val::V128(v) => *v as u64,
            Val::FuncRef(f) => f.map_or(0, |f| {
                inner.check(f.store);
                u64::from(f.index) + 1
            }),
            Val::ExternRef(e) => e.map_or(0, |e| {
                inner.check(e.store);
                u64::from(e.index) + 1
            }),
            Val::ExnRef(e) => e.map_or(0, |e| {
                inner.check(e.store);
                u64::from(e.index) + 1
            }),
        }
    }

    /// The 16-byte cell encoding of this value (scalars in the low 8 bytes).
    pub(crate) fn to_raw(&self, inner: &StoreInner) -> crate::ValRaw {
        match self {
            Val::V128(v) => crate::ValRaw::from_u128(*v),
            other => crate::ValRaw::from_bits(other.to_bits(inner)),
        }
    }

    /// Decodes a cell of type `ty`.
    pub(crate) fn from_raw(raw: crate::ValRaw, ty: ValType, inner: &StoreInner) -> Val {
        match ty {
            ValType::V128 => Val::V128(raw.u128()),
            _ => Val::from_bits(raw.bits(), ty, inner),
        }
    }

    /// Decodes a slot of type `ty`.
    pub(crate) fn from_bits(bits: u64, ty: ValType, inner: &StoreInner) -> Val {
        match ty {
            ValType::I32 => Val::I32(bits as u32 as i32),
            ValType::I64 => Val::I64(bits as i64),
            ValType::F32 => Val::F32(bits as u32),
            ValType::F64 => Val::F64(bits),
            ValType::V128 => Val::V128(u128::from(bits)),
            ValType::Ref(r) => match Ref::from_bits(bits, r, inner) {
                Ref::Func(f) => Val::FuncRef(f),
                Ref::Extern(e) => Val::ExternRef(e),
                Ref::Exn(e) => Val::ExnRef(e),
            },
        }
    }
}

pub(crate) fn func_from_bits(bits: u64, inner: &StoreInner) -> Option<Func> {
    (bits != 0).then(|| Func {
        store: inner.id,
        index: (bits - 1) as u32,
    })
}

pub(crate) fn extern_from_bits(bits: u64, inner: &StoreInner) -> Option<ExternRef> {
    (bits != 0).then(|| ExternRef {
        store: inner.id,
        index: (bits - 1) as u32,
    })
}

impl Ref {
    pub(crate) fn to_bits(&self, inner: &StoreInner) -> u64 {
        match self {
            Ref::Func(f) => Val::FuncRef(*f).to_bits(inner),
            Ref::Extern(e) => Val::ExternRef(*e).to_bits(inner),
            Ref::Exn(e) => Val::ExnRef(*e).to_bits(inner),
        }
    }

    /// The type of this reference.
    pub fn ty(&self) -> ValType {
        match self {
            Ref::Func(_) => ValType::FUNCREF,
            Ref::Extern(_) => ValType::EXTERNREF,
            Ref::Exn(_) => ValType::EXNREF,
        }
    }

    /// Whether this reference may be used where a `ty` is expected (see [`Val::matches_ty`]).
    pub(crate) fn matches(&self, inner: &StoreInner, ty: RefType) -> bool {
        let actual = match self {
            Ref::Func(None) => RefType::new(true, HeapType::NoFunc),
            Ref::Extern(None) => RefType::new(true, HeapType::NoExtern),
            Ref::Func(Some(f)) => {
                inner.check(f.store);
                let id = inner.funcs[f.index as usize].vmref.type_index;
                RefType::new(false, HeapType::Concrete(id))
            }
            Ref::Extern(Some(_)) => RefType::new(false, HeapType::Extern),
            Ref::Exn(None) => RefType::new(true, HeapType::NoExn),
            Ref::Exn(Some(e)) => {
                inner.check(e.store);
                RefType::new(false, HeapType::Exn)
            }
        };
        actual.matches(ty)
    }

    /// Decodes a slot holding a reference of type `ty`.
    pub(crate) fn from_bits(bits: u64, ty: RefType, inner: &StoreInner) -> Ref {
        if ty.is_func() {
            Ref::Func(func_from_bits(bits, inner))
        } else if ty.is_exn() {
            Ref::Exn((bits != 0).then(|| ExnRef {
                store: inner.id,
                index: (bits - 1) as u32,
            }))
        } else {
            Ref::Extern(extern_from_bits(bits, inner))
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}
