package dev.distillery.core.labels;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes one soft-label Parquet file with parquet-hadoop directly (Spark's own Parquet writer cannot add footer
 * metadata). The rows go to a hidden file beside the target, which is renamed into place only once closed, so a
 * reader never sees a partial file.
 */
public final class SoftLabelFileWriter implements AutoCloseable {
    /**
     * Row groups of at most 16 MiB: the writer holds its open row group in memory, so with parquet-hadoop's default
     * (128 MiB, about 3 million dense rows) a task's memory grew with every row it labelled; now it stops growing
     * at 16 MiB (about 370,000 dense float32 rows), and readers still get large sequential column chunks.
     */
    static final long ROW_GROUP_BYTES = 16L << 20;
    private final Path target;
    private final Path temp;
    private final ParquetWriter<SoftLabelRecord> writer;
    private long rows;
    private boolean failed;

    private SoftLabelFileWriter(Path target, Path temp, ParquetWriter<SoftLabelRecord> writer) {
        this.target = target;
        this.temp = temp;
        this.writer = writer;
    }

    /** @param attempt distinguishes retried attempts of the same file (e.g. a Spark task attempt) */
    public static SoftLabelFileWriter open(Path target, SoftLabelMetadata meta, String attempt) {
        Path temp = target.resolveSibling("." + target.getFileName() + "." + attempt + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            // Logits and ids are all distinct values: a dictionary never pays off for them, and trying one first (the
            // writer's default) cost the label stage more than encoding them plainly. Labels, views, split names,
            // top-k indices and float16 codes keep their dictionaries.
            ParquetWriter<SoftLabelRecord> w = new Builder(new LocalOutputFile(temp), meta)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withRowGroupSize(ROW_GROUP_BYTES)
                    .withDictionaryEncoding(SoftLabelSchema.ID, false)
                    .withDictionaryEncoding(SoftLabelSchema.LOGITS + ".list.element", false)
                    .withDictionaryEncoding(SoftLabelSchema.TOPK_LOGITS + ".list.element", false)
                    .withDictionaryEncoding(SoftLabelSchema.REST_MASS, false)
                    .build();
            return new SoftLabelFileWriter(target, temp, w);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + temp + " for writing", e);
        }
    }

    public void write(SoftLabelRecord record) {
        try {
            writer.write(record);
            rows++;
        } catch (IOException e) {
            failed = true;
            throw new UncheckedIOException("cannot write to " + temp, e);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    public long rows() {
        return rows;
    }

    /** Discards the file: nothing appears at the target. */
    public void abort() {
        failed = true;
        close();
    }

    @Override
    public void close() {
        try {
            writer.close();
            if (failed) {
                Files.deleteIfExists(temp);
            } else {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
            throw new UncheckedIOException("cannot finish " + target, e);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<SoftLabelRecord, Builder> {
        private final SoftLabelMetadata meta;

        Builder(LocalOutputFile file, SoftLabelMetadata meta) {
            super(file);
            this.meta = meta;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<SoftLabelRecord> getWriteSupport(Configuration conf) {
            return new SoftLabelWriteSupport(meta);
        }
    }
}
