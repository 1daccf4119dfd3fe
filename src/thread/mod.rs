//! `thread`: a post cut into numbered posts for a social network with a length limit.
//!
//! The first post opens with the title; the last ends with the closing question and the
//! canonical link; every post but a lone one ends with its `n/N` marker after a blank line.
//! Posts end, in order of preference:
//!
//! 1. between blocks (paragraphs, list items, code lines): a block that does not fit what
//!    is left of a post but fits a post of its own starts the next one — unless the post
//!    holds nothing but headings, which always stay with what they introduce;
//! 2. between sentences (or at a line break) of a block longer than a post;
//! 3. between the pieces of a sentence longer than a post — a word with its punctuation, a
//!    whole link with its URL, a whole code span — and the post ends with `…`;
//! 4. inside a piece longer than a post on its own: between its words, and a single word
//!    longer than that is cut at a word boundary (between ideographs, after a hyphen) or
//!    between grapheme clusters, each part ending with `…`.
//!
//! The closing link never stands alone when the sentence before it can go along.
//!
//! Lengths are counted as the network does (see `count`), so no post is ever longer than
//! the limit, marker included.

pub mod blocks;
mod count;
/// What a thread does to a construct it cannot show as written (see
/// `Format::degradation`): a social post is plain text.
pub fn degradation(construct: crate::render::Construct) -> Option<crate::render::Degradation> {
    use crate::render::{Construct, Degradation};
    match construct {
        Construct::Table => Degradation::changed("table rendered as one plain-text line a row"),
        Construct::HtmlBlock => Degradation::lost("raw HTML block reduced to its text"),
        Construct::InlineHtml => Degradation::lost("inline HTML reduced to its text"),
        Construct::CodeSpan => Degradation::changed("inline code shown as plain text"),
        Construct::Strikethrough => {
            Degradation::lost("struck-through text shown without its strikethrough")
        }
        Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
            Degradation::changed("heading attributes `{#id .class}` dropped")
        }
        Construct::LineBreakTag | Construct::Image { .. } | Construct::ListStart => None,
    }
}

#[cfg(test)]
mod tests;

use pulldown_cmark::Event;
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

pub use blocks::{Block, Gap, Sep};
pub use count::{Counter, graphemes, urls};

use crate::markdown::{Footnotes, split_footnotes};
use crate::render::RenderOptions;

/// The limit when a template using `thread` sets no `max_chars`: Mastodon's.
pub const DEFAULT_LIMIT: usize = 500;

/// The smallest `max_chars` a thread accepts: room for a marker, a quote or list prefix and
/// a link counted at 23 characters, with some text besides.
pub const MIN_LIMIT: usize = 50;

/// One post of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadPost {
    /// 1 for the first post.
    pub number: usize,
    /// How many posts the thread has.
    pub total: usize,
    /// The post as it is published, its `n/N` marker included.
    pub text: String,
}

/// What a thread is made of besides the body.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Opens the first post.
    pub title: &'a str,
    /// Its own paragraph after the body (which must not hold it too); none when empty.
    pub question: &'a str,
    /// Closes the last post: the canonical link; none when empty.
    pub closing: &'a str,
}

/// The thread for a post: the title, the body's events, the question, then the closing
/// link, each post at most `limit` long as `counter` counts.
pub fn thread(
    frame: Frame<'_>,
    events: &[Event<'static>],
    opts: &RenderOptions,
    limit: usize,
    counter: Counter,
) -> Vec<ThreadPost> {
    // Kept blocks add about a quarter at most to what the events take: the blocks of a
    // paragraph of millions of words are made once, those of millions of paragraphs again.
    let hold = HOLD.max(std::mem::size_of_val(events) / 4);
    thread_holding(frame, events, opts, limit, counter, hold)
}

/// `thread`, its blocks held between walks while they take at most `hold` bytes.
fn thread_holding(
    frame: Frame<'_>,
    events: &[Event<'static>],
    opts: &RenderOptions,
    limit: usize,
    counter: Counter,
    hold: usize,
) -> Vec<ThreadPost> {
    let (main, notes) = split_footnotes(events, opts.note_numbers.as_ref());
    let source = Source {
        frame,
        main: &main,
        notes: &notes,
        opts,
        counter,
    };
    let posts = split(&source, limit, counter, hold);
    let total = posts.len();
    posts
        .into_iter()
        .enumerate()
        .map(|(i, text)| ThreadPost {
            number: i + 1,
            total,
            text,
        })
        .collect()
}

/// A thread's blocks made from the post: the title, the body, the question, the closing
/// link.
struct Source<'a> {
    frame: Frame<'a>,
    /// The body's events parted as `split_footnotes` parts them, once for every walk.
    main: &'a [&'a Event<'static>],
    notes: &'a Footnotes<'a>,
    opts: &'a RenderOptions,
    counter: Counter,
}

impl Source<'_> {
    /// Each block as it is made.
    fn each_made(&self, f: &mut dyn FnMut(Block)) {
        let Frame {
            title,
            question,
            closing,
        } = self.frame;
        f(Block::plain(title, true, self.counter));
        blocks::each(self.main, self.notes, self.opts, self.counter, &mut *f);
        if !question.trim().is_empty() {
            f(Block::plain(question, false, self.counter));
        }
        if !closing.trim().is_empty() {
            let mut link = Block::plain(closing, false, self.counter);
            link.keep_with_previous = true;
            f(link);
        }
    }
}

/// A thread's blocks for packing, as often as that takes: kept from the first walk, or
/// made again from the post each time.
enum Blocks<'a> {
    Held(Vec<Block>),
    Walked(&'a Source<'a>),
}

impl Blocks<'_> {
    /// Each block, in order.
    fn each(&self, f: &mut dyn FnMut(&Block)) {
        match self {
            Blocks::Held(blocks) => blocks.iter().for_each(f),
            Blocks::Walked(source) => source.each_made(&mut |block| f(&block)),
        }
    }
}

/// How much memory a thread's blocks may be kept in between the walk that measures them
/// and the packings that follow, unless a quarter of what the post's events take is more.
/// Blocks that take more are made again from the events for each packing (once, or twice
/// when the count of posts reaches another digit). A post of 20 MB of one-word paragraphs
/// made 2.1 GB of blocks from 1.6 GB of events.
const HOLD: usize = 32 << 20;

/// What the first walk over a thread's blocks learns.
struct Measured<'a> {
    /// Their length as one post, with the gaps between them.
    whole: usize,
    /// A count the posts' text reaches at least (`floor`).
    floor: usize,
    /// The blocks, kept when they fit in `hold` bytes.
    blocks: Blocks<'a>,
}

/// Walks the blocks once, measuring them and keeping them while they and the vector that
/// holds them take about `hold` bytes at most (`Block::heap`).
fn measure<'a>(source: &'a Source<'a>, hold: usize) -> Measured<'a> {
    let mut whole = 0;
    let mut floor_sum = 0;
    let mut held = Some(Vec::new());
    let mut heap = 0;
    let mut first = true;
    source.each_made(&mut |block| {
        whole += block.cost() + if first { 0 } else { block.gap.text().len() };
        floor_sum += floor(&block);
        first = false;
        let Some(blocks) = &mut held else {
            return;
        };
        // The vector's slots as they will be once this block is in: doubled when full.
        let slots = if blocks.len() < blocks.capacity() {
            blocks.capacity()
        } else {
            (2 * blocks.capacity()).max(4)
        };
        heap += block.heap();
        if heap + slots * std::mem::size_of::<Block>() <= hold {
            blocks.push(block);
        } else {
            held = None;
        }
    });
    Measured {
        whole,
        floor: floor_sum,
        blocks: held.map_or(Blocks::Walked(source), Blocks::Held),
    }
}

/// Packs blocks into posts of at most `limit`, each but a lone one ending with its marker.
/// The blocks are held between packings while they take at most `hold` bytes, and walked
/// again from the post otherwise.
fn split(source: &Source<'_>, limit: usize, counter: Counter, hold: usize) -> Vec<String> {
    let Measured {
        whole,
        floor,
        blocks,
    } = measure(source, hold);
    if whole <= limit {
        return pack(&blocks, limit, counter);
    }
    // The marker's room depends on how many posts there are: try one digit, then more
    // until the count fits the digits reserved. A long post skips the digits its text
    // alone proves too few, since each try packs the whole thread.
    let mut digits = 1;
    loop {
        let reserve = "\n\n".len() + 2 * digits + "/".len();
        let budget = limit.saturating_sub(reserve).max(1);
        if floor.div_ceil(budget).to_string().len() > digits {
            digits += 1;
            continue;
        }
        let posts = pack(&blocks, budget, counter);
        let total = posts.len();
        if total.to_string().len() <= digits {
            return posts
                .into_iter()
                .enumerate()
                .map(|(i, text)| format!("{text}\n\n{}/{total}", i + 1))
                .collect();
        }
        digits += 1;
    }
}

/// A count the posts' text reaches at least, however the block is cut across them: its
/// pieces without URLs (none has a `:`), less their whitespace, which a post may drop
/// where it ends. Cut, such a piece counts as much (its clusters) or more (with `…`).
fn floor(block: &Block) -> usize {
    // One walk over each piece's characters: a search for the `:` before counting the
    // whitespace cost half as much again on pieces a word long (0.5% of `build`).
    let plain = |piece: &blocks::Piece| {
        let mut spaces = 0;
        for c in block.text_of(piece).chars() {
            if c == ':' {
                return 0;
            }
            spaces += usize::from(c.is_whitespace());
        }
        piece.cost.saturating_sub(spaces)
    };
    block
        .sentences
        .iter()
        .flat_map(|s| &s.pieces)
        .map(plain)
        .sum()
}

/// Packs blocks into posts of at most `budget`, without markers.
fn pack(blocks: &Blocks<'_>, budget: usize, counter: Counter) -> Vec<String> {
    let mut packer = Packer {
        budget,
        counter,
        posts: Vec::new(),
        cur: String::new(),
        cost: 0,
        only_headings: true,
        tail_heading: None,
        last_sentence: None,
    };
    blocks.each(&mut |block| packer.block(block));
    packer.new_post();
    packer.posts
}

/// Where a post ends with a whole heading after other content: it moves to the next post
/// with what it introduces.
#[derive(Debug, Clone, Copy)]
struct TailHeading {
    /// Where the separator before it starts in the post.
    sep_at: usize,
    /// Where its text starts.
    text_at: usize,
    /// Its cost, lead included.
    cost: usize,
}

/// Where a block stands while it is written.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    /// Some of the block is written, in this post or an earlier one.
    started: bool,
    /// Some of it is in the current post.
    in_post: bool,
}

#[derive(Debug)]
struct Packer {
    budget: usize,
    counter: Counter,
    posts: Vec<String>,
    cur: String,
    cost: usize,
    /// The current post holds nothing but headings (the title, say), or nothing.
    only_headings: bool,
    tail_heading: Option<TailHeading>,
    /// The last sentence written whole in the current post, which may move on to the next
    /// post with the closing link.
    last_sentence: Option<SentenceMark>,
}

/// Where the last whole sentence of a post starts.
#[derive(Debug, Clone)]
struct SentenceMark {
    /// Where the separator before it starts, and the cost there.
    joint_at: usize,
    cost_before: usize,
    /// Where its text starts, and the cost there.
    text_at: usize,
    cost_at_text: usize,
    /// What goes before it at the start of a post (its block's lead or `cont`).
    prefix: String,
    prefix_cost: usize,
    /// Nothing but headings came before it in the post, or a heading right before it:
    /// moving it would leave a heading without what it introduces.
    after_heading: bool,
}

impl Packer {
    fn room(&self) -> usize {
        self.budget.saturating_sub(self.cost)
    }

    fn write(&mut self, text: &str, cost: usize) {
        self.cur.push_str(text);
        self.cost += cost;
    }

    /// Ends the current post (if it has anything) and starts the next, moving a heading
    /// that ends it along.
    fn new_post(&mut self) {
        self.last_sentence = None;
        if self.cur.trim().is_empty() {
            self.cur.clear();
            self.cost = 0;
            return;
        }
        let carried = match self.tail_heading.take() {
            Some(tail) if tail.sep_at > 0 => {
                let heading = self.cur.split_off(tail.text_at);
                self.cur.truncate(tail.sep_at);
                Some((heading, tail.cost))
            }
            _ => None,
        };
        // Copied out trimmed, and the buffer kept for the next post: grown anew for each
        // post, it was reallocated as often as the post's text doubled.
        self.posts.push(self.cur.trim_matches('\n').to_string());
        self.cur.clear();
        self.cost = 0;
        self.only_headings = true;
        if let Some((heading, cost)) = carried {
            self.write(&heading, cost);
            self.tail_heading = Some(TailHeading {
                sep_at: 0,
                text_at: 0,
                cost,
            });
        }
    }

    /// The cost of what goes before a piece: a separator inside the block, or the gap to
    /// the block before and the block's prefix.
    fn joint_cost(&self, block: &Block, sep: Sep, at: Progress) -> usize {
        if at.in_post {
            return block.sep_cost(sep);
        }
        let gap = if self.cur.is_empty() {
            0
        } else {
            block.gap.text().len()
        };
        gap + if at.started {
            block.cont_cost
        } else {
            block.lead_cost
        }
    }

    fn write_joint(&mut self, block: &Block, sep: Sep, at: &mut Progress) {
        let cost = self.joint_cost(block, sep, *at);
        if at.in_post {
            match sep {
                Sep::None => {}
                Sep::Space => self.cur.push(' '),
                Sep::Line => {
                    self.cur.push('\n');
                    self.cur.push_str(&block.cont);
                }
            }
        } else {
            if !self.cur.is_empty() {
                self.cur.push_str(block.gap.text());
            }
            self.cur
                .push_str(if at.started { &block.cont } else { &block.lead });
        }
        self.cost += cost;
        at.started = true;
        at.in_post = true;
        if !block.heading {
            self.only_headings = false;
        }
        self.tail_heading = None;
    }

    fn write_piece(&mut self, block: &Block, text: &str, cost: usize, sep: Sep, at: &mut Progress) {
        self.write_joint(block, sep, at);
        self.write(text, cost);
    }

    fn block(&mut self, block: &Block) {
        let whole = block.cost();
        let gap = |p: &Packer| {
            if p.cur.is_empty() {
                0
            } else {
                block.gap.text().len()
            }
        };
        if block.keep_with_previous && gap(self) + whole > self.room() {
            self.move_last_sentence(block.gap.text().len() + whole);
        }
        if gap(self) + whole > self.room() && whole <= self.budget && !self.only_headings {
            self.new_post();
        }
        let mut at = Progress::default();
        if gap(self) + whole <= self.room() {
            let sep_at = self.cur.len();
            let had_content = !self.cur.is_empty();
            for sentence in &block.sentences {
                self.write_sentence(block, sentence, &mut at);
            }
            if block.heading {
                self.last_sentence = None;
                if had_content {
                    self.tail_heading = Some(TailHeading {
                        sep_at,
                        text_at: sep_at + block.gap.text().len(),
                        cost: whole,
                    });
                }
            }
            return;
        }
        for sentence in &block.sentences {
            self.sentence(block, sentence, &mut at);
        }
    }

    /// Writes a sentence that fits, remembering where it starts.
    fn write_sentence(&mut self, block: &Block, sentence: &blocks::Sentence, at: &mut Progress) {
        let Some((first, rest)) = sentence.pieces.split_first() else {
            return;
        };
        let (prefix, prefix_cost) = if at.started {
            (&block.cont, block.cont_cost)
        } else {
            (&block.lead, block.lead_cost)
        };
        let mut mark = SentenceMark {
            joint_at: self.cur.len(),
            cost_before: self.cost,
            text_at: 0,
            cost_at_text: 0,
            prefix: prefix.clone(),
            prefix_cost,
            after_heading: self.only_headings || self.tail_heading.is_some(),
        };
        self.write_joint(block, first.sep, at);
        mark.text_at = self.cur.len();
        mark.cost_at_text = self.cost;
        self.write(block.text_of(first), first.cost);
        for piece in rest {
            self.write_piece(block, block.text_of(piece), piece.cost, piece.sep, at);
        }
        self.last_sentence = Some(mark);
    }

    /// Ends the post before its last sentence, which starts the next post, when that lets
    /// `needed` (the closing link with its gap) follow it there: a thread is better closed
    /// by its last words and the link than by the link alone.
    fn move_last_sentence(&mut self, needed: usize) {
        let Some(mark) = self.last_sentence.take() else {
            return;
        };
        let moved = self.cost - mark.cost_at_text;
        if mark.joint_at == 0
            || mark.after_heading
            || mark.prefix_cost + moved + needed > self.budget
        {
            return;
        }
        let text = self.cur.split_off(mark.text_at);
        self.cur.truncate(mark.joint_at);
        self.cost = mark.cost_before;
        self.tail_heading = None;
        self.new_post();
        self.write(&mark.prefix, mark.prefix_cost);
        self.write(&text, moved);
        self.only_headings = false;
    }

    fn sentence(&mut self, block: &Block, sentence: &blocks::Sentence, at: &mut Progress) {
        let sep = sentence.pieces.first().map_or(Sep::None, |p| p.sep);
        if self.joint_cost(block, sep, *at) + sentence.cost <= self.room() {
            self.write_sentence(block, sentence, at);
            return;
        }
        let fresh = Progress {
            started: at.started,
            in_post: false,
        };
        let fits_alone = sentence.cost
            + if at.started {
                block.cont_cost
            } else {
                block.lead_cost
            }
            <= self.budget;
        if fits_alone && !self.only_headings {
            self.new_post();
            at.in_post = false;
            if self.joint_cost(block, sep, fresh) + sentence.cost <= self.room() {
                self.write_sentence(block, sentence, at);
                return;
            }
        }
        self.last_sentence = None;
        self.words(block, sentence, at);
    }

    /// A sentence that fits nowhere whole: piece by piece, each post it leaves ending
    /// with `…`.
    fn words(&mut self, block: &Block, sentence: &blocks::Sentence, at: &mut Progress) {
        let mut queue = Parts {
            block,
            pieces: sentence.pieces.iter(),
            front: Vec::new(),
        };
        // Whether this post already holds some of the sentence, so leaving it needs `…`.
        let mut begun = false;
        while let Some(part) = queue.next() {
            let text = &block.text[part.start..part.end];
            let sep = part.sep;
            // `None`: longer than any post.
            let cost = part
                .cost
                .or_else(|| self.counter.count_at_most(text, self.budget));
            let ellipsis = usize::from(!queue.is_empty());
            if let Some(cost) = cost
                && self.joint_cost(block, sep, *at) + cost + ellipsis <= self.room()
            {
                self.write_piece(block, text, cost, sep, at);
                // Part of a heading is content: the rest may go to the next post.
                self.only_headings = false;
                begun = true;
                continue;
            }
            let fresh_joint = if at.started {
                block.cont_cost
            } else {
                block.lead_cost
            };
            // It fits a post of its own: the next one, unless this one holds nothing but
            // headings (they stay with it, and what is left of it is filled instead) and
            // the piece has words to fill it with. A single word (a URL) is never cut to
            // keep a heading company.
            if let Some(cost) = cost
                && fresh_joint + cost + ellipsis <= self.budget
                && (!self.only_headings || part.one_word)
            {
                self.leave(begun, at);
                begun = false;
                queue.push_front(part);
                continue;
            }
            // Longer than a post: its words one by one, if it has several.
            if !part.one_word {
                let mut words = Vec::new();
                let mut from = part.start;
                for word in text.split(' ') {
                    if !word.is_empty() {
                        words.push(from..from + word.len());
                    }
                    from += word.len() + 1;
                }
                if words.len() > 1 {
                    for (i, word) in words.into_iter().enumerate().rev() {
                        queue.push_front(Part {
                            cost: Some(self.counter.count(&block.text[word.clone()])),
                            sep: if i == 0 { sep } else { Sep::Space },
                            one_word: true,
                            start: word.start,
                            end: word.end,
                        });
                    }
                    continue;
                }
            }
            // A single word longer than a post: as much as fits here with `…`, the rest
            // in the next post.
            let mut avail = self
                .room()
                .saturating_sub(self.joint_cost(block, sep, *at) + 1);
            let mut end = cut(text, avail, self.counter);
            if end == 0 && !self.cur.is_empty() {
                self.leave(begun, at);
                avail = self
                    .room()
                    .saturating_sub(self.joint_cost(block, sep, *at) + 1);
                end = cut(text, avail, self.counter);
            }
            if end == 0 {
                // Not one cluster fits an empty post: only reachable with a limit below
                // `MIN_LIMIT`. One cluster still goes, so the thread ends.
                end = text
                    .grapheme_indices(true)
                    .nth(1)
                    .map_or(text.len(), |(i, _)| i);
            }
            let (head, rest) = text.split_at(end);
            let head = format!("{head}…");
            let head_cost = self.counter.count(&head);
            self.write_piece(block, &head, head_cost, sep, at);
            self.new_post();
            at.in_post = false;
            begun = false;
            if !rest.is_empty() {
                // Counted when it is next placed, only as far as a post reaches. It holds
                // a space only where its word's text does, at either end.
                queue.push_front(Part {
                    start: part.start + end,
                    end: part.end,
                    cost: None,
                    sep: Sep::None,
                    one_word: part.one_word || !(rest.starts_with(' ') || rest.ends_with(' ')),
                });
            }
        }
    }

    /// Leaves the current post mid-sentence: `…` when the sentence began in it.
    fn leave(&mut self, begun: bool, at: &mut Progress) {
        if begun {
            self.write("…", 1);
        }
        self.new_post();
        at.in_post = false;
    }
}

/// The parts of a sentence still to place, in order: the parts put back in front, then its
/// pieces not yet reached. Made a part only when reached, so a sentence of millions of
/// pieces is not copied whole.
struct Parts<'a> {
    block: &'a Block,
    pieces: std::slice::Iter<'a, blocks::Piece>,
    /// Parts put back, the next one last.
    front: Vec<Part>,
}

impl Parts<'_> {
    fn next(&mut self) -> Option<Part> {
        self.front.pop().or_else(|| {
            let p = self.pieces.next()?;
            Some(Part {
                start: p.start,
                end: p.end,
                cost: Some(p.cost),
                sep: p.sep,
                one_word: !self.block.text_of(p).contains(' '),
            })
        })
    }

    fn push_front(&mut self, part: Part) {
        self.front.push(part);
    }

    fn is_empty(&self) -> bool {
        self.front.is_empty() && self.pieces.len() == 0
    }
}

/// What is left to place of a sentence that fits nowhere whole: a range of its block's
/// text (a piece, a word of one, or what is left of a word cut across posts).
#[derive(Debug)]
struct Part {
    start: usize,
    end: usize,
    /// Its count; `None` until it is placed (then counted only as far as a post reaches).
    cost: Option<usize>,
    sep: Sep,
    /// It holds no space, so it is not split into words.
    one_word: bool,
}

/// Where to cut `text` so the part before counts at most `avail`: at the last word
/// boundary (between ideographs, after a hyphen or slash) in the second half of what
/// fits, else between grapheme clusters; its byte length.
fn cut(text: &str, avail: usize, counter: Counter) -> usize {
    let mut end = count::clusters_end(text, avail);
    // A prefix that is a URL counts as a whole URL: back off until it fits.
    while end > 0 && counter.count(&text[..end]) > avail {
        end = text[..end]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i);
    }
    if end == 0 || end == text.len() {
        return end;
    }
    // Word boundaries looked for in a window a little past the cut, so the rules that
    // look ahead (`can't` is one word) see what follows.
    let mut window = (end + 16).min(text.len());
    while !text.is_char_boundary(window) {
        window += 1;
    }
    text[..window]
        .split_word_bound_indices()
        .map(|(i, _)| i)
        .take_while(|&i| i <= end)
        // Not so early that most of the room goes unused (a URL's `https:`).
        .filter(|&i| i > 0 && i >= end / 2)
        .last()
        .unwrap_or(end)
}
