#!/usr/bin/env python3
"""A project with a large publish ledger, to time `publish --plan` and `status` on it.

    python3 bench/big_ledger.py DIR [ISSUES] [SUBSCRIBERS]
    cd DIR && /usr/bin/time -f "%e s %U user %M KB" repurpose publish --plan -q
    cd DIR && /usr/bin/time -f "%e s %U user %M KB" repurpose status > /dev/null

DIR gets repurpose.yaml (one smtp target, `news`, on a port nothing listens on: the plan
of posts already emailed asks no server), subscribers.csv, ISSUES posts (default 100), and
repurpose.ledger with one finished issue per post, each to SUBSCRIBERS subscribers (default
1,000): a `sending` and a `delivered` line per subscriber, as `publish` writes them.
"""

import json
import os
import sys


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    issues = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    subscribers = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    os.makedirs(os.path.join(root, "posts"), exist_ok=True)
    with open(os.path.join(root, "repurpose.yaml"), "w") as f:
        f.write(
            "publish:\n  news:\n    service: smtp\n    url: smtp://127.0.0.1:9\n"
            "    from: Notes <notes@example.org>\n    list: subscribers.csv\n"
            "    unsubscribe: https://example.org/u?e={email}\n"
        )
    with open(os.path.join(root, "subscribers.csv"), "w") as f:
        f.write("email\n" + "".join(f"r{i}@example.org\n" for i in range(subscribers)))
    at = "2026-01-01T00:00:00Z"
    with open(os.path.join(root, "repurpose.ledger"), "w") as f:
        f.write(json.dumps({"event": "ledger", "version": 1, "about": "bench/big_ledger.py"}) + "\n")
        for i in range(issues):
            with open(os.path.join(root, "posts", f"p{i}.md"), "w") as post:
                post.write(f"---\ntitle: Post {i}\n---\nText {i}.\n")
            issue = f"{i:016x}"
            record = {"post": f"p{i}", "source": f"posts/p{i}.md", "sent": "sha256:0", "from": "sha256:0"}
            f.write(json.dumps({"event": "issue", "at": at, "target": "news", "issue": issue,
                                "posts": [record], "recipients": subscribers}) + "\n")
            for r in range(subscribers):
                to = f"{i:04x}{r:016x}"
                for event in ("sending", "delivered"):
                    f.write(json.dumps({"event": event, "at": at, "target": "news", "issue": issue, "to": to}) + "\n")
            f.write(json.dumps({"event": "finished", "at": at, "target": "news", "issue": issue}) + "\n")


if __name__ == "__main__":
    main()
