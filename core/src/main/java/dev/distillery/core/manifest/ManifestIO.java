package dev.distillery.core.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.distillery.core.error.DataContractException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads and writes {@code manifest.json} and hashes files and folders for provenance. */
public final class ManifestIO {
    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ManifestIO() {
    }

    public static void write(Manifest manifest, Path dir) {
        try {
            JSON.writeValue(dir.resolve(FILE).toFile(), manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest of a finished stage folder, empty when the folder or its manifest is absent. */
    public static Optional<Manifest> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), Manifest.class));
        } catch (IOException e) {
            throw new DataContractException("manifest " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of bytes held in memory (a model read from a remote file system), as hex. */
    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a file's bytes, or of a folder's files (relative names and contents, sorted). */
    public static String sha256(Path path) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String rel = path.relativize(f).toString();
                        if (rel.startsWith(".") || rel.contains("/.") || rel.endsWith(".crc")) {
                            continue;
                        }
                        md.update(rel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        digestFile(md, f);
                    }
                }
            } else {
                digestFile(md, path);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void digestFile(MessageDigest md, Path f) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
