//! Table instructions (spec: Table Instructions): `table.get`, `table.set`,
//! `table.size`, `table.grow`, `table.fill`, `table.copy` and `table.init`.
//! (`elem.drop` shares the `SegmentDrop` handler of `data.drop`, in `memory`.)
//! Tables are reached through the store, and every access is checked.
//!
//! The invariant it keeps (table 0, see the interpreter's module docs): every
//! handler here that writes a table reloads the state's cached table 0
//! (`Exec::tables_written`), which `call_indirect` reads after checking the index
//! against its cached element count, so the cache never outlives the elements it
//! points at.
//!
//! This room knows nothing of memories, calls or frames beyond their slots.

use std::hint::unreachable_unchecked;

use super::address::{addr, minus_one, table_range};
use super::dispatch::TAIL;
use super::state::{ex, trap};
use crate::compile::isa::{ExecCtx, Exit, Instr, Op};
use crate::error::TrapCode;

handlers! {
    TableGet(ip, sp, mem, len, cx, acc) Instr::TableGet { dst, index, table, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let t = &e.data.tables[e.inst.tables[table as usize] as usize];
        let i = addr(rd!(sp, index), is64);
        let Some(&v) = usize::try_from(i).ok().and_then(|i| t.elems.get(i)) else {
            return trap(ip, cx, TrapCode::TableOutOfBounds);
        };
        wr!(sp, dst, v);
        step!(ip, sp, mem, len, cx, acc)
    }
    TableSet(ip, sp, mem, len, cx, acc) Instr::TableSet { args, table, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let t = &mut e.data.tables[e.inst.tables[table as usize] as usize];
        let i = addr(rd!(sp, args), is64);
        let v = rd!(sp, args + 1);
        let Some(slot) = usize::try_from(i).ok().and_then(|i| t.elems.get_mut(i)) else {
            return trap(ip, cx, TrapCode::TableOutOfBounds);
        };
        *slot = v;
        e.tables_written();
        step!(ip, sp, mem, len, cx, acc)
    }
    TableSize(ip, sp, mem, len, cx, acc) Instr::TableSize { dst, table } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        wr!(sp, dst, e.data.tables[e.inst.tables[table as usize] as usize].size());
        step!(ip, sp, mem, len, cx, acc)
    }
    TableGrow(ip, sp, mem, len, cx, acc) Instr::TableGrow { args, table, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let t = &mut e.data.tables[e.inst.tables[table as usize] as usize];
        let init = rd!(sp, args);
        let delta = addr(rd!(sp, args + 1), is64);
        let r = match t.grow(delta, init) {
            Some(old) => old,
            None => minus_one(is64),
        };
        wr!(sp, args, r);
        e.tables_written();
        step!(ip, sp, mem, len, cx, acc)
    }
    TableFill(ip, sp, mem, len, cx, acc) Instr::TableFill { args, table, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let t = &mut e.data.tables[e.inst.tables[table as usize] as usize];
        let d = addr(rd!(sp, args), is64);
        let v = rd!(sp, args + 1);
        let n = addr(rd!(sp, args + 2), is64);
        let (d, n) = tri!(table_range(d, n, t.elems.len()), ip, cx);
        t.elems[d..d + n].fill(v);
        e.tables_written();
        step!(ip, sp, mem, len, cx, acc)
    }
    TableCopy(ip, sp, mem, len, cx, acc) Instr::TableCopy { args, dst, src, dst64, src64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let d = addr(rd!(sp, args), dst64);
        let sa = addr(rd!(sp, args + 1), src64);
        let n = addr(rd!(sp, args + 2), dst64 && src64);
        let dt = e.inst.tables[dst as usize] as usize;
        let st = e.inst.tables[src as usize] as usize;
        let (sa, n) = tri!(table_range(sa, n, e.data.tables[st].elems.len()), ip, cx);
        let (d, _) = tri!(table_range(d, n as u64, e.data.tables[dt].elems.len()), ip, cx);
        if dt == st {
            e.data.tables[dt].elems.copy_within(sa..sa + n, d);
        } else {
            let tmp: Vec<u64> = e.data.tables[st].elems[sa..sa + n].to_vec();
            e.data.tables[dt].elems[d..d + n].copy_from_slice(&tmp);
        }
        e.tables_written();
        step!(ip, sp, mem, len, cx, acc)
    }
    TableInit(ip, sp, mem, len, cx, acc) Instr::TableInit { args, elem, table, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let d = addr(rd!(sp, args), is64);
        let sa = rd!(sp, args + 1) as u32 as u64;
        let n = rd!(sp, args + 2) as u32 as u64;
        let items = &e.data.elems[e.inst.elems[elem as usize] as usize].items;
        let t = &mut e.data.tables[e.inst.tables[table as usize] as usize];
        let (sa, n) = tri!(table_range(sa, n, items.len()), ip, cx);
        let (d, _) = tri!(table_range(d, n as u64, t.elems.len()), ip, cx);
        t.elems[d..d + n].copy_from_slice(&items[sa..sa + n]);
        e.tables_written();
        step!(ip, sp, mem, len, cx, acc)
    }
}
