package dev.distillery.core.labels;

import dev.distillery.core.error.DataContractException;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of soft-label Parquet files as a reader outside Spark sees it: its files, their footers, and the one
 * metadata they all agree on. Missing folders, corrupt files and files of another format are data errors.
 */
public final class SoftLabelFiles {
    private SoftLabelFiles() {
    }

    /** The footer of one file: schema, key-value metadata and row count. */
    public record Footer(Path file, MessageType schema, Map<String, String> keyValues, long rows) {
    }

    /** The visible {@code *.parquet} files of a folder, sorted by name. */
    public static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataContractException("soft labels " + dir + " do not exist; run the label stage first");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .filter(p -> !p.getFileName().toString().startsWith(".")
                            && !p.getFileName().toString().startsWith("_"))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new DataContractException("soft labels " + dir + " hold no .parquet file; run the label stage again");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Footer footer(Path file) {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            FileMetaData meta = reader.getFooter().getFileMetaData();
            return new Footer(file, meta.getSchema(), meta.getKeyValueMetaData(), reader.getRecordCount());
        } catch (IOException | RuntimeException e) {
            throw new DataContractException(file + " is not a readable Parquet file: " + e.getMessage(), e);
        }
    }

    /** Reads every file's footer and returns their common metadata, checking each schema against it. */
    public static SoftLabelMetadata read(Path dir) {
        SoftLabelMetadata first = null;
        Path firstFile = null;
        for (Path f : files(dir)) {
            Footer footer = footer(f);
            SoftLabelMetadata m = SoftLabelMetadata.fromFooter(footer.keyValues(), f.toString());
            MessageType expected = SoftLabelSchema.of(m.mode());
            if (!expected.equals(footer.schema())) {
                throw new DataContractException(f + " does not have the " + m.storage() + " soft-label schema: expected "
                        + expected + ", found " + footer.schema());
            }
            if (first == null) {
                first = m;
                firstFile = f;
            } else if (!first.equals(m)) {
                throw new DataContractException(f + " and " + firstFile + " carry different soft-label metadata; "
                        + "the folder mixes outputs of different label runs");
            }
        }
        return first;
    }
}
