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

    private final ApiVersion version;
    private final String username;
    private final String password;
    private final HttpServer http;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ObjectMapper json = new ObjectMapper();
    private final FakeDags state;

    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final List<FaultRule> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile int tokensIssued;

    private record FaultRule(String method, String pathPart, Fault fault) {
    }

    public FakeAirflowServer(ApiVersion version, String username, String password) throws IOException {
        this.version = version;
        this.username = username;
        this.password = password;
        this.state = new FakeDags(version, json);
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

    /** Serves {@code pages} as the log of one try, one continuation-token page each. */
    public FakeAirflowServer log(String dagId, String runId, String taskId, int tryNumber, List<String> pages) {
        state.logs.put(FakeDags.logKey(dagId, runId, taskId, tryNumber), List.copyOf(pages));
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

    /** Every token issued so far stops working, as when they expire. */
    public void expireTokens() {
        validTokens.clear();
    }

    public int tokensIssued() {
        return tokensIssued;
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
                return state.logPage(run, seg.get(5), Integer.parseInt(seg.get(7)), q.get("token"));
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
