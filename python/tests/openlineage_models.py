"""Loads Strata's OpenLineage events into openlineage-python's models (openlineage.client.event_v2 and the generated
facet classes), so the official client's own types and validators judge them."""

from __future__ import annotations

from typing import Any, Callable

from openlineage.client import event_v2
from openlineage.client.generated import (
    column_lineage_dataset as cl,
    data_quality_assertions_dataset as dqa,
    datasource_dataset,
    documentation_dataset,
    error_message_run,
    input_statistics_input_dataset,
    job_type_job,
    output_statistics_output_dataset,
    processing_engine_run,
    schema_dataset,
)


def _fields(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def _input_field(d: dict[str, Any]) -> cl.InputField:
    return cl.InputField(namespace=d["namespace"], name=d["name"], field=d["field"],
                         transformations=[cl.Transformation(**t) for t in d.get("transformations", [])])


def _column_lineage(d: dict[str, Any]) -> cl.ColumnLineageDatasetFacet:
    return cl.ColumnLineageDatasetFacet(
        fields={name: cl.Fields(inputFields=[_input_field(i) for i in f["inputFields"]]) for name, f in d["fields"].items()},
        dataset=[_input_field(i) for i in d.get("dataset", [])], producer=d["_producer"])


FACETS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "schema": lambda d: schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(**f) for f in d["fields"]], producer=d["_producer"]),
    "dataSource": lambda d: datasource_dataset.DatasourceDatasetFacet(**_fields(d), producer=d["_producer"]),
    "documentation": lambda d: documentation_dataset.DocumentationDatasetFacet(**_fields(d), producer=d["_producer"]),
    "columnLineage": _column_lineage,
    "outputStatistics": lambda d: output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(**_fields(d), producer=d["_producer"]),
    "inputStatistics": lambda d: input_statistics_input_dataset.InputStatisticsInputDatasetFacet(**_fields(d), producer=d["_producer"]),
    "dataQualityAssertions": lambda d: dqa.DataQualityAssertionsDatasetFacet(
        assertions=[dqa.Assertion(**a) for a in d["assertions"]], producer=d["_producer"]),
    "errorMessage": lambda d: error_message_run.ErrorMessageRunFacet(**_fields(d), producer=d["_producer"]),
    "processing_engine": lambda d: processing_engine_run.ProcessingEngineRunFacet(**_fields(d), producer=d["_producer"]),
    "jobType": lambda d: job_type_job.JobTypeJobFacet(**_fields(d), producer=d["_producer"]),
}


def _facets(d: dict[str, Any] | None) -> dict[str, Any]:
    return {name: FACETS[name](facet) for name, facet in (d or {}).items()}


def run_event(d: dict[str, Any]) -> event_v2.RunEvent:
    """The event as the client's model; raises on anything the models or their validators refuse (a bad UUID, …)."""
    return event_v2.RunEvent(
        eventType=event_v2.RunState(d["eventType"]),
        eventTime=d["eventTime"],
        run=event_v2.Run(runId=d["run"]["runId"], facets=_facets(d["run"].get("facets"))),
        job=event_v2.Job(namespace=d["job"]["namespace"], name=d["job"]["name"], facets=_facets(d["job"].get("facets"))),
        inputs=[event_v2.InputDataset(namespace=i["namespace"], name=i["name"], facets=_facets(i.get("facets")),
                                      inputFacets=_facets(i.get("inputFacets"))) for i in d["inputs"]],
        outputs=[event_v2.OutputDataset(namespace=o["namespace"], name=o["name"], facets=_facets(o.get("facets")),
                                        outputFacets=_facets(o.get("outputFacets"))) for o in d["outputs"]],
        producer=d["producer"],
    )


def without_empty(value: Any) -> Any:
    """Drops empty lists and objects: the models fill optional collections with empty defaults."""
    if isinstance(value, dict):
        cleaned = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in ([], {})}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value
