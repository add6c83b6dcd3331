//! The optimizing tier: a function's internal code (the register code of
//! [`crate::compile::isa`], after every pass, exactly what the interpreter runs)
//! translated to Cranelift IR and compiled to native code ([`compile`]).
//!
//! Why the register code and not the wasm: native code keeps the interpreter's frame
//! as its contract. It is entered at an instruction of the register code (the
//! function's start or a loop header) reading the frame's slots, and it leaves at an
//! instruction of the register code, having written back every slot it changed, for
//! the interpreter to go on from there, or with a trap at that instruction. So traps
//! carry the same positions and backtraces, fuel and epoch checks sit at the same
//! instructions, and a paused computation is the interpreter's plain frames, in every
//! tier. An instruction this tier does not translate yet is such an exit (the
//! interpreter executes it and goes on), never an error.
//!
//! The rooms: `codemem` (executable memory, never writable and executable at once),
//! `translate` (the translator's state and passes: blocks, entries and exits),
//! `slots` (slots as variables: their types, vectors, constants, copies), `numeric`,
//! `memory`, `simd`, `control` and `call` (the semantics of those instruction
//! families in Cranelift IR), and `fault` (guard-page traps: the entry trampoline,
//! the fault handler, the map of where code may fault). This room reads `compile::isa` and nothing else of tern;
//! the runtime asks it for code through `runtime::code`, and the interpreter enters
//! what it made (`exec::threaded::native`).

mod call;
mod codemem;
mod control;
pub mod fault;
mod memory;
mod numeric;
mod simd;
mod slots;
mod translate;

use std::sync::OnceLock;

use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};

use crate::compile::isa::{CompiledFunc, Instr, Native, NativeFn, NativeModule};
use crate::error::TrapCode;

/// The most instructions a function may have for this tier to compile it (larger ones
/// stay in the interpreter: compile time grows faster than their size).
const MAX_INSTRS: usize = 50_000;

/// The most frame slots a function may have for this tier to compile it.
const MAX_SLOTS: u32 = 4_096;

/// The host's code generator, made once; `None` where Cranelift does not support the
/// host (then everything runs in the interpreter).
fn host_isa() -> Option<&'static OwnedTargetIsa> {
    static ISA: OnceLock<Option<OwnedTargetIsa>> = OnceLock::new();
    ISA.get_or_init(|| {
        let builder = cranelift_native::builder().ok()?;
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").ok()?;
        // Cranelift's verifier checks the IR of every function before compiling it: a
        // translation bug then leaves that function in the interpreter instead of
        // miscompiling it. It takes 40% of the compile time (9.4 against 5.6 ms per KB
        // of `../shared/bench`, `examples/compile_speed.rs`), so it runs where
        // translation bugs are hunted: tests, fuzzing, debug builds and the
        // `verify-native` feature (the spec suite's runner turns it on). Elsewhere a
        // code generator that panics on a bad function is caught (`compile`).
        let verify = cfg!(any(
            test,
            fuzzing,
            debug_assertions,
            feature = "verify-native"
        ));
        flags
            .set("enable_verifier", if verify { "true" } else { "false" })
            .ok()?;
        builder.finish(settings::Flags::new(flags)).ok()
    })
    .as_ref()
}

/// Whether this build and host have the optimizing tier (for `tern --version`).
pub fn available() -> bool {
    host_isa().is_some()
}

/// Compiles `code` to native code, or `None` when it stays in the interpreter: the
/// host has no code generator, the function is too large, nothing in it is worth
/// compiling, or the code generator refused it.
pub fn compile(code: &CompiledFunc, module: NativeModule<'_>) -> Option<Native> {
    let isa = host_isa()?;
    if code.code.len() > MAX_INSTRS || code.frame_size > MAX_SLOTS {
        return None;
    }
    let translate::Translated {
        func,
        entries,
        accesses,
    } = translate::translate(code, isa, module)?;
    let mut ctx = cranelift_codegen::Context::for_function(func);
    let compile = std::panic::AssertUnwindSafe(|| {
        let mut control = cranelift_codegen::control::ControlPlane::default();
        ctx.compile(&**isa, &mut control)
            .map(|c| {
                let sites = sites(&c.buffer, code, module.index, &accesses);
                (
                    c.buffer.relocs().is_empty(),
                    c.code_buffer().to_vec(),
                    sites,
                )
            })
            .ok()
    });
    let (no_relocs, code_bytes, sites) = std::panic::catch_unwind(compile).ok()??;
    // Code that needs relocating (a call to a runtime library routine the host lacks
    // an instruction for) is not supported: the function stays in the interpreter.
    if !no_relocs {
        return None;
    }
    let mem = codemem::CodeMemory::new(&code_bytes)?;
    let registered = fault::register(mem.start(), sites);
    // SAFETY: the memory holds the function `translate` built, with the signature of
    // `NativeFn` in the host's default calling convention, which is the C one.
    let func = unsafe { std::mem::transmute::<*const u8, NativeFn>(mem.start()) };
    Some(Native {
        func,
        entries: entries.into_boxed_slice(),
        // The code map's entry goes first, then the code.
        owner: Box::new((registered, mem)),
    })
}

/// Where the compiled code of `code` (module function `index`) may fault (its
/// unchecked memory accesses, `accesses` the instruction of each, see
/// `memory::guarded_flags`) and where its native calls return, each with the
/// instruction it belongs to (the code is marked with instruction positions).
fn sites(
    buffer: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
    code: &CompiledFunc,
    index: u32,
    accesses: &[u32],
) -> fault::Sites {
    let locs = buffer.get_srclocs_sorted();
    let pc_at = |off: u32| {
        let i = locs.partition_point(|l| l.end <= off);
        let l = locs
            .get(i)
            .filter(|l| l.start <= off && !l.loc.is_default())?;
        Some(l.loc.bits())
    };
    // The access numbered `k` modulo `ACCESS_CODES` last at or before instruction
    // `at` (accesses are numbered in the order of their instructions).
    let access = |k: u32, at: u32| {
        let last = accesses.partition_point(|&pc| pc <= at).checked_sub(1)?;
        let back = (last as u32 + memory::ACCESS_CODES - k) % memory::ACCESS_CODES;
        accesses.get(last.checked_sub(back as usize)?).copied()
    };
    let mut traps: Vec<(u32, u32)> = buffer
        .traps()
        .iter()
        .filter_map(|t| {
            let k = u32::from(t.code.as_raw().get()).checked_sub(1)?;
            if k >= memory::ACCESS_CODES {
                return None;
            }
            Some((t.offset, access(k, pc_at(t.offset)?)?))
        })
        .collect();
    let mut calls: Vec<(u32, u32, u32)> = buffer
        .call_sites()
        .filter_map(|c| {
            let pc = pc_at(c.ret_addr.checked_sub(1)?)?;
            let base = match code.code.get(pc as usize)? {
                Instr::Call { base, .. }
                | Instr::CallCopy { base, .. }
                | Instr::CallIndirect { base, .. } => *base,
                _ => return None,
            };
            Some((c.ret_addr, pc, base as u32))
        })
        .collect();
    // (Emitted in order already; looked up by binary search.)
    traps.sort_unstable();
    calls.sort_unstable();
    fault::Sites {
        func: index,
        len: buffer.total_size() as usize,
        traps: traps.into(),
        calls: calls.into(),
    }
}

/// The code native code reports trap `t` with (every trap it emits has one).
fn code_of(t: TrapCode) -> u32 {
    crate::compile::isa::native_trap_code(t).unwrap_or(0)
}

#[cfg(test)]
mod tests;
