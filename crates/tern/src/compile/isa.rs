//! tern's internal instruction set: the register-style code the compiler emits and the
//! interpreter runs.
//!
//! Operands are frame slots ([`Slot`]): a function's frame is laid out as
//! `[params | declared locals | constants | operand-stack temporaries]`, every slot an
//! untyped `u64`. Constants are copied into their slots when a frame is entered, so an
//! instruction reads a constant exactly as it reads a local (or, for the commonest
//! i32 operations, from the instruction itself). Branch targets are
//! relative instruction offsets resolved at compile time. Instructions are kept at
//! most 12 bytes of payload (no field wider than 4 bytes) so `Instr` stays 16 bytes.
//!
//! One more operand place: the accumulator ([`ACC`]), a value the previous instruction
//! leaves in a host register for the next one instead of writing it to a slot. The
//! compiler uses it only between an instruction and the one emitted right after it
//! that consumes its result (never across a label), and only where the interpreter
//! has handlers for it: results and operands of numeric instructions, results and
//! addresses of loads, values and addresses of stores, branch conditions, `select`'s
//! condition and result, `global.get` results and `global.set` values; of the fused
//! memory-operand instructions ([`Instr::BinLd`], [`Instr::BinLdX`]), the result, the
//! register operand `a` and (of `BinLd`) the address, of the read-modify-write ones
//! ([`Instr::Rmw`]) the value, of a multiply-add ([`Instr::MulAdd`]) the result, and
//! of the constant-operand instructions ([`Instr::BinI`], [`Instr::BrIfI32Imm`]) the
//! result and the operand `a`. No instruction reads it twice.
//!
//! Immediates: after compilation, an i32 binary operation or compare-and-branch whose
//! operand is a constant slot takes the constant into the instruction instead
//! ([`Instr::BinI`], [`Instr::BrIfI32Imm`]; see `compile::imm`), and a constant no
//! instruction reads from its slot any more leaves the frame's constant pool.

pub use super::native::*;
use crate::syntax::{LaneOp, LoadOp, SimdOp, StoreOp, V128LoadOp, ValType};

/// A frame slot, relative to the frame base.
pub type Slot = u16;

/// Not a frame slot: the operand is the accumulator, a value the previous instruction
/// left in a host register for this one (frames have fewer slots than this index).
pub const ACC: Slot = Slot::MAX;

/// The unit, in slots, in which a frame's locals and constants are copied in when it
/// is entered (the interpreter copies whole units).
pub const INIT_CHUNK: usize = 4;

/// The most slots one frame may use.
pub const MAX_FRAME_SLOTS: usize = Slot::MAX as usize;

/// The number of frame slots a value of type `ty` takes: two for a `v128` (low half
/// first), one for every other type.
pub fn slot_width(ty: ValType) -> usize {
    if ty == ValType::V128 {
        2
    } else {
        1
    }
}

/// The number of frame slots values of types `tys` take, laid out one after another.
pub fn slots_of(tys: &[ValType]) -> usize {
    tys.iter().map(|&t| slot_width(t)).sum()
}

/// Operands of a unary instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Un {
    pub dst: Slot,
    pub src: Slot,
}

/// Operands of a binary instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bin {
    pub dst: Slot,
    pub a: Slot,
    pub b: Slot,
}

/// Operands of a load from memory 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ld {
    pub dst: Slot,
    pub addr: Slot,
    pub offset: u32,
}

/// Operands of a store to memory 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct St {
    pub addr: Slot,
    pub value: Slot,
    pub offset: u32,
}

/// Operands of a load from memory 0 whose address is the i32 sum `a + b` (an
/// `i32.add` fused into the load).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LdX {
    pub dst: Slot,
    pub a: Slot,
    pub b: Slot,
    pub offset: u32,
}

/// Operands of a store to memory 0 whose address is the i32 sum `a + b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StX {
    pub a: Slot,
    pub b: Slot,
    pub value: Slot,
    pub offset: u32,
}

/// The operation of a binary instruction with an operand loaded from memory 0
/// ([`Instr::BinLd`]): `XOpLd` is `a OP [m]`, `XLdOp` is `[m] OP a` (only for the
/// operations that do not commute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum LdBinOp {
    F64AddLd,
    F64SubLd,
    F64LdSub,
    F64MulLd,
    F64DivLd,
    F64LdDiv,
    F32AddLd,
    F32SubLd,
    F32LdSub,
    F32MulLd,
    F32DivLd,
    F32LdDiv,
    I32AddLd,
    I32SubLd,
    I32LdSub,
    I32AndLd,
    I32OrLd,
    I32XorLd,
    I64AddLd,
    I64SubLd,
    I64LdSub,
}

/// Operands of a binary instruction with one operand loaded from memory 0: `dst = a OP
/// [addr + offset]` (or `[addr + offset] OP a`, as `op` says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinLd {
    pub op: LdBinOp,
    pub dst: Slot,
    pub a: Slot,
    pub addr: Slot,
    pub offset: u32,
}

/// Operands of a binary instruction with one operand loaded from memory 0 at the i32
/// sum `x + y` (a load whose address is an `i32.add`, fused into its consumer): `dst =
/// a OP [x + y + offset]` (or the other order, as `op` says). The offset is 16 bits
/// to keep `Instr` small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinLdX {
    pub op: LdBinOp,
    pub dst: Slot,
    pub a: Slot,
    pub x: Slot,
    pub y: Slot,
    pub offset: u16,
}

/// The operation of a read-modify-write instruction ([`Instr::Rmw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RmwOp {
    F64Add,
    F64Sub,
    F32Add,
    F32Sub,
    I32Add,
    I32Sub,
    I64Add,
    I64Sub,
}

/// Operands of a read-modify-write on memory 0: `[addr + offset] = [addr + offset] OP
/// value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rmw {
    pub op: RmwOp,
    pub addr: Slot,
    pub value: Slot,
    pub offset: u32,
}

/// The type of a multiply-add ([`Instr::MulAdd`]), or for `…Shl` a shift-add (`(a <<
/// b) + c`, as in address arithmetic), or for `…Xor` a shift-xor (`(a << b) ^ c` or
/// `(a >> b) ^ c`, as in xorshift hashes and generators). Additions and xors commute
/// (for floats, the NaN an addition of two NaNs returns is not specified either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MulAddOp {
    I32,
    I64,
    F32,
    F64,
    I32Shl,
    I64Shl,
    I32ShlXor,
    I64ShlXor,
    I32ShrUXor,
    I64ShrUXor,
    /// `dst = (a == 0) + c` (i32; `b` is `a` again): a count of zero flags.
    I32EqzAdd,
}

/// Operands of a multiply-add: `dst = a * b + c`, a multiplication (or a shift) whose
/// result only the addition right after it reads, fused (for floats, two roundings, as
/// the two instructions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MulAdd {
    pub op: MulAddOp,
    pub dst: Slot,
    pub a: Slot,
    pub b: Slot,
    pub c: Slot,
}

/// The operation of an i32 binary instruction whose right operand is an immediate
/// ([`Instr::BinI`]): the wasm instruction of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BinIOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

/// Operands of an i32 binary instruction with a constant right operand: `dst = a OP
/// imm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinI {
    pub op: BinIOp,
    pub dst: Slot,
    pub a: Slot,
    pub imm: u32,
}

/// A compare-and-branch with a constant right operand: branch by `offset` when `a
/// COND imm` holds (i32; `cond` is never `Eqz`/`Nez`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrCmpI {
    pub cond: Cond,
    pub a: Slot,
    pub imm: u32,
    pub offset: i32,
}

/// A fused compare-and-branch: branch by `offset` when `a OP b` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrCmp {
    pub a: Slot,
    pub b: Slot,
    pub offset: i32,
}

/// The condition of an add-and-branch ([`Instr::BrIfAdd`]), with the sum on the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
    /// The sum is zero / not zero (`other` is not read).
    Eqz,
    Nez,
}

impl Cond {
    /// The condition with its operands swapped (`a < b` is `b > a`).
    pub fn mirrored(self) -> Cond {
        match self {
            Cond::LtS => Cond::GtS,
            Cond::LtU => Cond::GtU,
            Cond::GtS => Cond::LtS,
            Cond::GtU => Cond::LtU,
            Cond::LeS => Cond::GeS,
            Cond::LeU => Cond::GeU,
            Cond::GeS => Cond::LeS,
            Cond::GeU => Cond::LeU,
            c => c,
        }
    }
}

macro_rules! define_instr {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// One internal instruction.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Instr {
            /// Trap with "unreachable".
            Unreachable,
            /// Jump by `offset` instructions (relative to this instruction).
            Br { offset: i32 },
            /// Jump when `cond` (an i32) is not zero.
            BrIfNez { cond: Slot, offset: i32 },
            /// Jump when `cond` (an i32) is zero.
            BrIfEqz { cond: Slot, offset: i32 },
            /// Jump through a table: the next `len` instructions are the entries for
            /// index values `0..len-1`, the one after them the default. Every entry is
            /// a `Br`.
            BrTable { index: Slot, len: u32 },
            /// `i32.load8_u` into `dst`, then a `BrTable` on the byte loaded (the
            /// dispatch of a bytecode interpreter).
            BrTableLoad8U { dst: Slot, addr: Slot, offset: u32, len: u32 },
            BrIfI32Eq(BrCmp),
            BrIfI32Ne(BrCmp),
            BrIfI32LtS(BrCmp),
            BrIfI32LtU(BrCmp),
            BrIfI32GtS(BrCmp),
            BrIfI32GtU(BrCmp),
            BrIfI32LeS(BrCmp),
            BrIfI32LeU(BrCmp),
            BrIfI32GeS(BrCmp),
            BrIfI32GeU(BrCmp),
            /// A compare-and-branch against a constant.
            BrIfI32Imm(BrCmpI),
            /// A loop step fused with its test: `x = x + step` (i32), then jump by `offset`
            /// when `x COND other` holds.
            BrIfAdd { x: Slot, step: Slot, other: Slot, cond: Cond, offset: i32 },
            /// Return from the function; results are already in slots `0..n`.
            Return,
            /// Return the single result in `src` (copied to slot 0).
            ReturnOne { src: Slot },
            /// Call function `func` (module index); its frame starts at `base`, where the
            /// arguments are and where the results will be.
            Call { func: u32, base: Slot },
            /// `dst = src`, then `dst2 = src2` (placing arguments; one argument is the
            /// same copy twice), then `Call { func, base }`. Neither copy writes a slot
            /// either reads, so a call resumed here may copy again.
            CallCopy { func: u32, base: Slot, dst: Slot, src: Slot, dst2: Slot, src2: Slot },
            /// Call through table `table` the function at `slots[index]`, which must have
            /// the engine-wide function type id `type_id`.
            CallIndirect { type_id: u32, table: u16, index: Slot, base: Slot, is64: bool },
            /// A tail call: the arguments at `base..` become the current frame's first
            /// slots and the callee replaces the current frame. Calling a host function
            /// this way acts as `Call` (the instructions that follow return its results).
            ReturnCall { func: u32, base: Slot },
            ReturnCallIndirect { type_id: u32, table: u16, index: Slot, base: Slot, is64: bool },
            /// Call the function referenced by `fref` (traps on null).
            CallRef { fref: Slot, base: Slot },
            ReturnCallRef { fref: Slot, base: Slot },
            /// Jump when `src` is a null reference (`if_null`), or when it is not.
            BrRef { src: Slot, offset: i32, if_null: bool },
            /// Fuel metering (only with `Config::consume_fuel`): trap with "all fuel
            /// consumed" unless `amount` units remain, else consume them.
            ConsumeFuel { amount: u32 },
            /// Epoch interruption (only with `Config::epoch_interruption`): trap with
            /// "interrupted" once the engine's epoch reaches the store's deadline.
            CheckEpoch,
            /// Deterministic mode: replace a NaN (an f64 if `is64`, else an f32) in `slot`
            /// by the canonical NaN.
            CanonNan { slot: Slot, is64: bool },
            /// `dst = src`.
            Copy(Un),
            /// `dst = src`, then `dst2 = src2` (two moves, one dispatch).
            Copy2 { dst: Slot, src: Slot, dst2: Slot, src2: Slot },
            /// Copies `len` slots from `src..` to `dst..` (handles overlap).
            CopyMany { dst: Slot, src: Slot, len: u16 },
            /// `dst = if cond != 0 { a } else { b }`.
            Select { dst: Slot, cond: Slot, a: Slot, b: Slot },
            /// `dst = value` of module global `global`.
            GlobalGet { dst: Slot, global: u32 },
            GlobalSet { src: Slot, global: u32 },

            I32Load(Ld),
            I64Load(Ld),
            F32Load(Ld),
            F64Load(Ld),
            I32Load8S(Ld),
            I32Load8U(Ld),
            I32Load16S(Ld),
            I32Load16U(Ld),
            I64Load8S(Ld),
            I64Load8U(Ld),
            I64Load16S(Ld),
            I64Load16U(Ld),
            I64Load32S(Ld),
            I64Load32U(Ld),
            I32Store(St),
            I64Store(St),
            F32Store(St),
            F64Store(St),
            I32Store8(St),
            I32Store16(St),
            I64Store8(St),
            I64Store16(St),
            I64Store32(St),
            /// Loads and stores whose address is an `i32.add` of two slots.
            I32LoadX(LdX),
            I64LoadX(LdX),
            F32LoadX(LdX),
            F64LoadX(LdX),
            I32Load8SX(LdX),
            I32Load8UX(LdX),
            I32Load16SX(LdX),
            I32Load16UX(LdX),
            I64Load8SX(LdX),
            I64Load8UX(LdX),
            I64Load16SX(LdX),
            I64Load16UX(LdX),
            I64Load32SX(LdX),
            I64Load32UX(LdX),
            I32StoreX(StX),
            I64StoreX(StX),
            F32StoreX(StX),
            F64StoreX(StX),
            I32Store8X(StX),
            I32Store16X(StX),
            I64Store8X(StX),
            I64Store16X(StX),
            I64Store32X(StX),
            /// A binary instruction with an operand loaded from memory 0 (a load fused into
            /// its consumer). The load's bounds check, and its trap, are the instruction's.
            BinLd(BinLd),
            /// The same with the operand's address an `i32.add` of two slots.
            BinLdX(BinLdX),
            /// Read-modify-write on memory 0: `[addr + offset] = [addr + offset] OP
            /// value` (a load, an operation and a store to the same address fused).
            Rmw(Rmw),
            /// A multiplication and the addition that consumes it.
            MulAdd(MulAdd),
            /// An i32 binary instruction whose right operand is a constant.
            BinI(BinI),
            /// A load from a memory other than memory 0.
            LoadMem { op: LoadOp, mem: u16, dst: Slot, addr: Slot, offset: u32 },
            /// A store to a memory other than memory 0.
            StoreMem { op: StoreOp, mem: u16, addr: Slot, value: Slot, offset: u32 },
            /// A load from a 64-bit memory; the 64-bit offset is in (constant) slot `offset`.
            Load64 { op: LoadOp, mem: u16, dst: Slot, addr: Slot, offset: Slot },
            /// A store to a 64-bit memory; the 64-bit offset is in (constant) slot `offset`.
            Store64 { op: StoreOp, mem: u16, addr: Slot, value: Slot, offset: Slot },
            MemorySize { dst: Slot, mem: u32 },
            /// `is64` flags (here and below) mark operands of 64-bit memories and tables.
            MemoryGrow { dst: Slot, delta: Slot, mem: u16, is64: bool },
            /// `memory.fill`: operands at `args..args+3` (dst, value, len).
            MemoryFill { args: Slot, mem: u16, is64: bool },
            /// `memory.copy`: operands at `args..args+3` (dst, src, len).
            MemoryCopy { args: Slot, dst_mem: u16, src_mem: u16, dst64: bool, src64: bool },
            /// `memory.init`: operands at `args..args+3` (dst, src, len).
            MemoryInit { args: Slot, data: u32, mem: u16, is64: bool },
            /// `data.drop` (`elem` false) or `elem.drop` (`elem` true) of segment `index`.
            SegmentDrop { index: u32, elem: bool },

            TableGet { dst: Slot, index: Slot, table: u16, is64: bool },
            /// Operands at `args..args+2` (index, value).
            TableSet { args: Slot, table: u16, is64: bool },
            TableSize { dst: Slot, table: u32 },
            /// Operands at `args..args+2` (init, delta); result into `args`.
            TableGrow { args: Slot, table: u16, is64: bool },
            /// Operands at `args..args+3` (dst, value, len).
            TableFill { args: Slot, table: u16, is64: bool },
            /// Operands at `args..args+3` (dst, src, len).
            TableCopy { args: Slot, dst: u16, src: u16, dst64: bool, src64: bool },
            /// Operands at `args..args+3` (dst, src, len).
            TableInit { args: Slot, elem: u32, table: u16, is64: bool },

            /// `dst = (src == null)`.
            RefIsNull(Un),
            /// `dst = reference to module function func`.
            RefFunc { dst: Slot, func: u32 },
            /// Traps with "null reference" when `src` is null, else copies it.
            RefAsNonNull(Un),

            $( $name(define_instr!(@operands [$($p)*])), )*

            // Vector instructions. A `v128` operand or result is a pair of slots
            // `s, s + 1` (low half first) named by its first slot; none is ever the
            // accumulator.
            /// A vector instruction without immediates: operands `a`, `b`, `c` as many
            /// as its signature has (unused ones are 0), result in `dst`.
            Simd { op: SimdOp, dst: Slot, a: Slot, b: Slot, c: Slot },
            /// `i8x16.shuffle`: the 16 lane indices are the bytes of the `v128`
            /// constant in slots `lanes, lanes + 1`.
            Shuffle { dst: Slot, a: Slot, b: Slot, lanes: Slot },
            ExtractLane { op: LaneOp, lane: u8, dst: Slot, src: Slot },
            /// `dst = src` with lane `lane` replaced by the scalar in `x`.
            ReplaceLane { op: LaneOp, lane: u8, dst: Slot, src: Slot, x: Slot },
            /// Deterministic mode: replace each NaN lane (f64 lanes if `is64`, else f32)
            /// of the vector in `slot` by the canonical NaN.
            CanonNan128 { slot: Slot, is64: bool },
            /// `select` of two vectors.
            Select128 { dst: Slot, cond: Slot, a: Slot, b: Slot },
            GlobalGet128 { dst: Slot, global: u32 },
            GlobalSet128 { src: Slot, global: u32 },
            /// A vector load from memory `mem` (`is64`: a 64-bit memory, whose 64-bit
            /// offset is in constant slot `offset`).
            V128Load { op: V128LoadOp, is64: bool, mem: u16, dst: Slot, addr: Slot, offset: u32 },
            V128Store { is64: bool, mem: u16, addr: Slot, src: Slot, offset: u32 },
            /// `v128.loadN_lane`: `dst` = the vector in `src` with lane `lane` (of `bytes`
            /// bytes) replaced by the value read.
            V128LoadLane { bytes: u8, lane: u8, is64: bool, mem: u16, dst: Slot, addr: Slot, src: Slot, offset: u32 },
            V128StoreLane { bytes: u8, lane: u8, is64: bool, mem: u16, addr: Slot, src: Slot, offset: u32 },
        }
    };
    (@operands [$a:ident]) => { Un };
    (@operands [$a:ident $b:ident]) => { Bin };
}

crate::for_each_numeric_op!(define_instr);

/// Which instructions of `code` are `BrTable` entries (the `len + 1` instructions
/// right after each `BrTable`). Entries are reached only through their table: the
/// verifier rejects a branch to one.
pub fn table_entries(code: &[Instr]) -> Vec<bool> {
    let mut is_entry = vec![false; code.len()];
    let mut left = 0usize;
    for (pc, i) in code.iter().enumerate() {
        if left > 0 {
            is_entry[pc] = true;
            left -= 1;
        } else if let Some(len) = i.table_len() {
            left = (len as usize).saturating_add(1);
        }
    }
    is_entry
}

impl Instr {
    /// The number of non-default entries of a jump table (`BrTable` and the tables
    /// fused with the load of their index).
    pub fn table_len(&self) -> Option<u32> {
        match *self {
            Instr::BrTable { len, .. } | Instr::BrTableLoad8U { len, .. } => Some(len),
            _ => None,
        }
    }

    /// The relative target offset of a branch instruction, for patching and checking.
    pub fn branch_offset_mut(&mut self) -> Option<&mut i32> {
        match self {
            Instr::Br { offset }
            | Instr::BrIfNez { offset, .. }
            | Instr::BrIfEqz { offset, .. }
            | Instr::BrRef { offset, .. }
            | Instr::BrIfAdd { offset, .. }
            | Instr::BrIfI32Imm(BrCmpI { offset, .. }) => Some(offset),
            _ => self.compare_branch_mut().map(|c| &mut c.offset),
        }
    }

    /// The one slot a value-producing instruction writes, for redirecting its result:
    /// numeric instructions (with immediates too), loads (fused ones too), multiply-adds,
    /// `select`, copies, and the instructions of globals, tables, memory sizes and
    /// references that produce one value. `None` for any other instruction.
    pub fn dst_mut(&mut self) -> Option<&mut Slot> {
        if self.load_mut().is_some() {
            return self.load_mut().map(|o| &mut o.dst);
        }
        if self.load_sum_mut().is_some() {
            return self.load_sum_mut().map(|o| &mut o.dst);
        }
        if self.load_operand_mut().is_some() {
            return self.load_operand_mut().map(|o| &mut o.dst);
        }
        if self.load_sum_operand_mut().is_some() {
            return self.load_sum_operand_mut().map(|o| &mut o.dst);
        }
        macro_rules! numeric_dst {
            ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
                match self {
                    $( Instr::$name(o) => Some(&mut o.dst), )*
                    Instr::MulAdd(MulAdd { dst, .. })
                    | Instr::BinI(BinI { dst, .. })
                    | Instr::Select { dst, .. }
                    | Instr::GlobalGet { dst, .. }
                    | Instr::TableGet { dst, .. }
                    | Instr::TableSize { dst, .. }
                    | Instr::MemorySize { dst, .. }
                    | Instr::MemoryGrow { dst, .. }
                    | Instr::RefFunc { dst, .. }
                    | Instr::LoadMem { dst, .. }
                    | Instr::Load64 { dst, .. } => Some(dst),
                    Instr::RefIsNull(o) | Instr::RefAsNonNull(o) | Instr::Copy(o) => Some(&mut o.dst),
                    _ => None,
                }
            };
        }
        crate::for_each_numeric_op!(numeric_dst)
    }

    /// The operands of a load from memory 0 (address in one slot).
    pub fn load_mut(&mut self) -> Option<&mut Ld> {
        match self {
            Instr::I32Load(o)
            | Instr::I64Load(o)
            | Instr::F32Load(o)
            | Instr::F64Load(o)
            | Instr::I32Load8S(o)
            | Instr::I32Load8U(o)
            | Instr::I32Load16S(o)
            | Instr::I32Load16U(o)
            | Instr::I64Load8S(o)
            | Instr::I64Load8U(o)
            | Instr::I64Load16S(o)
            | Instr::I64Load16U(o)
            | Instr::I64Load32S(o)
            | Instr::I64Load32U(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a store to memory 0 (address in one slot).
    pub fn store_mut(&mut self) -> Option<&mut St> {
        match self {
            Instr::I32Store(o)
            | Instr::I64Store(o)
            | Instr::F32Store(o)
            | Instr::F64Store(o)
            | Instr::I32Store8(o)
            | Instr::I32Store16(o)
            | Instr::I64Store8(o)
            | Instr::I64Store16(o)
            | Instr::I64Store32(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a store to memory 0 whose address is a sum of two slots.
    pub fn store_sum_mut(&mut self) -> Option<&mut StX> {
        match self {
            Instr::I32StoreX(o)
            | Instr::I64StoreX(o)
            | Instr::F32StoreX(o)
            | Instr::F64StoreX(o)
            | Instr::I32Store8X(o)
            | Instr::I32Store16X(o)
            | Instr::I64Store8X(o)
            | Instr::I64Store16X(o)
            | Instr::I64Store32X(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a load from memory 0 whose address is a sum of two slots.
    pub fn load_sum_mut(&mut self) -> Option<&mut LdX> {
        match self {
            Instr::I32LoadX(o)
            | Instr::I64LoadX(o)
            | Instr::F32LoadX(o)
            | Instr::F64LoadX(o)
            | Instr::I32Load8SX(o)
            | Instr::I32Load8UX(o)
            | Instr::I32Load16SX(o)
            | Instr::I32Load16UX(o)
            | Instr::I64Load8SX(o)
            | Instr::I64Load8UX(o)
            | Instr::I64Load16SX(o)
            | Instr::I64Load16UX(o)
            | Instr::I64Load32SX(o)
            | Instr::I64Load32UX(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a binary instruction with an operand loaded from memory 0.
    pub fn load_operand_mut(&mut self) -> Option<&mut BinLd> {
        match self {
            Instr::BinLd(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a binary instruction with an operand loaded from memory 0 at a
    /// sum of two slots.
    pub fn load_sum_operand_mut(&mut self) -> Option<&mut BinLdX> {
        match self {
            Instr::BinLdX(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a read-modify-write instruction on memory 0.
    pub fn rmw_mut(&mut self) -> Option<&mut Rmw> {
        match self {
            Instr::Rmw(o) => Some(o),
            _ => None,
        }
    }

    /// The operands of a fused compare-and-branch instruction.
    pub fn compare_branch_mut(&mut self) -> Option<&mut BrCmp> {
        match self {
            Instr::BrIfI32Eq(c)
            | Instr::BrIfI32Ne(c)
            | Instr::BrIfI32LtS(c)
            | Instr::BrIfI32LtU(c)
            | Instr::BrIfI32GtS(c)
            | Instr::BrIfI32GtU(c)
            | Instr::BrIfI32LeS(c)
            | Instr::BrIfI32LeU(c)
            | Instr::BrIfI32GeS(c)
            | Instr::BrIfI32GeU(c) => Some(c),
            _ => None,
        }
    }
}

/// The interpreter's state, opaque to the compiler: handlers receive a pointer to it.
#[repr(C)]
pub struct ExecCtx {
    _private: [u8; 0],
}

/// Why a handler chain stopped (the details are in the interpreter's state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Only in portable dispatch: execute the instruction the state now points at.
    Continue,
    /// The outermost frame returned.
    Returned,
    /// Wasm called a host function.
    HostCall,
    /// Execution trapped.
    Trap,
    /// Another error (for example a lazily compiled function failed to compile).
    Error,
}

/// An instruction handler: executes the instruction at `ip` and continues with the next
/// one. `sp` is the frame's first slot, `mem`/`len` the default memory.
pub type Handler = unsafe fn(
    ip: *const Op,
    sp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut ExecCtx,
    acc: u64,
) -> Exit;

/// An instruction ready to run: its handler and its operands (threaded code).
#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub handler: Handler,
    pub instr: Instr,
}

/// A function compiled to internal code.
#[derive(Debug)]
pub struct CompiledFunc {
    pub code: Box<[Instr]>,
    /// For each instruction, the byte offset of the wasm instruction it came from.
    pub offsets: Box<[u32]>,
    /// Number of parameters (the first slots of the frame).
    pub num_params: u32,
    /// Number of slots the frame needs: params, locals, constants and temporaries.
    pub frame_size: u32,
    /// Slots `num_params..locals_end` are declared locals, zeroed on entry.
    pub locals_end: u32,
    /// Values copied into slots `locals_end..locals_end + consts.len()` on entry.
    pub consts: Box<[u64]>,
    /// The code as threaded handlers, prepared by the interpreter on first execution.
    pub ops: std::sync::OnceLock<Box<[Op]>>,
    /// The same code as native code, once the optimizing tier was asked for it (`None`
    /// inside: it made none): with `Tier::Opt` before the threaded code was prepared,
    /// which then enters it at its entry points; with tier-up, when the function got
    /// hot.
    pub native: std::sync::OnceLock<Option<Native>>,
    /// Whether the function tiers up: its threaded code counts calls and loop
    /// iterations in `heat` and asks for native code when they pass a threshold.
    pub tier_up: bool,
    /// Calls and loop iterations so far (counted without atomic read-modify-writes:
    /// threads racing may lose counts, which only delays tier-up).
    pub heat: std::sync::atomic::AtomicU32,
    /// Whether the background compiler was asked for its native code (then the
    /// interpreter goes on running it until `native` is set).
    pub background: std::sync::atomic::AtomicBool,
}

impl CompiledFunc {
    /// The slots a frame of the function takes on the interpreter's stack: its
    /// `frame_size`, or more where the values copied in on entry (locals and
    /// constants, in whole chunks of [`INIT_CHUNK`]) reach further.
    pub fn stack_frame_size(&self) -> u32 {
        let init = (self.locals_end - self.num_params) as usize + self.consts.len();
        let padded = self.num_params as usize + init.div_ceil(INIT_CHUNK) * INIT_CHUNK;
        self.frame_size.max(padded as u32)
    }

    /// The function's native code, if it has any yet.
    pub fn native(&self) -> Option<&Native> {
        self.native.get().and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instr_stays_small() {
        assert!(
            std::mem::size_of::<Instr>() <= 16,
            "{}",
            std::mem::size_of::<Instr>()
        );
    }
}
