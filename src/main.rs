//! The `roster` binary: everything is in the library; this only runs the command line and
//! turns its result into the process's exit code.

fn main() -> std::process::ExitCode {
    roster::cli::run()
}
