//! Runs a harness over many deterministic smoke inputs (or files), catching panics, and
//! prints each failing input with its message: a quick survey of what a harness finds.
//!
//! ```text
//! cargo run --release -p tern-fuzz --example triage -- exec 0 2000
//! cargo run --release -p tern-fuzz --example triage -- validate 0 2000
//! cargo run --release -p tern-fuzz --example triage -- decode 0 2000
//! ```

use std::collections::BTreeMap;
use std::panic;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args[0].clone();
    let from: u64 = args[1].parse().unwrap();
    let to: u64 = args[2].parse().unwrap();
    panic::set_hook(Box::new(|_| {}));
    let mut by_msg: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for seed in from..to {
        let mut rng = tern_fuzz::Rng::new(seed);
        let len = 256 + (rng.next_u64() % (4096 - 256 + 1)) as usize;
        let data = rng.bytes(len);
        let r = panic::catch_unwind(|| match mode.as_str() {
            "exec" => format!("{:?}", tern_fuzz::differential_vs_wasmi(&data)),
            "validate" => format!("{:?}", tern_fuzz::validate_vs_wasmparser(&data)),
            _ => format!("{:?}", tern_fuzz::decode_validate(&data)),
        });
        match r {
            Ok(o) => {
                let key = o.split(['{', '(']).next().unwrap().trim().to_string();
                *outcomes.entry(key).or_default() += 1;
            }
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let short: String = msg.chars().take(160).collect();
                by_msg.entry(short).or_default().push(seed);
            }
        }
    }
    println!("outcomes: {outcomes:?}");
    for (msg, seeds) in by_msg {
        println!(
            "{} x {msg}\n    seeds {:?}",
            seeds.len(),
            &seeds[..seeds.len().min(8)]
        );
    }
}
