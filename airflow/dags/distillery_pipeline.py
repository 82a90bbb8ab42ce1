"""Distillery's whole pipeline as one DAG: one spark-submit task per stage, in order.

Trigger it from the UI (the form shows the params) or with `distillery airflow trigger`; needs Airflow 2.x or 3.x
with apache-airflow-providers-apache-spark and a Spark connection (spark_default) whose host is the master URL.
"""
from __future__ import annotations

from datetime import timedelta

from distillery_common import (DAG, MODELS, SOFT_LABELS, START_DATE, STAGES, DistillerySparkSubmitOperator,
                               default_args, run_params)

OUTLETS = {"label": [SOFT_LABELS], "export": [MODELS]}

with DAG(
    dag_id="distillery_pipeline",
    description="Teacher on Spark, soft labels, distilled, pruned and quantized student, export, evaluation",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=48),
    default_args=default_args(),
    params=run_params(teacher=True),
    tags=["distillery"],
    doc_md=__doc__,
) as dag:
    previous = None
    for stage in STAGES:
        task = DistillerySparkSubmitOperator(stage=stage, outlets=OUTLETS.get(stage, []))
        if previous is not None:
            previous >> task
        previous = task
