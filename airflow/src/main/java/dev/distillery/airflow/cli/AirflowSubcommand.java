package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.core.error.DistilleryException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Connects, runs one command, and turns Distillery's errors into a one-line message and the documented exit code. */
abstract class AirflowSubcommand implements Callable<Integer> {
    @ParentCommand
    AirflowCommand root;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return run(connection.connect(root));
        } catch (DistilleryException e) {
            err().println("error: " + e.getMessage());
            if (e.retryable()) {
                err().println("(transient: running the same command again may succeed)");
            }
            err().flush();
            return e.exitCode();
        } finally {
            out().flush();
        }
    }

    abstract int run(AirflowClient client);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
