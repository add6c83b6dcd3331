//! Runs one module file (`.wasm` or `.wat`) through a comparison, for minimizing a
//! fuzzer finding by hand:
//!
//! ```text
//! cargo run -p tern-fuzz --example compare -- exec bug.wat
//! cargo run -p tern-fuzz --example compare -- validate bug.wasm
//! ```

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, path] = &args[..] else {
        eprintln!("usage: compare exec|validate FILE");
        std::process::exit(2);
    };
    let bytes = wat::parse_file(path).expect("read module");
    match mode.as_str() {
        "exec" => println!("{:?}", tern_fuzz::compare_execution(&bytes)),
        "validate" => println!("{:?}", tern_fuzz::compare_validation(&bytes)),
        _ => panic!("unknown mode {mode}"),
    }
}
