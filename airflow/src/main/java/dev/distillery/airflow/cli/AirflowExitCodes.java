package dev.distillery.airflow.cli;

/** Exit codes of the {@code distillery airflow} commands. */
public final class AirflowExitCodes {
    /** The command did what was asked; for status and wait: the run succeeded (status: or is not finished). */
    public static final int OK = 0;
    /** Client error: bad option, missing credentials, or Airflow refused the request (4xx); do not retry. */
    public static final int CLIENT_ERROR = 2;
    /** Airflow unreachable or failing (5xx, timeouts, dropped connections) after retries, or wait ran out of time. */
    public static final int UNAVAILABLE = 3;
    /** The DAG run finished in state failed. */
    public static final int RUN_FAILED = 5;

    private AirflowExitCodes() {
    }
}
