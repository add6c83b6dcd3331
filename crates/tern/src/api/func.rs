//! Functions: [`Func`] handles, host functions ([`Func::new`], [`Func::wrap`]), typed
//! calls ([`TypedFunc`]), and the driver that runs the interpreter and performs the
//! host calls it asks for.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::api::store::{AsContext, AsContextMut, Caller, Store};
use crate::api::values::{from_slots, to_slots, ExternRef, Val, V128};
use crate::compile::isa::slots_of;
use crate::error::{Error, Result};
use crate::exec::{self, Outcome};
use crate::runtime::store::FuncEntity;
use crate::syntax::{FuncType, ValType};

/// The signature every host function is stored with.
pub type HostFn<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static>;

/// A host function in a store.
pub struct HostFunc<T> {
    pub(crate) f: HostFn<T>,
}

/// A function in a store: defined by wasm or by the host.
///
/// ```
/// use tern::{Engine, Func, Store, Val};
///
/// # fn main() -> tern::Result<()> {
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, ());
/// let add = Func::wrap(&mut store, |a: i32, b: i32| a.wrapping_add(b));
/// let mut out = [Val::I32(0)];
/// add.call(&mut store, &[Val::I32(2), Val::I32(3)], &mut out)?;
/// assert_eq!(out[0], Val::I32(5));
/// // Arguments of the wrong type are an error, not a panic.
/// assert!(add.call(&mut store, &[Val::I64(2), Val::I32(3)], &mut out).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Func {
    /// A host function of type `ty` whose arguments and results are [`Val`]s.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        new_host(store.as_context_mut(), Arc::new(ty), Arc::new(f))
    }

    /// A host function from a Rust closure with typed parameters and results,
    /// optionally taking a [`Caller`] first.
    pub fn wrap<T, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, f) = f.into_host();
        new_host(store.as_context_mut(), Arc::new(ty), f)
    }

    fn check_store(&self, id: u64) -> Result<()> {
        if self.store != id {
            return Err(Error::api(
                "function used with a store it does not belong to",
            ));
        }
        Ok(())
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let s = store.as_context();
        self.ty_arc(s).map(|t| (*t).clone()).unwrap_or_default()
    }

    pub(crate) fn ty_arc<T>(&self, s: &Store<T>) -> Result<Arc<FuncType>> {
        self.check_store(s.inner.id)?;
        match s.inner.code.funcs.get(self.index as usize) {
            Some(FuncEntity::Wasm(w)) => Ok(w.module.func_types[w.func_index() as usize].clone()),
            Some(FuncEntity::Host { ty, .. }) => Ok(ty.clone()),
            None => Err(Error::api("dangling function")),
        }
    }

    /// Calls the function. `params` must match its parameter types and `results` must
    /// have room for exactly its results.
    pub fn call<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let s = store.as_context_mut();
        let ty = self.check_call(s, params, results)?;
        let id = s.inner.id;
        if let Some(FuncEntity::Host { host, .. }) = s.inner.code.funcs.get(self.index as usize) {
            let f = s.hosts[*host as usize].f.clone();
            return call_host(s, &f, &ty, None, params, results);
        }
        let args = to_slots(params);
        let mut out = vec![0u64; slots_of(&ty.results)];
        run_wasm(s, self.index, &args, &mut out)?;
        from_slots(id, &ty.results, &out, results);
        Ok(())
    }

    /// The function's type, after checking that `params` match it and `results` has
    /// room for exactly its results.
    fn check_call<T>(
        &self,
        s: &Store<T>,
        params: &[Val],
        results: &[Val],
    ) -> Result<Arc<FuncType>> {
        let ty = self.ty_arc(s)?;
        if params.len() != ty.params.len() {
            return Err(Error::api(format!(
                "function expects {} arguments, got {}",
                ty.params.len(),
                params.len()
            )));
        }
        if results.len() != ty.results.len() {
            return Err(Error::api(format!(
                "function has {} results, got room for {}",
                ty.results.len(),
                results.len()
            )));
        }
        let id = s.inner.id;
        for (i, (p, &t)) in params.iter().zip(ty.params.iter()).enumerate() {
            if !p.matches(id, t) {
                return Err(Error::api(format!(
                    "argument {i}: expected {t}, got a {} value",
                    p.ty()
                )));
            }
        }
        Ok(ty)
    }

    /// Calls the function like [`call`](Self::call), but if the store runs out of fuel
    /// the call pauses instead of failing: set more fuel and
    /// [`resume`](ResumableInvocation::resume) it.
    pub fn call_resumable<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<ResumableCall> {
        let s = store.as_context_mut();
        let ty = self.check_call(s, params, results)?;
        if matches!(
            s.inner.code.funcs.get(self.index as usize),
            Some(FuncEntity::Host { .. })
        ) {
            self.call(&mut *s, params, results)?;
            return Ok(ResumableCall::Finished);
        }
        let args = to_slots(params);
        let stack = s.take_stack();
        let func = self.index;
        let r = finish_resumable(s, stack, ty, results, |s, stack| {
            run_on(s, stack, func, &args, &mut [])
        })?;
        Ok(r.map_or(ResumableCall::Finished, ResumableCall::OutOfFuel))
    }

    /// A typed view of the function; fails if the types do not match `Params` and
    /// `Results`.
    pub fn typed<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let ty = self.ty_arc(store.as_context())?;
        let want = FuncType::new(Params::valtypes(), Results::valtypes());
        if *ty != want {
            return Err(Error::api(format!(
                "function type mismatch: expected {want}, found {ty}"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

pub(crate) fn new_host<T>(s: &mut Store<T>, ty: Arc<FuncType>, f: HostFn<T>) -> Func {
    let type_id = s.engine.type_id(&ty);
    let host = s.hosts.len() as u32;
    s.hosts.push(HostFunc { f });
    let entity = FuncEntity::Host { ty, type_id, host };
    let index = s.inner.push_func(entity).unwrap_or(u32::MAX);
    Func {
        store: s.inner.id,
        index,
    }
}

/// Calls a host function, checking the types of the results it produced.
fn call_host<T>(
    s: &mut Store<T>,
    f: &HostFn<T>,
    ty: &FuncType,
    instance: Option<u32>,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    for (r, &t) in results.iter_mut().zip(ty.results.iter()) {
        *r = Val::default_for(t).unwrap_or(Val::I32(0));
    }
    let id = s.inner.id;
    f(Caller { store: s, instance }, params, results)?;
    for (r, &t) in results.iter().zip(ty.results.iter()) {
        if !r.matches(id, t) {
            return Err(Error::api(format!(
                "host function returned a {} for a {t} result",
                r.ty()
            )));
        }
    }
    Ok(())
}

/// Runs wasm function `func` (store index) with `args` in slot form; its results are
/// written to `out`.
pub(crate) fn run_wasm<T>(
    s: &mut Store<T>,
    func: u32,
    args: &[u64],
    out: &mut [u64],
) -> Result<()> {
    let mut stack = s.take_stack();
    let r = run_on(s, &mut stack, func, args, out);
    s.return_stack(stack);
    r
}

fn run_on<T>(
    s: &mut Store<T>,
    stack: &mut exec::Stack,
    func: u32,
    args: &[u64],
    out: &mut [u64],
) -> Result<()> {
    let FuncEntity::Wasm(w) = &s.inner.code.funcs[func as usize] else {
        return Err(Error::api("not a wasm function"));
    };
    let code = w.code()?;
    stack.slots[..args.len()].copy_from_slice(args);
    stack
        .enter(func, code, w.instance, w.type_id, 0)
        .map_err(crate::Trap::new)?;
    drive(s, stack)?;
    out.copy_from_slice(&stack.slots[..out.len()]);
    Ok(())
}

/// Runs `stack` to completion, performing the host calls the interpreter asks for.
fn drive<T>(s: &mut Store<T>, stack: &mut exec::Stack) -> Result<()> {
    loop {
        match exec::run(&mut s.inner, stack)? {
            Outcome::Returned => return Ok(()),
            Outcome::HostCall { func: hf, base } => {
                let FuncEntity::Host { ty, host, .. } = &s.inner.code.funcs[hf as usize] else {
                    return Err(Error::api("host call to a wasm function"));
                };
                let (ty, f) = (ty.clone(), s.hosts[*host as usize].f.clone());
                let instance = stack.frames.last().and_then(|fr| {
                    match &s.inner.code.funcs[fr.func as usize] {
                        FuncEntity::Wasm(w) => Some(w.instance),
                        FuncEntity::Host { .. } => None,
                    }
                });
                let id = s.inner.id;
                let mut params = vec![Val::I32(0); ty.params.len()];
                let args = stack.slots.get(base..).unwrap_or(&[]);
                from_slots(id, &ty.params, args, &mut params);
                let mut results = vec![Val::I32(0); ty.results.len()];
                call_host(s, &f, &ty, instance, &params, &mut results)?;
                for (i, v) in to_slots(&results).into_iter().enumerate() {
                    stack.slots[base + i] = v;
                }
            }
        }
    }
}

/// The outcome of [`Func::call_resumable`] and [`ResumableInvocation::resume`].
pub enum ResumableCall {
    /// The call returned; its results were written.
    Finished,
    /// The store ran out of fuel; add fuel and resume.
    OutOfFuel(ResumableInvocation),
}

/// A wasm call paused because the store ran out of fuel: its whole state (frames and
/// values) is kept here, outside the host stack, until [`resume`](Self::resume).
pub struct ResumableInvocation {
    stack: exec::Stack,
    store: u64,
    results: Arc<FuncType>,
}

impl ResumableInvocation {
    /// Continues the paused call (after `Store::set_fuel`), writing its results to
    /// `results` when it finishes.
    pub fn resume<T>(
        self,
        mut store: impl AsContextMut<Data = T>,
        results: &mut [Val],
    ) -> Result<ResumableCall> {
        let s = store.as_context_mut();
        if s.inner.id != self.store {
            return Err(Error::api("resumed with a store it does not belong to"));
        }
        if results.len() != self.results.results.len() {
            return Err(Error::api("wrong number of result slots"));
        }
        finish_resumable(s, self.stack, self.results, results, |s, stack| {
            drive(s, stack)
        })
        .map(|r| r.map_or(ResumableCall::Finished, ResumableCall::OutOfFuel))
    }
}

/// Runs `step` on `stack`; on running out of fuel keeps the stack in an invocation,
/// otherwise returns it to the store and writes the results.
fn finish_resumable<T>(
    s: &mut Store<T>,
    mut stack: exec::Stack,
    ty: Arc<FuncType>,
    results: &mut [Val],
    step: impl FnOnce(&mut Store<T>, &mut exec::Stack) -> Result<()>,
) -> Result<Option<ResumableInvocation>> {
    match step(s, &mut stack) {
        Ok(()) => {
            let id = s.inner.id;
            from_slots(id, &ty.results, &stack.slots, results);
            s.return_stack(stack);
            Ok(None)
        }
        Err(Error::Trap(t)) if t.code() == crate::TrapCode::OutOfFuel => {
            Ok(Some(ResumableInvocation {
                stack,
                store: s.inner.id,
                results: ty,
            }))
        }
        Err(e) => {
            s.return_stack(stack);
            Err(e)
        }
    }
}

/// A function whose parameter and result types are known statically.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params: WasmTyList, Results: WasmTyList> TypedFunc<Params, Results> {
    pub fn func(&self) -> &Func {
        &self.func
    }

    /// Calls the function.
    pub fn call<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: Params,
    ) -> Result<Results> {
        let s = store.as_context_mut();
        let params = params.into_vals();
        let mut results = vec![Val::I32(0); Results::valtypes().len()];
        self.func.call(&mut *s, &params, &mut results)?;
        Results::from_vals(&results).ok_or_else(|| Error::api("result type mismatch"))
    }
}

/// A Rust type that corresponds to one wasm value type.
pub trait WasmTy: Sized + Send + 'static {
    fn valtype() -> ValType;
    fn from_val(v: &Val) -> Option<Self>;
    fn into_val(self) -> Val;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:expr, $pat:pat => $from:expr, $me:ident => $into:expr) => {
        impl WasmTy for $t {
            fn valtype() -> ValType {
                $vt
            }
            fn from_val(v: &Val) -> Option<Self> {
                match *v {
                    $pat => Some($from),
                    _ => None,
                }
            }
            fn into_val($me) -> Val {
                $into
            }
        }
    };
}

wasm_ty!(i32, ValType::I32, Val::I32(x) => x, self => Val::I32(self));
wasm_ty!(u32, ValType::I32, Val::I32(x) => x as u32, self => Val::I32(self as i32));
wasm_ty!(i64, ValType::I64, Val::I64(x) => x, self => Val::I64(self));
wasm_ty!(u64, ValType::I64, Val::I64(x) => x as u64, self => Val::I64(self as i64));
wasm_ty!(f32, ValType::F32, Val::F32(x) => f32::from_bits(x), self => Val::f32(self));
wasm_ty!(f64, ValType::F64, Val::F64(x) => f64::from_bits(x), self => Val::f64(self));
wasm_ty!(u128, ValType::V128, Val::V128(x) => x, self => Val::V128(self));
wasm_ty!(V128, ValType::V128, Val::V128(x) => V128(x), self => Val::V128(self.0));
wasm_ty!(Option<Func>, ValType::FUNCREF, Val::FuncRef(f) => f, self => Val::FuncRef(self));
wasm_ty!(Option<ExternRef>, ValType::EXTERNREF, Val::ExternRef(e) => e, self => Val::ExternRef(self));

/// A list of wasm values as a Rust type: `()`, a single [`WasmTy`], or a tuple.
pub trait WasmTyList: Sized + Send + 'static {
    fn valtypes() -> Vec<ValType>;
    fn from_vals(v: &[Val]) -> Option<Self>;
    fn into_vals(self) -> Vec<Val>;
}

impl<A: WasmTy> WasmTyList for A {
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn from_vals(v: &[Val]) -> Option<Self> {
        match v {
            [a] => A::from_val(a),
            _ => None,
        }
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
    }
}

macro_rules! tuple_list {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_mut, unused_variables, clippy::unused_unit)]
        impl<$($a: WasmTy,)*> WasmTyList for ($($a,)*) {
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            fn from_vals(v: &[Val]) -> Option<Self> {
                let mut it = v.iter();
                $( let $a = $a::from_val(it.next()?)?; )*
                if it.next().is_some() {
                    return None;
                }
                Some(($($a,)*))
            }
            fn into_vals(self) -> Vec<Val> {
                let ($($a,)*) = self;
                vec![$($a.into_val()),*]
            }
        }
    };
}

tuple_list!();
tuple_list!(A1);
tuple_list!(A1 A2);
tuple_list!(A1 A2 A3);
tuple_list!(A1 A2 A3 A4);
tuple_list!(A1 A2 A3 A4 A5);
tuple_list!(A1 A2 A3 A4 A5 A6);

/// What a typed host closure may return: values, or `Result` of values.
pub trait WasmRet {
    type List: WasmTyList;
    fn into_result(self) -> Result<Self::List>;
}

impl<L: WasmTyList> WasmRet for L {
    type List = L;
    fn into_result(self) -> Result<L> {
        Ok(self)
    }
}

impl<L: WasmTyList> WasmRet for Result<L> {
    type List = L;
    fn into_result(self) -> Result<L> {
        self
    }
}

/// A Rust closure that can become a host function; see [`Func::wrap`].
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host(self) -> (FuncType, HostFn<T>);
}

fn write_results(out: Vec<Val>, results: &mut [Val]) -> Result<()> {
    if out.len() != results.len() {
        return Err(Error::api("host function result count mismatch"));
    }
    results.copy_from_slice(&out);
    Ok(())
}

macro_rules! into_func {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_mut, unused_variables)]
        impl<T, F, R, $($a,)*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
            $($a: WasmTy,)*
        {
            fn into_host(self) -> (FuncType, HostFn<T>) {
                let ty = FuncType::new(vec![$($a::valtype()),*], R::List::valtypes());
                let f = move |_: Caller<'_, T>, args: &[Val], results: &mut [Val]| -> Result<()> {
                    let mut it = args.iter();
                    $( let $a = it.next().and_then($a::from_val).ok_or_else(|| Error::api("argument type mismatch"))?; )*
                    let out = (self)($($a),*).into_result()?;
                    write_results(out.into_vals(), results)
                };
                (ty, Arc::new(f))
            }
        }

        #[allow(non_snake_case, unused_mut, unused_variables)]
        impl<T, F, R, $($a,)*> IntoFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
            $($a: WasmTy,)*
        {
            fn into_host(self) -> (FuncType, HostFn<T>) {
                let ty = FuncType::new(vec![$($a::valtype()),*], R::List::valtypes());
                let f = move |caller: Caller<'_, T>, args: &[Val], results: &mut [Val]| -> Result<()> {
                    let mut it = args.iter();
                    $( let $a = it.next().and_then($a::from_val).ok_or_else(|| Error::api("argument type mismatch"))?; )*
                    let out = (self)(caller, $($a),*).into_result()?;
                    write_results(out.into_vals(), results)
                };
                (ty, Arc::new(f))
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1 A2);
into_func!(A1 A2 A3);
into_func!(A1 A2 A3 A4);
into_func!(A1 A2 A3 A4 A5);
into_func!(A1 A2 A3 A4 A5 A6);
into_func!(A1 A2 A3 A4 A5 A6 A7);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
