//! Exit codes, in one place; README documents them.

/// Success; for `plan --detailed-exitcode`, nothing to change.
pub const OK: u8 = 0;
/// An error, invalid input, a failed change or a refused plan.
pub const ERROR: u8 = 1;
/// `plan --detailed-exitcode`: changes are pending.
pub const CHANGES: u8 = 2;
