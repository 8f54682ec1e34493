"""Hostile requests for the generated suites, and what every answer on an API path must be.

Shared by tests/test_hostile_generated.py (the test client, tests' URLconf) and
tests/example/test_hostile_servers.py (the example on runserver, uvicorn and gunicorn).
A case is built as raw parts (method, request target, headers, body) so the same case can
go through the test client or, byte for byte, down a socket.

Checks return findings (strings) rather than raising, so one run lists every kind of
failure it met, each with the exact request that caused it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.example.support import envelope_error

# The default CORRELATION_ID_PATTERN: only such an id is echoed back.
CORRELATION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
CORRELATION_HEADER = "X-Correlation-ID"
ERROR_MEDIA_TYPES = {
    "status": "application/json",
    "success": "application/json",
    "problem": "application/problem+json",
}


@dataclass(frozen=True)
class Case:
    """One request: ``target`` is the request target exactly as sent (ASCII unless the
    case is for the test client only), ``headers`` exclude Host unless the case sets it."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_type: str | None = None
    # A 5xx is what this request should get (a server bug on purpose, or a 502 by design).
    server_error_expected: bool = False
    # In process only: the async client, and the test client enforcing CSRF checks.
    use_async: bool = False
    enforce_csrf: bool = False

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def describe(self) -> str:
        body = (
            self.body
            if len(self.body) <= 160
            else self.body[:160] + b"...(%d bytes)" % len(self.body)
        )
        parts = [f"{self.method} {self.target}"]
        if self.content_type is not None:
            parts.append(f"Content-Type: {self.content_type!r}")
        parts.extend(f"{name}: {value!r}" for name, value in self.headers)
        if self.body:
            parts.append(f"body={body!r}")
        if self.use_async:
            parts.append("(async client)")
        if self.enforce_csrf:
            parts.append("(CSRF enforced)")
        return " | ".join(parts)


@dataclass
class Answer:
    """A response, however it was obtained: status, headers in order, body bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def header_map(self) -> Mapping[str, str]:
        return HeaderMap(self.headers)


class HeaderMap(Mapping[str, str]):
    """Case-insensitive, read-only: what ``envelope_error`` reads ``Content-Type`` from."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._items = {name.lower(): value for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Findings:
    """Failures by kind; the first (shortest) request of each kind and signature is kept."""

    items: dict[tuple[str, str], tuple[Case, str]] = field(default_factory=dict)
    count: int = 0

    def add(self, kind: str, signature: str, case: Case, detail: str) -> None:
        self.count += 1
        key = (kind, signature)
        known = self.items.get(key)
        if known is None or len(case.describe()) < len(known[0].describe()):
            self.items[key] = (case, detail)

    def of(self, *kinds: str) -> list[str]:
        return [
            f"[{kind}] {signature}\n    request: {case.describe()}\n    got: {detail}"
            for (kind, signature), (case, detail) in sorted(self.items.items())
            if kind in kinds
        ]


# --- checks -------------------------------------------------------------------------------


def media_type(answer: Answer) -> str:
    return (answer.header("Content-Type") or "").split(";", 1)[0].strip().lower()


def short(body: bytes, limit: int = 300) -> str:
    text = body[:limit].decode("utf-8", "replace")
    return text + ("..." if len(body) > limit else "")


def correlation_findings(sent: str | None, got: str | None) -> list[tuple[str, str]]:
    """``(signature, detail)`` of what is wrong with the answer's correlation id."""
    if not got:
        return [("no X-Correlation-ID", f"header missing (sent {sent!r})")]
    problems = []
    if not (got.isascii() and got.isprintable()):
        problems.append(("unprintable X-Correlation-ID", repr(got)))
    acceptable = sent is not None and CORRELATION_PATTERN.fullmatch(sent) is not None
    if acceptable and got != sent:
        problems.append(("valid X-Correlation-ID not echoed", f"sent {sent!r}, got {got!r}"))
    if not acceptable and got == sent:
        problems.append(("invalid X-Correlation-ID echoed", repr(got)))
    if not acceptable and UUID4.fullmatch(got) is None:
        problems.append(("replacement X-Correlation-ID not a UUID4", f"sent {sent!r}, got {got!r}"))
    return problems


def answer_findings(
    style: str, case: Case, answer: Answer, codes: set[object], sent_correlation_id: str | None
) -> list[tuple[str, str, str]]:
    """``(kind, signature, detail)`` for one answer to a request on an API path."""
    found: list[tuple[str, str, str]] = []
    for signature, detail in correlation_findings(
        sent_correlation_id, answer.header(CORRELATION_HEADER)
    ):
        found.append(("correlation", signature, detail))
    status = answer.status
    if status >= 500 and not case.server_error_expected:
        found.append(("5xx", f"{status} for a client's request", short(answer.body)))
    if status < 400:
        return found
    kind = media_type(answer)
    if kind != ERROR_MEDIA_TYPES[style]:
        found.append(
            (
                "not an envelope",
                f"{status} answered as {kind or 'no content type'}",
                f"{answer.header('Content-Type')!r}: {short(answer.body)}",
            )
        )
        return found
    if case.method.upper() == "HEAD" or not answer.body:
        if case.method.upper() != "HEAD":
            found.append(("not an envelope", f"{status} with an empty body", ""))
        return found
    try:
        body = json.loads(answer.body)
    except ValueError:
        found.append(("not an envelope", f"{status} body is not JSON", short(answer.body)))
        return found
    try:
        code = envelope_error(style, status, answer.header_map, body)
    except (AssertionError, TypeError, KeyError):
        found.append(
            ("not an envelope", f"{status} body is not the {style} envelope", short(answer.body))
        )
        return found
    if code not in codes:
        found.append(
            ("not an envelope", f"{status} code {code!r} not in the catalog", short(answer.body))
        )
    if style == "problem" and not isinstance(body.get("instance"), str):
        found.append(("not an envelope", f"{status} problem without instance", short(answer.body)))
    return found


def normalized_body(body: bytes) -> object:
    """The body for comparing two servers: JSON with creation times dropped, else bytes."""
    try:
        value = json.loads(body)
    except ValueError:
        return body

    def drop(item: object) -> object:
        if isinstance(item, dict):
            return {key: drop(inner) for key, inner in item.items() if key != "created_at"}
        if isinstance(item, list):
            return [drop(inner) for inner in item]
        return item

    return drop(value)


# The seconds left in a rate-limit window (RateLimit: "search";r=4;t=7) depend on the clock.
SECONDS_LEFT = re.compile(r";t=\d+")


def comparable_value(name: str, value: str) -> str:
    """A header's value with what changes on every answer taken out: the seconds left in a
    rate-limit window, a cookie's value (a fresh CSRF token each time)."""
    if name.lower() == "set-cookie":
        return value.split("=", 1)[0] + "=?"
    return SECONDS_LEFT.sub(";t=?", value)


def header_differences(
    off: Answer, on: Answer, ignore: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """``(signature, detail)`` of the headers whose presence or value differs between the
    DEBUG-off and DEBUG-on answers, the correlation id's and ``t=``'s values (and
    ``ignore``) aside;
    empty strings when none does. The signature names the headers, the detail has values."""
    skipped = {name.lower() for name in ignore}
    first = {name.lower(): comparable_value(name, value) for name, value in off.headers}
    second = {name.lower(): comparable_value(name, value) for name, value in on.headers}
    signature, detail = [], []
    for name in sorted(set(first) | set(second)):
        if name in skipped:
            continue
        if name not in second:
            signature.append(f"{name} only with DEBUG off")
            detail.append(f"{name}: {first[name]!r} off, absent on")
        elif name not in first:
            signature.append(f"{name} only with DEBUG on")
            detail.append(f"{name}: absent off, {second[name]!r} on")
        elif first[name] != second[name] and name != CORRELATION_HEADER.lower():
            signature.append(f"{name} differs")
            detail.append(f"{name}: {first[name]!r} off, {second[name]!r} on")
    return "; ".join(signature), "; ".join(detail)


# --- strategies ---------------------------------------------------------------------------

UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
# Request-target segments no one should send: dot segments, encoded slashes and dots,
# control characters (newline, CR, NUL, ESC, DEL), invalid and tricky UTF-8, bare and
# broken percent escapes, matrix parameters.
HOSTILE_SEGMENTS = (
    "..",
    ".",
    "",
    "%2e%2e",
    "%2E",
    "%2f",
    "%2F..%2F",
    "%5c",
    "%00",
    "%0a",
    "%0d%0a",
    "%0a2026-12-01%2000:00:00,000%20ERROR%20[victim-1]%20api_errors:%20forged",
    "%09",
    "%1b[31m",
    "%1b%5b2J",
    "%7f",
    "%08",
    "%ff",
    "%c3%28",
    "%ed%a0%80",
    "%e2%80%ae",
    "%ef%bb%bf",
    "%f0%9f%92%a9",
    "%c0%af",
    "%25",
    "%",
    "%zz",
    "%u0041",
    ";",
    ";a=b",
    "a;b=c",
    "~",
    "*",
    "x%20y",
    "+",
    "@",
    ":",
    "'",
    "%22",
    "%3Cscript%3E",
    "9" * 30,
    "-1",
    "0",
    "1e999",
    "a" * 300,
)


def encoded(text: str, safe: str = "") -> str:
    return quote(text.encode("utf-8"), safe=safe)


@st.composite
def segments(draw, raw_unicode: bool = False) -> str:
    """One path segment: hostile, plain, or percent-encoded random text."""
    choice = draw(st.integers(0, 4))
    if choice <= 1:
        return draw(st.sampled_from(HOSTILE_SEGMENTS))
    if choice == 2:
        return draw(st.text(alphabet=UNRESERVED, min_size=1, max_size=10))
    text = draw(st.text(max_size=8))
    if raw_unicode and draw(st.booleans()):
        return "".join(char for char in text if char not in "/?#%" and char.isprintable())
    return encoded(text)


@st.composite
def api_paths(draw, routes: list[str], *, raw_unicode: bool = False) -> str:
    """A path under /api/: mostly a known route as it is, else one bent (extra segments,
    dot segments) or a random one; sometimes with repeated leading slashes."""
    shape = draw(st.integers(0, 19))
    if shape < 14:
        path = draw(st.sampled_from(routes))
    elif shape < 17:
        path = (
            draw(st.sampled_from(routes)).rstrip("/")
            + "/"
            + "/".join(draw(st.lists(segments(raw_unicode=raw_unicode), min_size=1, max_size=3)))
        )
    else:
        path = "/api/" + "/".join(
            draw(st.lists(segments(raw_unicode=raw_unicode), min_size=1, max_size=3))
        )
    lead = draw(st.sampled_from(["", "", "", "", "", "", "", "", "/", "//"]))
    return lead + path


@st.composite
def query_strings(draw) -> str:
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["q", "parent", "format", "page", "a", "", "%00", "q[]"]),
                st.one_of(
                    st.sampled_from(
                        [
                            "",
                            "read",
                            "fail",
                            "1e999",
                            "-1",
                            "0",
                            "9" * 40,
                            "%00",
                            "%0a",
                            "%ff",
                            "%zz",
                            "json",
                            "api",
                            "xml",
                            "a" * 250,
                        ]
                    ),
                    st.text(max_size=10).map(encoded),
                ),
            ),
            max_size=3,
        )
    )
    if not pairs:
        return draw(st.sampled_from(["", "", "?", "?&&", "?=", "?%"]))
    return "?" + "&".join(f"{name}={value}" if value else name for name, value in pairs)


# Numbers and strings JSON parsers and serializer fields trip on.
ODD_JSON_VALUES = (
    "1e999",
    "-1e999",
    "1E+400",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "-0.0",
    "1e-999",
    "0.1e-400",
    "4.9e-324",
    "1.7976931348623157e309",
    "123456789012345678901234567890",
    "-9223372036854775809",
    "18446744073709551616",
    "1" * 5000,
    "0x10",
    "01",
    "1.",
    ".5",
    "+1",
    "true",
    "false",
    "null",
    '""',
    '"\\u0000"',
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\u202e"',
    '"a\\nb"',
    '"' + "x" * 300 + '"',
    "[]",
    "{}",
    '{"__proto__":1}',
)
FIELD_NAMES = (
    "name",
    "kind",
    "parent",
    "content",
    "title",
    "address",
    "city",
    "items",
    "size",
    "tags",
    "connector",
    "q",
    "id",
    "",
    "\u0000",
)


def json_leaves():
    return st.one_of(
        st.sampled_from(ODD_JSON_VALUES),
        st.integers().map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.text(max_size=12).map(json.dumps),
    )


def json_texts():
    """JSON text of random shape and depth, odd numbers at its leaves (not always valid)."""
    return st.recursive(
        json_leaves(),
        lambda children: st.one_of(
            st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
            st.lists(
                st.tuples(
                    st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6)).map(json.dumps),
                    children,
                ),
                max_size=4,
            ).map(lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"),
        ),
        max_leaves=12,
    )


@st.composite
def deep_json(draw) -> str:
    depth = draw(st.sampled_from([50, 999, 1000, 3000, 10000, 100000]))
    opener, closer = draw(
        st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"a":', "}]"), ('{"address":', "}")])
    )
    middle = draw(st.sampled_from(["", "1", "1e999", '"x"', "null"]))
    closed = draw(st.booleans())
    return opener * depth + middle + (closer * depth if closed else "")


@st.composite
def shaped_json(draw) -> str:
    """Bodies shaped like the serializers' input, one value odd."""
    odd = draw(json_texts())
    template = draw(
        st.sampled_from(
            [
                '{"name": "a", "kind": "folder", "parent": %s}',
                '{"name": %s, "kind": "file", "content": "x"}',
                '{"name": "b", "kind": %s}',
                '{"connector": %s}',
                '{"title": "t", "address": {"city": %s}, "items": [], "tags": []}',
                '{"title": "t", "address": %s, "items": [{"name": "a", "size": 1}], "tags": []}',
                '{"title": "t", "address": {"city": "c"}, "items": [{"name": "a", "size": %s}],'
                ' "tags": ["x"]}',
                '{"title": "t", "address": {"city": "c"}, "items": [], "tags": [%s]}',
                '[{"name": "a", "size": %s}]',
                '{"name": "a", "address": {"city": %s}}',
                '{"inner": {"place": {"city": %s}}}',
            ]
        )
    )
    return template % odd


CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=bogus",
    "application/json; charset=utf-16",
    "application/json; charset=",
    'application/json; charset="utf-8"',
    "application/vnd.api+json",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=nonsense",
    "application/x-www-form-urlencoded; charset=utf-32",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data; boundary=xyz; charset=bogus",
    'multipart/form-data; boundary="a b"',
    "text/plain",
    "text/html",
    "application/octet-stream",
    "",
    "*/*",
    "application/",
    ";;;",
    "json",
)


def multipart_bodies():
    return st.sampled_from(
        [
            b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xyz--\r\n',
            b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb',
            b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="../../etc/passwd"'
            b"\r\nContent-Type: text/plain\r\n\r\nroot\r\n--xyz--\r\n",
            b"--xyz\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--xyz--\r\n",
            b"--xyz\r\nContent-Type: text/plain; charset=bogus\r\nContent-Disposition: form-data;"
            b' name="a"\r\n\r\n\xff\xfe\r\n--xyz--\r\n',
            b"--xyz\r\n" + b"X: y\r\n" * 200 + b"\r\n\r\n--xyz--\r\n",
            b"--xyz--",
            b"garbage without boundary",
        ]
    )


def bodies():
    return st.one_of(
        st.just(""),
        json_texts(),
        deep_json(),
        shaped_json(),
        st.binary(max_size=200),
        st.sampled_from(
            [
                b"\xff\xfe{",
                b'{"a":"\xc3\x28"}',
                b"\xef\xbb\xbf{}",
                '{"name": "x"}'.encode("utf-16"),
                "a=%ff&b=%zz&c&&=&%",
                "csrfmiddlewaretoken=x&" * 20,
                "a[]=1&a[]=2&a[0]=3",
                "name=" + "%00" * 50,
            ]
        ),
        multipart_bodies(),
    ).map(lambda body: body if isinstance(body, bytes) else body.encode("utf-8"))


VALID_CORRELATION_IDS = st.from_regex(CORRELATION_PATTERN, fullmatch=True)
ODD_CORRELATION_IDS = (
    "",
    " ",
    "-leading-dash",
    ".dot",
    ":colon",
    "a b",
    "a,b",
    "a;b",
    "a/b",
    "<script>",
    "' OR 1=1 --",
    "${jndi:ldap://x/a}",
    "%0aforged",
    "a\\b",
    'a"b',
    "x" * 64,
    "x" * 65,
    "a\tb",
    "café",
)


def correlation_ids(*, protocol_safe: bool):
    """Correlation ids a client might send; with ``protocol_safe``, only what can go on a
    header line (visible ASCII, space, tab; ``café`` as UTF-8 bytes)."""
    options = [
        VALID_CORRELATION_IDS,
        st.sampled_from(ODD_CORRELATION_IDS),
        st.text(alphabet=UNRESERVED + ":", min_size=60, max_size=70),
        st.text(alphabet="".join(map(chr, range(0x21, 0x7F))), min_size=1, max_size=20),
    ]
    if not protocol_safe:
        options.append(st.text(max_size=20))
        options.append(st.sampled_from(["a\nb", "a\r\nX-Injected: 1", "\x00", "\x1b[31m", "a\x7f"]))
    return st.one_of(*options)


def header_values():
    return st.text(alphabet="".join(map(chr, range(0x20, 0x7F))), max_size=40).map(str.strip)


AUTHORIZATIONS = (
    "Bearer demo-key-123",
    "Bearer no-such-key",
    "Bearer expired-key-123",
    "Bearer disabled-key-123",
    "Bearer",
    "Bearer ",
    "Bearer a b c",
    "Bearer demo-key-123 demo-key-123",
    "bearer demo-key-123",
    "Basic",
    "Basic !!!",
    "Basic YTpi",
    "Basic " + "QQ==" * 50,
    "Token x",
    "Bearer " + "k" * 500,
)
OTHER_HEADERS = {
    "Accept": st.sampled_from(
        [
            "application/json",
            "text/html",
            "application/xml",
            "*/*",
            "",
            "garbage",
            "application/json; q=0",
            "text/html;q=1.0, */*;q=0.1",
            "application/json; version=2; indent=999999",
            "application/problem+json",
        ]
    ),
    "Accept-Language": st.sampled_from(["zh-hans", "zh-Hans-CN", "xx", "*", "en;q=x", "a" * 200]),
    "Cookie": st.sampled_from(
        ["csrftoken=" + "a" * 32, "csrftoken=short", "sessionid=nope", "a=b; ;;=", "\u00e9=1"]
    ),
    "X-CSRFToken": st.sampled_from(["a" * 32, "", "x" * 64]),
    "X-Forwarded-For": header_values(),
    "X-Forwarded-Host": st.sampled_from(["evil.example", "127.0.0.1"]),
    "Origin": st.sampled_from(["http://evil.example", "null"]),
    "Referer": st.sampled_from(["http://evil.example/", "not a url"]),
    "Range": st.sampled_from(["bytes=0-1", "bytes=-1", "bytes=z"]),
    "If-None-Match": st.sampled_from(['"x"', "*", "W/"]),
    "Content-Encoding": st.sampled_from(["gzip", "br", "identity", "bogus"]),
    "X-HTTP-Method-Override": st.sampled_from(["DELETE", "PATCH", "GET"]),
    "Host": st.sampled_from(["evil.example", "127.0.0.1:1", "[::1]", "localhost", "a..b", "-"]),
}


@st.composite
def header_sets(draw, *, protocol_safe: bool) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    if draw(st.integers(0, 2)) > 0:
        headers.append((CORRELATION_HEADER, draw(correlation_ids(protocol_safe=protocol_safe))))
    if draw(st.booleans()):
        headers.append(("Authorization", draw(st.sampled_from(AUTHORIZATIONS))))
    names = draw(st.lists(st.sampled_from(sorted(OTHER_HEADERS)), max_size=3, unique=True))
    headers.extend((name, draw(OTHER_HEADERS[name])) for name in names)
    return tuple(headers)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
ODD_METHODS = ("PROPFIND", "PURGE", "FOO-BAR", "M_1", "QUERY")


def methods(*, protocol_safe: bool):
    odd = list(ODD_METHODS) if protocol_safe else [*ODD_METHODS, "get", "Post", "G\u00c9T"]
    # Mostly the methods that carry a body, the ones the views read.
    return st.one_of(
        st.sampled_from(["POST", "POST", "POST", "PUT", "PATCH"]),
        st.sampled_from(METHODS),
        st.sampled_from(odd),
    )


@st.composite
def cases(
    draw,
    routes: list[str],
    *,
    protocol_safe: bool,
    server_error: frozenset[str] = frozenset(),
    in_process: bool = False,
    absolute_form: str | None = None,
) -> Case:
    """A hostile request to one of ``routes`` (or a path under /api/ near them); with
    ``absolute_form`` (an authority), sometimes written ``http://<authority>/api/...``."""
    method = draw(methods(protocol_safe=protocol_safe))
    path = draw(api_paths(routes, raw_unicode=not protocol_safe))
    if absolute_form is not None and draw(st.integers(0, 7)) == 0:
        path = f"http://{absolute_form}{path}"
    target = path + draw(query_strings())
    headers = draw(header_sets(protocol_safe=protocol_safe))
    body = b""
    content_type = None
    if method not in {"GET", "HEAD"} or draw(st.integers(0, 4)) == 0:
        if draw(st.integers(0, 2)) == 0:
            body = draw(multipart_bodies())
            content_type = draw(st.sampled_from([c for c in CONTENT_TYPES if "multipart" in c]))
        else:
            body = draw(bodies())
            content_type = draw(st.one_of(st.sampled_from(CONTENT_TYPES), header_values()))
    return Case(
        method=method,
        target=target,
        headers=headers,
        body=body,
        content_type=content_type,
        server_error_expected=any(marker in path for marker in server_error),
        use_async=in_process and draw(st.booleans()),
        enforce_csrf=in_process and draw(st.integers(0, 3)) == 0,
    )


def sent_correlation_id(case: Case, *, over_the_wire: bool) -> str | None:
    """What the server sees: a header line's value loses its surrounding whitespace."""
    value = case.header(CORRELATION_HEADER)
    if value is None:
        return None
    if over_the_wire:
        value = value.strip(" \t")
        return value or None
    return value or None


# The codes of the conditions the hostile tests expect, per style.
MALFORMED = {"status": 68300007, "success": "INVALID_ARGUMENT", "problem": "INVALID_ARGUMENT"}
VALIDATION = {"status": 68300004, "success": "INVALID_ARGUMENT", "problem": "INVALID_ARGUMENT"}
SERVER_ERROR = {"status": 68300008, "success": "INTERNAL_ERROR", "problem": "INTERNAL_ERROR"}


def error_of(response, style: str) -> tuple[int, object]:
    """``(status, code)`` of a test-client response, after checking the style's envelope
    and a printable correlation id."""
    correlation_id = response.headers.get(CORRELATION_HEADER)
    assert correlation_id
    assert correlation_id.isascii()
    assert correlation_id.isprintable()
    body = json.loads(response.content)
    return response.status_code, envelope_error(style, response.status_code, response, body)


def hypothesis_settings(max_examples: int) -> settings:
    """Bounded, repeatable runs: no deadline, no example database, no shrinking."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
