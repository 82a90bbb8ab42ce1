package dev.distillery.jobs.stage;

import dev.distillery.core.io.StageOutput;
import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.manifest.Provenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a stage with the manifest contract: skip when the finished output's manifest matches the current config
 * and input hashes (unless forced), otherwise write into a work folder and move it into place only when complete.
 */
public final class StageRunner {
    private StageRunner() {
    }

    /** Outcome of one stage invocation. */
    public record Outcome(String stage, boolean skipped, int exitCode, double seconds, Manifest manifest) {
    }

    private static Optional<Manifest> readQuietly(Path target, StageContext ctx) {
        try {
            return ManifestIO.read(target);
        } catch (RuntimeException e) {
            ctx.console().printf("[%s] manifest unreadable (%s); the stage runs again%n", target.getFileName(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Refuses to build on an upstream stage folder made under a different config, e.g. labelling with a teacher
     * trained before teacher.* changed: the user must re-run that stage (or use run, which does).
     */
    private static void checkUpstream(Stage stage, Path input, StageContext ctx) {
        if (!Files.isDirectory(input) || !input.toAbsolutePath().getParent().equals(ctx.outRoot())) {
            return;
        }
        for (Stage upstream : Pipeline.stages()) {
            if (!upstream.output().name().equals(input.getFileName().toString())) {
                continue;
            }
            Optional<Manifest> m = readQuietly(input, ctx);
            String expected = ctx.config().hashOf(upstream.configSections().toArray(new String[0]));
            if (m.isPresent() && !expected.equals(m.get().configHash())) {
                throw new dev.distillery.core.error.DataContractException(stage.name() + " needs " + input
                        + ", which was made with a different " + String.join("/", upstream.configSections())
                        + " config than the current one; run " + upstream.name() + " first (or run, which does)");
            }
        }
    }

    /**
     * Whether every output the manifest lists still has the hash it was written with. A manifest without the list of
     * models (written before stages listed them) counts as out of date, so the stage is redone rather than leave later
     * stages unable to learn which variants exist.
     */
    private static boolean outputsIntact(Path target, Manifest manifest) {
        if (manifest.outputs() == null || manifest.models() == null) {
            return false;
        }
        for (String entry : manifest.outputs().values()) {
            int at = entry.lastIndexOf(" sha256:");
            if (at < 0) {
                return false;
            }
            Path file = target.resolve(entry.substring(0, at));
            if (!Files.exists(file) || !ManifestIO.sha256(file).equals(entry.substring(at + 8))) {
                return false;
            }
        }
        return true;
    }

    public static Outcome run(Stage stage, StageContext ctx, boolean force) {
        Path target = stage.output().dir(ctx);
        if (!stage.enabled(ctx)) {
            ctx.console().printf("[%s] %s%n", stage.name(), stage.disabledReason(ctx));
            return new Outcome(stage.name(), true, 0, 0, null);
        }
        stage.validate(ctx);
        String configHash = ctx.config().hashOf(stage.configSections().toArray(new String[0]));
        Map<String, String> inputHashes = new LinkedHashMap<>();
        for (Path input : stage.inputs(ctx)) {
            if (!Files.exists(input)) {
                boolean upstream = input.toAbsolutePath().startsWith(ctx.outRoot());
                throw new dev.distillery.core.error.DataContractException(stage.name() + " needs " + input
                        + ", which does not exist" + (upstream ? "; run the earlier stages first" : ""));
            }
            checkUpstream(stage, input, ctx);
            Path manifest = input.resolve(ManifestIO.FILE);
            // Upstream stage folders are identified by their manifest; raw files by their bytes.
            inputHashes.put(input.toString(), ManifestIO.sha256(Files.isDirectory(input) && Files.exists(manifest)
                    ? manifest : input));
        }
        inputHashes.putAll(stage.remoteInputs(ctx));
        Optional<Manifest> existing = readQuietly(target, ctx);
        if (!force && existing.isPresent() && configHash.equals(existing.get().configHash())
                && inputHashes.equals(existing.get().inputHashes()) && outputsIntact(target, existing.get())) {
            ctx.console().printf("[%s] up to date (manifest matches config and inputs), skipped; --force redoes it%n",
                    stage.name());
            Object code = existing.get().metrics() == null ? null : existing.get().metrics().get("exit_code");
            return new Outcome(stage.name(), true, code instanceof Number n ? n.intValue() : 0, 0, existing.get());
        }
        ctx.console().printf("[%s] started -> %s%n", stage.name(), target);
        ctx.enterStage(stage.name());
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        try (StageOutput out = ctx.resume() && stage.resumable() ? StageOutput.resume(target) : StageOutput.begin(target)) {
            if (stage.resumable()) {
                out.keepCheckpointsOnFailure();
            }
            StageResult result;
            try {
                result = stage.run(ctx, out.dir());
            } catch (dev.distillery.core.error.TrainingDivergedException e) {
                Path kept = out.keepFailed();
                throw new dev.distillery.core.error.TrainingDivergedException(e.getMessage()
                        + " Checkpoints of the failed run are in " + kept);
            } catch (RuntimeException | Error e) {
                if (out.keepsCheckpoints()) {
                    ctx.console().printf("[%s] interrupted; its checkpoints are kept in %s and --resume continues "
                            + "from the newest%n", stage.name(), out.dir());
                }
                throw e;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = cpu0 < 0 ? Double.NaN : (processCpuNanos() - cpu0) / 1e9;
            Map<String, Object> metrics = new LinkedHashMap<>(result.metrics());
            if (!Double.isNaN(cpu)) {
                metrics.put("process_cpu_seconds", Math.round(cpu * 10) / 10.0);
            }
            if (result.exitCode() != 0) {
                metrics.put("exit_code", result.exitCode());
            }
            Map<String, String> outputs = new LinkedHashMap<>();
            result.outputs().forEach((name, rel) -> outputs.put(name, rel + " sha256:"
                    + ManifestIO.sha256(out.dir().resolve(rel))));
            Manifest manifest = new Manifest(stage.name(), configHash, inputHashes, ctx.config().seed(),
                    Provenance.versions(), Provenance.gitCommit(), started.toString(), Instant.now().toString(),
                    Math.round(secs * 10) / 10.0, result.rowCounts(), metrics, outputs, result.models());
            out.commit(manifest);
            ctx.console().printf("[%s] done in %s%s%n", stage.name(), Durations.format(secs), Double.isNaN(cpu) ? ""
                    : String.format(" (this process used %.2f of its %d cores)", cpu / Math.max(secs, 1e-9),
                    Runtime.getRuntime().availableProcessors()));
            return new Outcome(stage.name(), false, result.exitCode(), secs, manifest);
        }
    }

    /**
     * CPU time of this JVM so far, or -1 where the platform does not say. With a local master it covers the
     * executors' tasks too; on a cluster it is the driver's share only.
     */
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean unix ? unix.getProcessCpuTime() : -1;
    }
}
