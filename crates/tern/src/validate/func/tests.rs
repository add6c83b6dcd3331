//! Unit tests of the function body checker (`func/`), driven by operator lists so
//! that they need no binary encoding; those of the byte-level path against the full
//! rules are in `tests/fast_path.rs`.

use super::operand::{Opd, OpdView, HEAP_KINDS};
use super::*;
use crate::syntax::{
    AddrType, BlockType, CompositeType, Export, ExternKind, FuncType, Global, GlobalType, HeapType,
    LaneOp, Limits, LoadOp, MemArg, MemoryType, Module, NumericOp, RefType, SimdOp, SubType,
    V128LoadOp,
};
use crate::validate::module::validate_module;

fn functype(params: &[ValType], results: &[ValType]) -> SubType {
    SubType {
        is_final: true,
        supertypes: Box::new([]),
        composite: CompositeType::Func(FuncType::new(
            params.iter().copied(),
            results.iter().copied(),
        )),
    }
}

/// A module with one function of type `params -> results`, plus whatever `setup`
/// adds; checks `ops` as its body.
fn check_with(
    params: &[ValType],
    results: &[ValType],
    locals: Vec<(u32, ValType)>,
    setup: impl FnOnce(&mut Module),
    ops: Vec<Operator>,
) -> Result<()> {
    v128_operands_with(params, results, locals, setup, ops).map(drop)
}

/// Like [`check_with`], but returns the offsets (operator indices here) of the `drop`s
/// and `select`s of a `v128`.
fn v128_operands_with(
    params: &[ValType],
    results: &[ValType],
    locals: Vec<(u32, ValType)>,
    setup: impl FnOnce(&mut Module),
    ops: Vec<Operator>,
) -> Result<Vec<u32>> {
    let mut m = Module::default();
    m.types.push(functype(params, results));
    m.rec_groups.push(0..1);
    m.funcs.push(0);
    m.code.push(FuncBody { locals, code: 0..0 });
    setup(&mut m);
    let ctx = validate_module(&m)?;
    let mut v = FuncValidator::new(&ctx);
    let mut it = ops.into_iter().enumerate();
    v.validate_ops(0, &m.code[0], || Ok(it.next()))?;
    Ok(v.take_v128_operands())
}

fn check(params: &[ValType], results: &[ValType], ops: Vec<Operator>) -> Result<()> {
    check_with(params, results, vec![], |_| {}, ops)
}

fn message(r: Result<()>) -> String {
    match r {
        Err(Error::Invalid { message, .. }) => message,
        Err(e) => format!("other error: {e}"),
        Ok(()) => "ok".to_string(),
    }
}

use Operator as O;
use ValType::{F32, F64, I32, I64, V128};

fn add() -> Operator {
    O::Numeric(NumericOp::I32Add)
}

#[test]
fn simple_arithmetic() {
    let ops = vec![O::LocalGet(0), O::LocalGet(1), add(), O::End];
    assert!(check(&[I32, I32], &[I32], ops).is_ok());
    let ops = vec![O::LocalGet(0), O::I64Const(1), add(), O::End];
    assert!(message(check(&[I32], &[I32], ops)).starts_with("type mismatch"));
    let ops = vec![O::I32Const(1), O::End];
    assert!(message(check(&[], &[], ops)).starts_with("type mismatch"));
    let ops = vec![O::End];
    assert!(message(check(&[], &[I32], ops)).starts_with("type mismatch"));
}

#[test]
fn missing_end_is_malformed() {
    let r = check(&[], &[], vec![O::Nop]);
    assert!(matches!(r, Err(Error::Malformed { .. })));
}

#[test]
fn locals_are_run_length_encoded() {
    let locals = vec![(4_000_000_000, I64), (10, F32)];
    let ops = vec![
        O::LocalGet(4_000_000_005),
        O::Drop,
        O::LocalGet(3_999_999_999),
        O::End,
    ];
    assert!(check_with(&[I32], &[I64], locals.clone(), |_| {}, ops).is_ok());
    let ops = vec![O::LocalGet(4_000_000_011), O::Drop, O::End];
    assert_eq!(
        message(check_with(&[I32], &[], locals, |_| {}, ops)),
        "unknown local 4000000011"
    );
}

#[test]
fn unreachable_is_polymorphic() {
    let ops = vec![O::Unreachable, add(), O::End];
    assert!(check(&[], &[I32], ops).is_ok());
    let ops = vec![O::Unreachable, O::I64Const(0), add(), O::End];
    assert!(check(&[], &[I32], ops).is_err());
    let ops = vec![O::Unreachable, O::Select, O::End];
    assert!(check(&[], &[I32], ops).is_ok());
    let ops = vec![
        O::Unreachable,
        O::RefAsNonNull,
        O::Numeric(NumericOp::I32Eqz),
        O::End,
    ];
    assert!(check(&[], &[I32], ops).is_err());
    let ops = vec![
        O::Block(BlockType::Empty),
        O::Br(0),
        O::I32Const(1),
        O::End,
        O::End,
    ];
    assert!(message(check(&[], &[], ops)).starts_with("type mismatch"));
}

#[test]
fn blocks_and_branches() {
    let ops = vec![
        O::Block(BlockType::Value(I32)),
        O::I32Const(1),
        O::LocalGet(0),
        O::BrIf(0),
        O::End,
        O::End,
    ];
    assert!(check(&[I32], &[I32], ops).is_ok());
    let ops = vec![O::Br(1), O::End];
    assert_eq!(message(check(&[], &[], ops)), "unknown label 1");
    let ops = vec![
        O::I32Const(0),
        O::If(BlockType::Value(I32)),
        O::I32Const(1),
        O::End,
        O::End,
    ];
    assert!(message(check(&[], &[I32], ops)).starts_with("type mismatch"));
    let ops = vec![
        O::I32Const(0),
        O::If(BlockType::Value(I32)),
        O::I32Const(1),
        O::Else,
        O::I32Const(2),
        O::End,
        O::End,
    ];
    assert!(check(&[], &[I32], ops).is_ok());
}

#[test]
fn br_table_arity_and_types() {
    let table = |targets: Vec<u32>, default| O::BrTable {
        targets: targets.into(),
        default,
    };
    let ops = vec![
        O::Block(BlockType::Value(I32)),
        O::Block(BlockType::Empty),
        O::I32Const(0),
        O::I32Const(0),
        table(vec![0], 1),
        O::End,
        O::I32Const(1),
        O::End,
        O::End,
    ];
    assert!(message(check(&[], &[I32], ops)).starts_with("type mismatch"));
    // Polymorphic operand: both targets take an i32 / f32; the bottom matches both.
    let ops = vec![
        O::Block(BlockType::Value(F32)),
        O::Unreachable,
        O::Block(BlockType::Value(I32)),
        O::Unreachable,
        O::I32Const(0),
        table(vec![0], 1),
        O::End,
        O::Drop,
        O::F32Const(0),
        O::End,
        O::Drop,
        O::End,
    ];
    assert!(check(&[], &[], ops).is_ok());
    // ... but not a concrete i32.
    let ops = vec![
        O::Block(BlockType::Value(F32)),
        O::Block(BlockType::Value(I32)),
        O::I32Const(7),
        O::I32Const(0),
        table(vec![0, 0, 0], 1),
        O::End,
        O::Drop,
        O::F32Const(0),
        O::End,
        O::Drop,
        O::End,
    ];
    assert!(message(check(&[], &[], ops)).starts_with("type mismatch"));
}

#[test]
fn globals_and_memory() {
    let setup = |m: &mut Module| {
        m.globals.push(Global {
            ty: GlobalType {
                content: I32,
                mutable: false,
            },
            init: crate::syntax::ConstExpr {
                ops: vec![O::I32Const(0)],
                offset: 0,
            },
        });
        m.memories.push(MemoryType::default());
    };
    let ops = vec![O::I32Const(1), O::GlobalSet(0), O::End];
    assert!(message(check_with(&[], &[], vec![], setup, ops)).starts_with("immutable global"));
    let ops = vec![O::GlobalGet(1), O::Drop, O::End];
    assert_eq!(
        message(check_with(&[], &[], vec![], setup, ops)),
        "unknown global 1"
    );
    let load = |align| {
        O::Load(
            LoadOp::I32Load,
            MemArg {
                align,
                offset: 0,
                memory: 0,
            },
        )
    };
    let ops = vec![O::I32Const(0), load(2), O::Drop, O::End];
    assert!(check_with(&[], &[], vec![], setup, ops).is_ok());
    let ops = vec![O::I32Const(0), load(3), O::Drop, O::End];
    assert_eq!(
        message(check_with(&[], &[], vec![], setup, ops)),
        "alignment must not be larger than natural"
    );
}

#[test]
fn ref_func_must_be_declared() {
    let ops = vec![O::RefFunc(0), O::Drop, O::End];
    assert!(message(check(&[], &[], ops.clone())).starts_with("undeclared function reference"));
    let export = |m: &mut Module| {
        m.exports.push(Export {
            name: "f".into(),
            kind: ExternKind::Func,
            index: 0,
        })
    };
    assert!(check_with(&[], &[], vec![], export, ops).is_ok());
}

#[test]
fn non_defaultable_locals_need_initialization() {
    let nn = ValType::Ref(RefType::new(false, HeapType::Func));
    let locals = vec![(1, nn)];
    let ops = vec![O::LocalGet(0), O::Drop, O::End];
    assert!(message(check_with(&[], &[], locals.clone(), |_| {}, ops))
        .starts_with("uninitialized local"));
    let setup = |m: &mut Module| {
        m.exports.push(Export {
            name: "f".into(),
            kind: ExternKind::Func,
            index: 0,
        })
    };
    let ops = vec![
        O::Block(BlockType::Empty),
        O::RefFunc(0),
        O::LocalSet(0),
        O::End,
        O::LocalGet(0),
        O::Drop,
        O::End,
    ];
    assert!(message(check_with(&[], &[], locals.clone(), setup, ops))
        .starts_with("uninitialized local"));
    let ops = vec![
        O::RefFunc(0),
        O::LocalSet(0),
        O::LocalGet(0),
        O::Drop,
        O::End,
    ];
    assert!(check_with(&[], &[], locals, setup, ops).is_ok());
}

#[test]
fn deep_nesting_is_linear() {
    let depth = 100_000;
    let mut ops = Vec::with_capacity(2 * depth + 1);
    ops.extend((0..depth).map(|_| O::Block(BlockType::Empty)));
    ops.extend((0..depth + 1).map(|_| O::End));
    assert!(check(&[], &[], ops).is_ok());
}

#[test]
fn big_br_table_checks_each_label_type_once() {
    // 2,000 nested blocks whose label type has 1,000 values, and a br_table with
    // 200,000 targets over them: checking every target would take 2 * 10^8 steps.
    let many = vec![I64; 1000];
    let setup = |m: &mut Module| {
        m.types.push(functype(&[], &many));
        m.rec_groups.push(1..2);
    };
    let depth = 2000u32;
    let mut ops = Vec::new();
    ops.extend((0..depth).map(|_| O::Block(BlockType::Func(1))));
    ops.extend((0..1000).map(|_| O::I64Const(0)));
    ops.push(O::I32Const(0));
    let targets: Vec<u32> = (0..200_000u32).map(|i| i % depth).collect();
    ops.push(O::BrTable {
        targets: targets.into(),
        default: 0,
    });
    ops.extend((0..depth).map(|_| O::End));
    ops.extend((0..1000).map(|_| O::Drop));
    ops.push(O::End);
    let start = std::time::Instant::now();
    assert!(check_with(&[], &[], vec![], setup, ops).is_ok());
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

fn memarg(align: u32) -> MemArg {
    MemArg {
        align,
        offset: 0,
        memory: 0,
    }
}

fn with_memory(m: &mut Module) {
    m.memories.push(MemoryType::default());
}

fn v128() -> Operator {
    O::V128Const([0; 16])
}

#[test]
fn simd_lane_indices() {
    let extract = |shape, lane| vec![v128(), O::ExtractLane(shape, lane), O::End];
    assert!(check(&[], &[I32], extract(LaneOp::I8x16S, 15)).is_ok());
    assert_eq!(
        message(check(&[], &[I32], extract(LaneOp::I8x16U, 16))),
        "invalid lane index"
    );
    assert!(check(&[], &[F64], extract(LaneOp::F64x2, 1)).is_ok());
    assert_eq!(
        message(check(&[], &[F64], extract(LaneOp::F64x2, 2))),
        "invalid lane index"
    );
    let ops = vec![
        v128(),
        O::I64Const(0),
        O::ReplaceLane(LaneOp::I64x2, 1),
        O::End,
    ];
    assert!(check(&[], &[V128], ops).is_ok());
    let ops = vec![
        v128(),
        O::I32Const(0),
        O::ReplaceLane(LaneOp::I16x8U, 8),
        O::End,
    ];
    assert_eq!(message(check(&[], &[V128], ops)), "invalid lane index");
    let shuffle = |last| {
        let mut lanes = [0u8; 16];
        lanes[15] = last;
        vec![v128(), v128(), O::I8x16Shuffle(lanes), O::End]
    };
    assert!(check(&[], &[V128], shuffle(31)).is_ok());
    assert_eq!(
        message(check(&[], &[V128], shuffle(32))),
        "invalid lane index"
    );
    let load_lane = |bytes, lane| {
        vec![
            O::I32Const(0),
            v128(),
            O::V128LoadLane {
                bytes,
                memarg: memarg(0),
                lane,
            },
            O::End,
        ]
    };
    let run = |ops| check_with(&[], &[V128], vec![], with_memory, ops);
    assert!(run(load_lane(4, 3)).is_ok());
    assert_eq!(message(run(load_lane(4, 4))), "invalid lane index");
    assert_eq!(message(run(load_lane(8, 2))), "invalid lane index");
}

#[test]
fn simd_memory_rules() {
    let load = |op, align| vec![O::I32Const(0), O::V128Load(op, memarg(align)), O::End];
    let run = |ops| check_with(&[], &[V128], vec![], with_memory, ops);
    assert!(run(load(V128LoadOp::Load, 4)).is_ok());
    assert_eq!(
        message(run(load(V128LoadOp::Load, 5))),
        "alignment must not be larger than natural"
    );
    assert!(run(load(V128LoadOp::Load16x4S, 3)).is_ok());
    assert_eq!(
        message(run(load(V128LoadOp::Load8Splat, 1))),
        "alignment must not be larger than natural"
    );
    assert_eq!(
        message(run(load(V128LoadOp::Load32Zero, 3))),
        "alignment must not be larger than natural"
    );
    let store_lane = |align| {
        vec![
            O::I32Const(0),
            v128(),
            O::V128StoreLane {
                bytes: 2,
                memarg: memarg(align),
                lane: 0,
            },
            O::End,
        ]
    };
    let run_void = |ops| check_with(&[], &[], vec![], with_memory, ops);
    assert!(run_void(store_lane(1)).is_ok());
    assert_eq!(
        message(run_void(store_lane(2))),
        "alignment must not be larger than natural"
    );
    // No memory.
    assert_eq!(
        message(check(&[], &[V128], load(V128LoadOp::Load, 0))),
        "unknown memory 0"
    );
    // A 64-bit memory takes an i64 address.
    let mem64 = |m: &mut Module| {
        m.memories.push(MemoryType {
            addr: AddrType::I64,
            limits: Limits { min: 0, max: None },
            shared: false,
            page_size_log2: None,
        })
    };
    let ops = vec![O::I64Const(0), v128(), O::V128Store(memarg(4)), O::End];
    assert!(check_with(&[], &[], vec![], mem64, ops).is_ok());
    let ops = vec![O::I32Const(0), v128(), O::V128Store(memarg(4)), O::End];
    assert!(message(check_with(&[], &[], vec![], mem64, ops)).starts_with("type mismatch"));
}

#[test]
fn simd_signatures() {
    let ops = vec![v128(), v128(), O::Simd(SimdOp::I32x4Add), O::End];
    assert!(check(&[], &[V128], ops).is_ok());
    let ops = vec![v128(), O::I32Const(1), O::Simd(SimdOp::I32x4Add), O::End];
    assert!(message(check(&[], &[V128], ops)).starts_with("type mismatch"));
    let ops = vec![v128(), O::I32Const(1), O::Simd(SimdOp::I8x16Shl), O::End];
    assert!(check(&[], &[V128], ops).is_ok());
    let ops = vec![v128(), O::Simd(SimdOp::I8x16AllTrue), O::End];
    assert!(check(&[], &[I32], ops).is_ok());
    let ops = vec![O::I64Const(1), O::Simd(SimdOp::I32x4Splat), O::End];
    assert!(message(check(&[], &[V128], ops)).starts_with("type mismatch"));
    let ops = vec![
        v128(),
        v128(),
        v128(),
        O::Simd(SimdOp::F32x4RelaxedMadd),
        O::End,
    ];
    assert!(check(&[], &[V128], ops).is_ok());
}

#[test]
fn v128_operands_are_listed() {
    let run = |ops| v128_operands_with(&[V128], &[], vec![], |_| {}, ops);
    // Operator indices stand in for offsets: the drop of a v128 is at 1.
    assert_eq!(run(vec![v128(), O::Drop, O::End]).unwrap(), vec![1]);
    assert_eq!(
        run(vec![O::I32Const(0), O::Drop, O::End]).unwrap(),
        Vec::<u32>::new()
    );
    let ops = vec![
        O::I32Const(0),
        O::Drop,
        O::LocalGet(0),
        v128(),
        O::I32Const(1),
        O::Select,
        O::Drop,
        O::I64Const(0),
        O::I64Const(0),
        O::I32Const(1),
        O::Select,
        O::Drop,
        O::V128Const([1; 16]),
        O::V128Const([2; 16]),
        O::I32Const(1),
        O::TypedSelect(V128),
        O::Drop,
        O::End,
    ];
    assert_eq!(run(ops).unwrap(), vec![5, 6, 16]);
    // In unreachable code the type of a missing operand is unknown: not listed; a
    // `select` with one known v128 operand is.
    let ops = vec![
        O::Unreachable,
        O::Drop,
        v128(),
        O::I32Const(0),
        O::Select,
        O::Drop,
        O::End,
    ];
    assert_eq!(run(ops).unwrap(), vec![4, 5]);
}

/// Packed operand types unpack to what was packed, and two are equal exactly when the
/// types are.
#[test]
fn packed_operand_types() {
    let mut types = vec![I32, I64, F32, F64, V128];
    for nullable in [false, true] {
        for heap in HEAP_KINDS
            .iter()
            .copied()
            .chain([0, 1, 7, u32::MAX].map(HeapType::Concrete))
        {
            types.push(ValType::Ref(RefType::new(nullable, heap)));
        }
    }
    for &a in &types {
        assert_eq!(Opd::val(a).view(), OpdView::Val(a));
        assert_eq!(Opd::val(a).is_num(), a.is_num());
        for &b in &types {
            assert_eq!(Opd::val(a) == Opd::val(b), a == b, "{a} {b}");
        }
        assert_ne!(Opd::val(a), Opd::BOT);
        assert_ne!(Opd::val(a), Opd::BOT_REF);
    }
    assert_eq!(Opd::BOT.view(), OpdView::Bot);
    assert_eq!(Opd::BOT_REF.view(), OpdView::BotRef);
}

mod fast_path;
