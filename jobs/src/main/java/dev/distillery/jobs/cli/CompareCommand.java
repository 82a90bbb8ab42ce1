package dev.distillery.jobs.cli;

import dev.distillery.evaluation.compare.RunComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Compares the evaluations of finished runs side by side; needs no config and starts no Spark. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare the evaluation reports of two or more runs side by side: accuracy and size per "
                + "variant, estimated latency and gate result per profile, recommended variant per profile.",
        footer = {"", "Each RUN is a run's output folder (its reports/report.json is read), a reports folder, or a "
                + "report.json file. Run evaluate on a folder first.",
                "", "Examples:",
                "  distillery compare runs/fm-t4 runs/fm-t8",
                "  distillery compare runs/fm-t4 runs/fm-t8 --out runs/t4-vs-t8",
                "  distillery evaluate --config fm.yaml --out runs/fm-t8 --force && distillery compare runs/fm-t4 runs/fm-t8"})
final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "2..*", paramLabel = "RUN", description = "Run folders (or report.json files) to compare.")
    List<Path> runs = new ArrayList<>();

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Also write comparison.md and comparison.json into this folder.")
    Path out;

    @Override
    public Integer call() {
        RunComparison comparison = RunComparison.of(runs);
        String md = out == null ? comparison.markdown() : comparison.writeTo(out);
        System.out.print(md);
        if (out != null) {
            System.out.println();
            System.out.println("wrote " + out.resolve(RunComparison.MARKDOWN_FILE) + " and "
                    + out.resolve(RunComparison.JSON_FILE));
        }
        return 0;
    }
}
