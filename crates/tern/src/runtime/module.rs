//! A compiled module as the runtime holds it: the decoded and validated syntax, the
//! engine-wide ids of its function types, and each function's code (see [`super::code`]),
//! made on first call and shared by every instance; and the background compiler, which
//! makes native code off the running thread (tier-up, and `Tier::Opt`'s compiling
//! ahead of calls).

use std::sync::Arc;

use super::code::Code;
use crate::compile::{
    isa::{CompiledFunc, Instr, Native},
    ModuleView, Options,
};
use crate::error::{Error, Result};
use crate::runtime::engine::Engine;
use crate::runtime::memory::guardable;
use crate::syntax::{AddrType, FuncType, ImportDesc, Module, ValType};

pub struct ModuleInner {
    pub engine: Engine,
    /// The module binary (function bodies are byte ranges of it).
    pub bytes: Box<[u8]>,
    pub syntax: Module,
    /// The type of every function in the function index space (imports first).
    pub func_types: Vec<Arc<FuncType>>,
    /// Engine-wide type id per type index (`u32::MAX` for non-function types).
    pub type_ids: Vec<u32>,
    /// Whether each memory of the memory index space is 64-bit (memory64).
    pub mem64: Vec<bool>,
    /// Whether each table of the table index space is 64-bit (table64).
    pub table64: Vec<bool>,
    /// Whether each global of the global index space holds a `v128`.
    pub global_v128: Vec<bool>,
    /// Byte offsets in `bytes`, in increasing order, of every `drop` and untyped
    /// `select` whose operand is a `v128` (from [`crate::validate::validate`]): the
    /// compiler's operand stack is untyped, so it looks these up to know their width.
    pub v128_operands: Box<[u32]>,
    /// Whether memory 0 has guard pages in every store of the engine (see
    /// `Options::guard_pages`).
    guard0: bool,
    /// Per defined function, whether the background compiler was asked for it
    /// ([`ModuleInner::prefetch_callees`]).
    prefetched: Box<[std::sync::atomic::AtomicBool]>,
    code: Code,
}

/// Work for the background compiler's thread.
enum Job {
    /// Make the native code of a function that got hot.
    TierUp {
        module: Arc<ModuleInner>,
        def_index: u32,
        code: Arc<CompiledFunc>,
    },
    /// Compile a function before it first runs (`Tier::Opt`), and ask for the ones it
    /// calls.
    Prefetch {
        module: Arc<ModuleInner>,
        def_index: u32,
    },
}

/// The background compiler: one thread, started on first use where the host has more
/// than one core, compiling the native code of the functions that got hot, in the
/// order they did, while the interpreter goes on running them (tier-up off the
/// running thread). `None` where there is no such thread.
fn background() -> Option<&'static std::sync::Mutex<std::sync::mpsc::Sender<Job>>> {
    static TX: std::sync::OnceLock<Option<std::sync::Mutex<std::sync::mpsc::Sender<Job>>>> =
        std::sync::OnceLock::new();
    TX.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 {
            return None;
        }
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("tern tier-up".into())
            .spawn(move || {
                for job in rx {
                    // A compiler panic leaves the function in the interpreter (the
                    // optimizing tier catches Cranelift's; this is for the rest).
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match job {
                        Job::TierUp {
                            module,
                            def_index,
                            code,
                        } => {
                            module.tier_up(def_index, &code);
                        }
                        Job::Prefetch { module, def_index } => {
                            if let Ok(code) = module.code(def_index) {
                                module.prefetch_callees(&code);
                            }
                        }
                    }));
                }
            })
            .ok()?;
        Some(std::sync::Mutex::new(tx))
    })
    .as_ref()
}

impl ModuleInner {
    /// Wraps a validated module; `v128_operands` is what validation returned.
    pub fn new(
        engine: &Engine,
        bytes: Box<[u8]>,
        syntax: Module,
        v128_operands: Vec<u32>,
    ) -> Result<ModuleInner> {
        let type_ids = syntax
            .types
            .iter()
            .map(|t| t.as_func().map_or(u32::MAX, |f| engine.type_id(f)))
            .collect();
        // One shared copy per function type, however many functions have it.
        let shared: Vec<Option<Arc<FuncType>>> = syntax
            .types
            .iter()
            .map(|t| t.as_func().map(|f| Arc::new(f.clone())))
            .collect();
        let mut func_types = Vec::with_capacity(syntax.num_funcs() as usize);
        for f in 0..syntax.num_funcs() {
            let ty = syntax
                .func_type_index(f)
                .and_then(|t| shared.get(t as usize)?.clone())
                .ok_or_else(|| Error::invalid(0, format!("unknown type of function {f}")))?;
            func_types.push(ty);
        }
        let num_defined = syntax.funcs.len();
        let code = Code::new(num_defined);
        let is64 = |a: AddrType| a == AddrType::I64;
        let mut mem64 = Vec::new();
        let mut mem0 = None;
        let mut table64 = Vec::new();
        let mut global_v128 = Vec::new();
        for i in &syntax.imports {
            match &i.desc {
                ImportDesc::Memory(t) => {
                    mem0 = mem0.or(Some(*t));
                    mem64.push(is64(t.addr))
                }
                ImportDesc::Table(t) => table64.push(is64(t.addr)),
                ImportDesc::Global(t) => global_v128.push(t.content == ValType::V128),
                _ => {}
            }
        }
        mem64.extend(syntax.memories.iter().map(|t| is64(t.addr)));
        let mem0 = mem0.or(syntax.memories.first().copied());
        let guard0 = engine.guard_pages() && mem0.is_some_and(|t| guardable(&t));
        table64.extend(syntax.tables.iter().map(|t| is64(t.ty.addr)));
        global_v128.extend(syntax.globals.iter().map(|g| g.ty.content == ValType::V128));
        let m = ModuleInner {
            engine: engine.clone(),
            bytes,
            syntax,
            func_types,
            type_ids,
            mem64,
            table64,
            global_v128,
            v128_operands: v128_operands.into_boxed_slice(),
            guard0,
            prefetched: (0..num_defined).map(|_| Default::default()).collect(),
            code,
        };
        if !engine.config().lazy_compilation {
            for i in 0..m.syntax.funcs.len() as u32 {
                m.code(i)?;
            }
        }
        Ok(m)
    }

    /// What the compiler reads of this module.
    pub fn view(&self) -> ModuleView<'_> {
        let config = self.engine.config();
        ModuleView {
            bytes: &self.bytes,
            syntax: &self.syntax,
            func_types: &self.func_types,
            type_ids: &self.type_ids,
            mem64: &self.mem64,
            table64: &self.table64,
            global_v128: &self.global_v128,
            v128_operands: &self.v128_operands,
            options: Options {
                fuel: config.consume_fuel,
                epoch: config.epoch_interruption,
                deterministic: config.deterministic,
                native: config.tier == crate::runtime::engine::Tier::Opt,
                tier_up: config.tier == crate::runtime::engine::Tier::Auto
                    && crate::runtime::engine::Engine::has_optimizing_tier(),
                guard_pages: self.guard0,
            },
        }
    }

    /// The type of defined function `def_index` (imports not counted).
    pub fn def_func_type(&self, def_index: u32) -> &FuncType {
        self.view().def_func_type(def_index)
    }

    /// The code of defined function `def_index`, compiling it on first use.
    pub fn code(&self, def_index: u32) -> Result<Arc<CompiledFunc>> {
        self.code.get(&self.view(), def_index)
    }

    /// Defined function `def_index`'s native code (its `code`), compiling it on the
    /// first request: tier-up.
    pub fn tier_up<'c>(&self, def_index: u32, code: &'c CompiledFunc) -> Option<&'c Native> {
        self.code.tier_up(&self.view(), def_index, code)
    }

    /// Asks for defined function `def_index`'s native code (its `code`) to be
    /// compiled on the background compiler's thread; `false` if there is none (one
    /// core, `Config::parallel_compilation` off, or the thread could not start): then
    /// the caller compiles it itself. The running code goes on meanwhile; the native
    /// code is in `code.native` once made.
    pub fn tier_up_in_background(
        self: &Arc<Self>,
        def_index: u32,
        code: &Arc<CompiledFunc>,
    ) -> bool {
        if !self.engine.config().parallel_compilation {
            return false;
        }
        let Some(tx) = background() else {
            return false;
        };
        let job = Job::TierUp {
            module: self.clone(),
            def_index,
            code: code.clone(),
        };
        tx.lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job)
            .is_ok()
    }

    /// With `Tier::Opt`, where there is a background compiler: asks it to compile the
    /// defined functions `code` calls directly that nobody asked for yet (and, as it
    /// compiles each, the ones that one calls), so that they are likely compiled by
    /// the time they first run instead of when they do. A function the running thread
    /// needs while the background compiler is at it waits for that compilation.
    pub fn prefetch_callees(self: &Arc<Self>, code: &CompiledFunc) {
        let config = self.engine.config();
        if config.tier != crate::runtime::engine::Tier::Opt || !config.parallel_compilation {
            return;
        }
        let Some(tx) = background() else {
            return;
        };
        let imported = self.syntax.num_imported_funcs;
        for i in code.code.iter() {
            let (Instr::Call { func, .. } | Instr::CallCopy { func, .. }) = *i else {
                continue;
            };
            let Some(def_index) = func.checked_sub(imported) else {
                continue;
            };
            let asked = self.prefetched.get(def_index as usize);
            if asked.is_none_or(|a| a.swap(true, std::sync::atomic::Ordering::Relaxed)) {
                continue;
            }
            let job = Job::Prefetch {
                module: self.clone(),
                def_index,
            };
            if tx
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .send(job)
                .is_err()
            {
                return;
            }
        }
    }
}
