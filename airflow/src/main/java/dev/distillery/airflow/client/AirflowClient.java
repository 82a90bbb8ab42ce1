package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.airflow.error.AirflowConflictException;
import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.model.Dag;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.airflow.model.Health;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import dev.distillery.airflow.model.VersionInfo;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Airflow's stable REST API, the same calls for version 1 (Airflow 2) and version 2 (Airflow 3). Every call may
 * throw a subclass of {@link dev.distillery.airflow.error.AirflowApiException}.
 */
public final class AirflowClient {
    static final int PAGE_LIMIT = 100;
    private static final int MAX_LOG_PAGES = 10_000;

    private final ApiVersion version;
    private final HttpTransport transport;
    private final Authenticator auth;
    private final ObjectMapper json = new ObjectMapper();

    public AirflowClient(ClientSettings settings) {
        this(settings, Sleeper.REAL);
    }

    public AirflowClient(ClientSettings settings, Sleeper sleeper) {
        if (settings.apiVersion() == null) {
            throw new IllegalArgumentException("API version must be known; detect it with ApiVersionProbe first");
        }
        this.version = settings.apiVersion();
        this.transport = new HttpTransport(settings, sleeper, new SecureRandom(), json);
        this.auth = version == ApiVersion.V1 ? Authenticator.basic(settings.credentials())
                : new JwtAuthenticator(settings.credentials());
        transport.authenticator(auth);
    }

    public ApiVersion apiVersion() {
        return version;
    }

    /** Tokens obtained from {@code /auth/token} so far (always 0 on API version 1). */
    public int tokensIssued() {
        return auth instanceof JwtAuthenticator j ? j.tokensIssued() : 0;
    }

    /** Every DAG, all pages. */
    public List<Dag> listDags() {
        return pages(api("/dags"), "dags", Dag::fromJson);
    }

    /**
     * Triggers a run of {@code dagId} with {@code conf} under the caller's {@code runId}. Safe to retry: when an
     * earlier attempt reached Airflow but its answer was lost, the retry gets 409 for this very run id, and the run
     * that attempt created (recognised by its conf) is returned instead of an error, so one call never makes two
     * runs. A 409 on the first attempt means the run id was already taken, and is an error.
     */
    public DagRun trigger(String dagId, String runId, JsonNode conf) {
        if (runId == null || runId.isBlank()) {
            throw new IllegalArgumentException("run id must not be blank");
        }
        ObjectNode body = json.createObjectNode().put("dag_run_id", runId);
        body.set("conf", conf == null ? json.createObjectNode() : conf);
        if (version == ApiVersion.V2) {
            // Airflow 3 requires the key; null lets it run "now" without a logical date.
            body.putNull("logical_date");
        }
        try {
            return DagRun.fromJson(transport.send(ApiRequest.send("POST", runsPath(dagId), Map.of(), body)));
        } catch (AirflowConflictException e) {
            if (e.attempts() > 1) {
                DagRun existing = getRun(dagId, runId);
                if (existing.conf().equals(body.get("conf"))) {
                    return existing;
                }
            }
            throw e;
        }
    }

    public DagRun getRun(String dagId, String runId) {
        return DagRun.fromJson(transport.send(ApiRequest.get(runsPath(dagId) + "/" + ApiRequest.encode(runId),
                Map.of())));
    }

    /** Every task instance of a run, all pages. */
    public List<TaskInstance> listTaskInstances(String dagId, String runId) {
        return pages(runsPath(dagId) + "/" + ApiRequest.encode(runId) + "/taskInstances", "task_instances",
                TaskInstance::fromJson);
    }

    /** One task instance; {@code mapIndex} -1 for a task that is not mapped, else the index of the mapped one. */
    public TaskInstance getTaskInstance(String dagId, String runId, String taskId, int mapIndex) {
        return TaskInstance.fromJson(transport.send(ApiRequest.get(taskInstancePath(dagId, runId, taskId, mapIndex),
                Map.of())));
    }

    /** {@link #taskLog(String, String, String, int, int)} of a task that is not mapped. */
    public TaskLog taskLog(String dagId, String runId, String taskId, int tryNumber) {
        return taskLog(dagId, runId, taskId, -1, tryNumber);
    }

    /**
     * The whole log of one try of a task ({@code mapIndex} -1 unless the task is mapped), following continuation
     * tokens until a page comes back empty or Airflow sends no further token; lines are decoded from either API
     * version's format ({@link LogContent}).
     */
    public TaskLog taskLog(String dagId, String runId, String taskId, int mapIndex, int tryNumber) {
        String path = runsPath(dagId) + "/" + ApiRequest.encode(runId) + "/taskInstances/"
                + ApiRequest.encode(taskId) + "/logs/" + tryNumber;
        LogContent log = new LogContent();
        String token = null;
        for (int page = 0; page < MAX_LOG_PAGES; page++) {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("full_content", "false");
            // Both versions read the log of map index -1 unless told otherwise.
            query.put("map_index", String.valueOf(mapIndex));
            if (token != null) {
                query.put("token", token);
            }
            JsonNode answer = transport.send(ApiRequest.get(path, query));
            boolean more = log.addPage(answer.get("content"));
            // Airflow 3 sends no token once the log is complete; Airflow 2 always sends one, and an empty page ends it.
            String next = answer.hasNonNull("continuation_token") ? answer.get("continuation_token").asText() : null;
            if (!more || next == null || next.equals(token)) {
                break;
            }
            token = next;
        }
        return new TaskLog(taskId, mapIndex, tryNumber, log.lines(), log.taskOutput());
    }

    /**
     * The log of the last try of {@code task} that left one: the try the task instance reports, or the one before
     * when that try holds nothing from the task. Airflow 2 answers 200 for a try that never ran, with only its own
     * notes ("*** Could not read served logs: 404 ..."), where Airflow 3 answers 404; a task instance can report
     * such a try when it was scheduled again, or failed before it started. When neither try has output, the
     * reported try's notes are returned, since they say where Airflow looked.
     */
    public TaskLog lastTryLog(String dagId, String runId, TaskInstance task) {
        int reported = task.tryNumber();
        if (reported < 1) {
            throw new IllegalArgumentException("task " + task.label() + " of run " + runId + " has not run yet (try "
                    + reported + "), so it has no log");
        }
        TaskLog log;
        try {
            log = taskLog(dagId, runId, task.taskId(), task.mapIndex(), reported);
        } catch (AirflowNotFoundException e) {
            if (reported < 2) {
                throw e;
            }
            return taskLog(dagId, runId, task.taskId(), task.mapIndex(), reported - 1);
        }
        if (log.taskOutput() || reported < 2) {
            return log;
        }
        try {
            TaskLog earlier = taskLog(dagId, runId, task.taskId(), task.mapIndex(), reported - 1);
            return earlier.taskOutput() ? earlier : log;
        } catch (AirflowNotFoundException e) {
            return log;
        }
    }

    /** Clears the failed tasks of a run (and sets the run back to queued) so Airflow runs them again. */
    public List<TaskInstance> clearFailedTasks(String dagId, String runId, boolean dryRun) {
        ObjectNode body = json.createObjectNode()
                .put("dry_run", dryRun)
                .put("only_failed", true)
                .put("dag_run_id", runId)
                .put("reset_dag_runs", true);
        JsonNode answer = transport.send(ApiRequest.send("POST", api("/dags/" + ApiRequest.encode(dagId)
                + "/clearTaskInstances"), Map.of(), body));
        List<TaskInstance> out = new ArrayList<>();
        answer.path("task_instances").forEach(n -> out.add(TaskInstance.fromJson(n)));
        return out;
    }

    public Dag setPaused(String dagId, boolean paused) {
        ObjectNode body = json.createObjectNode().put("is_paused", paused);
        return Dag.fromJson(transport.send(ApiRequest.send("PATCH", api("/dags/" + ApiRequest.encode(dagId)),
                Map.of("update_mask", "is_paused"), body)));
    }

    public Health health() {
        return Health.fromJson(transport.send(new ApiRequest("GET", api(version.healthPath()), Map.of(), null,
                false)));
    }

    public VersionInfo version() {
        return VersionInfo.fromJson(transport.send(ApiRequest.get(api("/version"), Map.of())));
    }

    private String api(String path) {
        return version.prefix() + path;
    }

    private String runsPath(String dagId) {
        return api("/dags/" + ApiRequest.encode(dagId) + "/dagRuns");
    }

    /** Both versions address an unmapped task instance by task id, a mapped one by task id and map index. */
    private String taskInstancePath(String dagId, String runId, String taskId, int mapIndex) {
        String path = runsPath(dagId) + "/" + ApiRequest.encode(runId) + "/taskInstances/" + ApiRequest.encode(taskId);
        return mapIndex < 0 ? path : path + "/" + mapIndex;
    }

    /** Follows limit/offset pages until {@code total_entries} are read or a page comes back empty. */
    private <T> List<T> pages(String path, String field, Function<JsonNode, T> parse) {
        List<T> out = new ArrayList<>();
        int offset = 0;
        while (true) {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("limit", String.valueOf(PAGE_LIMIT));
            query.put("offset", String.valueOf(offset));
            JsonNode page = transport.send(ApiRequest.get(path, query));
            JsonNode items = page.path(field);
            items.forEach(n -> out.add(parse.apply(n)));
            offset += items.size();
            long total = page.path("total_entries").asLong(-1);
            if (items.isEmpty() || (total >= 0 && offset >= total)) {
                return out;
            }
        }
    }
}
