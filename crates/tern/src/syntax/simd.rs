//! Vector instructions (spec: Structure › Instructions › Vector Instructions): the
//! 128-bit SIMD set of Wasm 2.0 and the relaxed SIMD set of Wasm 3.0, as the decoder
//! yields them.
//!
//! Instructions without immediates are listed once, in [`for_each_simd_op!`], with
//! their `0xFD` sub-opcode and signature, so that the decoder, the validator, the
//! compiler and the interpreter derive their tables from one list. Instructions with
//! immediates (loads, stores, lanes, constants, shuffles) have `Operator` variants of
//! their own (see [`super::instr::Operator`]).

use super::types::ValType;

/// Calls `$m!` with the table of every vector instruction without immediates: each
/// line is `Name = sub-opcode : [param types] -> result type;` with types among
/// `v128 i32 i64 f32 f64`. Relaxed SIMD instructions have sub-opcodes from `0x100`.
#[macro_export]
macro_rules! for_each_simd_op {
    ($m:ident) => {
        $m! {
            I8x16Swizzle = 0x0e : [v128 v128] -> v128;
            I8x16Splat = 0x0f : [i32] -> v128;
            I16x8Splat = 0x10 : [i32] -> v128;
            I32x4Splat = 0x11 : [i32] -> v128;
            I64x2Splat = 0x12 : [i64] -> v128;
            F32x4Splat = 0x13 : [f32] -> v128;
            F64x2Splat = 0x14 : [f64] -> v128;
            I8x16Eq = 0x23 : [v128 v128] -> v128;
            I8x16Ne = 0x24 : [v128 v128] -> v128;
            I8x16LtS = 0x25 : [v128 v128] -> v128;
            I8x16LtU = 0x26 : [v128 v128] -> v128;
            I8x16GtS = 0x27 : [v128 v128] -> v128;
            I8x16GtU = 0x28 : [v128 v128] -> v128;
            I8x16LeS = 0x29 : [v128 v128] -> v128;
            I8x16LeU = 0x2a : [v128 v128] -> v128;
            I8x16GeS = 0x2b : [v128 v128] -> v128;
            I8x16GeU = 0x2c : [v128 v128] -> v128;
            I16x8Eq = 0x2d : [v128 v128] -> v128;
            I16x8Ne = 0x2e : [v128 v128] -> v128;
            I16x8LtS = 0x2f : [v128 v128] -> v128;
            I16x8LtU = 0x30 : [v128 v128] -> v128;
            I16x8GtS = 0x31 : [v128 v128] -> v128;
            I16x8GtU = 0x32 : [v128 v128] -> v128;
            I16x8LeS = 0x33 : [v128 v128] -> v128;
            I16x8LeU = 0x34 : [v128 v128] -> v128;
            I16x8GeS = 0x35 : [v128 v128] -> v128;
            I16x8GeU = 0x36 : [v128 v128] -> v128;
            I32x4Eq = 0x37 : [v128 v128] -> v128;
            I32x4Ne = 0x38 : [v128 v128] -> v128;
            I32x4LtS = 0x39 : [v128 v128] -> v128;
            I32x4LtU = 0x3a : [v128 v128] -> v128;
            I32x4GtS = 0x3b : [v128 v128] -> v128;
            I32x4GtU = 0x3c : [v128 v128] -> v128;
            I32x4LeS = 0x3d : [v128 v128] -> v128;
            I32x4LeU = 0x3e : [v128 v128] -> v128;
            I32x4GeS = 0x3f : [v128 v128] -> v128;
            I32x4GeU = 0x40 : [v128 v128] -> v128;
            F32x4Eq = 0x41 : [v128 v128] -> v128;
            F32x4Ne = 0x42 : [v128 v128] -> v128;
            F32x4Lt = 0x43 : [v128 v128] -> v128;
            F32x4Gt = 0x44 : [v128 v128] -> v128;
            F32x4Le = 0x45 : [v128 v128] -> v128;
            F32x4Ge = 0x46 : [v128 v128] -> v128;
            F64x2Eq = 0x47 : [v128 v128] -> v128;
            F64x2Ne = 0x48 : [v128 v128] -> v128;
            F64x2Lt = 0x49 : [v128 v128] -> v128;
            F64x2Gt = 0x4a : [v128 v128] -> v128;
            F64x2Le = 0x4b : [v128 v128] -> v128;
            F64x2Ge = 0x4c : [v128 v128] -> v128;
            V128Not = 0x4d : [v128] -> v128;
            V128And = 0x4e : [v128 v128] -> v128;
            V128Andnot = 0x4f : [v128 v128] -> v128;
            V128Or = 0x50 : [v128 v128] -> v128;
            V128Xor = 0x51 : [v128 v128] -> v128;
            V128Bitselect = 0x52 : [v128 v128 v128] -> v128;
            V128AnyTrue = 0x53 : [v128] -> i32;
            F32x4DemoteF64x2Zero = 0x5e : [v128] -> v128;
            F64x2PromoteLowF32x4 = 0x5f : [v128] -> v128;
            I8x16Abs = 0x60 : [v128] -> v128;
            I8x16Neg = 0x61 : [v128] -> v128;
            I8x16Popcnt = 0x62 : [v128] -> v128;
            I8x16AllTrue = 0x63 : [v128] -> i32;
            I8x16Bitmask = 0x64 : [v128] -> i32;
            I8x16NarrowI16x8S = 0x65 : [v128 v128] -> v128;
            I8x16NarrowI16x8U = 0x66 : [v128 v128] -> v128;
            F32x4Ceil = 0x67 : [v128] -> v128;
            F32x4Floor = 0x68 : [v128] -> v128;
            F32x4Trunc = 0x69 : [v128] -> v128;
            F32x4Nearest = 0x6a : [v128] -> v128;
            I8x16Shl = 0x6b : [v128 i32] -> v128;
            I8x16ShrS = 0x6c : [v128 i32] -> v128;
            I8x16ShrU = 0x6d : [v128 i32] -> v128;
            I8x16Add = 0x6e : [v128 v128] -> v128;
            I8x16AddSatS = 0x6f : [v128 v128] -> v128;
            I8x16AddSatU = 0x70 : [v128 v128] -> v128;
            I8x16Sub = 0x71 : [v128 v128] -> v128;
            I8x16SubSatS = 0x72 : [v128 v128] -> v128;
            I8x16SubSatU = 0x73 : [v128 v128] -> v128;
            F64x2Ceil = 0x74 : [v128] -> v128;
            F64x2Floor = 0x75 : [v128] -> v128;
            I8x16MinS = 0x76 : [v128 v128] -> v128;
            I8x16MinU = 0x77 : [v128 v128] -> v128;
            I8x16MaxS = 0x78 : [v128 v128] -> v128;
            I8x16MaxU = 0x79 : [v128 v128] -> v128;
            F64x2Trunc = 0x7a : [v128] -> v128;
            I8x16AvgrU = 0x7b : [v128 v128] -> v128;
            I16x8ExtaddPairwiseI8x16S = 0x7c : [v128] -> v128;
            I16x8ExtaddPairwiseI8x16U = 0x7d : [v128] -> v128;
            I32x4ExtaddPairwiseI16x8S = 0x7e : [v128] -> v128;
            I32x4ExtaddPairwiseI16x8U = 0x7f : [v128] -> v128;
            I16x8Abs = 0x80 : [v128] -> v128;
            I16x8Neg = 0x81 : [v128] -> v128;
            I16x8Q15mulrSatS = 0x82 : [v128 v128] -> v128;
            I16x8AllTrue = 0x83 : [v128] -> i32;
            I16x8Bitmask = 0x84 : [v128] -> i32;
            I16x8NarrowI32x4S = 0x85 : [v128 v128] -> v128;
            I16x8NarrowI32x4U = 0x86 : [v128 v128] -> v128;
            I16x8ExtendLowI8x16S = 0x87 : [v128] -> v128;
            I16x8ExtendHighI8x16S = 0x88 : [v128] -> v128;
            I16x8ExtendLowI8x16U = 0x89 : [v128] -> v128;
            I16x8ExtendHighI8x16U = 0x8a : [v128] -> v128;
            I16x8Shl = 0x8b : [v128 i32] -> v128;
            I16x8ShrS = 0x8c : [v128 i32] -> v128;
            I16x8ShrU = 0x8d : [v128 i32] -> v128;
            I16x8Add = 0x8e : [v128 v128] -> v128;
            I16x8AddSatS = 0x8f : [v128 v128] -> v128;
            I16x8AddSatU = 0x90 : [v128 v128] -> v128;
            I16x8Sub = 0x91 : [v128 v128] -> v128;
            I16x8SubSatS = 0x92 : [v128 v128] -> v128;
            I16x8SubSatU = 0x93 : [v128 v128] -> v128;
            F64x2Nearest = 0x94 : [v128] -> v128;
            I16x8Mul = 0x95 : [v128 v128] -> v128;
            I16x8MinS = 0x96 : [v128 v128] -> v128;
            I16x8MinU = 0x97 : [v128 v128] -> v128;
            I16x8MaxS = 0x98 : [v128 v128] -> v128;
            I16x8MaxU = 0x99 : [v128 v128] -> v128;
            I16x8AvgrU = 0x9b : [v128 v128] -> v128;
            I16x8ExtmulLowI8x16S = 0x9c : [v128 v128] -> v128;
            I16x8ExtmulHighI8x16S = 0x9d : [v128 v128] -> v128;
            I16x8ExtmulLowI8x16U = 0x9e : [v128 v128] -> v128;
            I16x8ExtmulHighI8x16U = 0x9f : [v128 v128] -> v128;
            I32x4Abs = 0xa0 : [v128] -> v128;
            I32x4Neg = 0xa1 : [v128] -> v128;
            I32x4AllTrue = 0xa3 : [v128] -> i32;
            I32x4Bitmask = 0xa4 : [v128] -> i32;
            I32x4ExtendLowI16x8S = 0xa7 : [v128] -> v128;
            I32x4ExtendHighI16x8S = 0xa8 : [v128] -> v128;
            I32x4ExtendLowI16x8U = 0xa9 : [v128] -> v128;
            I32x4ExtendHighI16x8U = 0xaa : [v128] -> v128;
            I32x4Shl = 0xab : [v128 i32] -> v128;
            I32x4ShrS = 0xac : [v128 i32] -> v128;
            I32x4ShrU = 0xad : [v128 i32] -> v128;
            I32x4Add = 0xae : [v128 v128] -> v128;
            I32x4Sub = 0xb1 : [v128 v128] -> v128;
            I32x4Mul = 0xb5 : [v128 v128] -> v128;
            I32x4MinS = 0xb6 : [v128 v128] -> v128;
            I32x4MinU = 0xb7 : [v128 v128] -> v128;
            I32x4MaxS = 0xb8 : [v128 v128] -> v128;
            I32x4MaxU = 0xb9 : [v128 v128] -> v128;
            I32x4DotI16x8S = 0xba : [v128 v128] -> v128;
            I32x4ExtmulLowI16x8S = 0xbc : [v128 v128] -> v128;
            I32x4ExtmulHighI16x8S = 0xbd : [v128 v128] -> v128;
            I32x4ExtmulLowI16x8U = 0xbe : [v128 v128] -> v128;
            I32x4ExtmulHighI16x8U = 0xbf : [v128 v128] -> v128;
            I64x2Abs = 0xc0 : [v128] -> v128;
            I64x2Neg = 0xc1 : [v128] -> v128;
            I64x2AllTrue = 0xc3 : [v128] -> i32;
            I64x2Bitmask = 0xc4 : [v128] -> i32;
            I64x2ExtendLowI32x4S = 0xc7 : [v128] -> v128;
            I64x2ExtendHighI32x4S = 0xc8 : [v128] -> v128;
            I64x2ExtendLowI32x4U = 0xc9 : [v128] -> v128;
            I64x2ExtendHighI32x4U = 0xca : [v128] -> v128;
            I64x2Shl = 0xcb : [v128 i32] -> v128;
            I64x2ShrS = 0xcc : [v128 i32] -> v128;
            I64x2ShrU = 0xcd : [v128 i32] -> v128;
            I64x2Add = 0xce : [v128 v128] -> v128;
            I64x2Sub = 0xd1 : [v128 v128] -> v128;
            I64x2Mul = 0xd5 : [v128 v128] -> v128;
            I64x2Eq = 0xd6 : [v128 v128] -> v128;
            I64x2Ne = 0xd7 : [v128 v128] -> v128;
            I64x2LtS = 0xd8 : [v128 v128] -> v128;
            I64x2GtS = 0xd9 : [v128 v128] -> v128;
            I64x2LeS = 0xda : [v128 v128] -> v128;
            I64x2GeS = 0xdb : [v128 v128] -> v128;
            I64x2ExtmulLowI32x4S = 0xdc : [v128 v128] -> v128;
            I64x2ExtmulHighI32x4S = 0xdd : [v128 v128] -> v128;
            I64x2ExtmulLowI32x4U = 0xde : [v128 v128] -> v128;
            I64x2ExtmulHighI32x4U = 0xdf : [v128 v128] -> v128;
            F32x4Abs = 0xe0 : [v128] -> v128;
            F32x4Neg = 0xe1 : [v128] -> v128;
            F32x4Sqrt = 0xe3 : [v128] -> v128;
            F32x4Add = 0xe4 : [v128 v128] -> v128;
            F32x4Sub = 0xe5 : [v128 v128] -> v128;
            F32x4Mul = 0xe6 : [v128 v128] -> v128;
            F32x4Div = 0xe7 : [v128 v128] -> v128;
            F32x4Min = 0xe8 : [v128 v128] -> v128;
            F32x4Max = 0xe9 : [v128 v128] -> v128;
            F32x4Pmin = 0xea : [v128 v128] -> v128;
            F32x4Pmax = 0xeb : [v128 v128] -> v128;
            F64x2Abs = 0xec : [v128] -> v128;
            F64x2Neg = 0xed : [v128] -> v128;
            F64x2Sqrt = 0xef : [v128] -> v128;
            F64x2Add = 0xf0 : [v128 v128] -> v128;
            F64x2Sub = 0xf1 : [v128 v128] -> v128;
            F64x2Mul = 0xf2 : [v128 v128] -> v128;
            F64x2Div = 0xf3 : [v128 v128] -> v128;
            F64x2Min = 0xf4 : [v128 v128] -> v128;
            F64x2Max = 0xf5 : [v128 v128] -> v128;
            F64x2Pmin = 0xf6 : [v128 v128] -> v128;
            F64x2Pmax = 0xf7 : [v128 v128] -> v128;
            I32x4TruncSatF32x4S = 0xf8 : [v128] -> v128;
            I32x4TruncSatF32x4U = 0xf9 : [v128] -> v128;
            F32x4ConvertI32x4S = 0xfa : [v128] -> v128;
            F32x4ConvertI32x4U = 0xfb : [v128] -> v128;
            I32x4TruncSatF64x2SZero = 0xfc : [v128] -> v128;
            I32x4TruncSatF64x2UZero = 0xfd : [v128] -> v128;
            F64x2ConvertLowI32x4S = 0xfe : [v128] -> v128;
            F64x2ConvertLowI32x4U = 0xff : [v128] -> v128;
            I8x16RelaxedSwizzle = 0x100 : [v128 v128] -> v128;
            I32x4RelaxedTruncF32x4S = 0x101 : [v128] -> v128;
            I32x4RelaxedTruncF32x4U = 0x102 : [v128] -> v128;
            I32x4RelaxedTruncF64x2SZero = 0x103 : [v128] -> v128;
            I32x4RelaxedTruncF64x2UZero = 0x104 : [v128] -> v128;
            F32x4RelaxedMadd = 0x105 : [v128 v128 v128] -> v128;
            F32x4RelaxedNmadd = 0x106 : [v128 v128 v128] -> v128;
            F64x2RelaxedMadd = 0x107 : [v128 v128 v128] -> v128;
            F64x2RelaxedNmadd = 0x108 : [v128 v128 v128] -> v128;
            I8x16RelaxedLaneselect = 0x109 : [v128 v128 v128] -> v128;
            I16x8RelaxedLaneselect = 0x10a : [v128 v128 v128] -> v128;
            I32x4RelaxedLaneselect = 0x10b : [v128 v128 v128] -> v128;
            I64x2RelaxedLaneselect = 0x10c : [v128 v128 v128] -> v128;
            F32x4RelaxedMin = 0x10d : [v128 v128] -> v128;
            F32x4RelaxedMax = 0x10e : [v128 v128] -> v128;
            F64x2RelaxedMin = 0x10f : [v128 v128] -> v128;
            F64x2RelaxedMax = 0x110 : [v128 v128] -> v128;
            I16x8RelaxedQ15mulrS = 0x111 : [v128 v128] -> v128;
            I16x8RelaxedDotI8x16I7x16S = 0x112 : [v128 v128] -> v128;
            I32x4RelaxedDotI8x16I7x16AddS = 0x113 : [v128 v128 v128] -> v128;
        }
    };
}

macro_rules! define_simd_op {
    ($( $name:ident = $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// A vector instruction without immediates. See [`for_each_simd_op!`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum SimdOp {
            $( $name, )*
        }

        impl SimdOp {
            /// Every vector instruction without immediates, in table order.
            pub const ALL: &'static [SimdOp] = &[$( SimdOp::$name, )*];

            /// The instruction's parameter types and result type.
            pub fn signature(self) -> (&'static [ValType], ValType) {
                match self {
                    $( SimdOp::$name => (&[$(simd_valtype!($p)),*], simd_valtype!($r)), )*
                }
            }

            /// The instruction's `0xFD` sub-opcode.
            pub fn opcode(self) -> u32 {
                match self {
                    $( SimdOp::$name => $op, )*
                }
            }

            /// The instruction with sub-opcode `op`, if it has no immediates.
            pub fn from_opcode(op: u32) -> Option<SimdOp> {
                match op {
                    $( $op => Some(SimdOp::$name), )*
                    _ => None,
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! simd_valtype {
    (v128) => {
        $crate::syntax::ValType::V128
    };
    ($t:ident) => {
        $crate::numeric_valtype!($t)
    };
}

for_each_simd_op!(define_simd_op);

/// The vector loads that read memory into a whole `v128` (`v128.load`, the extending
/// loads, the splats and the zero-extending loads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum V128LoadOp {
    /// `v128.load`: 16 bytes.
    Load,
    /// `v128.load8x8_s`: 8 bytes, each sign-extended to an i16 lane.
    Load8x8S,
    Load8x8U,
    Load16x4S,
    Load16x4U,
    Load32x2S,
    Load32x2U,
    /// `v128.load8_splat`: one byte copied to every i8 lane.
    Load8Splat,
    Load16Splat,
    Load32Splat,
    Load64Splat,
    /// `v128.load32_zero`: 4 bytes into lane 0, the other lanes zero.
    Load32Zero,
    Load64Zero,
}

impl V128LoadOp {
    /// The number of bytes read (the natural alignment is this, as a power of two).
    pub fn bytes(self) -> u32 {
        use V128LoadOp::*;
        match self {
            Load => 16,
            Load8x8S | Load8x8U | Load16x4S | Load16x4U | Load32x2S | Load32x2U => 8,
            Load8Splat => 1,
            Load16Splat => 2,
            Load32Splat | Load32Zero => 4,
            Load64Splat | Load64Zero => 8,
        }
    }
}

/// The lane shape of a lane access: `i8x16.extract_lane_s` is `(I8x16S, lane)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaneOp {
    /// i8 lanes, sign-extended to i32 when extracted.
    I8x16S,
    /// i8 lanes, zero-extended to i32 when extracted (and for `replace_lane`).
    I8x16U,
    I16x8S,
    /// i16 lanes, zero-extended when extracted (and for `replace_lane`).
    I16x8U,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl LaneOp {
    /// The number of lanes (lane indices must be below it).
    pub fn lanes(self) -> u8 {
        match self {
            LaneOp::I8x16S | LaneOp::I8x16U => 16,
            LaneOp::I16x8S | LaneOp::I16x8U => 8,
            LaneOp::I32x4 | LaneOp::F32x4 => 4,
            LaneOp::I64x2 | LaneOp::F64x2 => 2,
        }
    }

    /// The scalar type a lane is extracted as (and replaced from).
    pub fn scalar(self) -> ValType {
        match self {
            LaneOp::I8x16S | LaneOp::I8x16U | LaneOp::I16x8S | LaneOp::I16x8U | LaneOp::I32x4 => {
                ValType::I32
            }
            LaneOp::I64x2 => ValType::I64,
            LaneOp::F32x4 => ValType::F32,
            LaneOp::F64x2 => ValType::F64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_round_trip() {
        for &op in SimdOp::ALL {
            assert_eq!(SimdOp::from_opcode(op.opcode()), Some(op));
        }
        assert_eq!(
            SimdOp::from_opcode(0x0c),
            None,
            "v128.const has an immediate"
        );
        assert_eq!(SimdOp::ALL.len(), 218);
    }
}
