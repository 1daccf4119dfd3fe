use std::process::ExitCode;

use clap::Parser;
use repurpose::shell::report;
use repurpose::{Status, Usage, cli::Cli};

fn main() -> ExitCode {
    repurpose::markdown::parse::install_panic_hook();
    let cli = Cli::parse();
    match repurpose::run(cli) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Failure) => ExitCode::from(1),
        Err(err) => {
            report(&err);
            if err.downcast_ref::<Usage>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
