#!/usr/bin/env python3
"""Trunk post-build hook: moves the inline <script type="module"> loader Trunk writes into index.html
into a content-hashed file, so the page runs under the API's CSP (script-src 'self' 'wasm-unsafe-eval',
no 'unsafe-inline'). Runs in TRUNK_STAGING_DIR before Trunk copies it to dist/."""

import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("TRUNK_STAGING_DIR is not set: run this as a Trunk hook")
index = os.path.join(staging, "index.html")
html = open(index, encoding="utf-8").read()
pattern = re.compile(r"<script type=\"module\"(?: nonce=\"[^\"]*\")?>(.*?)</script>", re.S)
scripts = pattern.findall(html)
if len(scripts) != 1:
    sys.exit(f"expected one inline module script in index.html, found {len(scripts)}")
body = scripts[0].strip() + "\n"
digest = hashlib.sha256(body.encode()).hexdigest()[:16]
name = f"loader-{digest}.js"
with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
    f.write(body)
html = pattern.sub(f'<script type="module" src="/{name}"></script>', html, count=1)
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
print(f"loader moved to {name}")
