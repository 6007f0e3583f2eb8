"""Compiling ``emit`` payload templates (see :mod:`hub.routes.emit_parser`) into builders.

A builder takes the input envelope and its case view and returns the emitted payload: every
:class:`~hub.routes.model.From` leaf replaced by the value found, and keys whose value is
missing (no path present, no default) left out, so the payload model's own defaults and
"required" checks decide, and the error names the field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hub.routes.model import NO_DEFAULT, From
from hub.routes.predicates import MISSING, CaseView, Quantified, getter
from schemas.envelope import Envelope

Builder = Callable[[Envelope, CaseView], Any]


def compile_template(template: Any) -> Builder:
    """A builder for ``template`` (dicts, lists, constants and From leaves)."""
    if isinstance(template, From):
        return _compile_from(template)
    if isinstance(template, dict):
        parts = tuple((key, compile_template(value)) for key, value in template.items())

        def build_dict(env: Envelope, case: CaseView) -> Any:
            out = {}
            for key, build in parts:
                value = build(env, case)
                if value is not MISSING:
                    out[key] = value
            return out

        return build_dict
    if isinstance(template, list):
        items = tuple(compile_template(value) for value in template)
        return lambda env, case: [v for v in (b(env, case) for b in items) if v is not MISSING]
    constant = template
    return lambda env, case: copy.deepcopy(constant)


def _compile_from(leaf: From) -> Builder:
    getters = tuple(getter(path) for path in leaf.paths)
    default = leaf.default

    def build(env: Envelope, case: CaseView) -> Any:
        for get in getters:
            value = get(env, case)
            if isinstance(value, Quantified):  # case.facilities.all.x: the list of x
                return [copy.deepcopy(v) for v in value if v is not MISSING]
            if value is not MISSING:
                # The input is shared by every output of the batch: never hand out its dicts.
                return copy.deepcopy(value) if isinstance(value, dict | list) else value
        return MISSING if default is NO_DEFAULT else copy.deepcopy(default)

    return build
