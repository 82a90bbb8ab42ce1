package dev.distillery.core.labels;

/** Which teacher made a set of soft labels: the SHA-256 of its model file, its architecture and size. */
public record TeacherIdentity(
        String sha256,
        String architecture,
        long parameters,
        String file) implements java.io.Serializable {

    public TeacherIdentity {
        if (sha256 == null || sha256.length() != 64) {
            throw new IllegalArgumentException("teacher sha256 must be 64 hex digits, was " + sha256);
        }
    }
}
