//! Instructions (spec: Structure › Instructions) as the decoder yields them, one
//! `Operator` per instruction, with immediates decoded.
//!
//! Numeric instructions are listed once, in [`for_each_numeric_op!`], with their opcode
//! and signature, so that the decoder, the validator and the compiler all derive their
//! tables from one list instead of three hand-kept copies.

use super::simd::{LaneOp, SimdOp, V128LoadOp};
use super::types::{BlockType, HeapType, ValType};

/// The immediate of a load or store (`memarg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemArg {
    /// log2 of the alignment hint.
    pub align: u32,
    pub offset: u64,
    pub memory: u32,
}

/// Calls `$m!` with the table of every numeric instruction: each line is
/// `Name = opcode : [param types] -> result type;` with types among `i32 i64 f32 f64`.
/// Opcodes `0x45..=0xC4` are single-byte; the saturating truncations are listed with
/// their `0xFC` sub-opcode and the marker `fc`.
#[macro_export]
macro_rules! for_each_numeric_op {
    ($m:ident) => {
        $m! {
            I32Eqz = 0x45 : [i32] -> i32;
            I32Eq = 0x46 : [i32 i32] -> i32;
            I32Ne = 0x47 : [i32 i32] -> i32;
            I32LtS = 0x48 : [i32 i32] -> i32;
            I32LtU = 0x49 : [i32 i32] -> i32;
            I32GtS = 0x4A : [i32 i32] -> i32;
            I32GtU = 0x4B : [i32 i32] -> i32;
            I32LeS = 0x4C : [i32 i32] -> i32;
            I32LeU = 0x4D : [i32 i32] -> i32;
            I32GeS = 0x4E : [i32 i32] -> i32;
            I32GeU = 0x4F : [i32 i32] -> i32;
            I64Eqz = 0x50 : [i64] -> i32;
            I64Eq = 0x51 : [i64 i64] -> i32;
            I64Ne = 0x52 : [i64 i64] -> i32;
            I64LtS = 0x53 : [i64 i64] -> i32;
            I64LtU = 0x54 : [i64 i64] -> i32;
            I64GtS = 0x55 : [i64 i64] -> i32;
            I64GtU = 0x56 : [i64 i64] -> i32;
            I64LeS = 0x57 : [i64 i64] -> i32;
            I64LeU = 0x58 : [i64 i64] -> i32;
            I64GeS = 0x59 : [i64 i64] -> i32;
            I64GeU = 0x5A : [i64 i64] -> i32;
            F32Eq = 0x5B : [f32 f32] -> i32;
            F32Ne = 0x5C : [f32 f32] -> i32;
            F32Lt = 0x5D : [f32 f32] -> i32;
            F32Gt = 0x5E : [f32 f32] -> i32;
            F32Le = 0x5F : [f32 f32] -> i32;
            F32Ge = 0x60 : [f32 f32] -> i32;
            F64Eq = 0x61 : [f64 f64] -> i32;
            F64Ne = 0x62 : [f64 f64] -> i32;
            F64Lt = 0x63 : [f64 f64] -> i32;
            F64Gt = 0x64 : [f64 f64] -> i32;
            F64Le = 0x65 : [f64 f64] -> i32;
            F64Ge = 0x66 : [f64 f64] -> i32;
            I32Clz = 0x67 : [i32] -> i32;
            I32Ctz = 0x68 : [i32] -> i32;
            I32Popcnt = 0x69 : [i32] -> i32;
            I32Add = 0x6A : [i32 i32] -> i32;
            I32Sub = 0x6B : [i32 i32] -> i32;
            I32Mul = 0x6C : [i32 i32] -> i32;
            I32DivS = 0x6D : [i32 i32] -> i32;
            I32DivU = 0x6E : [i32 i32] -> i32;
            I32RemS = 0x6F : [i32 i32] -> i32;
            I32RemU = 0x70 : [i32 i32] -> i32;
            I32And = 0x71 : [i32 i32] -> i32;
            I32Or = 0x72 : [i32 i32] -> i32;
            I32Xor = 0x73 : [i32 i32] -> i32;
            I32Shl = 0x74 : [i32 i32] -> i32;
            I32ShrS = 0x75 : [i32 i32] -> i32;
            I32ShrU = 0x76 : [i32 i32] -> i32;
            I32Rotl = 0x77 : [i32 i32] -> i32;
            I32Rotr = 0x78 : [i32 i32] -> i32;
            I64Clz = 0x79 : [i64] -> i64;
            I64Ctz = 0x7A : [i64] -> i64;
            I64Popcnt = 0x7B : [i64] -> i64;
            I64Add = 0x7C : [i64 i64] -> i64;
            I64Sub = 0x7D : [i64 i64] -> i64;
            I64Mul = 0x7E : [i64 i64] -> i64;
            I64DivS = 0x7F : [i64 i64] -> i64;
            I64DivU = 0x80 : [i64 i64] -> i64;
            I64RemS = 0x81 : [i64 i64] -> i64;
            I64RemU = 0x82 : [i64 i64] -> i64;
            I64And = 0x83 : [i64 i64] -> i64;
            I64Or = 0x84 : [i64 i64] -> i64;
            I64Xor = 0x85 : [i64 i64] -> i64;
            I64Shl = 0x86 : [i64 i64] -> i64;
            I64ShrS = 0x87 : [i64 i64] -> i64;
            I64ShrU = 0x88 : [i64 i64] -> i64;
            I64Rotl = 0x89 : [i64 i64] -> i64;
            I64Rotr = 0x8A : [i64 i64] -> i64;
            F32Abs = 0x8B : [f32] -> f32;
            F32Neg = 0x8C : [f32] -> f32;
            F32Ceil = 0x8D : [f32] -> f32;
            F32Floor = 0x8E : [f32] -> f32;
            F32Trunc = 0x8F : [f32] -> f32;
            F32Nearest = 0x90 : [f32] -> f32;
            F32Sqrt = 0x91 : [f32] -> f32;
            F32Add = 0x92 : [f32 f32] -> f32;
            F32Sub = 0x93 : [f32 f32] -> f32;
            F32Mul = 0x94 : [f32 f32] -> f32;
            F32Div = 0x95 : [f32 f32] -> f32;
            F32Min = 0x96 : [f32 f32] -> f32;
            F32Max = 0x97 : [f32 f32] -> f32;
            F32Copysign = 0x98 : [f32 f32] -> f32;
            F64Abs = 0x99 : [f64] -> f64;
            F64Neg = 0x9A : [f64] -> f64;
            F64Ceil = 0x9B : [f64] -> f64;
            F64Floor = 0x9C : [f64] -> f64;
            F64Trunc = 0x9D : [f64] -> f64;
            F64Nearest = 0x9E : [f64] -> f64;
            F64Sqrt = 0x9F : [f64] -> f64;
            F64Add = 0xA0 : [f64 f64] -> f64;
            F64Sub = 0xA1 : [f64 f64] -> f64;
            F64Mul = 0xA2 : [f64 f64] -> f64;
            F64Div = 0xA3 : [f64 f64] -> f64;
            F64Min = 0xA4 : [f64 f64] -> f64;
            F64Max = 0xA5 : [f64 f64] -> f64;
            F64Copysign = 0xA6 : [f64 f64] -> f64;
            I32WrapI64 = 0xA7 : [i64] -> i32;
            I32TruncF32S = 0xA8 : [f32] -> i32;
            I32TruncF32U = 0xA9 : [f32] -> i32;
            I32TruncF64S = 0xAA : [f64] -> i32;
            I32TruncF64U = 0xAB : [f64] -> i32;
            I64ExtendI32S = 0xAC : [i32] -> i64;
            I64ExtendI32U = 0xAD : [i32] -> i64;
            I64TruncF32S = 0xAE : [f32] -> i64;
            I64TruncF32U = 0xAF : [f32] -> i64;
            I64TruncF64S = 0xB0 : [f64] -> i64;
            I64TruncF64U = 0xB1 : [f64] -> i64;
            F32ConvertI32S = 0xB2 : [i32] -> f32;
            F32ConvertI32U = 0xB3 : [i32] -> f32;
            F32ConvertI64S = 0xB4 : [i64] -> f32;
            F32ConvertI64U = 0xB5 : [i64] -> f32;
            F32DemoteF64 = 0xB6 : [f64] -> f32;
            F64ConvertI32S = 0xB7 : [i32] -> f64;
            F64ConvertI32U = 0xB8 : [i32] -> f64;
            F64ConvertI64S = 0xB9 : [i64] -> f64;
            F64ConvertI64U = 0xBA : [i64] -> f64;
            F64PromoteF32 = 0xBB : [f32] -> f64;
            I32ReinterpretF32 = 0xBC : [f32] -> i32;
            I64ReinterpretF64 = 0xBD : [f64] -> i64;
            F32ReinterpretI32 = 0xBE : [i32] -> f32;
            F64ReinterpretI64 = 0xBF : [i64] -> f64;
            I32Extend8S = 0xC0 : [i32] -> i32;
            I32Extend16S = 0xC1 : [i32] -> i32;
            I64Extend8S = 0xC2 : [i64] -> i64;
            I64Extend16S = 0xC3 : [i64] -> i64;
            I64Extend32S = 0xC4 : [i64] -> i64;
            I32TruncSatF32S = fc 0 : [f32] -> i32;
            I32TruncSatF32U = fc 1 : [f32] -> i32;
            I32TruncSatF64S = fc 2 : [f64] -> i32;
            I32TruncSatF64U = fc 3 : [f64] -> i32;
            I64TruncSatF32S = fc 4 : [f32] -> i64;
            I64TruncSatF32U = fc 5 : [f32] -> i64;
            I64TruncSatF64S = fc 6 : [f64] -> i64;
            I64TruncSatF64U = fc 7 : [f64] -> i64;
        }
    };
}

macro_rules! define_numeric_op {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// A numeric instruction (no immediates). See [`for_each_numeric_op!`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum NumericOp {
            $( $name, )*
        }

        impl NumericOp {
            /// The instruction's parameter types and result type.
            pub fn signature(self) -> (&'static [ValType], ValType) {
                match self {
                    $( NumericOp::$name => (&[$(numeric_valtype!($p)),*], numeric_valtype!($r)), )*
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! numeric_valtype {
    (i32) => {
        $crate::syntax::ValType::I32
    };
    (i64) => {
        $crate::syntax::ValType::I64
    };
    (f32) => {
        $crate::syntax::ValType::F32
    };
    (f64) => {
        $crate::syntax::ValType::F64
    };
}

for_each_numeric_op!(define_numeric_op);

/// The width and extension of a load (`i32.load8_s` is `I32Load8S`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadOp {
    I32Load,
    I64Load,
    F32Load,
    F64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
}

impl LoadOp {
    /// The result type and the number of bytes read.
    pub fn info(self) -> (ValType, u32) {
        use LoadOp::*;
        match self {
            I32Load => (ValType::I32, 4),
            I64Load => (ValType::I64, 8),
            F32Load => (ValType::F32, 4),
            F64Load => (ValType::F64, 8),
            I32Load8S | I32Load8U => (ValType::I32, 1),
            I32Load16S | I32Load16U => (ValType::I32, 2),
            I64Load8S | I64Load8U => (ValType::I64, 1),
            I64Load16S | I64Load16U => (ValType::I64, 2),
            I64Load32S | I64Load32U => (ValType::I64, 4),
        }
    }
}

/// The width of a store (`i64.store16` is `I64Store16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreOp {
    I32Store,
    I64Store,
    F32Store,
    F64Store,
    I32Store8,
    I32Store16,
    I64Store8,
    I64Store16,
    I64Store32,
}

impl StoreOp {
    /// The operand type and the number of bytes written.
    pub fn info(self) -> (ValType, u32) {
        use StoreOp::*;
        match self {
            I32Store => (ValType::I32, 4),
            I64Store => (ValType::I64, 8),
            F32Store => (ValType::F32, 4),
            F64Store => (ValType::F64, 8),
            I32Store8 => (ValType::I32, 1),
            I32Store16 => (ValType::I32, 2),
            I64Store8 => (ValType::I64, 1),
            I64Store16 => (ValType::I64, 2),
            I64Store32 => (ValType::I64, 4),
        }
    }
}

/// One decoded instruction. Structured control (`block`, `loop`, `if`) is not nested
/// here: `Else` and `End` are operators of their own, as in the binary format.
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    // Control instructions.
    Unreachable,
    Nop,
    Block(BlockType),
    Loop(BlockType),
    If(BlockType),
    Else,
    End,
    Br(u32),
    BrIf(u32),
    BrTable {
        targets: Box<[u32]>,
        default: u32,
    },
    Return,
    Call(u32),
    CallIndirect {
        type_index: u32,
        table: u32,
    },
    /// Tail calls (Wasm 3.0).
    ReturnCall(u32),
    ReturnCallIndirect {
        type_index: u32,
        table: u32,
    },
    /// Typed function references (Wasm 3.0).
    CallRef(u32),
    ReturnCallRef(u32),
    BrOnNull(u32),
    BrOnNonNull(u32),

    // Parametric instructions.
    Drop,
    /// `select` without a type annotation (number types only).
    Select,
    /// `select t` with its type annotation.
    TypedSelect(ValType),

    // Variable instructions.
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),

    // Table instructions.
    TableGet(u32),
    TableSet(u32),
    TableSize(u32),
    TableGrow(u32),
    TableFill(u32),
    TableCopy {
        dst: u32,
        src: u32,
    },
    TableInit {
        elem: u32,
        table: u32,
    },
    ElemDrop(u32),

    // Memory instructions.
    Load(LoadOp, MemArg),
    Store(StoreOp, MemArg),
    MemorySize(u32),
    MemoryGrow(u32),
    MemoryFill(u32),
    MemoryCopy {
        dst: u32,
        src: u32,
    },
    MemoryInit {
        data: u32,
        memory: u32,
    },
    DataDrop(u32),

    // Reference instructions.
    RefNull(HeapType),
    RefIsNull,
    RefFunc(u32),
    RefEq,
    RefAsNonNull,

    // Numeric instructions.
    I32Const(i32),
    I64Const(i64),
    /// The bit pattern of an `f32` (NaN payloads must survive, so no `f32` here).
    F32Const(u32),
    /// The bit pattern of an `f64`.
    F64Const(u64),
    Numeric(NumericOp),

    // Vector instructions (the `0xFD` prefix).
    /// `v128.const`: the 16 bytes in little-endian order.
    V128Const([u8; 16]),
    /// `i8x16.shuffle` with its 16 lane indices (each below 32).
    I8x16Shuffle([u8; 16]),
    /// A load of a whole vector (`v128.load`, extending, splat and zero loads).
    V128Load(V128LoadOp, MemArg),
    V128Store(MemArg),
    /// `v128.loadN_lane`: `bytes` is N/8 (1, 2, 4 or 8); `lane` below 16/`bytes`.
    V128LoadLane {
        bytes: u8,
        memarg: MemArg,
        lane: u8,
    },
    V128StoreLane {
        bytes: u8,
        memarg: MemArg,
        lane: u8,
    },
    /// `*.extract_lane[_s|_u]`.
    ExtractLane(LaneOp, u8),
    /// `*.replace_lane` (for i8 and i16 lanes the `…U` shape is used).
    ReplaceLane(LaneOp, u8),
    Simd(SimdOp),
}
