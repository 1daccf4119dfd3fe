//! Footnote references and the list of notes at the end, with back links on the web.

use pulldown_cmark::{Event, TagEnd};

use super::style::{A, HR, LI, LIST, SUP};
use super::{Flavor, Writer};

impl Writer<'_> {
    pub(super) fn footnote_ref(&mut self, label: &str) {
        let Some(n) = self.notes.number(label) else {
            // No definition in these events (a slice of the body): show it as CommonMark
            // shows an undefined reference, as its source text.
            self.text(&format!("[^{label}]"));
            return;
        };
        match self.flavor {
            Flavor::Web => {
                let count = self.ref_counts.entry(n).or_insert(0);
                *count += 1;
                let id = match *count {
                    1 => format!("fnref-{n}"),
                    count => format!("fnref-{n}-{count}"),
                };
                self.open("sup", &[("class", "footnote-ref"), ("id", &id)], SUP);
                self.open("a", &[("href", &format!("#fn-{n}"))], A);
                self.out.push_str(&n.to_string());
                self.close("a");
                self.close("sup");
            }
            Flavor::Email => {
                self.open("sup", &[], SUP);
                self.out.push_str(&n.to_string());
                self.close("sup");
            }
        }
    }

    /// The notes, after the main flow: a `<section>` with back links on the web; in email
    /// a plain list after a rule, since many mail clients break in-page anchors.
    pub(super) fn footnotes(&mut self) {
        let defs = self.notes.defs.clone();
        if defs.is_empty() {
            return;
        }
        match self.flavor {
            // The label names the section for screen readers, as a heading would (the Nu
            // checker warns about a section with neither); a visible heading would be words
            // the other venues do not have.
            Flavor::Web => self.block(
                "section",
                &[("class", "footnotes"), ("aria-label", "Footnotes")],
                "",
            ),
            Flavor::Email => self.block("hr", &[], HR),
        }
        self.out.push('\n');
        self.block("ol", &[], LIST);
        self.out.push('\n');
        for (n, label, body) in defs {
            let body: Vec<&Event<'static>> = body.iter().collect();
            self.block("li", &[("id", &format!("fn-{n}"))], LI);
            let back = self.flavor == Flavor::Web && self.referenced.contains(label);
            match body.split_last() {
                // The back link belongs inside the note's last paragraph when it ends in one.
                Some((&last, inner)) if back && matches!(last, Event::End(TagEnd::Paragraph)) => {
                    self.run(inner);
                    self.out.push(' ');
                    self.back_link(n);
                    self.run(&[last]);
                }
                _ if back => {
                    self.run(&body);
                    self.back_link(n);
                }
                _ => self.run(&body),
            }
            self.close_block("li");
        }
        self.close_block("ol");
        if self.flavor == Flavor::Web {
            self.close_block("section");
        }
    }

    fn back_link(&mut self, n: usize) {
        let href = format!("#fnref-{n}");
        let label = format!("Back to reference {n}");
        let attrs = [
            ("href", &*href),
            ("class", "footnote-back"),
            ("aria-label", &*label),
        ];
        self.open("a", &attrs, A);
        self.out.push('↩');
        self.close("a");
    }
}
