package dev.distillery.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The machine's float compute ceiling as the native engine reaches it: square single-precision matrix products
 * through ND4J (OpenBLAS), best of several timed repetitions after a warm-up. It uses every core of the machine.
 * Usage: {@code GemmCeiling <size,size,...> <seconds per size>}; prints {@code RESULT gemm size gflops threads}.
 */
public final class GemmCeiling {
    private GemmCeiling() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: GemmCeiling <size,size,...> <seconds per size>");
            System.exit(2);
        }
        double budget = Double.parseDouble(args[1]);
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        int threads = threads();
        for (String s : args[0].split(",")) {
            int n = Integer.parseInt(s.trim());
            System.out.printf("RESULT gemm %d %.1f %d%n", n, gflops(n, budget), threads);
        }
    }

    /** Best GFLOP/s of {@code n x n} products within about {@code seconds} of timed work. */
    static double gflops(int n, double seconds) {
        Nd4j.getRandom().setSeed(7);
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        a.mmuli(b, c);   // warm-up: thread pool and first-touch of the buffers
        double flops = 2.0 * n * n * n;
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int reps = 0;
        do {
            long t0 = System.nanoTime();
            a.mmuli(b, c);
            double dt = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, flops / dt / 1e9);
            reps++;
        } while (System.nanoTime() < end || reps < 3);
        return best;
    }

    /** Every core: the ceiling is what the whole machine can do, which is what two Spark workers share. */
    private static int threads() {
        int n = Runtime.getRuntime().availableProcessors();
        Nd4j.create(DataType.FLOAT, 1);   // loads the backend, which the native ops holder needs
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        return n;
    }
}
