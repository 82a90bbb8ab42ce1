package dev.distillery.core.labels;

import dev.distillery.core.config.AugmentConfig;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.testing.TestSpark;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Soft-label files written by {@link SoftLabelFileWriter}, opened by a plain Parquet reader and by Spark. */
class SoftLabelFilesTest {
    static final String SHA = "ab".repeat(32);
    @TempDir
    Path tmp;

    static SoftLabelMetadata meta(StorageMode mode, int k) {
        return new SoftLabelMetadata(SoftLabelMetadata.FORMAT, mode.id(), k, mode.dtype(), 10,
                List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), 4.0, "cd".repeat(32),
                List.of(new TeacherIdentity(SHA, "cnn", 1234, "teacher.dmodel")), "none", 1,
                new AugmentConfig(0, false, 0, 0.0), 7, List.of(1, 8, 8));
    }

    private float[][] write(Path dir, SoftLabelMetadata meta, int rows) {
        Random r = new Random(11);
        float[][] logits = new float[rows][10];
        try (SoftLabelFileWriter w = SoftLabelFileWriter.open(dir.resolve("part-00000.parquet"), meta, "test")) {
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < 10; c++) {
                    logits[i][c] = (float) (r.nextGaussian() * 5);
                }
                w.write(new SoftLabelRecord(i, 0, i % 10, i % 5 == 0 ? "validation" : "train", logits[i]));
            }
        }
        return logits;
    }

    @Test
    void plainParquetReaderSeesStandardTypesAndTheMetadataInTheFooter() {
        write(tmp, meta(StorageMode.DENSE_FLOAT16, 10), 50);
        SoftLabelFiles.Footer f = SoftLabelFiles.footer(tmp.resolve("part-00000.parquet"));
        MessageType s = f.schema();
        assertThat(f.rows()).isEqualTo(50);
        assertThat(s.getType("id").asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.INT64);
        assertThat(s.getType("split").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.stringType());
        var list = s.getType("logits_f16").asGroupType();
        assertThat(list.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.listType());
        var element = list.getType("list").asGroupType().getType("element").asPrimitiveType();
        assertThat(element.getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.INT32);
        assertThat(element.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.intType(16, true));
        assertThat(f.keyValues()).containsEntry("distillery.storage", "dense-float16")
                .containsEntry("distillery.dtype", "float16").containsEntry("distillery.k", "10")
                .containsEntry("distillery.num_classes", "10").containsEntry("distillery.teacher_sha256", SHA)
                .containsEntry("distillery.config_hash", "cd".repeat(32))
                .containsEntry("distillery.temperature_hint", "4.0")
                .containsEntry("distillery.class_names", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]");
        assertThat(SoftLabelFiles.read(tmp)).isEqualTo(meta(StorageMode.DENSE_FLOAT16, 10));
    }

    @Test
    void rowGroupsStayBoundedSoAWritersMemoryDoesNotGrowWithItsRows() throws Exception {
        // ~45 bytes per dense row: 500,000 rows are about 22 MB, more than one 16 MiB row group
        float[][] logits = write(tmp, meta(StorageMode.DENSE_FLOAT32, 10), 500_000);
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                new org.apache.parquet.io.LocalInputFile(tmp.resolve("part-00000.parquet")))) {
            var blocks = reader.getFooter().getBlocks();
            assertThat(blocks).hasSizeGreaterThan(1);
            assertThat(blocks).allSatisfy(b -> assertThat(b.getCompressedSize())
                    .isLessThanOrEqualTo(SoftLabelFileWriter.ROW_GROUP_BYTES + (1 << 20)));
            assertThat(blocks.stream().mapToLong(b -> b.getRowCount()).sum()).isEqualTo(logits.length);
        }
    }

    @Test
    void logitsAndIdsAreWrittenWithoutADictionaryAndRepeatedColumnsWithOne() throws Exception {
        write(tmp, meta(StorageMode.DENSE_FLOAT32, 10), 2000);
        java.util.Map<String, java.util.Set<org.apache.parquet.column.Encoding>> encodings = new java.util.HashMap<>();
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                new org.apache.parquet.io.LocalInputFile(tmp.resolve("part-00000.parquet")))) {
            for (var column : reader.getFooter().getBlocks().get(0).getColumns()) {
                encodings.put(column.getPath().toDotString(), column.getEncodings());
            }
        }
        assertThat(encodings.get("logits.list.element")).noneMatch(org.apache.parquet.column.Encoding::usesDictionary);
        assertThat(encodings.get("id")).noneMatch(org.apache.parquet.column.Encoding::usesDictionary);
        assertThat(encodings.get("split")).anyMatch(org.apache.parquet.column.Encoding::usesDictionary);
        assertThat(encodings.get("label")).anyMatch(org.apache.parquet.column.Encoding::usesDictionary);
    }

    @Test
    void sparkReadsEveryModeAndTargetsRebuildTheTeacherLogits() {
        for (StorageMode mode : StorageMode.values()) {
            Path dir = tmp.resolve(mode.id());
            SoftLabelMetadata m = meta(mode, mode == StorageMode.TOP_K ? 3 : 10);
            float[][] logits = write(dir, m, 40);
            SoftTargets targets = new SoftTargets(SoftLabelFiles.read(dir));
            var df = TestSpark.get().read().parquet(dir.toString());
            assertThat(df.schema().apply("view").dataType()).isEqualTo(DataTypes.IntegerType);
            List<String> cols = new java.util.ArrayList<>(List.of("id"));
            cols.addAll(targets.columns());
            for (Row r : df.selectExpr(cols.toArray(new String[0])).collectAsList()) {
                float[] expected = logits[(int) r.getLong(0)];
                float[] got = targets.logits(r, 1);
                assertThat(got).hasSize(10);
                if (mode == StorageMode.DENSE_FLOAT32) {
                    assertThat(got).containsExactly(expected);
                } else if (mode == StorageMode.DENSE_FLOAT16) {
                    for (int c = 0; c < 10; c++) {
                        assertThat(got[c]).isCloseTo(expected[c], within(Math.abs(expected[c]) * 0x1p-11f + 1e-6f));
                    }
                } else {
                    double[] p = TopKTest.softmax(expected, 1);
                    double[] q = TopKTest.softmax(got, 1);
                    for (int j : TopK.indices(expected, 3)) {
                        assertThat(q[j]).isCloseTo(p[j], within(1e-5));
                    }
                }
            }
        }
        assertThat(TestSpark.get().read().parquet(tmp.resolve("dense-float16").toString()).schema()
                .apply("logits_f16").dataType()).isInstanceOfSatisfying(org.apache.spark.sql.types.ArrayType.class,
                        a -> assertThat(a.elementType()).isEqualTo(DataTypes.ShortType));
    }

    @Test
    void corruptFileIsADataErrorNamingTheFile() throws Exception {
        write(tmp, meta(StorageMode.DENSE_FLOAT32, 10), 5);
        Files.write(tmp.resolve("part-00001.parquet"), "not parquet at all".getBytes());
        assertThatThrownBy(() -> SoftLabelFiles.read(tmp)).isInstanceOf(DataContractException.class)
                .hasMessageContaining("part-00001.parquet").hasMessageContaining("not a readable Parquet file");
    }

    @Test
    void parquetWithoutDistilleryMetadataIsRefused() {
        TestSpark.get().range(3).write().parquet(tmp.resolve("plain").toString());
        assertThatThrownBy(() -> SoftLabelFiles.read(tmp.resolve("plain"))).isInstanceOf(DataContractException.class)
                .hasMessageContaining("not a Distillery soft-label file").hasMessageContaining("distillery.format");
    }

    @Test
    void missingFolderSaysToRunTheLabelStage() {
        assertThatThrownBy(() -> SoftLabelFiles.read(tmp.resolve("none"))).isInstanceOf(DataContractException.class)
                .hasMessageContaining("run the label stage first");
    }
}
