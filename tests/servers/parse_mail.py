#!/usr/bin/env python3
"""Reads one received message with Python's `email` package (policy=default) and prints JSON.

    python3 tests/servers/parse_mail.py FILE.eml

The shape (tests/servers/mailparser/parse.js prints the same keys from npm's mailparser):

    {"headers": {"From": …, "To": …, …},  each header of HEADERS decoded (RFC 2047), or null;
                                          when one occurs more than once, its first value
     "header_counts": {"From": 1, …},     how many times each of HEADERS occurs
     "parsed": {"from": [{"name", "address"}], "to": […], "subject": …,
                "date": "2026-12-03T14:00:00.000Z" (UTC) or null, "message_id": …,
                "list_unsubscribe": ["https://…", "mailto:…"]},
     "text": the text/plain part decoded, line ends as \\n, or null,
     "html": the text/html part decoded, line ends as \\n, or null,
     "links": the href of every <a> and <area> in the HTML, in order,
     "structure": the content type of every part, depth first ("multipart/alternative",
                  "text/plain", "text/html"),
     "defects": what the parser found wrong, per part ("text/html: …")}
"""

import datetime
import email
import email.policy
import email.utils
import json
import re
import sys
from html.parser import HTMLParser

HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "area"):
            for name, value in attrs:
                if name == "href" and value is not None:
                    self.hrefs.append(value)


def addresses(message, name):
    header = message[name]
    if header is None or not hasattr(header, "addresses"):
        return []
    return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]


def iso_date(value):
    if value is None:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000": the zone is unknown; read it as UTC
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def unfold(text):
    return text.replace("\r\n", "\n")


def first_part(message, content_type):
    for part in message.walk():
        if part.get_content_type() == content_type and not part.is_attachment():
            return unfold(part.get_content())
    return None


def parse(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = {}
    counts = {}
    for name in HEADERS:
        values = message.get_all(name) or []
        counts[name] = len(values)
        headers[name] = str(values[0]) if values else None
    html = first_part(message, "text/html")
    links = Links()
    if html is not None:
        links.feed(html)
        links.close()
    unsubscribe = headers["List-Unsubscribe"] or ""
    return {
        "headers": headers,
        "header_counts": counts,
        "parsed": {
            "from": addresses(message, "From"),
            "to": addresses(message, "To"),
            "subject": headers["Subject"],
            "date": iso_date(headers["Date"]),
            "message_id": headers["Message-ID"],
            "list_unsubscribe": re.findall(r"<([^>]*)>", unsubscribe),
        },
        "text": first_part(message, "text/plain"),
        "html": html,
        "links": links.hrefs,
        "structure": [part.get_content_type() for part in message.walk()],
        "defects": [
            f"{part.get_content_type()}: {defect!r}"
            for part in message.walk()
            for defect in part.defects
        ],
    }


def main():
    if len(sys.argv) != 2:
        print("usage: parse_mail.py FILE.eml", file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], "rb") as file:
        raw = file.read()
    json.dump(parse(raw), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
