package dev.distillery.engine.samediff;

import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The memory of one network's training steps: every tensor a step's ops write is taken from the buffers of the step
 * before it, which had the same shapes, and handed back when the step ends. The engine's own session manager frees
 * only the tensors its dependency tracking releases and leaves the rest (each parameter's gradient, the loss) to the
 * garbage collector, so every step used to write into about 60 buffers of fresh, never-touched memory and the
 * process took a page fault per 4 KiB of it; here a step after the first allocates nothing.
 *
 * <p>Arrays the session releases during a step stay this step's: a released tensor can still be read through a view
 * by a later op of the same step, so a buffer is reused only by a later step, when nothing of the one before is
 * alive. Buffers that a step did not ask for (the last, shorter batch of an epoch has other activation shapes) are
 * freed when it ends, so the arena holds one step's tensors at most. Arrays the session releases that the arena did
 * not allocate (the step's inputs) are closed at once, as the engine's own manager does when its cache is empty.
 * Not thread-safe: one arena belongs to one network, whose steps run one at a time.
 */
final class StepArena extends AbstractMemoryMgr {
    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Set<INDArray> step = Collections.newSetFromMap(new IdentityHashMap<>());
    private long allocated;

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return take(dataType, shape);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) {
            return Nd4j.create(descriptor);
        }
        return take(descriptor.dataType(), descriptor.getShape());
    }

    private INDArray take(DataType dataType, long[] shape) {
        ArrayDeque<INDArray> list = free.get(new Key(dataType, shape));
        INDArray arr = list == null ? null : list.pollFirst();
        if (arr == null || arr.wasClosed()) {
            arr = Nd4j.createUninitializedDetached(dataType, shape);
            allocated++;
        } else {
            ((BaseNDArray) arr).assignNewId();   // a reused array gets a fresh id, as the engine's own cache gives it
        }
        step.add(arr);
        return arr;
    }

    @Override
    public void release(INDArray array) {
        Objects.requireNonNull(array, "array");
        if (!step.contains(array) && array.closeable()) {
            array.close();
        }
    }

    /** Ends a step: buffers it did not use are freed, and every buffer it wrote becomes the next step's. */
    void endStep() {
        closeAll();
        for (INDArray arr : step) {
            if (!arr.wasClosed()) {
                free.computeIfAbsent(new Key(arr.dataType(), arr.shape()), k -> new ArrayDeque<>()).addLast(arr);
            }
        }
        step.clear();
    }

    /** Buffers created since this arena was made; a step that reuses everything adds none. */
    long allocated() {
        return allocated;
    }

    @Override
    public void close() {
        closeAll();
        for (INDArray arr : step) {
            closeQuietly(arr);
        }
        step.clear();
    }

    private void closeAll() {
        for (ArrayDeque<INDArray> list : free.values()) {
            list.forEach(StepArena::closeQuietly);
        }
        free.clear();
    }

    private static void closeQuietly(INDArray arr) {
        if (!arr.wasClosed() && arr.closeable()) {
            arr.close();
        }
    }

    private record Key(DataType dataType, List<Long> shape) {
        Key(DataType dataType, long[] shape) {
            this(dataType, Arrays.stream(shape).boxed().toList());
        }
    }
}
