"""A Connect protocol client of statusd over JSON, standard library only.

Read methods (Lookup, ListStatuses, ListProfiles) go by Connect GET, so HTTP
caches can keep them; Validate goes by POST, since an exchange with large
headers would not fit in a URL. Requests and results are dicts in proto3
JSON (camelCase names, enums by name, 64-bit integers as strings). proto3
JSON leaves out fields with their default value; results come back with
them filled in (``conforms`` False, ``findings`` [], ``code`` "CODE_OK"...),
so ``result["conforms"]`` never raises KeyError.
"""
import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from statusd_client._shapes import METHODS, SHAPES

SERVICE = "statusd.v1.StatusService"

# Connect's HTTP status for a failed call whose body is not a Connect
# error (a proxy's page, say), by the protocol's table.
_CODE_OF_HTTP = {400: "internal", 401: "unauthenticated", 403: "permission_denied", 404: "unimplemented",
                 429: "unavailable", 502: "unavailable", 503: "unavailable", 504: "unavailable"}


class ConnectError(Exception):
    """A Connect error: code (such as "invalid_argument"), message, details.

    Each detail is a dict with "type" (such as "buf.validate.Violations"),
    "value" (the binary message, decoded from base64) and, when the server
    sent it, "debug" (the detail as JSON).
    """

    def __init__(self, code, message, details=(), http_status=0):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = list(details)
        self.http_status = http_status


def fill_defaults(value, message):
    """Returns value (a proto3 JSON dict of type message) with omitted fields
    that have a default filled in, recursively. Fields with presence (nested
    messages, oneof members, proto3 optional) stay absent when absent."""
    shape = SHAPES.get(message)
    if shape is None or not isinstance(value, dict):
        return value
    for name, field in shape.items():
        if name not in value:
            if "default" in field:
                value[name] = list(field["default"]) if field["repeated"] else field["default"]
            continue
        sub = field.get("message")
        if sub:
            if field["repeated"]:
                value[name] = [fill_defaults(v, sub) for v in value[name]]
            else:
                value[name] = fill_defaults(value[name], sub)
    return value


def _b64decode(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


class Client:
    """statusd over Connect JSON. base_url: such as "http://127.0.0.1:8080"."""

    def __init__(self, base_url, timeout=5.0, get_for_reads=True, headers=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.get_for_reads = get_for_reads
        self.headers = dict(headers or {})

    def lookup(self, request):
        return self._call("Lookup", request, read=True)

    def list_statuses(self, request=None):
        return self._call("ListStatuses", request or {}, read=True)

    def list_profiles(self, request=None):
        return self._call("ListProfiles", request or {}, read=True)

    def validate(self, request):
        return self._call("Validate", request, read=False)

    def _call(self, method, request, read):
        url = f"{self.base_url}/{SERVICE}/{method}"
        body = json.dumps(request, separators=(",", ":"))
        headers = {"Connect-Protocol-Version": "1", **self.headers}
        if read and self.get_for_reads:
            query = urllib.parse.urlencode({"connect": "v1", "encoding": "json", "message": body})
            req = urllib.request.Request(f"{url}?{query}", headers=headers, method="GET")
        else:
            headers["Content-Type"] = "application/json"
            req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                result = json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise _error(e) from None
        return fill_defaults(result, METHODS[method]["output"])


def _error(e):
    raw = e.read()
    try:
        body = json.loads(raw)
        code = body["code"]
    except (ValueError, KeyError, TypeError):
        return ConnectError(_CODE_OF_HTTP.get(e.code, "unknown"), raw.decode("utf-8", "replace")[:512], (), e.code)
    details = []
    for d in body.get("details") or []:
        detail = {"type": d.get("type", ""), "value": _b64decode(d.get("value", ""))}
        if "debug" in d:
            detail["debug"] = d["debug"]
        details.append(detail)
    return ConnectError(code, body.get("message", ""), details, e.code)
