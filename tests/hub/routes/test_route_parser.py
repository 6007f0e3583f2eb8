"""The routes list: every kind of route error names its line and key path."""

from __future__ import annotations

from textwrap import dedent

from hub.routes import Aggregate, AllOf, Compare
from tests.hub.routes.texts import HEAD, assert_error, doc, errors, line, parse

ENRICH = """
    - name: enrich
      aggregate:
        parts: {lookup: facility.lookup.answered, griddata: griddata.answered}
        correlate: case_id
        timeout: 30s
        emit: case.enriched
    """


def test_full_route_is_built():
    text = doc(dedent("""
        - name: new-case-lookups
          description: lookups for new installations
          match:
            type: [case.submitted, case.resubmitted]
            where:
              - {field: payload.installation_type, in: [new_installation, extension]}
              - {field: payload.grid_owner.country, eq: SE}
          to: [kis, nis]
          retry: patient
        - name: per-facility
          match: {type: case.completion.submitted}
          split: payload.facilities
          to: [metering]
        """) + dedent(ENRICH))
    lookups, split, enrich = parse(text).routes
    assert lookups.types == ("case.submitted", "case.resubmitted")
    assert lookups.to == ("kis", "nis") and lookups.retry == "patient"
    assert lookups.description == "lookups for new installations"
    assert lookups.where == AllOf((
        Compare("payload.installation_type", "in", ["new_installation", "extension"]),
        Compare("payload.grid_owner.country", "eq", "SE")))
    assert split.split == "payload.facilities" and split.to == ("metering",)
    assert enrich.aggregate == Aggregate(
        parts={"lookup": "facility.lookup.answered", "griddata": "griddata.answered"},
        timeout_s=30.0, emit="case.enriched")
    assert enrich.types == ("facility.lookup.answered", "griddata.answered")
    assert enrich.to == () and enrich.line == line(text, "- name: enrich")


def test_aggregate_parts_as_a_list_are_named_by_their_type():
    text = doc("""
        - name: enrich
          aggregate:
            parts: [facility.lookup.answered, griddata.answered]
            timeout: 5m
            emit: case.enriched
        """)
    [route] = parse(text).routes
    assert route.aggregate is not None
    assert route.aggregate.parts == {"facility.lookup.answered": "facility.lookup.answered",
                                     "griddata.answered": "griddata.answered"}
    assert route.aggregate.timeout_s == 300.0


def test_duplicate_route_names():
    text = doc("""
        - name: twice
          match: {type: case.submitted}
          to: [kis]
        - name: twice
          match: {type: case.approved}
          to: [nis]
        """)
    found = errors(text)
    assert found == [f"routes.yaml:{line(text, 'case.approved') - 1}: routes[1].name: duplicate "
                     f"route name 'twice' (first at line {line(text, 'case.submitted') - 1})"]


def test_unknown_route_key():
    text = doc("""
        - name: lookups
          match: {type: facility.lookup.requested}
          to: [kis]
          retries: patient
        """)
    assert_error(text, "retries:", "routes[0].retries",
                 "unknown key 'retries' (did you mean 'retry'?)")


def test_unknown_match_key():
    text = doc("""
        - name: lookups
          match:
            type: facility.lookup.requested
            when: {field: source, eq: elsmart}
          to: [kis]
        """)
    assert_error(text, "when:", "routes[0].match.when", "unknown key 'when'")


def test_unknown_message_type():
    text = doc("""
        - name: lookups
          match: {type: facility.lookup.request}
          to: [kis]
        """)
    assert_error(text, "facility.lookup.request}", "routes[0].match.type",
                 "unknown message type 'facility.lookup.request' (did you mean "
                 "'facility.lookup.requested'?)")


def test_unknown_message_type_in_a_list_names_its_index():
    text = doc("""
        - name: lookups
          match:
            type:
              - case.submitted
              - case.aproved
          to: [kis]
        """)
    assert_error(text, "case.aproved", "routes[0].match.type[1]",
                 "unknown message type 'case.aproved'")


def test_missing_match_and_missing_type():
    text = doc("""
        - name: lookups
          to: [kis]
        """)
    assert_error(text, "- name: lookups", "routes[0].match", "match is required")
    text = doc("""
        - name: lookups
          match: {where: {field: source, eq: kis}}
          to: [kis]
        """)
    assert_error(text, "match:", "routes[0].match.type", "match.type is required")


def test_unknown_connector_in_to():
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
          to: [kis, niss]
        """)
    assert_error(text, "niss", "routes[0].to[1]",
                 "unknown connector 'niss' (did you mean 'nis'?) (declared: kis, metering, nis)")


def test_to_listed_as_block_sequence_names_the_item_line():
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
          to:
            - kis
            - elhub
        """)
    assert_error(text, "- elhub", "routes[0].to[1]", "unknown connector 'elhub'")


def test_connector_listed_twice_and_empty_to():
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
          to: [kis, kis]
        """)
    assert_error(text, "to: [kis, kis]", "routes[0].to[1]", "listed twice")
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
          to: []
        """)
    assert_error(text, "to: []", "routes[0].to", "empty list")


def test_unknown_retry_policy():
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
          to: [kis]
          retry: patience
        """)
    assert_error(text, "retry: patience", "routes[0].retry",
                 "unknown retry policy 'patience' (did you mean 'patient'?) "
                 "(declared: default, patient)")


def test_a_broken_policy_is_reported_once_not_again_where_it_is_used():
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
          to: [kis]
          retry: patient
        """, head=HEAD.replace("max_age: 3d", "max_age: 3 days"))
    assert_error(text, "3 days", "retry_policies.patient.max_age", "bad duration")


def test_route_with_neither_to_nor_aggregate():
    text = doc("""
        - name: lookups
          match: {type: case.submitted}
        """)
    assert_error(text, "- name: lookups", "routes[0]", "the route sends nowhere")


def test_route_with_both_to_and_aggregate():
    text = doc("""
        - name: both
          to: [kis]
          aggregate:
            parts: [facility.lookup.answered, griddata.answered]
            timeout: 30s
            emit: case.enriched
        """)
    assert_error(text, "aggregate:", "routes[0].aggregate", "to/emit or aggregate, not both")


def test_missing_or_bad_route_name():
    text = doc("""
        - match: {type: case.submitted}
          to: [kis]
        """)
    assert_error(text, "- match:", "routes[0].name", "the route needs a name")
    text = doc("""
        - name: "a:b"
          match: {type: case.submitted}
          to: [kis]
        """)
    assert_error(text, "a:b", "routes[0].name", "bad route name 'a:b'")


def test_route_that_is_not_a_mapping():
    text = doc("""
        - just-a-name
        """)
    assert_error(text, "just-a-name", "routes[0]", "a route is a mapping")


def test_split_path_must_be_in_the_payload():
    text = doc("""
        - name: per-facility
          match: {type: case.completion.submitted}
          split: facilities
          to: [metering]
        """)
    assert_error(text, "split: facilities", "routes[0].split",
                 "split must name a list in the payload, e.g. payload.facilities")
    text = doc("""
        - name: per-facility
          match: {type: case.completion.submitted}
          split: payload.facilities..x
          to: [metering]
        """)
    assert_error(text, "split:", "routes[0].split", "bad field path")


def test_split_needs_to():
    text = doc("""
        - name: per-facility
          split: payload.facilities
          aggregate:
            parts: [facility.lookup.answered, griddata.answered]
            timeout: 30s
            emit: case.enriched
        """)
    assert_error(text, "split:", "routes[0].split", "split needs to")


def test_aggregate_part_of_unknown_type():
    text = doc(ENRICH.replace("griddata: griddata.answered", "griddata: griddata.answerd"))
    assert_error(text, "parts:", "routes[0].aggregate.parts.griddata",
                 "unknown message type 'griddata.answerd' (did you mean 'griddata.answered'?)")


def test_aggregate_part_list_item_of_unknown_type():
    text = doc("""
        - name: enrich
          aggregate:
            parts:
              - facility.lookup.answered
              - grid.answered
            timeout: 30s
            emit: case.enriched
        """)
    assert_error(text, "- grid.answered", "routes[0].aggregate.parts[1]",
                 "unknown message type 'grid.answered'")


def test_aggregate_errors_name_their_keys():
    cases = [
        (ENRICH.replace("timeout: 30s", "timeout: soon"), "timeout:",
         "routes[0].aggregate.timeout", "bad duration 'soon'"),
        (ENRICH.replace("timeout: 30s", "timeout: 0"), "timeout:",
         "routes[0].aggregate.timeout", "more than 0"),
        (ENRICH.replace("        timeout: 30s\n", ""), "aggregate:",
         "routes[0].aggregate.timeout", "timeout is required"),
        (ENRICH.replace("emit: case.enriched", "emit: case.enrich"), "emit:",
         "routes[0].aggregate.emit", "unknown message type 'case.enrich'"),
        (ENRICH.replace("emit: case.enriched", "emit: griddata.answered"), "emit:",
         "routes[0].aggregate.emit", "would feed itself"),
        (ENRICH.replace("correlate: case_id", "correlate: gsrn"), "correlate:",
         "routes[0].aggregate.correlate", "cannot correlate on 'gsrn'"),
        (ENRICH.replace("correlate:", "correlation:"), "correlation:",
         "routes[0].aggregate.correlation", "unknown key 'correlation' (did you mean "
         "'correlate'?)"),
        (ENRICH.replace("griddata: griddata.answered", "griddata: facility.lookup.answered"),
         "parts:", "routes[0].aggregate.parts.griddata", "is a part twice"),
        (ENRICH.replace(", griddata: griddata.answered", ""), "parts:",
         "routes[0].aggregate.parts", "at least two parts"),
        (ENRICH.replace("griddata: griddata", "missing: griddata"), "parts:",
         "routes[0].aggregate.parts.missing", "'missing' is reserved"),
    ]
    for routes, needle, key, fragment in cases:
        text = doc(routes)
        assert_error(text, needle, key, fragment)


def test_aggregate_route_matches_its_parts_not_a_type():
    text = doc("""
        - name: enrich
          match: {type: case.submitted}
          aggregate:
            parts: [facility.lookup.answered, griddata.answered]
            timeout: 30s
            emit: case.enriched
        """)
    assert_error(text, "match:", "routes[0].match.type", "remove match.type")


def test_aggregate_route_may_filter_with_where():
    text = doc("""
        - name: enrich
          match: {where: {field: payload.status_code, eq: 100}}
          aggregate:
            parts: [facility.lookup.answered, griddata.answered]
            timeout: 30s
            emit: case.enriched
        """)
    [route] = parse(text).routes
    assert route.where == Compare("payload.status_code", "eq", 100)


def test_every_route_error_is_collected():
    text = doc("""
        - name: a
          match: {type: case.submited}
          to: [kiss]
          retry: slow
        - name: b
          match: {type: case.approved}
        """)
    found = errors(text)
    assert [e.split(": ")[1] for e in found] == [
        "routes[0].match.type", "routes[0].to[0]", "routes[0].retry", "routes[1]"]
