#!/usr/bin/env python3
"""Checks the deployment files without a Docker engine.

    python3 deploy/tests/test_deployment.py        (from anywhere; paths are relative to the repo)

* docker-compose.yml against the compose spec (check-jsonschema, bundled schema), and the stack's
  invariants from the parsed file: the 9 containers, the network membership table, internal
  networks, healthchecks and `depends_on: service_healthy`, file-only secrets and no secret value in
  the file, Traefik routing labels, restart policy, resource limits, named volumes, non-root users.
* docker-compose.override.example.yml (parsed, and checked against the spec after its !override tags).
* traefik/traefik.yml and traefik/middleware.yml against the Traefik v3 field names they may use.
* config/loki/loki.yml, config/alloy/config.alloy (River syntax), the Grafana provisioning and the
  dashboard JSON.
* the environment variables and config files against the backend's settings
  (crates/config/src/defaults.yml): an unknown MVP_* variable stops the backend at start.
* deploy/k8s manifests, secrets/*.example, .gitignore.

Prints one line per check and `N passed, N failed` at the end; exits 1 when a check failed.
Needs PyYAML and check-jsonschema: pip install -r deploy/tests/requirements.txt
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "pip install -r deploy/tests/requirements.txt  (add --break-system-packages on Debian's python)"

try:
    import yaml
except ImportError:  # pragma: no cover - the hint is the point
    print(f"PyYAML is missing: {INSTALL_HINT}")
    print("0 passed, 1 failed")
    sys.exit(1)

PASSED = 0
FAILED = 0


def check(name: str, ok: bool, detail: str = "") -> bool:
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print(f"ok    {name}")
    else:
        FAILED += 1
        print(f"FAIL  {name}" + (f": {detail}" if detail else ""))
    return ok


def skip(name: str, why: str) -> None:
    print(f"skip  {name}: {why}")


class ComposeLoader(yaml.SafeLoader):
    """SafeLoader that accepts Compose's !override and !reset merge tags."""


def _tagged(loader: yaml.SafeLoader, node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


for _tag in ("!override", "!reset"):
    ComposeLoader.add_constructor(_tag, _tagged)


def load_yaml(rel: str):
    with open(ROOT / rel, encoding="utf-8") as f:
        return yaml.load(f, Loader=ComposeLoader)


def load_yaml_all(path: Path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=ComposeLoader) if d is not None]


# ─── expectations ────────────────────────────────────────────────────────────────────────────────

CONTAINERS = {
    "traefik": "mvp-traefik",
    "frontend": "mvp-frontend",
    "backend": "mvp-backend",
    "ocr": "mvp-ocr",
    "postgres": "mvp-postgres",
    "redis": "mvp-redis",
    "loki": "mvp-loki",
    "alloy": "mvp-alloy",
    "grafana": "mvp-grafana",
}
NETWORKS = {
    "traefik": {"frontend", "backend"},
    "frontend": {"frontend"},
    "backend": {"backend", "database"},
    "ocr": {"database"},
    "postgres": {"database"},
    "redis": {"database"},
    "loki": {"logging"},
    "alloy": {"logging"},
    "grafana": {"logging", "frontend"},
}
INTERNAL_NETWORKS = {"database", "logging"}
PUBLIC_NETWORKS = {"frontend", "backend"}
IMAGES = {
    "traefik": "traefik:v3.1",
    "postgres": "postgres:16-alpine",
    "redis": "redis:7.4-alpine",
    "loki": "grafana/loki:3.2.1",
    "alloy": "grafana/alloy:v1.4.3",
    "grafana": "grafana/grafana:11.3.0",
}
BUILDS = {
    "backend": "crates/backend/Dockerfile",
    "frontend": "frontend/Dockerfile",
    "ocr": "ocr-service/Dockerfile",
}
VOLUMES = {
    "mvp_postgres_data",
    "mvp_redis_data",
    "mvp_documents",
    "mvp_backups",
    "mvp_loki_data",
    "mvp_grafana_data",
}
SECRETS = {
    "postgres-superuser-password",
    "postgres-password",
    "redis-password",
    "auth0-client-secret",
    "jwt-signing-key",
    "google-maps-api-key",
    "resend-api-key",
    "grafana-admin-password",
    "traefik-dashboard-users",
}
# Services that run as root, and why (the test fails on any other service without a non-root user).
ROOT_ALLOWED = {
    "traefik": "binds :80/:443 and reads the Docker socket",
    "alloy": "reads the Docker socket",
    "postgres": "entrypoint reads the secret as root, then runs the server as `postgres`",
    "redis": "entrypoint drops to the `redis` user",
}
# Services whose non-root user comes from their Dockerfile's USER line.
DOCKERFILE_USER = {"backend", "frontend", "ocr"}


def env_dict(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, _, value = str(item).partition("=")
            out[key] = value if "=" in str(item) else None
        return out
    return {k: (None if v is None else str(v)) for k, v in env.items()}


def labels_dict(service: dict) -> dict:
    labels = service.get("labels") or {}
    if isinstance(labels, list):
        return dict(str(item).partition("=")[::2] for item in labels)
    return {k: str(v) for k, v in labels.items()}


def service_networks(service: dict) -> set:
    nets = service.get("networks") or []
    return set(nets) if isinstance(nets, list) else set(nets.keys())


INTERPOLATION = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?+])[^}]*)?\}$")


# ─── docker-compose.yml ──────────────────────────────────────────────────────────────────────────

def find_check_jsonschema() -> list | None:
    exe = shutil.which("check-jsonschema")
    if exe:
        return [exe]
    try:
        import check_jsonschema  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "check_jsonschema"]


def schema_check(name: str, path: Path) -> None:
    cmd = find_check_jsonschema()
    if cmd is None:
        check(name, False, f"check-jsonschema is not installed: {INSTALL_HINT}")
        return
    proc = subprocess.run(
        cmd + ["--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    check(name, proc.returncode == 0, (proc.stdout + proc.stderr).strip()[-2000:])


def test_compose() -> dict:
    path = ROOT / "docker-compose.yml"
    if not check("docker-compose.yml exists", path.is_file()):
        return {}
    schema_check("docker-compose.yml is valid against the compose spec", path)
    compose = load_yaml("docker-compose.yml")
    services = compose.get("services") or {}

    check("no top-level `name:` (docker-compose 1.29 rejects it)", "name" not in compose)
    check("9 services", set(services) == set(CONTAINERS), f"got {sorted(services)}")
    for svc, cname in CONTAINERS.items():
        s = services.get(svc, {})
        check(f"{svc}: container_name {cname}", s.get("container_name") == cname, str(s.get("container_name")))

    # networks
    nets = compose.get("networks") or {}
    check("networks frontend, backend, database, logging", set(nets) == PUBLIC_NETWORKS | INTERNAL_NETWORKS, str(sorted(nets)))
    for n in sorted(PUBLIC_NETWORKS | INTERNAL_NETWORKS):
        cfg = nets.get(n) or {}
        check(f"network {n}: bridge driver", cfg.get("driver", "bridge") == "bridge", str(cfg.get("driver")))
        if n in INTERNAL_NETWORKS:
            check(f"network {n}: internal", cfg.get("internal") is True, str(cfg))
        else:
            check(f"network {n}: not internal", not cfg.get("internal"), str(cfg))
    for svc, want in NETWORKS.items():
        got = service_networks(services.get(svc, {}))
        check(f"{svc}: networks {sorted(want)}", got == want, f"got {sorted(got)}")
    # Who can reach whom: OCR, Postgres and Redis share a network only with the backend.
    for svc in ("ocr", "postgres", "redis"):
        mine = service_networks(services.get(svc, {}))
        peers = {o for o, s in services.items() if o != svc and service_networks(s) & mine}
        check(f"{svc}: reachable only from backend (and its own tier)", peers <= {"backend", "ocr", "postgres", "redis"}, str(sorted(peers)))
    ocr_peers = {o for o, s in services.items() if o != "ocr" and service_networks(s) & service_networks(services.get("ocr", {}))}
    check("ocr: the backend is the only application container that reaches it", "backend" in ocr_peers and not ({"traefik", "frontend", "grafana", "loki", "alloy"} & ocr_peers), str(sorted(ocr_peers)))

    # ports: only Traefik publishes; its dashboard only on loopback
    for svc, s in services.items():
        ports = [str(p) for p in (s.get("ports") or [])]
        if svc == "traefik":
            check("traefik: publishes 80 and 443", any(p.endswith("80:80") for p in ports) and any(p.endswith("443:443") for p in ports), str(ports))
            dash = [p for p in ports if p.endswith(":8080")]
            check("traefik: dashboard port only on 127.0.0.1", bool(dash) and all(p.startswith("127.0.0.1:") for p in dash), str(dash))
        else:
            check(f"{svc}: publishes no port", not ports, str(ports))

    # images and builds
    for svc, image in IMAGES.items():
        check(f"{svc}: image pinned to {image}", services.get(svc, {}).get("image") == image, str(services.get(svc, {}).get("image")))
    for svc, dockerfile in BUILDS.items():
        build = services.get(svc, {}).get("build") or {}
        check(f"{svc}: built from {dockerfile} with context .", isinstance(build, dict) and build.get("context") == "." and build.get("dockerfile") == dockerfile, str(build))

    # restart, limits, healthchecks, depends_on
    for svc, s in services.items():
        check(f"{svc}: restart unless-stopped", s.get("restart") == "unless-stopped", str(s.get("restart")))
        limits = (((s.get("deploy") or {}).get("resources") or {}).get("limits") or {})
        check(f"{svc}: cpu and memory limits", bool(limits.get("cpus")) and bool(limits.get("memory")), str(limits))
        hc = s.get("healthcheck") or {}
        test = hc.get("test")
        check(f"{svc}: healthcheck", bool(test) and not hc.get("disable") and test != ["NONE"], str(hc))
        deps = s.get("depends_on")
        if deps is not None:
            ok = isinstance(deps, dict) and all(isinstance(v, dict) and v.get("condition") == "service_healthy" for v in deps.values())
            check(f"{svc}: depends_on uses condition service_healthy", ok, str(deps))
            for dep in (deps if isinstance(deps, dict) else deps):
                check(f"{svc}: dependency {dep} exists and has a healthcheck", dep in services and bool((services[dep].get("healthcheck") or {}).get("test")))
    hc = lambda svc: (services.get(svc, {}).get("healthcheck") or {}).get("test")  # noqa: E731
    check("backend: healthcheck is `mvp-backend healthcheck`", hc("backend") == ["CMD", "/usr/local/bin/mvp-backend", "healthcheck"], str(hc("backend")))
    check("ocr: healthcheck is `mvp-ocr healthcheck`", hc("ocr") == ["CMD", "/usr/local/bin/mvp-ocr", "healthcheck"], str(hc("ocr")))
    check("postgres: healthcheck uses pg_isready", "pg_isready" in " ".join(map(str, hc("postgres") or [])))
    check("redis: healthcheck is redis-cli ping", "redis-cli" in " ".join(map(str, hc("redis") or [])) and "ping" in " ".join(map(str, hc("redis") or [])))
    check("traefik: healthcheck is traefik healthcheck --ping", hc("traefik") == ["CMD", "traefik", "healthcheck", "--ping"], str(hc("traefik")))
    backend_deps = set((services.get("backend", {}).get("depends_on") or {}))
    check("backend: waits for postgres, redis and ocr", {"postgres", "redis", "ocr"} <= backend_deps, str(sorted(backend_deps)))
    check("frontend: waits for backend", "backend" in (services.get("frontend", {}).get("depends_on") or {}))
    for svc in ("alloy", "grafana"):
        check(f"{svc}: waits for loki", "loki" in (services.get(svc, {}).get("depends_on") or {}))

    # users
    for svc, s in services.items():
        user = str(s.get("user", "")).strip()
        if user:
            uid = user.split(":")[0]
            check(f"{svc}: runs as non-root user {user}", uid not in ("0", "root"), user)
        elif svc in ROOT_ALLOWED:
            check(f"{svc}: root allowed ({ROOT_ALLOWED[svc]})", True)
        elif svc in DOCKERFILE_USER:
            dockerfile = ROOT / BUILDS[svc]
            if dockerfile.is_file():
                users = re.findall(r"^\s*USER\s+(\S+)", dockerfile.read_text(encoding="utf-8"), re.M | re.I)
                last = users[-1] if users else ""
                check(f"{svc}: {BUILDS[svc]} ends with a non-root USER", bool(last) and last.split(":")[0] not in ("0", "root"), f"USER lines: {users}")
            else:
                skip(f"{svc}: non-root USER in {BUILDS[svc]}", "the Dockerfile is not written yet")
        else:
            check(f"{svc}: has a non-root user", False, "no `user:` and not an allowed exception")
    # The Docker socket only read-only.
    for svc, s in services.items():
        for v in s.get("volumes") or []:
            if "docker.sock" in str(v):
                check(f"{svc}: Docker socket mounted read-only", str(v).endswith(":ro"), str(v))
    socket_users = {svc for svc, s in services.items() if any("docker.sock" in str(v) for v in s.get("volumes") or [])}
    check("only traefik and alloy see the Docker socket", socket_users == {"traefik", "alloy"}, str(sorted(socket_users)))

    # volumes
    vols = compose.get("volumes") or {}
    check("named volumes present", VOLUMES <= set(vols), f"missing {sorted(VOLUMES - set(vols))}")
    mounts = {svc: [str(v) for v in (s.get("volumes") or [])] for svc, s in services.items()}
    check("postgres data on mvp_postgres_data", "mvp_postgres_data:/var/lib/postgresql/data" in mounts.get("postgres", []))
    check("redis data on mvp_redis_data", "mvp_redis_data:/data" in mounts.get("redis", []))
    redis_cmd = services.get("redis", {}).get("command") or []
    redis_cmd = redis_cmd.split() if isinstance(redis_cmd, str) else [str(x) for x in redis_cmd]
    redis_line = " ".join(redis_cmd)
    check("redis: AOF on (--appendonly yes)", "--appendonly yes" in redis_line, redis_line)
    check("redis: rate counters are never evicted (--maxmemory-policy noeviction)", "--maxmemory-policy noeviction" in redis_line, redis_line)
    check("redis: requirepass from the redis-password secret, not on the command line",
          "requirepass %s" in redis_line and "/run/secrets/redis-password" in redis_line and "--requirepass" not in redis_line, redis_line)
    check("redis: mounts the redis-password secret", "redis-password" in (services.get("redis", {}).get("secrets") or []))
    check("redis: healthcheck authenticates", "REDISCLI_AUTH" in " ".join(map(str, hc("redis") or [])))
    check("backend: gets the redis-password secret", "redis-password" in (services.get("backend", {}).get("secrets") or []))
    check("backend documents on mvp_documents:/app/data", "mvp_documents:/app/data" in mounts.get("backend", []))
    check("backend backups on mvp_backups", any(m.startswith("mvp_backups:") for m in mounts.get("backend", [])))
    check("loki data on mvp_loki_data", any(m.startswith("mvp_loki_data:") for m in mounts.get("loki", [])))
    check("grafana data on mvp_grafana_data", any(m.startswith("mvp_grafana_data:/var/lib/grafana") for m in mounts.get("grafana", [])))
    for svc, ms in mounts.items():
        for m in ms:
            src = m.split(":")[0]
            if src.startswith("./"):
                check(f"{svc}: bind-mounted {src} exists in the repo", (ROOT / src).exists(), m)
            elif not src.startswith("/"):
                check(f"{svc}: volume {src} is declared", src in vols, m)

    # secrets
    top_secrets = compose.get("secrets") or {}
    check(f"the {len(SECRETS)} secrets are declared", set(top_secrets) == SECRETS, str(sorted(top_secrets)))
    for name, cfg in top_secrets.items():
        cfg = cfg or {}
        check(f"secret {name}: a file under ./secrets/", cfg.get("file") == f"./secrets/{name}" and set(cfg) == {"file"}, str(cfg))
        check(f"secret {name}: secrets/{name}.example exists", (ROOT / "secrets" / f"{name}.example").is_file())
    used = set()
    for svc, s in services.items():
        for ref in s.get("secrets") or []:
            ref_name = ref if isinstance(ref, str) else ref.get("source")
            used.add(ref_name)
            check(f"{svc}: secret {ref_name} is declared", ref_name in top_secrets)
    check("every declared secret is used", used == set(top_secrets), f"unused {sorted(set(top_secrets) - used)}")
    check("postgres: the superuser's password is its own secret", env_dict(services.get("postgres", {})).get("POSTGRES_PASSWORD_FILE") == "/run/secrets/postgres-superuser-password")
    check("postgres: mounts both password secrets", {"postgres-password", "postgres-superuser-password"} <= set(services.get("postgres", {}).get("secrets") or []))
    check("postgres: makes the app's non-superuser role on first start",
          "./deploy/postgres/init-app-role.sh:/docker-entrypoint-initdb.d/10-app-role.sh:ro" in mounts.get("postgres", []))
    check("backend: connects as the app role, not the superuser", env_dict(services.get("backend", {})).get("MVP_DATABASE__USER") == "mvp_app")
    check("backend: never gets the superuser's password", "postgres-superuser-password" not in (services.get("backend", {}).get("secrets") or []))
    check("grafana: admin password from the secret file", env_dict(services.get("grafana", {})).get("GF_SECURITY_ADMIN_PASSWORD__FILE") == "/run/secrets/grafana-admin-password")
    for svc, s in services.items():
        for key, value in env_dict(s).items():
            if not re.search(r"PASSWORD|SECRET|KEY|TOKEN", key, re.I):
                continue
            ok = (
                value is None
                or INTERPOLATION.match(value) is not None
                or (key.upper().endswith("_FILE") and value.startswith("/run/secrets/"))
                or (key.upper() == "SECRETS_DIR" and value.startswith("/run/secrets"))
            )
            check(f"{svc}: {key} carries no literal secret", ok, f"value {value!r}")
    # No secret-looking literal anywhere in the file (keys, hashes, PEM, inline basic-auth users).
    text = path.read_text(encoding="utf-8")
    patterns = {
        "PEM block": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        "bcrypt/htpasswd hash": r"\$2[aby]\$\d\d\$",
        "Google API key": r"AIza[0-9A-Za-z_\-]{30,}",
        "Resend API key": r"\bre_[0-9A-Za-z]{16,}",
        "inline basic-auth users": r"basicauth\.users",
        "password in a URL": r"://[^/\s:@]+:[^@\s/]+@",
    }
    for what, pat in patterns.items():
        check(f"docker-compose.yml contains no {what}", re.search(pat, text, re.I) is None)

    # backend environment
    benv = env_dict(services.get("backend", {}))
    want_env = {
        "SECRETS_DIR": "/run/secrets",
        "CONFIG_PATH": "/app/config/production.yml",
        "DATABASE_HOST": "mvp-postgres",
        "REDIS_HOST": "mvp-redis",
        "MVP_OCR__URL": "http://mvp-ocr:8000",
        "MVP_SERVER__TRUST_PROXY_HEADERS": "true",
        "AUTH0_DOMAIN": "${AUTH0_DOMAIN}",
        "AUTH0_AUDIENCE": "${AUTH0_AUDIENCE}",
    }
    for key, value in want_env.items():
        check(f"backend: {key}={value}", benv.get(key) == value, f"got {benv.get(key)!r}")
    check("backend: config dir mounted at /app/config", any(m.endswith(":/app/config:ro") for m in mounts.get("backend", [])))

    # Traefik labels
    def router(svc: str, name: str) -> dict:
        prefix = f"traefik.http.routers.{name}."
        return {k[len(prefix):]: v for k, v in labels_dict(services.get(svc, {})).items() if k.startswith(prefix)}

    for svc in ("backend", "frontend", "grafana"):
        check(f"{svc}: traefik.enable=true", labels_dict(services.get(svc, {})).get("traefik.enable") == "true")
    b, f, g = router("backend", "backend"), router("frontend", "frontend"), router("grafana", "grafana")
    check("backend router: Host(`${MVP_DOMAIN}`) && PathPrefix(`/api`)", b.get("rule") == "Host(`${MVP_DOMAIN}`) && PathPrefix(`/api`)", str(b.get("rule")))
    check("backend router: priority 20", b.get("priority") == "20", str(b.get("priority")))
    check("frontend router: Host(`${MVP_DOMAIN}`)", f.get("rule") == "Host(`${MVP_DOMAIN}`)", str(f.get("rule")))
    check("frontend router: priority 10", f.get("priority") == "10", str(f.get("priority")))
    check("grafana router: Host && PathPrefix(`/grafana`)", g.get("rule") == "Host(`${MVP_DOMAIN}`) && PathPrefix(`/grafana`)", str(g.get("rule")))
    check("grafana router: behind dashboard-auth (basic auth)", "dashboard-auth@file" in g.get("middlewares", ""), str(g.get("middlewares")))
    up = router("backend", "backend-backup-upload")
    check("archive upload router: the backup upload and the user import only, above the backend router, without body-limit",
          up.get("rule") == "Host(`${MVP_DOMAIN}`) && (Path(`/api/admin/backups/upload`) || Path(`/api/user/import`))"
          and int(up.get("priority", "0")) > int(b.get("priority", "0") or 0)
          and "body-limit" not in up.get("middlewares", "") and "security-headers@file" in up.get("middlewares", "")
          and up.get("service") == b.get("service") == "backend", str(up))
    for name, r in (("backend", b), ("backup upload", up), ("frontend", f), ("grafana", g)):
        check(f"{name} router: entrypoint websecure, certresolver letsencrypt", r.get("entrypoints") == "websecure" and r.get("tls.certresolver") == "letsencrypt", str(r))
    ports = {
        "backend": "3001",
        "frontend": "3000",
        "grafana": "3000",
    }
    for svc, port in ports.items():
        check(f"{svc}: Traefik service port {port}", labels_dict(services.get(svc, {})).get(f"traefik.http.services.{svc}.loadbalancer.server.port") == port)
    # containers that are not on Traefik's default network name theirs
    for svc in ("frontend", "grafana"):
        net = labels_dict(services.get(svc, {})).get("traefik.docker.network")
        want = (nets.get("frontend") or {}).get("name", "frontend")
        check(f"{svc}: traefik.docker.network is the frontend network ({want})", net == want, str(net))
    for svc in set(services) - {"backend", "frontend", "grafana", "traefik"}:
        check(f"{svc}: not exposed through Traefik", labels_dict(services[svc]).get("traefik.enable") != "true")
    dash = router("traefik", "dashboard")
    check("traefik dashboard router: api@internal on entrypoint traefik with dashboard-auth", dash.get("service") == "api@internal" and dash.get("entrypoints") == "traefik" and "dashboard-auth@file" in dash.get("middlewares", ""), str(dash))

    traefik_env = env_dict(services.get("traefik", {}))
    check("traefik: gets MVP_DOMAIN and ACME_EMAIL", "MVP_DOMAIN" in traefik_env and "ACME_EMAIL" in traefik_env)
    entry = " ".join(map(str, services.get("traefik", {}).get("entrypoint") or []))
    check("traefik: entrypoint renders ${ACME_EMAIL} and starts traefik on the result", "ACME_EMAIL" in entry and "--configFile=" in entry and "exec traefik" in entry, entry)
    check("traefik: ./traefik mounted at /etc/traefik", "./traefik:/etc/traefik:ro" in mounts.get("traefik", []))
    return compose


def test_override(compose: dict) -> None:
    path = ROOT / "docker-compose.override.example.yml"
    if not check("docker-compose.override.example.yml exists", path.is_file()):
        return
    override = load_yaml("docker-compose.override.example.yml")
    services = override.get("services") or {}
    check("override: only services of docker-compose.yml", set(services) <= set(compose.get("services") or {}), str(sorted(services)))
    for svc in ("backend", "frontend", "grafana"):
        labels = labels_dict(services.get(svc, {}))
        eps = {v for k, v in labels.items() if k.endswith(".entrypoints")}
        check(f"override {svc}: routers on the plain-HTTP entrypoint web", eps == {"web"}, str(eps))
        check(f"override {svc}: no certificate resolver", not any("certresolver" in k for k in labels))
    ports = [str(p) for p in (services.get("traefik", {}).get("ports") or [])]
    check("override traefik: only loopback ports", bool(ports) and all(p.startswith("127.0.0.1:") for p in ports), str(ports))
    # The spec check, with the merge tags stripped (check-jsonschema's YAML reader does not know them).
    stripped = re.sub(r"\s!(override|reset)\b", "", path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp) / "docker-compose.override.yml"
        tmp_path.write_text(stripped, encoding="utf-8")
        schema_check("override: valid against the compose spec (merge tags stripped)", tmp_path)


# ─── Traefik ─────────────────────────────────────────────────────────────────────────────────────
# Field names from the Traefik v3 configuration reference (static: traefik-v3 JSON schema; dynamic:
# the file provider's). Only the sections this project may use are listed; a key outside them is
# either a typo or something to add here deliberately. "*" = any name (entry points, resolvers …).

ANY = "*"
LEAF = None
TLS_CLIENT = {"ca": LEAF, "cert": LEAF, "key": LEAF, "insecureSkipVerify": LEAF}
STATIC_SCHEMA = {
    "global": {"checkNewVersion": LEAF, "sendAnonymousUsage": LEAF},
    "entryPoints": {ANY: {
        "address": LEAF, "allowACMEByPass": LEAF, "asDefault": LEAF, "reusePort": LEAF,
        "forwardedHeaders": {"insecure": LEAF, "trustedIPs": LEAF, "connection": LEAF},
        "proxyProtocol": {"insecure": LEAF, "trustedIPs": LEAF},
        "http": {
            "redirections": {"entryPoint": {"to": LEAF, "scheme": LEAF, "permanent": LEAF, "priority": LEAF}},
            "middlewares": LEAF,
            "tls": {"certResolver": LEAF, "options": LEAF, "domains": LEAF},
            "encodeQuerySemicolons": LEAF, "maxHeaderBytes": LEAF,
        },
        "http2": {"maxConcurrentStreams": LEAF},
        "http3": {"advertisedPort": LEAF},
        "transport": {
            "respondingTimeouts": {"readTimeout": LEAF, "writeTimeout": LEAF, "idleTimeout": LEAF},
            "lifeCycle": {"graceTimeOut": LEAF, "requestAcceptGraceTimeout": LEAF},
            "keepAliveMaxRequests": LEAF, "keepAliveMaxTime": LEAF,
        },
        "udp": {"timeout": LEAF},
    }},
    "api": {"dashboard": LEAF, "insecure": LEAF, "debug": LEAF, "basePath": LEAF, "disableDashboardAd": LEAF},
    "ping": {"entryPoint": LEAF, "manualRouting": LEAF, "terminatingStatusCode": LEAF},
    "providers": {
        "providersThrottleDuration": LEAF,
        "docker": {
            "endpoint": LEAF, "exposedByDefault": LEAF, "network": LEAF, "watch": LEAF,
            "defaultRule": LEAF, "constraints": LEAF, "useBindPortIP": LEAF,
            "allowEmptyServices": LEAF, "httpClientTimeout": LEAF, "tls": TLS_CLIENT,
        },
        "file": {"filename": LEAF, "directory": LEAF, "watch": LEAF, "debugLogGeneratedTemplate": LEAF},
    },
    "certificatesResolvers": {ANY: {"acme": {
        "email": LEAF, "storage": LEAF, "caServer": LEAF, "keyType": LEAF, "certificatesDuration": LEAF,
        "preferredChain": LEAF, "eab": {"kid": LEAF, "hmacEncoded": LEAF},
        "httpChallenge": {"entryPoint": LEAF},
        "tlsChallenge": {},
        "dnsChallenge": {"provider": LEAF, "resolvers": LEAF, "delayBeforeCheck": LEAF, "disablePropagationCheck": LEAF},
    }}},
    "log": {"level": LEAF, "format": LEAF, "filePath": LEAF, "noColor": LEAF,
            "maxSize": LEAF, "maxAge": LEAF, "maxBackups": LEAF, "compress": LEAF},
    "accessLog": {
        "filePath": LEAF, "format": LEAF, "bufferingSize": LEAF, "addInternals": LEAF,
        "filters": {"statusCodes": LEAF, "retryAttempts": LEAF, "minDuration": LEAF},
        "fields": {"defaultMode": LEAF, "names": {ANY: LEAF}, "headers": {"defaultMode": LEAF, "names": {ANY: LEAF}}},
    },
    "metrics": {"prometheus": {"entryPoint": LEAF, "addEntryPointsLabels": LEAF, "addRoutersLabels": LEAF,
                               "addServicesLabels": LEAF, "buckets": LEAF, "manualRouting": LEAF}},
}
MIDDLEWARE_TYPES = {
    "headers": {k: LEAF for k in (
        "customRequestHeaders", "customResponseHeaders", "accessControlAllowCredentials",
        "accessControlAllowHeaders", "accessControlAllowMethods", "accessControlAllowOriginList",
        "accessControlAllowOriginListRegex", "accessControlExposeHeaders", "accessControlMaxAge",
        "addVaryHeader", "allowedHosts", "hostsProxyHeaders", "sslProxyHeaders", "stsSeconds",
        "stsIncludeSubdomains", "stsPreload", "forceSTSHeader", "frameDeny", "customFrameOptionsValue",
        "contentTypeNosniff", "browserXssFilter", "customBrowserXSSValue", "contentSecurityPolicy",
        "contentSecurityPolicyReportOnly", "publicKey", "referrerPolicy", "permissionsPolicy",
        "isDevelopment")},
    "rateLimit": {"average": LEAF, "burst": LEAF, "period": LEAF,
                  "sourceCriterion": {"ipStrategy": {"depth": LEAF, "excludedIPs": LEAF},
                                      "requestHeaderName": LEAF, "requestHost": LEAF}},
    "compress": {"excludedContentTypes": LEAF, "includedContentTypes": LEAF, "minResponseBodyBytes": LEAF,
                 "defaultEncoding": LEAF, "encodings": LEAF},
    "buffering": {"maxRequestBodyBytes": LEAF, "memRequestBodyBytes": LEAF, "maxResponseBodyBytes": LEAF,
                  "memResponseBodyBytes": LEAF, "retryExpression": LEAF},
    "basicAuth": {"users": LEAF, "usersFile": LEAF, "realm": LEAF, "removeHeader": LEAF, "headerField": LEAF},
    "stripPrefix": {"prefixes": LEAF, "forceSlash": LEAF},
    "redirectScheme": {"scheme": LEAF, "port": LEAF, "permanent": LEAF},
    "chain": {"middlewares": LEAF},
    "ipAllowList": {"sourceRange": LEAF, "ipStrategy": {"depth": LEAF, "excludedIPs": LEAF}, "rejectStatusCode": LEAF},
    "inFlightReq": {"amount": LEAF, "sourceCriterion": {"ipStrategy": {"depth": LEAF, "excludedIPs": LEAF},
                                                        "requestHeaderName": LEAF, "requestHost": LEAF}},
}
ROUTER_SCHEMA = {"entryPoints": LEAF, "middlewares": LEAF, "service": LEAF, "rule": LEAF, "ruleSyntax": LEAF,
                 "priority": LEAF, "tls": {"certResolver": LEAF, "options": LEAF, "domains": LEAF},
                 "observability": {"accessLogs": LEAF, "tracing": LEAF, "metrics": LEAF}}


def unknown_keys(data, schema, path="") -> list:
    """Keys of `data` that `schema` does not allow, as dotted paths."""
    if schema is LEAF or not isinstance(data, dict):
        return []
    bad = []
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key in schema:
            bad += unknown_keys(value, schema[key], where)
        elif ANY in schema:
            bad += unknown_keys(value, schema[ANY], where)
        else:
            bad.append(where)
    return bad


def test_traefik(compose: dict) -> None:
    static = load_yaml("traefik/traefik.yml")
    dynamic = load_yaml("traefik/middleware.yml")
    bad = unknown_keys(static, STATIC_SCHEMA)
    check("traefik.yml: only Traefik v3 static fields", not bad, f"unknown: {bad}")
    for key in ("entryPoints", "providers", "certificatesResolvers", "api", "ping", "log", "accessLog"):
        check(f"traefik.yml: has {key}", key in static)
    eps = static.get("entryPoints") or {}
    check("traefik.yml: web on :80", (eps.get("web") or {}).get("address") == ":80")
    redirect = (((eps.get("web") or {}).get("http") or {}).get("redirections") or {}).get("entryPoint") or {}
    check("traefik.yml: web redirects to websecure over https", redirect.get("to") == "websecure" and redirect.get("scheme") == "https", str(redirect))
    check("traefik.yml: websecure on :443", (eps.get("websecure") or {}).get("address") == ":443")
    check("traefik.yml: traefik (dashboard) on :8080", (eps.get("traefik") or {}).get("address") == ":8080")
    api = static.get("api") or {}
    check("traefik.yml: api.dashboard true, api.insecure false", api.get("dashboard") is True and api.get("insecure") is False, str(api))
    docker = (static.get("providers") or {}).get("docker") or {}
    check("traefik.yml: docker provider exposedByDefault false", docker.get("exposedByDefault") is False)
    backend_net = ((compose.get("networks") or {}).get("backend") or {}).get("name", "backend")
    check(f"traefik.yml: docker provider network is the backend network ({backend_net})", docker.get("network") == backend_net, str(docker.get("network")))
    filep = (static.get("providers") or {}).get("file") or {}
    check("traefik.yml: file provider reads /etc/traefik/middleware.yml", filep.get("filename") == "/etc/traefik/middleware.yml", str(filep))
    acme = (((static.get("certificatesResolvers") or {}).get("letsencrypt") or {}).get("acme")) or {}
    check("traefik.yml: letsencrypt resolver with the ${ACME_EMAIL} placeholder", acme.get("email") == "${ACME_EMAIL}", str(acme.get("email")))
    check("traefik.yml: ACME HTTP challenge on web", (acme.get("httpChallenge") or {}).get("entryPoint") == "web")
    storage = str(acme.get("storage", ""))
    traefik_mounts = [str(v) for v in ((compose.get("services") or {}).get("traefik") or {}).get("volumes") or []]
    check("traefik.yml: ACME storage lives on a volume", any(storage.startswith(m.split(":")[1] + "/") for m in traefik_mounts if not m.startswith(("./", "/"))), storage)
    check("traefik.yml: JSON log and access log", (static.get("log") or {}).get("format") == "json" and (static.get("accessLog") or {}).get("format") == "json")

    check("middleware.yml: only the http section", set(dynamic) == {"http"}, str(sorted(dynamic)))
    http = dynamic.get("http") or {}
    check("middleware.yml: http.middlewares and http.routers only", set(http) <= {"middlewares", "routers", "services"} and "middlewares" in http, str(sorted(http)))
    mws = http.get("middlewares") or {}
    for name, mw in mws.items():
        kinds = list((mw or {}).keys())
        ok = len(kinds) == 1 and kinds[0] in MIDDLEWARE_TYPES
        check(f"middleware {name}: one known middleware type", ok, str(kinds))
        if ok:
            bad = unknown_keys(mw[kinds[0]], MIDDLEWARE_TYPES[kinds[0]], f"{name}.{kinds[0]}")
            check(f"middleware {name}: only Traefik v3 fields", not bad, f"unknown: {bad}")
    hdr = (mws.get("security-headers") or {}).get("headers") or {}
    check("security-headers: HSTS, frameDeny, nosniff, referrerPolicy, browserXssFilter false",
          bool(hdr.get("stsSeconds")) and hdr.get("frameDeny") is True and hdr.get("contentTypeNosniff") is True
          and bool(hdr.get("referrerPolicy")) and hdr.get("browserXssFilter") is False, str(hdr))
    rl = (mws.get("auth-rate-limit") or {}).get("rateLimit") or {}
    check("auth-rate-limit: average 10, burst 20", rl.get("average") == 10 and rl.get("burst") == 20, str(rl))
    check("compress middleware", "compress" in (mws.get("compress") or {}))
    buf = (mws.get("body-limit") or {}).get("buffering") or {}
    check("body-limit: maxRequestBodyBytes 27262976 (26 MiB)", buf.get("maxRequestBodyBytes") == 27262976 == 26 * 1024 * 1024, str(buf))
    ba = (mws.get("dashboard-auth") or {}).get("basicAuth") or {}
    check("dashboard-auth: basicAuth usersFile /run/secrets/traefik-dashboard-users", ba.get("usersFile") == "/run/secrets/traefik-dashboard-users" and "users" not in ba, str(ba))
    traefik_secrets = ((compose.get("services") or {}).get("traefik") or {}).get("secrets") or []
    check("traefik: mounts the traefik-dashboard-users secret", "traefik-dashboard-users" in traefik_secrets)

    routers = http.get("routers") or {}
    for name, r in routers.items():
        bad = unknown_keys(r, ROUTER_SCHEMA, name)
        check(f"router {name}: only Traefik v3 fields", not bad, f"unknown: {bad}")
        for m in r.get("middlewares") or []:
            base = m.split("@")[0]
            check(f"router {name}: middleware {m} exists", m.endswith("@file") or "@" not in m and base in mws)
    auth = [r for r in routers.values() if "PathPrefix(`/api/auth`)" in str(r.get("rule", ""))]
    check("a router for PathPrefix(`/api/auth`)", len(auth) == 1)
    if auth:
        r = auth[0]
        check("/api/auth router: priority 30 (above the backend's 20)", r.get("priority") == 30, str(r.get("priority")))
        check("/api/auth router: uses auth-rate-limit", "auth-rate-limit" in (r.get("middlewares") or []))
        check("/api/auth router: websecure + letsencrypt, to the backend service", r.get("entryPoints") == ["websecure"]
              and (r.get("tls") or {}).get("certResolver") == "letsencrypt" and r.get("service") == "backend@docker", str(r))
        check("/api/auth router: same host as the labels (env MVP_DOMAIN)", '{{ env "MVP_DOMAIN" }}' in r.get("rule", ""), r.get("rule", ""))
    # every <name>@file middleware a label names exists
    for svc, s in (compose.get("services") or {}).items():
        for k, v in labels_dict(s).items():
            if k.endswith(".middlewares"):
                for m in v.split(","):
                    m = m.strip()
                    if m.endswith("@file"):
                        check(f"{svc}: label middleware {m} is defined in middleware.yml", m[:-5] in mws)


# ─── Loki, Alloy, Grafana ────────────────────────────────────────────────────────────────────────

def test_loki() -> None:
    loki = load_yaml("config/loki/loki.yml")
    limits = loki.get("limits_config") or {}
    comp = loki.get("compactor") or {}
    check("loki: retention_period 720h (30 days)", limits.get("retention_period") == "720h", str(limits.get("retention_period")))
    check("loki: compactor retention_enabled", comp.get("retention_enabled") is True)
    check("loki: compactor delete_request_store filesystem", comp.get("delete_request_store") == "filesystem")
    schemas = (loki.get("schema_config") or {}).get("configs") or []
    check("loki: tsdb schema v13 on filesystem", any(c.get("store") == "tsdb" and c.get("schema") == "v13" and c.get("object_store") == "filesystem" for c in schemas), str(schemas))
    check("loki: filesystem storage under /loki", str(((loki.get("common") or {}).get("storage") or {}).get("filesystem", {}).get("chunks_directory", "")).startswith("/loki"))
    check("loki: listens on 3100", (loki.get("server") or {}).get("http_listen_port") == 3100)
    check("loki: single tenant (auth_enabled false)", loki.get("auth_enabled") is False)


def river_tokens_balanced(text: str):
    """River/Alloy syntax: brackets balanced outside strings and comments. Returns (ok, detail, code)."""
    stack, code, i, line = [], [], 0, 1
    pairs = {")": "(", "]": "[", "}": "{"}
    while i < len(text):
        c = text[i]
        if c == "\n":
            line += 1
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return False, f"unclosed /* comment at line {line}", ""
            line += text.count("\n", i, j)
            i = j + 2
            continue
        if c == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                if j < len(text) and text[j] == "\n":
                    return False, f"newline in string at line {line}", ""
                j += 1
            if j >= len(text):
                return False, f"unclosed string at line {line}", ""
            code.append('""')
            i = j + 1
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                return False, f"unclosed raw string at line {line}", ""
            code.append('""')
            line += text.count("\n", i, j)
            i = j + 1
            continue
        if c in "([{":
            stack.append((c, line))
        elif c in ")]}":
            if not stack or stack[-1][0] != pairs[c]:
                return False, f"unexpected {c} at line {line}", ""
            stack.pop()
        code.append(c)
        i += 1
    if stack:
        return False, f"unclosed {stack[-1][0]} from line {stack[-1][1]}", ""
    return True, "", "".join(code)


def test_alloy(compose: dict) -> None:
    text = (ROOT / "config/alloy/config.alloy").read_text(encoding="utf-8")
    ok, detail, _ = river_tokens_balanced(text)
    check("config.alloy: balanced braces, brackets, strings and comments", ok, detail)
    blocks = re.findall(r'^([a-z_]+(?:\.[a-z_]+)+)\s+"([A-Za-z0-9_]+)"\s*\{', text, re.M)
    defined = {f"{kind}.{label}" for kind, label in blocks}
    kinds = {kind for kind, _ in blocks}
    for kind in ("discovery.docker", "discovery.relabel", "loki.source.docker", "loki.process", "loki.write"):
        check(f"config.alloy: has a {kind} component", kind in kinds, str(sorted(kinds)))
    refs = set(re.findall(r"\b((?:discovery|loki)\.[a-z_]+(?:\.[a-z_]+)?\.[A-Za-z0-9_]+)\.(?:targets|output|rules|receiver)\b", text))
    for ref in sorted(refs):
        check(f"config.alloy: reference {ref} names a defined component", ref in defined, str(sorted(defined)))
    check("config.alloy: loki.write to http://mvp-loki:3100/loki/api/v1/push", re.search(r'loki\.write\s+"[^"]+"\s*\{[^}]*endpoint\s*\{[^}]*url\s*=\s*"http://mvp-loki:3100/loki/api/v1/push"', text, re.S) is not None)
    check("config.alloy: the pipeline ends in loki.write", re.search(r"forward_to\s*=\s*\[\s*loki\.write\.[A-Za-z0-9_]+\.receiver\s*\]", text) is not None)
    check("config.alloy: relabels container name → container", re.search(r'__meta_docker_container_name"\][^}]*target_label\s*=\s*"container"', text, re.S) is not None)
    check("config.alloy: relabels compose service → service", re.search(r'__meta_docker_container_label_com_docker_compose_service"\][^}]*target_label\s*=\s*"service"', text, re.S) is not None)
    check("config.alloy: stage.json extracts level, route, status", re.search(r"stage\.json\s*\{", text) is not None and all(re.search(rf"\b{k}\s*=", text) for k in ("level", "route", "status")))
    check("config.alloy: stage.labels sets level", re.search(r"stage\.labels\s*\{[^}]*values\s*=\s*\{[^}]*\blevel\b", text, re.S) is not None)
    hosts = set(re.findall(r'host\s*=\s*"unix://([^"]+)"', text))
    alloy_mounts = [str(v) for v in ((compose.get("services") or {}).get("alloy") or {}).get("volumes") or []]
    check("config.alloy: the Docker socket it reads is mounted into mvp-alloy", bool(hosts) and all(any(m.split(":")[1] == h for m in alloy_mounts) for h in hosts), f"{hosts} vs {alloy_mounts}")
    check("config.alloy: mounted at the path mvp-alloy runs", "./config/alloy/config.alloy:/etc/alloy/config.alloy:ro" in alloy_mounts and "/etc/alloy/config.alloy" in ((compose.get("services") or {}).get("alloy") or {}).get("command", []))


def test_grafana(compose: dict) -> None:
    ds = load_yaml("config/grafana/provisioning/datasources/loki.yml")
    sources = ds.get("datasources") or []
    loki = [d for d in sources if d.get("type") == "loki"]
    check("grafana: one Loki datasource", len(loki) == 1, str(sources))
    if loki:
        d = loki[0]
        services = compose.get("services") or {}
        host = re.match(r"^http://([^:/]+):(\d+)$", str(d.get("url", "")))
        check("grafana: datasource url points at the loki service", d.get("url") == "http://mvp-loki:3100" and host is not None
              and host.group(1) == (services.get("loki") or {}).get("container_name"), str(d.get("url")))
        check("grafana: datasource uid loki, default", d.get("uid") == "loki" and d.get("isDefault") is True)
        shared = service_networks(services.get("grafana", {})) & service_networks(services.get("loki", {}))
        check("grafana and loki share a network", bool(shared), str(shared))
    prov = load_yaml("config/grafana/provisioning/dashboards/dashboards.yml")
    providers = prov.get("providers") or []
    path = ((providers[0] if providers else {}).get("options") or {}).get("path")
    gmounts = [str(v) for v in ((compose.get("services") or {}).get("grafana") or {}).get("volumes") or []]
    check("grafana: dashboards provider path is where config/grafana/dashboards is mounted", any(m.startswith("./config/grafana/dashboards:") and m.split(":")[1] == path for m in gmounts), f"{path} vs {gmounts}")
    check("grafana: provisioning dir mounted", any(m.startswith("./config/grafana/provisioning:/etc/grafana/provisioning") for m in gmounts))

    dash_path = ROOT / "config/grafana/dashboards/motovaultpro.json"
    try:
        dash = json.loads(dash_path.read_text(encoding="utf-8"))
        check("dashboard: valid JSON", True)
    except (OSError, ValueError) as err:
        check("dashboard: valid JSON", False, str(err))
        return
    panels = dash.get("panels") or []
    check("dashboard: at least 3 panels", len(panels) >= 3, str(len(panels)))
    check("dashboard: uid and title", bool(dash.get("uid")) and bool(dash.get("title")))
    ids = [p.get("id") for p in panels]
    check("dashboard: unique panel ids", len(ids) == len(set(ids)), str(ids))
    exprs = []
    for p in panels:
        for t in p.get("targets") or []:
            exprs.append(t.get("expr", ""))
            check(f"dashboard panel '{p.get('title')}': queries the loki datasource", (t.get("datasource") or p.get("datasource") or {}).get("uid") == "loki")
    for e in exprs:
        ok, detail, _ = river_tokens_balanced(e)  # same bracket/string rules are good enough for LogQL
        check(f"dashboard query balanced: {e[:70]}", ok, detail)
    joined = "\n".join(exprs)
    check("dashboard: request rate by route and status (count_over_time, sum by span_route/status)",
          re.search(r'sum by \(span_route, status\) \(count_over_time\(\{service="backend"\} \| json \| message="request completed"', joined) is not None)
    check("dashboard: error logs ({service=\"backend\"} | json | level=\"ERROR\")", '{service="backend"} | json | level="ERROR"' in joined)
    check("dashboard: latency p95 (quantile_over_time 0.95, unwrap latency_ms)", re.search(r"quantile_over_time\(0\.95,.*\| unwrap latency_ms", joined) is not None)


# ─── configuration keys ──────────────────────────────────────────────────────────────────────────

def settings_paths() -> set:
    defaults = load_yaml("crates/config/src/defaults.yml")
    out = set()

    def walk(node, prefix):
        for k, v in node.items():
            path = prefix + (k,)
            out.add(path)
            if isinstance(v, dict):
                walk(v, path)

    walk(defaults, ())
    return out


def env_var_ok(name: str, paths: set) -> bool:
    if not name.startswith("MVP_") or "__" not in name:
        return True
    parts = [p.lower() for p in name[4:].split("__")]
    if tuple(parts) in paths:
        return True
    if parts[-1].endswith("_file"):
        return tuple(parts[:-1] + [parts[-1][:-5]]) in paths
    return False


def yaml_keys_ok(node, paths: set, prefix=()) -> list:
    bad = []
    for k, v in (node or {}).items():
        path = prefix + (k,)
        if path not in paths:
            bad.append(".".join(path))
        elif isinstance(v, dict):
            bad += yaml_keys_ok(v, paths, path)
    return bad


def test_config_keys(compose: dict) -> None:
    paths = settings_paths()
    override = load_yaml("docker-compose.override.example.yml") if (ROOT / "docker-compose.override.example.yml").is_file() else {}
    for label, doc in (("docker-compose.yml", compose), ("override example", override)):
        for svc, s in ((doc.get("services") or {}).items()):
            if svc != "backend":
                continue
            for key in env_dict(s):
                check(f"{label} backend: {key} is a known setting", env_var_ok(key, paths))
    for rel in ("config/production.yml", "config/shared.yml"):
        if (ROOT / rel).is_file():
            bad = yaml_keys_ok(load_yaml(rel), paths)
            check(f"{rel}: only known settings", not bad, str(bad))


# ─── Kubernetes ──────────────────────────────────────────────────────────────────────────────────

def test_k8s() -> None:
    kdir = ROOT / "deploy/k8s"
    docs = {}
    for f in sorted(kdir.glob("*.yaml")):
        try:
            for d in load_yaml_all(f):
                docs.setdefault(d.get("kind"), []).append((f.name, d))
            check(f"k8s {f.name}: parses", True)
        except yaml.YAMLError as err:
            check(f"k8s {f.name}: parses", False, str(err))
    check("k8s README.md exists and expects external Postgres/Redis", (kdir / "README.md").is_file()
          and re.search(r"external", (kdir / "README.md").read_text(encoding="utf-8"), re.I) is not None)
    kust = load_yaml("deploy/k8s/kustomization.yaml")
    for res in kust.get("resources") or []:
        check(f"kustomization resource {res} exists", (kdir / res).is_file())
    check("kustomization does not apply the example Secret", "secret.example.yaml" not in (kust.get("resources") or []))
    check("k8s: a Namespace", bool(docs.get("Namespace")))
    kv = shutil.which("kubernetes-validate")
    if kv:
        files = [str(f) for f in sorted(kdir.glob("*.yaml")) if f.name != "kustomization.yaml"]
        proc = subprocess.run([kv, "--strict", "-k", "1.30.0", *files], capture_output=True, text=True)
        check("k8s manifests valid against the Kubernetes 1.30 schemas (kubernetes-validate --strict)", proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:])
    else:
        skip("k8s schema validation", "kubernetes-validate is not installed (optional: pip install kubernetes-validate)")
    deps = {d["metadata"]["name"]: d for _, d in docs.get("Deployment", [])}
    be = deps.get("mvp-backend")
    if not check("k8s: mvp-backend Deployment", be is not None):
        return
    spec = be["spec"]
    check("k8s backend: 3 replicas", spec.get("replicas") == 3)
    c = spec["template"]["spec"]["containers"][0]
    check("k8s backend: readiness GET /health", ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path") == "/health")
    check("k8s backend: liveness GET /health/live", ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path") == "/health/live")
    check("k8s backend: env from a ConfigMap", any("configMapRef" in e for e in c.get("envFrom") or []))
    vols = {v["name"]: v for v in spec["template"]["spec"].get("volumes") or []}
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
    check("k8s backend: Secret mounted at /run/secrets", "secret" in vols.get(mounts.get("/run/secrets", ""), {}))
    check("k8s backend: config mounted at /app/config", "configMap" in vols.get(mounts.get("/app/config", ""), {}))
    check("k8s backend: non-root, read-only root filesystem", spec["template"]["spec"].get("securityContext", {}).get("runAsNonRoot") is True
          and (c.get("securityContext") or {}).get("readOnlyRootFilesystem") is True)
    cms = {d["metadata"]["name"]: d for _, d in docs.get("ConfigMap", [])}
    paths = settings_paths()
    for name, cm in cms.items():
        for key, value in (cm.get("data") or {}).items():
            if key.endswith(".yml"):
                bad = yaml_keys_ok(yaml.safe_load(value), paths)
                check(f"k8s ConfigMap {name}/{key}: only known settings", not bad, str(bad))
            else:
                check(f"k8s ConfigMap {name}: {key} is a known setting", env_var_ok(key, paths))
                check(f"k8s ConfigMap {name}: {key} holds no secret", not re.search(r"PASSWORD|SECRET(?!S_DIR)|TOKEN|ACCESS_KEY", key))
    env = {k: v for cm in cms.values() for k, v in (cm.get("data") or {}).items()}
    check("k8s: documents in an S3-compatible bucket", env.get("MVP_STORAGE__BACKEND") == "s3" and bool(env.get("MVP_STORAGE__S3__BUCKET")))
    check("k8s: no local document volume (replicas share the bucket)", not (kdir / "documents-pvc.yaml").exists())
    check("k8s: Service mvp-backend", any(d["metadata"]["name"] == "mvp-backend" for _, d in docs.get("Service", [])))
    ing = docs.get("Ingress", [])
    check("k8s: an Ingress routing /api to mvp-backend", any(
        p.get("path") == "/api" and p["backend"]["service"]["name"] == "mvp-backend"
        for _, d in ing for r in d["spec"].get("rules", []) for p in r["http"]["paths"]))


# ─── secrets/, .gitignore, docs ──────────────────────────────────────────────────────────────────

def test_secrets_dir() -> None:
    sdir = ROOT / "secrets"
    check("secrets/README.md exists", (sdir / "README.md").is_file())
    readme = (sdir / "README.md").read_text(encoding="utf-8") if (sdir / "README.md").is_file() else ""
    for name in sorted(SECRETS):
        check(f"secrets/README.md documents {name}", f"`{name}`" in readme)
        ex = sdir / f"{name}.example"
        if ex.is_file():
            body = ex.read_text(encoding="utf-8")
            check(f"secrets/{name}.example is a placeholder", "REPLACE" in body, body[:60])
    if shutil.which("git") and (ROOT / ".git").exists():
        def ignored(rel):
            return subprocess.run(["git", "check-ignore", "-q", rel], cwd=ROOT).returncode == 0
        check(".gitignore ignores real secret files", all(ignored(f"secrets/{n}") for n in SECRETS))
        check(".gitignore keeps secrets/*.example and README.md", not ignored("secrets/README.md") and not any(ignored(f"secrets/{n}.example") for n in SECRETS))
    else:
        skip(".gitignore checks", "not a git checkout")


def test_docs() -> None:
    doc = ROOT / "docs/OPERATIONS.md"
    if not check("docs/OPERATIONS.md exists", doc.is_file()):
        return
    text = doc.read_text(encoding="utf-8")
    for heading in ("First deployment", "Upgrades", "Backups", "Reading logs in Grafana", "Rotating secrets", "Health checks"):
        check(f"OPERATIONS.md: section {heading}", re.search(rf"^##+ {re.escape(heading)}", text, re.M) is not None)
    check("OPERATIONS.md: curl https://<domain>/api/health", "/api/health" in text and "curl" in text)


def test_dockerfiles() -> None:
    """The three images' Dockerfiles: multi-stage with pinned base tags, a non-root USER, a HEALTHCHECK
    that needs no curl, a .dockerignore that keeps target/, .git and secrets out. (`make dockerfiles`
    runs their build steps; this only reads them.)"""
    sys.path.insert(0, str(ROOT / "deploy"))
    from dockerfile_run import instructions  # the same parser the runner uses
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split() if (ROOT / ".dockerignore").is_file() else []
    check(".dockerignore keeps target, .git, .data and real secrets out", {"target", ".git", ".data", "secrets/*"} <= set(ignore), str(ignore))
    for svc, rel in BUILDS.items():
        path = ROOT / rel
        if not check(f"{rel} exists", path.is_file()):
            continue
        steps = instructions(path.read_text(encoding="utf-8"))
        froms = [rest.split()[0] for kw, rest in steps if kw == "FROM"]
        stage_names = {rest.split()[2] for kw, rest in steps if kw == "FROM" and len(rest.split()) >= 3}
        external = [f for f in froms if f not in stage_names]
        check(f"{rel}: multi-stage", len(froms) >= 2, str(froms))
        check(f"{rel}: base images pinned to a tag (not latest)", all(":" in f and not f.endswith(":latest") for f in external), str(external))
        final = steps[max(i for i, (kw, _) in enumerate(steps) if kw == "FROM"):]
        users = [rest for kw, rest in final if kw == "USER"]
        check(f"{rel}: final stage runs as a non-root USER", bool(users) and users[-1].split(":")[0] not in ("0", "root"), str(users))
        health = [rest for kw, rest in final if kw == "HEALTHCHECK"]
        check(f"{rel}: HEALTHCHECK without curl", bool(health) and "curl" not in health[-1], str(health))
        runs = " ".join(rest for kw, rest in steps if kw == "RUN")
        check(f"{rel}: apt lists removed after installs", "apt-get install" not in runs or "rm -rf /var/lib/apt/lists" in runs)
    backend = (ROOT / BUILDS["backend"]).read_text(encoding="utf-8")
    check("backend Dockerfile: dependency layer (cargo chef cook) and SQLX_OFFLINE=true", "cargo chef cook" in backend and "SQLX_OFFLINE=true" in backend)
    frontend_df = ROOT / BUILDS["frontend"]
    if frontend_df.is_file():
        text = frontend_df.read_text(encoding="utf-8")
        check("frontend Dockerfile: built by scripts/build-frontend.sh (the script make run uses)", "scripts/build-frontend.sh" in text)
        check("frontend Dockerfile: nginx templates copied, port 3000", "/etc/nginx/templates/" in text and "EXPOSE 3000" in text)
        conf = ROOT / "frontend/nginx/default.conf.template"
        if check("frontend/nginx/default.conf.template exists", conf.is_file()):
            nginx = conf.read_text(encoding="utf-8")
            check("nginx: listens on 3000", re.search(r"^\s*listen 3000;", nginx, re.M) is not None)
            check("nginx: SPA fallback to /index.html", "try_files $uri /index.html" in nginx)
            check("nginx: hashed assets cached a year, immutable", "max-age=31536000, immutable" in nginx)
            check("nginx: index.html not cached", 'Cache-Control "no-cache"' in nginx)
            check("nginx: gzip and precompressed files", "gzip on;" in nginx and "gzip_static on;" in nginx)
        headers = ROOT / "frontend/nginx/security-headers.inc.template"
        if check("frontend/nginx/security-headers.inc.template exists", headers.is_file()):
            h = headers.read_text(encoding="utf-8")
            for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
                check(f"nginx: {name} header", name in h)
            check("nginx CSP: no inline scripts", "script-src 'self' 'wasm-unsafe-eval';" in h)


def main() -> int:
    os.chdir(ROOT)
    compose = test_compose()
    if compose:
        test_override(compose)
        test_traefik(compose)
        test_alloy(compose)
        test_grafana(compose)
        test_config_keys(compose)
    test_loki()
    test_k8s()
    test_secrets_dir()
    test_dockerfiles()
    test_docs()
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
