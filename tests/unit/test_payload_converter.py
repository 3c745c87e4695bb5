"""Every payload converter the SDK makes (one per workflow run) shares one cache of
pydantic type adapters, and still reads and writes the models as before."""

from __future__ import annotations

from datetime import datetime, timezone

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import ActivitySerializationContext, WorkflowSerializationContext

from engagement_client.codec import EncryptionCodec
from engagement_client.payloads import SharedAdaptersPayloadConverter, data_converter
from fasttrack.models import RemediationItemDone


def _json_converter(converter) -> PydanticJSONPlainPayloadConverter:
    [found] = [c for c in converter.converters.values() if isinstance(c, PydanticJSONPlainPayloadConverter)]
    return found


def test_converters_share_one_cache_of_type_adapters():
    first, second = SharedAdaptersPayloadConverter(), SharedAdaptersPayloadConverter()
    assert _json_converter(first)._type_adapter is _json_converter(second)._type_adapter
    action = RemediationItemDone(by="Ana", item_id="dns-1")
    [payload] = first.to_payloads([action])
    assert second.from_payloads([payload], [RemediationItemDone]) == [action]
    hits = _json_converter(first)._type_adapter.cache_info().hits
    first.from_payloads([payload], [RemediationItemDone])
    assert _json_converter(first)._type_adapter.cache_info().hits == hits + 1  # built once, for both


def test_the_data_converter_makes_shared_converters_per_run():
    without_codec = data_converter(codec=None)  # type: ignore[arg-type]  # the converters alone
    assert without_codec.payload_converter_class is SharedAdaptersPayloadConverter
    converter = without_codec._new_payload_converter()  # as the SDK does for each workflow run
    moment = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    assert converter.from_payloads(converter.to_payloads([moment]), [datetime]) == [moment]


def test_nothing_in_the_data_converter_reads_a_serialization_context():
    # So the worker may hand the SDK no context (workers/task_clock_guard.py): the same converter.
    converter = data_converter(EncryptionCodec("k1", {"k1": bytes(32)}))
    for context in (WorkflowSerializationContext(namespace="default", workflow_id="fasttrack-intune-t"),
                    ActivitySerializationContext(namespace="default", activity_id="1", activity_type="record_progress",
                                                 activity_task_queue="fasttrack-intune", workflow_id="w",
                                                 workflow_type="EngagementWorkflow", is_local=False)):
        assert converter.with_context(context) is converter
