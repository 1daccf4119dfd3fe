//! Headings, code blocks, lists, table cells and task markers.

use std::collections::HashMap;
use std::ptr;

use pulldown_cmark::{Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Tag};

use crate::markdown::{Anchors, matching_end, plain_text, shifted_level};
use crate::render::RawHtml;
use crate::render::loss::is_plain_attribute;

use super::escape::escape_attr;
use super::style::{H1, H2, H3, H4, H5, H6, LIST, PRE, PRE_CODE, TD, TH};
use super::{Flavor, Writer};

impl Writer<'_> {
    pub(super) fn heading(
        &mut self,
        event: &Event<'static>,
        level: HeadingLevel,
        classes: &[CowStr<'static>],
        attrs: &[(CowStr<'static>, Option<CowStr<'static>>)],
    ) {
        let n = shifted_level(level, self.opts.heading_shift);
        let style = match n {
            1 => H1,
            2 => H2,
            3 => H3,
            4 => H4,
            5 => H5,
            _ => H6,
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        // Custom attributes are the author's markup: kept on the web, never in email. Any
        // but id and class can run script (`{autofocus onfocus=…}`), so they are kept only
        // where the author's raw HTML is.
        if self.flavor == Flavor::Web {
            if let Some(id) = self.heading_ids.get(&ptr::from_ref(event)) {
                pairs.push(("id".into(), escape_attr(id)));
            }
            let mut class: Vec<&str> = classes.iter().map(|c| &**c).collect();
            // `{class=x}` and `{id=x}` would duplicate the attributes written above.
            for (key, value) in attrs {
                if key.eq_ignore_ascii_case("class") {
                    class.extend(value.as_deref());
                }
            }
            if !class.is_empty() {
                pairs.push(("class".into(), escape_attr(&class.join(" "))));
            }
            let custom = self.opts.raw_html == RawHtml::Keep;
            for (key, value) in attrs {
                if custom && !is_plain_attribute(key) {
                    let value = value.as_deref().unwrap_or("");
                    pairs.push((escape_attr(key), escape_attr(value)));
                }
            }
        }
        let attrs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (&**k, &**v)).collect();
        self.block(&format!("h{n}"), &attrs, style);
    }

    pub(super) fn code_block(&mut self, kind: &CodeBlockKind<'static>) {
        self.block("pre", &[], PRE);
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
            CodeBlockKind::Indented => "",
        };
        if lang.is_empty() {
            self.open("code", &[], PRE_CODE);
        } else {
            let class = escape_attr(&format!("language-{lang}"));
            self.open("code", &[("class", &class)], PRE_CODE);
        }
    }

    pub(super) fn list(&mut self, start: Option<u64>) {
        match start {
            None => self.block("ul", &[], LIST),
            Some(1) => self.block("ol", &[], LIST),
            Some(n) => self.block("ol", &[("start", &n.to_string())], LIST),
        }
        self.out.push('\n');
    }

    pub(super) fn table_cell(&mut self) {
        let (name, style) = if self.table.in_head {
            ("th", TH)
        } else {
            ("td", TD)
        };
        let align = match self.table.alignments.get(self.table.cell) {
            Some(Alignment::Left) => Some("left"),
            Some(Alignment::Center) => Some("center"),
            Some(Alignment::Right) => Some("right"),
            Some(Alignment::None) | None => None,
        };
        match (self.flavor, align) {
            (Flavor::Web, Some(align)) => {
                self.open(name, &[("style", &format!("text-align:{align}"))], "");
            }
            (Flavor::Email, Some(align)) => {
                self.open(name, &[], &format!("{style};text-align:{align}"));
            }
            (_, None) => self.open(name, &[], style),
        }
    }

    pub(super) fn task_marker(&mut self, done: bool) {
        self.out.push_str(match (self.flavor, done) {
            (Flavor::Web, true) => "<input type=\"checkbox\" disabled checked> ",
            (Flavor::Web, false) => "<input type=\"checkbox\" disabled> ",
            (Flavor::Email, true) => "☑ ",
            (Flavor::Email, false) => "☐ ",
        });
    }
}

/// Every heading's anchor, in document order, keyed by its `Start` event.
pub(super) fn heading_ids(events: &[Event<'static>]) -> HashMap<*const Event<'static>, String> {
    let mut anchors = Anchors::default();
    let mut ids = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        if let Event::Start(Tag::Heading { id, .. }) = event {
            let end = matching_end(events, i);
            let title = plain_text(events.get(i + 1..end).unwrap_or_default());
            ids.insert(ptr::from_ref(event), anchors.anchor(id.as_deref(), &title));
        }
    }
    ids
}

pub(super) fn alert_class(kind: BlockQuoteKind) -> String {
    let name = match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    };
    format!("markdown-alert-{name}")
}
