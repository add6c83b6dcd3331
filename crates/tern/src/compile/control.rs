//! Control instructions: `unreachable`, `nop`, blocks, loops and `if`s (their frames,
//! and the copies to home slots where control flow merges), the branches `br`,
//! `br_if`, `br_table`, `br_on_null` and `br_on_non_null`, and `return`. A conditional
//! branch fuses with the i32 comparison that computed its condition, and with a loop
//! step's `i32.add` of the local it tests.

use super::compiler::{misrouted, Compiler, Ctrl, Kind, Opd};
use super::isa::{slot_width, slots_of, Bin, BrCmp, Cond, Instr, Ld, Slot, Un, ACC};
use super::ModuleView;
use crate::error::Result;
use crate::syntax::{BlockType, Operator};

impl Compiler<'_> {
    /// Compiles one control instruction.
    pub(super) fn control(&mut self, op: Operator) -> Result<()> {
        match op {
            Operator::Unreachable => {
                self.emit(Instr::Unreachable);
                self.set_unreachable();
            }
            Operator::Nop => {}
            Operator::Block(bt) => self.enter_block(Kind::Block, bt, None),
            Operator::Loop(bt) => self.enter_block(Kind::Loop, bt, None),
            Operator::If(bt) => {
                let (_, when_false) = self.pop_condition();
                self.enter_block(Kind::If, bt, Some(when_false));
            }
            Operator::Else => self.op_else(),
            Operator::End => self.op_end(),
            Operator::Br(d) => {
                self.branch(d);
                self.set_unreachable();
            }
            Operator::BrIf(d) => {
                let (when_true, when_false) = self.pop_condition();
                if self.branch_needs_copies(d) {
                    let when_false = self.fuse_add(when_false);
                    let skip = self.emit(when_false);
                    self.branch(d);
                    self.patch_to_here(skip);
                } else {
                    let when_true = self.fuse_add(when_true);
                    self.jump(d, when_true);
                }
            }
            Operator::BrTable { targets, default } => {
                let index = self.pop();
                let len = targets.len() as u32;
                match self.code.last() {
                    // The index was just loaded (no label between): one instruction
                    // loads it and dispatches, and keeps the load's byte offset.
                    Some(&Instr::I32Load8U(load))
                        if load.dst == index
                            && ![load.dst, load.addr].contains(&ACC)
                            && self.label_at != self.code.len() =>
                    {
                        let at = self.offsets[self.code.len() - 1];
                        self.drop_last();
                        let Ld { dst, addr, offset } = load;
                        self.emit_at(
                            Instr::BrTableLoad8U {
                                dst,
                                addr,
                                offset,
                                len,
                            },
                            at,
                        );
                    }
                    _ => {
                        self.emit(Instr::BrTable { index, len });
                    }
                }
                let mut stubs = Vec::new();
                for &t in targets.iter().chain(std::iter::once(&default)) {
                    if self.branch_needs_copies(t) {
                        let at = self.emit(Instr::Br { offset: 0 });
                        stubs.push((at, t));
                    } else {
                        self.jump(t, Instr::Br { offset: 0 });
                    }
                }
                for (at, t) in stubs {
                    self.patch_to_here(at);
                    self.branch(t);
                }
                self.set_unreachable();
            }
            Operator::Return if !self.inlines.is_empty() => {
                // The end of the inlined body's block.
                let ctrl = self.inlines.last().and_then(|i| i.ctrl).unwrap_or(0);
                self.branch((self.ctrls.len() - 1 - ctrl) as u32);
                self.set_unreachable();
            }
            Operator::Return => {
                let n = self.ctrls[0].results;
                self.emit_return(n);
                self.set_unreachable();
            }
            Operator::BrOnNull(d) => {
                // On null: branch without the reference. Otherwise it stays.
                let pos = self.stack.len() - 1;
                let src = self.slot_of(pos);
                self.stack.pop();
                if self.branch_needs_copies(d) {
                    let skip = self.emit(Instr::BrRef {
                        src,
                        offset: 0,
                        if_null: false,
                    });
                    self.branch(d);
                    self.patch_to_here(skip);
                } else {
                    self.jump(
                        d,
                        Instr::BrRef {
                            src,
                            offset: 0,
                            if_null: true,
                        },
                    );
                }
                let p = self.push(Opd::Temp);
                let home = self.home(p);
                if src != home {
                    self.emit(Instr::Copy(Un { dst: home, src }));
                }
            }
            Operator::BrOnNonNull(d) => {
                // On non-null: branch with the reference. Otherwise drop it.
                let pos = self.stack.len() - 1;
                let src = self.slot_of(pos);
                if self.branch_needs_copies(d) {
                    let skip = self.emit(Instr::BrRef {
                        src,
                        offset: 0,
                        if_null: true,
                    });
                    self.branch(d);
                    self.patch_to_here(skip);
                } else {
                    self.jump(
                        d,
                        Instr::BrRef {
                            src,
                            offset: 0,
                            if_null: false,
                        },
                    );
                }
                self.stack.pop();
            }
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }

    /// Pops a condition and returns (branch-if-true, branch-if-false) instructions.
    fn pop_condition(&mut self) -> (Instr, Instr) {
        if let Some(pair) = self.take_compare() {
            return pair;
        }
        let cond = self.pop_acc();
        (
            Instr::BrIfNez { cond, offset: 0 },
            Instr::BrIfEqz { cond, offset: 0 },
        )
    }

    /// If the operand about to be popped as a condition was just computed by an i32
    /// comparison, removes that instruction and returns a fused branch builder.
    fn take_compare(&mut self) -> Option<(Instr, Instr)> {
        let at = self.fresh_result(self.stack.len() - 1)?;
        let (when_true, when_false) = match self.code[at] {
            Instr::I32Eqz(u) => (
                Instr::BrIfEqz {
                    cond: u.src,
                    offset: 0,
                },
                Instr::BrIfNez {
                    cond: u.src,
                    offset: 0,
                },
            ),
            Instr::I32Eq(b) => (Instr::BrIfI32Eq(cmp(b)), Instr::BrIfI32Ne(cmp(b))),
            Instr::I32Ne(b) => (Instr::BrIfI32Ne(cmp(b)), Instr::BrIfI32Eq(cmp(b))),
            Instr::I32LtS(b) => (Instr::BrIfI32LtS(cmp(b)), Instr::BrIfI32GeS(cmp(b))),
            Instr::I32LtU(b) => (Instr::BrIfI32LtU(cmp(b)), Instr::BrIfI32GeU(cmp(b))),
            Instr::I32GtS(b) => (Instr::BrIfI32GtS(cmp(b)), Instr::BrIfI32LeS(cmp(b))),
            Instr::I32GtU(b) => (Instr::BrIfI32GtU(cmp(b)), Instr::BrIfI32LeU(cmp(b))),
            Instr::I32LeS(b) => (Instr::BrIfI32LeS(cmp(b)), Instr::BrIfI32GtS(cmp(b))),
            Instr::I32LeU(b) => (Instr::BrIfI32LeU(cmp(b)), Instr::BrIfI32GtU(cmp(b))),
            Instr::I32GeS(b) => (Instr::BrIfI32GeS(cmp(b)), Instr::BrIfI32LtS(cmp(b))),
            Instr::I32GeU(b) => (Instr::BrIfI32GeU(cmp(b)), Instr::BrIfI32LtU(cmp(b))),
            _ => return None,
        };
        self.drop_last();
        self.stack.pop();
        Some((when_true, when_false))
    }

    /// If conditional branch `br` (about to be emitted) tests the local that the
    /// instruction just emitted, an `i32.add` of that local and another slot, wrote
    /// (a loop step such as `i += 1; if i < n`), and no branch lands between them,
    /// removes the addition and returns the fused add-and-branch instead of `br`.
    fn fuse_add(&mut self, br: Instr) -> Instr {
        let Some(&Instr::I32Add(add)) = self.code.last() else {
            return br;
        };
        if self.label_at == self.code.len() || add.dst != add.a || [add.dst, add.b].contains(&ACC) {
            return br;
        }
        let x = add.dst;
        let (cond, other) = match br {
            Instr::BrIfNez { cond, .. } if cond == x => (Cond::Nez, x),
            Instr::BrIfEqz { cond, .. } if cond == x => (Cond::Eqz, x),
            _ => {
                let mut i = br;
                let Some(&mut c) = i.compare_branch_mut() else {
                    return br;
                };
                let cond = match br {
                    Instr::BrIfI32Eq(_) => Cond::Eq,
                    Instr::BrIfI32Ne(_) => Cond::Ne,
                    Instr::BrIfI32LtS(_) => Cond::LtS,
                    Instr::BrIfI32LtU(_) => Cond::LtU,
                    Instr::BrIfI32GtS(_) => Cond::GtS,
                    Instr::BrIfI32GtU(_) => Cond::GtU,
                    Instr::BrIfI32LeS(_) => Cond::LeS,
                    Instr::BrIfI32LeU(_) => Cond::LeU,
                    Instr::BrIfI32GeS(_) => Cond::GeS,
                    _ => Cond::GeU,
                };
                match (c.a == x, c.b == x) {
                    (true, false) if c.b != ACC => (cond, c.b),
                    (false, true) if c.a != ACC => (cond.mirrored(), c.a),
                    _ => return br,
                }
            }
        };
        self.drop_last();
        Instr::BrIfAdd {
            x,
            step: add.b,
            other,
            cond,
            offset: 0,
        }
    }

    pub(super) fn enter_block(&mut self, kind: Kind, bt: BlockType, cond: Option<Instr>) {
        let (params, results) = block_arity(self.module, bt);
        self.open_block(kind, params, results, cond);
    }

    /// Opens a block of `kind` taking `params` and giving `results` (in slots); `cond`
    /// is an `if`'s branch to its else arm.
    pub(super) fn open_block(
        &mut self,
        kind: Kind,
        params: usize,
        results: usize,
        cond: Option<Instr>,
    ) {
        if self.is_dead() {
            self.ctrls.push(Ctrl {
                kind,
                height: 0,
                params,
                results,
                unreachable: true,
                dead: true,
                start: 0,
                fixups: Vec::new(),
                else_fixup: None,
                saved_params: None,
            });
            return;
        }
        // Merges happen at block boundaries: every operand goes home first.
        self.materialize_from(0);
        let height = self.stack.len() - params;
        let mut saved_params = None;
        if kind == Kind::If && params > 0 {
            let save = self.scratch_next as Slot;
            self.scratch_next += params;
            for i in 0..params {
                let src = self.home(height + i);
                self.emit(Instr::Copy(Un {
                    dst: save + i as Slot,
                    src,
                }));
            }
            saved_params = Some(save);
        }
        let else_fixup = cond.map(|i| {
            let i = self.fuse_add(i);
            self.emit(i)
        });
        self.last_dst = None;
        self.label_at = self.code.len();
        self.loops += usize::from(kind == Kind::Loop);
        self.ctrls.push(Ctrl {
            kind,
            height,
            params,
            results,
            unreachable: false,
            dead: false,
            start: self.code.len(),
            fixups: Vec::new(),
            else_fixup,
            saved_params,
        });
        if kind == Kind::Loop {
            self.fuel_point();
        }
    }

    pub(super) fn op_else(&mut self) {
        let Some(c) = self.ctrls.last() else { return };
        if c.dead {
            return;
        }
        if !c.unreachable {
            let (h, n) = (c.height, c.results);
            self.copy_to(h, n);
            let at = self.emit(Instr::Br { offset: 0 });
            if let Some(c) = self.ctrls.last_mut() {
                c.fixups.push(at);
            }
        }
        let Some(c) = self.ctrls.last_mut() else {
            return;
        };
        let else_fixup = c.else_fixup.take();
        let (h, params, saved) = (c.height, c.params, c.saved_params);
        c.unreachable = false;
        if let Some(at) = else_fixup {
            self.patch_to_here(at);
        }
        self.last_dst = None;
        self.stack.truncate(h);
        for _ in 0..params {
            self.push(Opd::Temp);
        }
        if let Some(save) = saved {
            for i in 0..params {
                let dst = self.home(h + i);
                self.emit(Instr::Copy(Un {
                    dst,
                    src: save + i as Slot,
                }));
            }
        }
    }

    pub(super) fn op_end(&mut self) {
        let Some(c) = self.ctrls.pop() else { return };
        self.loops -= usize::from(c.kind == Kind::Loop && !c.dead);
        if c.dead {
            return;
        }
        if self.ctrls.is_empty() {
            // The function's end: return (also for branches that target it).
            if !c.unreachable {
                self.emit_return(c.results);
            }
            if !c.fixups.is_empty() {
                for &at in &c.fixups {
                    self.patch_to_here(at);
                }
                self.stack.truncate(c.height);
                for _ in 0..c.results {
                    self.push(Opd::Temp);
                }
                self.emit_return(c.results);
            }
            return;
        }
        if !c.unreachable {
            self.copy_to(c.height, c.results);
        }
        if let Some(at) = c.else_fixup {
            self.patch_to_here(at);
        }
        for at in c.fixups {
            self.patch_to_here(at);
        }
        self.last_dst = None;
        self.stack.truncate(c.height);
        for _ in 0..c.results {
            self.push(Opd::Temp);
        }
    }

    fn patch_to_here(&mut self, at: usize) {
        let here = self.code.len();
        self.label_at = here;
        patch(&mut self.code[at], here as isize - at as isize);
    }

    /// Copies the top `arity` operands to the home slots starting at `height`.
    fn copy_to(&mut self, height: usize, arity: usize) {
        let from = self.stack.len() - arity;
        if from == height {
            self.materialize_from(from);
            return;
        }
        let all_temps = self.stack[from..].iter().all(|o| *o == Opd::Temp);
        if all_temps && arity > 1 {
            let (dst, src) = (self.home(height), self.home(from));
            self.emit(Instr::CopyMany {
                dst,
                src,
                len: arity as u16,
            });
            return;
        }
        for i in 0..arity {
            let src = self.slot_of(from + i);
            let dst = self.home(height + i);
            if src != dst {
                self.emit_copy(dst, src);
            }
        }
    }

    /// Whether branching to label `depth` needs value copies.
    fn branch_needs_copies(&self, depth: u32) -> bool {
        let (h, n) = self.label(depth);
        let from = self.stack.len() - n;
        n > 0 && (from != h || self.stack[from..].iter().any(|o| *o != Opd::Temp))
    }

    /// (height, arity) of the branch target at label depth `depth`.
    fn label(&self, depth: u32) -> (usize, usize) {
        let c = &self.ctrls[self.ctrls.len() - 1 - depth as usize];
        match c.kind {
            Kind::Loop => (c.height, c.params),
            _ => (c.height, c.results),
        }
    }

    /// Emits the copies for a branch to `depth` and an unconditional jump there. The
    /// operand stack is left as it was: the copies happen only on the branch's path.
    fn branch(&mut self, depth: u32) {
        // Only positions above the homed ones can change (and at most MAX_LAZY of
        // them are not temps), so saving those is enough.
        let homed = self.homed.min(self.stack.len());
        let saved = self.stack[homed..].to_vec();
        let (h, n) = self.label(depth);
        self.copy_to(h, n);
        self.jump(depth, Instr::Br { offset: 0 });
        self.stack.truncate(homed);
        self.stack.extend(saved);
        self.homed = homed;
    }

    /// Emits `i` (a branch instruction) targeting label `depth`.
    fn jump(&mut self, depth: u32, i: Instr) {
        let ci = self.ctrls.len() - 1 - depth as usize;
        let at = self.emit(i);
        if self.ctrls[ci].kind == Kind::Loop {
            let start = self.ctrls[ci].start;
            patch(&mut self.code[at], start as isize - at as isize);
        } else {
            self.ctrls[ci].fixups.push(at);
        }
    }

    pub(super) fn emit_return(&mut self, n: usize) {
        let from = self.stack.len() - n;
        if n == 1 {
            let src = self.slot_of(from);
            self.emit(Instr::ReturnOne { src });
            return;
        } else if n > 1 {
            let src = self.args(n);
            self.emit(Instr::CopyMany {
                dst: 0,
                src,
                len: n as u16,
            });
        }
        self.emit(Instr::Return);
    }
}

/// (params, results) of a block type, in slots.
pub(super) fn block_arity(module: &ModuleView, bt: BlockType) -> (usize, usize) {
    match bt {
        BlockType::Empty => (0, 0),
        BlockType::Value(t) => (0, slot_width(t)),
        BlockType::Func(t) => module
            .syntax
            .func_type(t)
            .map_or((0, 0), |f| (slots_of(&f.params), slots_of(&f.results))),
    }
}

fn cmp(b: Bin) -> BrCmp {
    BrCmp {
        a: b.a,
        b: b.b,
        offset: 0,
    }
}

/// Sets the relative offset of a branch instruction.
fn patch(i: &mut Instr, rel: isize) {
    if let Some(offset) = i.branch_offset_mut() {
        *offset = rel as i32;
    }
}
