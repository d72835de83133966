//! Queries on `maintenance_records` (records.rs) and `maintenance_schedules` (schedules.rs), each
//! scoped by user id (the cross-user reads for the reminder job name each row's own user).

mod records;
mod schedules;

pub use records::*;
pub use schedules::*;
