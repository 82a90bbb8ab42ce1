package dev.distillery.jobs;

import dev.distillery.jobs.cli.DistilleryCli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs one CLI stage in this JVM on local[2], capturing its exit code, standard output and standard error. */
final class CliRun {
    record Result(int code, String out, String err) {
    }

    private CliRun() {
    }

    static Result stage(Path config, String stage, Path out, String... sets) {
        List<String> args = new ArrayList<>(List.of(stage, "--config", config.toString(), "--out", out.toString(),
                "--master", "local[2]"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        System.setOut(new PrintStream(stdout, true));
        try {
            return new Result(DistilleryCli.execute(args.toArray(new String[0])), stdout.toString(), err.toString());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}
