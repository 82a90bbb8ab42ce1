package dev.distillery.jobs.cli;

import java.io.PrintStream;

/**
 * Standard output without SameDiff's debugging lines: ND4J 1.0.0-M2.1 prints "Added differentiated op ..." with
 * System.out.println (not through a logger) for every op whenever a training graph is built, which buries the
 * progress lines users read. {@link DistilleryCli#execute} installs it, so every in-process entry point (the CLI's
 * main, the benchmark drivers, tests) gets it; an executor JVM of a cluster prints those lines into its own log.
 */
final class QuietStdout extends PrintStream {
    private static final String NOISE = "Added differentiated op ";

    QuietStdout(PrintStream out) {
        super(out, true);
    }

    @Override
    public void println(String line) {
        if (line != null && line.startsWith(NOISE)) {
            return;
        }
        super.println(line);
    }

    static void install() {
        if (!(System.out instanceof QuietStdout)) {
            System.setOut(new QuietStdout(System.out));
        }
    }
}
