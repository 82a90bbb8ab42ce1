package dev.distillery.core.labels;

import dev.distillery.core.error.DataContractException;

/** How teacher outputs are stored: every logit as float32 or float16, or only the k largest plus the rest's mass. */
public enum StorageMode {
    DENSE_FLOAT32("dense-float32", "float32"),
    DENSE_FLOAT16("dense-float16", "float16"),
    TOP_K("top-k", "float32");

    private final String id;
    private final String dtype;

    StorageMode(String id, String dtype) {
        this.id = id;
        this.dtype = dtype;
    }

    /** The name used in config and metadata, e.g. {@code dense-float16}. */
    public String id() {
        return id;
    }

    /** Element type of the stored values. */
    public String dtype() {
        return dtype;
    }

    public static StorageMode of(String id) {
        for (StorageMode m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new DataContractException("unknown soft-label storage mode '" + id + "', expected dense-float32, "
                + "dense-float16 or top-k");
    }
}
