#!/usr/bin/env bash
# Writes crates/auth/data/common-passwords.txt: the 10,000 most common passwords, most common first,
# lower-cased, from the frequency-ordered list in the npm package @zxcvbn-ts/language-common (MIT;
# see crates/auth/data/README.md). Run by hand when updating the list; the file is committed and
# compiled into the backend, so nothing is fetched at build or run time.
source "$(dirname "$0")/lib.sh"
VERSION=4.1.3
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "@zxcvbn-ts/language-common@$VERSION" --silent >/dev/null && tar xzf ./*.tgz)
python3 - "$work/package/src/passwords.json" "$ROOT/crates/auth/data/common-passwords.txt" <<'PY'
import json, sys
seen, out = set(), []
for word in json.load(open(sys.argv[1])):
    word = word.strip().lower()
    if word and word not in seen:
        seen.add(word); out.append(word)
    if len(out) == 10_000:
        break
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(f"{len(out)} passwords, {sum(len(w) >= 10 for w in out)} of them 10 characters or longer")
PY
