//! # wvm-wast: runs `.wast` spec scripts over the public `wvm` API
//!
//! Design note. This crate executes WebAssembly script files (the official spec testsuite and
//! our own `tests/misc/*.wast`) against WVM, using only what an embedder can use: `Engine`,
//! `Module`, `Store`, `Linker`, `Instance`, `Func`, `Val`. Scripts are parsed with the `wast`
//! crate; [`WastContext`] keeps the script's state (the `spectest` host module, the current
//! and named instances, registered ones, module definitions) and runs one directive at a time.
//! Every directive counts as passed or failed in a [`WastReport`]; a failure, or a panic inside
//! the VM, never stops the rest of the file.
//!
//! Deliberately not here: which files to run and what to skip (that is the `spec` test target),
//! any knowledge of the VM's internals, and components, exceptions, threads and GC, whose
//! directives are reported as failures.

mod context;
mod spectest;
mod values;

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastDirective};

pub use context::WastContext;

/// The outcome of one script: directive counts and a line per failed directive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WastReport {
    /// Directives that did what the script asserts.
    pub passed: usize,
    /// Directives that did not (including ones the runner does not support).
    pub failed: usize,
    /// One entry per failure: `name:line:col: directive: what went wrong`.
    pub failures: Vec<String>,
}

impl WastReport {
    /// Whether no directive failed.
    pub fn is_ok(&self) -> bool {
        self.failed == 0
    }

    fn fail(&mut self, message: String) {
        self.failed += 1;
        self.failures.push(message);
    }
}

/// Runs a script given as text; `name` is used in failure messages.
pub fn run_wast_text(name: &str, text: &str) -> WastReport {
    run_wast_text_traced(name, text, |_| {})
}

/// Like [`run_wast_text`], calling `before_each` with `name:line:col: directive` before each
/// directive runs (so a caller with a watchdog can say where a script got stuck).
pub fn run_wast_text_traced(name: &str, text: &str, before_each: impl FnMut(&str)) -> WastReport {
    run_wast_text_with(name, text, &wvm::Config::default(), before_each)
}

/// Like [`run_wast_text_traced`], on an engine with `config`. With fuel metering or epoch
/// interruption on, the store gets all the fuel and time there is, so that a script checks
/// that the instrumentation changes no result.
pub fn run_wast_text_with(
    name: &str,
    text: &str,
    config: &wvm::Config,
    mut before_each: impl FnMut(&str),
) -> WastReport {
    let mut report = WastReport::default();
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buffer) => buffer,
        Err(mut e) => {
            e.set_text(text);
            report.fail(format!("{name}: cannot lex the script: {e}"));
            return report;
        }
    };
    let script = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(script) => script,
        Err(mut e) => {
            e.set_text(text);
            report.fail(format!("{name}: cannot parse the script: {e}"));
            return report;
        }
    };
    let mut cx = match guarded(|| WastContext::with_engine(wvm::Engine::new(config))) {
        Ok(Ok(cx)) => cx,
        Ok(Err(e)) => {
            report.fail(format!("{name}: cannot set up the script context: {e:#}"));
            return report;
        }
        Err(panic) => {
            report.fail(format!(
                "{name}: setting up the script context: panic: {panic}"
            ));
            return report;
        }
    };
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(text);
        let kind = directive_name(&directive);
        let at = format!("{name}:{}:{}: {kind}", line + 1, col + 1);
        before_each(&at);
        match guarded(|| cx.run_directive(directive)) {
            Ok(Ok(())) => report.passed += 1,
            Ok(Err(e)) => report.fail(format!("{at}: {e:#}")),
            Err(panic) => report.fail(format!("{at}: panic: {panic}")),
        }
    }
    report
}

/// Runs a script file; the file's path is used in failure messages.
pub fn run_wast_file(path: impl AsRef<Path>) -> std::io::Result<WastReport> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)?;
    Ok(run_wast_text(&path.display().to_string(), &text))
}

/// The script keyword of a directive, for failure messages.
fn directive_name(directive: &WastDirective<'_>) -> &'static str {
    use WastDirective as D;
    match directive {
        D::Module(_) => "module",
        D::ModuleDefinition(_) => "module definition",
        D::ModuleInstance { .. } => "module instance",
        D::Register { .. } => "register",
        D::Invoke(_) => "invoke",
        D::AssertReturn { .. } => "assert_return",
        D::AssertTrap { .. } => "assert_trap",
        D::AssertExhaustion { .. } => "assert_exhaustion",
        D::AssertInvalid { .. } => "assert_invalid",
        D::AssertMalformed { .. } => "assert_malformed",
        D::AssertUnlinkable { .. } => "assert_unlinkable",
        D::AssertException { .. } => "assert_exception",
        D::AssertSuspension { .. } => "assert_suspension",
        D::AssertInvalidCustom { .. } => "assert_invalid_custom",
        D::AssertMalformedCustom { .. } => "assert_malformed_custom",
        D::Thread(_) => "thread",
        D::Wait { .. } => "wait",
    }
}

thread_local! {
    /// Set while this thread runs guest-facing code under [`guarded`].
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic under [`guarded`] happened, if the quiet hook recorded it.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a process-wide panic hook that stays silent for panics the runner catches (it
/// reports them itself, with the location the hook records) and defers to the previous hook
/// for every other panic. Optional: without it, caught panics are also printed to stderr.
pub fn install_quiet_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if GUARDED.with(Cell::get) {
            let location = info.location().map(|l| l.to_string());
            PANIC_LOCATION.with(|slot| *slot.borrow_mut() = location);
        } else {
            previous(info);
        }
    }));
}

/// Runs `f`, turning a panic into its message (with its location, when known).
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was_guarded = GUARDED.with(|g| g.replace(true));
    PANIC_LOCATION.with(|slot| slot.borrow_mut().take());
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was_guarded));
    result.map_err(|payload| {
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "<non-string panic payload>".to_string()
        };
        match PANIC_LOCATION.with(|slot| slot.borrow_mut().take()) {
            Some(location) => format!("{message} (at {location})"),
            None => message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#"
        (module
          (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add)
          (func (export "div") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.div_s))
    "#;

    fn run(body: &str) -> WastReport {
        run_wast_text("test.wast", &format!("{MODULE}\n{body}"))
    }

    #[test]
    fn passing_assertions_count_as_passed() {
        let report = run(r#"
            (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
            (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
            (assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
            (assert_malformed (module quote "(func (i32.bogus))") "unknown operator")
            (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
        "#);
        assert_eq!(report.failures, Vec::<String>::new());
        assert_eq!((report.passed, report.failed), (6, 0));
    }

    #[test]
    fn a_wrong_result_counts_as_one_failure() {
        let report = run_wast_text(
            "t.wast",
            "(module (func (export \"one\") (result i32) (i32.const 1)))\n\
             (assert_return (invoke \"one\") (i32.const 2))\n\
             (assert_return (invoke \"one\") (i32.const 1))\n",
        );
        assert_eq!(
            (report.passed, report.failed),
            (2, 1),
            "{:?}",
            report.failures
        );
        let failure = &report.failures[0];
        assert!(
            failure.starts_with("t.wast:2:2: assert_return: "),
            "{failure}"
        );
        assert!(failure.contains("expected i32:2, got i32:1"), "{failure}");
    }

    #[test]
    fn wrong_trap_and_missing_trap_fail() {
        let report = run(r#"
            (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer overflow")
            (assert_trap (invoke "div" (i32.const 4) (i32.const 2)) "integer divide by zero")
            (assert_invalid (module (func)) "type mismatch")
        "#);
        assert_eq!(
            (report.passed, report.failed),
            (1, 3),
            "{:?}",
            report.failures
        );
    }

    #[test]
    fn failed_module_makes_later_uses_fail() {
        let report = run_wast_text(
            "t.wast",
            r#"
            (module (func (export "f") (result i32) (i32.const 1)))
            (module (import "nowhere" "g" (func)))
            (assert_return (invoke "f") (i32.const 1))
            "#,
        );
        assert_eq!(
            (report.passed, report.failed),
            (1, 2),
            "{:?}",
            report.failures
        );
        assert!(report.failures[1].contains("no current module"));
    }

    #[test]
    fn registered_and_named_modules_link() {
        let report = run_wast_text(
            "t.wast",
            r#"
            (module $A (func (export "one") (result i32) (i32.const 1)))
            (register "a" $A)
            (module $B
              (import "a" "one" (func $one (result i32)))
              (import "spectest" "global_i32" (global i32))
              (func (export "two") (result i32) (i32.add (call $one) (call $one)))
              (func (export "g") (result i32) (global.get 0)))
            (assert_return (invoke $A "one") (i32.const 1))
            (assert_return (invoke "two") (i32.const 2))
            (assert_return (invoke $B "g") (i32.const 666))
            (assert_unlinkable (module (import "a" "missing" (func))) "unknown import")
            "#,
        );
        assert_eq!(
            (report.passed, report.failed),
            (7, 0),
            "{:?}",
            report.failures
        );
    }

    #[test]
    fn unparsable_script_is_one_failure() {
        let report = run_wast_text("bad.wast", "(module");
        assert_eq!((report.passed, report.failed), (0, 1));
    }

    #[test]
    fn panics_become_failures() {
        assert_eq!(guarded(|| 7), Ok(7));
        let err = guarded(|| -> i32 { panic!("boom") }).unwrap_err();
        assert!(err.starts_with("boom"), "{err}");
    }
}
