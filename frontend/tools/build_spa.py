#!/usr/bin/env python3
"""Builds the SPA into dist/ — what `trunk build --release` did, without Trunk (whose source install
took 7 of a new machine's CI minutes): `cargo build --release` for wasm32, `wasm-bindgen --target web`,
`wasm-opt -Oz` (binaryen 132: Debian's 108 breaks the app at load), then content-hashed file names,
a module loader in its own hashed file (the API's CSP allows scripts from 'self' only, no inline
script), and index.html with the stylesheet, the icon and preloads of the JS and wasm, each with
Subresource Integrity (sha384).

index.html marks what to build with `<link data-build rel="rust|css|icon" …>`. Run from frontend/
with the tools on PATH (scripts/build-frontend.sh installs them); CARGO_TARGET_DIR is honoured.
Usage: build_spa.py [--dist DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = "mvp-frontend"
LINK = re.compile(r"<link\s+data-build\s+([^>]*?)\s*/?>")
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def digest16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def run(*args: str, **kwargs) -> None:
    print("  " + " ".join(args), flush=True)
    subprocess.run(args, check=True, **kwargs)


def hashed_copy(source: Path, dist: Path) -> tuple[str, bytes]:
    data = source.read_bytes()
    name = f"{source.stem}-{digest16(data)}{source.suffix}"
    (dist / name).write_bytes(data)
    return name, data


def build_wasm(staging: Path, wasm_opt_level: str) -> tuple[str, str]:
    """The app's JS and wasm in `staging`, named by the hash of the compiled wasm."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    nice = ["nice", "-n", os.environ.get("MVP_NICE", "10")]
    run(*nice, "cargo", "build", "--release", "--target=wasm32-unknown-unknown", "--bin", BIN,
        "--offline", "--locked", "--quiet")
    compiled = target / "wasm32-unknown-unknown" / "release" / f"{BIN}.wasm"
    base = f"{BIN}-{digest16(compiled.read_bytes())}"
    run("wasm-bindgen", "--target=web", f"--out-dir={staging}", f"--out-name={base}",
        "--no-typescript", str(compiled))
    wasm = staging / f"{base}_bg.wasm"
    if wasm_opt_level != "0":
        optimised = staging / "opt.wasm"
        run(*nice, "wasm-opt", f"--output={optimised}", f"-O{wasm_opt_level}", str(wasm))
        optimised.replace(wasm)
    return f"{base}.js", f"{base}_bg.wasm"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default="dist")
    options = parser.parse_args()
    source = Path("index.html").read_text(encoding="utf-8")
    links = [(m, dict(ATTR.findall(m.group(1)))) for m in LINK.finditer(source)]
    if [a.get("rel") for _, a in links].count("rust") != 1:
        sys.exit("index.html must have exactly one <link data-build rel=\"rust\">")

    with tempfile.TemporaryDirectory(prefix="spa-") as tmp:
        staging = Path(tmp) / "dist"
        staging.mkdir()
        replacements: dict[str, str] = {}
        preloads = ""
        for match, attrs in links:
            rel = attrs.get("rel")
            if rel == "rust":
                js, wasm = build_wasm(staging, attrs.get("data-wasm-opt", "z"))
                loader = (
                    f"import init, * as bindings from '/{js}';\n"
                    f"const wasm = await init({{ module_or_path: '/{wasm}' }});\n"
                    "window.wasmBindings = bindings;\n"
                    'dispatchEvent(new CustomEvent("AppStarted", {detail: {wasm}}));\n'
                ).encode()
                loader_name = f"loader-{digest16(loader)}.js"
                (staging / loader_name).write_bytes(loader)
                replacements[match.group(0)] = f'<script type="module" src="/{loader_name}"></script>'
                js_bytes, wasm_bytes = (staging / js).read_bytes(), (staging / wasm).read_bytes()
                preloads = (
                    f'<link rel="modulepreload" href="/{js}" crossorigin="anonymous" '
                    f'integrity="{sri(js_bytes)}">'
                    f'<link rel="preload" href="/{wasm}" crossorigin="anonymous" '
                    f'integrity="{sri(wasm_bytes)}" as="fetch" type="application/wasm">'
                )
            elif rel in ("css", "icon"):
                name, data = hashed_copy(Path(attrs["href"]), staging)
                kind = "stylesheet" if rel == "css" else "icon"
                replacements[match.group(0)] = (
                    f'<link rel="{kind}" href="/{html.escape(name)}" integrity="{sri(data)}"/>'
                )
            else:
                sys.exit(f"index.html: unknown <link data-build rel=\"{rel}\">")
        page = source
        for old, new in replacements.items():
            page = page.replace(old, new, 1)
        page = page.replace("</head>", f"  {preloads}</head>", 1)
        (staging / "index.html").write_text(page, encoding="utf-8")
        dist = Path(options.dist)
        if dist.exists():
            shutil.rmtree(dist)
        shutil.copytree(staging, dist)
    print(f"built {dist}/: " + ", ".join(sorted(p.name for p in dist.iterdir())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
