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
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

# One cache of pydantic type adapters for the whole process. The SDK makes a payload
# converter for every workflow run, each with a cache of its own: a cached engagement
# then held its own adapters (about 10 KiB) and built them again (bench/results).
_TYPE_ADAPTERS = functools.lru_cache(maxsize=1024)(TypeAdapter)


class SharedAdaptersPayloadConverter(PydanticPayloadConverter):
    def __init__(self) -> None:
        super().__init__(max_cached_type_adapters=0)
        for converter in self.converters.values():
            if isinstance(converter, PydanticJSONPlainPayloadConverter):
                converter._type_adapter = _TYPE_ADAPTERS


def data_converter(codec: PayloadCodec) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=SharedAdaptersPayloadConverter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
