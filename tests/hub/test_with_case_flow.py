"""A with_case route in a running hub, on the embedded broker and on RabbitMQ: the GIS gets the
archived case as it stands (facilities, GSRNs, meters), in its own JSON (issue 18 item 2)."""

from __future__ import annotations

from pathlib import Path

from tests.factories import lifecycle, swedish_case
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

GIS_MAPPING = Path(__file__).resolve().parents[2] / "examples" / "extending" / "gis-mapping.yaml"


def test_a_running_hub_sends_the_archived_case_as_it_stands(broker, tmp_path):
    url, ns = broker
    with Sink() as gis:
        routes = routes_yaml({"gis": gis.url}, """\
  - name: archived-to-gis
    match: {type: case.archived}
    with_case: true
    to: [gis]
    retry: fast
""").replace("timeout: 5}", f'timeout: 5, mapping: "{GIS_MAPPING}"}}')
        settings = settings_for(tmp_path, url, ns, routes)
        case = swedish_case(34)
        with running_hub(settings) as hub:
            hub.inbound.publish(lifecycle(case))
            wait_until(lambda: len(gis.docs()) == 1, what="the archived case at the GIS")
        [body] = gis.docs()
        assert body["caseId"] == case.case_id
        assert body["facilities"][0]["gsrn"] == case.facilities[0].facility_id
        assert body["portalReference"] == case.reference
