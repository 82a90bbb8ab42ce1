package dev.distillery.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Activation buffers of a network in execution order and the steps each one is live, from the layer that writes
 * it to the last layer that reads it. ReLU and flatten run in place, so their output shares their input's buffer
 * (a flatten is a reshape of the same memory), unless a residual add reads that input later; a residual add keeps
 * the output it reads live until it runs. The peak is the largest sum of live buffers at any step: what an
 * arena planner that frees a buffer after its last reader needs.
 */
public final class TensorLifetimes {
    /** One activation buffer: its size in elements and the first and last step (layer index) it is live. */
    public record Buffer(long elements, int firstStep, int lastStep) {
        boolean liveAt(int step) {
            return firstStep <= step && step <= lastStep;
        }
    }

    /** The peak: elements live at the worst step and which step that is. */
    public record Peak(long elements, int step) {
    }

    private final List<Buffer> buffers;
    private final int steps;

    private TensorLifetimes(List<Buffer> buffers, int steps) {
        this.buffers = List.copyOf(buffers);
        this.steps = steps;
    }

    /** Plans the buffers of a layer list; the input buffer is live from step 0, the logits until the last step. */
    public static TensorLifetimes of(List<LayerInfo> layers) {
        int n = layers.size();
        java.util.Set<Integer> read = new java.util.HashSet<>();
        for (LayerInfo layer : layers) {
            if (layer.spec() instanceof LayerSpec.Add add) {
                read.add(add.from());
            }
        }
        List<long[]> raw = new ArrayList<>(); // {elements, first, last}
        raw.add(new long[]{layers.get(0).input().elements(), 0, 0});
        int current = 0;
        // bufferOf[j + 1]: the buffer holding layer j's output (bufferOf[0]: the input's), for residual adds
        int[] bufferOf = new int[n + 1];
        for (int i = 0; i < n; i++) {
            LayerInfo layer = layers.get(i);
            long[] in = raw.get(current);
            in[2] = Math.max(in[2], i);
            if (layer.spec() instanceof LayerSpec.Add add) {
                long[] shortcut = raw.get(bufferOf[add.from() + 1]);
                shortcut[2] = Math.max(shortcut[2], i);
            }
            // an in-place layer would overwrite a value a later add still reads, so that one gets its own buffer
            if (inPlace(layer.spec()) && !read.contains(i - 1)) {
                in[0] = Math.max(in[0], layer.output().elements());
            } else {
                raw.add(new long[]{layer.output().elements(), i, i});
                current = raw.size() - 1;
            }
            bufferOf[i + 1] = current;
        }
        raw.get(current)[2] = n - 1; // the logits are read after the last layer
        List<Buffer> buffers = new ArrayList<>();
        for (long[] b : raw) {
            buffers.add(new Buffer(b[0], (int) b[1], (int) b[2]));
        }
        return new TensorLifetimes(buffers, n);
    }

    public List<Buffer> buffers() {
        return buffers;
    }

    /** Elements live at one step. */
    public long liveAt(int step) {
        return buffers.stream().filter(b -> b.liveAt(step)).mapToLong(Buffer::elements).sum();
    }

    /** The step with the most live elements (the first such step on ties). */
    public Peak peak() {
        Peak best = new Peak(0, 0);
        for (int s = 0; s < steps; s++) {
            long live = liveAt(s);
            if (live > best.elements()) {
                best = new Peak(live, s);
            }
        }
        return best;
    }

    /** Whether a layer writes its output into its input's buffer (ReLU, flatten), so it adds no buffer. */
    public static boolean inPlace(LayerSpec spec) {
        return spec instanceof LayerSpec.Relu || spec instanceof LayerSpec.Flatten;
    }
}
