//! One module per `wvm` subcommand, and the few input/output helpers the tool commands share.

pub mod inspect;
pub mod run;
pub mod validate;
pub mod wasm2wat;
pub mod wast;
pub mod wat2wasm;

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// How an input path is named in messages: `<stdin>` for `-`.
pub fn input_name(path: &Path) -> String {
    if is_stdio(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads the file at `path`, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if is_stdio(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))
}

/// Whether `bytes` look like WebAssembly text rather than a binary (the same test as
/// `wvm::Module::new`): UTF-8 that starts, after white space, with `(` or a `;;` comment.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\0asm") {
        return false;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => matches!(s.trim_start().chars().next(), Some('(' | ';')),
        Err(_) => false,
    }
}

/// The module binary in `bytes` read from `path`: text is assembled (syntax errors name the
/// file, line and column), a binary is returned as is. Input that is neither is refused with
/// a message that says so, instead of the parser's "bad magic number".
pub fn module_binary(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>> {
    if looks_like_text(&bytes) {
        let file = (!is_stdio(path)).then_some(path);
        return wat::Parser::new()
            .parse_bytes(file, &bytes)
            .map(|wasm| wasm.into_owned())
            .context("invalid WebAssembly text");
    }
    if !bytes.starts_with(b"\0asm") {
        bail!(
            "not a WebAssembly module (a binary starts with the bytes `\\0asm`, a text module \
             with `(module`)"
        );
    }
    Ok(bytes)
}

/// Reads a module (binary or text) from `path` or standard input and returns its binary.
pub fn read_module(path: &Path) -> Result<Vec<u8>> {
    let bytes = read_input(path)?;
    module_binary(path, bytes).with_context(|| format!("failed to load `{}`", input_name(path)))
}

/// Writes `bytes` to the file `out`, or to standard output when `out` is `None` or `-`.
/// Binary output is never written to a terminal. A closed pipe (`| head`) is not an error.
pub fn write_output(out: Option<&Path>, bytes: &[u8], binary: bool) -> Result<()> {
    if let Some(path) = out.filter(|p| !is_stdio(p)) {
        return std::fs::write(path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()));
    }
    let mut stdout = std::io::stdout().lock();
    if binary && stdout.is_terminal() {
        bail!(
            "refusing to write a binary module to the terminal: use `-o FILE` or redirect \
             standard output"
        );
    }
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}
