//! How fast each tier compiles: every function of each module given, compiled up
//! front (`Config::lazy_compilation(false)`) by the interpreter's compiler alone and
//! with the optimizing tier too, timed with the module's creation; prints
//! milliseconds per kilobyte of module.
//!
//! `cargo run --release -p tern --example compile_speed -- ../shared/bench/wasm/*.wasm`

use std::time::Instant;

use tern::{Config, Engine, Module, Tier};

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: compile_speed FILE.wasm...");
        std::process::exit(2);
    }
    println!("| module | KB | interp (ms) | opt (ms) | interp ms/KB | opt ms/KB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let (mut kb_all, mut interp_all, mut opt_all) = (0.0, 0.0, 0.0);
    for p in &paths {
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{p}: {e}");
                std::process::exit(1);
            }
        };
        let kb = bytes.len() as f64 / 1024.0;
        let time = |tier: Tier| {
            let mut config = Config::new();
            config.tier(tier).lazy_compilation(false);
            let engine = Engine::new(&config);
            let start = Instant::now();
            if let Err(e) = Module::new(&engine, &bytes) {
                eprintln!("{p}: {e}");
                std::process::exit(1);
            }
            start.elapsed().as_secs_f64() * 1000.0
        };
        let (interp, opt) = (time(Tier::Interp), time(Tier::Opt));
        let name = std::path::Path::new(p)
            .file_name()
            .map_or(p.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "| {name} | {kb:.1} | {interp:.1} | {opt:.1} | {:.2} | {:.2} |",
            interp / kb,
            opt / kb
        );
        kb_all += kb;
        interp_all += interp;
        opt_all += opt;
    }
    println!(
        "| all | {kb_all:.1} | {interp_all:.1} | {opt_all:.1} | {:.2} | {:.2} |",
        interp_all / kb_all,
        opt_all / kb_all
    );
}
