//! mvp-backend: the composition root. It merges every feature's router under `/api`, serves the SPA in
//! single-binary mode, and runs the CLI (`serve`, `migrate`, `healthcheck`, `admin grant`).

pub mod app;
pub mod cli;
mod constraints;
pub mod openapi;
pub mod serve;
