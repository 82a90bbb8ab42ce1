package dev.distillery.jobs.cli;

import dev.distillery.core.engine.Engines;
import dev.distillery.airflow.cli.AirflowCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code distillery} command: one subcommand per stage, {@code run} for all of them, {@code demo} for the
 * Fashion-MNIST walk-through. The same main class is what spark-submit's {@code --class} names.
 */
@Command(name = "distillery", mixinStandardHelpOptions = true, version = "distillery 0.1.0",
        description = "Train a teacher on Spark, distill, prune and quantize a student, export and evaluate it "
                + "against hardware profiles.",
        subcommands = {DemoCommand.class, RunCommand.class, CompareCommand.class, AirflowCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 bad input or config (do not retry), "
                + "3 transient failure (safe to retry), 4 a quality gate failed.",
                "", "Examples:",
                "  distillery demo",
                "  distillery run --config conf/fashion-mnist.yaml --out runs/fm",
                "  distillery train-teacher --config conf/fashion-mnist.yaml --out runs/fm --set teacher.epochs=3",
                "  distillery evaluate --config conf/fashion-mnist.yaml --out runs/fm --force",
                "  distillery compare runs/fm runs/fm-t8 --out runs/fm-vs-t8",
                "  spark-submit --class dev.distillery.jobs.cli.DistilleryCli distillery-app.jar label "
                        + "--config fm.yaml --out /shared/runs/fm"})
public final class DistilleryCli {
    static final String[][] STAGES = {
            {"prepare", "Read raw IDX/CSV/Parquet data into the canonical example dataset with a seeded validation split."},
            {"train-teacher", "Train the teacher CNN with Spark data parallelism; checkpoint every epoch."},
            {"label", "Write the teacher's raw logits for every training row as Parquet (soft labels)."},
            {"distill", "Train the student with the distillation loss, and the hard-label baseline student."},
            {"prune", "Magnitude-prune the distilled student and fine-tune it under the distillation loss."},
            {"qat", "Post-training quantization variants, then quantization-aware fine-tuning (int8 or int4 weights, int8 activations)."},
            {"export", "Write every integer variant as an integer model, QDQ ONNX, full-integer TFLite and C sources, and the float students as ONNX."},
            {"evaluate", "Evaluate every variant on the test split and each hardware profile; write reports."},
            {"deploy", "Write a deployment bundle per profile with a recommended variant: the artifact its toolchain takes, quantization, model card, checksums."},
    };

    private DistilleryCli() {
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(DistilleryCli.class);
        for (String[] stage : STAGES) {
            boolean evaluate = stage[0].equals("evaluate");
            CommandLine sub = new CommandLine(evaluate ? new EvaluateCommand() : new StageCommand());
            sub.getCommandSpec().usageMessage().description(stage[1])
                    .footer("", "Example:", "  distillery " + stage[0] + " --config conf/fashion-mnist.yaml --out runs/fm"
                            + (evaluate ? " --compare runs/fm-t8" : ""));
            cli.addSubcommand(stage[0], sub);
        }
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> Exits.of(ex, System.err));
        return cli;
    }

    public static int execute(String... args) {
        // Here rather than in main, so that drivers calling in-process (benchmarks, tests) get a quiet console too.
        QuietStdout.install();
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        Engines.prepareJvm();
        int code;
        try {
            code = execute(args);
        } catch (Throwable t) {
            // Errors (out of memory, a native library that fails to load) escape picocli's handler.
            code = Exits.of(t, System.err);
        }
        System.exit(code);
    }
}
