package dev.distillery.core.labels;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.List;

/** Turns a soft-label row of any storage mode back into a full vector of teacher logits for the distillation loss. */
public final class SoftTargets implements Serializable {
    private static final long serialVersionUID = 1L;
    private final StorageMode mode;
    private final int numClasses;

    public SoftTargets(SoftLabelMetadata meta) {
        this.mode = meta.mode();
        this.numClasses = meta.numClasses();
    }

    /** Columns a reader must select for this mode, besides id and view. */
    public List<String> columns() {
        return switch (mode) {
            case DENSE_FLOAT32 -> List.of(SoftLabelSchema.LOGITS);
            case DENSE_FLOAT16 -> List.of(SoftLabelSchema.LOGITS_F16);
            case TOP_K -> List.of(SoftLabelSchema.TOPK_INDICES, SoftLabelSchema.TOPK_LOGITS, SoftLabelSchema.REST_MASS);
        };
    }

    /** Full logits from the columns of {@link #columns()}, which start at {@code first} in {@code row}. */
    public float[] logits(Row row, int first) {
        return switch (mode) {
            case DENSE_FLOAT32 -> numbers(row, first, false);
            case DENSE_FLOAT16 -> numbers(row, first, true);
            case TOP_K -> {
                float[] idx = numbers(row, first, false);
                int[] indices = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    indices[i] = (int) idx[i];
                }
                yield TopK.rebuild(indices, numbers(row, first + 1, false), row.getFloat(first + 2), numClasses);
            }
        };
    }

    private static float[] numbers(Row row, int index, boolean half) {
        scala.collection.Seq<?> seq = row.getSeq(index);
        float[] out = new float[seq.size()];
        scala.collection.Iterator<?> it = seq.iterator();
        for (int i = 0; it.hasNext(); i++) {
            Number n = (Number) it.next();
            out[i] = half ? Float16.decode(n.shortValue()) : n.floatValue();
        }
        return out;
    }
}
