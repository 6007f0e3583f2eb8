import base64
import urllib.error
import urllib.request

import pytest

from hub.httpserver import Credentials, HttpServer, Response


def _post(url, body=b"{}", auth=None):
    req = urllib.request.Request(url, data=body, method="POST")
    if auth:
        req.add_header("Authorization", auth)
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, r.read()


@pytest.fixture
def server():
    srv = HttpServer(lambda req: Response(200, req.body), Credentials("portal", "s3cret"),
                     max_body=1000).start()
    yield srv
    srv.stop()


def _basic(user, pwd):
    return "Basic " + base64.b64encode(f"{user}:{pwd}".encode()).decode()


def test_echoes_with_right_credentials(server):
    assert _post(server.url + "/x", b'{"a":1}', _basic("portal", "s3cret")) == (200, b'{"a":1}')


@pytest.mark.parametrize("auth", [None, _basic("portal", "wrong"), _basic("other", "s3cret"),
                                  "Bearer s3cret", "Basic !!notbase64"])
def test_refuses_missing_or_wrong_credentials(server, auth):
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(server.url, auth=auth)
    assert info.value.code == 401
    assert "Basic" in info.value.headers["WWW-Authenticate"]


def test_bearer_token_accepted():
    srv = HttpServer(lambda req: Response(204), Credentials(token="t0k3n")).start()
    try:
        assert _post(srv.url, auth="Bearer t0k3n")[0] == 204
    finally:
        srv.stop()


def test_body_over_limit_is_refused(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(server.url, b"x" * 5000, _basic("portal", "s3cret"))
    assert info.value.code == 413


def test_handler_bug_answers_500_and_server_keeps_serving():
    calls = []

    def handler(req):
        calls.append(req.path)
        if req.path == "/boom":
            raise RuntimeError("bug")
        return Response(200, b"ok")

    srv = HttpServer(handler, None).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as info:
            _post(srv.url + "/boom")
        assert info.value.code == 500
        assert _post(srv.url + "/fine") == (200, b"ok")
        assert calls == ["/boom", "/fine"]
    finally:
        srv.stop()
