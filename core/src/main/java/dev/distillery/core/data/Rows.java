package dev.distillery.core.data;

import org.apache.spark.sql.Row;

import java.util.List;

/** Conversions between Spark rows and the float arrays the engines consume. */
public final class Rows {
    private Rows() {
    }

    public static float[] floats(Row row, int index) {
        Object v = row.get(index);
        if (v instanceof scala.collection.Seq<?> seq) {
            float[] out = new float[seq.size()];
            scala.collection.Iterator<?> it = seq.iterator();
            int i = 0;
            while (it.hasNext()) {
                out[i++] = ((Number) it.next()).floatValue();
            }
            return out;
        }
        List<Object> list = row.getList(index);
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) list.get(i)).floatValue();
        }
        return out;
    }

    public static Float[] boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
