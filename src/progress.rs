//! Build progress: one line per post on stdout, in input order even though posts are built
//! in parallel, and a progress bar on stderr for builds longer than the terminal is high;
//! none of it with `--quiet`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Builds of more posts than this get a progress bar when the terminal's height is unknown.
const BAR_THRESHOLD: usize = 30;

/// Shared by the workers of one build.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    order: Mutex<Order>,
    /// `--quiet`: the lines are kept in order but not printed.
    quiet: bool,
}

/// Lines that finished early wait here until those before them are printed.
#[derive(Debug, Default)]
struct Order {
    next: usize,
    waiting: BTreeMap<usize, Option<String>>,
}

impl Progress {
    /// Progress over `total` posts.
    pub fn new(total: usize) -> Progress {
        let quiet = crate::shell::is_quiet();
        let terminal = std::io::stderr().is_terminal();
        let show = !quiet && terminal && total > screenful(terminal_rows());
        let bar = if show {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} posts  {elapsed_precise}")
            {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            order: Mutex::new(Order::default()),
            quiet,
        }
    }

    /// Post `index` is done; its `line` (if any) is printed once every earlier post's is.
    pub fn done(&self, index: usize, line: Option<String>) {
        self.bar.inc(1);
        let Ok(mut order) = self.order.lock() else {
            return;
        };
        order.waiting.insert(index, line);
        let mut ready = Vec::new();
        loop {
            let next = order.next;
            match order.waiting.remove(&next) {
                Some(line) => {
                    ready.extend(line);
                    order.next += 1;
                }
                None => break,
            }
        }
        if !ready.is_empty() && !self.quiet {
            self.bar.suspend(|| {
                let mut stdout = std::io::stdout().lock();
                for line in ready {
                    // A closed stdout (`| head`) must not stop the build.
                    let _ = writeln!(stdout, "{line}");
                }
            });
        }
    }

    /// Prints a problem above the bar.
    pub fn error(&self, err: &anyhow::Error) {
        self.bar.suspend(|| crate::shell::report(err));
    }

    /// Prints a warning above the bar.
    pub fn warning(&self, text: &str) {
        self.bar.suspend(|| crate::shell::warning(text));
    }

    /// Prints a line of detail above the bar, only with `--verbose`.
    pub fn detail(&self, text: &str) {
        if crate::shell::is_verbose() {
            self.bar.suspend(|| crate::shell::detail(text));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The terminal's height in lines, when stderr is one and it can be asked.
fn terminal_rows() -> Option<u16> {
    console::Term::stderr().size_checked().map(|(rows, _)| rows)
}

/// How many posts fit on the screen, one line each: beyond that, the lines scroll away and
/// a bar says how far the build is.
fn screenful(rows: Option<u16>) -> usize {
    rows.filter(|&rows| rows > 0)
        .map_or(BAR_THRESHOLD, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screenful_is_the_terminal_height_else_the_threshold() {
        assert_eq!(screenful(Some(50)), 50);
        assert_eq!(screenful(Some(0)), BAR_THRESHOLD);
        assert_eq!(screenful(None), BAR_THRESHOLD);
    }

    #[test]
    fn lines_wait_for_earlier_posts() {
        let progress = Progress::new(3);
        progress.done(1, Some("b".into()));
        progress.done(2, None);
        let order = progress.order.lock().unwrap();
        assert_eq!(order.next, 0, "nothing printed before post 0 is done");
        assert_eq!(order.waiting.len(), 2);
        drop(order);
        progress.done(0, Some("a".into()));
        let order = progress.order.lock().unwrap();
        assert_eq!(order.next, 3);
        assert!(order.waiting.is_empty());
    }
}
