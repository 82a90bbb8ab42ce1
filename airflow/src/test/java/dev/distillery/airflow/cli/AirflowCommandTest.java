package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.ApiVersion;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.fake.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code distillery airflow ...} end to end against the fake server, with exit codes and printed output. */
class AirflowCommandTest {
    private static final String PASSWORD = "cli-Pa55word";
    private static final List<Snapshot> OK = List.of(
            Snapshot.of("queued", "prepare", "none", 0, "train_teacher", "none", 0),
            Snapshot.of("running", "prepare", "running", 1, "train_teacher", "none", 0),
            Snapshot.of("running", "prepare", "success", 1, "train_teacher", "running", 1),
            Snapshot.of("success", "prepare", "success", 1, "train_teacher", "success", 1));
    private static final List<Snapshot> FAILS = List.of(
            Snapshot.of("running", "prepare", "running", 1, "train_teacher", "none", 0),
            Snapshot.of("running", "prepare", "success", 1, "train_teacher", "up_for_retry", 1),
            Snapshot.of("failed", "prepare", "success", 1, "train_teacher", "failed", 2));

    private record Result(int code, String out, String err) {
    }

    private Result run(FakeAirflowServer server, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("DISTILLERY_AIRFLOW_USERNAME", "ops");
        env.put("DISTILLERY_AIRFLOW_PASSWORD", PASSWORD);
        if (server != null) {
            env.put(AirflowCommand.ENV_URL, server.url().toString());
        }
        return run(env, args);
    }

    private Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AirflowCommand(env, dev.distillery.airflow.client.Sleeper.REAL, Clock.systemUTC()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        assertThat(out.toString() + err).doesNotContain(PASSWORD);
        return new Result(code, out.toString(), err.toString());
    }

    private FakeAirflowServer server(ApiVersion v) throws Exception {
        return new FakeAirflowServer(v, "ops", PASSWORD).dag("distillery_pipeline", OK).dag("distillery_failing", FAILS);
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void triggersThenWaitsForSuccessPrintingEachTaskChange(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = server(v)) {
            Result t = run(server, "trigger", "-p", "out=/shared/runs/fm", "-p", "teacher_epochs=3", "--run-id", "fm-1");
            assertThat(t.code()).isEqualTo(AirflowExitCodes.OK);
            assertThat(t.out().strip()).isEqualTo("fm-1");
            assertThat(t.err()).contains("triggered run fm-1 of DAG distillery_pipeline");
            Result w = run(server, "wait", "--run-id", "fm-1", "--poll", "0.01", "--max-poll", "0.02");
            assertThat(w.code()).isEqualTo(AirflowExitCodes.OK);
            assertThat(w.out()).contains("prepare: none", "prepare: none -> running (try 1)",
                    "prepare: running -> success (try 1)", "train_teacher: none -> running (try 1)",
                    "train_teacher: running -> success (try 1)", "run fm-1: success");
            assertThat(w.out().indexOf("prepare: running -> success"))
                    .isLessThan(w.out().indexOf("train_teacher: none -> running"));
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aFailedRunExitsFiveAndShowsTheTailOfTheFailedTasksLog(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = server(v)) {
            assertThat(run(server, "trigger", "--dag", "distillery_failing", "--run-id", "bad").code()).isZero();
            StringBuilder page = new StringBuilder();
            for (int i = 1; i <= 50; i++) {
                page.append("log line ").append(i).append('\n');
            }
            server.log("distillery_failing", "bad", "train_teacher", 2, List.of(page.toString(),
                    "error: teacher.epochs must be >= 1, was 0\n"));
            Result w = run(server, "wait", "--dag", "distillery_failing", "--run-id", "bad", "--poll", "0.01",
                    "--tail", "3");
            assertThat(w.code()).isEqualTo(AirflowExitCodes.RUN_FAILED);
            assertThat(w.out()).contains("train_teacher: none -> up_for_retry (try 1)",
                    "train_teacher: up_for_retry -> failed (try 2)", "run bad: failed",
                    "--- last 3 log lines of train_teacher (try 2) ---");
            String tail = w.out().substring(w.out().indexOf("--- last 3 log lines"));
            assertThat(tail.lines().skip(1).limit(3).toList()).as("one log line per printed line").satisfiesExactly(
                    l -> assertThat(l).endsWith("log line 49"), l -> assertThat(l).endsWith("log line 50"),
                    l -> assertThat(l).endsWith("error: teacher.epochs must be >= 1, was 0"));
            assertThat(w.out()).doesNotContain("log line 48").doesNotContain("[('").doesNotContain("\\n");
            Result s = run(server, "status", "--dag", "distillery_failing", "--run-id", "bad");
            assertThat(s.code()).isEqualTo(AirflowExitCodes.RUN_FAILED);
            assertThat(s.out()).contains("run bad of DAG distillery_failing: failed").containsPattern(
                    "train_teacher\\s+failed\\s+try 2");
            Result c = run(server, "clear", "--dag", "distillery_failing", "--run-id", "bad");
            assertThat(c.code()).isZero();
            assertThat(c.out()).contains("cleared train_teacher");
            Result l = run(server, "logs", "--dag", "distillery_failing", "--run-id", "bad", "--task",
                    "train_teacher", "--try", "2", "--tail", "1");
            assertThat(l.out().strip()).endsWith("error: teacher.epochs must be >= 1, was 0");
        }
    }

    @Test
    void readsTheLastTryWhenAirflowReportsTheNextTryNumber() throws Exception {
        try (FakeAirflowServer server = server(ApiVersion.V1)) {
            run(server, "trigger", "--dag", "distillery_failing", "--run-id", "old");
            // the task reports try 2, but only try 1 left a log; Airflow 2 answers 200 for try 2, with only its notes
            server.log("distillery_failing", "old", "train_teacher", 1, List.of("error: out of disk space\n"));
            Result w = run(server, "wait", "--dag", "distillery_failing", "--run-id", "old", "--poll", "0.01");
            assertThat(w.code()).isEqualTo(AirflowExitCodes.RUN_FAILED);
            assertThat(w.out()).contains("error: out of disk space").doesNotContain("log not available");
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aFailedRunShowsTheLogOfTheFailedMapIndex(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = server(v).dag("mapped", List.of(
                Snapshot.of("running", "evaluate[0]", "running", 1, "evaluate[1]", "running", 1),
                Snapshot.of("failed", "evaluate[0]", "success", 1, "evaluate[1]", "failed", 1)))) {
            run(server, "trigger", "--dag", "mapped", "--run-id", "m");
            server.log("mapped", "m", "evaluate", 0, 1, List.of("profile cortex-m4: pass\n"));
            server.log("mapped", "m", "evaluate", 1, 1, List.of("profile npu: gate failed\n"));
            Result w = run(server, "wait", "--dag", "mapped", "--run-id", "m", "--poll", "0.01");
            assertThat(w.code()).isEqualTo(AirflowExitCodes.RUN_FAILED);
            assertThat(w.out()).contains("evaluate[1]: running -> failed (try 1)",
                    "--- last 40 log lines of evaluate[1] (try 1) ---", "profile npu: gate failed")
                    .doesNotContain("log not available").doesNotContain("cortex-m4");
            Result l = run(server, "logs", "--dag", "mapped", "--run-id", "m", "--task", "evaluate",
                    "--map-index", "0");
            assertThat(l.code()).isZero();
            assertThat(l.out()).contains("profile cortex-m4: pass").doesNotContain("npu");
        }
    }

    @Test
    void logsWithoutATryShowTheLastTryThatLeftALog() throws Exception {
        try (FakeAirflowServer server = server(ApiVersion.V1)) {
            run(server, "trigger", "--dag", "distillery_failing", "--run-id", "old");
            run(server, "wait", "--dag", "distillery_failing", "--run-id", "old", "--poll", "0.01");
            server.log("distillery_failing", "old", "train_teacher", 1, List.of("error: out of disk space\n"));
            Result l = run(server, "logs", "--dag", "distillery_failing", "--run-id", "old", "--task",
                    "train_teacher");
            assertThat(l.code()).isZero();
            assertThat(l.out()).contains("error: out of disk space").doesNotContain("Could not read served logs");
            assertThat(l.err()).contains("try 2 of train_teacher left no log; showing try 1");
            Result bad = run(server, "logs", "--run-id", "old", "--task", "x", "--map-index", "-2");
            assertThat(bad.code()).isEqualTo(AirflowExitCodes.CLIENT_ERROR);
            assertThat(bad.err()).contains("--map-index must be -1 (not mapped) or >= 0, was -2");
        }
    }

    @Test
    void waitGivesUpWithExitThreeWhenTheRunDoesNotFinishInTime() throws Exception {
        try (FakeAirflowServer server = new FakeAirflowServer(ApiVersion.V1, "ops", PASSWORD)
                .dag("slow", List.of(Snapshot.of("running", "prepare", "running", 1)))) {
            run(server, "trigger", "--dag", "slow", "--run-id", "r");
            long start = System.nanoTime();
            Result w = run(server, "wait", "--dag", "slow", "--run-id", "r", "--poll", "0.05", "--max-wait", "0.3");
            assertThat(w.code()).isEqualTo(AirflowExitCodes.UNAVAILABLE);
            assertThat(w.err()).contains("still running after waiting");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void pausesAndUnpausesWithAnExplicitApiVersion(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = server(v)) {
            String version = v == ApiVersion.V1 ? "1" : "2";
            Result p = run(server, "pause", "--api-version", version);
            assertThat(p.out()).contains("DAG distillery_pipeline is paused");
            assertThat(server.paused("distillery_pipeline")).isTrue();
            assertThat(run(server, "unpause", "--api-version", version).out()).contains("is unpaused");
            assertThat(server.paused("distillery_pipeline")).isFalse();
            assertThat(server.count("GET", "/version")).as("no probing when the version is given").isZero();
        }
    }

    @Test
    void clientErrorsExitTwoWithTheReason() throws Exception {
        try (FakeAirflowServer server = server(ApiVersion.V1)) {
            Result unknown = run(server, "status", "--dag", "nope", "--run-id", "x");
            assertThat(unknown.code()).isEqualTo(AirflowExitCodes.CLIENT_ERROR);
            assertThat(unknown.err()).contains("error: Airflow answered 404").contains("nope");

            Result noCredentials = run(Map.of(AirflowCommand.ENV_URL, server.url().toString()), "status",
                    "--run-id", "x");
            assertThat(noCredentials.code()).isEqualTo(AirflowExitCodes.CLIENT_ERROR);
            assertThat(noCredentials.err()).contains("no Airflow credentials");

            Result badConf = run(server, "trigger", "--conf", "[1, 2]");
            assertThat(badConf.code()).isEqualTo(AirflowExitCodes.CLIENT_ERROR);
            assertThat(badConf.err()).contains("--conf must be a JSON object, found ARRAY");

            Result usage = run(server, "trigger", "--password", "x");
            assertThat(usage.code()).as("there is no option to pass a password").isEqualTo(2);
            assertThat(usage.err()).contains("Unknown options: '--password'");
        }
    }

    @Test
    void aLoginPageInFrontOfAirflowExitsTwoNamingWhatArrived() throws Exception {
        try (FakeAirflowServer server = server(ApiVersion.V2)) {
            server.fault("GET", "/version", dev.distillery.airflow.fake.Fault.LOGIN_PAGE);
            Result r = run(server, "status", "--run-id", "x");
            assertThat(r.code()).isEqualTo(AirflowExitCodes.CLIENT_ERROR);
            assertThat(r.err()).contains("expected application/json, got 200 text/html", "<!DOCTYPE html>")
                    .doesNotContain("transient");
        }
    }

    @Test
    void anUnreachableAirflowExitsThree() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = Map.of(AirflowCommand.ENV_URL, "http://127.0.0.1:" + port,
                "DISTILLERY_AIRFLOW_USERNAME", "ops", "DISTILLERY_AIRFLOW_PASSWORD", PASSWORD);
        Result r = run(env, "status", "--run-id", "x", "--attempts", "2");
        assertThat(r.code()).isEqualTo(AirflowExitCodes.UNAVAILABLE);
        assertThat(r.err()).contains("no answer from Airflow").contains("transient");
    }
}
