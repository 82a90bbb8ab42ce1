"""A recording stand-in for the few Airflow and Spark-provider classes Distillery's DAGs use.

Airflow cannot be installed here, so these classes take the real keyword arguments (anything else is a TypeError,
as Airflow rejects unknown operator arguments), record what the DAG files build, and let tests run an operator's
execute() and see the spark-submit it would make. install("airflow2") lays out Airflow 2's modules
(airflow.DAG, airflow.models.param.Param, airflow.datasets.Dataset, provider fields with a leading underscore);
install("airflow3") lays out Airflow 3's (airflow.sdk.DAG/Param/Asset, airflow.sdk.exceptions).
"""
from __future__ import annotations

import re
import sys
import types
from datetime import timedelta

try:
    import jsonschema as _jsonschema
except ImportError:  # standard library only: the stand-in's own checks still run
    _jsonschema = None

NOTSET = object()


class AirflowException(Exception):
    pass


class AirflowFailException(AirflowException):
    pass


class AirflowSkipException(AirflowException):
    pass


class ParamValidationError(AirflowException):
    pass


def validate(value, schema, path="value"):
    """The JSON-schema keywords the DAGs use; raises ParamValidationError naming the path."""
    types_ = schema.get("type")
    if types_ is not None:
        allowed = types_ if isinstance(types_, list) else [types_]
        if not any(_is(value, t) for t in allowed):
            raise ParamValidationError("%s: %r is not of type %s" % (path, value, allowed))
    if value is None:
        return
    if "minimum" in schema and value < schema["minimum"]:
        raise ParamValidationError("%s: %r is less than %r" % (path, value, schema["minimum"]))
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        raise ParamValidationError("%s: %r must be > %r" % (path, value, schema["exclusiveMinimum"]))
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise ParamValidationError("%s: %r is too short" % (path, value))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ParamValidationError("%s: %r does not match %r" % (path, value, schema["pattern"]))
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise ParamValidationError("%s: %r has too few items" % (path, value))
    if "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], "%s[%d]" % (path, i))
    if isinstance(schema.get("additionalProperties"), dict):
        for k, v in value.items():
            validate(v, schema["additionalProperties"], "%s.%s" % (path, k))
    known = {"type", "minimum", "exclusiveMinimum", "minLength", "pattern", "minItems", "items",
             "additionalProperties", "description", "title"}
    unknown = set(schema) - known
    if unknown:
        raise AssertionError("stand-in does not check schema keywords %s; add them" % sorted(unknown))


def _is(value, t):
    if t == "null":
        return value is None
    if t == "string":
        return isinstance(value, str)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "array":
        return isinstance(value, list)
    if t == "object":
        return isinstance(value, dict)
    raise AssertionError("unknown JSON schema type %r" % t)


class Param:
    """airflow.models.param.Param / airflow.sdk.Param: Param(default, description=None, **schema)."""

    def __init__(self, default=NOTSET, description=None, **kwargs):
        self.value = default
        self.description = description
        self.schema = kwargs.pop("schema") if "schema" in kwargs else kwargs

    def resolve(self, value=NOTSET):
        value = self.value if value is NOTSET else value
        try:
            validate(value, self.schema)
            error = None
        except ParamValidationError as e:
            error = e
        if _jsonschema is not None:
            # Where jsonschema (what Airflow validates params with) is installed, it must agree with the stand-in.
            _jsonschema.Draft202012Validator.check_schema(self.schema)
            valid = _jsonschema.Draft202012Validator(self.schema).is_valid(value)
            if valid != (error is None):
                raise AssertionError("stand-in and jsonschema disagree on %r under %r" % (value, self.schema))
        if error is not None:
            raise error
        return value


class Dataset:
    """airflow.datasets.Dataset (Airflow 2)."""

    def __init__(self, uri, extra=None):
        if uri.startswith("airflow"):
            raise ValueError("dataset URIs may not start with 'airflow'")
        self.uri = uri
        self.extra = extra

    def __repr__(self):
        return "Dataset(%r)" % self.uri


class Asset:
    """airflow.sdk.Asset (Airflow 3)."""

    def __init__(self, name=None, uri=None, *, group="asset", extra=None, watchers=()):
        if name is None and uri is None:
            raise TypeError("Asset() requires either 'name' or 'uri'")
        self.name = name or uri
        self.uri = uri or name
        self.group = group
        self.extra = extra

    def __repr__(self):
        return "Asset(name=%r, uri=%r)" % (self.name, self.uri)


DAGS = {}
_current = []


class DAG:
    def __init__(self, dag_id, description=None, schedule=None, start_date=None, end_date=None,
                 template_searchpath=None, user_defined_macros=None, user_defined_filters=None, default_args=None,
                 max_active_tasks=16, max_active_runs=16, max_consecutive_failed_dag_runs=0,
                 dagrun_timeout=None, catchup=False, on_success_callback=None, on_failure_callback=None,
                 doc_md=None, params=None, access_control=None, is_paused_upon_creation=None,
                 jinja_environment_kwargs=None, render_template_as_native_obj=False, tags=None, owner_links=None,
                 auto_register=True, fail_fast=False, dag_display_name=None):
        self.dag_id = dag_id
        self.description = description
        self.schedule = schedule
        self.start_date = start_date
        self.default_args = dict(default_args or {})
        self.max_active_runs = max_active_runs
        self.dagrun_timeout = dagrun_timeout
        self.catchup = catchup
        self.doc_md = doc_md
        self.params = dict(params or {})
        self.tags = tags
        self.tasks = {}
        DAGS[dag_id] = self

    def __enter__(self):
        _current.append(self)
        return self

    def __exit__(self, *exc):
        _current.pop()


_BASE_ARGS = {"owner", "retries", "retry_delay", "retry_exponential_backoff", "max_retry_delay",
              "depends_on_past", "execution_timeout", "email", "email_on_failure", "email_on_retry", "pool",
              "queue", "trigger_rule", "on_failure_callback", "on_retry_callback"}


class BaseOperator:
    def __init__(self, *, task_id, owner="airflow", email=None, email_on_retry=True, email_on_failure=True,
                 retries=0, retry_delay=timedelta(seconds=300), retry_exponential_backoff=False,
                 max_retry_delay=None, start_date=None, end_date=None, depends_on_past=False,
                 execution_timeout=None, on_failure_callback=None, on_success_callback=None,
                 on_retry_callback=None, trigger_rule="all_success", pool=None, pool_slots=1, queue="default",
                 priority_weight=1, outlets=None, inlets=None, dag=None, doc_md=None, task_display_name=None,
                 **kwargs):
        if kwargs:
            raise TypeError("Invalid arguments were passed to %s (task_id: %s). Invalid arguments were: %s"
                            % (type(self).__name__, task_id, kwargs))
        self.dag = dag or (_current[-1] if _current else None)
        given = dict(locals())
        defaults = self.dag.default_args if self.dag else {}
        for key in _BASE_ARGS:
            if key in defaults and given.get(key) == BaseOperator.__init__.__kwdefaults__.get(key):
                given[key] = defaults[key]
        self.task_id = task_id
        self.owner = given["owner"]
        self.retries = given["retries"]
        self.retry_delay = given["retry_delay"]
        self.retry_exponential_backoff = given["retry_exponential_backoff"]
        self.max_retry_delay = given["max_retry_delay"]
        self.execution_timeout = given["execution_timeout"]
        self.depends_on_past = given["depends_on_past"]
        self.trigger_rule = trigger_rule
        self.outlets = list(outlets or [])
        self.upstream_task_ids = set()
        self.downstream_task_ids = set()
        if self.dag is not None:
            if task_id in self.dag.tasks:
                raise ValueError("duplicate task id %s" % task_id)
            self.dag.tasks[task_id] = self

    def __rshift__(self, other):
        self.downstream_task_ids.add(other.task_id)
        other.upstream_task_ids.add(self.task_id)
        return other


class FakeHook:
    """What SparkSubmitHook keeps after spark-submit ended: the process and its return code."""

    def __init__(self, returncode):
        self._submit_sp = types.SimpleNamespace(returncode=returncode)


# Spark connections by id: the master URL (the connection's host, with its scheme) and the deploy-mode extra.
# Without a connection SparkSubmitHook falls back to master "yarn" and no deploy mode.
CONNECTIONS = {}


def spark_connection(master, deploy_mode=None):
    return {"master": master, "deploy_mode": deploy_mode}


def check_env_vars(env_vars, master, deploy_mode):
    """SparkSubmitHook's rule for env_vars when it builds the spark-submit command (_build_spark_common_args).

    On YARN they become spark.yarn.appMasterEnv.* and on Kubernetes spark.kubernetes.driverEnv.* settings; elsewhere
    they go into spark-submit's own environment, which in cluster deploy mode never reaches the driver, so the hook
    raises. Returns the --conf settings they become.
    """
    if not env_vars:
        return {}
    if "yarn" in master:
        return {"spark.yarn.appMasterEnv." + k: str(v) for k, v in env_vars.items()}
    if "k8s" in master:
        return {"spark.kubernetes.driverEnv." + k: str(v) for k, v in env_vars.items()}
    if deploy_mode == "cluster":
        raise AirflowException("SparkSubmitHook env_vars is not supported in standalone-cluster mode.")
    return {}


class SparkSubmitOperator(BaseOperator):
    """airflow.providers.apache.spark.operators.spark_submit.SparkSubmitOperator."""

    SUBMITTED = []
    fail_with = None  # (return code, message) the next execute() fails with, as SparkSubmitHook.submit does
    legacy_fields = False  # provider releases before the public attributes kept them as _application_args etc.

    def __init__(self, *, application="", conf=None, conn_id="spark_default", files=None, py_files=None,
                 archives=None, driver_class_path=None, jars=None, java_class=None, packages=None,
                 exclude_packages=None, repositories=None, total_executor_cores=None, executor_cores=None,
                 executor_memory=None, driver_memory=None, keytab=None, principal=None, proxy_user=None,
                 name="arrow-spark", num_executors=None, status_poll_interval=1, application_args=None,
                 env_vars=None, verbose=False, spark_binary=None, properties_file=None, yarn_queue=None,
                 deploy_mode=None, use_krb5ccache=False, **kwargs):
        super().__init__(**kwargs)
        fields = {"application": application, "conf": conf, "application_args": application_args,
                  "env_vars": env_vars, "name": name}
        for key, value in fields.items():
            setattr(self, ("_" + key) if self.legacy_fields else key, value)
        self._java_class = java_class
        self._conn_id = conn_id
        self._deploy_mode = deploy_mode
        self._hook = None

    def _field(self, key):
        return getattr(self, ("_" + key) if self.legacy_fields else key)

    def execute(self, context):
        connection = CONNECTIONS.get(self._conn_id, spark_connection("yarn"))
        deploy_mode = self._deploy_mode or connection["deploy_mode"]
        env_vars = self._field("env_vars")
        # As SparkSubmitHook.submit: the command is built (and env_vars checked) before spark-submit starts.
        env_conf = check_env_vars(env_vars, connection["master"], deploy_mode)
        submission = {"task_id": self.task_id, "java_class": self._java_class,
                      "application": self._field("application"),
                      "application_args": list(self._field("application_args") or []),
                      "conf": dict(self._field("conf") or {}, **env_conf), "env_vars": env_vars,
                      "master": connection["master"], "deploy_mode": deploy_mode}
        SparkSubmitOperator.SUBMITTED.append(submission)
        if SparkSubmitOperator.fail_with is not None:
            code, message = SparkSubmitOperator.fail_with
            SparkSubmitOperator.fail_with = None
            self._hook = FakeHook(code)
            raise AirflowException(message)
        return None


def _module(name, **attrs):
    m = types.ModuleType(name)
    m.__path__ = []  # every stand-in module can hold submodules
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m
    return m


def install(flavour):
    """Replaces any airflow modules (and previously imported DAG modules) with this stand-in."""
    assert flavour in ("airflow2", "airflow3"), flavour
    for name in list(sys.modules):
        if name == "airflow" or name.startswith("airflow.") or name.startswith("distillery_"):
            del sys.modules[name]
    DAGS.clear()
    CONNECTIONS.clear()
    CONNECTIONS["spark_default"] = spark_connection("spark://spark-master:7077", "client")
    SparkSubmitOperator.SUBMITTED.clear()
    SparkSubmitOperator.fail_with = None
    SparkSubmitOperator.legacy_fields = flavour == "airflow2"
    exceptions = dict(AirflowException=AirflowException, AirflowFailException=AirflowFailException,
                      AirflowSkipException=AirflowSkipException, ParamValidationError=ParamValidationError)
    root = _module("airflow")
    _module("airflow.exceptions", **exceptions)
    _module("airflow.models")
    _module("airflow.models.param", Param=Param)
    _module("airflow.providers")
    _module("airflow.providers.apache")
    _module("airflow.providers.apache.spark")
    _module("airflow.providers.apache.spark.operators")
    _module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)
    if flavour == "airflow2":
        root.DAG = DAG
        _module("airflow.datasets", Dataset=Dataset)
    else:
        _module("airflow.sdk", DAG=DAG, Param=Param, Asset=Asset, BaseOperator=BaseOperator)
        _module("airflow.sdk.exceptions", **exceptions)
    return sys.modules[__name__]
