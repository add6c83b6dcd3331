//! The compiler: translates one validated function body into register-style internal
//! code ([`isa`]) in a single pass over its operators.
//!
//! Each wasm operand-stack position `p` has a fixed home slot (`temps + p`); a `v128`
//! takes two positions, its halves (see `simd.rs`), so arities are counted in slots. Operands
//! are tracked lazily: a `local.get` or a constant pushes a reference to the local's
//! or the constant's slot and emits nothing; an instruction reads its operands from
//! wherever they are and writes its result to the home slot of the position it
//! produces. Values are moved to home slots only where control flow merges (block
//! boundaries and branches) or where an instruction needs them contiguous (calls).
//! Compare-and-branch pairs fuse, and `local.set` of a fresh result retargets the
//! producing instruction instead of copying. A call to a small function that cannot
//! trap (see `inline`) is compiled as the callee's body, its parameters bound to the
//! argument operands and its locals in slots reserved after the `if` scratch slots.
//!
//! Once compiled, the code is laid out (jump threading and tail duplication, see
//! `layout`), constant operands of the commonest i32 instructions become immediates
//! (see `imm`), and loop-carried copies fold into the instruction that computed their
//! source (see `coalesce`); when the immediates leave constants no instruction reads
//! from a slot, the function is compiled a second time without them in its constant
//! pool (which every call copies into the new frame).
//!
//! The compiler trusts that the body was validated; it reads the module's syntax and
//! never touches the store.
//!
//! Where things are: `compiler` holds the compiler's state (operands, control frames)
//! and the primitives every instruction family shares; `instr` dispatches each
//! operator to its family's room (`control`, `call`, `parametric`, `variable`,
//! `table`, `memory`, `reference`, `numeric`, `simd`); `metering` places the fuel
//! and epoch checks. This file is the driver: the pre-scan that lays out the frame,
//! the pass over the operators, and what runs on the code after it.

mod call;
mod coalesce;
mod compiler;
mod control;
mod imm;
mod inline;
mod instr;
pub mod isa;
mod layout;
mod memory;
mod metering;
mod native;
mod numeric;
mod parametric;
mod reference;
mod simd;
mod table;
#[cfg(test)]
mod tests;
mod variable;
mod verify;
mod view;

pub use view::{ModuleView, Options};

use std::collections::{HashMap, HashSet};

use crate::binary::OperatorReader;
use crate::error::{Error, Result};
use crate::syntax::{Operator, ValType};
use compiler::{Compiler, Ctrl, Kind, ABSENT_TOP};
use control::block_arity;
use isa::{slot_width, slots_of, CompiledFunc, Instr, Slot, INIT_CHUNK, MAX_FRAME_SLOTS};

/// Whether leaving `unused` constants out of `f`'s pool would shrink what a call copies
/// into the new frame by at least one [`INIT_CHUNK`].
fn fewer_chunks(f: &CompiledFunc, unused: usize) -> bool {
    let init = (f.locals_end - f.num_params) as usize + f.consts.len();
    unused > 0 && (init - unused).div_ceil(INIT_CHUNK) < init.div_ceil(INIT_CHUNK)
}

/// Compiles defined function `def_index` of `module`.
pub fn compile(module: &ModuleView, def_index: u32) -> Result<CompiledFunc> {
    let first = compile_pass(module, def_index, None)?;
    let f = match first {
        Pass::Done(f, read, unused) if fewer_chunks(&f, unused) => {
            // Again, with only the constants still read from slots in the pool. Any
            // outcome but a function whose every operand became an immediate or a pool
            // slot keeps the first.
            match compile_pass(module, def_index, Some(&read)) {
                Ok(Pass::Done(g, ..)) => g,
                _ => f,
            }
        }
        Pass::Done(f, ..) => f,
        Pass::Unfit => return Err(Error::api("internal compiler error: no first pass")),
    };
    if std::env::var_os("TERN_DUMP_CODE").is_some() {
        // A developer aid: the internal code of each function as it is compiled.
        eprintln!(
            "func {} (frame {} slots, consts {:?}):",
            module.syntax.num_imported_funcs + def_index,
            f.frame_size,
            f.consts
        );
        for (pc, i) in f.code.iter().enumerate() {
            eprintln!("  {pc:4}: {i:?}");
        }
    }
    Ok(f)
}

/// What one compilation gave.
enum Pass {
    /// The function, the scalar constants its instructions still read from slots, and
    /// how many of its pool's scalar constants no instruction reads from a slot.
    Done(CompiledFunc, HashSet<u64>, usize),
    /// A second compilation that left some constant neither in the pool nor folded.
    Unfit,
}

/// Compiles the function once; with `pool`, only those constants get pool slots (the
/// others are given absent slots, which must all become immediates).
fn compile_pass(module: &ModuleView, def_index: u32, pool: Option<&HashSet<u64>>) -> Result<Pass> {
    let m = &module.syntax;
    let body = m
        .code
        .get(def_index as usize)
        .ok_or_else(|| Error::api(format!("no body for function {def_index}")))?;
    let ty = module.def_func_type(def_index);
    let num_params = slots_of(&ty.params) as u64;
    let wide_locals = body.locals.iter().any(|&(_, t)| t == ValType::V128);
    let declared: u64 = body
        .locals
        .iter()
        .map(|&(n, t)| n as u64 * slot_width(t) as u64)
        .sum();
    let locals_end = num_params + declared;
    let too_large = || {
        Error::unsupported(
            body.code.start,
            format!("function {def_index} needs more than {MAX_FRAME_SLOTS} value slots"),
        )
    };
    if locals_end > MAX_FRAME_SLOTS as u64 {
        return Err(too_large());
    }
    // Where each local lives, when some local is a v128 (two slots); else local `l` is
    // slot `l`.
    let local_slots = (wide_locals || num_params != ty.params.len() as u64).then(|| {
        let mut v = Vec::new();
        let mut next: Slot = 0;
        let declared = body
            .locals
            .iter()
            .flat_map(|&(n, t)| std::iter::repeat_n(t, n as usize));
        for t in ty.params.iter().copied().chain(declared) {
            v.push((next, t == ValType::V128));
            next += slot_width(t) as Slot;
        }
        v
    });

    // Pre-scan: the constant pool and the scratch slots of `if`s with parameters.
    let mut consts: Vec<u64> = Vec::new();
    let mut const_vals: Vec<u64> = Vec::new();
    let mut const_index: HashMap<u64, usize> = HashMap::new();
    let mut scratch = 0usize;
    let mut wide_consts: Vec<u128> = Vec::new();
    let mut inliner = inline::Inliner::new(module);
    let mut inline_slots = 0;
    let mut absent_index: HashMap<u64, usize> = HashMap::new();
    let mut add_const = |bits: u64| {
        if pool.is_some_and(|p| !p.contains(&bits)) {
            let n = absent_index.len();
            absent_index.entry(bits).or_insert(n);
            return;
        }
        const_index.entry(bits).or_insert_with(|| {
            const_vals.push(bits);
            const_vals.len() - 1
        });
    };
    let mut reader = OperatorReader::new(module.bytes, body.code.clone());
    while !reader.is_empty() {
        let bits = match reader.read()? {
            Operator::Call(f) => {
                if let Some(callee) = inliner.get(f) {
                    inline_slots = inline_slots.max(callee.slots);
                    callee.consts.iter().for_each(|&v| add_const(v));
                }
                continue;
            }
            Operator::V128Const(b) | Operator::I8x16Shuffle(b) => {
                wide_consts.push(u128::from_le_bytes(b));
                continue;
            }
            Operator::V128Load(_, ma)
            | Operator::V128Store(ma)
            | Operator::V128LoadLane { memarg: ma, .. }
            | Operator::V128StoreLane { memarg: ma, .. }
                if module.mem64.get(ma.memory as usize) == Some(&true) =>
            {
                ma.offset
            }
            Operator::I32Const(v) => v as u32 as u64,
            Operator::I64Const(v) => v as u64,
            Operator::F32Const(v) => v as u64,
            Operator::F64Const(v) => v,
            Operator::RefNull(_) => 0,
            Operator::Load(_, ma) | Operator::Store(_, ma)
                if module.mem64.get(ma.memory as usize) == Some(&true) =>
            {
                ma.offset
            }
            Operator::If(bt) => {
                scratch += block_arity(module, bt).0;
                continue;
            }
            _ => continue,
        };
        add_const(bits);
    }
    // Vector constants (and shuffle masks) take two slots each, after the others.
    wide_consts.sort_unstable();
    wide_consts.dedup();
    let wide_index: HashMap<u128, usize> = wide_consts
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, const_vals.len() + 2 * i))
        .collect();
    let scratch_base = locals_end as usize;
    let inline_base = scratch_base + scratch;
    let consts_base = inline_base + inline_slots;
    let temps = consts_base + const_vals.len() + 2 * wide_consts.len();
    if temps > MAX_FRAME_SLOTS {
        return Err(too_large());
    }
    consts.extend_from_slice(&const_vals);
    for &v in &wide_consts {
        consts.extend_from_slice(&[v as u64, (v >> 64) as u64]);
    }

    // Absent constants take the slots counting down from `ABSENT_TOP`, far above the
    // frame (checked once the frame's size is known).
    let absent_end = ABSENT_TOP.saturating_sub(absent_index.len());
    if !absent_index.is_empty() && temps >= absent_end {
        return Ok(Pass::Unfit);
    }
    let zero_const = match (const_index.get(&0), absent_index.get(&0)) {
        (Some(&i), _) => Some((consts_base + i) as Slot),
        (None, Some(&i)) => Some((ABSENT_TOP - i) as Slot),
        (None, None) => None,
    };
    let mut c = Compiler {
        module,
        code: Vec::new(),
        offsets: Vec::new(),
        stack: Vec::new(),
        ctrls: Vec::new(),
        temps,
        homed: 0,
        max_depth: 0,
        consts_base,
        const_index,
        absent_index: absent_index.clone(),
        wide_index,
        local_slots,
        v128_operands: module.v128_operands,
        scratch_next: scratch_base,
        inliner,
        inlines: Vec::new(),
        inline_next: inline_base,
        inline_base,
        last_dst: None,
        prev_dst: None,
        offset: body.code.start,
        fuel: module.options.fuel,
        epoch: module.options.epoch,
        deterministic: module.options.deterministic,
        fuel_at: None,
        fuel_count: 0,
        label_at: usize::MAX,
        zero_locals: vec![true; (locals_end - num_params) as usize],
        loops: 0,
        params_end: num_params as usize,
        zero_const,
    };
    let results = slots_of(&ty.results);
    c.ctrls.push(Ctrl {
        kind: Kind::Block,
        height: 0,
        params: 0,
        results,
        unreachable: false,
        dead: false,
        start: 0,
        fixups: Vec::new(),
        else_fixup: None,
        saved_params: None,
    });
    c.fuel_point();
    let mut reader = OperatorReader::new(module.bytes, body.code.clone());
    while !reader.is_empty() {
        c.offset = reader.offset();
        let op = reader.read()?;
        c.op(op)?;
        if c.ctrls.is_empty() {
            break;
        }
    }
    c.fuel_point_end();
    let frame_size = (temps + c.max_depth).max(results).max(locals_end as usize);
    if frame_size > MAX_FRAME_SLOTS {
        return Err(too_large());
    }
    // A function whose end is dead code ends with the branch or trap that made it
    // dead; anything else gets a trap so that execution can never run off the end.
    if !matches!(
        c.code.last(),
        Some(Instr::Return | Instr::ReturnOne { .. } | Instr::Br { .. } | Instr::Unreachable)
    ) {
        c.emit(Instr::Unreachable);
    }
    layout::layout(&mut c.code, &mut c.offsets);
    thread_returns(&mut c.code);
    if !absent_index.is_empty() && frame_size >= absent_end {
        return Ok(Pass::Unfit);
    }
    // Constant operands into immediates; then which constants are still read from
    // slots (an absent one still read makes this compilation unfit).
    let n_scalar = const_vals.len();
    let mut absent_vals = vec![0; absent_index.len()];
    for (&v, &i) in &absent_index {
        absent_vals[i] = v;
    }
    // The constant in slot `s`, and whether it is an absent one.
    let constant_at = |s: usize| {
        if (consts_base..consts_base + n_scalar).contains(&s) {
            Some((const_vals[s - consts_base], false))
        } else if s > absent_end && s <= ABSENT_TOP {
            Some((absent_vals[ABSENT_TOP - s], true))
        } else {
            None
        }
    };
    imm::fold(&mut c.code, |s| constant_at(s as usize).map(|(v, _)| v));
    coalesce::coalesce(&mut c.code, &mut c.offsets);
    let mut read = HashSet::new();
    let mut unfit = false;
    for i in &c.code {
        verify::slots_touched(i, &mut |first, n| {
            for s in first..first.saturating_add(n) {
                match constant_at(s as usize) {
                    Some((v, false)) => {
                        read.insert(v);
                    }
                    Some((_, true)) => unfit = true,
                    None => {}
                }
            }
        });
    }
    if unfit {
        return Ok(Pass::Unfit);
    }
    let f = CompiledFunc {
        code: c.code.into_boxed_slice(),
        offsets: c.offsets.into_boxed_slice(),
        num_params: num_params as u32,
        frame_size: frame_size as u32,
        locals_end: consts_base as u32,
        consts: consts.into_boxed_slice(),
        ops: std::sync::OnceLock::new(),
        native: std::sync::OnceLock::new(),
        tier_up: module.options.tier_up,
        heat: Default::default(),
        background: Default::default(),
    };
    verify::verify(&f)?;
    let unused = n_scalar - read.len();
    Ok(Pass::Done(f, read, unused))
}

/// Jumps to a return become the return itself (but for `BrTable` entries, which stay
/// jumps: the interpreter dispatches a table straight to its target's handler), and a
/// copy into the slot that the next instruction returns becomes a return of the
/// copied slot (the original return stays in place for any branch that targets it).
fn thread_returns(code: &mut [Instr]) {
    let is_entry = isa::table_entries(code);
    for pc in 0..code.len() {
        if is_entry[pc] {
            continue;
        }
        if let Instr::Br { offset } = code[pc] {
            let t = pc as isize + offset as isize;
            if let Some(&r @ (Instr::Return | Instr::ReturnOne { .. })) = code.get(t as usize) {
                code[pc] = r;
            }
        }
    }
    for pc in 0..code.len() {
        if let (Instr::Copy(u), Some(&Instr::ReturnOne { src })) = (code[pc], code.get(pc + 1)) {
            if u.dst == src {
                code[pc] = Instr::ReturnOne { src: u.src };
            }
        }
    }
}
