//! `repurpose man`: the manual page (roff), from the CLI definition, with clap_mangen.

use std::path::Path;

use anyhow::Result;
use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::Cli;
use crate::status::Status;

/// Prints the page of `repurpose` on stdout, or with `dir` writes it there as `repurpose.1`
/// beside one page per subcommand (`repurpose-build.1`, …), printing each path written.
pub fn run(dir: Option<&Path>) -> Result<Status> {
    let mut cmd = Cli::command();
    // Built, subcommands know their full names (`repurpose-build`, `repurpose build`).
    cmd.build();
    let Some(dir) = dir else {
        crate::shell::stdout(&render(&cmd)?)?;
        return Ok(Status::Success);
    };
    crate::error::create_dir_all(dir)?;
    let pages = std::iter::once(&cmd).chain(
        cmd.get_subcommands()
            .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help"),
    );
    for page in pages {
        let name = page.get_display_name().unwrap_or_else(|| page.get_name());
        let path = dir.join(format!("{name}.1"));
        crate::output::write_atomic(&path, &render(page)?)?;
        crate::shell::status(format!("wrote {}", path.display()));
    }
    Ok(Status::Success)
}

/// One command's page.
fn render(cmd: &clap::Command) -> Result<Vec<u8>> {
    let mut page = Vec::new();
    // An empty date would shift `.TH`'s later fields left (roff drops empty arguments), so
    // the page is dated the day it is generated, as help2man does.
    Man::new(cmd.clone())
        .date(crate::date::today())
        .source(format!("repurpose {}", env!("CARGO_PKG_VERSION")))
        .manual("repurpose manual")
        .render(&mut page)?;
    Ok(page)
}
