"""YAML reading: syntax errors with their line, duplicate keys, lines of key paths, scalars."""

from __future__ import annotations

from hub.routes.source import Issues, read
from tests.hub.routes.texts import HEAD, assert_error, doc, errors, line, one_error, parse


def test_syntax_error_names_its_line():
    text = doc("""
        - name: broken
          match: {type: case.submitted
          to: [kis]
        """)
    found = one_error(text)
    # PyYAML reports the flow mapping as unclosed where it meets the next key.
    assert found.startswith(f"routes.yaml:{line(text, 'to: [kis]')}: YAML syntax: ")


def test_tab_indentation_is_a_syntax_error_on_its_line():
    text = "version: 1\nroutes:\n\t- name: x\n"
    assert one_error(text).startswith("routes.yaml:3: YAML syntax: ")


def test_two_documents_are_refused():
    found = one_error("version: 1\n---\nversion: 1\n")
    assert found.startswith("routes.yaml:2: YAML syntax: ")


def test_empty_file_is_an_error_on_line_1():
    assert one_error("").startswith("routes.yaml:1: the file is empty")
    assert one_error("# only a comment\n").startswith("routes.yaml:1: the file is empty")


def test_duplicate_connector_key_is_an_error_on_the_second_occurrence():
    head = HEAD.replace("  nis: {plugin: nis}\n",
                        "  nis: {plugin: nis}\n  kis: {plugin: webhook}\n")
    text = doc(head=head)
    assert_error(text, "kis: {plugin: webhook}", "connectors.kis",
                 f"duplicate key 'kis' (first at line {line(text, 'kis: {plugin: kis')})")


def test_duplicate_key_inside_a_route_is_found():
    text = doc("""
        - name: lookups
          match: {type: facility.lookup.requested}
          to: [kis]
          to: [nis]
        """)
    assert_error(text, "to: [nis]", "routes[0].to", "duplicate key 'to'")


def test_duplicate_key_in_a_flow_mapping_is_found():
    text = doc("""
        - name: lookups
          match: {type: facility.lookup.requested, type: case.submitted}
          to: [kis]
        """)
    assert_error(text, "match:", "routes[0].match.type", "duplicate key 'type'")


def test_merge_keys_are_refused():
    text = doc("""
        - name: lookups
          match: {<<: {type: case.submitted}}
          to: [kis]
        """)
    found = errors(text)
    assert any(e.startswith(f"routes.yaml:{line(text, '<<')}: routes[0].match.<<: merge keys")
               for e in found)


def test_lines_are_recorded_for_every_key_path():
    issues = Issues("f.yaml")
    read("a:\n  b:\n    - x\n    - {c: 1}\n", issues)
    assert issues.lines["a"] == 1
    assert issues.lines["a.b"] == 2
    assert issues.lines["a.b[0]"] == 3
    assert issues.lines["a.b[1].c"] == 4
    # A key with no line of its own (missing) takes its nearest ancestor's.
    assert issues.line_of("a.b[1].d") == 4
    assert issues.line_of("z") == 1


def test_scalars_follow_yaml_1_2_so_norway_stays_a_string():
    issues = Issues("f.yaml")
    values = read("a: NO\nb: yes\nc: on\nd: true\ne: False\nf: '1'\ng: 1\nh: 2.5\n"
                  "i: ~\nj: 2024-03-14\nk:\n", issues)
    assert values == {"a": "NO", "b": "yes", "c": "on", "d": True, "e": False, "f": "1",
                      "g": 1, "h": 2.5, "i": None, "j": "2024-03-14", "k": None}
    assert issues.errors == []


def test_norway_compares_as_a_country_code_in_a_condition():
    text = doc("""
        - name: norway
          match:
            type: facility.lookup.requested
            where: {field: case.grid_owner.country, eq: NO}
          to: [kis]
        """)
    [route] = parse(text).routes
    assert route.where is not None and route.where.value == "NO"  # type: ignore[union-attr]


def test_errors_are_reported_in_file_order():
    text = doc("""
        - name: first
          match: {type: no.such.type}
          to: [kis]
        - name: second
          match: {type: case.submitted}
          to: [nowhere]
        """, head=HEAD.replace("version: 1", "version: 9"))
    found = errors(text)
    lines = [int(e.split(":")[1]) for e in found]
    assert lines == sorted(lines) and len(found) == 3
    assert lines == [1, line(text, "no.such.type"), line(text, "nowhere")]
