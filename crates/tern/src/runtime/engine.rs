//! The engine: configuration shared by every module and store made with it, and the
//! registry that gives each distinct function type an engine-wide id, so that
//! `call_indirect` and linking compare types with one integer comparison.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::syntax::FuncType;

/// Settings for an [`Engine`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) lazy_compilation: bool,
    pub(crate) consume_fuel: bool,
    pub(crate) epoch_interruption: bool,
    pub(crate) deterministic: bool,
    pub(crate) tier: Tier,
    pub(crate) guard_pages: bool,
    pub(crate) parallel_compilation: bool,
}

/// Which execution tiers run wasm ([`Config::tier`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tier {
    /// Everything in the interpreter.
    Interp,
    /// Every function is also compiled to native code (by Cranelift) before it first
    /// runs; what the optimizing tier does not translate yet runs in the interpreter.
    Opt,
    /// The interpreter, with hot code moving to native code: a function whose calls
    /// and loop iterations pass a threshold is compiled (on a background thread, see
    /// [`Config::parallel_compilation`]) and then entered at its start and its loop
    /// headers, also from a loop already running (on-stack replacement).
    #[default]
    Auto,
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Tier, String> {
        match s {
            "interp" => Ok(Tier::Interp),
            "opt" => Ok(Tier::Opt),
            "auto" => Ok(Tier::Auto),
            _ => Err(format!("unknown tier `{s}` (expected interp, opt or auto)")),
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_call_depth: 10_000,
            max_stack_slots: 1 << 20,
            lazy_compilation: true,
            consume_fuel: false,
            epoch_interruption: false,
            deterministic: false,
            tier: Tier::Auto,
            guard_pages: true,
            parallel_compilation: true,
        }
    }
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// The most nested wasm calls before a call traps with "call stack exhausted"
    /// (default 10,000). tern never recurses on the host stack for wasm calls, so any
    /// depth is safe for the host; this bounds the memory a runaway recursion takes.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// The most 8-byte value slots one call stack may hold (default 1,048,576 = 8 MiB).
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.max_stack_slots = slots.max(16);
        self
    }

    /// Meter execution with fuel (default `false`): a store starts with none, and
    /// running out traps with "all fuel consumed". Fuel is charged at function entry
    /// and at every loop iteration, one unit per wasm instruction of the code that
    /// follows up to the next such point. With it off, no metering code is compiled.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// Let another thread interrupt running wasm (default `false`): code checks the
    /// engine's epoch (see [`Engine::increment_epoch`]) against the store's deadline
    /// at function entry and at every loop iteration, and traps with "interrupted"
    /// once it is reached. With it off, no checks are compiled.
    pub fn epoch_interruption(&mut self, on: bool) -> &mut Self {
        self.epoch_interruption = on;
        self
    }

    /// Deterministic execution (default `false`): every float operation whose NaN
    /// result could differ between hosts yields the canonical NaN, so the same module
    /// and inputs give bit-identical results and memory everywhere. (Host functions
    /// must be deterministic too: see `tern_wasi`'s deterministic context.)
    pub fn deterministic(&mut self, on: bool) -> &mut Self {
        self.deterministic = on;
        self
    }

    /// Which tiers run wasm (default [`Tier::Auto`]). Behaviour is the same in every
    /// tier: results, traps and their backtraces, fuel and limits. Where the optimizing
    /// tier is not available (see [`Engine::has_optimizing_tier`]), everything runs in
    /// the interpreter.
    pub fn tier(&mut self, tier: Tier) -> &mut Self {
        self.tier = tier;
        self
    }

    /// Let native code access memory without bounds checks (default `true`): where
    /// the host supports it (64-bit Linux on x86-64) and the optimizing tier runs,
    /// each memory native code reads (32-bit addresses, 64 KiB pages) reserves 6 GiB
    /// of address space, of which only its length is accessible, and an access out
    /// of bounds faults; tern turns the fault into the same trap, with the same
    /// backtrace, as a failed check. This installs a handler for `SIGSEGV` and
    /// `SIGBUS` (chaining to the one it replaces for faults that are not native
    /// code's). With `false`, or elsewhere, native code checks every access.
    pub fn guard_pages(&mut self, on: bool) -> &mut Self {
        self.guard_pages = on;
        self
    }

    /// Compile hot functions on another thread (default `true`): with tier-up
    /// ([`Tier::Auto`]), where the host has more than one core, a function that gets
    /// hot is compiled by a background thread while the interpreter goes on running
    /// it, and moves to native code once that is done. With `false`, or on one core,
    /// the running thread compiles it on the spot. Results are the same either way;
    /// only when native code takes over differs.
    pub fn parallel_compilation(&mut self, on: bool) -> &mut Self {
        self.parallel_compilation = on;
        self
    }

    /// The tiers set by [`Config::tier`].
    pub fn get_tier(&self) -> Tier {
        self.tier
    }

    /// Compile each function on its first call (default `true`). With `false`, every
    /// function is compiled when the module is created.
    pub fn lazy_compilation(&mut self, lazy: bool) -> &mut Self {
        self.lazy_compilation = lazy;
        self
    }
}

/// A compilation and execution environment: modules are compiled for an engine, and
/// stores run them. Cheap to clone (a shared handle).
#[derive(Clone, Default)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

#[derive(Default)]
pub(crate) struct EngineInner {
    pub config: Config,
    types: Mutex<TypeRegistry>,
    /// The epoch, advanced by [`Engine::increment_epoch`] from any thread.
    pub epoch: Arc<AtomicU64>,
}

#[derive(Default)]
struct TypeRegistry {
    ids: HashMap<Arc<FuncType>, u32>,
    types: Vec<Arc<FuncType>>,
}

impl Engine {
    pub fn new(config: &Config) -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                types: Mutex::default(),
                epoch: Arc::default(),
            }),
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Advances the epoch: wasm running in stores whose deadline this reaches traps
    /// with "interrupted" at its next check (when `Config::epoch_interruption` is on).
    /// Safe to call from any thread, for example a timer.
    pub fn increment_epoch(&self) {
        self.inner.epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether this build and host have the optimizing tier (Cranelift on x86-64 and
    /// AArch64, with the `jit` feature).
    pub fn has_optimizing_tier() -> bool {
        #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            crate::jit::available()
        }
        #[cfg(not(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64"))))]
        {
            false
        }
    }

    /// Whether this engine's memories have guard pages and its native code relies on
    /// them (see [`Config::guard_pages`]): asked for, the optimizing tier runs, the
    /// host supports them and the fault handler is installed.
    pub(crate) fn guard_pages(&self) -> bool {
        let c = self.config();
        if !(c.guard_pages && c.tier != Tier::Interp && Engine::has_optimizing_tier()) {
            return false;
        }
        #[cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]
        {
            crate::runtime::memory::reservation_supported() && crate::jit::fault::install()
        }
        #[cfg(not(all(feature = "jit", target_os = "linux", target_arch = "x86_64")))]
        {
            false
        }
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The engine-wide id of a function type (equal types get equal ids).
    pub(crate) fn type_id(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = reg.ids.get(ty) {
            return id;
        }
        let id = reg.types.len() as u32;
        let ty = Arc::new(ty.clone());
        reg.types.push(ty.clone());
        reg.ids.insert(ty, id);
        id
    }
}
