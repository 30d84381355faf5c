//! Target 1: arbitrary bytes through decoding, validation and eager translation.

use std::sync::OnceLock;

/// What [`decode_compile`] saw, for the smoke test's counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DecodeOutcome {
    /// `Module::new` accepted the input (binary or text) and translated every function.
    Accepted,
    /// Rejected with an error, as it should be for malformed or invalid input.
    Rejected,
    /// The binary validates but eager translation refused it (a resource limit). Allowed,
    /// but counted: generated inputs should not get here.
    TranslationFailed,
}

fn eager_engine() -> &'static wvm::Engine {
    static ENGINE: OnceLock<wvm::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = wvm::Config::new();
        config.lazy_translation(false);
        wvm::Engine::new(&config)
    })
}

fn lazy_engine() -> &'static wvm::Engine {
    static ENGINE: OnceLock<wvm::Engine> = OnceLock::new();
    ENGINE.get_or_init(wvm::Engine::default)
}

/// Feeds `bytes` to `Module::validate`, `Module::from_binary` (lazy translation) and
/// `Module::new` (binary or text, every function translated at load). None of them may
/// panic; errors are the expected answer for most inputs. The three must also agree on
/// the binary: what validates loads and translates, what does not is refused by all.
pub fn decode_compile(bytes: &[u8]) -> DecodeOutcome {
    let valid = wvm::Module::validate(lazy_engine(), bytes).is_ok();
    let lazy = wvm::Module::from_binary(lazy_engine(), bytes);
    assert_eq!(
        valid,
        lazy.is_ok(),
        "Module::validate and Module::from_binary disagree: {:?}",
        lazy.err()
    );
    match wvm::Module::new(eager_engine(), bytes) {
        Ok(module) => {
            // Touch what a host would look at after loading.
            for import in module.imports() {
                let _ = (import.module(), import.name(), import.ty().to_string());
            }
            for export in module.exports() {
                let _ = (export.name(), export.ty().to_string());
            }
            DecodeOutcome::Accepted
        }
        Err(e) => {
            let _ = e.to_string();
            if valid {
                DecodeOutcome::TranslationFailed
            } else {
                DecodeOutcome::Rejected
            }
        }
    }
}
