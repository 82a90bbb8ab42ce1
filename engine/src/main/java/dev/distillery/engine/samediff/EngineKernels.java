package dev.distillery.engine.samediff;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;

import java.util.Set;

/**
 * Chooses the engine's kernel per op call. The oneDNN build runs every op it has a oneDNN kernel for through that
 * kernel; for 2x2 max pooling and its gradient those calls were 4-8x slower on this project's shapes than the
 * engine's own loops (one thread, batch 64 of 32x28x28 maps: 24.7 and 38.8 ms against 3.1 and 11.5 ms), and took 39%
 * of a teacher training step. Convolutions stay on oneDNN, 3-25x faster there than without it. The choice is made on
 * each call's own op context before it runs, so concurrent Spark tasks in one JVM do not affect each other. Every
 * graph of {@link GraphBuilder} carries this listener; it changes no result (max pooling is exact either way).
 */
final class EngineKernels extends BaseListener {
    /** Ops whose oneDNN kernel is slower than the engine's own on these networks. */
    static final Set<String> WITHOUT_ONEDNN = Set.of("maxpool2d", "maxpool2d_bp");

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        if (opContext != null && WITHOUT_ONEDNN.contains(op.getOp().opName())) {
            opContext.allowHelpers(false);
        }
    }
}
