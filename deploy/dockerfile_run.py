#!/usr/bin/env python3
"""Runs a Dockerfile's stages on this machine without a Docker engine: the same RUN commands with the
same flags, in the order and working directories the Dockerfile gives, so a Dockerfile cannot name a
step that does not work. `make dockerfiles` runs it for every image.

How a stage is emulated:
* The host stands in for the base image (`rust:1.95-slim-bookworm`, `debian:bookworm-slim` … — this
  machine is Debian 12 with Rust 1.95); a stage `FROM` an earlier stage starts from that stage's files.
* Each stage gets its own scratch copies of the paths a Dockerfile writes to — every WORKDIR, every
  COPY destination, /usr/local/bin, /app, /etc (so `useradd` edits a copy) and apt's lists (so
  `rm -rf /var/lib/apt/lists/*` empties a copy) — bind-mounted over the real ones with bubblewrap
  while its RUN commands execute (`sh -c`, as Docker does). Packages apt installs land on the host.
* `COPY . .` copies the build context (the repository) minus `.dockerignore`; `COPY --from=` copies
  from the named stage's scratch files. ENV and ARG defaults are set for the RUN commands.
* `<workdir>/target` is bound to a persistent cache (`--cache DIR`) so repeated runs are incremental,
  as Docker's layer cache would be.
* At the end the final stage is checked: the HEALTHCHECK and ENTRYPOINT programs exist in its files
  and run (`--help`), and the USER exists in its /etc/passwd.

Usage: dockerfile_run.py DOCKERFILE [--context DIR] [--cache DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Paths every stage gets a private copy of (besides its WORKDIRs and COPY destinations).
PRIVATE = ["/usr/local/bin", "/app", "/etc", "/opt", "/var/lib/apt/lists"]
# Base images the host stands in for, and what the host must be for that to be honest.
STAND_INS = {
    "rust:1.95-slim-bookworm": "Debian 12 with Rust 1.95",
    "debian:bookworm-slim": "Debian 12",
}
# Base images this host cannot stand in for, allowed only for stages that run nothing (files are
# copied in; the program, its user and its health check come from the image itself).
FILES_ONLY = {
    "nginxinc/nginx-unprivileged:1.27-alpine": "nginx 1.27 on Alpine, uid 101; its config is checked by scripts/dockerfiles.sh with nginx -t",
}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, rest = full.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


# Host variables a Docker build never sees; they would change where a RUN step writes.
HOST_ONLY_ENV = {"CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "RUSTC_BOOTSTRAP", "RUSTFLAGS", "MVP_FRONTEND_TARGET_DIR"}


def parse_env(args: str) -> dict[str, str]:
    words = shlex.split(args)
    if len(words) == 2 and "=" not in words[0]:
        return {words[0]: words[1]}
    return dict(w.split("=", 1) for w in words if "=" in w)


def dockerignore(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    return [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]


def ignored(rel: str, patterns: list[str]) -> bool:
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        pat = pat.rstrip("/")
        hit = fnmatch.fnmatch(rel, pat) or rel.startswith(pat + "/") or (
            pat.startswith("**/") and fnmatch.fnmatch(os.path.basename(rel), pat[3:]))
        if hit:
            result = not negate
    return result


def copy_context(context: Path, dest: Path) -> int:
    """The build context minus .dockerignore, from git's view of the tree (tracked + untracked, not
    ignored by .gitignore) so stray local files do not leak in."""
    patterns = dockerignore(context)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=context, capture_output=True, check=True).stdout.decode().split("\0")
    count = 0
    for rel in filter(None, listed):
        src = context / rel
        if not src.is_file() or ignored(rel, patterns):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
        count += 1
    return count


class Stage:
    def __init__(self, name: str, base: str, root: Path):
        self.name = name
        self.base = base
        self.root = root  # scratch files of this stage, by absolute path under root
        self.workdir = "/"
        self.env: dict[str, str] = {}
        self.user = "root"
        self.private: set[str] = set()
        self.healthcheck: list[str] = []
        self.entrypoint: list[str] = []

    def scratch(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def own(self, path: str) -> None:
        """Gives the stage a private copy of `path` (seeded from the host for /etc)."""
        path = os.path.normpath(path)
        if any(path == p or path.startswith(p + "/") for p in self.private):
            return
        target = self.scratch(path)
        if not target.exists():
            if path == "/etc":
                shutil.copytree("/etc", target, symlinks=True)
            else:
                target.mkdir(parents=True, exist_ok=True)
        self.private.add(path)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, **kw)


def bwrap(stage: Stage, command: str, cache: Path | None) -> int:
    args = ["bwrap", "--bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc"]
    for path in sorted(stage.private, key=len):
        args += ["--bind", str(stage.scratch(path)), path]
    if cache is not None and stage.workdir != "/":
        cache.mkdir(parents=True, exist_ok=True)
        target = stage.scratch(stage.workdir) / "target"
        target.mkdir(parents=True, exist_ok=True)
        args += ["--bind", str(cache), os.path.join(stage.workdir, "target")]
    # The host's environment, less what an image build would not have: a CARGO_TARGET_DIR from the
    # caller (CI sets one) would send the build's output outside <workdir>/target, where the
    # Dockerfile's `install target/release/…` looks — and a stale binary there would pass unnoticed.
    env = {k: v for k, v in os.environ.items() if k not in HOST_ONLY_ENV}
    env.update(stage.env)
    env["PATH"] = f"{Path.home() / '.cargo/bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    env.setdefault("DEBIAN_FRONTEND", "noninteractive")
    args += ["--chdir", stage.workdir, "sh", "-c", command]
    return subprocess.run(args, env=env).returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dockerfile", type=Path)
    ap.add_argument("--context", type=Path, default=Path.cwd())
    ap.add_argument("--cache", type=Path, default=None, help="persistent dir bound at <workdir>/target")
    ap.add_argument("--keep", type=Path, default=None, help="scratch dir to keep (default: a temp dir, removed)")
    opts = ap.parse_args()
    if shutil.which("bwrap") is None:
        print("dockerfile_run: bubblewrap is needed (apt-get install bubblewrap)", file=sys.stderr)
        return 2
    context = opts.context.resolve()
    work = opts.keep.resolve() if opts.keep else Path(tempfile.mkdtemp(prefix="dockerfile-run-"))
    if opts.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    args_defaults: dict[str, str] = {}
    label = opts.dockerfile.as_posix()
    started = time.monotonic()
    try:
        for keyword, rest in instructions(opts.dockerfile.read_text()):
            if keyword == "FROM":
                words = rest.split()
                words = [w for w in words if not w.startswith("--platform")]
                base = words[0]
                name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else f"stage{len(stages)}"
                root = work / name
                stage = Stage(name, base, root)
                if base in stages:
                    parent = stages[base]
                    shutil.copytree(parent.root, root, symlinks=True)
                    stage.workdir, stage.env = parent.workdir, dict(parent.env)
                    stage.private = set(parent.private)
                    stage.user = parent.user
                else:
                    if base not in STAND_INS and base not in FILES_ONLY:
                        print(f"{label}: FROM {base}: no stand-in on this machine", file=sys.stderr)
                        return 1
                    root.mkdir(parents=True)
                    what = STAND_INS.get(base) or f"not run here — {FILES_ONLY[base]}"
                    print(f"== {label} stage {name}: FROM {base} ({what})", flush=True)
                for path in PRIVATE:
                    stage.own(path)
                stages[name] = stage
                continue
            if stage is None:
                if keyword == "ARG":
                    args_defaults.update(parse_env(rest))
                continue
            if keyword == "WORKDIR":
                stage.workdir = os.path.normpath(os.path.join(stage.workdir, rest))
                stage.own(stage.workdir)
            elif keyword in ("ENV", "ARG"):
                stage.env.update(parse_env(rest))
            elif keyword == "COPY":
                words = shlex.split(rest)
                source_stage = None
                flags = [w for w in words if w.startswith("--")]
                for flag in flags:
                    if flag.startswith("--from="):
                        source_stage = stages[flag.split("=", 1)[1]]
                paths = [w for w in words if not w.startswith("--")]
                *sources, dest = paths
                dest_abs = os.path.normpath(os.path.join(stage.workdir, dest))
                stage.own(dest_abs if dest.endswith("/") or len(sources) > 1 or sources == ["."] else os.path.dirname(dest_abs))
                for src in sources:
                    if source_stage is None and src == ".":
                        n = copy_context(context, stage.scratch(dest_abs))
                        print(f"   COPY . {dest_abs}  ({n} files of the context)", flush=True)
                        continue
                    if source_stage is not None:
                        origin = source_stage.scratch(os.path.normpath(os.path.join(source_stage.workdir, src)))
                    else:
                        origin = context / src
                    if not origin.exists():
                        print(f"{label}: COPY {src}: not found ({origin})", file=sys.stderr)
                        return 1
                    target = stage.scratch(dest_abs)
                    if dest.endswith("/") or len(sources) > 1:
                        target = target / origin.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if origin.is_dir():
                        shutil.copytree(origin, target, symlinks=True, dirs_exist_ok=True)
                    else:
                        shutil.copy2(origin, target)
                    print(f"   COPY {'--from=' + source_stage.name + ' ' if source_stage else ''}{src} {dest_abs}", flush=True)
            elif keyword == "RUN":
                if stage.base in FILES_ONLY:
                    print(f"{label}: stage {stage.name}: RUN in a {stage.base} stage cannot be run here", file=sys.stderr)
                    return 1
                print(f"   RUN {rest[:160]}{'…' if len(rest) > 160 else ''}", flush=True)
                t = time.monotonic()
                code = bwrap(stage, rest, opts.cache if stage.workdir != "/" else None)
                print(f"       → exit {code} in {time.monotonic() - t:.0f} s", flush=True)
                if code != 0:
                    print(f"{label}: stage {stage.name}: RUN failed (exit {code})", file=sys.stderr)
                    return 1
            elif keyword == "USER":
                stage.user = rest
            elif keyword == "HEALTHCHECK":
                cmd = rest[rest.index("CMD") + 3:].strip() if "CMD" in rest else ""
                stage.healthcheck = json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)
            elif keyword == "ENTRYPOINT":
                stage.entrypoint = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        assert stage is not None
        return check_final(label, stage)
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
        print(f"== {label}: {time.monotonic() - started:.0f} s", flush=True)


def check_final(label: str, stage: Stage) -> int:
    problems = []
    user = stage.user.split(":")[0]
    if stage.base in FILES_ONLY:
        copied = sorted(str(p.relative_to(stage.root)) for p in stage.root.rglob("*") if p.is_file()
                        and not str(p.relative_to(stage.root)).startswith(("etc/", "var/")))
        if not copied:
            problems.append("nothing was copied into the image")
        else:
            print(f"== {label}: final stage {stage.base}: {len(copied)} files copied in, e.g. {copied[:4]}; "
                  f"USER {stage.user}, HEALTHCHECK {stage.healthcheck} come from that image", flush=True)
        for problem in problems:
            print(f"{label}: {problem}", file=sys.stderr)
        return 1 if problems else 0
    if user not in ("root", "0"):
        passwd = stage.scratch("/etc/passwd")
        entries = [l.split(":") for l in passwd.read_text().splitlines()] if passwd.exists() else []
        if not any(e[0] == user or (len(e) > 2 and e[2] == user) for e in entries):
            problems.append(f"USER {stage.user}: no such user in the image's /etc/passwd")
    for what, argv in (("HEALTHCHECK", stage.healthcheck), ("ENTRYPOINT", stage.entrypoint)):
        if not argv:
            continue
        program = argv[0]
        located = stage.scratch(program) if any(program == p or program.startswith(p + "/") for p in stage.private) else Path(program)
        if not located.exists():
            problems.append(f"{what} {program}: not in the image")
            continue
        if what == "ENTRYPOINT" and located.suffix != ".sh":
            try:
                result = subprocess.run([str(located), "--help"], capture_output=True, timeout=20)
                if result.returncode != 0:
                    problems.append(f"{what} {program} --help: exit {result.returncode}")
            except subprocess.TimeoutExpired:
                problems.append(f"{what} {program} --help: still running after 20 s (it should print usage)")
    for problem in problems:
        print(f"{label}: {problem}", file=sys.stderr)
    if not problems:
        print(f"== {label}: every RUN succeeded; USER {stage.user}, HEALTHCHECK {stage.healthcheck}, "
              f"ENTRYPOINT {stage.entrypoint} present", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
