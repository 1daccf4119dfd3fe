//! The writer's output: tags (where the flavors part), lines, and escaped text.

use super::escape::{escape_attr, escape_body};
use super::style::CODE;
use super::{Flavor, Writer};

impl Writer<'_> {
    /// Writes `<name attrs style>`. Attribute values must already be escaped. This is where
    /// the flavors part: email drops ids and classes and takes the inline style instead.
    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)], style: &str) {
        self.out.push('<');
        self.out.push_str(name);
        for &(key, value) in attrs {
            if self.flavor == Flavor::Email && matches!(key, "id" | "class") {
                continue;
            }
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(value);
            self.out.push('"');
        }
        if self.flavor == Flavor::Email && !style.is_empty() {
            self.out.push_str(" style=\"");
            self.out.push_str(style);
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// Opens a block element on a line of its own.
    pub(super) fn block(&mut self, name: &str, attrs: &[(&str, &str)], style: &str) {
        self.line();
        self.open(name, attrs, style);
    }

    pub(super) fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    pub(super) fn close_block(&mut self, name: &str) {
        self.close(name);
        self.out.push('\n');
    }

    /// Starts a new line unless the output is empty or already at one.
    pub(super) fn line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    pub(super) fn text(&mut self, text: &str) {
        if !self.skip_until.active() {
            escape_body(&mut self.out, text);
        }
    }

    pub(super) fn inline_code(&mut self, code: &str) {
        if !self.skip_until.active() {
            self.open("code", &[], CODE);
            escape_body(&mut self.out, code);
            self.close("code");
        }
    }

    pub(super) fn math(&mut self, math: &str, class: &str) {
        if self.skip_until.active() {
            return;
        }
        self.open("span", &[("class", class)], CODE);
        self.out.push_str(&escape_attr(math));
        self.close("span");
    }
}
