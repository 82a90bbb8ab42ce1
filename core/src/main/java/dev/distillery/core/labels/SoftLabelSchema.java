package dev.distillery.core.labels;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of soft-label files, per storage mode: only standard types (INT64, INT32, INT32 annotated
 * INT(16), FLOAT, UTF-8 strings, three-level LIST groups), which Spark, pyarrow and DuckDB read without help.
 */
public final class SoftLabelSchema {
    public static final String ID = "id";
    public static final String VIEW = "view";
    public static final String LABEL = "label";
    public static final String SPLIT = "split";
    /** dense-float32: every logit. */
    public static final String LOGITS = "logits";
    /** dense-float16: every logit as the bit pattern of an IEEE binary16 in an int16. */
    public static final String LOGITS_F16 = "logits_f16";
    /** top-k: class indices of the k largest logits, largest first. */
    public static final String TOPK_INDICES = "topk_indices";
    /** top-k: those k logits, in the same order. */
    public static final String TOPK_LOGITS = "topk_logits";
    /** top-k: softmax probability (temperature 1) of all classes outside the top k together. */
    public static final String REST_MASS = "rest_mass";

    private SoftLabelSchema() {
    }

    public static MessageType of(StorageMode mode) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        b.required(PrimitiveTypeName.INT64).named(ID)
                .required(PrimitiveTypeName.INT32).named(VIEW)
                .required(PrimitiveTypeName.INT32).named(LABEL)
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(SPLIT);
        switch (mode) {
            case DENSE_FLOAT32 -> b.addField(Types.requiredList().requiredElement(PrimitiveTypeName.FLOAT)
                    .named(LOGITS));
            case DENSE_FLOAT16 -> b.addField(Types.requiredList().requiredElement(PrimitiveTypeName.INT32)
                    .as(LogicalTypeAnnotation.intType(16, true)).named(LOGITS_F16));
            case TOP_K -> {
                b.addField(Types.requiredList().requiredElement(PrimitiveTypeName.INT32).named(TOPK_INDICES));
                b.addField(Types.requiredList().requiredElement(PrimitiveTypeName.FLOAT).named(TOPK_LOGITS));
                b.required(PrimitiveTypeName.FLOAT).named(REST_MASS);
            }
        }
        return b.named("soft_label");
    }
}
