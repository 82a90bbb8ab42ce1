"""Shared parts of Distillery's DAGs: Airflow 2/3 imports, params, assets, and the spark-submit operator.

Not a DAG file itself (listed in .airflowignore); the DAG files in this folder import it.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

try:  # Airflow 3
    from airflow.sdk import DAG, Asset, Param

    AIRFLOW_3 = True
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.datasets import Dataset as Asset
    from airflow.models.param import Param

    AIRFLOW_3 = False

try:
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
except ImportError:
    from airflow.exceptions import AirflowFailException, AirflowSkipException

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

__all__ = ["DAG", "AIRFLOW_3", "MODELS", "SOFT_LABELS", "STAGES", "DistillerySparkSubmitOperator",
           "default_args", "run_params", "stage_arguments", "START_DATE"]

MAIN_CLASS = "dev.distillery.jobs.cli.DistilleryCli"
HOME = os.environ.get("DISTILLERY_HOME", "/opt/distillery")
SPARK_CONN_ID = os.environ.get("DISTILLERY_SPARK_CONN_ID", "spark_default")
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)

# Pipeline stages in order: CLI stage name -> (task id, execution timeout).
STAGES = {
    "prepare": ("prepare", timedelta(hours=1)),
    "train-teacher": ("train_teacher", timedelta(hours=12)),
    "label": ("label", timedelta(hours=2)),
    "distill": ("distill", timedelta(hours=12)),
    "prune": ("prune", timedelta(hours=4)),
    "qat": ("qat", timedelta(hours=6)),
    "export": ("export", timedelta(minutes=30)),
    "evaluate": ("evaluate", timedelta(hours=1)),
    "deploy": ("deploy", timedelta(minutes=30)),
}

# The CLI's exit codes: 2 bad input or config, 4 a quality gate failed. Retrying cannot change either, so such a
# failure fails the task at once; 3 (transient) and anything else go through the retry policy.
EXIT_MEANINGS = {2: "bad input or config", 3: "transient failure", 4: "a quality gate failed"}
NOT_RETRIED = frozenset({2, 4})


def _asset(name: str, uri: str):
    return Asset(name=name, uri=uri) if AIRFLOW_3 else Asset(uri=uri)


SOFT_LABELS = _asset("distillery_soft_labels", "distillery://soft-labels")
MODELS = _asset("distillery_models", "distillery://models")

_OPENS = " ".join("--add-opens=java.base/%s=ALL-UNNAMED" % p for p in (
    "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
    "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs",
    "sun.security.action", "sun.util.calendar"))
_NATIVE = "-XX:MaxNewSize=128m -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0"
# Measured: one OpenMP thread per Spark task and no JavaCPP memory polling, ~10x on small networks. Executors get
# OMP_NUM_THREADS through Spark conf; the driver limits its own native threads, so the operator sets no env_vars:
# SparkSubmitHook refuses env_vars in standalone cluster deploy mode, which would fail every try of every task.
# glibc keeps the engine's freed tensor memory instead of faulting in fresh pages each step (1.4x per teacher step);
# the values are Distillery's NativeAllocator's (the driver sets the same defaults when it builds its session).
_ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "4294967296",
              "MALLOC_TOP_PAD_": "268435456"}
SPARK_CONF = {
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    **{"spark.executorEnv." + k: v for k, v in _ALLOCATOR.items()},
    "spark.driver.extraJavaOptions": _NATIVE + " " + _OPENS,
    "spark.executor.extraJavaOptions": _NATIVE,
}

_PROFILE = r"^[a-z0-9][a-z0-9._-]*$"
_OVERRIDE = r"^[a-z_]+(\.[a-z_]+)+=.+$"
# The CLI's --out is a file-system path; a URI scheme (s3a://, hdfs://, file://) is refused here rather than by the
# first stage, as a folder named "s3a:" in the driver's working directory.
_LOCAL_PATH = r"^(?![A-Za-z][A-Za-z0-9+.-]*:)"


def run_params(*, teacher: bool) -> dict:
    """The DAG's Params, each typed with JSON schema; null means "as the config file says"."""
    params = {
        "config": Param(f"{HOME}/conf/fashion-mnist.yaml", type="string", minLength=1, pattern=_LOCAL_PATH,
                        description="Pipeline config (YAML): a file-system path the Spark driver can read, not a "
                                    "URI."),
        "out": Param("/data/distillery/runs/fashion-mnist", type="string", minLength=1, pattern=_LOCAL_PATH,
                     description="Output folder: a path on a file system every Spark node sees (shared or "
                                 "network-mounted), not a URI; every stage writes its own sub-folder there."),
        "application_jar": Param(f"{HOME}/jobs/target/distillery-app.jar", type="string", pattern=r"\.jar$",
                                 description="The spark-submit application jar (mvn -DskipTests package)."),
        "student_epochs": Param(None, type=["null", "integer"], minimum=1,
                                description="distill.epochs override."),
        "temperature": Param(None, type=["null", "number"], exclusiveMinimum=0,
                             description="distill.temperature override (> 0)."),
        "profiles": Param(None, type=["null", "array"], items={"type": "string", "pattern": _PROFILE},
                          minItems=1, description="evaluation.profiles override: hardware profile ids."),
        "overrides": Param([], type="array", items={"type": "string", "pattern": _OVERRIDE},
                           description="Further config overrides, key=value (YAML values), e.g. prune.sparsity=0.6."),
        "spark_conf": Param({}, type="object", additionalProperties={"type": "string"},
                            description="Spark properties added to (or replacing) Distillery's defaults."),
        "force": Param(False, type="boolean", description="Redo stages whose manifest says they are up to date."),
    }
    if teacher:
        params["teacher_epochs"] = Param(None, type=["null", "integer"], minimum=1,
                                         description="teacher.epochs override.")
    return params


def default_args() -> dict:
    return {
        "owner": "distillery",
        "retries": 3,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(hours=1),
        "depends_on_past": False,
    }


def config_overrides(run: dict) -> list:
    """The typed params as the CLI's --set key=value overrides, then the free-form ones."""
    sets = []
    if run.get("teacher_epochs") is not None:
        sets.append("teacher.epochs=%d" % run["teacher_epochs"])
    if run.get("student_epochs") is not None:
        sets.append("distill.epochs=%d" % run["student_epochs"])
    if run.get("temperature") is not None:
        sets.append("distill.temperature=%s" % repr(float(run["temperature"])))
    if run.get("profiles"):
        sets.append("evaluation.profiles=[%s]" % ", ".join(run["profiles"]))
    sets.extend(run.get("overrides") or [])
    return sets


def stage_arguments(stage: str, run: dict, resume: bool = False) -> list:
    """`distillery <stage> --config FILE --out DIR [--set k=v ...] [--force] [--resume]`.

    Every stage gets every override: a stage refuses upstream output made under another config.
    """
    args = [stage, "--config", run["config"], "--out", run["out"]]
    for s in config_overrides(run):
        args += ["--set", s]
    if run.get("force"):
        args.append("--force")
    if resume:
        # A retried training stage continues from its newest epoch checkpoint instead of starting over.
        args.append("--resume")
    return args


def triggering_events(context) -> list:
    """Asset (Airflow 3) or dataset (Airflow 2) events that triggered this run, oldest first."""
    events = context.get("triggering_asset_events") or context.get("triggering_dataset_events") or {}
    out = []
    for evs in events.values():
        out.extend(evs)
    return out


_EXIT = re.compile(r"Error code is: (-?\d+)")
_K8S_EXIT = re.compile(r"Kubernetes spark exit code is: (-?\d+)")


def driver_exit_code(error: BaseException, hook) -> int | None:
    """The Distillery driver's exit code behind a failed spark-submit, when it can be known.

    In client deploy mode (and local mode) the driver runs inside spark-submit, so spark-submit's exit code is the
    driver's: SparkSubmitHook raises "Cannot execute: ... Error code is: N." and keeps the process. On Kubernetes
    the hook reports the driver pod's exit code. In standalone and YARN cluster mode it is not reachable; such
    failures are retried.
    """
    text = str(error)
    m = _K8S_EXIT.search(text)
    if m:
        return int(m.group(1))
    process = getattr(hook, "_submit_sp", None)
    code = getattr(process, "returncode", None)
    if isinstance(code, int) and code != 0:
        return code
    m = _EXIT.search(text)
    return int(m.group(1)) if m else None


class DistillerySparkSubmitOperator(SparkSubmitOperator):
    """spark-submit of one Distillery stage, its arguments built from the run's params when the task runs.

    Exit codes 2 (bad input) and 4 (gate failed) fail the task without retries; a retried try adds --resume.
    """

    def __init__(self, *, stage: str, skip_events_from: tuple = (), **kwargs):
        if stage not in STAGES:
            raise ValueError("unknown Distillery stage %r, expected one of %s" % (stage, ", ".join(STAGES)))
        kwargs.setdefault("task_id", STAGES[stage][0])
        kwargs.setdefault("execution_timeout", STAGES[stage][1])
        kwargs.setdefault("java_class", MAIN_CLASS)
        kwargs.setdefault("name", "distillery-" + stage)
        kwargs.setdefault("conn_id", SPARK_CONN_ID)
        super().__init__(**kwargs)
        self.stage = stage
        self.skip_events_from = tuple(skip_events_from)

    def _set(self, name: str, value) -> None:
        # Provider releases store these as public attributes, older ones with a leading underscore.
        setattr(self, name, value)
        if hasattr(self, "_" + name):
            setattr(self, "_" + name, value)

    def resolve_run(self, context) -> dict:
        """Params, with config and out taken from the triggering soft-labels event when it names them."""
        run = dict(context["params"])
        events = triggering_events(context)
        if events:
            extra = getattr(events[-1], "extra", None) or {}
            for key in ("config", "out"):
                if extra.get(key):
                    if not re.match(_LOCAL_PATH, str(extra[key])):
                        # Params are checked by their schema; an event's extra is not, so the same rule applies here.
                        raise AirflowFailException(
                            "the triggering asset event from %s names %s=%s, a URI; Distillery's --%s is a path on a "
                            "file system every Spark node sees" % (getattr(events[-1], "source_dag_id", "?"), key,
                                                                   extra[key], key))
                    run[key] = extra[key]
        return run

    def execute(self, context):
        events = triggering_events(context)
        if self.skip_events_from and events and all(
                getattr(e, "source_dag_id", None) in self.skip_events_from for e in events):
            raise AirflowSkipException("soft labels came from %s, which distills them itself"
                                       % ", ".join(self.skip_events_from))
        run = self.resolve_run(context)
        ti = context.get("ti") or context.get("task_instance")
        resume = getattr(ti, "try_number", 1) > 1
        conf = dict(SPARK_CONF)
        conf.update({k: str(v) for k, v in (run.get("spark_conf") or {}).items()})
        self._set("application", run["application_jar"])
        self._set("application_args", stage_arguments(self.stage, run, resume))
        self._set("conf", conf)
        try:
            result = super().execute(context)
        except AirflowFailException:
            raise
        except Exception as error:
            code = driver_exit_code(error, getattr(self, "_hook", None))
            if code in NOT_RETRIED:
                raise AirflowFailException("distillery %s exited %d (%s): not retried. %s"
                                           % (self.stage, code, EXIT_MEANINGS[code], error)) from error
            raise
        outlet_events = context.get("outlet_events")
        if outlet_events is not None:
            for asset in self.outlets or []:
                # Tells the re-distill DAG where these soft labels (or models) are.
                outlet_events[asset].extra = {"config": run["config"], "out": run["out"], "stage": self.stage}
        return result
