//! # wvm: a WebAssembly virtual machine
//!
//! Design note. This crate is the runtime: the embedding API (shaped like wasmtime's:
//! [`Engine`], [`Module`], [`Store`], [`Linker`], [`Instance`], [`Func`], [`TypedFunc`],
//! [`Caller`], [`Memory`], [`Table`], [`Global`], [`Val`], [`Error`] and [`Trap`]), the
//! interpreter that executes the bytecode `wvm-bytecode` produces, and `vm`, the raw data
//! layout (memory, table, global and function-reference definitions) that a native tier
//! will share. Decoding and validation live in `wvm-environ`; translation in
//! `wvm-bytecode`.
//!
//! A [`Store`] owns every runtime object; handles ([`Func`], [`Memory`], ...) are indices
//! into it. WebAssembly calls run on the VM's own stack (no host recursion), so deep
//! recursion ends in a "call stack exhausted" trap. A host function called from
//! WebAssembly gets a [`Caller`] that reaches the calling instance's exports.
//!
//! Deliberately not here: decoding (environ), translation (bytecode), WASI (wvm-wasi).
//! `unsafe` is confined to `vm` and the interpreter's loops (`interp`: unchecked reads of
//! verified bytecode and frame slots, memory through a cached base and length); the loops
//! are a threaded one (each instruction's handler jumps to the next) where the build makes
//! those jumps certain, and a portable `match` loop elsewhere.
//!
//! ```
//! use wvm::{Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (func (export "add") (param i32 i32) (result i32)
//!         local.get 0 local.get 1 i32.add))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
//! assert_eq!(add.call(&mut store, (2, 3))?, 5);
//! # Ok::<(), wvm::Error>(())
//! ```

mod engine;
mod error;
mod exn;
mod func;
mod instance;
mod interp;
mod items;
mod limits;
mod linker;
mod module;
mod resumable;
mod store;
mod values;
pub mod vm;

pub use engine::{Config, Engine};
pub use error::{Error, ErrorKind, Result, Trap};
pub use exn::{Exception, ExnRef, Tag};
pub use func::{Caller, Func, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy};
pub use instance::Instance;
pub use interp::FrameInfo;
pub use items::{Extern, Global, Memory, Table};
pub use limits::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
pub use linker::Linker;
pub use module::{ExportType, ImportType, Module};
pub use resumable::{ResumableCall, ResumableInvocation};
pub use store::{AsContext, AsContextMut, Store, StoreContext, StoreContextMut};
pub use values::{ExternRef, Ref, Val};
pub use vm::ValRaw;
pub use wvm_environ::{
    CompileError, ExternType, FuelCosts, FuncType, GlobalType, HeapType, MemoryType, Mutability,
    RefType, TableType, TagType, TrapCode, ValType,
};
