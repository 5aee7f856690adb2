"""Xero's published OpenAPI file as the emulator reads it: where it is, parsed once per machine, and the two
liberties taken with it (no security schemes, boolean defaults as booleans)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

SPEC_ENV_VAR = "XERO_OPENAPI_SPEC"


def default_spec_path() -> Path | None:
    configured = os.environ.get(SPEC_ENV_VAR)
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parents[2]
    candidate = repo_root.parent / "shared" / "specs" / "xero" / "xero_accounting.yaml"
    return candidate if candidate.is_file() else None


def without_security(node: Any) -> Any:
    """The emulator checks tokens itself; openapi-core cannot check OAuth2 and warns on every call."""
    if isinstance(node, dict):
        return {key: without_security(value) for key, value in node.items() if key != "security"}
    if isinstance(node, list):
        return [without_security(item) for item in node]
    return node


def booleans_as_booleans(node: Any) -> Any:
    """Xero's published spec writes 46 boolean defaults and examples as strings (`default: "false"`), which
    openapi-core refuses to load; they are read as the booleans they mean, so the upstream file works as is."""
    if isinstance(node, dict):
        fixed = {key: booleans_as_booleans(value) for key, value in node.items()}
        if fixed.get("type") == "boolean":
            for key in ("default", "example"):
                if fixed.get(key) in ("true", "false"):
                    fixed[key] = fixed[key] == "true"
        return fixed
    if isinstance(node, list):
        return [booleans_as_booleans(item) for item in node]
    return node


def header_parameter_names(spec: dict[str, Any]) -> frozenset[str]:
    """Every header the spec declares as a parameter, lower-cased (the only headers a request is checked on)."""
    names = set()
    for path in spec["paths"].values():
        declared = list(path.get("parameters", []))  # for every operation of the path
        declared += [
            p for operation in path.values() if isinstance(operation, dict) for p in operation.get("parameters", [])
        ]
        for parameter in declared:
            if "$ref" in parameter:
                parameter = pointer_value(spec, parameter["$ref"])
            if parameter.get("in") == "header":
                names.add(str(parameter["name"]).lower())
    return frozenset(names)


def pointer_value(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def spec_as_json(path: Path) -> Any:
    """The YAML spec as JSON values, kept as a JSON file in the temporary folder: parsing the YAML takes
    seconds, and every test process (one per pytest-xdist worker) would do it again."""
    stat = path.stat()
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cached = Path(tempfile.gettempdir()) / f"xero-openapi-{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    import yaml  # the dev extra: only a checking emulator reads the spec

    with path.open(encoding="utf-8") as spec_file:
        loaded = yaml.load(spec_file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # YAML timestamps in examples become datetimes; JSON round-trip turns them back into strings.
    text = json.dumps(loaded, default=str)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, cached)  # whole or absent, whichever process writes it
    except OSError:
        partial.unlink(missing_ok=True)
    return json.loads(text)
