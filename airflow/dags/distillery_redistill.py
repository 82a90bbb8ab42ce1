"""Re-distill students whenever new soft labels land (data-aware: scheduled on the soft-labels asset).

Runs distill, prune, qat, export, evaluate and deploy on the output folder the soft-labels event names (its extra's
"out" and "config"), else on the params. Events from distillery_pipeline are skipped: that run distills its own
soft labels right after writing them.
"""
from __future__ import annotations

from datetime import timedelta

from distillery_common import (DAG, MODELS, SOFT_LABELS, START_DATE, DistillerySparkSubmitOperator, default_args,
                               run_params)

with DAG(
    dag_id="distillery_redistill",
    description="Distill, prune, quantize, export and evaluate students on new soft labels",
    schedule=[SOFT_LABELS],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=30),
    default_args=default_args(),
    params=run_params(teacher=False),
    tags=["distillery"],
    doc_md=__doc__,
) as dag:
    distill = DistillerySparkSubmitOperator(stage="distill", skip_events_from=("distillery_pipeline",))
    prune = DistillerySparkSubmitOperator(stage="prune")
    qat = DistillerySparkSubmitOperator(stage="qat")
    export = DistillerySparkSubmitOperator(stage="export", outlets=[MODELS])
    evaluate = DistillerySparkSubmitOperator(stage="evaluate")
    deploy = DistillerySparkSubmitOperator(stage="deploy")
    distill >> prune >> qat >> export >> evaluate >> deploy
