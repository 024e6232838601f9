"""statusd-client against a real statusd ($STATUSD_BIN, on a free loopback
port): the Connect JSON client, the generated messages, the gRPC stubs and
error details. Run with Debian's /usr/bin/python3 (python3-grpcio,
python3-protobuf); sdk/python/python_test.go runs it on the installed sdist.
"""
import os
import socket
import subprocess
import time
import unittest
import urllib.request

import grpc
from buf.validate import validate_pb2
from google.rpc import status_pb2
from statusd.v1 import code_pb2, status_service_pb2 as pb, status_service_pb2_grpc as pb_grpc

import statusd_client


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StatusdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        site = os.environ.get("STATUSD_SDK_SITE")
        if site:  # the test of the packed artefact: nothing from the source tree
            for mod in (statusd_client, pb, validate_pb2, status_pb2):
                assert mod.__file__.startswith(site), f"{mod.__name__} from {mod.__file__}, not {site}"
        cls.addr = f"127.0.0.1:{free_port()}"
        cls.proc = subprocess.Popen([os.environ["STATUSD_BIN"], "-addr", cls.addr, "-access-log=false"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.client = statusd_client.Client("http://" + cls.addr)
        deadline = time.monotonic() + 20
        while True:
            try:
                cls.client.list_profiles()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        cls.channel = grpc.insecure_channel(cls.addr)
        cls.stub = pb_grpc.StatusServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.proc.terminate()
        cls.proc.wait(10)

    def test_connect_reads_by_get_validate_by_post(self):
        seen = []
        real = urllib.request.urlopen

        def record(req, **kw):
            seen.append(req.get_method() + " " + req.full_url.split("?")[0].rsplit("/", 1)[1])
            return real(req, **kw)

        urllib.request.urlopen = record
        try:
            r = self.client.lookup({"httpStatus": 412, "dialect": "DIALECT_CONNECT"})
            self.client.validate({"exchange": {"method": "GET", "status": 404}})
        finally:
            urllib.request.urlopen = real
        self.assertEqual(seen, ["GET Lookup", "POST Validate"])
        self.assertEqual(r["code"], "CODE_UNKNOWN")
        self.assertEqual(r["connectCode"], "unknown")

    def test_connect_fills_omitted_defaults(self):
        bad = self.client.validate({"exchange": {"method": "POST", "status": 201, "responseBodySize": "7"},
                                    "profiles": ["form"]})
        self.assertIs(bad["conforms"], False)  # left out of the JSON
        rules = sorted(f["rule"] for f in bad["findings"])
        self.assertIn("l3.form.post.location", rules)
        for f in bad["findings"]:
            self.assertIn("expectedStatus", f)  # 0 when omitted
        good = self.client.validate({"exchange": {"method": "GET", "status": 404}})
        self.assertIs(good["conforms"], True)
        self.assertEqual(good["findings"][0]["rule"], "l3.profile.none")
        ok = self.client.lookup({"code": "CODE_OK", "method": "POST", "profiles": ["form"]})
        self.assertEqual(ok["httpStatus"], 201)
        self.assertEqual(ok["connectCode"], "")  # empty for CODE_OK, and filled in

    def test_connect_error_with_violations(self):
        with self.assertRaises(statusd_client.ConnectError) as cm:
            self.client.validate({"exchange": {"method": "GET", "status": 700}})
        e = cm.exception
        self.assertEqual((e.code, e.http_status), ("invalid_argument", 400))
        self.assertIn("exchange.status", e.message)
        self.assertEqual(e.details[0]["type"], "buf.validate.Violations")
        v = validate_pb2.Violations.FromString(e.details[0]["value"])
        self.assertEqual(v.violations[0].rule_id, "int32.gte_lte")

    def test_grpc_stubs(self):
        r = self.stub.Lookup(pb.LookupRequest(http_status=412))
        self.assertEqual(r.code, code_pb2.CODE_ABORTED)
        v = self.stub.Validate(pb.ValidateRequest(exchange=pb.Exchange(method="GET", status=404)))
        self.assertTrue(v.conforms)

    def test_grpc_error_details(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.stub.Validate(pb.ValidateRequest(exchange=pb.Exchange(method="GET", status=700)))
        err = cm.exception
        self.assertEqual(err.code(), grpc.StatusCode.INVALID_ARGUMENT)
        raw = dict(err.trailing_metadata())["grpc-status-details-bin"]
        st = status_pb2.Status.FromString(raw)
        v = validate_pb2.Violations()
        self.assertTrue(st.details[0].Unpack(v))
        self.assertEqual(v.violations[0].rule_id, "int32.gte_lte")

    def test_grpc_validate_stream(self):
        reqs = [pb.ValidateStreamRequest(request=pb.ValidateRequest(exchange=pb.Exchange(method="GET", status=s)))
                for s in (200, 404, 500)]
        got = list(self.stub.ValidateStream(iter(reqs)))
        self.assertEqual([r.index for r in got], [0, 1, 2])


if __name__ == "__main__":
    unittest.main()
