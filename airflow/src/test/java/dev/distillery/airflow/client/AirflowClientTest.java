package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.airflow.error.AirflowAuthException;
import dev.distillery.airflow.error.AirflowConflictException;
import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.model.Dag;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every client call against a fake Airflow 2 (API v1) and a fake Airflow 3 (API v2). */
class AirflowClientTest {
    private final ObjectMapper json = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void listsEveryDagAcrossPages(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v).maxPageLimit(2)) {
            server.dag("a", Fixtures.PIPELINE).dag("b", Fixtures.PIPELINE).dag("c", Fixtures.PIPELINE);
            List<Dag> dags = Fixtures.client(server, v, new Fixtures.RecordingSleeper()).listDags();
            assertThat(dags).extracting(Dag::dagId)
                    .containsExactly("distillery_pipeline", "distillery_failing", "a", "b", "c");
            // 5 DAGs at most 2 per page: offsets 0, 2 and 4
            assertThat(server.requests()).filteredOn(r -> r.contains("/dags?"))
                    .containsExactly("GET " + v.prefix() + "/dags?limit=100&offset=0",
                            "GET " + v.prefix() + "/dags?limit=100&offset=2",
                            "GET " + v.prefix() + "/dags?limit=100&offset=4");
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void triggersUnderTheCallersRunIdWithConf(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            ObjectNode conf = json.createObjectNode().put("out", "/shared/runs/fm").put("teacher_epochs", 3);
            DagRun run = Fixtures.client(server, v, new Fixtures.RecordingSleeper())
                    .trigger("distillery_pipeline", "fm:2026-01-01+run 1", conf);
            assertThat(run.runId()).isEqualTo("fm:2026-01-01+run 1");
            assertThat(run.state()).isEqualTo("queued");
            assertThat(run.conf()).isEqualTo(conf);
            assertThat(server.runCount("distillery_pipeline")).isEqualTo(1);
            if (v == ApiVersion.V2) {
                assertThat(run.logicalDate()).as("Airflow 3 run triggered with logical_date null").isNull();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aTakenRunIdOnTheFirstAttemptIsAConflict(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            client.trigger("distillery_pipeline", "r1", json.createObjectNode().put("out", "/a"));
            assertThatThrownBy(() -> client.trigger("distillery_pipeline", "r1", json.createObjectNode()
                    .put("out", "/a")))
                    .isInstanceOf(AirflowConflictException.class)
                    .hasMessageContaining("409")
                    .hasMessageContaining(v == ApiVersion.V1 ? "already exists" : "Unique constraint violation");
            assertThat(server.runCount("distillery_pipeline")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void readsRunStateAndTaskInstancesAcrossPages(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v).maxPageLimit(1)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            client.trigger("distillery_pipeline", "r1", null);
            assertThat(client.getRun("distillery_pipeline", "r1").state()).isEqualTo("queued");
            assertThat(client.getRun("distillery_pipeline", "r1").state()).isEqualTo("running");
            List<TaskInstance> tasks = client.listTaskInstances("distillery_pipeline", "r1");
            assertThat(tasks).extracting(TaskInstance::taskId, TaskInstance::state, TaskInstance::tryNumber)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("prepare", "running", 1),
                            org.assertj.core.groups.Tuple.tuple("train_teacher", "none", 0));
            assertThat(server.count("GET", "/taskInstances")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void readsAWholeLogAcrossContinuationTokens(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            client.trigger("distillery_pipeline", "r1", null);
            server.log("distillery_pipeline", "r1", "train_teacher", 2,
                    List.of("epoch 1 loss 0.61\nepoch 2 loss 0.43\n", "epoch 3 loss 0.38\n", "exit code 3\n"));
            TaskLog log = client.taskLog("distillery_pipeline", "r1", "train_teacher", 2);
            String file = "/opt/airflow/logs/dag_id=distillery_pipeline/run_id=r1/task_id=train_teacher/attempt=2.log";
            String at = v == ApiVersion.V1 ? "" : "[2026-01-01T00:00:00Z] INFO - ";
            if (v == ApiVersion.V1) {
                assertThat(log.lines()).startsWith("*** Found local files:", "***   * " + file);
            } else {
                assertThat(log.lines()).startsWith("Log message source details", "  " + file);
            }
            assertThat(log.lines()).hasSize(6).endsWith(at + "epoch 1 loss 0.61", at + "epoch 2 loss 0.43",
                    at + "epoch 3 loss 0.38", at + "exit code 3");
            assertThat(log.tail(2)).containsExactly(at + "epoch 3 loss 0.38", at + "exit code 3");
            // Airflow 2: three pages with content, then the empty page that ends the log; Airflow 3 sends no token
            // with the last page
            assertThat(server.count("GET", "/logs/2")).isEqualTo(v == ApiVersion.V1 ? 4 : 3);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void clearsOnlyTheFailedTasksAndRequeuesTheRun(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            client.trigger("distillery_failing", "r1", null);
            for (int i = 0; i < 3; i++) {
                client.getRun("distillery_failing", "r1");
            }
            assertThat(client.clearFailedTasks("distillery_failing", "r1", true))
                    .extracting(TaskInstance::taskId).containsExactly("train_teacher");
            assertThat(client.getRun("distillery_failing", "r1").state()).as("dry run changes nothing")
                    .isEqualTo("failed");
            assertThat(client.clearFailedTasks("distillery_failing", "r1", false))
                    .extracting(TaskInstance::taskId).containsExactly("train_teacher");
            assertThat(client.getRun("distillery_failing", "r1").state()).isEqualTo("queued");
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void pausesAndUnpauses(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThat(client.setPaused("distillery_pipeline", true).paused()).isTrue();
            assertThat(server.paused("distillery_pipeline")).isTrue();
            assertThat(client.setPaused("distillery_pipeline", false).paused()).isFalse();
            assertThat(server.paused("distillery_pipeline")).isFalse();
            assertThat(server.requests()).filteredOn(r -> r.startsWith("PATCH"))
                    .allMatch(r -> r.endsWith("update_mask=is_paused"));
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void reportsHealthAndVersion(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThat(client.health().healthy()).isTrue();
            assertThat(client.health().components()).containsKeys("metadatabase", "scheduler");
            assertThat(client.version().version()).startsWith(v == ApiVersion.V1 ? "2." : "3.");
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void anUnknownRunIsNotFoundWithTheServersMessage(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThatThrownBy(() -> client.getRun("distillery_pipeline", "nope"))
                    .isInstanceOfSatisfying(AirflowNotFoundException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.exitCode()).isEqualTo(2);
                        assertThat(e.serverMessage()).contains("run_id: `nope` was not found");
                        assertThat(e.attempts()).isEqualTo(1);
                    });
            assertThat(server.count("GET", "/dagRuns/nope")).as("4xx is never retried").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void wrongCredentialsFailOnceWithoutShowingThePassword(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient wrong = new AirflowClient(new ClientSettings(server.url(), v,
                    new AirflowCredentials(Fixtures.USER, "not-the-Pa55word"), java.time.Duration.ofSeconds(1),
                    java.time.Duration.ofSeconds(1), RetryPolicy.defaults()), new Fixtures.RecordingSleeper());
            assertThatThrownBy(wrong::listDags)
                    .isInstanceOfSatisfying(AirflowAuthException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.getMessage()).doesNotContain("not-the-Pa55word").doesNotContain(Fixtures.PASSWORD);
                        if (v == ApiVersion.V1) {
                            assertThat(e.getMessage()).contains("auth_backends", "airflow.api.auth.backend.basic_auth");
                        } else {
                            assertThat(e.getMessage()).doesNotContain("auth_backends");
                        }
                    });
            assertThat(server.requests()).hasSize(1);
        }
    }
}
