package dev.distillery.core.labels;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.Map;

/** Encodes {@link SoftLabelRecord}s in one storage mode and puts the metadata into the file footer. */
final class SoftLabelWriteSupport extends WriteSupport<SoftLabelRecord> {
    private final StorageMode mode;
    private final int k;
    private final int numClasses;
    private final MessageType schema;
    private final Map<String, String> footer;
    private RecordConsumer out;

    SoftLabelWriteSupport(SoftLabelMetadata meta) {
        this.mode = meta.mode();
        this.k = meta.k();
        this.numClasses = meta.numClasses();
        this.schema = SoftLabelSchema.of(mode);
        this.footer = meta.toFooter();
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, footer);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(SoftLabelRecord r) {
        if (r.logits().length != numClasses) {
            throw new IllegalArgumentException("row " + r.id() + " has " + r.logits().length + " logits, expected "
                    + numClasses);
        }
        out.startMessage();
        out.startField(SoftLabelSchema.ID, 0);
        out.addLong(r.id());
        out.endField(SoftLabelSchema.ID, 0);
        out.startField(SoftLabelSchema.VIEW, 1);
        out.addInteger(r.view());
        out.endField(SoftLabelSchema.VIEW, 1);
        out.startField(SoftLabelSchema.LABEL, 2);
        out.addInteger(r.label());
        out.endField(SoftLabelSchema.LABEL, 2);
        out.startField(SoftLabelSchema.SPLIT, 3);
        out.addBinary(Binary.fromString(r.split()));
        out.endField(SoftLabelSchema.SPLIT, 3);
        switch (mode) {
            case DENSE_FLOAT32 -> floatList(SoftLabelSchema.LOGITS, 4, r.logits());
            case DENSE_FLOAT16 -> {
                int[] bits = new int[numClasses];
                for (int i = 0; i < numClasses; i++) {
                    bits[i] = Float16.encode(r.logits()[i]);
                }
                intList(SoftLabelSchema.LOGITS_F16, 4, bits);
            }
            case TOP_K -> {
                int[] top = TopK.indices(r.logits(), k);
                float[] values = new float[k];
                for (int j = 0; j < k; j++) {
                    values[j] = r.logits()[top[j]];
                }
                intList(SoftLabelSchema.TOPK_INDICES, 4, top);
                floatList(SoftLabelSchema.TOPK_LOGITS, 5, values);
                out.startField(SoftLabelSchema.REST_MASS, 6);
                out.addFloat((float) TopK.restMass(r.logits(), top));
                out.endField(SoftLabelSchema.REST_MASS, 6);
            }
        }
        out.endMessage();
    }

    // the standard three-level LIST layout: <name> (LIST) { repeated group list { required element } }
    private void floatList(String name, int index, float[] values) {
        out.startField(name, index);
        out.startGroup();
        out.startField("list", 0);
        for (float v : values) {
            out.startGroup();
            out.startField("element", 0);
            out.addFloat(v);
            out.endField("element", 0);
            out.endGroup();
        }
        out.endField("list", 0);
        out.endGroup();
        out.endField(name, index);
    }

    private void intList(String name, int index, int[] values) {
        out.startField(name, index);
        out.startGroup();
        out.startField("list", 0);
        for (int v : values) {
            out.startGroup();
            out.startField("element", 0);
            out.addInteger(v);
            out.endField("element", 0);
            out.endGroup();
        }
        out.endField("list", 0);
        out.endGroup();
        out.endField(name, index);
    }
}
