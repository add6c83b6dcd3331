//! Guard-page traps: native code's unchecked memory accesses (where memory 0 has
//! guard pages, see `Config::guard_pages`) fault when out of bounds, and this room
//! turns the fault into what a failed bounds check would have done: the
//! out-of-bounds trap at that access, with every natively called frame handed back
//! as its callers would have handed it back (so the backtrace is the same).
//!
//! How (x86-64 Linux; elsewhere memories have no guard pages and nothing here runs):
//! - the interpreter enters native code through [`enter`], a small assembly
//!   trampoline that saves the callee-saved registers and records its stack pointer;
//! - a `SIGSEGV`/`SIGBUS` handler ([`install`]) takes a fault only on a thread
//!   running native code, at an address in memory 0's reservation; it resumes the
//!   thread in a stub below the faulting frame, which calls [`fault`] (a normal
//!   context: it may lock and allocate). Any other fault goes to the handler that was
//!   there before (by default, the process dies as it would have);
//! - `fault` finds the faulting access in the code map ([`register`]: per compiled
//!   function, where its accesses may fault and where its native calls return, as
//!   positions in its register code), walks the native frames by their frame
//!   pointers, records them in the `NativeCtx`, and the trampoline returns
//!   `NATIVE_TRAP` to the interpreter. A fault at a place the map does not list is a
//!   bug in tern: the process aborts with a message rather than go on.
//!
//! Knows nothing of how code is made (it is given the sites) or of the interpreter.

use std::collections::BTreeMap;
use std::sync::RwLock;

use crate::compile::isa::NativeFn;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
use crate::compile::isa::{NativeCtx, NativeExit, NativeFrame, NATIVE_RESERVATION};

/// Where a compiled function's code may fault or return from a native call.
pub(super) struct Sites {
    /// The function's index in its module.
    pub func: u32,
    /// The code's length in bytes.
    pub len: usize,
    /// Per unchecked memory access, its code offset and the instruction it belongs
    /// to, by offset.
    pub traps: Box<[(u32, u32)]>,
    /// Per native call, the code offset it returns to, the call instruction and the
    /// callee's frame base (in slots from the caller's), by offset.
    pub calls: Box<[(u32, u32, u32)]>,
}

/// The code map: compiled functions by the address of their first byte.
static CODE: RwLock<BTreeMap<usize, Sites>> = RwLock::new(BTreeMap::new());

/// Keeps a function's sites in the code map while its code exists.
pub(super) struct Registered(usize);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut map = CODE.write().unwrap_or_else(|e| e.into_inner());
        map.remove(&self.0);
    }
}

/// Lists the sites of the code starting at `start` until the result is dropped.
pub(super) fn register(start: *const u8, sites: Sites) -> Registered {
    let mut map = CODE.write().unwrap_or_else(|e| e.into_inner());
    map.insert(start as usize, sites);
    Registered(start as usize)
}

/// The function whose code holds address `pc`: its start and sites.
fn find(map: &BTreeMap<usize, Sites>, pc: usize) -> Option<(usize, &Sites)> {
    let (&start, s) = map.range(..=pc).next_back()?;
    (pc - start < s.len).then_some((start, s))
}

/// Runs native code `f` (see `NativeFn`) with memory 0 at `mem` (null if it has no
/// guard pages): through the trampoline, so that a fault in it comes back here as
/// `NATIVE_TRAP` with `cx` filled as a failed bounds check would have left it.
///
/// # Safety
/// As for calling `f`; `mem`, when not null, is the base of the running instance's
/// memory 0, a reservation of `NATIVE_RESERVATION` bytes.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub unsafe fn enter(
    f: NativeFn,
    sp: *mut u64,
    id: u32,
    cx: *mut NativeCtx,
    depth: u32,
    mem: *mut u8,
) -> u32 {
    let mut a = Active {
        resume_sp: 0,
        mem: mem as usize,
        sp,
        cx,
    };
    // Everything reaches `a` through this one pointer while native code runs (the
    // trampoline writes `resume_sp`, `fault` reads it).
    let ap: *mut Active = &mut a;
    let prev = ACTIVE.with(|c| c.replace(ap));
    // SAFETY: the caller's guarantee; `a` outlives the call.
    let status = unsafe {
        let resume_sp = std::ptr::addr_of_mut!((*ap).resume_sp);
        tern_jit_enter(f, sp, id, cx.cast(), depth, resume_sp)
    };
    ACTIVE.with(|c| c.set(prev));
    status
}

/// Elsewhere: a plain call.
///
/// # Safety
/// As for calling `f`.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
pub unsafe fn enter(
    f: NativeFn,
    sp: *mut u64,
    id: u32,
    cx: *mut crate::compile::isa::NativeCtx,
    depth: u32,
    _mem: *mut u8,
) -> u32 {
    // SAFETY: the caller's guarantee.
    unsafe { f(sp, id, cx, depth) }
}

/// Installs the fault handler (once per process); whether it is installed.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub fn install() -> bool {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DONE.get_or_init(|| {
        // SAFETY: `sigaction` with valid pointers; the previous actions are stored
        // before the handler that reads them is installed.
        unsafe {
            for (i, sig) in [libc::SIGSEGV, libc::SIGBUS].into_iter().enumerate() {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
                    return false;
                }
                if PREV[i].set(old).is_err() {
                    return false;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_fault as *const () as usize;
                new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut new.sa_mask);
                if libc::sigaction(sig, &new, std::ptr::null_mut()) != 0 {
                    return false;
                }
            }
        }
        true
    })
}

/// Elsewhere there are no guard pages.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
pub fn install() -> bool {
    false
}

/// What the fault handler knows of the native code running on a thread.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[repr(C)]
struct Active {
    /// The trampoline's stack pointer, to resume it at (written by the trampoline).
    resume_sp: usize,
    /// Memory 0's base (0: no guard pages).
    mem: usize,
    /// The frame native code was entered on, and its context.
    sp: *mut u64,
    cx: *mut NativeCtx,
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
thread_local! {
    /// The innermost native code running on this thread (null: none). Constant-
    /// initialized and without a destructor, so the signal handler reads it safely.
    static ACTIVE: std::cell::Cell<*mut Active> = const { std::cell::Cell::new(std::ptr::null_mut()) };
}

#[cfg(all(test, target_os = "linux", target_arch = "x86_64"))]
thread_local! {
    /// How many faults became traps on this thread (for tests).
    pub(super) static FAULTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many faults became traps on this thread so far (for tests; 0 where there are
/// no guard pages).
#[cfg(test)]
pub(super) fn faults() -> usize {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        FAULTS.with(|n| n.get())
    }
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    {
        0
    }
}

/// The actions `install` replaced, for `SIGSEGV` and `SIGBUS`.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
static PREV: [std::sync::OnceLock<libc::sigaction>; 2] =
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()];

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
extern "C" {
    /// `(f, sp, entry, cx, depth, resume_sp)`: saves the callee-saved registers,
    /// stores its stack pointer at `resume_sp`, calls `f(sp, entry, cx, depth)` and
    /// returns its status (or `NATIVE_TRAP`, resumed after a fault).
    fn tern_jit_enter(
        f: NativeFn,
        sp: *mut u64,
        id: u32,
        cx: *mut std::ffi::c_void,
        depth: u32,
        resume_sp: *mut usize,
    ) -> u32;
    /// Where the handler resumes a faulting thread: calls `fault(active, pc, fp)`
    /// and returns from `tern_jit_enter` with `NATIVE_TRAP` on the stack it returns.
    fn tern_jit_fault_stub();
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl tern_jit_enter",
    ".hidden tern_jit_enter",
    "tern_jit_enter:",
    ".cfi_startproc",
    "push rbp",
    ".cfi_def_cfa_offset 16",
    ".cfi_offset rbp, -16",
    "mov rbp, rsp",
    ".cfi_def_cfa_register rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    // 16-byte alignment at the call.
    "sub rsp, 8",
    "mov [r9], rsp",
    "mov rax, rdi",
    "mov rdi, rsi",
    "mov esi, edx",
    "mov rdx, rcx",
    "mov ecx, r8d",
    "call rax",
    "2:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    ".cfi_def_cfa rsp, 8",
    "ret",
    ".cfi_endproc",
    "",
    ".p2align 4",
    ".globl tern_jit_fault_stub",
    ".hidden tern_jit_fault_stub",
    "tern_jit_fault_stub:",
    "call {fault}",
    "mov rsp, rax",
    "mov eax, {trap}",
    "jmp 2b",
    fault = sym fault,
    trap = const crate::compile::isa::NATIVE_TRAP,
);

/// The signal handler: a fault of native code in memory 0's reservation resumes the
/// thread in `tern_jit_fault_stub`; any other goes to the previous handler.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
unsafe extern "C" fn on_fault(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    let a = ACTIVE.with(|c| c.get());
    // SAFETY: the kernel passes a valid `siginfo_t` and `ucontext_t`; `a`, when not
    // null, is the live `Active` of the native code this thread runs.
    unsafe {
        if !a.is_null() && (*a).mem != 0 {
            let addr = (*info).si_addr() as usize;
            if addr.wrapping_sub((*a).mem) < NATIVE_RESERVATION {
                let uc = &mut *(ctx as *mut libc::ucontext_t);
                let g = &mut uc.uc_mcontext.gregs;
                let pc = g[libc::REG_RIP as usize];
                let fp = g[libc::REG_RBP as usize];
                let sp = g[libc::REG_RSP as usize] as usize;
                g[libc::REG_RDI as usize] = a as i64;
                g[libc::REG_RSI as usize] = pc;
                g[libc::REG_RDX as usize] = fp;
                // Below the faulting frame (and any red zone), aligned for a call.
                g[libc::REG_RSP as usize] = (sp.wrapping_sub(256) & !15) as i64;
                g[libc::REG_RIP as usize] = tern_jit_fault_stub as *const () as usize as i64;
                return;
            }
        }
        let i = usize::from(sig != libc::SIGSEGV);
        let Some(prev) = PREV[i].get() else {
            return;
        };
        if prev.sa_sigaction == libc::SIG_DFL || prev.sa_sigaction == libc::SIG_IGN {
            // Put it back: the access faults again, with the default action.
            libc::sigaction(sig, prev, std::ptr::null_mut());
        } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
            let h: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(prev.sa_sigaction);
            h(sig, info, ctx);
        } else {
            let h: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
            h(sig);
        }
    }
}

/// Called by `tern_jit_fault_stub` for a fault at `pc` whose frame pointer is `fp`:
/// records the trap and the natively called frames in `a`'s context, and returns
/// the trampoline's stack pointer to resume at. Aborts if `pc` is no access that
/// may fault, or a frame is not native code's.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
extern "C" fn fault(a: *mut Active, pc: usize, fp: usize) -> usize {
    // SAFETY: the handler passes the live `Active` of the faulting thread.
    let a = unsafe { &mut *a };
    #[cfg(test)]
    FAULTS.with(|n| n.set(n.get() + 1));
    // SAFETY: `pc` and `fp` are the faulting native code's; its frames, above this
    // one, are intact.
    if unsafe { record(a, pc, fp) }.is_none() {
        eprintln!("tern: internal error: native code faulted at {pc:#x}, not at a memory access");
        std::process::abort();
    }
    a.resume_sp
}

/// The work of [`fault`]; `None` if the fault or a frame is not where native code
/// may be.
///
/// # Safety
/// `pc` is the faulting instruction of native code entered through `a`, and `fp` its
/// frame pointer, with the frames of its native callers intact above it.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
unsafe fn record(a: &mut Active, pc: usize, fp: usize) -> Option<()> {
    use crate::error::TrapCode;
    let map = CODE.read().unwrap_or_else(|e| e.into_inner());
    let (start, s) = find(&map, pc)?;
    let off = (pc - start) as u32;
    let i = s.traps.binary_search_by_key(&off, |t| t.0).ok()?;
    // Innermost first: (function in the module, instruction, base of its callee).
    let mut chain = vec![(s.func, s.traps[i].1, 0u32)];
    let mut fp = fp;
    loop {
        // SAFETY: every native frame has a frame pointer: the saved caller's one
        // at `fp`, the return address above it.
        let (next, ret) = unsafe { (*(fp as *const usize), *(fp as *const usize).add(1)) };
        let Some((start, s)) = find(&map, ret) else {
            // The trampoline: the frame native code was entered on comes last.
            break;
        };
        let off = (ret - start) as u32;
        let j = s.calls.binary_search_by_key(&off, |c| c.0).ok()?;
        let (_, call_pc, base) = s.calls[j];
        chain.push((s.func, call_pc, base));
        fp = next;
    }
    // SAFETY: `cx` is the live context of this entry.
    let cx = unsafe { &mut *a.cx };
    let code = crate::compile::isa::native_trap_code(TrapCode::MemoryOutOfBounds)?;
    let (_, outer_pc, _) = *chain.last()?;
    cx.exit = NativeExit {
        pc: outer_pc,
        trap: code,
        acc: 0,
    };
    cx.frames.clear();
    // Frame bases from the entered frame inwards; frames handed back innermost first.
    let mut sp = a.sp;
    let mut frames = Vec::with_capacity(chain.len() - 1);
    for k in (0..chain.len() - 1).rev() {
        sp = sp.wrapping_add(chain[k + 1].2 as usize);
        let (func, pc, _) = chain[k];
        let func = cx.local_base.wrapping_add(func);
        // SAFETY: the callee records cover every store function.
        let n = unsafe { (*cx.callees.add(func as usize)).frame_size } as usize;
        // SAFETY: a native call's frame lies inside the stack's slots (the callee
        // checked there was room for it before it ran).
        let slots = unsafe { std::slice::from_raw_parts(sp, n) }.into();
        frames.push(NativeFrame {
            func,
            sp,
            pc,
            slots,
        });
    }
    frames.reverse();
    cx.frames = frames;
    Some(())
}
