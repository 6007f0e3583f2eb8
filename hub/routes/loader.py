"""Loading and validating routes.yaml: every error found, each with FILE:LINE and key path.

Validation never stops at the first problem: an operator fixing routes.yaml at start-up
sees the whole list at once (``gridhub routes check`` prints the same list).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.errors import ConfigurationError
from hub.retry import DEFAULT_POLICY, RetryPolicy
from hub.routes.durations import parse_duration
from hub.routes.grid_owners import parse_grid_owners
from hub.routes.model import DEFAULT_POLICY_NAME, ConnectorSpec, RouteTable
from hub.routes.route_parser import RouteParser
from hub.routes.secrets import expand_settings
from hub.routes.source import Issues, child, known_keys, read, suggest

SUPPORTED_VERSION = 1
TOP_KEYS = ("version", "retry_policies", "connectors", "routes", "grid_owners")
CONNECTOR_KEYS = ("plugin", "settings")
POLICY_KEYS = tuple(RetryPolicy.model_fields)
POLICY_DURATIONS = ("initial_delay", "max_delay", "max_age")
# Connector names become queue names and the ``source`` of messages (at most 32 characters).
_CONNECTOR_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")

def load_routes(path: Path, *, known_plugins: set[str] | None = None,
                env: Mapping[str, str] | None = None) -> RouteTable:
    """Read and validate a routes file. Raises ConfigurationError listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read the routes file: {exc}", where=str(path)) from None
    return parse_routes(text, filename=str(path), known_plugins=known_plugins, env=env)


def parse_routes(text: str, *, filename: str = "routes.yaml",
                 known_plugins: set[str] | None = None,
                 env: Mapping[str, str] | None = None) -> RouteTable:
    """Validate routes.yaml text. ``known_plugins`` None skips the installed-plugin check;
    ``env`` None expands ``${VAR}`` from ``os.environ``."""
    issues = Issues(filename)
    doc = read(text, issues)
    if doc is None:
        issues.raise_if_any()
    if not isinstance(doc, dict):
        issues.add("", "the file must be a mapping with version, connectors and routes",
                   line=issues.line_of(""))
        issues.raise_if_any()
    known_keys(doc, "", TOP_KEYS, issues)
    version = _version(doc, issues)
    policies, policy_names = _policies(doc.get("retry_policies"), issues)
    connectors, connector_names = _connectors(
        doc, known_plugins, os.environ if env is None else env, issues)
    routes = RouteParser(issues, policy_names, connector_names).parse(doc.get("routes"))
    owners = parse_grid_owners(doc.get("grid_owners"), issues)
    issues.raise_if_any()
    return RouteTable(version=version, policies=policies, connectors=connectors,
                      routes=routes, filename=filename, grid_owners=owners)


def _version(doc: dict[str, Any], issues: Issues) -> int:
    version = doc.get("version")
    if version is None:
        issues.add("version", f"version is required: add 'version: {SUPPORTED_VERSION}' at "
                   "the top", line=issues.line_of(""))
    elif version != SUPPORTED_VERSION or isinstance(version, bool):
        issues.add("version", f"unsupported version {version!r} (this gridhub reads "
                   f"version {SUPPORTED_VERSION})")
    return SUPPORTED_VERSION


def _policies(raw: Any, issues: Issues) -> tuple[dict[str, RetryPolicy], set[str]]:
    """Valid policies, and every declared name (so a broken policy is reported once)."""
    policies = {DEFAULT_POLICY_NAME: DEFAULT_POLICY}
    if raw is None:
        return policies, set(policies)
    if not isinstance(raw, dict):
        issues.add("retry_policies", "retry_policies must be a mapping: name -> {immediate: "
                   "1, initial_delay: 2s, max_delay: 5m, max_age: 24h}")
        return policies, set(policies)
    for name, spec in raw.items():
        path = child("retry_policies", name)
        if not isinstance(spec, dict):
            issues.add(path, "a retry policy is a mapping, e.g. {max_delay: 5m, max_age: 24h}")
            continue
        policy = _policy(spec, path, issues)
        if policy is not None:
            policies[name] = policy
    return policies, set(policies) | set(raw)


def _policy(spec: dict[str, Any], path: str, issues: Issues) -> RetryPolicy | None:
    known_keys(spec, path, POLICY_KEYS, issues)
    values: dict[str, Any] = {}
    ok = True
    for key, value in spec.items():
        if key not in POLICY_KEYS:
            continue
        if key in POLICY_DURATIONS:
            try:
                value = parse_duration(value)
            except ValueError as exc:
                issues.add(child(path, key), str(exc))
                ok = False
                continue
        elif isinstance(value, bool) or not isinstance(value, int | float):
            issues.add(child(path, key), f"{key} must be a number, got {value!r}")
            ok = False
            continue
        values[key] = value
    if not ok:
        return None
    try:
        return RetryPolicy(**values)
    except ValidationError as exc:
        for error in exc.errors():
            where = path
            for part in error["loc"]:
                where = child(where, str(part))
            issues.add(where, str(error["msg"]).removeprefix("Value error, "))
        return None


def _connectors(doc: dict[str, Any], known_plugins: set[str] | None, env: Mapping[str, str],
                issues: Issues) -> tuple[dict[str, ConnectorSpec], set[str]]:
    raw = doc.get("connectors")
    if raw is None:
        issues.add("connectors", "connectors is required: name -> {plugin: ..., settings: "
                   "{...}}", line=issues.line_of(""))
        return {}, set()
    if not isinstance(raw, dict):
        issues.add("connectors", "connectors must be a mapping: name -> {plugin: ..., "
                   "settings: {...}}")
        return {}, set()
    specs: dict[str, ConnectorSpec] = {}
    for name, spec in raw.items():
        path = child("connectors", name)
        if not _CONNECTOR_NAME.fullmatch(name):
            issues.add(path, f"bad connector name {name!r}: lowercase letters, digits, - and "
                       "_, starting with a letter, at most 32 characters")
        if not isinstance(spec, dict):
            issues.add(path, "a connector is a mapping: {plugin: ..., settings: {...}}")
            continue
        built = _connector(name, spec, path, known_plugins, env, issues)
        if built is not None:
            specs[name] = built
    return specs, set(raw)


def _connector(name: str, spec: dict[str, Any], path: str, known_plugins: set[str] | None,
               env: Mapping[str, str], issues: Issues) -> ConnectorSpec | None:
    known_keys(spec, path, CONNECTOR_KEYS, issues)
    plugin = spec.get("plugin")
    if not isinstance(plugin, str) or not plugin:
        issues.add(child(path, "plugin"), "plugin is required: the name of an installed "
                   "connector plugin (e.g. kis, webhook)")
        plugin = None
    elif known_plugins is not None and plugin not in known_plugins:
        installed = ", ".join(sorted(known_plugins)) or "none"
        issues.add(child(path, "plugin"), f"unknown plugin {plugin!r}"
                   f"{suggest(plugin, known_plugins)} (installed: {installed})")
    settings = spec.get("settings", {})
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        issues.add(child(path, "settings"), "settings must be a mapping of key: value")
        return None
    expanded = expand_settings(settings, child(path, "settings"), env, issues)
    _check_files(expanded, child(path, "settings"), issues)
    return ConnectorSpec(name, plugin, expanded) if plugin is not None else None


# Settings naming a grid owner's own mapping or contract: the file must be there, so a typo
# in its path is a line in `routes check`, not a failure when the connector starts.
FILE_SETTINGS = ("mapping", "xsd", "wsdl")


def _check_files(settings: dict[str, Any], path: str, issues: Issues) -> None:
    for key in FILE_SETTINGS:
        value = settings.get(key)
        if isinstance(value, str) and value and not Path(value).is_file():
            issues.add(child(path, key), f"no such file: {value} (relative paths start at "
                       f"the directory gridhub runs in, {Path.cwd()})")
