package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.model.Dag;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Pauses a DAG: Airflow schedules no new runs of it (running ones go on). */
@Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a DAG (no new scheduled runs).",
        footer = {"", "Example:", "  distillery airflow pause --dag distillery_redistill"})
class PauseCommand extends AirflowSubcommand {
    @Option(names = "--dag", paramLabel = "DAG_ID", defaultValue = "distillery_pipeline",
            description = "DAG id (default: ${DEFAULT-VALUE}).")
    String dagId;

    @Override
    int run(AirflowClient client) {
        return report(client.setPaused(dagId, pausing()));
    }

    boolean pausing() {
        return true;
    }

    int report(Dag dag) {
        out().println("DAG " + dag.dagId() + " is " + (dag.paused() ? "paused" : "unpaused"));
        return AirflowExitCodes.OK;
    }
}
