"""What every request handler of the web app needs, built once by ``create_app``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub.config import Settings
from hub.connector import Connector
from hub.store import Store
from hub.web.jobs import Jobs
from hub.web.session import Sessions

if TYPE_CHECKING:
    from hub.access import Access
    from hub.metrics import Metrics


@dataclass
class WebContext:
    settings: Settings
    store: Store
    access: Access
    metrics: Metrics | None
    sessions: Sessions
    # Connector instances to ask "is your target reachable?", or why there is none.
    connectors: Mapping[str, Connector | str]
    # The configured connector names (a replay to another is skipped); None: routes unreadable.
    configured: set[str] | None
    secure_cookies: bool = False  # the session cookie goes over https only
    jobs: Jobs = field(default_factory=lambda: Jobs())
    templates: Any = None  # jinja2.Environment, set by create_app
