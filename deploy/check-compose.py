#!/usr/bin/env python3
"""Static checks of deploy/docker-compose.yml, for machines without
`docker compose` (deploy/check.sh runs `docker compose config -q` as well
when it is available).

  python3 deploy/check-compose.py [--baraza BIN] [FILE]

Checks: the YAML parses; every service has an image or a build; every named
volume and network a service uses is declared at the top level; no `$` is
left for Compose to interpolate by accident (a literal dollar is `$$`); and,
with --baraza, every service's BARAZA_* environment is a valid node
configuration according to the real binary (`baraza node check-config` on
an empty file, which applies the variables; a service that computes
BARAZA_BOOTSTRAP at start is checked with an example bootstrap address).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("check-compose: PyYAML is missing (pip install PyYAML)")

EXAMPLE_BOOTSTRAP = (
    "/dns4/nri-a/tcp/7071/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
)
# $VAR or ${VAR} not preceded by another $ (Compose would substitute it).
INTERPOLATION = re.compile(r"(?<!\$)(?:\$\$)*\$(?:\{|[A-Za-z_])")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def env_dict(environment):
    if environment is None:
        return {}
    if isinstance(environment, dict):
        return {str(k): "" if v is None else str(v) for k, v in environment.items()}
    out = {}
    for item in environment:
        key, _, value = str(item).partition("=")
        out[key] = value
    return out


def named_volume(spec):
    if isinstance(spec, dict):
        return spec.get("source") if spec.get("type", "volume") == "volume" else None
    source = str(spec).split(":", 1)[0]
    if ":" not in str(spec) or source.startswith((".", "/", "~", "$")):
        return None
    return source


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default="deploy/docker-compose.yml")
    parser.add_argument("--baraza", help="the baraza binary, to check each service's environment")
    args = parser.parse_args()

    errors = []
    with open(args.file, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict):
        sys.exit(f"{args.file}: not a YAML mapping")
    services = doc.get("services")
    if not isinstance(services, dict) or not services:
        sys.exit(f"{args.file}: no services")
    volumes = doc.get("volumes") or {}
    networks = doc.get("networks") or {}

    for text in strings(doc):
        for m in INTERPOLATION.finditer(text):
            snippet = text[max(0, m.start() - 20): m.end() + 20].replace("\n", " ")
            errors.append(f"unescaped $ (Compose would interpolate it; write $$): …{snippet}…")

    for name, svc in services.items():
        if not isinstance(svc, dict):
            errors.append(f"service {name}: not a mapping")
            continue
        if "image" not in svc and "build" not in svc:
            errors.append(f"service {name}: neither image nor build")
        build = svc.get("build")
        if isinstance(build, dict):
            base = os.path.dirname(os.path.abspath(args.file))
            context = os.path.normpath(os.path.join(base, build.get("context", ".")))
            dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                errors.append(f"service {name}: build.dockerfile {dockerfile} does not exist")
        for spec in svc.get("volumes") or []:
            vol = named_volume(spec)
            if vol is not None and vol not in volumes:
                errors.append(f"service {name}: volume {vol!r} is not declared under volumes:")
        svc_networks = svc.get("networks") or []
        for net in svc_networks if isinstance(svc_networks, list) else svc_networks.keys():
            if net not in networks:
                errors.append(f"service {name}: network {net!r} is not declared under networks:")
        for dep in svc.get("depends_on") or []:
            if dep not in services:
                errors.append(f"service {name}: depends_on unknown service {dep!r}")

    if errors:
        for e in dict.fromkeys(errors):  # YAML anchors repeat shared values
            print(f"{args.file}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{args.file}: {len(services)} services ({', '.join(services)}), "
          f"{len(volumes)} volumes, {len(networks)} networks: structure ok")

    if args.baraza:
        with tempfile.TemporaryDirectory() as tmp:
            empty = os.path.join(tmp, "empty.toml")
            open(empty, "w").close()
            for name, svc in services.items():
                env = {k: v for k, v in env_dict(svc.get("environment")).items()
                       if k.startswith("BARAZA_")}
                entrypoint = " ".join(strings(svc.get("entrypoint") or []))
                if "BARAZA_BOOTSTRAP" in entrypoint and "BARAZA_BOOTSTRAP" not in env:
                    env["BARAZA_BOOTSTRAP"] = EXAMPLE_BOOTSTRAP
                run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, **env}
                result = subprocess.run(
                    [args.baraza, "node", "check-config", empty],
                    env=run_env, capture_output=True, text=True,
                )
                if result.returncode != 0:
                    errors.append(f"service {name}: its environment is not a valid node "
                                  f"configuration: {result.stderr.strip()}")
                else:
                    print(f"  {name}: environment ok ({', '.join(sorted(env))})")
    if errors:
        for e in errors:
            print(f"{args.file}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
