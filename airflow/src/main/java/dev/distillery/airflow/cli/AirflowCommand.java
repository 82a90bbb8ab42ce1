package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.Sleeper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code distillery airflow}: drive Distillery's DAGs through Airflow's REST API (Airflow 2 or 3). */
@Command(name = "airflow", mixinStandardHelpOptions = true,
        description = "Trigger and follow Distillery's DAG runs through Airflow's REST API (Airflow 2: /api/v1, "
                + "Airflow 3: /api/v2).",
        subcommands = {TriggerCommand.class, StatusCommand.class, WaitCommand.class, LogsCommand.class,
                ClearCommand.class, PauseCommand.class, UnpauseCommand.class},
        footer = {"", "Credentials come from DISTILLERY_AIRFLOW_USERNAME and DISTILLERY_AIRFLOW_PASSWORD, or from a "
                + "file (--credentials-file or DISTILLERY_AIRFLOW_CREDENTIALS) with username= and password= lines; "
                + "never from the command line.",
                "", "Exit codes: 0 ok (run succeeded), 2 client error (bad option, credentials, 4xx answer), "
                + "3 Airflow unreachable or failing after retries, or wait timed out, 5 the run failed.",
                "", "Examples:",
                "  export DISTILLERY_AIRFLOW_URL=https://airflow.example.com",
                "  RUN=$(distillery airflow trigger -p out=/shared/runs/fm)",
                "  distillery airflow wait --run-id \"$RUN\""})
public final class AirflowCommand implements Callable<Integer> {
    /** Environment variable with the Airflow web server's URL (used when --url is not given). */
    public static final String ENV_URL = "DISTILLERY_AIRFLOW_URL";

    final Map<String, String> env;
    final Sleeper sleeper;
    final Clock clock;

    @Spec
    CommandSpec spec;

    public AirflowCommand() {
        this(System.getenv(), Sleeper.REAL, Clock.systemUTC());
    }

    /** For tests: a given environment, and a sleeper and clock that need not be real. */
    public AirflowCommand(Map<String, String> env, Sleeper sleeper, Clock clock) {
        this.env = Map.copyOf(env);
        this.sleeper = sleeper;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: one of trigger, status, wait, logs, clear, pause, unpause");
    }
}
