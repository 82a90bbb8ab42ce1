package dev.distillery.jobs.stage;

import dev.distillery.core.config.PipelineConfig;
import dev.distillery.core.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Everything a stage needs: config, output root, a lazily started SparkSession and a console for progress. */
public final class StageContext {
    private final PipelineConfig config;
    private final Path outRoot;
    private final String master;
    private final PrintStream console;
    private SparkSession spark;
    private boolean resume;
    private String stage;

    public StageContext(PipelineConfig config, Path outRoot, String master, PrintStream console) {
        this.config = config;
        this.outRoot = outRoot.toAbsolutePath();
        this.master = master;
        this.console = console;
    }

    /** Whether stages continue interrupted training from their newest complete checkpoint. */
    public boolean resume() {
        return resume;
    }

    public StageContext withResume(boolean value) {
        this.resume = value;
        return this;
    }

    public PipelineConfig config() {
        return config;
    }

    public Path outRoot() {
        return outRoot;
    }

    public PrintStream console() {
        return console;
    }

    public synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSessions.getOrCreate(master != null ? master : config.spark().master(),
                    "distillery-" + config.name(), config.spark().shufflePartitions());
            labelJobs();
        }
        return spark;
    }

    /**
     * Names the stage now running; its Spark jobs carry it as their job group, so the Spark UI, its REST API and
     * event logs tell which stage a job belongs to.
     */
    public synchronized void enterStage(String name) {
        this.stage = name;
        if (spark != null) {
            labelJobs();
        }
    }

    private void labelJobs() {
        if (stage != null) {
            spark.sparkContext().setJobGroup(stage, "distillery " + stage, false);
        }
    }

    /** Resolves a config path: absolute, relative to the working folder, or relative to the Distillery home. */
    public Path resolve(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute() || Files.exists(p)) {
            return p;
        }
        String home = System.getProperty("distillery.home");
        return home == null ? p : Path.of(home).resolve(path);
    }
}
