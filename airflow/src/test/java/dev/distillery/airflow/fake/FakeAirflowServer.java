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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-process Airflow web server that serves one REST API version as Airflow documents it: {@code /api/v1} with
 * basic auth and problem-JSON errors (Airflow 2), or {@code /api/v2} with JWTs from {@code POST /auth/token},
 * {@code {"detail"}} errors and 422 validation lists (Airflow 3). It pages with limit/offset and total_entries,
 * runs scripted DAG runs, serves logs in continuation-token pages, and injects faults on request.
 *
 * <p>It answers as the real servers do where they surprise a client: Airflow 3 says 401 "Not authenticated" without
 * a token, 401 "Token Expired" for an expired one and 403 "Invalid JWT token" for one it cannot verify, and 403
 * "Forbidden" for a permission the user lacks; Airflow 2's health reports a null status for the standalone DAG
 * processor and the triggerer it does not run, and its log endpoint answers 200 for a try that left no log.
 */
public final class FakeAirflowServer implements AutoCloseable {
    /** How long a {@link Fault#SLOW} answer takes. */
    public static final long SLOW_MILLIS = 6000;

    private final ApiVersion version;
    private final HttpServer http;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ObjectMapper json = new ObjectMapper();
    private final FakeDags state;

    private final FakeAuth auth;
    private final Map<String, String> health = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<FaultRule> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    private record FaultRule(String method, String pathPart, Fault fault) {
    }

    public FakeAirflowServer(ApiVersion version, String username, String password) throws IOException {
        this.version = version;
        this.auth = new FakeAuth(version, username, password);
        this.state = new FakeDags(version, json);
        // What a default installation reports: Airflow 2 runs the DAG processor inside the scheduler and no
        // triggerer unless one is started; Airflow 3 runs a standalone DAG processor, and its deployments a triggerer.
        health.put("metadatabase", "healthy");
        health.put("scheduler", "healthy");
        health.put("triggerer", version == ApiVersion.V1 ? null : "healthy");
        health.put("dag_processor", version == ApiVersion.V1 ? null : "healthy");
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
        state.dags.put(dagId, false);
        state.scenarios.put(dagId, List.copyOf(scenario));
        return this;
    }

    /** Serves {@code pages} as the log of one try of a task that is not mapped, one continuation-token page each. */
    public FakeAirflowServer log(String dagId, String runId, String taskId, int tryNumber, List<String> pages) {
        return log(dagId, runId, taskId, -1, tryNumber, pages);
    }

    /** Serves {@code pages} as the log of one try of one map index of a task ({@code -1}: not mapped). */
    public FakeAirflowServer log(String dagId, String runId, String taskId, int mapIndex, int tryNumber,
                                 List<String> pages) {
        state.logs.put(FakeDags.logKey(dagId, runId, taskId, mapIndex, tryNumber), List.copyOf(pages));
        return this;
    }

    /** The largest page Airflow hands out, whatever limit the client asks for. */
    public FakeAirflowServer maxPageLimit(int limit) {
        state.maxPageLimit = limit;
        return this;
    }

    /** The next request whose method matches and whose path contains {@code pathPart} suffers {@code fault}. */
    public FakeAirflowServer fault(String method, String pathPart, Fault fault) {
        faults.add(new FaultRule(method, pathPart, fault));
        return this;
    }

    /** Every token issued so far expires: Airflow 3 answers 401 "Token Expired" to them. */
    public void expireTokens() {
        auth.expireTokens();
    }

    /**
     * The server signs with a new secret, as when an Airflow 3 API server restarts with another
     * {@code [api_auth] jwt_secret}: tokens issued so far fail verification and get 403 "Invalid JWT token".
     */
    public void rotateSigningKey() {
        auth.rotateSigningKey();
    }

    /** Every token this server issues fails verification, as behind API servers that do not share a jwt_secret. */
    public void rejectEveryToken() {
        auth.rejectEveryToken();
    }

    /** The user may not make requests whose method matches and whose path contains {@code pathPart} (403). */
    public FakeAirflowServer deny(String method, String pathPart) {
        auth.deny(method, pathPart);
        return this;
    }

    /** Sets what the health endpoint reports for one component; null is Airflow's status for one that never ran. */
    public FakeAirflowServer health(String component, String status) {
        health.put(component, status);
        return this;
    }

    public int tokensIssued() {
        return auth.tokensIssued();
    }

    public int runCount(String dagId) {
        synchronized (state.runs) {
            return (int) state.runs.values().stream().filter(r -> r.dagId.equals(dagId)).count();
        }
    }

    public boolean paused(String dagId) {
        return state.dags.get(dagId);
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
        if (fault == Fault.LOGIN_PAGE) {
            sendText(ex, 200, "text/html; charset=utf-8", "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
                    + "<body><form method=\"post\" action=\"/oauth2/start\">...</form></body></html>\n");
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
            return auth.token(json, parse(in));
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
        auth.check(ex.getRequestHeaders().getFirst("Authorization"), method, rawPath);
        if (method.equals("GET") && seg.equals(List.of("version"))) {
            return json.createObjectNode().put("version", version == ApiVersion.V1 ? "2.10.5" : "3.1.0")
                    .putNull("git_version");
        }
        if (!seg.get(0).equals("dags")) {
            throw new HttpError(404, "Not Found", "Not Found", null);
        }
        if (seg.size() == 1 && method.equals("GET")) {
            return state.listDags(q);
        }
        String dagId = seg.get(1);
        state.requireDag(dagId);
        if (seg.size() == 2 && method.equals("PATCH")) {
            return state.patchDag(dagId, parse(in));
        }
        if (seg.size() == 3 && seg.get(2).equals("clearTaskInstances") && method.equals("POST")) {
            return state.clear(dagId, parse(in));
        }
        if (seg.size() == 3 && seg.get(2).equals("dagRuns") && method.equals("POST")) {
            return state.trigger(dagId, parse(in));
        }
        if (seg.size() >= 4 && seg.get(2).equals("dagRuns")) {
            FakeDags.FakeRun run = state.run(dagId, seg.get(3));
            if (seg.size() == 4 && method.equals("GET")) {
                return state.runJson(run, true);
            }
            if (seg.size() == 5 && seg.get(4).equals("taskInstances") && method.equals("GET")) {
                return state.taskInstances(run, q);
            }
            if (seg.size() == 8 && seg.get(6).equals("logs") && method.equals("GET")) {
                return state.logPage(run, seg.get(5), Integer.parseInt(q.getOrDefault("map_index", "-1")),
                        Integer.parseInt(seg.get(7)), q.get("token"));
            }
            if (seg.size() == 6 && seg.get(4).equals("taskInstances") && method.equals("GET")) {
                return state.taskInstance(run, seg.get(5), -1);
            }
            if (seg.size() == 7 && seg.get(4).equals("taskInstances") && seg.get(6).matches("\\d+")
                    && method.equals("GET")) {
                return state.taskInstance(run, seg.get(5), Integer.parseInt(seg.get(6)));
            }
        }
        throw new HttpError(404, "Not Found", "no route for " + method + " " + rawPath, null);
    }

    /** Every component with its status; one that never ran has a null status and a null heartbeat. */
    private JsonNode health() {
        ObjectNode n = json.createObjectNode();
        synchronized (health) {
            health.forEach((component, status) -> {
                ObjectNode c = n.putObject(component);
                if (status == null) {
                    c.putNull("status");
                } else {
                    c.put("status", status);
                }
                if (!component.equals("metadatabase")) {
                    String field = "latest_" + component + "_heartbeat";
                    if (status == null) {
                        c.putNull(field);
                    } else {
                        c.put(field, "2026-01-01T00:00:00+00:00");
                    }
                }
            });
        }
        return n;
    }

    private JsonNode error(int status, String title, String detail, ArrayNode violations) {
        if (version == ApiVersion.V1) {
            ObjectNode n = json.createObjectNode();
            if (detail != null) {
                n.put("detail", detail);
            }
            String section = status == 403 ? "PermissionDenied" : title.replace(" ", "");
            return n.put("status", status).put("title", title)
                    .put("type", "https://airflow.apache.org/docs/apache-airflow/2.10.5/stable-rest-api-ref.html"
                            + "#section/Errors/" + section);
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

    private static void sendText(HttpExchange ex, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
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

}
