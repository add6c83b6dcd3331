//! The `tern` command: run, validate, inspect WebAssembly modules and run spec scripts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use tern::syntax::{CompositeType, ElemMode, ExternKind, StorageType};
use tern::{Config, Engine, Error, Linker, Module, Store, StoreLimits, Tier, Val, ValType};
use tern_wasi::{WasiCtx, WasiCtxBuilder};

/// Exit code of `tern run` when the wasm code traps (128 + SIGABRT, as wasmtime does on
/// Unix).
const EXIT_TRAP: u8 = 134;

#[derive(Parser)]
#[command(
    name = "tern",
    version,
    about = "tern: a WebAssembly runtime",
    after_help = "Exit codes: 0 on success, 1 on any error (unreadable, malformed, invalid or \
unlinkable module, failed spec commands), 134 when `tern run` traps.\n\n\
Examples:\n  tern run examples/fib.wat --invoke fib 20\n  tern validate module.wasm\n  \
tern inspect module.wasm\n  tern wast -v test.wast"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(RunArgs),
    Validate(ValidateArgs),
    Inspect(InspectArgs),
    Wast(WastArgs),
}

/// Run a WebAssembly program: a WASI command (`_start`), a reactor (`_initialize`
/// then `--invoke`), or any module's exported function.
///
/// The module (binary `.wasm` or text `.wat`) gets WASI preview1
/// (`wasi_snapshot_preview1`) with capability-based access: it sees only the
/// directories given with `--dir` and the environment given with `--env` or
/// `--inherit-env`; stdin, stdout and stderr are the process's. Without `--invoke`,
/// `_start` is called with ARGS as the program's arguments (argv[0] is FILE) and tern
/// exits with the program's exit status. With `--invoke NAME`, `_initialize` runs first
/// if exported, then the export NAME is called with ARGS converted to its parameter
/// types, and each result is printed on its own line.
///
/// Function arguments: i32/i64 as decimal (signed or unsigned) or `0x` hex; f32/f64 as
/// decimal, `nan`, `inf`, `-inf`; reference parameters accept only `null`.
///
/// Exit codes: the program's status (from `proc_exit` or `main`'s return); 134 when
/// the wasm code traps (the trap message and wasm backtrace go to stderr); 1 for any
/// other error (missing or invalid file, an import that is not satisfied — named with
/// its module, name and type — or a bad argument).
#[derive(Args)]
#[command(after_help = "Examples:\n  tern run examples/hello.wat\n  \
tern run examples/fib.wat --invoke fib 20\n  \
tern run --dir ./data::/data --env LANG=C program.wasm input.txt\n  \
tern run --preload util=util.wasm main.wasm\n  \
tern run --fuel 1000000 --max-memory 64MiB --timeout 2s untrusted.wasm")]
struct RunArgs {
    /// Give the program access to host directory HOST, seen as GUEST (default: the same
    /// path). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Set environment variable K to V for the program. Repeatable.
    #[arg(long = "env", value_name = "K=V")]
    envs: Vec<String>,
    /// Give the program every environment variable of this process.
    #[arg(long)]
    inherit_env: bool,
    /// Instantiate FILE first and make its exports importable under module NAME.
    /// Repeatable.
    #[arg(long = "preload", value_name = "NAME=FILE")]
    preloads: Vec<String>,
    /// The exported function to call (default: `_start`, if exported).
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// Stop the program with "all fuel consumed" (exit 134) after about N wasm
    /// instructions (charged at function entry and each loop iteration).
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Run deterministically: NaN results are canonical, the WASI clocks are virtual
    /// and `random_get` is a fixed sequence, so runs are bit-for-bit repeatable.
    #[arg(long)]
    deterministic: bool,
    /// Interrupt the program (exit 134, "interrupted") after this long, e.g. `2s`,
    /// `500ms`, `1m`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// The most bytes any one linear memory may grow to (`memory.grow` returns -1
    /// beyond it), e.g. `64MiB`, `1GiB`, `65536`.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,
    /// Which execution tiers run the code: `interp` (the interpreter only), `opt`
    /// (every function compiled to native code with Cranelift before it first runs;
    /// what that tier does not translate yet runs in the interpreter) or `auto` (the
    /// default: the interpreter, and a function that gets hot, by its calls and loop
    /// iterations, is compiled and moves to native code, a running loop included).
    /// Results, traps, fuel and limits are the same in every tier.
    #[arg(long, value_name = "TIER", default_value = "auto")]
    tier: Tier,
    /// Make native code check every memory access against the memory's length. By
    /// default, on x86-64 Linux, a memory native code accesses reserves 6 GiB of
    /// address space with only its length accessible, and an out-of-bounds access
    /// faults and becomes the same trap; this turns that off.
    #[arg(long)]
    bounds_checks: bool,
    /// The module to run (`.wasm` or `.wat`).
    file: PathBuf,
    /// Arguments: the program's (for `_start`) or the invoked function's.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
    args: Vec<String>,
}

/// Decode and validate a module.
///
/// Prints `FILE: valid` and exits 0 when the module is valid. Otherwise prints one line,
/// `error: FILE: <message>` (the message names the byte offset of the problem), and
/// exits 1.
#[derive(Args)]
#[command(after_help = "Examples:\n  tern validate module.wasm\n  tern validate examples/fib.wat")]
struct ValidateArgs {
    /// The module to check (`.wasm` or `.wat`).
    file: PathBuf,
}

/// Print a summary of a module's sections.
///
/// Lists types, imports (module, name, type), functions, tables, memories, globals,
/// exports (name, kind, type), the start function, element and data segment counts,
/// custom sections with their sizes, and the module name from the `name` section.
#[derive(Args)]
#[command(after_help = "Example:\n  tern inspect module.wasm")]
struct InspectArgs {
    /// The module to inspect (`.wasm` or `.wat`).
    file: PathBuf,
}

/// Run WebAssembly spec scripts (`.wast`).
///
/// Each PATH is a script or a folder (searched recursively for `.wast` files). With
/// `--group NAME` the files of a spec group are run: the group list is
/// `<groups-dir>/NAME.txt` (default `$TERN_SPEC_GROUPS`, else `../shared/spec-groups`
/// relative to the current directory) and its file names are relative to the testsuite
/// folder (default `$TERN_TESTSUITE`, else `../shared/testsuite`).
///
/// Prints one line per script (`file.wast: 123 passed, 4 failed`, plus the number of
/// assertions that failed with the right error kind but a different message), and at
/// the end a total line `N passed, M failed`. With `-v` each failure is listed with its
/// line and reason, as are the message mismatches. Exits 1 if any command failed.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  tern wast -v ../shared/testsuite/i32.wast\n  \
tern wast ../shared/testsuite\n  tern wast --group core\n  \
TERN_TESTSUITE=/path/to/testsuite tern wast --group core --group simd"
)]
struct WastArgs {
    /// List every failure (line and reason) and every message mismatch.
    #[arg(short, long)]
    verbose: bool,
    /// Run the scripts of a spec group (core, simd, wasm3, proposals); repeatable.
    #[arg(long, value_name = "NAME")]
    group: Vec<String>,
    /// The spec-groups folder (overrides `$TERN_SPEC_GROUPS`).
    #[arg(long, value_name = "DIR")]
    groups_dir: Option<PathBuf>,
    /// The testsuite folder for `--group` (overrides `$TERN_TESTSUITE`).
    #[arg(long, value_name = "DIR")]
    testsuite: Option<PathBuf>,
    /// Give up on a script after this many seconds (counted as one failure).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Which execution tiers run the code: `interp` (the interpreter only), `opt`
    /// (every function compiled to native code with Cranelift before it first runs;
    /// what that tier does not translate yet runs in the interpreter) or `auto` (the
    /// default: the interpreter, and a function that gets hot, by its calls and loop
    /// iterations, is compiled and moves to native code, a running loop included).
    /// Results, traps, fuel and limits are the same in every tier.
    #[arg(long, value_name = "TIER", default_value = "auto")]
    tier: Tier,
    /// Make native code check every memory access against the memory's length. By
    /// default, on x86-64 Linux, a memory native code accesses reserves 6 GiB of
    /// address space with only its length accessible, and an out-of-bounds access
    /// faults and becomes the same trap; this turns that off.
    #[arg(long)]
    bounds_checks: bool,
    /// Scripts or folders of scripts.
    paths: Vec<PathBuf>,
}

fn main() -> ExitCode {
    // `tern --version` says whether the optimizing tier is there (it is not on hosts
    // Cranelift does not support, where everything runs in the interpreter).
    let tiers = if Engine::has_optimizing_tier() {
        "tiers: interpreter, optimizing (Cranelift)"
    } else {
        "tiers: interpreter only (no optimizing tier for this host)"
    };
    let version: &'static str =
        Box::leak(format!("{}\n{tiers}", env!("CARGO_PKG_VERSION")).into_boxed_str());
    let matches = Cli::command().long_version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Run(a) => run(a),
        Command::Validate(a) => validate(a),
        Command::Inspect(a) => inspect(a),
        Command::Wast(a) => wast(a),
    }
}

/// Prints `error: <msg>` and returns exit code 1.
fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(1)
}

/// A tern error on one line (a text-format error from `wat` spans several).
fn one_line(e: &Error) -> String {
    let s = e.to_string();
    let mut lines = s.lines();
    let first = lines.next().unwrap_or("").to_string();
    // `wat` errors continue with ` --> file:line:col`; keep the position.
    match lines.find_map(|l| l.trim().strip_prefix("--> ")) {
        Some(at) => format!("{first} (at {at})"),
        None => first,
    }
}

fn load(engine: &Engine, file: &Path) -> Result<Module, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    Module::new(engine, &bytes).map_err(|e| format!("{}: {}", file.display(), one_line(&e)))
}

fn validate(a: ValidateArgs) -> ExitCode {
    let engine = Engine::default();
    match load(&engine, &a.file) {
        Ok(_) => {
            println!("{}: valid", a.file.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn run(a: RunArgs) -> ExitCode {
    let mut config = Config::new();
    config.consume_fuel(a.fuel.is_some());
    config.epoch_interruption(a.timeout.is_some());
    config.deterministic(a.deterministic);
    config.tier(a.tier);
    config.guard_pages(!a.bounds_checks);
    let engine = Engine::new(&config);
    let module = match load(&engine, &a.file) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let ctx = match wasi_ctx(&a) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = a.fuel {
        if let Err(e) = store.set_fuel(fuel) {
            return fail(e);
        }
    }
    store.limit(StoreLimits {
        memory_bytes: a.max_memory,
        ..StoreLimits::default()
    });
    if let Some(t) = a.timeout {
        store.set_epoch_deadline(1);
        let engine = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(t);
            engine.increment_epoch();
        });
    }
    let mut linker = Linker::new(&engine);
    if let Err(e) = tern_wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c) {
        return fail(e);
    }
    for p in &a.preloads {
        let Some((name, file)) = p.split_once('=') else {
            return fail(format!("--preload `{p}`: expected NAME=FILE"));
        };
        let file = Path::new(file);
        let m = match load(&engine, file) {
            Ok(m) => m,
            Err(e) => return fail(e),
        };
        let inst = match linker.instantiate(&mut store, &m) {
            Ok(i) => i,
            Err(e) => return report_error(file, &e),
        };
        if let Err(e) = linker.instance(&mut store, name, inst) {
            return fail(e);
        }
    }
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => return report_error(&a.file, &e),
    };
    let Some(name) = &a.invoke else {
        // A command: `_start` with the arguments as argv.
        let Some(start) = instance.get_func(&store, "_start") else {
            return ExitCode::SUCCESS;
        };
        return match tern_wasi::exit_status(start.call(&mut store, &[], &mut [])) {
            Ok(code) => ExitCode::from(code as u8),
            Err(e) => report_error(&a.file, &e),
        };
    };
    if let Some(init) = instance.get_func(&store, "_initialize") {
        if let Err(e) = init.call(&mut store, &[], &mut []) {
            return report_error(&a.file, &e);
        }
    }
    let Some(func) = instance.get_func(&store, name) else {
        return fail(format!(
            "{}: no exported function `{name}`",
            a.file.display()
        ));
    };
    let ty = func.ty(&store);
    if a.args.len() != ty.params.len() {
        return fail(format!(
            "`{name}` takes {} arguments {ty}, {} given",
            ty.params.len(),
            a.args.len()
        ));
    }
    let mut params = Vec::with_capacity(a.args.len());
    for (i, (text, t)) in a.args.iter().zip(ty.params.iter()).enumerate() {
        match parse_arg(text, *t) {
            Ok(v) => params.push(v),
            Err(e) => return fail(format!("argument {}: {e}", i + 1)),
        }
    }
    let mut results = vec![Val::I32(0); ty.results.len()];
    match tern_wasi::exit_status(func.call(&mut store, &params, &mut results)) {
        Ok(0) => {}
        Ok(code) => return ExitCode::from(code as u8),
        Err(e) => return report_error(&a.file, &e),
    }
    for r in &results {
        println!("{}", show_result(r));
    }
    ExitCode::SUCCESS
}

/// A duration: a number with a unit `ms`, `s`, `m` or `h` (seconds if none).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}`: unknown duration unit `{unit}`")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

/// A size in bytes: a number with an optional `K`, `KiB`, `M`, `MiB`, `G` or `GiB`
/// suffix (binary multiples).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a size"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{s}`: unknown size unit `{unit}`")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// The WASI context `tern run`'s flags describe.
fn wasi_ctx(a: &RunArgs) -> Result<WasiCtx, String> {
    use std::os::unix::ffi::OsStrExt;
    let mut b = WasiCtxBuilder::new().inherit_stdio();
    if a.deterministic {
        b = b.deterministic(0);
    }
    if a.inherit_env {
        b = b.inherit_env();
    }
    for kv in &a.envs {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(format!("--env `{kv}`: expected K=V"));
        };
        b = b.env(k, v);
    }
    for d in &a.dirs {
        let (host, guest) = d.split_once("::").unwrap_or((d, d));
        b = b
            .preopened_dir(host, guest)
            .map_err(|e| format!("--dir {d}: {e}"))?;
    }
    if a.invoke.is_none() {
        b = b.arg(a.file.as_os_str().as_bytes());
        for arg in &a.args {
            b = b.arg(arg.as_bytes());
        }
    }
    Ok(b.build())
}

fn report_error(file: &Path, e: &Error) -> ExitCode {
    match e {
        Error::Trap(t) => {
            eprintln!("error: {t}");
            ExitCode::from(EXIT_TRAP)
        }
        e => fail(format!("{}: {}", file.display(), one_line(e))),
    }
}

fn parse_int(s: &str, bits: u32) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.replace('_', "");
    let mag: u128 = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(h) => u128::from_str_radix(h, 16).ok()?,
        None => body.parse().ok()?,
    };
    let max_unsigned = (1u128 << bits) - 1;
    let min_neg = 1u128 << (bits - 1);
    if neg {
        if mag > min_neg {
            return None;
        }
        Some((-(mag as i128)) as i64)
    } else {
        if mag > max_unsigned {
            return None;
        }
        Some(mag as u64 as i64)
    }
}

fn parse_arg(s: &str, ty: ValType) -> Result<Val, String> {
    let bad = || format!("`{s}` is not a valid {ty}");
    match ty {
        ValType::I32 => parse_int(s, 32).map(|v| Val::I32(v as i32)).ok_or_else(bad),
        ValType::I64 => parse_int(s, 64).map(Val::I64).ok_or_else(bad),
        ValType::F32 => s
            .parse::<f32>()
            .or_else(|_| s.trim_start_matches(['+', '-']).parse::<f32>().map(|v| -v))
            .map(Val::f32)
            .map_err(|_| bad()),
        ValType::F64 => s
            .parse::<f64>()
            .or_else(|_| s.trim_start_matches(['+', '-']).parse::<f64>().map(|v| -v))
            .map(Val::f64)
            .map_err(|_| bad()),
        // The form results are printed in: 0x and up to 32 hex digits, lane 0 last.
        ValType::V128 => s
            .strip_prefix("0x")
            .filter(|h| !h.is_empty() && h.len() <= 32)
            .and_then(|h| u128::from_str_radix(h, 16).ok())
            .map(Val::V128)
            .ok_or_else(bad),
        ValType::Ref(_) if s == "null" => {
            Val::default_for(ty).ok_or_else(|| format!("{ty} has no null value to pass"))
        }
        _ => Err(format!("cannot pass `{s}` as a {ty} from the command line")),
    }
}

fn show_result(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::V128(b) => format!("0x{b:032x}"),
        Val::FuncRef(None) | Val::ExternRef(None) => "null".to_string(),
        Val::FuncRef(Some(_)) => "<funcref>".to_string(),
        Val::ExternRef(Some(_)) => "<externref>".to_string(),
    }
}

// ---------------------------------------------------------------------------------
// inspect

fn storage(s: StorageType) -> String {
    match s {
        StorageType::Val(v) => v.to_string(),
        StorageType::I8 => "i8".to_string(),
        StorageType::I16 => "i16".to_string(),
    }
}

fn composite(c: &CompositeType) -> String {
    let field = |f: &tern::syntax::FieldType| {
        if f.mutable {
            format!("(mut {})", storage(f.storage))
        } else {
            storage(f.storage)
        }
    };
    match c {
        CompositeType::Func(f) => f.to_string(),
        CompositeType::Struct(fields) => {
            let f: Vec<String> = fields
                .iter()
                .map(|x| format!(" (field {})", field(x)))
                .collect();
            format!("(struct{})", f.concat())
        }
        CompositeType::Array(f) => format!("(array {})", field(f)),
    }
}

fn inspect(a: InspectArgs) -> ExitCode {
    let engine = Engine::default();
    let module = match load(&engine, &a.file) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let m = module.syntax();
    println!("module: {}", a.file.display());
    match module.name() {
        Some(n) => println!("name: {n}"),
        None => println!("name: (none)"),
    }
    println!("types: {}", m.types.len());
    for (i, t) in m.types.iter().enumerate() {
        let sup = if t.supertypes.is_empty() && t.is_final {
            String::new()
        } else {
            let s: Vec<String> = t.supertypes.iter().map(u32::to_string).collect();
            format!(
                " (sub{} {})",
                if t.is_final { " final" } else { "" },
                s.join(" ")
            )
        };
        println!("  type[{i}]: {}{sup}", composite(&t.composite));
    }
    println!("imports: {}", m.imports.len());
    for (imp, ty) in m.imports.iter().zip(module.imports()) {
        let kind = imp.desc.kind();
        println!("  {kind} {}::{}: {}", imp.module, imp.name, ty.ty);
    }
    println!(
        "functions: {} ({} imported, {} defined)",
        m.num_funcs(),
        m.num_imported_funcs,
        m.funcs.len()
    );
    for (i, t) in m.funcs.iter().enumerate() {
        let index = m.num_imported_funcs + i as u32;
        let name = m
            .names
            .funcs
            .get(&index)
            .map(|n| format!(" ${n}"))
            .unwrap_or_default();
        let locals = m.code.get(i).map(|b| b.num_locals()).unwrap_or(0);
        let size = m.code.get(i).map(|b| b.code.len()).unwrap_or(0);
        let ty = m
            .func_type(*t)
            .map(|f| f.to_string())
            .unwrap_or_else(|| format!("type {t}"));
        println!("  func[{index}]{name}: {ty}, {locals} locals, {size} code bytes");
    }
    let imported = |k: ExternKind| m.imports.iter().filter(|i| i.desc.kind() == k).count();
    println!(
        "tables: {} ({} imported)",
        imported(ExternKind::Table) + m.tables.len(),
        imported(ExternKind::Table)
    );
    for (i, t) in m.tables.iter().enumerate() {
        println!("  table[{}]: {}", m.num_imported_tables as usize + i, t.ty);
    }
    println!(
        "memories: {} ({} imported)",
        imported(ExternKind::Memory) + m.memories.len(),
        imported(ExternKind::Memory)
    );
    for (i, t) in m.memories.iter().enumerate() {
        println!("  memory[{}]: {t}", m.num_imported_memories as usize + i);
    }
    println!(
        "globals: {} ({} imported)",
        imported(ExternKind::Global) + m.globals.len(),
        imported(ExternKind::Global)
    );
    for (i, g) in m.globals.iter().enumerate() {
        println!(
            "  global[{}]: {}",
            m.num_imported_globals as usize + i,
            g.ty
        );
    }
    if !m.tags.is_empty() || m.num_imported_tags > 0 {
        println!(
            "tags: {} ({} imported)",
            m.num_imported_tags as usize + m.tags.len(),
            m.num_imported_tags
        );
    }
    println!("exports: {}", m.exports.len());
    for (e, ty) in m.exports.iter().zip(module.exports()) {
        println!("  {} {:?}: {}", e.kind, e.name, ty.ty);
    }
    match m.start {
        Some(s) => println!("start: func[{s}]"),
        None => println!("start: (none)"),
    }
    let count = |f: fn(&ElemMode) -> bool| m.elems.iter().filter(|e| f(&e.mode)).count();
    println!(
        "elem segments: {} ({} active, {} passive, {} declarative)",
        m.elems.len(),
        count(|x| matches!(x, ElemMode::Active { .. })),
        count(|x| matches!(x, ElemMode::Passive)),
        count(|x| matches!(x, ElemMode::Declarative)),
    );
    let bytes: usize = m.datas.iter().map(|d| d.init.len()).sum();
    println!("data segments: {} ({bytes} bytes)", m.datas.len());
    println!("custom sections: {}", m.customs.len());
    for c in &m.customs {
        println!("  {:?}: {} bytes", c.name, c.data.len());
    }
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------
// wast

fn wast_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            wast_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "wast") {
            out.push(p);
        }
    }
    Ok(())
}

fn wast(a: WastArgs) -> ExitCode {
    let cwd = Path::new(".");
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for g in &a.group {
        let groups = a
            .groups_dir
            .clone()
            .unwrap_or_else(|| tern_wast::spec_groups_dir(cwd));
        let suite = a
            .testsuite
            .clone()
            .unwrap_or_else(|| tern_wast::testsuite_dir(cwd));
        match tern_wast::group_files(&groups, g) {
            Ok(list) => {
                for f in list {
                    files.push((format!("{g}/{f}"), suite.join(&f)));
                }
            }
            Err(e) => {
                return fail(format!(
                    "cannot read group `{g}` from {}: {e}",
                    groups.join(format!("{g}.txt")).display()
                ))
            }
        }
    }
    for p in &a.paths {
        if p.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = wast_files(p, &mut found) {
                return fail(format!("{}: {e}", p.display()));
            }
            files.extend(found.into_iter().map(|f| (f.display().to_string(), f)));
        } else {
            files.push((p.display().to_string(), p.clone()));
        }
    }
    if files.is_empty() {
        return fail("no scripts given (pass files, folders or --group NAME)");
    }
    let timeout = a.timeout.map(Duration::from_secs);
    let (mut passed, mut failed, mut mismatches) = (0, 0, 0);
    for (label, path) in &files {
        let config = Config::new()
            .tier(a.tier)
            .guard_pages(!a.bounds_checks)
            .clone();
        let r = tern_wast::run_file_config(path, timeout, config);
        passed += r.passed;
        failed += r.failed;
        mismatches += r.msg_mismatches.len();
        let extra = if r.msg_mismatches.is_empty() {
            String::new()
        } else {
            format!(" ({} message mismatches)", r.msg_mismatches.len())
        };
        println!("{label}: {} passed, {} failed{extra}", r.passed, r.failed);
        if a.verbose {
            for f in &r.failures {
                println!("  FAIL {f}");
            }
            for m in &r.msg_mismatches {
                println!("  MESSAGE {m}");
            }
        }
    }
    if mismatches > 0 {
        println!("({mismatches} passed with a different error message; -v lists them)");
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
