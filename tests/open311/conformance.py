#!/usr/bin/env python3
"""Open311 GeoReport v2 conformance check for Fazhi's 12345 hotline.

Drives a running server with two INDEPENDENT Open311 client libraries from PyPI
(pinned in requirements.txt next to this file):

  * georeport 0.3.1  -- GETs: service list, service definition, request(s),
                        in both JSON and XML (it parses XML with xmltodict).
  * civicbot  0.4.0  -- civicbot.open311.Open311Client: POST requests (form
                        encoded, attribute[code] / attribute[code][]), tokens,
                        list with page_size, and the 400/403/404 it receives.

Plain urllib is used only for what neither library covers: discovery,
servicerequestupdates (GET, and POST as FixMyStreet sends a citizen's
follow-up: mySociety's extension), `page`, raw error bodies (JSON and XML),
Content-Type and XML-declaration checks.

Environment:
  OPEN311_BASE          required, e.g. http://127.0.0.1:8080/open311/v2
  OPEN311_API_KEY       required, a valid api_key for POST
  OPEN311_JURISDICTION  optional jurisdiction_id (also enables a 404 check)
  OPEN311_DISCOVERY     optional discovery URL without extension
                        (default: $OPEN311_BASE/discovery)
  OPEN311_SERVICE_CODE  optional service to post to (default: first service
                        with metadata=true)
  OPEN311_LAT / OPEN311_LONG  location to post (default 30.2741 / 120.1551)
  OPEN311_EXPECT_UPDATES=1    require >=1 servicerequestupdates entry for
                              the request this run created
  OPEN311_TIMEOUT       seconds per HTTP call (default 20)

Exit status: 0 all checks passed, 1 some check failed, 2 bad configuration.
The last line is "open311: N passed, N failed[, N skipped]".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")  # never proxy loopback

import requests  # only for requests.HTTPError, raised by georeport
import xmltodict  # reads XML the way FixMyStreet's XML::Simple does (a dict per element)
from civicbot import Endpoint, HttpError, HttpTransport, Open311Client
from civicbot.http import RateLimiter
from georeport import GeoReport

# ----------------------------------------------------------------- config --

BASE = os.environ.get("OPEN311_BASE", "").rstrip("/")
API_KEY = os.environ.get("OPEN311_API_KEY", "")
JURISDICTION = os.environ.get("OPEN311_JURISDICTION") or None
DISCOVERY = (os.environ.get("OPEN311_DISCOVERY") or f"{BASE}/discovery").rstrip("/")
SERVICE_CODE = os.environ.get("OPEN311_SERVICE_CODE") or None
LAT = float(os.environ.get("OPEN311_LAT", "30.2741"))
LONG = float(os.environ.get("OPEN311_LONG", "120.1551"))
EXPECT_UPDATES = os.environ.get("OPEN311_EXPECT_UPDATES") == "1"
TIMEOUT = float(os.environ.get("OPEN311_TIMEOUT", "20"))

SPEC_URI = "http://wiki.open311.org/GeoReport_v2"
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
SERVICE_TYPES = {"realtime", "batch", "blackbox"}
STATUSES = {"open", "closed"}
RUN_ID = uuid.uuid4().hex[:8]
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
# Personal data posted with the first request. The phone must be a number the server accepts
# (a Chinese mobile: the server rejects malformed phones with 400); none of it may come back
# from a public GET.
CALLER = {"first_name": f"名{RUN_ID[:4]}", "last_name": f"姓{RUN_ID[4:]}", "phone": "139" + str(int(RUN_ID, 16) % 10**8).zfill(8),
          "email": f"caller-{RUN_ID}@example.org"}

# Status codes, per the spec's "Possible Errors" and "Errors" sections.
NOT_FOUND = 404      # unknown service_code / service_request_id / jurisdiction_id
BAD_REQUEST = 400    # missing or malformed argument
BAD_API_KEY = 403    # missing or invalid api_key


# ---------------------------------------------------------------- helpers --

class CheckFailed(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def w3c(d: dt.datetime) -> str:
    return d.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_w3c(value, field):
    check(isinstance(value, str) and "T" in value, f"{field}: not a w3c datetime: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CheckFailed(f"{field}: not a w3c datetime: {value!r}") from None
    check(parsed.tzinfo is not None, f"{field}: timezone missing in {value!r}")
    return parsed


def as_list(x):
    """xmltodict gives None for an empty element and a dict for a single child."""
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def same_id(a, b):
    return str(a) == str(b)


def with_jurisdiction(params=None):
    p = dict(params or {})
    if JURISDICTION:
        p.setdefault("jurisdiction_id", JURISDICTION)
    return p


def url(path, fmt):
    return f"{BASE}/{path}.{fmt}"


def http(method, target, params=None, form=None):
    """Raw HTTP; returns (status, content_type, body_bytes) and never raises on 4xx/5xx."""
    if params:
        target += ("&" if "?" in target else "?") + urllib.parse.urlencode(params, doseq=True)
    data = None
    headers = {}
    if form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    req = urllib.request.Request(target, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def media_type(content_type):
    return content_type.split(";")[0].strip().lower()


def json_doc(status, ctype, body, want_status=200):
    check(status == want_status, f"HTTP {status}, expected {want_status}: {body[:300]!r}")
    check(media_type(ctype) == "application/json", f"Content-Type {ctype!r}, expected application/json")
    return json.loads(body.decode("utf-8"))


def xml_doc(status, ctype, body, want_status=200, root=None):
    check(status == want_status, f"HTTP {status}, expected {want_status}: {body[:300]!r}")
    check(media_type(ctype) == "text/xml", f"Content-Type {ctype!r}, expected text/xml")
    head = body.lstrip()[:100].lower().replace(b"'", b'"')
    check(head.startswith(b"<?xml") and b'encoding="utf-8"' in head,
          f'XML must start with <?xml ... encoding="utf-8"?>; got {body[:80]!r}')
    doc = ET.fromstring(body)
    if root:
        check(doc.tag == root, f"XML root <{doc.tag}>, expected <{root}>")
    return doc


def check_error_json(status, body, want_status, ctype="application/json"):
    """Spec 'Errors': HTTP status + body that is an array of {code, description}."""
    check(status == want_status, f"HTTP {status}, expected {want_status}: {body[:300]!r}")
    if ctype:
        check(media_type(ctype) == "application/json", f"error Content-Type {ctype!r}")
    errs = json.loads(body if isinstance(body, str) else body.decode("utf-8"))
    check(isinstance(errs, list) and errs, f"error body must be a non-empty JSON array: {errs!r}")
    for e in errs:
        check(isinstance(e, dict) and "code" in e and "description" in e,
              f"error item needs code and description: {e!r}")
        check(isinstance(e["description"], str) and e["description"].strip(),
              f"error description must be a non-empty string: {e!r}")
    return errs


def check_error_xml(status, ctype, body, want_status):
    doc = xml_doc(status, ctype, body, want_status=want_status, root="errors")
    errs = doc.findall("error")
    check(errs, "<errors> has no <error>")
    for e in errs:
        check(e.find("code") is not None and (e.findtext("code") or "").strip(), "<error> lacks <code>")
        check((e.findtext("description") or "").strip(), "<error> lacks <description>")


def client_error(fn):
    """Run a library call that must fail; return (status, content_type, body)."""
    try:
        result = fn()
    except requests.HTTPError as e:  # georeport: raise_for_status()
        r = e.response
        return r.status_code, r.headers.get("Content-Type", ""), r.content
    except HttpError as e:  # civicbot: status + body text, no headers
        return e.status, None, e.body
    raise CheckFailed(f"expected an HTTP error, got success: {result!r}"[:400])


# ---------------------------------------------------------------- clients --

geo_json = GeoReport(BASE, jurisdiction=JURISDICTION, output_format="json")
geo_xml = GeoReport(BASE, jurisdiction=JURISDICTION, output_format="xml")
_transport = HttpTransport(timeout=TIMEOUT, rate_limiter=RateLimiter(min_interval=0))
civic = Open311Client(Endpoint(id="fazhi", name="Fazhi 12345", base_url=BASE, write=True),
                      transport=_transport, jurisdiction_id=JURISDICTION)
# Same client, but willing to send a POST without api_key (to provoke the 403).
civic_nokey = Open311Client(Endpoint(id="fazhi", name="Fazhi 12345", base_url=BASE, write=True,
                                     api_key_required_for_write=False),
                            transport=_transport, jurisdiction_id=JURISDICTION)

S: dict = {}  # state shared between steps (services, code, definition, ids, ...)
STEPS = []


def step(name, needs=()):
    def deco(fn):
        STEPS.append((name, needs, fn))
        return fn
    return deco


def post_form(code, **extra):
    """A valid POST body for `code` (used by raw urllib checks)."""
    form = with_jurisdiction({"api_key": API_KEY, "service_code": code, "lat": LAT, "long": LONG,
                              "description": f"conformance {RUN_ID}"})
    form.update(attribute_form(S.get("definition")))
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


def attribute_values(definition):
    """A value for every variable attribute of a service definition."""
    values = {}
    for a in (definition or {}).get("attributes", []):
        if not a.get("variable", True):
            continue
        keys = [str(v["key"]) for v in a.get("values") or []]
        dtype = a.get("datatype")
        if dtype == "singlevaluelist":
            values[a["code"]] = keys[0]
        elif dtype == "multivaluelist":
            values[a["code"]] = keys[:2]  # a list -> attribute[code][]=k1&attribute[code][]=k2
        elif dtype == "number":
            values[a["code"]] = "1"
        elif dtype == "datetime":
            values[a["code"]] = w3c(NOW)
        elif dtype == "text":
            values[a["code"]] = "第一行\n第二行"
        else:
            values[a["code"]] = "conformance"
    return values


def attribute_form(definition):
    form = {}
    for code, v in attribute_values(definition).items():
        form[f"attribute[{code}][]" if isinstance(v, list) else f"attribute[{code}]"] = v
    return form


def create(code, description, **kw):
    """POST a request with civicbot; return its service_request_id (resolving a token)."""
    prepared = civic.create_request(code, dry_run=False, confirm="SEND", api_key=API_KEY,
                                    lat=LAT, lng=LONG, description=description, **kw)
    resp = prepared.response
    check(isinstance(resp, list) and len(resp) == 1,
          f"POST response must be a one-element array: {resp!r}")
    item = resp[0]
    has_id, has_token = bool(item.get("service_request_id")), bool(item.get("token"))
    check(has_id != has_token, f"exactly one of service_request_id / token must be returned: {item!r}")
    if has_id:
        return str(item["service_request_id"])
    for _ in range(10):  # batch services: resolve the token
        tok = civic.get_token(str(item["token"]))
        check(isinstance(tok, list) and tok, f"tokens/{item['token']} must return an array: {tok!r}")
        if tok[0].get("service_request_id"):
            check(same_id(tok[0].get("token"), item["token"]), f"token echoed wrongly: {tok!r}")
            return str(tok[0]["service_request_id"])
        time.sleep(1)
    raise CheckFailed(f"token {item['token']} never resolved to a service_request_id")


def check_service_request(r, where):
    for f in ("service_request_id", "status", "service_name", "service_code",
              "requested_datetime", "updated_datetime", "address", "lat", "long"):
        check(f in r, f"{where}: field {f!r} missing: {sorted(r)}")
    check(r["status"] in STATUSES, f"{where}: status {r['status']!r} not in {sorted(STATUSES)}")
    parse_w3c(r["requested_datetime"], f"{where}.requested_datetime")
    parse_w3c(r["updated_datetime"], f"{where}.updated_datetime")
    if r.get("expected_datetime"):
        parse_w3c(r["expected_datetime"], f"{where}.expected_datetime")


# ---------------------------------------------------------------- checks ---
# Each step raises (CheckFailed or anything else) to fail. Steps run in order.

@step("discovery.json")
def discovery_json():
    d = json_doc(*http("GET", DISCOVERY + ".json"))
    for f in ("changeset", "contact", "key_service", "endpoints"):
        check(f in d, f"discovery field {f!r} missing")
    eps = [e for e in d["endpoints"] if e.get("specification") == SPEC_URI]
    check(eps, f"no endpoint with specification {SPEC_URI}")
    ep = eps[0]
    for f in ("url", "changeset", "type", "formats"):
        check(f in ep, f"endpoint field {f!r} missing")
    check(ep["type"] in ("production", "test"), f"endpoint type {ep['type']!r}")
    check({"text/xml", "application/json"} <= set(ep["formats"]), f"formats {ep['formats']!r}")
    check(urllib.parse.urlparse(ep["url"]).path.rstrip("/") == urllib.parse.urlparse(BASE).path,
          f"endpoint url {ep['url']!r} does not point at {BASE}")


@step("discovery.xml")
def discovery_xml():
    doc = xml_doc(*http("GET", DISCOVERY + ".xml"), root="discovery")
    for f in ("changeset", "contact", "key_service"):
        check(doc.find(f) is not None, f"<{f}> missing")
    eps = doc.findall("endpoints/endpoint")
    check(any(e.findtext("specification") == SPEC_URI for e in eps), "no GeoReport_v2 <endpoint>")
    fmts = {f.text for e in eps for f in e.findall("formats/format")}
    check({"text/xml", "application/json"} <= fmts, f"<formats> {fmts}")


@step("GET services.json (georeport)")
def services_json():
    svcs = geo_json.get_service_list()
    check(isinstance(svcs, list) and svcs, f"services.json must be a non-empty array: {svcs!r}")
    for s in svcs:
        for f in ("service_code", "service_name", "description", "metadata", "type", "keywords", "group"):
            check(f in s, f"service field {f!r} missing in {s!r}")
        check(isinstance(s["metadata"], bool), f"metadata must be a JSON boolean: {s!r}")
        check(s["type"] in SERVICE_TYPES, f"type {s['type']!r}")
    codes = [str(s["service_code"]) for s in svcs]
    check(len(codes) == len(set(codes)), f"duplicate service_code: {codes}")
    S["services"] = svcs
    with_meta = [c for c, s in zip(codes, svcs) if s["metadata"]]
    check(with_meta, "no service has metadata=true; the attribute path would go untested")
    S["code"] = SERVICE_CODE or with_meta[0]
    check(S["code"] in codes, f"OPEN311_SERVICE_CODE {S['code']!r} not in {codes}")
    json_doc(*http("GET", url("services", "json"), with_jurisdiction()))  # Content-Type


@step("GET services.xml (georeport)", needs=("services",))
def services_xml():
    svcs = as_list(geo_xml.get_service_list())
    codes = {s.get("service_code") for s in svcs}
    check(codes == {str(s["service_code"]) for s in S["services"]},
          f"XML and JSON service lists differ: {codes}")
    for s in svcs:
        check(s.get("metadata") in ("true", "false"), f"<metadata> {s.get('metadata')!r}")
        check(s.get("type") in SERVICE_TYPES, f"<type> {s.get('type')!r}")
    xml_doc(*http("GET", url("services", "xml"), with_jurisdiction()), root="services")


@step("GET services/{code}.json (georeport)", needs=("code",))
def definition_json():
    d = geo_json.get_service_definition(S["code"])
    check(same_id(d.get("service_code"), S["code"]), f"service_code {d.get('service_code')!r}")
    attrs = d.get("attributes")
    check(isinstance(attrs, list) and attrs, "attributes must be a non-empty array")
    orders = []
    for a in attrs:
        for f in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
            check(f in a, f"attribute field {f!r} missing in {a!r}")
        check(isinstance(a["variable"], bool) and isinstance(a["required"], bool),
              f"variable/required must be booleans: {a!r}")
        check(a["datatype"] in DATATYPES, f"datatype {a['datatype']!r}")
        check(isinstance(a["order"], int) and a["order"] > 0, f"order must be a positive int: {a!r}")
        orders.append(a["order"])
        if a["datatype"] in ("singlevaluelist", "multivaluelist"):
            vals = a.get("values")
            check(isinstance(vals, list) and vals, f"{a['code']}: list datatype needs values")
            for v in vals:
                check("key" in v and "name" in v, f"value needs key and name: {v!r}")
    check(len(orders) == len(set(orders)), f"attribute order values repeat: {orders}")
    S["definition"] = d


@step("GET services/{code}.xml (georeport)", needs=("definition",))
def definition_xml():
    d = geo_xml.get_service_definition(S["code"])
    check(same_id(d.get("service_code"), S["code"]), f"<service_code> {d.get('service_code')!r}")
    attrs = as_list((d.get("attributes") or {}).get("attribute"))
    check({a.get("code") for a in attrs} == {str(a["code"]) for a in S["definition"]["attributes"]},
          "XML and JSON attribute codes differ")
    for a in attrs:
        if a.get("datatype") in ("singlevaluelist", "multivaluelist"):
            check(as_list((a.get("values") or {}).get("value")), f"{a.get('code')}: <values><value> missing")


@step("GET services/{unknown}.json -> 404 error array", needs=())
def definition_unknown():
    st, ct, body = client_error(lambda: geo_json.get_service_definition(f"NO-SUCH-{RUN_ID}"))
    check_error_json(st, body, NOT_FOUND, ct)
    check_error_xml(*http("GET", url(f"services/NO-SUCH-{RUN_ID}", "xml"), with_jurisdiction()), NOT_FOUND)


@step("POST requests.json (civicbot)", needs=("definition",))
def post_request():
    S["desc"] = f"Open311 conformance {RUN_ID}: 路灯不亮 (streetlight out)"
    S["address"] = f"conformance road {RUN_ID}"
    S["id"] = create(S["code"], S["desc"], address_string=S["address"],
                     attributes=attribute_values(S["definition"]),
                     validate_remote=True,  # civicbot checks required attrs against the live definition
                     first_name=CALLER["first_name"], last_name=CALLER["last_name"],
                     phone=CALLER["phone"], email=CALLER["email"])
    S["id2"] = create(S["code"], f"Open311 conformance {RUN_ID} #2",
                      attributes=attribute_values(S["definition"]))
    check(S["id"] != S["id2"], "two POSTs returned the same service_request_id")


@step("GET requests/{id}.json (georeport)", needs=("id",))
def get_request_json():
    r = geo_json.get_service_request(S["id"])  # georeport takes element [0] of the array
    check_service_request(r, "requests/{id}.json")
    check(same_id(r["service_request_id"], S["id"]), f"service_request_id {r['service_request_id']!r}")
    check(same_id(r["service_code"], S["code"]), f"service_code {r['service_code']!r}")
    check(r["status"] == "open", f"new request should be open, is {r['status']!r}")
    check(r.get("description") == S["desc"], f"description (UTF-8) round trip: {r.get('description')!r}")
    check(abs(float(r["lat"]) - LAT) < 1e-4 and abs(float(r["long"]) - LONG) < 1e-4,
          f"lat/long {r['lat']!r},{r['long']!r}")
    created = parse_w3c(r["requested_datetime"], "requested_datetime")
    check(abs((created - NOW).total_seconds()) < 3600, f"requested_datetime {created} far from now")
    doc = json.loads(http("GET", url(f"requests/{S['id']}", "json"), with_jurisdiction())[2])
    check(isinstance(doc, list) and len(doc) == 1, "requests/{id}.json must be a one-element array")


@step("GET requests/{id}.xml (georeport)", needs=("id",))
def get_request_xml():
    r = geo_xml.get_service_request(S["id"])
    check(isinstance(r, dict), f"<service_requests> must hold exactly one <request>: {r!r}")
    check(same_id(r.get("service_request_id"), S["id"]), f"<service_request_id> {r!r}")
    check(r.get("description") == S["desc"], f"<description> UTF-8 round trip: {r.get('description')!r}")
    check(r.get("status") in STATUSES, f"<status> {r.get('status')!r}")
    xml_doc(*http("GET", url(f"requests/{S['id']}", "xml"), with_jurisdiction()), root="service_requests")


@step("public GETs never show the caller's name, phone or e-mail", needs=("id",))
def caller_private():
    bodies = [http("GET", url(f"requests/{S['id']}", fmt), with_jurisdiction())[2] for fmt in ("json", "xml")]
    window = with_jurisdiction({"service_request_id": S["id"]})
    bodies += [http("GET", url("requests", fmt), window)[2] for fmt in ("json", "xml")]
    updates = with_jurisdiction({"start_date": w3c(NOW - dt.timedelta(days=1)), "end_date": w3c(NOW + dt.timedelta(days=1))})
    bodies += [http("GET", url("servicerequestupdates", fmt), updates)[2] for fmt in ("json", "xml")]
    for body in bodies:
        text = body.decode("utf-8")
        for field, value in CALLER.items():
            check(value not in text, f"{field} {value!r} disclosed by a public GET")


@step("GET requests/{unknown}.json -> 404 error array")
def get_request_unknown():
    st, ct, body = client_error(lambda: geo_json.get_service_request(f"999999{RUN_ID}"))
    check_error_json(st, body, NOT_FOUND, ct)
    check_error_xml(*http("GET", url(f"requests/999999{RUN_ID}", "xml"), with_jurisdiction()), NOT_FOUND)


@step("GET requests.json filters (georeport)", needs=("id", "id2"))
def list_requests():
    ids = lambda rs: {str(r["service_request_id"]) for r in rs}
    start, end = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=1)

    default = geo_json.get_service_requests()  # default window: last 90 days, max 1000
    check(isinstance(default, list) and len(default) <= 1000, f"default list: {len(default)} items")
    check(S["id"] in ids(default), "new request missing from default (90-day) list")
    for r in default:
        check_service_request(r, "requests.json")

    window = geo_json.get_service_requests(start_date=w3c(start), end_date=w3c(end))
    check({S["id"], S["id2"]} <= ids(window), "new requests missing from a start/end window around now")
    for r in window:
        t = parse_w3c(r["requested_datetime"], "requested_datetime")
        check(start <= t <= end, f"{r['service_request_id']}: requested_datetime {t} outside window")

    past = geo_json.get_service_requests(start_date="2001-01-01T00:00:00Z", end_date="2001-01-31T00:00:00Z")
    check(not ({S["id"], S["id2"]} & ids(past)), "requests from now returned for a 2001 window")

    # service_request_id (comma delimited) overrides all other arguments
    both = geo_json.get_service_requests(service_request_id=f"{S['id']},{S['id2']}",
                                         start_date="2001-01-01T00:00:00Z", end_date="2001-01-31T00:00:00Z")
    check(ids(both) == {S["id"], S["id2"]}, f"service_request_id filter returned {ids(both)}")

    by_code = geo_json.get_service_requests(service_code=S["code"], start_date=w3c(start), end_date=w3c(end))
    check(S["id"] in ids(by_code) and all(same_id(r["service_code"], S["code"]) for r in by_code),
          "service_code filter wrong")
    opened = geo_json.get_service_requests(status="open", start_date=w3c(start), end_date=w3c(end))
    check(S["id"] in ids(opened) and all(r["status"] == "open" for r in opened), "status=open filter wrong")
    closed = geo_json.get_service_requests(status="closed", start_date=w3c(start), end_date=w3c(end))
    check(S["id"] not in ids(closed), "status=closed returned an open request")

    xml_list = as_list(geo_xml.get_service_requests(start_date=w3c(start), end_date=w3c(end)))
    check({S["id"], S["id2"]} <= {str(r.get("service_request_id")) for r in xml_list},
          "requests.xml window lacks the new requests")


@step("GET requests.json page/page_size (extension)", needs=("id", "id2"))
def pagination():
    base = with_jurisdiction({"start_date": w3c(NOW - dt.timedelta(days=1)),
                              "end_date": w3c(NOW + dt.timedelta(days=1))})
    get = lambda **p: json_doc(*http("GET", url("requests", "json"), {**base, **p}))
    p1, p2 = get(page=1, page_size=1), get(page=2, page_size=1)
    check(len(p1) == 1 and len(p2) == 1, f"page_size=1 gave {len(p1)} and {len(p2)} items")
    check(not same_id(p1[0]["service_request_id"], p2[0]["service_request_id"]), "page 1 == page 2")
    two = get(page=1, page_size=2)
    check([str(r["service_request_id"]) for r in two] ==
          [str(p1[0]["service_request_id"]), str(p2[0]["service_request_id"])],
          "page_size=2 page 1 must equal page_size=1 pages 1+2 (stable order)")
    check(get(page=100000, page_size=1) == [], "a page past the end must be an empty array")
    # civicbot passes page_size itself
    check(len(civic.list_requests(page_size=1, start_date=base["start_date"],
                                  end_date=base["end_date"])) == 1, "civicbot page_size=1")


@step("POST without service_code -> 400", needs=("code",))
def post_missing_code():
    form = post_form(S["code"], service_code=None)
    st, ct, body = http("POST", url("requests", "json"), form=form)
    check_error_json(st, body, BAD_REQUEST, ct)


@step("POST unknown service_code -> 404 (civicbot)")
def post_unknown_code():
    st, _, body = client_error(lambda: civic.create_request(
        f"NO-SUCH-{RUN_ID}", dry_run=False, confirm="SEND", api_key=API_KEY, lat=LAT, lng=LONG,
        description=f"conformance {RUN_ID}"))
    check_error_json(st, body, NOT_FOUND, ctype=None)


@step("POST without location / required attribute -> 400", needs=("definition",))
def post_invalid():
    st, ct, body = http("POST", url("requests", "json"), form=post_form(S["code"], lat=None, long=None))
    check_error_json(st, body, BAD_REQUEST, ct)
    required = [a for a in S["definition"]["attributes"] if a["variable"] and a["required"]]
    if required:
        form = {k: v for k, v in post_form(S["code"]).items()
                if not k.startswith(f"attribute[{required[0]['code']}]")}
        st, ct, body = http("POST", url("requests", "json"), form=form)
        check_error_json(st, body, BAD_REQUEST, ct)


@step("POST bad / missing api_key -> 403 (civicbot)", needs=("definition",))
def post_bad_key():
    attrs = attribute_values(S["definition"])
    common = dict(dry_run=False, confirm="SEND", lat=LAT, lng=LONG, attributes=attrs,
                  description=f"conformance {RUN_ID} bad key")
    st, _, body = client_error(lambda: civic.create_request(S["code"], api_key=f"wrong-{RUN_ID}", **common))
    check_error_json(st, body, BAD_API_KEY, ctype=None)
    st, _, body = client_error(lambda: civic_nokey.create_request(S["code"], api_key=None, **common))
    check_error_json(st, body, BAD_API_KEY, ctype=None)
    st, ct, body = http("POST", url("requests", "xml"), form=post_form(S["code"], api_key=f"wrong-{RUN_ID}"))
    check_error_xml(st, ct, body, BAD_API_KEY)


@step("GET services.json?jurisdiction_id=unknown -> 404")
def unknown_jurisdiction():
    if not JURISDICTION:
        return "SKIP: OPEN311_JURISDICTION not set"
    st, ct, body = http("GET", url("services", "json"), {"jurisdiction_id": f"no-such-{RUN_ID}.gov"})
    check_error_json(st, body, NOT_FOUND, ct)


@step("GET servicerequestupdates.{json,xml} (mySociety extension)", needs=("id",))
def updates():
    params = with_jurisdiction({"start_date": w3c(NOW - dt.timedelta(days=1)),
                                "end_date": w3c(NOW + dt.timedelta(days=1))})
    ups = json_doc(*http("GET", url("servicerequestupdates", "json"), params))
    check(isinstance(ups, list), f"servicerequestupdates.json must be an array: {ups!r}"[:300])
    for u in ups:
        for f in ("update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"):
            check(f in u, f"update field {f!r} missing in {u!r}")
        t = parse_w3c(u["updated_datetime"], "updated_datetime")
        check(NOW - dt.timedelta(days=1) <= t <= NOW + dt.timedelta(days=1), f"update {u['update_id']} outside window")
    mine = [u for u in ups if same_id(u["service_request_id"], S["id"])]
    if EXPECT_UPDATES:
        check(mine, f"no update for request {S['id']}")
    doc = xml_doc(*http("GET", url("servicerequestupdates", "xml"), params), root="service_request_updates")
    check(len(doc.findall("request_update")) == len(ups), "XML and JSON update counts differ")


def update_form(**extra):
    """What FixMyStreet posts for a citizen's comment on a report it sent (mySociety's extension)."""
    form = with_jurisdiction({"api_key": API_KEY, "service_request_id": S["id"], "update_id_ext": f"fms-{RUN_ID}-1",
                              "updated_datetime": w3c(NOW), "service_request_id_ext": "4711", "status": "OPEN",
                              "email": CALLER["email"], "first_name": CALLER["first_name"],
                              "last_name": CALLER["last_name"], "public_anonymity_required": "FALSE",
                              "description": f"conformance {RUN_ID}: 补充 (citizen's follow-up)"})
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


def posted_update_id(status, ctype, body):
    """The update id as FixMyStreet reads it: <service_request_updates><request_update><update_id>."""
    check(200 <= status < 300, f"HTTP {status}: {body[:300]!r}")
    check(media_type(ctype) == "text/xml", f"Content-Type {ctype!r}, expected text/xml")
    doc = xmltodict.parse(body)
    check("service_request_updates" in doc, f"root must be <service_request_updates>: {body[:300]!r}")
    update = (doc["service_request_updates"] or {}).get("request_update")
    check(isinstance(update, dict), f"exactly one <request_update> expected: {update!r}")
    uid = update.get("update_id")
    check(isinstance(uid, str) and uid.strip(), f"<update_id> must not be empty: {update!r}")
    return status, uid


@step("POST servicerequestupdates / update (mySociety extension, as FixMyStreet posts)", needs=("id",))
def post_updates():
    st, first = posted_update_id(*http("POST", url("servicerequestupdates", "xml"), form=update_form()))
    st2, again = posted_update_id(*http("POST", url("servicerequestupdates", "xml"), form=update_form()))
    check(same_id(first, again), f"a repeat of update_id_ext must answer the same update_id: {first} / {again}")
    check(st2 == 200, f"a repeat should answer 200, got {st2}")
    ups = json_doc(*http("POST", url("servicerequestupdates", "json"), form=update_form(update_id_ext=f"fms-{RUN_ID}-2")),
                   want_status=201)
    check(isinstance(ups, list) and len(ups) == 1 and ups[0].get("update_id") not in (None, ""),
          f"servicerequestupdates.json must answer a list of one with update_id: {ups!r}")
    check(not same_id(ups[0]["update_id"], first), "two updates got the same update_id")
    _, older = posted_update_id(*http("POST", url("update", "xml"), form=update_form(update_id_ext=f"fms-{RUN_ID}-3")))
    check(len({str(first), str(ups[0]["update_id"]), str(older)}) == 3, "update ids must differ")
    # Errors in the spec's shape: unknown request 404, bad key 403, missing description 400.
    st, ct, body = http("POST", url("servicerequestupdates", "json"), form=update_form(service_request_id=f"999999{RUN_ID}"))
    check_error_json(st, body, NOT_FOUND, ct)
    check_error_xml(*http("POST", url("update", "xml"), form=update_form(service_request_id=f"999999{RUN_ID}")), NOT_FOUND)
    st, ct, body = http("POST", url("servicerequestupdates", "json"), form=update_form(api_key=f"wrong-{RUN_ID}"))
    check_error_json(st, body, BAD_API_KEY, ct)
    st, ct, body = http("POST", url("servicerequestupdates", "xml"), form=update_form(description=None, update_id_ext=f"fms-{RUN_ID}-4"))
    check_error_xml(st, ct, body, BAD_REQUEST)
    # A citizen's words and details are for the handling unit, not for the public updates.
    params = with_jurisdiction({"start_date": w3c(NOW - dt.timedelta(days=1)), "end_date": w3c(NOW + dt.timedelta(days=1))})
    for fmt in ("json", "xml"):
        text = http("GET", url("servicerequestupdates", fmt), params)[2].decode("utf-8")
        check(f"conformance {RUN_ID}: 补充" not in text, "a citizen's update shown in the public updates")
        for field, value in CALLER.items():
            check(value not in text, f"{field} {value!r} disclosed by the public updates")


# ----------------------------------------------------------------- runner --

def _timeout(signum, frame):
    raise TimeoutError("step took too long (server hung?)")


def main():
    if not BASE or not API_KEY:
        print("set OPEN311_BASE and OPEN311_API_KEY", file=sys.stderr)
        return 2
    print(f"Open311 conformance against {BASE} (run {RUN_ID})")
    signal.signal(signal.SIGALRM, _timeout)
    passed = failed = skipped = 0
    for name, needs, fn in STEPS:
        missing = [n for n in needs if n not in S]
        if missing:
            failed += 1
            print(f"FAIL {name}: not run, an earlier step did not produce {', '.join(missing)}")
            continue
        signal.alarm(int(TIMEOUT * 6))
        try:
            note = fn()
            if isinstance(note, str) and note.startswith("SKIP"):
                skipped += 1
                print(f"SKIP {name}: {note[5:].strip()}")
            else:
                passed += 1
                print(f"PASS {name}")
        except CheckFailed as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        except Exception as e:  # client library raised: unexpected status, bad JSON/XML, ...
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=3, file=sys.stdout)
        finally:
            signal.alarm(0)
    print(f"open311: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
