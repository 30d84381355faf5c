//! Bounds on what one module may declare, checked while it is validated, so that compiling
//! an untrusted module takes bounded time and memory.

/// Limits checked while validating a module (see [`validate_with_limits`]).
///
/// The defaults accept every module of the official spec testsuite and what C and Rust
/// toolchains produce. wasmparser enforces its own implementation limits in any case (1,000,000
/// functions, 7,654,321-byte bodies, 50,000 locals per function), so raising a limit past
/// those changes nothing.
///
/// [`validate_with_limits`]: crate::validate_with_limits
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModuleLimits {
    /// Most functions, imported and defined (default 1,000,000).
    pub max_functions: u32,
    /// Most bytes of one function body, its local declarations included (default 7,654,321).
    pub max_function_body_size: u32,
    /// Most locals of one function, its parameters included (default 50,000).
    pub max_locals: u32,
    /// Deepest nesting of `block`, `loop` and `if` in one function body (default 50,000).
    pub max_nesting_depth: u32,
    /// The WebAssembly features validation accepts (default [`features()`]: everything WVM
    /// implements); a module using another one is invalid.
    ///
    /// [`features()`]: crate::features
    pub features: wasmparser::WasmFeatures,
}

impl ModuleLimits {
    /// The default limits.
    pub const DEFAULT: ModuleLimits = ModuleLimits {
        max_functions: 1_000_000,
        max_function_body_size: 7_654_321,
        max_locals: 50_000,
        max_nesting_depth: 50_000,
        features: crate::module::FEATURES,
    };
}

impl Default for ModuleLimits {
    fn default() -> ModuleLimits {
        ModuleLimits::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::ModuleLimits;
    use crate::validate_with_limits;

    /// A module of one function `() -> ()` whose body is `locals` then `code`.
    fn module(locals: &[u8], code: &[u8]) -> Vec<u8> {
        let mut body = locals.to_vec();
        body.extend_from_slice(code);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: one `func`
        wasm.extend_from_slice(&[3, 2, 1, 0]); // function section: one function of type 0
        wasm.extend_from_slice(&[10, body.len() as u8 + 2, 1, body.len() as u8]);
        wasm.extend_from_slice(&body);
        wasm
    }

    #[test]
    fn each_limit_is_checked_with_its_offset_and_name() {
        let nested = module(&[0], &[0x02, 0x40, 0x02, 0x40, 0x0b, 0x0b, 0x0b]);
        let ok = ModuleLimits::DEFAULT;
        validate_with_limits(&nested, &ok).unwrap();
        let shallow = ModuleLimits {
            max_nesting_depth: 1,
            ..ok
        };
        let e = validate_with_limits(&nested, &shallow).unwrap_err();
        assert!(e.message.contains("max_nesting_depth"), "{e}");
        // The body starts at offset 22; its second `block` (offset 25) is one too deep.
        assert_eq!(e.offset, 25, "{e}");

        let locals = module(&[1, 3, 0x7f], &[0x0b]); // three i32 locals
        let few = ModuleLimits {
            max_locals: 2,
            ..ok
        };
        let e = validate_with_limits(&locals, &few).unwrap_err();
        assert!(
            e.message.contains("max_locals") && e.message.contains('3'),
            "{e}"
        );
        let small = ModuleLimits {
            max_function_body_size: 3,
            ..ok
        };
        let e = validate_with_limits(&locals, &small).unwrap_err();
        assert!(e.message.contains("max_function_body_size"), "{e}");
        let none = ModuleLimits {
            max_functions: 0,
            ..ok
        };
        let e = validate_with_limits(&locals, &none).unwrap_err();
        assert!(e.message.contains("max_functions"), "{e}");
        // Validation errors still come first.
        let bad = module(&[0], &[0x6a, 0x0b]); // i32.add without operands
        assert!(
            !validate_with_limits(&bad, &few)
                .unwrap_err()
                .message
                .contains("limit")
        );
    }
}
