"""Malformed WebSocket messages: each gets one `error` answer with a known code, and the
connection carries on (a ping is answered, a run can still be created and stepped)."""

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.main import create_app
from app.protocol import MESSAGE_TYPES
from app.runconfig import live_fields
from app.settings import Settings
from tests.app.conftest import Peer

SMALL = {"dataset": {"name": "flower", "size": 60}, "layers": [{"units": 3}]}
ERROR_CODES = {
    "not_in_class",
    "not_teacher",
    "unknown_class",
    "unknown_student",
    "rate_limited",
    "removed",
    "class_locked",
    "needs_redis",
    "elsewhere",
    "not_json",
    "invalid",
    "unknown_type",
    "unknown_run",
    "limit",
    "too_large",
    "binary_not_accepted",
    "not_owner",
    "out_of_range",
}
MAX_ERROR_BYTES = 2048
"""An error answer never echoes a large input back."""


def expect_error(peer: Peer, code: str, ref: str | None = None) -> dict:
    """The next answer is an `error` with `code`, in the protocol's shape."""
    error = peer.reply()
    assert error["type"] == "error", error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert error["ref"] == ref
    assert isinstance(error["errors"], list)
    for item in error["errors"]:
        assert {"field", "rule", "message"} <= set(item)
    assert len(json.dumps(error)) < MAX_ERROR_BYTES
    return error


def echoed_ref(text: str) -> str | None:
    """The ref an answer to `text` carries: a string `ref`, cut to 64 characters."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return None
    ref = message.get("ref") if isinstance(message, dict) else None
    return ref[:64] if isinstance(ref, str) else None


def assert_still_serves(peer: Peer) -> None:
    """A ping gets its pong, and a new run can be created and stepped."""
    peer.send(type="ping", ref="alive")
    pong = peer.reply()
    assert pong["type"] == "pong" and pong["ref"] == "alive", pong
    run = peer.create(**SMALL)["run"]
    peer.send(type="step", runs=[run], n=3)
    header, _ = peer.frame(run, until=lambda h: h["iteration"] == 3 and h["status"] == "paused")
    assert header["iteration"] == 3


def long_ids(n: int, length: int = 8) -> list[str]:
    return [f"{i:0{length}d}" for i in range(n)]


BAD_MESSAGES = {
    # not JSON
    "plain text": ("not json", "not_json"),
    "empty": ("", "not_json"),
    "whitespace": ("   \n", "not_json"),
    "truncated": ('{"type": "ping"', "not_json"),
    "single quotes": ("{'type': 'ping'}", "not_json"),
    "trailing comma": ('{"type": "ping",}', "not_json"),
    "5000-digit integer": ('{"type": "step", "runs": ["x"], "n": ' + "9" * 5000 + "}", "not_json"),
    "8000 nested arrays": ("[" * 8000 + "]" * 8000, "not_json"),
    "nested arrays in a ping": (
        '{"type": "ping", "ref": ' + "[" * 5000 + "]" * 5000 + "}",
        "not_json",
    ),
    # JSON, not an object
    "list": ('["ping"]', "invalid"),
    "number": ("3", "invalid"),
    "float": ("-1.5e300", "invalid"),
    "string": ('"ping"', "invalid"),
    "null": ("null", "invalid"),
    "boolean": ("true", "invalid"),
    "bare NaN": ("NaN", "invalid"),
    # no type, or an unknown one
    "empty object": ("{}", "invalid"),
    "runs without type": ('{"runs": ["x"]}', "invalid"),
    "unknown type": ('{"type": "fly"}', "unknown_type"),
    "type in capitals": ('{"type": "PING"}', "unknown_type"),
    "numeric type": ('{"type": 5}', "unknown_type"),
    "null type": ('{"type": null}', "unknown_type"),
    "list type": ('{"type": ["ping"]}', "unknown_type"),
    "dunder type": ('{"type": "__class__"}', "unknown_type"),
    "10 KB type": (json.dumps({"type": "x" * 10_000}), "unknown_type"),
    # wrong field types (strict: no coercion)
    "runs as a string": ('{"type": "play", "runs": "abc"}', "invalid"),
    "n as a string": ('{"type": "step", "runs": ["x"], "n": "5"}', "invalid"),
    "n as true": ('{"type": "step", "runs": ["x"], "n": true}', "invalid"),
    "n as 1.5": ('{"type": "step", "runs": ["x"], "n": 1.5}', "invalid"),
    "n as 5.0": ('{"type": "step", "runs": ["x"], "n": 5.0}', "invalid"),
    "n as zero": ('{"type": "step", "runs": ["x"], "n": 0}', "invalid"),
    "learning_rate as a string": (
        '{"type": "update", "runs": ["x"], "learning_rate": "0.1"}',
        "invalid",
    ),
    "speed as a word": (
        '{"type": "speed", "runs": ["x"], "iterations_per_frame": "fast"}',
        "invalid",
    ),
    "config as a string": ('{"type": "create", "config": "flower"}', "invalid"),
    "ref as a number": ('{"type": "ping", "ref": 5}', "invalid"),
    # huge numbers, NaN and infinities
    "n = 10**30": ('{"type": "step", "runs": ["x"], "n": ' + str(10**30) + "}", "invalid"),
    "n = -10**30": ('{"type": "step", "runs": ["x"], "n": ' + str(-(10**30)) + "}", "invalid"),
    "speed = 10**30": (
        '{"type": "speed", "runs": ["x"], "iterations_per_frame": ' + str(10**30) + "}",
        "invalid",
    ),
    "learning_rate = 1e308": (
        '{"type": "update", "runs": ["x"], "learning_rate": 1e308}',
        "invalid",
    ),
    "learning_rate = 1e400 (inf)": (
        '{"type": "update", "runs": ["x"], "learning_rate": 1e400}',
        "invalid",
    ),
    "learning_rate = NaN": ('{"type": "update", "runs": ["x"], "learning_rate": NaN}', "invalid"),
    "l2 = -Infinity": ('{"type": "update", "runs": ["x"], "l2": -Infinity}', "invalid"),
    "l1 = NaN": ('{"type": "update", "runs": ["x"], "l1": NaN}', "invalid"),
    "n = NaN": ('{"type": "step", "runs": ["x"], "n": NaN}', "invalid"),
    "n = Infinity": ('{"type": "step", "runs": ["x"], "n": Infinity}', "invalid"),
    "config learning_rate NaN": ('{"type": "create", "config": {"learning_rate": NaN}}', "invalid"),
    "config noise Infinity": (
        '{"type": "create", "config": {"dataset": {"noise": Infinity}}}',
        "invalid",
    ),
    "config size 10**30": (
        '{"type": "create", "config": {"dataset": {"size": ' + str(10**30) + "}}}",
        "invalid",
    ),
    # run ids
    "unknown run": ('{"type": "play", "runs": ["no-such-run"]}', "unknown_run"),
    "empty runs": ('{"type": "play", "runs": []}', "invalid"),
    "17 runs": (json.dumps({"type": "pause", "runs": long_ids(17)}), "invalid"),
    "16 unknown runs": (json.dumps({"type": "pause", "runs": long_ids(16)}), "unknown_run"),
    "empty run id": ('{"type": "reset", "runs": [""]}', "invalid"),
    "64-char unknown run id": (json.dumps({"type": "delete", "runs": ["r" * 64]}), "unknown_run"),
    "65-char run id": (json.dumps({"type": "delete", "runs": ["r" * 65]}), "invalid"),
    "10 KB run id": (json.dumps({"type": "play", "runs": ["r" * 10_000]}), "invalid"),
    "run id as a number": ('{"type": "play", "runs": [7]}', "invalid"),
    # extra fields
    "extra field on ping": ('{"type": "ping", "extra": 1}', "invalid"),
    "extra field on step": ('{"type": "step", "runs": ["x"], "n": 1, "m": 2}', "invalid"),
    "extra field in config": ('{"type": "create", "config": {"colour": "red"}}', "invalid"),
    "extra field in dataset": (
        '{"type": "create", "config": {"dataset": {"name": "flower", "x": 1}}}',
        "invalid",
    ),
    # very long strings
    "65-char ref": (json.dumps({"type": "ping", "ref": "f" * 65}), "invalid"),
    "10 KB ref": (json.dumps({"type": "ping", "ref": "f" * 10_000}), "invalid"),
    "10 KB dataset name": (
        json.dumps({"type": "create", "config": {"dataset": {"name": "n" * 10_000}}}),
        "invalid",
    ),
    # refused by the server's limits or the engine's rules
    "too many units": ('{"type": "create", "config": {"layers": [{"units": 1000}]}}', "limit"),
    "classes on a binary dataset": (
        '{"type": "create", "config": {"dataset": {"name": "flower", "n_classes": 3}}}',
        "invalid",
    ),
    "sigmoid on regression": (
        '{"type": "create", "config": {"dataset": {"name": "plane"}, "output": "sigmoid"}}',
        "invalid",
    ),
}


@pytest.mark.parametrize(("text", "code"), BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_a_bad_message_gets_an_error_and_the_session_carries_on(peer, text, code):
    peer.ws.send_text(text)
    expect_error(peer, code, ref=echoed_ref(text))
    assert_still_serves(peer)


@pytest.mark.parametrize(
    ("ref", "echoed"), [("r-1", "r-1"), ("x" * 64, "x" * 64), ("y" * 100, "y" * 64)]
)
def test_an_error_echoes_the_ref_cut_to_64_characters(peer, ref, echoed):
    peer.send(type="play", runs=["no-such-run"], ref=ref)
    expect_error(peer, "invalid" if len(ref) > 64 else "unknown_run", ref=echoed)


@pytest.mark.parametrize("payload", [b"\x00\x01\x02", b'{"type": "ping"}', b""])
def test_a_binary_message_is_refused(peer, payload):
    peer.ws.send_bytes(payload)
    expect_error(peer, "binary_not_accepted")
    assert_still_serves(peer)


def test_a_text_message_over_the_byte_limit_is_refused(peer, settings):
    peer.ws.send_text("x" * (settings.max_message_bytes + 1))
    expect_error(peer, "too_large")
    assert_still_serves(peer)


def test_the_byte_limit_counts_utf8_bytes_not_characters(peer, settings):
    # Fewer characters than the limit, more bytes: "é" is 2 bytes in UTF-8.
    ref = "é" * (settings.max_message_bytes // 2)
    text = json.dumps({"type": "ping", "ref": ref}, ensure_ascii=False)
    assert len(text) < settings.max_message_bytes < len(text.encode())
    peer.ws.send_text(text)
    expect_error(peer, "too_large")
    assert_still_serves(peer)


def test_a_message_of_exactly_the_byte_limit_is_read(peer, settings):
    text = '{"type": "ping", "ref": "edge"}'.ljust(settings.max_message_bytes)
    peer.ws.send_text(text)
    pong = peer.reply()
    assert pong["type"] == "pong" and pong["ref"] == "edge"


def test_arrays_nested_10000_deep_are_refused(peer):
    peer.ws.send_text("[" * 10_000 + "]" * 10_000)  # 20 KB: over the default limit
    expect_error(peer, "too_large")
    assert_still_serves(peer)


def test_arrays_nested_10000_deep_under_a_larger_limit_are_not_json():
    settings = Settings(max_message_bytes=1 << 16, boundary_resolution=40, map_resolution=10)
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.ws.send_text("[" * 10_000 + "]" * 10_000)
        expect_error(peer, "not_json")
        peer.ws.send_text('{"type": "ping", "ref": ' + "[" * 10_000 + "]" * 10_000 + "}")
        expect_error(peer, "not_json")
        assert_still_serves(peer)


def test_a_command_naming_an_unknown_run_leaves_the_known_run_untouched(peer):
    run = peer.create(**SMALL)["run"]
    peer.frame(run)
    peer.send(type="step", runs=[run, "no-such-run"], n=50)
    expect_error(peer, "unknown_run")
    peer.send(type="step", runs=[run], n=1)
    header, _ = peer.frame(run, until=lambda h: h["status"] == "paused" and h["iteration"] > 0)
    assert header["iteration"] == 1


def test_a_step_over_the_limit_names_n_and_the_limit(peer, settings):
    run = peer.create(**SMALL)["run"]
    peer.send(type="step", runs=[run], n=settings.max_step_iterations + 1, ref="big")
    error = expect_error(peer, "limit", ref="big")
    assert error["limit"] == settings.max_step_iterations
    assert error["errors"][0]["field"] == "n"
    assert_still_serves(peer)


def test_the_connection_survives_500_bad_messages_in_a_row(peer, client):
    catalogue = list(BAD_MESSAGES.values())
    sent = [catalogue[i % len(catalogue)] for i in range(500)]
    for text, _code in sent:
        peer.ws.send_text(text)
    for i, (_text, code) in enumerate(sent):
        error = peer.reply()
        assert (i, error["type"], error["code"]) == (i, "error", code)
    assert_still_serves(peer)
    health = client.get("/api/health").json()
    assert health["sessions"] == 1 and health["runs"] == 1


# --- random messages --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()  # NaN and ±inf included: json.dumps writes NaN / Infinity literals
    | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
PLAUSIBLE = {
    "runs": st.lists(st.text(min_size=1, max_size=70), min_size=0, max_size=18),
    "n": st.integers(min_value=-2, max_value=2_000_000),
    "ref": st.text(max_size=70),
    "point": st.none() | st.lists(st.floats(min_value=-20, max_value=20), max_size=3),
    "split": st.sampled_from(["train", "test", "dev", None]),
    "index": st.none() | st.integers(min_value=-2, max_value=3000),
    "learning_rate": st.floats(min_value=-1, max_value=200),
    "l2": st.floats(min_value=-1, max_value=200),
    "l1": st.floats(min_value=-1, max_value=200),
    "batch_size": st.none() | st.integers(min_value=-1, max_value=6000),
    "optimizer": st.sampled_from(["gd", "momentum", "adam", "rmsprop", "sgd!"]),
    "iterations_per_frame": st.sampled_from(["max", "auto"])
    | st.integers(min_value=-1, max_value=2_000_000),
    "config": st.fixed_dictionaries(
        {},
        optional={
            "learning_rate": st.floats(min_value=-1, max_value=200),
            "layers": st.lists(
                st.fixed_dictionaries({"units": st.integers(min_value=0, max_value=80)}),
                max_size=8,
            ),
            "dataset": st.fixed_dictionaries(
                {"name": st.sampled_from(["flower", "moons", "blobs", "plane", "nope"])},
                optional={"size": st.integers(min_value=0, max_value=3000)},
            )
            | st.deferred(lambda: DRAWN)
            | st.fixed_dictionaries(
                {"kind": st.sampled_from(["csv", "images", "nope"])},
                optional={
                    "upload": st.text(max_size=70),
                    "uploads": st.lists(st.text(max_size=70), max_size=3),
                    "label": st.text(max_size=10),
                },
            ),
        },
    ),
}
DRAWN = st.fixed_dictionaries(
    {"kind": st.just("drawn")},
    optional={
        "x1": st.lists(st.floats(min_value=-7, max_value=7), max_size=6),
        "x2": st.lists(st.floats(min_value=-7, max_value=7), max_size=6),
        "y": st.lists(st.integers(min_value=-1, max_value=7), max_size=6),
        "n_classes": st.integers(min_value=1, max_value=8),
    },
)
PLAUSIBLE["dataset"] = DRAWN
PLAUSIBLE.update(
    {
        "code": st.sampled_from(["KQ7M", "kq-7m", "", "0000"]) | st.text(max_size=20),
        "token": st.text(max_size=70),
        "name": st.text(max_size=60),
        "locked": st.booleans(),
        "open": st.booleans(),
        "state": st.text(max_size=100),
        "title": st.text(max_size=30),
        "text": st.text(max_size=100),
        "student": st.none() | st.text(max_size=40),
        "iteration": st.integers(min_value=-2, max_value=200_000_000),
        "at": st.none() | st.integers(min_value=-2, max_value=200_000_000),
        "fork": st.none() | st.text(max_size=70),
        "changes": st.none()
        | st.fixed_dictionaries(
            {}, optional={"learning_rate": st.floats(min_value=-1, max_value=200)}
        ),
        "layer": st.integers(min_value=-1, max_value=40),
        "row": st.integers(min_value=-1, max_value=70),
        "col": st.none() | st.integers(min_value=-1, max_value=70),
        "bias": st.booleans(),
        "value": st.floats(allow_nan=True, allow_infinity=True) | st.integers(-200, 200),
        "challenge": st.none()
        | st.fixed_dictionaries(
            {"target": st.floats(min_value=-1, max_value=2)},
            optional={"max_units": st.integers(min_value=-1, max_value=2000)},
        ),
    }
)
"""Field values near the valid ones, so random messages also reach the commands."""
FIELDS_OF = {
    "create": ("config", "fork", "at", "changes"),
    "play": ("runs",),
    "pause": ("runs",),
    "step": ("runs", "n"),
    "reset": ("runs",),
    "update": ("runs", *live_fields()),  # the run config's live fields
    "speed": ("runs", "iterations_per_frame"),
    "data": ("runs", "dataset"),
    "set_parameter": ("runs", "layer", "row", "col", "bias", "value"),
    "delete": ("runs",),
    "seek": ("runs", "iteration"),
    "example": ("runs", "point", "split", "index"),
    "ping": (),
    "watch": ("runs",),
    "unwatch": ("runs",),
    "class_open": (),
    "class_teach": ("code", "token"),
    "class_join": ("code", "name"),
    "class_leave": (),
    "class_show": ("runs", "lesson"),
    "class_lock": ("locked",),
    "class_push": ("state", "title", "text"),
    "class_board": ("open",),
    "class_spotlight": ("student",),
    "class_remove": ("student",),
    "class_challenge": ("challenge",),
    "class_close": (),
}
"""The fields each message type takes besides `type` and `ref` (docs/protocol.md)."""


def _near_valid(kind: str):
    """Messages of `kind` whose fields are mostly plausible, sometimes junk, sometimes extra."""
    fields = (*FIELDS_OF[kind], "ref")
    plausible = {name: PLAUSIBLE.get(name, JSON_VALUES) for name in fields}  # a new field: any
    value = {name: st.one_of(v, v, JSON_VALUES) for name, v in plausible.items()}
    required = {"runs": value["runs"]} if "runs" in fields else {}
    optional = {name: v for name, v in value.items() if name not in required}
    return st.builds(
        lambda message, extra: {**extra, **message},
        st.fixed_dictionaries({"type": st.just(kind), **required}, optional=optional),
        st.just({}) | st.just({}) | st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=2),
    )


PROTOCOLISH = st.sampled_from(MESSAGE_TYPES).flatmap(_near_valid) | st.builds(
    lambda kind, rest: {**rest, "type": kind},
    JSON_VALUES,
    st.dictionaries(st.sampled_from(list(PLAUSIBLE)), JSON_VALUES, max_size=3),
)
RANDOM_TEXT = st.text(max_size=200).filter(lambda s: not _is_valid_json(s))


def _is_valid_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


LEADS = {"ack", "error:not_in_class", "error:not_teacher"}
CLASS_ANSWERS = {
    "class_open": {"class", "error:limit"},
    # A random code is no class, or (rarely) the one this session opened: then a random token
    # is not its token.
    "class_teach": {"class", "error:unknown_class", "error:not_teacher", "error:rate_limited"},
    "class_join": {"class", "error:unknown_class", "error:rate_limited", "error:limit"},
    "class_leave": {"ack", "error:not_in_class"},
    "class_show": LEADS | {"error:unknown_run"},
    "class_lock": LEADS,
    "class_push": LEADS | {"error:limit"},
    "class_board": LEADS,
    "class_spotlight": LEADS | {"error:unknown_student"},
    "class_remove": LEADS | {"error:unknown_student"},
    "class_challenge": LEADS,
    "class_close": LEADS,
}
"""What each class message may get, whatever class this session opened or joined before."""
WATCH_LIMIT = Settings().max_runs_per_session
"""How many runs a session watches at most (docs/protocol.md, `watch`)."""


def _expected(message) -> set[str]:
    """The answers a message may get: an independent reading of the protocol's rules."""
    if not isinstance(message, dict) or "type" not in message:
        return {"error:invalid"}
    kind = message["type"]
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        return {"error:unknown_type"}
    if kind == "ping":
        ref = message.get("ref")
        valid = set(message) <= {"type", "ref"} and (
            ref is None or (isinstance(ref, str) and len(ref) <= 64)
        )
        return {"pong"} if valid else {"error:invalid"}
    if kind == "create":
        if message.get("fork") is not None:  # a random id is never a run of this session
            return {"error:invalid", "error:unknown_run", "error:limit"}
        return {"created", "error:invalid", "error:limit"}
    if kind.startswith("class_"):  # the session may have opened a class by now: it leads it
        return CLASS_ANSWERS[kind] | {"error:invalid", "error:needs_redis"}
    if kind == "unwatch":  # ids not watched are nothing to stop
        return {"ack", "error:invalid"}
    runs = message.get("runs")
    if kind == "watch" and isinstance(runs, list) and len(set(map(json.dumps, runs))) > WATCH_LIMIT:
        # More runs than a session may watch: refused as over the limit, or as invalid.
        return {"error:invalid", "error:limit"}
    # Commands on runs and watching them: random ids are never a run on this server.
    return {"error:invalid", "error:unknown_run"}


def test_random_messages_get_one_well_formed_answer_each(client):
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        counter = iter(range(10**9))

        @hypothesis_settings(
            max_examples=200,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(
            st.one_of(
                PROTOCOLISH.map(lambda m: (m, json.dumps(m))),
                JSON_VALUES.map(lambda v: (v, json.dumps(v))),
                RANDOM_TEXT.map(lambda t: (None, t)),
            )
        )
        def check(case):
            message, text = case
            sync = f"sync-{next(counter)}"
            peer.ws.send_text(text)
            peer.send(type="ping", ref=sync)
            answers = []
            while True:
                answer = peer.reply(("ack", "error", "created", "pong", "class"))
                if answer["type"] == "pong" and answer["ref"] == sync:
                    break
                answers.append(answer)
            assert len(answers) == 1, answers
            answer = answers[0]
            if message is None and not _is_valid_json(text):
                expected = {"error:not_json"}
            else:
                expected = _expected(message)
            got = answer["type"] if answer["type"] != "error" else f"error:{answer['code']}"
            assert got in expected, (text[:300], answer)
            if answer["type"] == "error":
                assert answer["code"] in ERROR_CODES
                assert isinstance(answer["message"], str) and answer["message"]
                assert len(json.dumps(answer)) < MAX_ERROR_BYTES

        check()
        peer.send(type="ping", ref="end")
        assert peer.reply(("pong",))["ref"] == "end"
