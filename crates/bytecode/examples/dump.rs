//! Prints the bytecode of every defined function of a module: `cargo run -p wvm-bytecode
//! --example dump -- FILE.wat|FILE.wasm [FUNC_INDEX]`.

use wvm_bytecode::{TranslateOptions, translate};
use wvm_environ::ModuleInfo;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: dump FILE [DEF_INDEX]");
    let bytes = std::fs::read(path).expect("read the file");
    let wasm = wat::parse_bytes(&bytes).expect("parse").into_owned();
    let info = ModuleInfo::decode(&wasm).expect("decode");
    let only: Option<u32> = args.get(2).map(|s| s.parse().expect("a function index"));
    let count = info.func_bodies.len() as u32;
    for def in 0..count {
        if only.is_some_and(|o| o != def) {
            continue;
        }
        let f = translate(&info, &wasm, def, &TranslateOptions::default()).expect("translate");
        println!(
            "func {def}: params {} results {} frame {} template {:?}",
            f.num_params, f.num_results, f.frame_size, f.template
        );
        for (pc, i) in f.code.iter().enumerate() {
            println!("  {pc:4}: {i:?}");
        }
    }
}
