"""Pub/Sub's Publish call, served on 127.0.0.1 over gRPC so that handlers' google-cloud-pubsub publishers work
unchanged (PUBSUB_EMULATOR_HOST: the client then opens an insecure channel with anonymous credentials). Only
`google.pubsub.v1.Publisher/Publish` is served; every other method (creating topics, pulling) answers
UNIMPLEMENTED, as topics and subscriptions are the spec's and delivery is the engine's.

The three messages it needs are declared here (field numbers and types of google/pubsub/v1/pubsub.proto:
PubsubMessage data=1 bytes, attributes=2 map<string, string>, message_id=3, ordering_key=5; PublishRequest
topic=1, messages=2; PublishResponse message_ids=1) in a pool of their own, so they never clash with
google-cloud-pubsub's, and need only grpcio and protobuf (which pulumi brings). Fields left out (publish_time)
are skipped when parsing, as protobuf skips unknown fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent import futures
from typing import Any

SERVICE = "google.pubsub.v1.Publisher"
PACKAGE = "google.pubsub.v1"
HOST = "127.0.0.1"
# google/pubsub/v1 PubsubMessage: "The message must contain either a non-empty data field or at least one
# attribute" (google-cloud-pubsub's pubsub_v1/types/pubsub.py)
EMPTY = "a Pub/Sub message must contain either a non-empty data field or at least one attribute"
# (topic id, data, attributes, ordering key) -> the message id, or None when the topic is not the spec's
Publish = Callable[[str, bytes, Mapping[str, str], str], str | None]


def _message_classes() -> tuple[Any, Any]:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    optional, repeated = field.LABEL_OPTIONAL, field.LABEL_REPEATED
    file = descriptor_pb2.FileDescriptorProto(name="aipipe/local/pubsub_publish.proto", package=PACKAGE)
    file.syntax = "proto3"

    def add(message: Any, name: str, number: int, kind: int, label: int = optional, type_name: str = "") -> None:
        added = message.field.add(name=name, number=number, type=kind, label=label)
        if type_name:  # an empty type_name still counts as set
            added.type_name = type_name

    pubsub_message = file.message_type.add(name="PubsubMessage")
    entry = pubsub_message.nested_type.add(name="AttributesEntry")
    entry.options.map_entry = True
    add(entry, "key", 1, field.TYPE_STRING)
    add(entry, "value", 2, field.TYPE_STRING)
    add(pubsub_message, "data", 1, field.TYPE_BYTES)
    add(pubsub_message, "attributes", 2, field.TYPE_MESSAGE, repeated, f".{PACKAGE}.PubsubMessage.AttributesEntry")
    add(pubsub_message, "message_id", 3, field.TYPE_STRING)
    add(pubsub_message, "ordering_key", 5, field.TYPE_STRING)
    request = file.message_type.add(name="PublishRequest")
    add(request, "topic", 1, field.TYPE_STRING)
    add(request, "messages", 2, field.TYPE_MESSAGE, repeated, f".{PACKAGE}.PubsubMessage")
    response = file.message_type.add(name="PublishResponse")
    add(response, "message_ids", 1, field.TYPE_STRING, repeated)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    found = (pool.FindMessageTypeByName(f"{PACKAGE}.{name}") for name in ("PublishRequest", "PublishResponse"))
    request_class, response_class = (message_factory.GetMessageClass(descriptor) for descriptor in found)
    return request_class, response_class


class PublishServer:
    """Publisher/Publish on 127.0.0.1:<free port>; `address` is what PUBSUB_EMULATOR_HOST takes."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._server: Any = None
        self.address = ""

    def start(self) -> None:
        """Bind a free port of 127.0.0.1 and serve."""
        import grpc

        request_class, response_class = _message_classes()

        def publish(request: Any, context: Any) -> Any:
            ids = []
            if any(not message.data and not message.attributes for message in request.messages):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, EMPTY)
            for message in request.messages:
                found = self._publish(request.topic, message.data, dict(message.attributes), message.ordering_key)
                if found is None:  # what Pub/Sub answers for a topic that does not exist
                    context.abort(grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={request.topic}).")
                ids.append(found)
            return response_class(message_ids=ids)

        handler = grpc.unary_unary_rpc_method_handler(
            publish, request_deserializer=request_class.FromString, response_serializer=response_class.SerializeToString
        )
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, {"Publish": handler}),))
        port = self._server.add_insecure_port(f"{HOST}:0")
        self._server.start()
        self.address = f"{HOST}:{port}"

    def stop(self) -> None:
        """Stop serving (calls under way finish first)."""
        if self._server is not None:
            self._server.stop(grace=1).wait()
            self._server = None
            self.address = ""
