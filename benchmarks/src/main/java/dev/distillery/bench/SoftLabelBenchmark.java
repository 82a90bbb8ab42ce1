package dev.distillery.bench;

import dev.distillery.core.data.Examples;
import dev.distillery.core.data.Rows;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.labels.SoftTargets;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.spark.SparkSessions;
import dev.distillery.jobs.cli.DistilleryCli;
import dev.distillery.jobs.stage.LabelStage;
import dev.distillery.jobs.stage.PrepareStage;
import dev.distillery.jobs.stage.TrainTeacherStage;
import dev.distillery.teacher.label.TeacherEnsemble;
import dev.distillery.teacher.label.TeacherModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Soft-label measurements, one per invocation (see bench/soft-labels.sh):
 * <ul>
 *   <li>{@code label <cli args...>}: runs the label stage and prints {@code RESULT label rows seconds peak_heap_bytes
 *       stage_seconds peak_live_heap_bytes}: the sum of the heap pools' peaks (what the collector let the heap grow
 *       to) and the largest heap in use right after a collection (the live data the stage held);</li>
 *   <li>{@code label-warm <cli args...>}: the same, timing a second run of the stage in the same JVM (the CLI args
 *       must force it), as a {@code distillery run} runs it after earlier stages: Spark's session and first query
 *       are not paid again;</li>
 *   <li>{@code plain <out> <batch> [threads] [views] [samediff|onnxruntime]}: the same teacher on the same train and
 *       validation rows in a plain batched loop (rows loaded first, inference timed), in SameDiff or (exported to
 *       ONNX, as the label stage runs it) in ONNX Runtime, one thread per session call,
 *       {@code RESULT plain rows seconds checksum views};
 *       with several threads, each runs its own copy of the teacher on its share of the rows, as the label stage's
 *       tasks do. With {@code views}, the loop labels exactly the rows of the soft labels under
 *       {@code <out>/soft-labels/labels}: every training example in each of the views their metadata records, made
 *       by the same augmenter and seed in the same order as the label stage, batch by batch inside the timed loop;
 *       </li>
 *   <li>{@code teacher <out> <rows>}: a default-architecture teacher trained for one epoch on the first rows of
 *       the prepared training split in a plain loop, written to {@code <out>/teacher/teacher.dmodel} (a quick
 *       stand-in for train-teacher when only the labelling is measured);</li>
 *   <li>{@code recode <dense dir> <out dir> <storage> <k>}: re-encodes dense float32 soft labels in another storage
 *       mode with the label stage's own writer, without running the teacher again;</li>
 *   <li>{@code fidelity <dense dir> <other dir>}: bytes per row of the other folder and the mean KL divergence between
 *       the dense and the rebuilt teacher distributions at T=1 and T=4, {@code RESULT fidelity bytes_per_row kl1 kl4}.</li>
 * </ul>
 */
public final class SoftLabelBenchmark {
    private SoftLabelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int code = 0;
        switch (args[0]) {
            case "label" -> code = label(Arrays.copyOfRange(args, 1, args.length));
            case "label-warm" -> {
                // the stage as `distillery run` runs it, after other stages: Spark's session is up and the Parquet
                // reader has run once. An untimed first run, then the timed one (the CLI args must hold --force)
                String[] cli = Arrays.copyOfRange(args, 1, args.length);
                code = DistilleryCli.execute(cli);
                if (code == 0) {
                    code = label(cli);
                }
            }
            case "plain" -> {
                List<String> flags = Arrays.asList(args).subList(Math.min(4, args.length), args.length);
                plain(Path.of(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 1,
                        flags.contains("views"), flags.contains("onnxruntime") ? TeacherModel.Engine.ONNXRUNTIME
                                : TeacherModel.Engine.SAMEDIFF);
            }
            case "fidelity" -> fidelity(Path.of(args[1]), Path.of(args[2]));
            case "teacher" -> teacher(Path.of(args[1]), Integer.parseInt(args[2]));
            case "recode-all" -> {
                // every top-k size and the fidelity of every mode in one JVM and one Spark session
                Path modes = Path.of(args[1]);
                for (String k : args[2].split(",")) {
                    recode(modes.resolve("dense-float32"), modes.resolve("top-k:" + k), "top-k", Integer.parseInt(k));
                }
                for (String m : args[3].split(",")) {
                    fidelity(modes.resolve("dense-float32"), modes.resolve(m));
                }
            }
            case "recode" -> recode(Path.of(args[1]), Path.of(args[2]), args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown measurement " + args[0]);
        }
        System.exit(code);
    }

    /** Runs the label stage and prints its RESULT line; returns the CLI's exit code. */
    private static int label(String[] cli) throws Exception {
        java.util.concurrent.atomic.AtomicLong liveHeap = new java.util.concurrent.atomic.AtomicLong();
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((javax.management.NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                        .equals(n.getType())) {
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                            (javax.management.openmbean.CompositeData) n.getUserData());
                    long used = 0;
                    for (var u : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (isHeapPool(u.getKey())) {
                            used += u.getValue().getUsed();
                        }
                    }
                    liveHeap.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
        long t0 = System.nanoTime();
        int code = DistilleryCli.execute(cli);
        double secs = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            return code;
        }
        Path out = Path.of(cli[Arrays.asList(cli).indexOf("--out") + 1]);
        long rows = 0;
        for (Path f : SoftLabelFiles.files(LabelStage.PARQUET.path(out))) {
            rows += SoftLabelFiles.footer(f).rows();
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        double stage = dev.distillery.core.manifest.ManifestIO.read(LabelStage.OUTPUT.dir(out)).orElseThrow()
                .durationSeconds();
        System.out.printf("RESULT label %d %.2f %d %.1f %d%n", rows, secs, peakHeap, stage, liveHeap.get());
        return 0;
    }

    private static boolean isHeapPool(String name) {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals(name)) {
                return pool.getType() == MemoryType.HEAP;
            }
        }
        return false;
    }

    private static void plain(Path out, int batch, int threads, boolean views, TeacherModel.Engine engine)
            throws Exception {
        SparkSession spark = SparkSessions.getOrCreate("local[1]", "plain-loop", 1);
        List<Row> rows = spark.read().parquet(PrepareStage.OUTPUT.dir(out).resolve(Examples.PARQUET_DIR).toString())
                .where(col("split").notEqual(Examples.TEST)).select("id", "split", "features").collectAsList();
        float[][] x = new float[rows.size()][];
        long[] ids = new long[x.length];
        boolean[] train = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            ids[i] = rows.get(i).getLong(0);
            train[i] = Examples.TRAIN.equals(rows.get(i).getString(1));
            x[i] = Rows.floats(rows.get(i), 2);
        }
        rows = null;
        int viewCount = 1;
        dev.distillery.core.augment.ViewAugmenter augmenter = null;
        if (views) {
            SoftLabelMetadata m = SoftLabelFiles.read(LabelStage.PARQUET.path(out));
            viewCount = m.views();
            augmenter = m.augmenter();
        }
        ModelArtifact teacher = ModelIO.read(TrainTeacherStage.MODEL.path(out), "teacher");
        var a = teacher.architecture();
        TeacherModel model = engine == TeacherModel.Engine.ONNXRUNTIME
                ? TeacherModel.onnx(a.name(), dev.distillery.student.onnx.OnnxExporter.toBytes(teacher),
                TeacherModel.Layout.NCHW, a.channels(), a.height(), a.width())
                : TeacherModel.sameDiff(teacher);
        List<TeacherEnsemble> nets = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            TeacherEnsemble net = new TeacherEnsemble(List.of(model), "mean-logits");
            net.logits(Arrays.copyOf(x, batch));   // warm-up: graph and native kernels
            nets.add(net);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<double[]>> parts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            TeacherEnsemble net = nets.get(t);
            int from = (int) ((long) x.length * t / threads);
            int to = (int) ((long) x.length * (t + 1) / threads);
            int perExample = viewCount;
            var aug = augmenter;
            parts.add(pool.submit(() -> {
                dev.distillery.engine.samediff.NativeSettings.limitThreads();
                double sum = 0;
                long labelled = 0;
                float[][] in = new float[batch][];
                int n = 0;
                for (int i = from; i < to; i++) {
                    for (int v = 0; v < (train[i] ? perExample : 1); v++) {
                        in[n++] = aug == null ? x[i] : aug.view(x[i], ids[i], v);
                        if (n == batch) {
                            sum += net.logits(in)[0][0];
                            labelled += n;
                            n = 0;
                        }
                    }
                }
                if (n > 0) {
                    sum += net.logits(Arrays.copyOf(in, n))[0][0];
                    labelled += n;
                }
                return new double[]{sum, labelled};
            }));
        }
        double checksum = 0;
        long labelled = 0;
        for (var p : parts) {
            double[] r = p.get();
            checksum += r[0];
            labelled += (long) r[1];
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf("RESULT plain %d %.2f %.3f %d%n", labelled, secs, checksum, viewCount);
        System.out.printf("RESULT teacher_macs %d%n", teacher.architecture().macs());
    }

    private static void fidelity(Path dense, Path other) throws Exception {
        SparkSession spark = SparkSessions.getOrCreate("local[2]", "fidelity", 4);
        SoftTargets ref = new SoftTargets(SoftLabelFiles.read(dense));
        SoftLabelMetadata meta = SoftLabelFiles.read(other);
        SoftTargets got = new SoftTargets(meta);
        long bytes = 0;
        long rows = 0;
        for (Path f : SoftLabelFiles.files(other)) {
            bytes += Files.size(f);
            rows += SoftLabelFiles.footer(f).rows();
        }
        List<String> cols = new ArrayList<>(List.of("id", "view"));
        cols.addAll(got.columns());
        Dataset<Row> a = spark.read().parquet(dense.toString()).select("id", "view", "logits");
        Dataset<Row> b = spark.read().parquet(other.toString()).selectExpr(cols.toArray(new String[0]));
        double[] sums = a.join(b, scala.jdk.javaapi.CollectionConverters.asScala(List.of("id", "view")).toSeq()).javaRDD()
                .map(r -> {
                    float[] p = Rows.floats(r, 2);
                    float[] q = got.logits(r, 3);
                    return new double[]{kl(p, q, 1), kl(p, q, 4), 1};
                }).reduce((x, y) -> new double[]{x[0] + y[0], x[1] + y[1], x[2] + y[2]});
        System.out.printf("RESULT fidelity %s %.2f %.3e %.3e %d%n", meta.storage() + (meta.storage().equals("top-k")
                ? "-" + meta.k() : ""), (double) bytes / rows, sums[0] / sums[2], sums[1] / sums[2], (long) sums[2]);
    }

    private static void teacher(Path out, int limit) {
        SparkSession spark = SparkSessions.getOrCreate("local[1]", "bench-teacher", 1);
        var info = Examples.info(PrepareStage.OUTPUT.dir(out));
        Examples.LocalExamples train = Examples.collect(Examples.load(spark, PrepareStage.OUTPUT.dir(out), Examples.TRAIN)
                .limit(limit));
        Examples.LocalExamples val = Examples.collect(Examples.load(spark, PrepareStage.OUTPUT.dir(out), Examples.VALIDATION))
                .head(2000);
        var cfg = dev.distillery.core.config.ConfigLoader.fromTree(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), List.of(), "defaults");
        var arch = dev.distillery.teacher.arch.TeacherArchitecture.of(cfg.teacher(), info);
        int batch = 64;
        var net = Engines.network().forTraining(arch, dev.distillery.core.model.ParamInit.he(arch, 42),
                dev.distillery.core.engine.GraphHooks.NONE, new dev.distillery.core.engine.CrossEntropyObjective(),
                new dev.distillery.core.engine.CosineSchedule(0.002, 0, train.size() / batch + 1, 0.0002), 0);
        for (int i = 0, step = 0; i < train.size(); i += batch, step++) {
            int end = Math.min(train.size(), i + batch);
            net.fit(Arrays.copyOfRange(train.features(), i, end), Arrays.copyOfRange(train.labels(), i, end), null, step);
        }
        float[][] logits = net.logits(val.features());
        int right = 0;
        for (int i = 0; i < logits.length; i++) {
            right += dev.distillery.core.train.SparkTrainer.argmax(logits[i]) == val.labels()[i] ? 1 : 0;
        }
        ModelIO.write(new ModelArtifact("teacher", arch, net.params(), java.util.Map.of("bench_rows",
                String.valueOf(train.size())), null), TrainTeacherStage.MODEL.path(out));
        System.out.printf("RESULT teacher %d %.4f%n", train.size(), (double) right / logits.length);
    }

    private static void recode(Path dense, Path out, String storage, int k) {
        SparkSession spark = SparkSessions.getOrCreate("local[1]", "recode", 1);
        SoftLabelMetadata m = SoftLabelFiles.read(dense);
        dev.distillery.core.labels.StorageMode mode = dev.distillery.core.labels.StorageMode.of(storage);
        SoftLabelMetadata meta = new SoftLabelMetadata(m.format(), storage,
                mode == dev.distillery.core.labels.StorageMode.TOP_K ? k : m.numClasses(), mode.dtype(), m.numClasses(),
                m.classNames(), m.temperatureHint(), m.configHash(), m.teachers(), m.ensemble(), m.views(), m.augment(),
                m.seed(), m.shape());
        long rows = 0;
        try (var w = dev.distillery.core.labels.SoftLabelFileWriter.open(out.resolve("part-00000.parquet"), meta, "recode")) {
            var it = spark.read().parquet(dense.toString()).select("id", "view", "label", "split", "logits")
                    .toLocalIterator();
            while (it.hasNext()) {
                Row r = it.next();
                w.write(new dev.distillery.core.labels.SoftLabelRecord(r.getLong(0), r.getInt(1), r.getInt(2),
                        r.getString(3), Rows.floats(r, 4)));
                rows++;
            }
        }
        System.out.printf("RESULT recode %s %d %d%n", storage + (mode == dev.distillery.core.labels.StorageMode.TOP_K
                ? "-" + k : ""), rows, 0);
    }

    /** KL(softmax(p/T) || softmax(q/T)) in nats. */
    static double kl(float[] p, float[] q, double t) {
        double[] lp = dev.distillery.core.engine.DistillationObjective.logSoftmax(p, t);
        double[] lq = dev.distillery.core.engine.DistillationObjective.logSoftmax(q, t);
        double kl = 0;
        for (int i = 0; i < lp.length; i++) {
            kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
        }
        return Math.max(kl, 0);
    }
}
