//! [`WastContext`]: the state a script builds up, and one method per directive kind.

use std::collections::HashMap;

use anyhow::{Context as _, Result, anyhow, bail};
use wast::token::Id;
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use wvm::{Engine, Instance, Linker, Module, Store, Val};

use crate::{spectest, values};

/// Everything one script has built so far: the store all its instances live in, a linker
/// holding `spectest` and every `register`ed instance, the current (most recent) instance,
/// instances named with `$id`, and module definitions waiting for `module instance`.
pub struct WastContext {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Instance>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
}

impl WastContext {
    /// A fresh context with a default engine and the `spectest` module defined.
    pub fn new() -> Result<WastContext> {
        Self::with_engine(Engine::default())
    }

    /// A fresh context on `engine` with the `spectest` module defined.
    pub fn with_engine(engine: Engine) -> Result<WastContext> {
        let mut store = Store::new(&engine, ());
        // Metered or interruptible engines: no limit is meant to be reached by a script.
        if store.get_fuel().is_ok() {
            store.set_fuel(u64::MAX)?;
        }
        store.set_epoch_deadline(u64::MAX);
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        spectest::define(&mut linker, &mut store).context("defining the spectest module")?;
        Ok(WastContext {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
        })
    }

    /// Runs one directive. `Err` means the directive failed; the message says why.
    pub fn run_directive(&mut self, directive: WastDirective<'_>) -> Result<()> {
        use WastDirective as D;
        match directive {
            D::Module(mut quote) => self.module(&mut quote),
            D::ModuleDefinition(mut quote) => self.module_definition(&mut quote),
            D::ModuleInstance {
                instance, module, ..
            } => self.module_instance(instance, module),
            D::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.linker
                    .instance(&mut self.store, name, instance)
                    .map_err(|e| anyhow!("register {name:?} failed: {e}"))?;
                Ok(())
            }
            D::Invoke(invoke) => {
                self.invoke(&invoke)?
                    .map_err(|e| anyhow!("invoke {:?} failed: {e}", invoke.name))?;
                Ok(())
            }
            D::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            D::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            D::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Ok(vals) => bail!(
                    "expected exhaustion {message:?}, but {:?} returned {}",
                    call.name,
                    self.show(&vals)
                ),
                Err(e) => check_trap(&e, message),
            },
            D::AssertInvalid {
                mut module,
                message,
                ..
            } => self.assert_rejected(&mut module, "invalid", message),
            D::AssertMalformed {
                mut module,
                message,
                ..
            } => self.assert_rejected(&mut module, "malformed", message),
            D::AssertUnlinkable {
                mut module,
                message,
                ..
            } => self.assert_unlinkable(&mut module, message),
            D::AssertException { exec, .. } => self.assert_exception(exec),
            D::AssertSuspension { .. } => {
                bail!("assert_suspension is not supported (stack switching)")
            }
            D::AssertInvalidCustom { .. } | D::AssertMalformedCustom { .. } => {
                bail!("custom-section assertions are not supported")
            }
            D::Thread(_) | D::Wait { .. } => bail!("threads are not supported"),
        }
    }

    fn module(&mut self, quote: &mut QuoteWat<'_>) -> Result<()> {
        let name = quote.name().map(|id| id.name().to_string());
        // Whatever happens, later directives must not silently use an older instance.
        self.current = None;
        if let Some(name) = &name {
            self.instances.remove(name);
        }
        let module = self.compile(quote)?;
        let instance = self
            .linker
            .instantiate(&mut self.store, &module)
            .map_err(|e| anyhow!("instantiation failed: {e}"))?;
        self.current = Some(instance);
        if let Some(name) = name {
            self.instances.insert(name, instance);
        }
        Ok(())
    }

    fn module_definition(&mut self, quote: &mut QuoteWat<'_>) -> Result<()> {
        let name = quote.name().map(|id| id.name().to_string());
        self.last_definition = None;
        if let Some(name) = &name {
            self.definitions.remove(name);
        }
        let module = self.compile(quote)?;
        if let Some(name) = name {
            self.definitions.insert(name, module.clone());
        }
        self.last_definition = Some(module);
        Ok(())
    }

    fn module_instance(&mut self, instance: Option<Id<'_>>, module: Option<Id<'_>>) -> Result<()> {
        self.current = None;
        if let Some(id) = instance {
            self.instances.remove(id.name());
        }
        let definition = match module {
            Some(id) => self
                .definitions
                .get(id.name())
                .cloned()
                .ok_or_else(|| anyhow!("unknown module definition ${}", id.name()))?,
            None => self
                .last_definition
                .clone()
                .ok_or_else(|| anyhow!("no module definition to instantiate"))?,
        };
        let inst = self
            .linker
            .instantiate(&mut self.store, &definition)
            .map_err(|e| anyhow!("instantiation failed: {e}"))?;
        self.current = Some(inst);
        if let Some(id) = instance {
            self.instances.insert(id.name().to_string(), inst);
        }
        Ok(())
    }

    /// Encodes a script module to a binary and compiles it.
    fn compile(&self, quote: &mut QuoteWat<'_>) -> Result<Module> {
        let bytes = encode(quote).map_err(|e| anyhow!("text format error: {e}"))?;
        Module::from_binary(&self.engine, &bytes).map_err(|e| anyhow!("compile failed: {e}"))
    }

    fn compile_wat(&self, wat: &mut Wat<'_>) -> Result<Module> {
        if matches!(wat, Wat::Component(_)) {
            bail!("components are not supported");
        }
        let bytes = wat
            .encode()
            .map_err(|e| anyhow!("text format error: {e}"))?;
        Module::from_binary(&self.engine, &bytes).map_err(|e| anyhow!("compile failed: {e}"))
    }

    /// The instance a directive names with `$id`, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance> {
        match id {
            Some(id) => self.instances.get(id.name()).copied().ok_or_else(|| {
                anyhow!(
                    "unknown module ${} (did its module directive fail?)",
                    id.name()
                )
            }),
            None => self
                .current
                .ok_or_else(|| anyhow!("no current module (did the last module directive fail?)")),
        }
    }

    /// Calls an export. The outer error is a problem of the script (no such module or export,
    /// unsupported argument); the inner one is the call's own result.
    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, wvm::Error>> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&mut self.store, invoke.name)
            .ok_or_else(|| anyhow!("no exported function {:?}", invoke.name))?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            args.push(values::arg_to_val(&mut self.store, arg)?);
        }
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty
            .results()
            .iter()
            .map(|t| values::default_val(*t))
            .collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    fn assert_return(&mut self, exec: WastExecute<'_>, expected: &[WastRet<'_>]) -> Result<()> {
        let actual = match exec {
            WastExecute::Invoke(invoke) => self
                .invoke(&invoke)?
                .map_err(|e| anyhow!("invoke {:?} failed: {e}", invoke.name))?,
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let g = instance
                    .get_global(&mut self.store, global)
                    .ok_or_else(|| anyhow!("no exported global {global:?}"))?;
                vec![g.get(&mut self.store)]
            }
            WastExecute::Wat(mut wat) => {
                let module = self.compile_wat(&mut wat)?;
                self.linker
                    .instantiate(&mut self.store, &module)
                    .map_err(|e| anyhow!("instantiation failed: {e}"))?;
                Vec::new()
            }
        };
        values::match_results(&self.store, &actual, expected)
    }

    /// `assert_exception`: the call must end with an exception no handler caught.
    fn assert_exception(&mut self, exec: WastExecute<'_>) -> Result<()> {
        let WastExecute::Invoke(invoke) = exec else {
            bail!("assert_exception supports only invoke");
        };
        match self.invoke(&invoke)? {
            Ok(vals) => bail!(
                "expected an exception, but {:?} returned {}",
                invoke.name,
                self.show(&vals)
            ),
            Err(e) if e.as_exception().is_some() => Ok(()),
            Err(e) => bail!("expected an exception, got: {e}"),
        }
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str) -> Result<()> {
        match exec {
            WastExecute::Invoke(invoke) => match self.invoke(&invoke)? {
                Ok(vals) => bail!(
                    "expected trap {message:?}, but {:?} returned {}",
                    invoke.name,
                    self.show(&vals)
                ),
                Err(e) => check_trap(&e, message),
            },
            WastExecute::Wat(mut wat) => {
                let module = self.compile_wat(&mut wat)?;
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => {
                        bail!("expected instantiation to trap with {message:?}, but it succeeded")
                    }
                    Err(e) => check_trap(&e, message),
                }
            }
            WastExecute::Get { global, .. } => {
                bail!("assert_trap on `get {global:?}` is not supported")
            }
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected before it runs. A
    /// text module the text parser already rejects counts as rejected.
    fn assert_rejected(
        &mut self,
        quote: &mut QuoteWat<'_>,
        what: &str,
        message: &str,
    ) -> Result<()> {
        if matches!(
            quote,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            bail!("components are not supported");
        }
        let bytes = match encode(quote) {
            Ok(bytes) => bytes,
            Err(_) => return Ok(()),
        };
        match Module::from_binary(&self.engine, &bytes) {
            Ok(_) => bail!("expected a {what} module ({message:?}), but it compiled"),
            Err(_) => Ok(()),
        }
    }

    fn assert_unlinkable(&mut self, wat: &mut Wat<'_>, message: &str) -> Result<()> {
        let module = self.compile_wat(wat)?;
        match self.linker.instantiate(&mut self.store, &module) {
            Ok(_) => bail!("expected a link error ({message:?}), but instantiation succeeded"),
            Err(e) if e.is_link() => Ok(()),
            Err(e) => bail!("expected a link error ({message:?}), got another error: {e}"),
        }
    }

    fn show(&self, vals: &[Val]) -> String {
        let parts: Vec<String> = vals
            .iter()
            .map(|v| values::show_val(&self.store, v))
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

/// Encodes a script module (binary, text or quoted text) into a binary.
fn encode(quote: &mut QuoteWat<'_>) -> Result<Vec<u8>> {
    match quote {
        QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) => {
            bail!("components are not supported")
        }
        // `(module binary ...)` comes out as its bytes, unchanged.
        _ => Ok(quote.encode()?),
    }
}

/// Checks that `err` is a trap whose message contains `expected`.
fn check_trap(err: &wvm::Error, expected: &str) -> Result<()> {
    let Some(trap) = err.as_trap() else {
        bail!("expected trap {expected:?}, got a non-trap error: {err}");
    };
    let message = err.to_string();
    let code_message = trap.code().message();
    if trap_matches(&message, expected) || trap_matches(code_message, expected) {
        Ok(())
    } else {
        bail!("expected trap {expected:?}, got trap {message:?}")
    }
}

/// `actual` matches when it contains the expected text. A few spec scripts append the
/// element index (`"uninitialized element 2"`); a message equal to the text before that
/// index matches too.
fn trap_matches(actual: &str, expected: &str) -> bool {
    if actual.contains(expected) {
        return true;
    }
    match expected.rsplit_once(' ') {
        Some((head, index)) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => {
            actual.contains(head)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::trap_matches;

    #[test]
    fn trap_message_matching() {
        assert!(trap_matches(
            "integer divide by zero",
            "integer divide by zero"
        ));
        assert!(trap_matches(
            "wasm trap: out of bounds memory access",
            "out of bounds"
        ));
        assert!(trap_matches(
            "uninitialized element",
            "uninitialized element 2"
        ));
        assert!(!trap_matches("unreachable", "integer overflow"));
        assert!(!trap_matches("uninitialized", "undefined element"));
    }
}
