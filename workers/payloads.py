"""The data converter of the worker and every client: pydantic JSON, each payload
encrypted by the codec, and failure messages and stack traces moved into an
encrypted payload too, since a refusal or an error can quote customer data."""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec


def data_converter(codec: PayloadCodec) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
