package dev.distillery.airflow.client;

import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A task instance may report a try that left no log. Airflow 3 answers 404 for it; Airflow 2 answers 200 with only
 * its own notes. Either way the log of the try before is the one worth showing.
 */
class LastTryLogTest {
    /** The failing DAG's run, moved on to its end: train_teacher failed, reporting try 2. */
    private static AirflowClient failedRun(FakeAirflowServer server, ApiVersion v) {
        AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
        client.trigger("distillery_failing", "r1", null);
        for (int i = 0; i < 3; i++) {
            client.getRun("distillery_failing", "r1");
        }
        return client;
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aReportedTryWithoutALogHoldsOnlyAirflowsNotes(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = failedRun(server, v);
            TaskLog log = client.taskLog("distillery_failing", "r1", "train_teacher", 2);
            String note = "Could not read served logs: 404 Client Error: NOT FOUND for url: http://worker-1:8793/log/"
                    + "dag_id=distillery_failing/run_id=r1/task_id=train_teacher/attempt=2.log";
            assertThat(log.lines()).containsExactlyElementsOf(v == ApiVersion.V1 ? List.of("*** " + note)
                    : List.of("Log message source details", "  " + note));
            assertThat(log.taskOutput()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aTryBeyondTheReportedOneIsA404OnAirflow3AndOnlyNotesOnAirflow2(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = failedRun(server, v);
            if (v == ApiVersion.V2) {
                assertThatThrownBy(() -> client.taskLog("distillery_failing", "r1", "train_teacher", 3))
                        .isInstanceOf(AirflowNotFoundException.class).hasMessageContaining("TaskInstance not found");
            } else {
                assertThat(client.taskLog("distillery_failing", "r1", "train_teacher", 3).taskOutput()).isFalse();
            }
            assertThatThrownBy(() -> client.taskLog("distillery_failing", "r1", "no_such_task", 1))
                    .as("an unknown task instance is a 404 on both").isInstanceOf(AirflowNotFoundException.class);
        }
    }

    @Test
    void aReportedTryThatAirflow3HasNoRecordOfFallsBackToTheTryBefore() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            AirflowClient client = failedRun(server, ApiVersion.V2);
            server.log("distillery_failing", "r1", "train_teacher", 2, List.of("error: out of disk space\n"));
            // a task instance reporting a try of which Airflow 3 keeps no record
            TaskInstance aheadOfTheServer = new TaskInstance("train_teacher", -1, "failed", 3, null, null);
            TaskLog log = client.lastTryLog("distillery_failing", "r1", aheadOfTheServer);
            assertThat(log.tryNumber()).as("try 3 is a 404; try 2 is read").isEqualTo(2);
            assertThat(log.tail(1).get(0)).endsWith("error: out of disk space");
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void readsTheTryBeforeWhenTheReportedTryLeftNoLog(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = failedRun(server, v);
            server.log("distillery_failing", "r1", "train_teacher", 1, List.of("epoch 1\n",
                    "error: out of disk space\n"));
            TaskInstance task = client.getTaskInstance("distillery_failing", "r1", "train_teacher", -1);
            assertThat(task.tryNumber()).isEqualTo(2);
            TaskLog log = client.lastTryLog("distillery_failing", "r1", task);
            assertThat(log.tryNumber()).isEqualTo(1);
            assertThat(log.taskOutput()).isTrue();
            assertThat(log.tail(1).get(0)).endsWith("error: out of disk space");
            // Airflow 2: a page of notes, then the empty page that ends it; Airflow 3: one page with a null token
            assertThat(server.count("GET", "/logs/2")).isEqualTo(v == ApiVersion.V1 ? 2 : 1);
            assertThat(server.requests()).filteredOn(r -> r.contains("/logs/"))
                    .allMatch(r -> r.contains("map_index=-1"));
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void theReportedTryIsReadWhenItHasALog(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = failedRun(server, v);
            server.log("distillery_failing", "r1", "train_teacher", 2, List.of("retry failed too\n"));
            server.log("distillery_failing", "r1", "train_teacher", 1, List.of("first try failed\n"));
            TaskLog log = client.lastTryLog("distillery_failing", "r1",
                    client.getTaskInstance("distillery_failing", "r1", "train_teacher", -1));
            assertThat(log.tryNumber()).isEqualTo(2);
            assertThat(log.tail(1).get(0)).endsWith("retry failed too");
            assertThat(server.count("GET", "/logs/1")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void keepsTheReportedTrysNotesWhenNoTryLeftALog(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = failedRun(server, v);
            TaskLog log = client.lastTryLog("distillery_failing", "r1",
                    client.getTaskInstance("distillery_failing", "r1", "train_teacher", -1));
            assertThat(log.tryNumber()).isEqualTo(2);
            assertThat(log.taskOutput()).isFalse();
            assertThat(log.lines()).anyMatch(l -> l.contains("Could not read served logs: 404"));
        }
    }

    @Test
    void aTaskThatHasNotRunHasNoLastTry() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V1)) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V1, new Fixtures.RecordingSleeper());
            client.trigger("distillery_pipeline", "r1", null);
            TaskInstance task = client.getTaskInstance("distillery_pipeline", "r1", "train_teacher", -1);
            assertThatThrownBy(() -> client.lastTryLog("distillery_pipeline", "r1", task))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has not run yet (try 0)");
        }
    }
}
