//! Writes the wasm module a fuzz input makes, for inspection and minimization:
//!
//! ```text
//! cargo run -p tern-fuzz --example smith -- exec fuzz/artifacts/differential_vs_wasmi/crash-... out.wasm
//! cargo run -p tern-fuzz --example smith -- validate INPUT out.wasm
//! cargo run -p tern-fuzz --example smith -- tiers fuzz/artifacts/differential_tiers/crash-... out.wasm
//! cargo run -p tern-fuzz --example smith -- exec-seed N out.wasm   # smoke input N
//! ```
//!
//! `wasm-tools print out.wasm` then shows it as text.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, input, out] = &args[..] else {
        eprintln!("usage: smith exec|tiers|validate|exec-seed|validate-seed INPUT|N OUT.wasm");
        std::process::exit(2);
    };
    let data = match mode.as_str() {
        "exec-seed" | "validate-seed" => {
            let n: usize = input.parse().expect("seed number");
            tern_fuzz::smoke_inputs(n as u64 + 1, 256, 4096).swap_remove(n)
        }
        _ => std::fs::read(input).expect("read input"),
    };
    let wasm = match mode.as_str() {
        "exec" | "exec-seed" => tern_fuzz::smith_module_for_execution(&data),
        "tiers" => tern_fuzz::smith_module_for_tern(&data),
        "validate" | "validate-seed" => tern_fuzz::smith_module_for_validation(&data),
        _ => panic!("unknown mode {mode}"),
    }
    .expect("input too short for a module");
    std::fs::write(out, wasm).expect("write output");
}
