//! Email styles. Gmail and Outlook ignore `<style>` blocks and classes, so every element
//! carries its look inline. Font stacks are macros so `concat!` can share them.

macro_rules! sans {
    () => {
        "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
    };
}

macro_rules! mono {
    () => {
        "font-family:SFMono-Regular,Menlo,Consolas,'Liberation Mono','Courier New',monospace"
    };
}

macro_rules! body_text {
    () => {
        concat!(sans!(), ";font-size:16px;line-height:1.6")
    };
}

macro_rules! heading {
    ($size:literal) => {
        concat!(
            sans!(),
            ";font-size:",
            $size,
            ";line-height:1.3;font-weight:bold;margin:24px 0 12px"
        )
    };
}

pub(super) const P: &str = concat!(body_text!(), ";margin:0 0 16px");

pub(super) const H1: &str = heading!("28px");

pub(super) const H2: &str = heading!("24px");

pub(super) const H3: &str = heading!("20px");

pub(super) const H4: &str = heading!("18px");

pub(super) const H5: &str = heading!("16px");

pub(super) const H6: &str = heading!("14px");

pub(super) const A: &str = "color:#1a6dd6;text-decoration:underline";

pub(super) const EM: &str = "font-style:italic";

pub(super) const STRONG: &str = "font-weight:bold";

pub(super) const DEL: &str = "text-decoration:line-through";

pub(super) const SUP: &str = "font-size:12px;line-height:0;vertical-align:super";

pub(super) const SUB: &str = "font-size:12px;line-height:0;vertical-align:sub";

pub(super) const CODE: &str = concat!(
    mono!(),
    ";font-size:14px;background-color:#f3f4f6;padding:2px 4px;border-radius:3px"
);

// `pre-wrap` so a long line wraps instead of widening the whole email.
pub(super) const PRE: &str = concat!(
    mono!(),
    ";font-size:14px;line-height:1.45;background-color:#f3f4f6;padding:12px 16px;",
    "margin:0 0 16px;border-radius:4px;white-space:pre-wrap;word-wrap:break-word"
);

pub(super) const PRE_CODE: &str = concat!(mono!(), ";font-size:14px");

pub(super) const BLOCKQUOTE: &str =
    "margin:0 0 16px;padding:0 0 0 16px;border-left:4px solid #d0d7de;color:#555555";

pub(super) const LIST: &str = concat!(body_text!(), ";margin:0 0 16px;padding:0 0 0 24px");

pub(super) const LI: &str = concat!(body_text!(), ";margin:0 0 8px");

pub(super) const DL: &str = "margin:0 0 16px";

pub(super) const DT: &str = concat!(body_text!(), ";font-weight:bold;margin:0");

pub(super) const DD: &str = concat!(body_text!(), ";margin:0 0 8px 24px");

pub(super) const HR: &str = "border:0;border-top:1px solid #d0d7de;margin:24px 0";

pub(super) const TABLE: &str = concat!(body_text!(), ";border-collapse:collapse;margin:0 0 16px");

pub(super) const TH: &str =
    "border:1px solid #d0d7de;padding:6px 12px;font-weight:bold;background-color:#f3f4f6";

pub(super) const TD: &str = "border:1px solid #d0d7de;padding:6px 12px";

pub(super) const IMG: &str = "display:block;max-width:100%;height:auto;border:0";
