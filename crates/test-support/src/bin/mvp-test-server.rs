//! The real `mvp-backend` entry point with the test-only diagnostic routes merged in, so process
//! tests (SIGTERM during a slow request, log output) exercise the shipped binary's code path.

fn main() -> std::process::ExitCode {
    mvp_backend::cli::main(mvp_test_support::routes::test_routes())
}
