//! Images uploaded to the forum (`POST /uploads.json`, the API reference's "Creates an
//! upload"): a form with `type=composer`, `synchronous=true` and the file. The post body
//! refers to an upload by its short URL, `![alt|WxH](upload://….png)`, which Discourse
//! turns into the address it serves the file from.
//!
//! Discourse keeps one upload per file (by its SHA1, unless the forum has secure uploads
//! on): the same file sent again is the same upload, so an upload whose answer was lost is
//! simply sent again.

use serde_json::{Value, json};

use super::Client;
use crate::publish::http::{self, Method};
use crate::publish::multipart::Form;
use crate::publish::upload::{Upload, Uploaded, Uploader};

impl Uploader for Client {
    fn upload(&self, image: &Upload<'_>) -> anyhow::Result<Uploaded> {
        let what = format!("uploading `{}`", image.name);
        let form = Form::new()
            .text("type", "composer")
            .text("synchronous", "true")
            .file("file", image.name, image.mime, image.bytes)
            .finish();
        let method = Method::PostBytes {
            content_type: &form.content_type,
            body: &form.bytes,
        };
        let reply = match self.call(&what, method, "uploads.json") {
            Err(err) if http::unanswered(&err) => self.call(&what, method, "uploads.json")?,
            reply => reply?,
        };
        let upload = self.expect(&what, &reply, &[200, 201])?;
        let id = upload.get("id").and_then(Value::as_u64);
        let short_url = upload.get("short_url").and_then(Value::as_str);
        let (Some(id), Some(short_url)) = (id, short_url) else {
            anyhow::bail!(
                "{what} on Discourse at {}: the answer is not an upload ({})",
                self.api.root(),
                http::describe_body(&reply.body)
            );
        };
        // Discourse may have shrunk the image or made a JPEG of a large PNG: the size and
        // the address it gives are what the post refers to.
        Ok(Uploaded {
            id: id.to_string(),
            url: short_url.to_string(),
            extra: json!({
                "url": upload.get("url").cloned().unwrap_or(Value::Null),
                "width": upload.get("width").cloned().unwrap_or(Value::Null),
                "height": upload.get("height").cloned().unwrap_or(Value::Null),
            }),
        })
    }
}
