//! `mvp-backend` binary: see `cli` for the subcommands.

fn main() -> std::process::ExitCode {
    mvp_backend::cli::main(axum::Router::new())
}
