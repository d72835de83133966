"""Schemathesis hooks for scripts/api-fuzz.sh: the rules the API enforces that no JSON Schema can
state, applied to every generated request right before it is sent, so the `positive_data_acceptance`
check ("schema-valid data is accepted") tests what the schema does say rather than tripping over
what it cannot. Each rule below is one of the exceptions listed in docs/SECURITY.md, and each has its
own named test in the Rust suites; negative cases pass through these hooks too and stay invalid.

Loaded with SCHEMATHESIS_HOOKS=api_fuzz_hooks (scripts/ on PYTHONPATH). Reads MVP_FUZZ_VEHICLE_ID
(the signed-in user's vehicle, so bodies reach the business rules instead of a 404) and
MVP_FUZZ_TERMS_VERSION (the current terms version from /api/config).
"""

import datetime
import os
import struct
import zlib

import schemathesis

VEHICLE_ID = os.environ.get("MVP_FUZZ_VEHICLE_ID", "")
# The fuzzing user: an admin (by its e-mail in admin.bootstrap) that must stay one.
USER_ID = os.environ.get("MVP_FUZZ_USER_ID", "")
TERMS_VERSION = os.environ.get("MVP_FUZZ_TERMS_VERSION", "")

# ISO 3779 check digit: letter values and position weights.
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))),
    **dict(zip("JKLMN", range(1, 6))),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def png_1x1():
    """A valid 1×1 grey PNG (an upload must be a real image; its bytes are what the API judges)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


PNG = png_1x1()

# A valid catalog import (the header and two model years of one trim).
CATALOG_CSV = (
    "year_from,year_to,make,model,trim,engine,transmission\n"
    "2024,2025,Fuzz Motors,Roadster,Base,2.0L I4,6-Speed Manual\n"
)


def with_check_digit(vin):
    """A 17-character VIN with its ninth character set to the check digit it needs."""
    vin = vin.upper()
    total = sum(VIN_VALUES.get(c, 0) * w for c, w in zip(vin, VIN_WEIGHTS))
    digit = "X" if total % 11 == 10 else str(total % 11)
    return vin[:8] + digit + vin[9:]


def not_after(text, limit, parse, show):
    """`text` if it parses and is not after `limit`; `limit` (shown) when it is later."""
    try:
        value = parse(text)
    except (TypeError, ValueError):
        return text  # malformed: leave it for the API to refuse
    return show(limit) if value > limit else text


def date_not_after(text, limit):
    return not_after(text, limit, datetime.date.fromisoformat, datetime.date.isoformat)


def datetime_not_after(text, limit):
    def parse(t):
        value = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)

    return not_after(text, limit, parse, lambda v: v.isoformat().replace("+00:00", "Z"))


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.operation.path
    params = case.path_parameters or {}
    # The fuzzer may remove any admin but itself: it would lose the admin routes for the rest of the
    # run (removing oneself while another admin exists is allowed, and tested in crates/admin).
    if path == "/api/admin/admins/{userId}" and USER_ID and params.get("userId") == USER_ID:
        params["userId"] = "auth0|fuzz-other"
    vin = params.get("vin")
    if isinstance(vin, str) and len(vin) == 17 and vin.isalnum():
        params["vin"] = with_check_digit(vin)
    # A station search needs a point (latitude and longitude together) or a text.
    if path == "/api/stations/search":
        query = case.query if isinstance(case.query, dict) else {}
        lat, lon, text = query.get("latitude"), query.get("longitude"), query.get("query")
        has_text = isinstance(text, str) and text.strip(" ") != ""
        if (lat is None) != (lon is None) or (lat is None and not has_text):
            query["latitude"] = 39.95 if lat is None else lat
            query["longitude"] = -75.16 if lon is None else lon
        case.query = query
    # A catalog import is CSV in the catalog's own format, which the schema can only call a string.
    if path == "/api/admin/catalog/import" and isinstance(case.body, str):
        case.body = CATALOG_CSV
    body = case.body
    if not isinstance(body, dict):
        return
    # Uploads: a real image (the API judges a file by its bytes).
    for part in ("file", "image"):
        if part in body and path in ("/api/documents", "/api/vehicles/{id}/image", "/api/ocr/extract"):
            body[part] = PNG
    today = datetime.datetime.now(datetime.timezone.utc).date()
    now = datetime.datetime.now(datetime.timezone.utc)

    # Vehicles: a VIN needs its check digit; the year may be at most next year; a purchase is
    # not in the future.
    if path.startswith("/api/vehicles"):
        vin = body.get("vin")
        if isinstance(vin, str) and len(vin) == 17 and vin.isalnum():
            body["vin"] = with_check_digit(vin)
        year = body.get("year")
        if isinstance(year, (int, float)) and not isinstance(year, bool) and year > today.year + 1:
            body["year"] = today.year
        if isinstance(body.get("purchaseDate"), str):
            body["purchaseDate"] = date_not_after(body["purchaseDate"], today)
        # An update may lower the odometer only as a declared correction.
        if case.method.upper() == "PUT" and path == "/api/vehicles/{id}":
            body["odometerCorrection"] = True

    # Bodies that name a vehicle: the user's own, so the request reaches the rules after it.
    if VEHICLE_ID and "vehicleId" in body and case.method.upper() in ("POST", "PUT"):
        body["vehicleId"] = VEHICLE_ID

    if path.startswith("/api/fuel-logs"):
        # A fill-up's odometer must lie between its neighbours' readings: send the distance
        # driven instead (the other of the two the schema asks for at least one of).
        if body.get("odometerReading") is not None:
            body["odometerReading"] = None
            if body.get("tripDistance") is None:
                body["tripDistance"] = 100
        # Units × price must agree with the total to the cent: send one of the two.
        if body.get("costPerUnit") is not None and body.get("totalCost") is not None:
            body["totalCost"] = None
        if isinstance(body.get("dateTime"), str):
            body["dateTime"] = datetime_not_after(body["dateTime"], now)

    if path.startswith("/api/maintenance"):
        for field in ("date", "lastServiceDate"):
            if isinstance(body.get(field), str):
                body[field] = date_not_after(body[field], today)
        # Linked documents must be the user's own, of the same vehicle.
        if body.get("documentIds"):
            body["documentIds"] = []

    # A document expires on or after the day it was issued.
    issued, expires = body.get("issuedDate"), body.get("expirationDate")
    if isinstance(issued, str) and isinstance(expires, str) and expires < issued:
        body["issuedDate"], body["expirationDate"] = expires, issued

    # Push URLs: the hosts a fuzzer invents do not resolve (and must not be called); a local port
    # that refuses connections stands in (the server runs with private push URLs allowed).
    if path == "/api/user/notification-settings":
        for field in ("ntfyUrl", "webhookUrl"):
            if isinstance(body.get(field), str) and body[field]:
                body[field] = "http://127.0.0.1:9/mvp-fuzz"

    # E-mail templates must render: text without template syntax is always a valid template.
    if path.startswith("/api/admin/email-templates"):
        for field in ("subject", "textBody", "htmlBody"):
            value = body.get(field)
            if isinstance(value, str):
                value = "".join(c for c in value if c not in "{}%#")
                body[field] = value if value.strip() else "Hello"

    # Catalog options: a model year at most two years ahead.
    if path == "/api/admin/catalog/options":
        year = body.get("year")
        if isinstance(year, (int, float)) and not isinstance(year, bool) and year > today.year + 2:
            body["year"] = today.year
    # A station review that rejects says why (the reporter sees it).
    if path == "/api/admin/stations/community/{id}" and body.get("status") == "rejected":
        reason = body.get("reason")
        if not (isinstance(reason, str) and reason.strip()):
            body["reason"] = "There is no station at this address"

    if path == "/api/auth/accept-terms" and TERMS_VERSION and "version" in body:
        body["version"] = TERMS_VERSION
