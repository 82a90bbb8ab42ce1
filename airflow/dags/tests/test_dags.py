"""Distillery's DAG files, imported against a stand-in of Airflow 2 and of Airflow 3.

Run from the repository root:  python3 -m unittest discover -s airflow/dags/tests -t airflow/dags
The CLI-flag check needs DISTILLERY_CLI_HELP, a JSON file of the CLI's own help texts; `mvn verify` writes it
(DagContractTest in the jobs module) and runs these tests with it.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import sys
import types
import unittest
from collections import defaultdict
from datetime import timedelta

DAGS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if DAGS_DIR not in sys.path:
    sys.path.insert(0, DAGS_DIR)

from tests import airflow_stub as stub  # noqa: E402

PIPELINE_TASKS = ["prepare", "train_teacher", "label", "distill", "prune", "qat", "export", "evaluate", "deploy"]
REDISTILL_TASKS = ["distill", "prune", "qat", "export", "evaluate", "deploy"]
FLAVOURS = ("airflow2", "airflow3")


def dag_files():
    """Every Python file in the DAG folder: a new DAG file is imported (and checked) without editing this test."""
    return sorted(f[:-3] for f in os.listdir(DAGS_DIR) if f.endswith(".py"))


def load(flavour):
    stub.install(flavour)
    modules = [importlib.import_module(m) for m in dag_files()]
    return stub.DAGS, modules


def resolved_params(dag, **values):
    return {k: p.resolve(values.get(k, stub.NOTSET)) for k, p in dag.params.items()}


class OutletEvents(defaultdict):
    def __init__(self):
        super().__init__(lambda: types.SimpleNamespace(extra=None))


def context(flavour, dag, try_number=1, events=None, **values):
    ctx = {"params": resolved_params(dag, **values), "ti": types.SimpleNamespace(try_number=try_number),
           "outlet_events": OutletEvents()}
    if events is not None:
        ctx["triggering_asset_events" if flavour == "airflow3" else "triggering_dataset_events"] = events
    return ctx


def submit(task, ctx):
    stub.SparkSubmitOperator.SUBMITTED.clear()
    task.execute(ctx)
    return stub.SparkSubmitOperator.SUBMITTED[-1]


def chain_order(dag):
    """Task ids from the single root along the only downstream edge of each, checking it is a chain."""
    roots = [t for t in dag.tasks.values() if not t.upstream_task_ids]
    assert len(roots) == 1, "expected one root task, found %s" % [t.task_id for t in roots]
    order, task = [], roots[0]
    while True:
        order.append(task.task_id)
        if not task.downstream_task_ids:
            return order
        assert len(task.downstream_task_ids) == 1, task.downstream_task_ids
        task = dag.tasks[next(iter(task.downstream_task_ids))]


class DagStructureTest(unittest.TestCase):
    def test_both_dag_files_import_on_airflow_2_and_3(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dags, modules = load(flavour)
                self.assertEqual(len(modules), 3)
                self.assertEqual(sorted(dags), ["distillery_pipeline", "distillery_redistill"])
                common = sys.modules["distillery_common"]
                self.assertEqual(common.AIRFLOW_3, flavour == "airflow3")
                expected = stub.Asset if flavour == "airflow3" else stub.Dataset
                self.assertIsInstance(common.SOFT_LABELS, expected)

    def test_pipeline_runs_one_spark_submit_per_stage_in_order(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dag = load(flavour)[0]["distillery_pipeline"]
                self.assertEqual(chain_order(dag), PIPELINE_TASKS)
                for task in dag.tasks.values():
                    self.assertIsInstance(task, stub.SparkSubmitOperator)
                    self.assertEqual(task._java_class, "dev.distillery.jobs.cli.DistilleryCli")
                    self.assertEqual(task._conn_id, "spark_default")
                    self.assertEqual(task.stage.replace("-", "_"), task.task_id)

    def test_runs_are_one_at_a_time_without_catchup(self):
        for flavour in FLAVOURS:
            dags = load(flavour)[0]
            for dag in dags.values():
                with self.subTest(flavour=flavour, dag=dag.dag_id):
                    self.assertEqual(dag.max_active_runs, 1)
                    self.assertFalse(dag.catchup)
                    self.assertIsNotNone(dag.dagrun_timeout)

    def test_soft_labels_and_models_are_assets_and_trigger_redistillation(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dags = load(flavour)[0]
                common = sys.modules["distillery_common"]
                pipeline, redistill = dags["distillery_pipeline"], dags["distillery_redistill"]
                self.assertIsNone(pipeline.schedule)
                self.assertEqual(pipeline.tasks["label"].outlets, [common.SOFT_LABELS])
                self.assertEqual(pipeline.tasks["export"].outlets, [common.MODELS])
                self.assertEqual(redistill.schedule, [common.SOFT_LABELS])
                self.assertEqual(chain_order(redistill), REDISTILL_TASKS)
                self.assertEqual(redistill.tasks["export"].outlets, [common.MODELS])


class RetryPolicyTest(unittest.TestCase):
    def test_every_task_retries_with_exponential_backoff_and_has_a_timeout(self):
        for flavour in FLAVOURS:
            for dag in load(flavour)[0].values():
                for task in dag.tasks.values():
                    with self.subTest(flavour=flavour, task=dag.dag_id + "." + task.task_id):
                        self.assertGreaterEqual(task.retries, 1)
                        self.assertTrue(task.retry_exponential_backoff)
                        self.assertGreater(task.max_retry_delay, task.retry_delay)
                        self.assertIsInstance(task.execution_timeout, timedelta)
                        self.assertGreater(task.execution_timeout, timedelta(0))

    def failure(self, flavour, message, code):
        dag = load(flavour)[0]["distillery_pipeline"]
        stub.SparkSubmitOperator.fail_with = (code, message)
        task = dag.tasks["train_teacher"]
        with self.assertRaises(stub.AirflowException) as raised:
            task.execute(context(flavour, dag))
        return raised.exception

    def test_bad_input_and_failed_gates_fail_without_retry(self):
        for flavour in FLAVOURS:
            for code in (2, 4):
                with self.subTest(flavour=flavour, code=code):
                    err = self.failure(flavour, "Cannot execute: spark-submit --master local[2] ... Error code is: "
                                       "%d." % code, code)
                    self.assertIsInstance(err, stub.AirflowFailException)
                    self.assertIn("exited %d" % code, str(err))

    def test_transient_and_unknown_failures_go_through_the_retry_policy(self):
        for flavour in FLAVOURS:
            for code in (1, 3, 137):
                with self.subTest(flavour=flavour, code=code):
                    err = self.failure(flavour, "Cannot execute: spark-submit ... Error code is: %d." % code, code)
                    self.assertNotIsInstance(err, stub.AirflowFailException)

    def test_the_driver_pods_exit_code_counts_on_kubernetes(self):
        err = self.failure("airflow3", "Cannot execute: spark-submit ... Error code is: 0. Kubernetes spark exit "
                           "code is: 2", 0)
        self.assertIsInstance(err, stub.AirflowFailException)

    def test_a_retried_try_resumes_from_the_last_checkpoint(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dag = load(flavour)[0]["distillery_pipeline"]
                first = submit(dag.tasks["train_teacher"], context(flavour, dag, try_number=1))
                second = submit(dag.tasks["train_teacher"], context(flavour, dag, try_number=2))
                self.assertNotIn("--resume", first["application_args"])
                self.assertEqual(second["application_args"][-1], "--resume")


class SparkConnectionTest(unittest.TestCase):
    """Every task submits on each kind of Spark connection, as SparkSubmitHook would build the command."""

    MASTERS = [("spark://spark-master:7077", "client"), ("spark://spark-master:7077", "cluster"),
               ("yarn", "client"), ("yarn", "cluster"), ("k8s://https://api:6443", "cluster"), ("local[2]", None)]

    def test_every_task_submits_in_every_deploy_mode(self):
        for flavour in FLAVOURS:
            for master, mode in self.MASTERS:
                for dag in load(flavour)[0].values():
                    stub.CONNECTIONS["spark_default"] = stub.spark_connection(master, mode)
                    for task in dag.tasks.values():
                        with self.subTest(flavour=flavour, master=master, mode=mode, task=task.task_id):
                            s = submit(task, context(flavour, dag))
                            self.assertEqual((s["master"], s["deploy_mode"]), (master, mode))
                            self.assertEqual(s["conf"]["spark.executorEnv.OMP_NUM_THREADS"], "1")

    def test_the_stand_in_refuses_env_vars_in_standalone_cluster_mode_as_the_hook_does(self):
        stub.install("airflow3")
        stub.CONNECTIONS["spark_default"] = stub.spark_connection("spark://spark-master:7077", "cluster")
        task = stub.SparkSubmitOperator(task_id="t", env_vars={"OMP_NUM_THREADS": "1"})
        with self.assertRaisesRegex(stub.AirflowException, "env_vars is not supported in standalone-cluster"):
            task.execute({})
        stub.CONNECTIONS["spark_default"] = stub.spark_connection("yarn", "cluster")
        task.execute({})
        self.assertEqual(stub.SparkSubmitOperator.SUBMITTED[-1]["conf"],
                         {"spark.yarn.appMasterEnv.OMP_NUM_THREADS": "1"})


class ParamsTest(unittest.TestCase):
    def test_defaults_satisfy_their_schemas(self):
        for flavour in FLAVOURS:
            for dag in load(flavour)[0].values():
                with self.subTest(flavour=flavour, dag=dag.dag_id):
                    params = resolved_params(dag)
                    self.assertTrue(params["config"].endswith(".yaml"))
                    self.assertTrue(params["application_jar"].endswith("distillery-app.jar"))
                    self.assertIsNone(params["temperature"])

    def test_invalid_values_are_rejected_by_the_schema(self):
        dag = load("airflow3")[0]["distillery_pipeline"]
        bad = {"temperature": 0, "teacher_epochs": 0, "student_epochs": 2.5, "profiles": ["Cortex M7"],
               "overrides": ["teacher.epochs"], "spark_conf": {"spark.executor.cores": 2}, "config": "",
               "application_jar": "distillery.zip", "force": "yes"}
        for name, value in bad.items():
            with self.subTest(name):
                with self.assertRaises(stub.ParamValidationError):
                    dag.params[name].resolve(value)

    def test_out_and_config_are_file_system_paths_not_uris(self):
        for flavour in FLAVOURS:
            for dag in load(flavour)[0].values():
                for name in ("out", "config"):
                    for uri in ("s3a://bucket/runs/fm", "hdfs://nn:8020/runs/fm", "file:///shared/runs/fm",
                                "gs://b/fm.yaml"):
                        with self.subTest(flavour=flavour, dag=dag.dag_id, param=name, value=uri):
                            with self.assertRaises(stub.ParamValidationError):
                                dag.params[name].resolve(uri)
                    for path in ("/shared/runs/fm", "runs/fm", "/data/a:b/fm"):
                        with self.subTest(flavour=flavour, dag=dag.dag_id, param=name, value=path):
                            self.assertEqual(dag.params[name].resolve(path), path)

    def test_typed_params_become_config_overrides_and_spark_conf(self):
        dag = load("airflow3")[0]["distillery_pipeline"]
        ctx = context("airflow3", dag, config="/shared/fm.yaml", out="/shared/runs/fm", teacher_epochs=3,
                      student_epochs=5, temperature=2, profiles=["cortex-m7", "rpi4"],
                      overrides=["prune.sparsity=0.6"], spark_conf={"spark.executor.memory": "6g"}, force=True,
                      application_jar="/opt/d/distillery-app.jar")
        s = submit(dag.tasks["distill"], ctx)
        self.assertEqual(s["application"], "/opt/d/distillery-app.jar")
        self.assertEqual(s["application_args"], [
            "distill", "--config", "/shared/fm.yaml", "--out", "/shared/runs/fm",
            "--set", "teacher.epochs=3", "--set", "distill.epochs=5", "--set", "distill.temperature=2.0",
            "--set", "evaluation.profiles=[cortex-m7, rpi4]", "--set", "prune.sparsity=0.6", "--force"])
        self.assertEqual(s["conf"]["spark.executor.memory"], "6g")
        self.assertEqual(s["conf"]["spark.executorEnv.OMP_NUM_THREADS"], "1")
        self.assertIn("sun.nio.ch", s["conf"]["spark.driver.extraJavaOptions"])


class DataAwareTest(unittest.TestCase):
    def test_soft_labels_task_tells_where_they_are(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dag = load(flavour)[0]["distillery_pipeline"]
                common = sys.modules["distillery_common"]
                ctx = context(flavour, dag, out="/shared/runs/a")
                submit(dag.tasks["label"], ctx)
                self.assertEqual(ctx["outlet_events"][common.SOFT_LABELS].extra["out"], "/shared/runs/a")

    def test_redistill_works_where_the_event_says(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dag = load(flavour)[0]["distillery_redistill"]
                event = types.SimpleNamespace(source_dag_id="teacher_refresh",
                                              extra={"out": "/shared/runs/b", "config": "/shared/b.yaml"})
                s = submit(dag.tasks["distill"], context(flavour, dag, events={"distillery://soft-labels": [event]}))
                args = s["application_args"]
                self.assertEqual(args[:5], ["distill", "--config", "/shared/b.yaml", "--out", "/shared/runs/b"])

    def test_redistill_refuses_an_event_naming_a_uri(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dag = load(flavour)[0]["distillery_redistill"]
                event = types.SimpleNamespace(source_dag_id="teacher_refresh", extra={"out": "s3a://bucket/runs/b"})
                stub.SparkSubmitOperator.SUBMITTED.clear()
                with self.assertRaisesRegex(stub.AirflowFailException, "out=s3a://bucket/runs/b, a URI"):
                    dag.tasks["distill"].execute(context(flavour, dag, events={"u": [event]}))
                self.assertEqual(stub.SparkSubmitOperator.SUBMITTED, [])

    def test_redistill_skips_soft_labels_the_pipeline_distills_itself(self):
        for flavour in FLAVOURS:
            with self.subTest(flavour):
                dag = load(flavour)[0]["distillery_redistill"]
                event = types.SimpleNamespace(source_dag_id="distillery_pipeline", extra={"out": "/x"})
                with self.assertRaises(stub.AirflowSkipException):
                    dag.tasks["distill"].execute(context(flavour, dag, events={"u": [event]}))


FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


class CliContractTest(unittest.TestCase):
    """Every stage and flag a DAG passes exists in the Java CLI, as its own --help output says."""

    @classmethod
    def setUpClass(cls):
        path = os.environ.get("DISTILLERY_CLI_HELP")
        if not path:
            raise unittest.SkipTest("DISTILLERY_CLI_HELP not set (mvn verify sets it)")
        with open(path, encoding="utf-8") as f:
            cls.help = json.load(f)

    def test_help_file_covers_every_stage(self):
        self.assertEqual(sorted(self.help["stages"]), sorted(stub_stages()))

    def test_every_flag_and_stage_the_dags_pass_exists(self):
        combos = [dict(), dict(teacher_epochs=2, student_epochs=2, temperature=3.5, profiles=["cortex-m7"],
                               overrides=["qat.epochs=1"], force=True)]
        for flavour in FLAVOURS:
            for dag in load(flavour)[0].values():
                for task in dag.tasks.values():
                    for values in combos:
                        if dag.dag_id == "distillery_redistill":
                            values = {k: v for k, v in values.items() if k != "teacher_epochs"}
                        for try_number in (1, 2):
                            args = submit(task, context(flavour, dag, try_number, **values))["application_args"]
                            with self.subTest(flavour=flavour, task=dag.dag_id + "." + task.task_id,
                                              try_number=try_number):
                                stage = args[0]
                                self.assertIn(stage, self.help["stages"])
                                known = set(FLAG.findall(self.help["stages"][stage]))
                                used = {a for a in args[1:] if a.startswith("--")}
                                self.assertLessEqual(used, known, "flags the CLI does not have")


def stub_stages():
    load("airflow3")
    return list(sys.modules["distillery_common"].STAGES)


if __name__ == "__main__":
    unittest.main()
