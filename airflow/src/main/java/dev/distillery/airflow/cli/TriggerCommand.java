package dev.distillery.airflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.core.error.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Triggers a DAG run under a run id chosen here, so a retried trigger never starts a second run. */
@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = "Trigger a DAG run; prints its run id on stdout. Params become the run's conf.",
        footer = {"", "Examples:",
                "  distillery airflow trigger -p config=/shared/conf/fm.yaml -p out=/shared/runs/fm -p teacher_epochs=3",
                "  distillery airflow trigger --dag distillery_redistill --conf '{\"temperature\": 2.0}' "
                        + "--run-id fm-t2"})
final class TriggerCommand extends AirflowSubcommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @Option(names = "--dag", paramLabel = "DAG_ID", defaultValue = "distillery_pipeline",
            description = "DAG id (default: ${DEFAULT-VALUE}).")
    String dagId;

    @Option(names = "--run-id", paramLabel = "RUN_ID",
            description = "Run id to create (default: distillery__<UTC time>_<random>). Re-running with the same "
                    + "id refuses instead of starting a second run.")
    String runId;

    @Option(names = "--conf", paramLabel = "JSON", description = "The run's conf, a JSON object.")
    String conf;

    @Option(names = "--conf-file", paramLabel = "FILE", description = "The run's conf from a JSON file.")
    Path confFile;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "One conf entry (repeatable); VALUE is read as JSON when it parses (3, 2.5, true, "
                    + "[\"a\"]), else as a string.")
    List<String> params = new ArrayList<>();

    @Override
    int run(AirflowClient client) {
        String id = runId != null ? runId : newRunId(root.clock.instant());
        DagRun run = client.trigger(dagId, id, buildConf());
        out().println(run.runId());
        err().println("triggered run " + run.runId() + " of DAG " + dagId + " (state " + run.state() + ")");
        return AirflowExitCodes.OK;
    }

    ObjectNode buildConf() {
        ObjectNode out = JSON.createObjectNode();
        if (confFile != null) {
            try {
                out.setAll(object(Files.readString(confFile), "--conf-file " + confFile));
            } catch (IOException e) {
                throw new InvalidConfigException("--conf-file " + confFile + " cannot be read: " + e.getMessage());
            }
        }
        if (conf != null) {
            out.setAll(object(conf, "--conf"));
        }
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new InvalidConfigException("--param must be KEY=VALUE, was '" + p + "'");
            }
            out.set(p.substring(0, eq).trim(), value(p.substring(eq + 1)));
        }
        return out;
    }

    private static ObjectNode object(String text, String where) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n instanceof ObjectNode o) {
                return o;
            }
            throw new InvalidConfigException(where + " must be a JSON object, found " + (n == null ? "nothing"
                    : n.getNodeType()));
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(where + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode value(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n == null || n.isMissingNode() ? TextNode.valueOf(text) : n;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }

    static String newRunId(java.time.Instant now) {
        byte[] b = new byte[3];
        new SecureRandom().nextBytes(b);
        return "distillery__" + STAMP.format(now) + "_" + HexFormat.of().formatHex(b);
    }
}
