//! Unit tests of the function body checker (`func.rs`), driven by operator lists so
//! that they need no binary encoding.

use super::*;
use crate::syntax::{
    CompositeType, Export, ExternKind, FuncType, Global, GlobalType, LoadOp, Module, NumericOp,
    SubType,
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
    let mut m = Module::default();
    m.types.push(functype(params, results));
    m.rec_groups.push(0..1);
    m.funcs.push(0);
    m.code.push(FuncBody { locals, code: 0..0 });
    setup(&mut m);
    let ctx = validate_module(&m)?;
    let mut v = FuncValidator::new(&ctx);
    let mut it = ops.into_iter().enumerate();
    v.validate_ops(0, &m.code[0], || Ok(it.next()))
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
use ValType::{F32, I32, I64};

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
