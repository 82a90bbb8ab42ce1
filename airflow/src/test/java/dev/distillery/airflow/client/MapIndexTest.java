package dev.distillery.airflow.client;

import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.fake.Snapshot;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each instance of a mapped task has its own state, try and log, addressed by its map index. */
class MapIndexTest {
    static final List<Snapshot> MAPPED = List.of(
            Snapshot.of("failed", "prepare", "success", 1, "evaluate[0]", "success", 1, "evaluate[1]", "failed", 1));

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void readsTheTaskInstanceAndLogOfOneMapIndex(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v).dag("mapped", MAPPED)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            client.trigger("mapped", "r1", null);
            server.log("mapped", "r1", "evaluate", 0, 1, List.of("profile cortex-m4: pass\n"));
            server.log("mapped", "r1", "evaluate", 1, 1, List.of("profile npu: gate failed\n"));
            assertThat(client.listTaskInstances("mapped", "r1")).extracting(TaskInstance::label)
                    .containsExactly("prepare", "evaluate[0]", "evaluate[1]");
            TaskInstance second = client.getTaskInstance("mapped", "r1", "evaluate", 1);
            assertThat(second.mapIndex()).isEqualTo(1);
            assertThat(second.state()).isEqualTo("failed");
            TaskLog log = client.taskLog("mapped", "r1", "evaluate", 1, 1);
            assertThat(log.label()).isEqualTo("evaluate[1]");
            assertThat(log.tail(1).get(0)).endsWith("profile npu: gate failed");
            assertThat(log.lines()).noneMatch(l -> l.contains("cortex-m4"));
            assertThat(server.requests()).contains("GET " + v.prefix() + "/dags/mapped/dagRuns/r1/taskInstances/"
                    + "evaluate/1");
            assertThat(server.requests()).filteredOn(r -> r.contains("/logs/1"))
                    .allMatch(r -> r.contains("map_index=1"));
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aMappedTaskAskedForWithoutItsMapIndexIsNotFound(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v).dag("mapped", MAPPED)) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            client.trigger("mapped", "r1", null);
            assertThatThrownBy(() -> client.getTaskInstance("mapped", "r1", "evaluate", -1))
                    .isInstanceOf(AirflowNotFoundException.class).hasMessageContaining("map_index");
            assertThatThrownBy(() -> client.taskLog("mapped", "r1", "evaluate", 1))
                    .as("the log of map index -1 of a mapped task").isInstanceOf(AirflowNotFoundException.class);
        }
    }
}
