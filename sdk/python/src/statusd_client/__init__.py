"""statusd-client: a client of statusd.

- ``statusd_client.Client``: the Connect protocol over JSON with the standard
  library only; results have proto3's omitted defaults filled in.
- ``statusd.v1.*_pb2`` / ``*_pb2_grpc``: generated messages and gRPC stubs
  (need protobuf and grpcio), with ``buf.validate.validate_pb2`` and
  ``google.rpc.status_pb2``, which they and gRPC error details need.
"""
from statusd_client.connect import Client, ConnectError, fill_defaults

__all__ = ["Client", "ConnectError", "fill_defaults"]
__version__ = "0.1.0"
