//! The contract between native code (made by the optimizing tier, `crate::jit`, from
//! a function's internal code) and the interpreter that enters it
//! (`exec::threaded::native`): the native function's signature, what it reads of the
//! running instance and the stack, how it reports leaving, and the frames it hands
//! back. Re-exported by [`crate::compile::isa`], whose code native code is made from.
//!
//! Native code keeps the interpreter's frame as its contract. It is entered at an
//! instruction of the register code (an entry) reading the frame's slots, or called by
//! other native code at the function's start ([`NATIVE_CALL_ENTRY`]); it leaves at an
//! instruction of the register code having written back every slot it changed (the
//! interpreter goes on there), with a trap at an instruction, or, when called
//! natively, by returning its results in the frame's first slots.
//!
//! This room owns these types and nothing that uses them.

use crate::error::TrapCode;

/// Native code for one function, made by the optimizing tier (`crate::jit`) from the
/// function's internal code and entered by the interpreter. It reads its operands
/// from the frame's slots when entered at one of its `entries` (instruction indices:
/// the function's start and loop headers) and, when it leaves, has written back every
/// slot it changed and says at which instruction the interpreter goes on, or which
/// trap it hit there.
pub struct Native {
    /// The code; see [`NativeFn`].
    pub func: NativeFn,
    /// The instructions at which `func` can be entered, in increasing order; an
    /// entry's position in this list is its id.
    pub entries: Box<[u32]>,
    /// Owns the executable memory `func` points into (held for its `Drop`).
    #[allow(dead_code)]
    pub owner: Box<dyn std::any::Any + Send + Sync>,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

/// Native code's signature: `(sp, entry, cx, depth) -> status`.
///
/// - `sp` is the frame's first slot;
/// - `entry` the id of the entry point to start at (a position in
///   `Native::entries`), or [`NATIVE_CALL_ENTRY`] when native code calls the function:
///   then only its parameters are in the frame (its locals and constants are not), and
///   it first checks the interpreter's limits for the call (another frame, room for
///   it in the slots; and the host stack's floor), returning [`NATIVE_REFUSED`] at
///   once if one fails;
///   from any entry, it returns its results in the frame's first slots with
///   [`NATIVE_RETURN`] (the interpreter pops the frame of one it entered);
/// - `cx` the rest of the running instance and the stack it reads, and where it
///   reports how it left;
/// - `depth` how many more frames the stack takes (`Config::max_call_depth` less the
///   frames already on it, counting this one's), at most `i32::MAX`; a native call
///   passes its own less one, so a callee that gets a negative depth (as an `i32`)
///   has no frame and refuses the call.
///
/// The status is [`NATIVE_CONTINUE`], [`NATIVE_TRAP`] or [`NATIVE_RETURN`].
pub type NativeFn =
    unsafe extern "C" fn(sp: *mut u64, entry: u32, cx: *mut NativeCtx, depth: u32) -> u32;

/// The entry id with which native code calls native code (see [`NativeFn`]).
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub const NATIVE_CALL_ENTRY: u32 = u32::MAX;

/// What native code reads of the running instance and of the stack; where it reports
/// how it left. Valid while the native code runs (it runs no host code, so nothing is
/// added to the store and no memory moves).
#[repr(C)]
#[derive(Debug)]
pub struct NativeCtx {
    /// Memory 0's base and length in bytes (null and 0 without one).
    pub mem: *mut u8,
    pub len: usize,
    /// The store's global entities, laid out as [`NativeLayout`] says, and the
    /// instance's map from its global indices to the store's.
    pub globals: *mut u8,
    pub inst_globals: *const u32,
    /// The store's fuel left (read and written by `ConsumeFuel`).
    pub fuel: *mut u64,
    /// The engine's epoch (an `AtomicU64`, read by `CheckEpoch`) and the store's
    /// deadline in it.
    pub epoch: *const u64,
    pub epoch_deadline: u64,
    /// The store index the running instance's function 0 would have were it defined
    /// (its defined function `i` is store function `local_base + i`, wrapping).
    pub local_base: u32,
    /// The running instance (its store index).
    pub inst: u32,
    /// Per store function index, how native code calls it: the stack's records (see
    /// [`NativeCallee`]); every store function has one.
    pub callees: *const NativeCallee,
    /// The same records from the running instance's function 0 on (`callees +
    /// local_base`, wrapping): its defined function `i`'s is at `i`.
    pub local_callees: *const NativeCallee,
    /// The running instance's table 0: its elements (0 for null, else a store
    /// function index plus one) and their number; nothing writes a table while
    /// native code runs.
    pub table0: *const u64,
    pub table0_len: usize,
    /// The address one past the stack's last slot.
    pub slots_end: usize,
    /// The lowest host stack address at which native code still calls native code
    /// (below it, it leaves the call to the interpreter, which needs no host stack
    /// per wasm frame).
    pub stack_floor: usize,
    /// Called by native code whose native callee left other than by returning, with
    /// the callee's store index and its frame, before it leaves itself at the call
    /// (see [`native_unwound`]).
    pub unwound: unsafe extern "C" fn(cx: *mut NativeCtx, callee: u32, sp: *mut u64),
    /// `memory.fill` and `memory.copy` of memory 0, on ranges native code checked:
    /// [`native_fill`] and [`native_copy`].
    pub fill: unsafe extern "C" fn(dst: *mut u8, value: u32, n: usize),
    pub copy: unsafe extern "C" fn(dst: *mut u8, src: *const u8, n: usize),
    /// How native code left (the innermost frame's position, kept while its callers
    /// leave; see [`NativeExit`]).
    pub exit: NativeExit,
    /// The frames of natively called functions that left, innermost first: the
    /// interpreter pushes them (outermost first) to go on where the innermost left.
    pub frames: Vec<NativeFrame>,
}

/// How native code calls a store function: its native code (`None` until the
/// function has been entered once through the interpreter, or if it has none), the
/// slots its frame takes on the stack (`CompiledFunc::stack_frame_size`), its
/// engine-wide type id (for `call_indirect`'s check) and its instance (native code
/// calls only functions of the running one).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NativeCallee {
    pub func: Option<NativeFn>,
    pub frame_size: u32,
    pub type_id: u32,
    pub inst: u32,
}

impl NativeCallee {
    /// A function native code does not call.
    pub const NONE: NativeCallee = NativeCallee {
        func: None,
        frame_size: u32::MAX,
        type_id: u32::MAX,
        inst: u32::MAX,
    };
}

/// A frame native code made and hands back: the function (store index), where its
/// slots start, the instruction it stands at (the innermost: where it left; the
/// others: their call), and its slots as it left them (its caller, leaving after it,
/// writes back its own slots, which may overlap this frame's dead part).
#[derive(Clone, Debug)]
pub struct NativeFrame {
    pub func: u32,
    pub sp: *mut u64,
    pub pc: u32,
    pub slots: Box<[u64]>,
}

/// [`NativeCtx::unwound`]: records the frame of store function `callee` at `sp`,
/// standing where `cx`'s exit says, with its slots.
///
/// # Safety
/// `cx` is a live, exclusively used context; `callee` has a record in its callees,
/// and its frame at `sp` lies inside the stack's slots (native code called it).
pub unsafe extern "C" fn native_unwound(cx: *mut NativeCtx, callee: u32, sp: *mut u64) {
    // SAFETY: the caller's guarantee.
    let cx = unsafe { &mut *cx };
    let pc = cx.exit.pc;
    // SAFETY: as above: the frame's `frame_size` slots are inside the stack's slots.
    let slots = unsafe {
        let n = (*cx.callees.add(callee as usize)).frame_size as usize;
        std::slice::from_raw_parts(sp, n).into()
    };
    cx.frames.push(NativeFrame {
        func: callee,
        sp,
        pc,
        slots,
    });
}

/// [`NativeCtx::fill`]: sets the `n` bytes at `dst` to `value`'s low byte.
///
/// # Safety
/// The `n` bytes at `dst` are writable (native code checked they lie in memory 0).
pub unsafe extern "C" fn native_fill(dst: *mut u8, value: u32, n: usize) {
    // SAFETY: the caller's guarantee.
    unsafe { std::ptr::write_bytes(dst, value as u8, n) }
}

/// [`NativeCtx::copy`]: copies the `n` bytes at `src` to `dst` (they may overlap).
///
/// # Safety
/// The `n` bytes at `src` are readable and those at `dst` writable (native code
/// checked both ranges lie in memory 0).
pub unsafe extern "C" fn native_copy(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's guarantee; `copy` allows overlap, as `memory.copy` does.
    unsafe { std::ptr::copy(src, dst, n) }
}

/// The store's layout facts native code is compiled with (the runtime owns them): a
/// global entity's size, and where its 64-bit value (the low half of its `u128`, on
/// little-endian hosts) lies in it.
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
#[derive(Clone, Copy, Debug)]
pub struct NativeLayout {
    pub global_size: usize,
    pub global_value: usize,
}

/// What native code is compiled with of the function's module.
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
#[derive(Clone, Copy)]
pub struct NativeModule<'a> {
    pub layout: NativeLayout,
    /// The module's imported functions (calls of them are left to the interpreter).
    pub imported_funcs: u32,
    /// The function's index in the module's function index space.
    pub index: u32,
    /// Memory 0 has guard pages (see [`NATIVE_GUARD`]).
    pub guard_pages: bool,
    /// The slots the function's results take.
    pub results: u32,
    /// The slots the parameters and the results of module function `f` take.
    pub arity: &'a dyn Fn(u32) -> Option<(u32, u32)>,
    /// The same for the function type with engine-wide id `t` (`call_indirect`).
    pub type_arity: &'a dyn Fn(u32) -> Option<(u32, u32)>,
}

/// How native code left: the instruction the interpreter goes on at (or that
/// trapped), the trap's code (see [`native_trap_code`]), and the accumulator's value
/// when that instruction reads it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeExit {
    pub pc: u32,
    pub trap: u32,
    pub acc: u64,
}

/// Native code left at `NativeExit::pc`, which the interpreter executes next.
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub const NATIVE_CONTINUE: u32 = 0;
/// Native code trapped at `NativeExit::pc` with `NativeExit::trap`.
pub const NATIVE_TRAP: u32 = 1;
/// Native code returned at the return instruction `NativeExit::pc` (its results are
/// in its frame's first slots).
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub const NATIVE_RETURN: u32 = 2;
/// Natively called code refused the call before doing anything: the stack has no
/// room for its frame or another frame, or the host stack is below its floor (the
/// caller leaves the call to the interpreter, which makes it or traps).
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub const NATIVE_REFUSED: u32 = 3;

/// The address space a memory with guard pages reserves (see
/// `runtime::memory::MemoryEntity::guarded`): 4 GiB, the most a 32-bit memory can
/// reach, and a guard region of [`NATIVE_GUARD`] bytes after it. Only the memory's
/// length is accessible; the rest faults.
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub const NATIVE_RESERVATION: usize = (4 << 30) + NATIVE_GUARD;

/// The guard region after the 4 GiB a 32-bit memory can reach: an access whose
/// static offset plus size is at most this needs no bounds check in native code when
/// memory 0 has guard pages (its address, below 4 GiB, plus that can only land in
/// the memory or the reservation, whose inaccessible part faults; the fault becomes
/// the out-of-bounds trap at the access, see `jit::fault`).
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub const NATIVE_GUARD: usize = 2 << 30;

/// The traps native code reports, by their code in `NativeExit::trap`.
const NATIVE_TRAPS: [TrapCode; 5] = [
    TrapCode::Unreachable,
    TrapCode::MemoryOutOfBounds,
    TrapCode::IntegerDivideByZero,
    TrapCode::IntegerOverflow,
    TrapCode::BadConversionToInteger,
];

/// The code native code reports trap `t` with (`None`: native code cannot report it).
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub fn native_trap_code(t: TrapCode) -> Option<u32> {
    NATIVE_TRAPS.iter().position(|&x| x == t).map(|i| i as u32)
}

/// The trap native code reported with `code`.
pub fn native_trap(code: u32) -> TrapCode {
    NATIVE_TRAPS
        .get(code as usize)
        .copied()
        .unwrap_or(TrapCode::Unreachable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_native_trap_code_round_trips() {
        for t in NATIVE_TRAPS {
            assert_eq!(native_trap_code(t).map(native_trap), Some(t));
        }
        assert_eq!(native_trap_code(TrapCode::OutOfFuel), None);
    }

    #[test]
    fn fill_and_copy_do_what_the_bulk_memory_instructions_do() {
        let mut m = *b"abcdefgh";
        // SAFETY: every range is inside `m`.
        unsafe {
            native_fill(m.as_mut_ptr().add(1), 0x17a, 2);
            assert_eq!(&m, b"azzdefgh");
            // Overlapping, both ways.
            native_copy(m.as_mut_ptr().add(2), m.as_ptr(), 4);
            assert_eq!(&m, b"azazzdgh");
            native_copy(m.as_mut_ptr(), m.as_ptr().add(3), 5);
            assert_eq!(&m, b"zzdghdgh");
            native_fill(m.as_mut_ptr(), 0, 0);
            assert_eq!(&m, b"zzdghdgh");
        }
    }

    #[test]
    fn unwound_records_the_exit_position_and_the_frame() {
        let callees = [
            NativeCallee::NONE,
            NativeCallee {
                frame_size: 3,
                ..NativeCallee::NONE
            },
        ];
        let mut cx = NativeCtx {
            mem: std::ptr::null_mut(),
            len: 0,
            globals: std::ptr::null_mut(),
            inst_globals: std::ptr::null(),
            fuel: std::ptr::null_mut(),
            epoch: std::ptr::null(),
            epoch_deadline: 0,
            local_base: 0,
            inst: 0,
            callees: callees.as_ptr(),
            local_callees: callees.as_ptr(),
            table0: std::ptr::null(),
            table0_len: 0,
            slots_end: 0,
            stack_floor: 0,
            unwound: native_unwound,
            fill: native_fill,
            copy: native_copy,
            exit: NativeExit {
                pc: 7,
                trap: 0,
                acc: 0,
            },
            frames: Vec::new(),
        };
        let mut slots = [1u64, 2, 3, 4];
        // SAFETY: `cx` is live and used only here; function 1's frame of 3 slots is
        // inside `slots`.
        unsafe { (cx.unwound)(&mut cx, 1, slots.as_mut_ptr()) };
        assert_eq!(cx.frames.len(), 1);
        let f = &cx.frames[0];
        assert_eq!((f.func, f.pc, &f.slots[..]), (1, 7, &[1, 2, 3][..]));
    }
}
