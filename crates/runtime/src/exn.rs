//! Exception handling (WebAssembly 3.0): tags, exceptions, and how an exception crosses
//! between WebAssembly and the host.
//!
//! A thrown exception is an object in the store ([`ExnData`]: its tag and payload); an
//! `exnref` is its index + 1. The interpreter's driver unwinds (`interp/mod.rs`): an exception
//! that leaves every Wasm frame of a call becomes the call's error, an [`Exception`] carrying
//! the tag and the payload; a host function that returns such an error (its own, or one a
//! nested call let through) throws it into the Wasm frames that called it.

use crate::store::StoreInner;
use crate::{AsContext, AsContextMut, Error, Result, TagType, Val, ValRaw};
use std::fmt;

/// An exception tag. A handle into a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

pub(crate) struct TagData {
    pub(crate) ty: TagType,
}

impl Tag {
    /// A new tag, owned by the host, whose exceptions carry values of `ty`'s payload types
    /// (its function type must have no results). Every tag is distinct: two tags of the same
    /// type do not catch each other's exceptions.
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag> {
        if !ty.ty().results().is_empty() {
            return Err(Error::usage("a tag's function type must have no results"));
        }
        let inner = &mut store.as_context_mut().0.inner;
        Ok(Tag::push(inner, ty.clone()))
    }

    pub(crate) fn push(inner: &mut StoreInner, ty: TagType) -> Tag {
        inner.tags.push(TagData { ty });
        Tag {
            store: inner.id,
            index: inner.tags.len() as u32 - 1,
        }
    }

    /// The tag's type.
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        inner.tags[self.index as usize].ty.clone()
    }
}

/// An exception object, as WebAssembly holds it in an `exnref`. A handle into a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

pub(crate) struct ExnData {
    /// The store id of the tag.
    pub(crate) tag: u32,
    pub(crate) payload: Box<[ValRaw]>,
    /// Whether an `exnref` to it may exist (it was caught by `catch_ref`/`catch_all_ref`,
    /// or reached the host): until then a catch may free it.
    pub(crate) referenced: bool,
}

impl ExnRef {
    /// The exception's tag.
    pub fn tag(&self, store: impl AsContext) -> Tag {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        Tag {
            store: self.store,
            index: inner.exns[self.index as usize].tag,
        }
    }

    /// The exception's payload.
    pub fn payload(&self, store: impl AsContext) -> Vec<Val> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        payload_vals(inner, self.index)
    }
}

/// The payload of exception `exn` as values.
pub(crate) fn payload_vals(inner: &StoreInner, exn: u32) -> Vec<Val> {
    let e = &inner.exns[exn as usize];
    let ty = &inner.tags[e.tag as usize].ty;
    e.payload
        .iter()
        .zip(ty.payload())
        .map(|(raw, t)| Val::from_raw(*raw, *t, inner))
        .collect()
}

/// An exception thrown by WebAssembly that no handler caught (the error of the call that
/// threw it, see [`Error::as_exception`]), or one that a host function throws into the
/// WebAssembly that called it by returning it as its error.
#[derive(Debug, Clone)]
pub struct Exception {
    tag: Tag,
    payload: Vec<Val>,
    /// The exception object in the store, once there is one.
    pub(crate) exn: Option<u32>,
}

impl Exception {
    /// An exception with tag `tag` and `payload` (which must match the tag's type), for a
    /// host function to throw: `return Err(Exception::new(tag, payload).into())`.
    pub fn new(tag: Tag, payload: Vec<Val>) -> Exception {
        Exception {
            tag,
            payload,
            exn: None,
        }
    }

    /// The exception that store object `exn` is.
    pub(crate) fn of(inner: &mut StoreInner, exn: u32) -> Exception {
        inner.exns[exn as usize].referenced = true;
        Exception {
            tag: Tag {
                store: inner.id,
                index: inner.exns[exn as usize].tag,
            },
            payload: payload_vals(inner, exn),
            exn: Some(exn),
        }
    }

    pub fn tag(&self) -> Tag {
        self.tag
    }

    pub fn payload(&self) -> &[Val] {
        &self.payload
    }

    /// The store object of this exception, made from the tag and payload if it has none
    /// yet: the store's `exnref` index.
    pub(crate) fn into_store(self, inner: &mut StoreInner) -> Result<u32> {
        if let Some(exn) = self.exn {
            return Ok(exn);
        }
        inner.check(self.tag.store);
        let ty = inner.tags[self.tag.index as usize].ty.clone();
        let want = ty.payload();
        if self.payload.len() != want.len()
            || !self
                .payload
                .iter()
                .zip(want)
                .all(|(v, t)| v.matches(inner, *t))
        {
            return Err(Error::usage(format!(
                "exception payload does not match its {ty}"
            )));
        }
        let payload = self.payload.iter().map(|v| v.to_raw(inner)).collect();
        Ok(new_exn(inner, self.tag.index, payload))
    }
}

/// A new exception object with tag `tag` (a store id); returns its index.
pub(crate) fn new_exn(inner: &mut StoreInner, tag: u32, payload: Box<[ValRaw]>) -> u32 {
    inner.exns.push(ExnData {
        tag,
        payload,
        referenced: false,
    });
    inner.exns.len() as u32 - 1
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "uncaught exception (tag {}, {} payload values)",
            self.tag.index,
            self.payload.len()
        )
    }
}

impl From<Exception> for Error {
    fn from(e: Exception) -> Error {
        Error::from_kind(crate::ErrorKind::Exception(e))
    }
}
