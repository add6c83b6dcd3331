//! Pathological modules: compiling and running them must stay proportional to their
//! size (no quadratic blow-up on deep nesting, huge `br_table`s, many locals or deep
//! operand stacks). Each case is large enough that a quadratic algorithm would take
//! minutes; the bound asserted is seconds. Memory is bounded too: a counting allocator
//! records the peak of live heap bytes on the test's thread, and each case asserts it
//! stays within what an empty module takes plus a fixed multiple of the module's size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use tern::{Engine, Error, Instance, Module, Store};

fn leb(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// A module with one exported function `f: [] -> []` with `locals` i32 locals and the
/// given instructions (without the final `end`).
fn module(locals: u32, code: &[u8]) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut m);
    section(3, &[1, 0], &mut m);
    section(7, &[1, 1, b'f', 0, 0], &mut m);
    let mut body = Vec::new();
    if locals > 0 {
        body.push(1);
        leb(locals as u64, &mut body);
        body.push(0x7f);
    } else {
        body.push(0);
    }
    body.extend_from_slice(code);
    body.push(0x0b);
    let mut code_sec = vec![1];
    leb(body.len() as u64, &mut code_sec);
    code_sec.extend_from_slice(&body);
    section(10, &code_sec, &mut m);
    m
}

/// The system allocator, counting live bytes per thread (tests run on parallel
/// threads; each measures only its own allocations).
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    // `try_with`: the thread's counters may already be gone while it exits.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to `System`; the counting around it
// touches only const-initialized thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout (every allocation goes
        // through this allocator).
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `new_size` is the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Heap bytes a case may use at its peak: what running an empty function takes
/// (engine, store, the reserved value stack) plus a fixed multiple of the module's size.
fn memory_bound(module_len: usize) -> usize {
    let (_, empty) = measure(&module(0, &[]));
    empty + MEMORY_PER_BYTE * module_len
}
const MEMORY_PER_BYTE: usize = 64;

/// Creates, instantiates and calls `f`; returns the outcome and the time it took.
/// Asserts the peak heap use stayed within [`memory_bound`].
fn run(bytes: &[u8]) -> (Result<(), Error>, Duration) {
    let start = Instant::now();
    let (r, peak) = measure(bytes);
    let elapsed = start.elapsed();
    let bound = memory_bound(bytes.len());
    assert!(
        peak <= bound,
        "peak heap {peak} bytes for a {}-byte module (bound {bound})",
        bytes.len()
    );
    (r, elapsed)
}

/// Creates, instantiates and calls `f`; returns the outcome and the peak of heap
/// bytes live on this thread meanwhile.
fn measure(bytes: &[u8]) -> (Result<(), Error>, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let r = (|| {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes)?;
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[])?;
        inst.get_typed_func::<(), ()>(&store, "f")?
            .call(&mut store, ())
    })();
    (r, (PEAK.with(Cell::get) - base) as usize)
}

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn deeply_nested_blocks() {
    let n = 100_000;
    let mut code = Vec::new();
    for _ in 0..n {
        code.extend_from_slice(&[0x02, 0x40]); // block
    }
    code.extend_from_slice(&[0x0c, 0x00]); // br 0
    code.extend(std::iter::repeat_n(0x0b, n)); // end ...
    let (r, t) = run(&module(0, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn huge_br_table() {
    let n = 200_000u64;
    let mut code = vec![0x02, 0x40, 0x41, 0x05, 0x0e]; // block; i32.const 5; br_table
    leb(n, &mut code);
    for _ in 0..n {
        leb(0, &mut code); // every target is the block
    }
    code.push(0x00); // default
    code.push(0x0b);
    let (r, t) = run(&module(0, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn many_locals() {
    // 60,000 locals fit a frame; each is read and written once.
    let n = 60_000u32;
    let mut code = Vec::new();
    for i in 0..n {
        code.push(0x20); // local.get i
        leb(i as u64, &mut code);
        code.push(0x21); // local.set (i + 1) % n
        leb(((i + 1) % n) as u64, &mut code);
    }
    let (r, t) = run(&module(n, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn more_locals_than_a_frame_holds_is_a_clean_error() {
    let (r, t) = run(&module(1_000_000, &[]));
    assert!(matches!(r, Err(Error::Unsupported { .. })), "{r:?}");
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn deep_operand_stack_with_branches_and_local_sets() {
    // 30,000 lazy local reads stay on the stack while 30,000 br_ifs and local.sets
    // run above them.
    let n = 30_000;
    let mut code = vec![0x02, 0x40]; // block
    for _ in 0..n {
        code.extend_from_slice(&[0x20, 0x00]); // local.get 0
    }
    for _ in 0..n {
        code.extend_from_slice(&[0x41, 0x00, 0x0d, 0x00]); // i32.const 0; br_if 0
        code.extend_from_slice(&[0x41, 0x07, 0x21, 0x00]); // i32.const 7; local.set 0
    }
    code.extend(std::iter::repeat_n(0x1a, n)); // drop ...
    code.push(0x0b);
    let (r, t) = run(&module(1, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}
