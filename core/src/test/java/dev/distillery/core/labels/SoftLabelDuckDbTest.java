package dev.distillery.core.labels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DuckDB, a reader that shares no code with Spark or parquet-java, opens every storage mode and the footer. */
class SoftLabelDuckDbTest {
    @TempDir
    Path tmp;

    @Test
    void duckDbReadsColumnsWithStandardTypesAndTheFooterMetadata() throws Exception {
        for (StorageMode mode : StorageMode.values()) {
            Path dir = tmp.resolve(mode.id());
            try (SoftLabelFileWriter w = SoftLabelFileWriter.open(dir.resolve("part-00000.parquet"),
                    SoftLabelFilesTest.meta(mode, mode == StorageMode.TOP_K ? 3 : 10), "test")) {
                for (int i = 0; i < 20; i++) {
                    float[] z = new float[10];
                    z[i % 10] = 6f;
                    z[(i + 1) % 10] = 2.5f;
                    w.write(new SoftLabelRecord(i, 0, i % 10, "train", z));
                }
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            assertThat(types(s, tmp.resolve("dense-float32"))).containsEntry("id", "BIGINT")
                    .containsEntry("view", "INTEGER").containsEntry("split", "VARCHAR").containsEntry("logits", "FLOAT[]");
            assertThat(types(s, tmp.resolve("dense-float16"))).containsEntry("logits_f16", "SMALLINT[]");
            assertThat(types(s, tmp.resolve("top-k"))).containsEntry("topk_indices", "INTEGER[]")
                    .containsEntry("topk_logits", "FLOAT[]").containsEntry("rest_mass", "FLOAT");

            // float16 bits decode to the stored value: 6.0 is 0x4600 = 17920
            try (ResultSet r = s.executeQuery("SELECT logits_f16[1] FROM read_parquet('"
                    + tmp.resolve("dense-float16/part-00000.parquet") + "') WHERE id = 0")) {
                assertThat(r.next()).isTrue();
                assertThat(Float16.decode(r.getShort(1))).isEqualTo(6f);
            }
            try (ResultSet r = s.executeQuery("SELECT topk_indices, rest_mass FROM read_parquet('"
                    + tmp.resolve("top-k/part-00000.parquet") + "') WHERE id = 3")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("[3, 4, 0]");
                // eight classes at logit 0, one of them (class 0) in the top 3: 7 / (8 + e^6 + e^2.5)
                assertThat(r.getDouble(2)).isCloseTo(7 / (8 + Math.exp(6) + Math.exp(2.5)),
                        org.assertj.core.api.Assertions.within(1e-7));
            }
            Map<String, String> kv = new HashMap<>();
            try (ResultSet r = s.executeQuery("SELECT key, value FROM parquet_kv_metadata('"
                    + tmp.resolve("top-k/part-00000.parquet") + "')")) {
                while (r.next()) {
                    kv.put(new String(r.getBytes(1), StandardCharsets.UTF_8), new String(r.getBytes(2), StandardCharsets.UTF_8));
                }
            }
            assertThat(kv).containsEntry("distillery.storage", "top-k").containsEntry("distillery.k", "3")
                    .containsEntry("distillery.teacher_sha256", SoftLabelFilesTest.SHA);
        }
    }

    private static Map<String, String> types(Statement s, Path dir) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + dir + "/*.parquet')")) {
            while (r.next()) {
                out.put(r.getString("column_name"), r.getString("column_type"));
            }
        }
        return out;
    }
}
