//! Tests of guard-page traps (`jit::fault`): where memory 0 has guard pages, native
//! code's unchecked accesses out of bounds fault, and the fault is the same trap,
//! with the same backtrace, the same memory and globals, as the interpreter's (and
//! as native code's own bounds checks, `Config::guard_pages(false)`).

use crate::{Config, Engine, Linker, Memory, MemoryType, Module, Store, Tier, Val};

const GUARD: &str = r#"(module
  (import "env" "mem" (memory 1))
  (global $calls (mut i32) (i32.const 0))
  (type $t (func (param i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $down $load)
  ;; Recursion whose deepest frame loads at `addr` (through the table every other
  ;; level), counting its calls in a global first.
  (func $down (export "down") (param $n i32) (param $addr i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.load (local.get $addr)))
      (else (i32.add (i32.const 1)
        (if (result i32) (i32.and (local.get $n) (i32.const 1))
          (then (call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1))
                                         (local.get $addr) (i32.const 0)))
          (else (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $addr))))))))
  (func $load (param i32 i32) (result i32) (i32.load (local.get 1)))
  ;; A loop storing at increasing addresses until it runs out of memory.
  (func (export "fill") (param $from i32) (result i32)
    (loop $l
      (i64.store (local.get $from) (i64.const -1))
      (local.set $from (i32.add (local.get $from) (i32.const 8)))
      (br $l))
    (i32.const 0))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "far") (param i32) (result i32)
    (i32.load offset=0x7ffffff0 (local.get 0)))
  (func (export "farther") (param i32) (result i32)
    (i32.load offset=0x80000000 (local.get 0)))
  (func (export "v128") (param i32) (result i32)
    (i32x4.extract_lane 3 (v128.load (local.get 0))))
  (func (export "grow_then_load") (param i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.load (local.get 0)))
  (func (export "calls") (result i32) (global.get $calls))
  ;; A load whose value the next load's address extends (the code generator merges
  ;; the first load into that extension, the next instruction's): a trap in the
  ;; first is at the first (found by fuzzing).
  (func (export "merged") (param i32) (result i32)
    (i32.load offset=4 (i32.load (local.get 0)))))"#;

/// How a run is configured: the tier, and guard pages or bounds checks.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Interp,
    Guarded,
    Checked,
}

struct Run {
    store: Store<()>,
    inst: crate::Instance,
    mem: Memory,
}

fn start(mode: Mode) -> Run {
    let mut c = Config::new();
    match mode {
        Mode::Interp => c.tier(Tier::Interp),
        Mode::Guarded => c.tier(Tier::Opt),
        Mode::Checked => c.tier(Tier::Opt).guard_pages(false),
    };
    let engine = Engine::new(&c);
    let module = Module::new(&engine, GUARD).unwrap();
    let mut store = Store::new(&engine, ());
    let mem = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let mut linker = Linker::new(&engine);
    linker.define(&store, "env", "mem", mem).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    Run { store, inst, mem }
}

impl Run {
    fn call(&mut self, name: &str, args: &[Val]) -> String {
        let f = self.inst.get_func(&self.store, name).unwrap();
        let mut out = [Val::I32(0)];
        match f.call(&mut self.store, args, &mut out) {
            Ok(()) => format!("{out:?}"),
            Err(e) => e.to_string(),
        }
    }
}

/// Runs `steps` on a fresh instance in each mode; checks every step's outcome and
/// the memory's bytes agree, and returns the outcomes.
fn same(steps: &[(&str, &[Val])]) -> Vec<String> {
    let mut seen: Option<(Vec<String>, Vec<u8>)> = None;
    for mode in [Mode::Interp, Mode::Guarded, Mode::Checked] {
        let mut r = start(mode);
        let before = crate::jit::fault::faults();
        let outs: Vec<String> = steps.iter().map(|(n, a)| r.call(n, a)).collect();
        // Guarded, an access out of bounds within the guard region is a fault (where
        // the host has guard pages); otherwise never.
        let faults = crate::jit::fault::faults() - before;
        let guard_traps = steps
            .iter()
            .zip(&outs)
            .filter(|((n, _), o)| *n != "farther" && o.contains("out of bounds"))
            .count();
        let host = crate::runtime::memory::reservation_supported();
        match mode {
            Mode::Guarded if host => assert_eq!(faults, guard_traps, "{outs:?}"),
            _ => assert_eq!(faults, 0, "{mode:?}"),
        }
        let bytes = r.mem.data(&r.store).to_vec();
        if let Some((o, b)) = &seen {
            assert_eq!(o, &outs, "{mode:?} disagrees with the interpreter");
            assert!(
                b == &bytes,
                "{mode:?}: memory differs from the interpreter's"
            );
        } else {
            seen = Some((outs, bytes));
        }
    }
    seen.map(|s| s.0).unwrap_or_default()
}

#[test]
fn memories_native_code_reads_have_guard_pages_where_the_host_has_them() {
    let guarded = |mode| {
        let r = start(mode);
        r.store.inner.data.memories[r.mem.index as usize].guarded()
    };
    let host = crate::runtime::memory::reservation_supported();
    assert_eq!(guarded(Mode::Guarded), host);
    assert!(!guarded(Mode::Interp), "the interpreter needs none");
    assert!(!guarded(Mode::Checked), "turned off");
}

#[test]
fn an_access_out_of_bounds_deep_in_native_calls_has_the_interpreters_backtrace() {
    for n in [0, 1, 2, 7, 40] {
        let args = [Val::I32(n), Val::I32(65533)];
        let out = same(&[("down", &args), ("calls", &[])]);
        assert!(out[0].contains("out of bounds memory access"), "{}", out[0]);
        assert!(
            out[0].matches("down").count() as i32 >= n,
            "a frame per level: {}",
            out[0]
        );
        // Every call counted its call before the fault.
        assert_eq!(out[1], format!("[I32({})]", n + 1));
        // In bounds, the same code returns.
        let out = same(&[("down", &[Val::I32(n), Val::I32(65532)])]);
        assert_eq!(out[0], format!("[I32({n})]"));
    }
}

#[test]
fn a_store_partly_out_of_bounds_writes_nothing() {
    // The loop's last store would write 4 bytes in bounds and 4 out.
    let out = same(&[
        ("fill", &[Val::I32(65004)]),
        ("byte", &[Val::I32(65535)]),
        ("byte", &[Val::I32(65531)]),
    ]);
    assert!(out[0].contains("out of bounds memory access"), "{}", out[0]);
    assert_eq!(out[1], "[I32(0)]", "the last four bytes stay zero");
    assert_eq!(out[2], "[I32(255)]");
}

#[test]
fn offsets_within_and_beyond_the_guard_region_trap_alike() {
    for a in [0u32, 15, 16, 0x8000_0000, 0xffff_fffc] {
        let out = same(&[
            ("far", &[Val::I32(a as i32)]),
            ("farther", &[Val::I32(a as i32)]),
            ("v128", &[Val::I32(a as i32)]),
        ]);
        assert!(out[0].contains("out of bounds"), "{a}: {}", out[0]);
        assert!(out[1].contains("out of bounds"), "{a}: {}", out[1]);
        assert_eq!(
            out[2].contains("out of bounds"),
            a > 65520,
            "{a}: {}",
            out[2]
        );
    }
}

#[test]
fn a_load_whose_value_a_later_instruction_uses_traps_at_the_load() {
    // Memory is zero: the second load reads at 4.
    for a in [0, 65532, 65533, -4] {
        let out = same(&[("merged", &[Val::I32(a)])]);
        assert_eq!(
            out[0].contains("out of bounds"),
            !(0..=65532).contains(&a),
            "{a}: {}",
            out[0]
        );
    }
}

#[test]
fn memory_grown_becomes_accessible_and_no_further() {
    let out = same(&[
        ("byte", &[Val::I32(65536)]),
        ("grow_then_load", &[Val::I32(65536)]),
        ("byte", &[Val::I32(131071)]),
        ("byte", &[Val::I32(131072)]),
    ]);
    assert!(out[0].contains("out of bounds"), "{}", out[0]);
    assert_eq!(out[1], "[I32(0)]");
    assert_eq!(out[2], "[I32(0)]");
    assert!(out[3].contains("out of bounds"), "{}", out[3]);
}
