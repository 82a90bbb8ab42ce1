package dev.distillery.airflow.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.airflow.client.ApiVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the fake Airflow knows: DAGs, scripted runs and task logs, and the answers of the DAG, run, task-instance,
 * log and clear endpoints in the shape of one API version, with its paging and request rules.
 */
final class FakeDags {
    private static final Set<String> V2_TRIGGER_FIELDS = Set.of("dag_run_id", "data_interval_start",
            "data_interval_end", "logical_date", "run_after", "conf", "note");
    private static final Set<String> V1_TRIGGER_FIELDS = Set.of("dag_run_id", "logical_date", "execution_date",
            "conf", "note");

    final Map<String, Boolean> dags = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, List<Snapshot>> scenarios = new ConcurrentHashMap<>();
    final Map<String, FakeRun> runs = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, List<String>> logs = new ConcurrentHashMap<>();
    volatile int maxPageLimit = 100;

    /** The worker host Airflow 2 names in its log answers. */
    static final String LOG_HOST = "worker-1";

    private final ApiVersion version;
    private final ObjectMapper json;

    /** A run and where its script stands: {@code cursor} is the next step, {@code shown} the last one read. */
    static final class FakeRun {
        final String dagId;
        final String runId;
        final JsonNode conf;
        final String logicalDate;
        final List<Snapshot> timeline;
        int cursor;
        int shown;

        FakeRun(String dagId, String runId, JsonNode conf, String logicalDate, List<Snapshot> timeline) {
            this.dagId = dagId;
            this.runId = runId;
            this.conf = conf;
            this.logicalDate = logicalDate;
            this.timeline = new ArrayList<>(timeline);
        }
    }

    FakeDags(ApiVersion version, ObjectMapper json) {
        this.version = version;
        this.json = json;
    }

    void requireDag(String dagId) {
        if (!dags.containsKey(dagId)) {
            throw new HttpError(404, "DAG not found", "The DAG with dag_id: `" + dagId + "` was not found", null);
        }
    }

    JsonNode listDags(Map<String, String> q) {
        List<JsonNode> all = new ArrayList<>();
        synchronized (dags) {
            dags.forEach((id, paused) -> all.add(dagJson(id, paused)));
        }
        return page("dags", all, q);
    }

    private ObjectNode dagJson(String id, boolean paused) {
        ObjectNode n = json.createObjectNode().put("dag_id", id).put("is_paused", paused);
        if (version == ApiVersion.V1) {
            n.put("is_active", true);
        } else {
            n.put("is_stale", false);
        }
        return n;
    }

    JsonNode patchDag(String dagId, JsonNode body) {
        if (!body.has("is_paused")) {
            throw new HttpError(400, "Bad Request", "is_paused is required", null);
        }
        dags.put(dagId, body.get("is_paused").asBoolean());
        return dagJson(dagId, dags.get(dagId));
    }

    JsonNode trigger(String dagId, JsonNode body) {
        Set<String> allowed = version == ApiVersion.V2 ? V2_TRIGGER_FIELDS : V1_TRIGGER_FIELDS;
        ArrayNode violations = json.createArrayNode();
        body.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                violations.add(violation("extra_forbidden", f, "Extra inputs are not permitted"));
            }
        });
        if (version == ApiVersion.V2 && !body.has("logical_date")) {
            violations.add(violation("missing", "logical_date", "Field required"));
        }
        if (!violations.isEmpty()) {
            if (version == ApiVersion.V1) {
                throw new HttpError(400, "Bad Request", violations.toString(), null);
            }
            throw new HttpError(422, "Unprocessable Entity", "validation", violations);
        }
        String runId = body.hasNonNull("dag_run_id") ? body.get("dag_run_id").asText()
                : "manual__" + java.time.Instant.now();
        String logical = body.hasNonNull("logical_date") ? body.get("logical_date").asText()
                : version == ApiVersion.V1 ? java.time.Instant.now().toString() : null;
        synchronized (runs) {
            if (runs.containsKey(runKey(dagId, runId))) {
                if (version == ApiVersion.V1) {
                    throw new HttpError(409, "Conflict", "DAGRun with DAG ID: '" + dagId + "' and DAGRun ID: '"
                            + runId + "' already exists", null);
                }
                throw new HttpError(409, "Conflict", "Unique constraint violation", null);
            }
            JsonNode conf = body.has("conf") ? body.get("conf") : json.createObjectNode();
            FakeRun run = new FakeRun(dagId, runId, conf, logical, scenarios.get(dagId));
            runs.put(runKey(dagId, runId), run);
            return runJson(run, false);
        }
    }

    private ObjectNode violation(String type, String field, String msg) {
        ObjectNode v = json.createObjectNode().put("type", type);
        v.putArray("loc").add("body").add(field);
        v.put("msg", msg);
        return v;
    }

    FakeRun run(String dagId, String runId) {
        FakeRun run = runs.get(runKey(dagId, runId));
        if (run == null) {
            throw new HttpError(404, "DAGRun not found", "The DagRun with dag_id: `" + dagId + "` and run_id: `"
                    + runId + "` was not found", null);
        }
        return run;
    }

    /** Reading a run moves its script one step on; its task instances show the step last read. */
    JsonNode runJson(FakeRun run, boolean advance) {
        synchronized (run) {
            Snapshot s = run.timeline.get(run.cursor);
            run.shown = run.cursor;
            if (advance && run.cursor < run.timeline.size() - 1) {
                run.cursor++;
            }
            ObjectNode n = json.createObjectNode().put("dag_id", run.dagId).put("dag_run_id", run.runId)
                    .put("state", s.runState());
            n.put("logical_date", run.logicalDate);
            if (version == ApiVersion.V1) {
                n.put("execution_date", run.logicalDate);
            }
            n.putNull("start_date").putNull("end_date");
            n.set("conf", run.conf);
            return n;
        }
    }

    JsonNode taskInstances(FakeRun run, Map<String, String> q) {
        List<JsonNode> all = new ArrayList<>();
        synchronized (run) {
            Snapshot s = run.timeline.get(run.shown);
            s.taskStates().keySet().forEach(label -> all.add(taskInstanceJson(run, s, label)));
        }
        return page("task_instances", all, q);
    }

    /**
     * One task instance. Both versions find an unmapped one by task id alone and a mapped one only with its map
     * index; asking for a mapped task without one is a 404.
     */
    JsonNode taskInstance(FakeRun run, String taskId, int mapIndex) {
        synchronized (run) {
            Snapshot s = run.timeline.get(run.shown);
            String label = label(taskId, mapIndex);
            if (!s.taskStates().containsKey(label)) {
                boolean mapped = mapIndex < 0 && s.taskStates().keySet().stream()
                        .anyMatch(l -> l.startsWith(taskId + "["));
                throw new HttpError(404, "Task instance not found", mapped
                        ? "Task instance is mapped, add the map_index value to the URL"
                        : "Task instance not found", null);
            }
            return taskInstanceJson(run, s, label);
        }
    }

    /** A snapshot names a mapped task instance {@code task[i]}; the API gives task_id and map_index apart. */
    private ObjectNode taskInstanceJson(FakeRun run, Snapshot s, String label) {
        String state = s.taskStates().get(label);
        ObjectNode n = json.createObjectNode().put("task_id", taskId(label)).put("dag_id", run.dagId)
                .put("dag_run_id", run.runId).put("map_index", mapIndex(label))
                .put("try_number", s.tries().get(label)).put("hostname", LOG_HOST);
        if (state.equals("none")) {
            n.putNull("state");
        } else {
            n.put("state", state);
        }
        return n;
    }

    static String label(String taskId, int mapIndex) {
        return mapIndex < 0 ? taskId : taskId + "[" + mapIndex + "]";
    }

    private static String taskId(String label) {
        int bracket = label.indexOf('[');
        return bracket < 0 ? label : label.substring(0, bracket);
    }

    private static int mapIndex(String label) {
        int bracket = label.indexOf('[');
        return bracket < 0 ? -1 : Integer.parseInt(label.substring(bracket + 1, label.length() - 1));
    }

    JsonNode clear(String dagId, JsonNode body) {
        FakeRun run = run(dagId, body.path("dag_run_id").asText());
        boolean dryRun = body.path("dry_run").asBoolean(true);
        ArrayNode cleared = json.createArrayNode();
        synchronized (run) {
            Snapshot s = run.timeline.get(run.shown);
            Map<String, String> states = new LinkedHashMap<>(s.taskStates());
            states.forEach((task, state) -> {
                if (!body.path("only_failed").asBoolean(true) || state.equals("failed")
                        || state.equals("upstream_failed")) {
                    cleared.add(json.createObjectNode().put("task_id", taskId(task)).put("dag_id", dagId)
                            .put("dag_run_id", run.runId).put("map_index", mapIndex(task)));
                }
            });
            if (!dryRun) {
                cleared.forEach(t -> states.put(label(t.get("task_id").asText(), t.get("map_index").asInt()),
                        "none"));
                Snapshot after = new Snapshot("queued", states, s.tries());
                run.timeline.clear();
                run.timeline.add(after);
                run.cursor = 0;
                run.shown = 0;
            }
        }
        ObjectNode n = json.createObjectNode();
        n.set("task_instances", cleared);
        if (version == ApiVersion.V2) {
            n.put("total_entries", cleared.size());
        }
        return n;
    }

    /**
     * One page of a try's log. Airflow 2: {@code content} is the Python repr of {@code [(host, log)]}, the first
     * page starting with the "*** Found local files" header, and every answer carries a token (past the end, the
     * page is empty). Airflow 3: {@code content} is a list of structured messages, the first page opening with the
     * source-details group, and the token is null on the page that reaches the end.
     *
     * <p>A try without a log is where the two differ. Airflow 3 looks the try up among the task instance's tries
     * (its current one and their history) and answers 404 when there is no such try; a try it knows but whose log
     * is nowhere gets 200 with only the source-details group. Airflow 2 looks up the task instance without the try
     * number, so any try of an existing task instance gets 200: a page holding only its note that the worker's log
     * server had no such file.
     */
    JsonNode logPage(FakeRun run, String taskId, int mapIndex, int tryNumber, String token) {
        List<String> pages = logs.get(logKey(run.dagId, run.runId, taskId, mapIndex, tryNumber));
        Integer reported;
        synchronized (run) {
            reported = run.timeline.get(run.shown).tries().get(label(taskId, mapIndex));
        }
        boolean known = reported != null && (version == ApiVersion.V1 || tryNumber <= reported);
        if (pages == null && !known) {
            throw new HttpError(404, "TaskInstance not found", version == ApiVersion.V1 ? null
                    : "TaskInstance not found", null);
        }
        int index = 0;
        if (token != null) {
            try {
                index = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                        .replace("page:", ""));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "Bad Request", "Bad Signature. Please use only the tokens provided by the "
                        + "API.", null);
            }
        }
        String relative = "dag_id=" + run.dagId + "/run_id=" + run.runId + "/task_id=" + taskId
                + (mapIndex >= 0 ? "/map_index=" + mapIndex : "") + "/attempt=" + tryNumber + ".log";
        String file = "/opt/airflow/logs/" + relative;
        ObjectNode n = json.createObjectNode();
        if (pages == null) {
            String note = "Could not read served logs: 404 Client Error: NOT FOUND for url: http://" + LOG_HOST
                    + ":8793/log/" + relative;
            if (version == ApiVersion.V2) {
                ArrayNode content = n.putArray("content");
                content.addObject().put("event", "::group::Log message source details").putArray("sources")
                        .add(note);
                content.addObject().put("event", "::endgroup::");
                n.putNull("continuation_token");
                return n;
            }
            n.put("content", PythonRepr.hostLogs(LOG_HOST, index > 0 ? "" : "*** " + note + "\n"));
            n.put("continuation_token", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("page:1".getBytes(StandardCharsets.UTF_8)));
            return n;
        }
        String text = index < pages.size() ? pages.get(index) : "";
        int next = Math.min(index + 1, pages.size());
        if (version == ApiVersion.V1) {
            String header = index == 0 ? "*** Found local files:\n***   * " + file + "\n" : "";
            n.put("content", PythonRepr.hostLogs(LOG_HOST, header + text));
        } else {
            ArrayNode content = n.putArray("content");
            if (index == 0) {
                content.addObject().put("event", "::group::Log message source details").putArray("sources")
                        .add(file);
                content.addObject().put("event", "::endgroup::");
            }
            if (!text.isEmpty()) {
                for (String line : text.split("\n")) {
                    content.addObject().put("timestamp", "2026-01-01T00:00:00Z").put("level", "info")
                            .put("event", line).put("logger", "task");
                }
            }
            if (next >= pages.size()) {
                n.putNull("continuation_token");
                return n;
            }
        }
        n.put("continuation_token", Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("page:" + next).getBytes(StandardCharsets.UTF_8)));
        return n;
    }

    private JsonNode page(String field, List<JsonNode> all, Map<String, String> q) {
        int limit = Math.min(Integer.parseInt(q.getOrDefault("limit", "100")), maxPageLimit);
        int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
        ObjectNode n = json.createObjectNode();
        ArrayNode items = n.putArray(field);
        for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
            items.add(all.get(i));
        }
        n.put("total_entries", all.size());
        return n;
    }

    static String runKey(String dagId, String runId) {
        return dagId + "\u0000" + runId;
    }

    static String logKey(String dagId, String runId, String taskId, int mapIndex, int tryNumber) {
        return dagId + "\u0000" + runId + "\u0000" + taskId + "\u0000" + mapIndex + "\u0000" + tryNumber;
    }
}
