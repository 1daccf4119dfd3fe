#!/usr/bin/env node
// Reads one received message with npm's mailparser (simpleParser) and prints JSON, in the shape
// tests/servers/parse_mail.py prints from Python's `email` package:
//
//     node tests/servers/mailparser/parse.js FILE.eml
//
// `headers` are the raw header lines, unfolded and with RFC 2047 words decoded (libmime, which
// mailparser uses itself); `parsed` is mailparser's own reading of the addresses, subject, date
// and message id; `text` and `html` are mailparser's; `links` come from the HTML through
// htmlparser2. mailparser exposes no part tree and no defects: `structure` and `defects` are
// null here.
//
// Install once: npm ci --prefix tests/servers/mailparser

"use strict";

const fs = require("fs");
const { simpleParser } = require("mailparser");
const { Parser } = require("htmlparser2");
const libmime = require("libmime");

const HEADERS = [
  "From",
  "To",
  "Subject",
  "Date",
  "Message-ID",
  "List-Unsubscribe",
  "List-Unsubscribe-Post",
  "MIME-Version",
  "Content-Type",
];

function unfold(text) {
  return text.replace(/\r\n/g, "\n");
}

function headerValue(line) {
  const value = line.slice(line.indexOf(":") + 1).replace(/\r?\n/g, "").trim();
  return libmime.decodeWords(value);
}

function addresses(field) {
  if (!field) return [];
  const lists = Array.isArray(field) ? field : [field];
  return lists.flatMap((list) => list.value.map((a) => ({ name: a.name, address: a.address })));
}

function links(html) {
  const hrefs = [];
  const parser = new Parser({
    onopentag(name, attributes) {
      if ((name === "a" || name === "area") && attributes.href !== undefined) {
        hrefs.push(attributes.href);
      }
    },
  }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return hrefs;
}

async function main() {
  if (process.argv.length !== 3) {
    process.stderr.write("usage: parse.js FILE.eml\n");
    process.exit(2);
  }
  const parsed = await simpleParser(fs.readFileSync(process.argv[2]));
  const headers = {};
  const counts = {};
  for (const name of HEADERS) {
    const lines = parsed.headerLines.filter((h) => h.key === name.toLowerCase());
    counts[name] = lines.length;
    headers[name] = lines.length ? headerValue(lines[0].line) : null;
  }
  const html = typeof parsed.html === "string" ? unfold(parsed.html) : null;
  const unsubscribe = headers["List-Unsubscribe"] || "";
  const result = {
    headers,
    header_counts: counts,
    parsed: {
      from: addresses(parsed.from),
      to: addresses(parsed.to),
      subject: parsed.subject === undefined ? null : parsed.subject,
      date: parsed.date && !isNaN(parsed.date) ? parsed.date.toISOString() : null,
      message_id: parsed.messageId === undefined ? null : parsed.messageId,
      list_unsubscribe: [...unsubscribe.matchAll(/<([^>]*)>/g)].map((m) => m[1]),
    },
    text: typeof parsed.text === "string" ? unfold(parsed.text) : null,
    html,
    links: html === null ? [] : links(html),
    structure: null,
    defects: null,
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

main().catch((error) => {
  process.stderr.write(`parse.js: ${error.stack || error}\n`);
  process.exit(1);
});
