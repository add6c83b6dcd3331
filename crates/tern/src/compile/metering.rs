//! Fuel and epoch metering: the points where compiled code charges fuel
//! (`ConsumeFuel`) and, when epochs are on, checks for an interruption (`CheckEpoch`).
//! The dispatcher (`instr`) counts the operators each point pays for.

use super::compiler::Compiler;
use super::isa::Instr;

impl Compiler<'_> {
    /// Fuel is charged at function entry and at every loop iteration: each point
    /// charges the number of operators that follow it in the body up to the next such
    /// point (at least 1), so every unbounded execution pays as it goes.
    pub(super) fn fuel_point(&mut self) {
        if self.epoch {
            self.emit(Instr::CheckEpoch);
        }
        if !self.fuel {
            return;
        }
        self.fuel_point_end();
        self.fuel_at = Some(self.emit(Instr::ConsumeFuel { amount: 1 }));
        self.fuel_count = 0;
    }

    /// Charges the last fuel point with the operators compiled since it.
    pub(super) fn fuel_point_end(&mut self) {
        if let Some(at) = self.fuel_at.take() {
            self.code[at] = Instr::ConsumeFuel {
                amount: self.fuel_count.max(1),
            };
        }
    }
}
