//! The admin routes, one module per area. Every handler takes `AdminUser` (403 for others, 401
//! without a token) and records each write with [`crate::audit::record`] in its transaction.

pub mod audit;
pub mod catalog;
pub mod stations;
pub mod users;
