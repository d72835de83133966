//! mvp-maintenance: service records, interval schedules (months and/or distance, whichever first)
//! with `ok` / `due_soon` / `overdue` status, starter templates, and the daily reminder job.

pub mod domain;
