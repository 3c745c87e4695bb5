"""The data converter of the worker and every client: pydantic JSON, each payload
encrypted by the codec, and failure messages and stack traces moved into an
encrypted payload too, since a refusal or an error can quote customer data."""

from __future__ import annotations

import dataclasses
import functools

from pydantic import TypeAdapter
from temporalio.contrib.pydantic import (
    PydanticJSONPlainPayloadConverter,
    PydanticPayloadConverter,
    pydantic_data_converter,
)
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    EncodingPayloadConverter,
    PayloadCodec,
)

from engagement_client.codec import UNREADABLE

# One cache of pydantic type adapters for the whole process. The SDK makes a payload
# converter for every workflow run, each with a cache of its own: a cached engagement
# then held its own adapters (about 10 KiB) and built them again (bench/results).
_TYPE_ADAPTERS = functools.lru_cache(maxsize=1024)(TypeAdapter)


class UnreadablePayloadConverter(EncodingPayloadConverter):
    """Refuses, with the codec's reason, a payload the worker's codec found malformed."""

    @property
    def encoding(self) -> str:
        return UNREADABLE.decode()

    def to_payload(self, value: object) -> Payload | None:
        return None  # never chosen to write

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> object:
        raise ValueError(f"Refused: {payload.data.decode(errors='replace')}")


class SharedAdaptersPayloadConverter(PydanticPayloadConverter):
    def __init__(self) -> None:
        super().__init__(max_cached_type_adapters=0)
        for converter in self.converters.values():
            if isinstance(converter, PydanticJSONPlainPayloadConverter):
                converter._type_adapter = _TYPE_ADAPTERS
        self.converters = {**self.converters, UNREADABLE: UnreadablePayloadConverter()}


def data_converter(codec: PayloadCodec) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=SharedAdaptersPayloadConverter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
