package dev.distillery.airflow.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.distillery.airflow.client.ApiVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-process Airflow web server that serves one REST API version as Airflow documents it: {@code /api/v1} with
 * basic auth and problem-JSON errors (Airflow 2), or {@code /api/v2} with JWTs from {@code POST /auth/token},
 * {@code {"detail"}} errors and 422 validation lists (Airflow 3). It pages with limit/offset and total_entries,
 * runs scripted DAG runs, serves logs in continuation-token pages, and injects faults on request.
 */
public final class FakeAirflowServer implements AutoCloseable {
    /** How long a {@link Fault#SLOW} answer takes. */
    public static final long SLOW_MILLIS = 6000;
    private static final Set<String> V2_TRIGGER_FIELDS = Set.of("dag_run_id", "data_interval_start",
            "data_interval_end", "logical_date", "run_after", "conf", "note");
    private static final Set<String> V1_TRIGGER_FIELDS = Set.of("dag_run_id", "logical_date", "execution_date",
            "conf", "note");

    private final ApiVersion version;
    private final String username;
    private final String password;
    private final HttpServer http;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ObjectMapper json = new ObjectMapper();

    private final Map<String, Boolean> dags = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, List<Snapshot>> scenarios = new ConcurrentHashMap<>();
    private final Map<String, FakeRun> runs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final List<FaultRule> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile int maxPageLimit = 100;
    private volatile int tokensIssued;

    private record FaultRule(String method, String pathPart, Fault fault) {
    }

    private static final class FakeRun {
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

    private static class HttpError extends RuntimeException {
        final int status;
        final String title;
        final ArrayNode violations;

        HttpError(int status, String title, String detail, ArrayNode violations) {
            super(detail);
            this.status = status;
            this.title = title;
            this.violations = violations;
        }
    }

    public FakeAirflowServer(ApiVersion version, String username, String password) throws IOException {
        this.version = version;
        this.username = username;
        this.password = password;
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::handle);
        http.setExecutor(pool);
        http.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    // ---- set-up and inspection for tests ----

    public FakeAirflowServer dag(String dagId, List<Snapshot> scenario) {
        dags.put(dagId, false);
        scenarios.put(dagId, List.copyOf(scenario));
        return this;
    }

    /** Serves {@code pages} as the log of one try, one continuation-token page each. */
    public FakeAirflowServer log(String dagId, String runId, String taskId, int tryNumber, List<String> pages) {
        logs.put(logKey(dagId, runId, taskId, tryNumber), List.copyOf(pages));
        return this;
    }

    /** The largest page Airflow hands out, whatever limit the client asks for. */
    public FakeAirflowServer maxPageLimit(int limit) {
        this.maxPageLimit = limit;
        return this;
    }

    /** The next request whose method matches and whose path contains {@code pathPart} suffers {@code fault}. */
    public FakeAirflowServer fault(String method, String pathPart, Fault fault) {
        faults.add(new FaultRule(method, pathPart, fault));
        return this;
    }

    /** Every token issued so far stops working, as when they expire. */
    public void expireTokens() {
        validTokens.clear();
    }

    public int tokensIssued() {
        return tokensIssued;
    }

    public int runCount(String dagId) {
        synchronized (runs) {
            return (int) runs.values().stream().filter(r -> r.dagId.equals(dagId)).count();
        }
    }

    public boolean paused(String dagId) {
        return dags.get(dagId);
    }

    /** "METHOD /path?query" of every request received, in order. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public long count(String method, String pathPart) {
        return requests().stream().filter(r -> r.startsWith(method + " ") && r.contains(pathPart)).count();
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }

    // ---- request handling ----

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
        String rawQuery = ex.getRequestURI().getRawQuery();
        requests.add(method + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
        byte[] in = ex.getRequestBody().readAllBytes();
        Fault fault = takeFault(method, rawPath);
        if (fault == Fault.DROP) {
            drop(ex);
            return;
        }
        if (fault == Fault.ERROR_500) {
            send(ex, 500, error(500, "Internal Server Error", "injected failure", null));
            return;
        }
        int status;
        JsonNode body;
        try {
            JsonNode result = route(ex, method, rawPath, query(rawQuery), in);
            status = rawPath.equals("/auth/token") ? 201 : 200;
            body = result;
        } catch (HttpError e) {
            status = e.status;
            body = error(e.status, e.title, e.getMessage(), e.violations);
        }
        if (fault == Fault.SLOW) {
            sleep(SLOW_MILLIS);
        }
        if (fault == Fault.COMMIT_THEN_DROP) {
            drop(ex);
            return;
        }
        if (fault == Fault.COMMIT_THEN_500) {
            send(ex, 500, error(500, "Internal Server Error", "injected failure after commit", null));
            return;
        }
        send(ex, status, body);
    }

    private JsonNode route(HttpExchange ex, String method, String rawPath, Map<String, String> q, byte[] in) {
        if (rawPath.equals("/auth/token") && version == ApiVersion.V2 && method.equals("POST")) {
            return token(in);
        }
        String prefix = version.prefix();
        if (!rawPath.startsWith(prefix + "/")) {
            throw new HttpError(404, "Not Found", "Not Found", null);
        }
        List<String> seg = new ArrayList<>();
        for (String s : rawPath.substring(prefix.length() + 1).split("/")) {
            seg.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        }
        String healthPath = version == ApiVersion.V1 ? "health" : "monitor";
        if (method.equals("GET") && seg.get(0).equals(healthPath)) {
            return health();
        }
        authenticate(ex);
        if (method.equals("GET") && seg.equals(List.of("version"))) {
            return json.createObjectNode().put("version", version == ApiVersion.V1 ? "2.10.5" : "3.1.0")
                    .putNull("git_version");
        }
        if (!seg.get(0).equals("dags")) {
            throw new HttpError(404, "Not Found", "Not Found", null);
        }
        if (seg.size() == 1 && method.equals("GET")) {
            return listDags(q);
        }
        String dagId = seg.get(1);
        if (!dags.containsKey(dagId)) {
            throw new HttpError(404, "DAG not found", "The DAG with dag_id: `" + dagId + "` was not found", null);
        }
        if (seg.size() == 2 && method.equals("PATCH")) {
            return patchDag(dagId, parse(in));
        }
        if (seg.size() == 3 && seg.get(2).equals("clearTaskInstances") && method.equals("POST")) {
            return clear(dagId, parse(in));
        }
        if (seg.size() == 3 && seg.get(2).equals("dagRuns") && method.equals("POST")) {
            return trigger(dagId, parse(in));
        }
        if (seg.size() >= 4 && seg.get(2).equals("dagRuns")) {
            FakeRun run = run(dagId, seg.get(3));
            if (seg.size() == 4 && method.equals("GET")) {
                return runJson(run, true);
            }
            if (seg.size() == 5 && seg.get(4).equals("taskInstances") && method.equals("GET")) {
                return taskInstances(run, q);
            }
            if (seg.size() == 8 && seg.get(6).equals("logs") && method.equals("GET")) {
                return logPage(run, seg.get(5), Integer.parseInt(seg.get(7)), q.get("token"));
            }
        }
        throw new HttpError(404, "Not Found", "no route for " + method + " " + rawPath, null);
    }

    private JsonNode token(byte[] in) {
        JsonNode body = parse(in);
        if (!username.equals(body.path("username").asText()) || !password.equals(body.path("password").asText())) {
            throw new HttpError(401, "Unauthorized", "Invalid credentials", null);
        }
        String token = UUID.randomUUID().toString();
        validTokens.add(token);
        tokensIssued++;
        return json.createObjectNode().put("access_token", token);
    }

    private void authenticate(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (version == ApiVersion.V1) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(header)) {
                throw new HttpError(401, "Unauthorized", "No credentials found, or the credentials are not valid",
                        null);
            }
        } else if (header == null || !header.startsWith("Bearer ")
                || !validTokens.contains(header.substring("Bearer ".length()))) {
            throw new HttpError(401, "Unauthorized", "Invalid JWT token", null);
        }
    }

    private JsonNode health() {
        ObjectNode n = json.createObjectNode();
        n.putObject("metadatabase").put("status", "healthy");
        n.putObject("scheduler").put("status", "healthy").put("latest_scheduler_heartbeat", "2026-01-01T00:00:00Z");
        if (version == ApiVersion.V2) {
            n.putObject("triggerer").put("status", "healthy");
            n.putObject("dag_processor").put("status", "healthy");
        }
        return n;
    }

    private JsonNode listDags(Map<String, String> q) {
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

    private JsonNode patchDag(String dagId, JsonNode body) {
        if (!body.has("is_paused")) {
            throw new HttpError(400, "Bad Request", "is_paused is required", null);
        }
        dags.put(dagId, body.get("is_paused").asBoolean());
        return dagJson(dagId, dags.get(dagId));
    }

    private JsonNode trigger(String dagId, JsonNode body) {
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
                throw new UniqueViolation();
            }
            JsonNode conf = body.has("conf") ? body.get("conf") : json.createObjectNode();
            FakeRun run = new FakeRun(dagId, runId, conf, logical, scenarios.get(dagId));
            runs.put(runKey(dagId, runId), run);
            return runJson(run, false);
        }
    }

    /** Airflow 3's answer to a duplicate run id: 409 with a {@code detail} object, not a string. */
    private static final class UniqueViolation extends HttpError {
        UniqueViolation() {
            super(409, "Conflict", "Unique constraint violation", null);
        }
    }

    private ObjectNode violation(String type, String field, String msg) {
        ObjectNode v = json.createObjectNode().put("type", type);
        v.putArray("loc").add("body").add(field);
        v.put("msg", msg);
        return v;
    }

    private FakeRun run(String dagId, String runId) {
        FakeRun run = runs.get(runKey(dagId, runId));
        if (run == null) {
            throw new HttpError(404, "DAGRun not found", "The DagRun with dag_id: `" + dagId + "` and run_id: `"
                    + runId + "` was not found", null);
        }
        return run;
    }

    /** Reading a run moves its script one step on; its task instances show the step last read. */
    private JsonNode runJson(FakeRun run, boolean advance) {
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

    private JsonNode taskInstances(FakeRun run, Map<String, String> q) {
        List<JsonNode> all = new ArrayList<>();
        synchronized (run) {
            Snapshot s = run.timeline.get(run.shown);
            s.taskStates().forEach((task, state) -> {
                ObjectNode n = json.createObjectNode().put("task_id", task).put("dag_id", run.dagId)
                        .put("dag_run_id", run.runId).put("map_index", -1)
                        .put("try_number", s.tries().get(task));
                if (state.equals("none")) {
                    n.putNull("state");
                } else {
                    n.put("state", state);
                }
                all.add(n);
            });
        }
        return page("task_instances", all, q);
    }

    private JsonNode clear(String dagId, JsonNode body) {
        FakeRun run = run(dagId, body.path("dag_run_id").asText());
        boolean dryRun = body.path("dry_run").asBoolean(true);
        ArrayNode cleared = json.createArrayNode();
        synchronized (run) {
            Snapshot s = run.timeline.get(run.shown);
            Map<String, String> states = new LinkedHashMap<>(s.taskStates());
            states.forEach((task, state) -> {
                if (!body.path("only_failed").asBoolean(true) || state.equals("failed")
                        || state.equals("upstream_failed")) {
                    cleared.add(json.createObjectNode().put("task_id", task).put("dag_id", dagId)
                            .put("dag_run_id", run.runId));
                }
            });
            if (!dryRun) {
                cleared.forEach(t -> states.put(t.get("task_id").asText(), "none"));
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

    private JsonNode logPage(FakeRun run, String taskId, int tryNumber, String token) {
        List<String> pages = logs.get(logKey(run.dagId, run.runId, taskId, tryNumber));
        if (pages == null) {
            throw new HttpError(404, "Not Found", "TaskInstance not found", null);
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
        ObjectNode n = json.createObjectNode();
        String text = index < pages.size() ? pages.get(index) : "";
        if (version == ApiVersion.V1) {
            n.put("content", text);
        } else {
            ArrayNode content = n.putArray("content");
            if (!text.isEmpty()) {
                for (String line : text.split("\n")) {
                    content.addObject().put("timestamp", "2026-01-01T00:00:00Z").put("level", "info")
                            .put("event", line);
                }
            }
        }
        int next = Math.min(index + 1, pages.size());
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

    private JsonNode error(int status, String title, String detail, ArrayNode violations) {
        if (version == ApiVersion.V1) {
            return json.createObjectNode().put("detail", detail).put("status", status).put("title", title)
                    .put("type", "https://airflow.apache.org/docs/apache-airflow/2.10.5/stable-rest-api-ref.html"
                            + "#section/Errors/" + title.replace(" ", ""));
        }
        ObjectNode n = json.createObjectNode();
        if (violations != null) {
            n.set("detail", violations);
        } else if (status == 409) {
            n.putObject("detail").put("reason", "Unique constraint violation")
                    .put("statement", "INSERT INTO dag_run (dag_id, run_id, ...) VALUES (?, ?, ...)")
                    .put("orig_error", "UNIQUE constraint failed: dag_run.dag_id, dag_run.run_id");
        } else {
            n.put("detail", detail);
        }
        return n;
    }

    // ---- plumbing ----

    private Fault takeFault(String method, String rawPath) {
        synchronized (faults) {
            for (int i = 0; i < faults.size(); i++) {
                FaultRule r = faults.get(i);
                if (r.method.equals(method) && rawPath.contains(r.pathPart)) {
                    faults.remove(i);
                    return r.fault;
                }
            }
        }
        return null;
    }

    private JsonNode parse(byte[] in) {
        try {
            JsonNode n = json.readTree(in);
            if (n == null || !n.isObject()) {
                throw new HttpError(400, "Bad Request", "request body must be a JSON object", null);
            }
            return n;
        } catch (IOException e) {
            throw new HttpError(400, "Bad Request", "request body is not JSON", null);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        boolean problem = version == ApiVersion.V1 && status >= 400;
        ex.getResponseHeaders().set("Content-Type", problem ? "application/problem+json" : "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Closes the socket without a status line: the client sees the connection drop. */
    private static void drop(HttpExchange ex) {
        throw new IllegalStateException("connection dropped on purpose");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String runKey(String dagId, String runId) {
        return dagId + "\u0000" + runId;
    }

    private static String logKey(String dagId, String runId, String taskId, int tryNumber) {
        return dagId + "\u0000" + runId + "\u0000" + taskId + "\u0000" + tryNumber;
    }
}
