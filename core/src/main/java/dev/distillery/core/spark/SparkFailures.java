package dev.distillery.core.spark;

import org.apache.spark.SparkThrowable;

import java.util.Optional;
import java.util.Set;

/**
 * Classifies Spark failures by their error condition ({@link SparkThrowable#getCondition()}, named in Spark's
 * {@code error/error-conditions.json}) found anywhere on the cause chain, never by the wording of a message.
 */
public final class SparkFailures {
    /** Spark could not find, list or decode an input file: the file is missing or not what it claims to be. */
    public static final Set<String> UNREADABLE_FILE = Set.of("PATH_NOT_FOUND", "FAILED_READ_FILE",
            "UNABLE_TO_INFER_SCHEMA");
    /** A value in an input file cannot become the type asked for: a malformed number, an overflow, a bad record. */
    public static final Set<String> BAD_VALUE = Set.of("CAST_INVALID_INPUT", "CAST_OVERFLOW", "CANNOT_PARSE_DECIMAL",
            "NUMERIC_VALUE_OUT_OF_RANGE", "MALFORMED_CSV_RECORD", "MALFORMED_RECORD_IN_PARSING");
    /** Spark cancelled a job rather than failing it (its SparkContext shut down under it): running again may work. */
    public static final Set<String> INTERRUPTED = Set.of("SPARK_JOB_CANCELLED");

    private SparkFailures() {
    }

    /** One throwable of a cause chain and the error condition it carries, e.g. FAILED_READ_FILE.NO_HINT. */
    public record Condition(Throwable throwable, String name) {
        /** The condition without its sub-condition: FAILED_READ_FILE for FAILED_READ_FILE.NO_HINT. */
        public String main() {
            int dot = name.indexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }

        /** The first line of the throwable's message, which Spark starts with the condition in brackets. */
        public String firstLine() {
            String m = String.valueOf(throwable.getMessage());
            return m.lines().findFirst().orElse(m);
        }
    }

    /** The outermost throwable on the cause chain whose condition (or main condition) is in {@code conditions}. */
    public static Optional<Condition> find(Throwable e, Set<String> conditions) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Optional<Condition> c = condition(t);
            if (c.isPresent() && (conditions.contains(c.get().name()) || conditions.contains(c.get().main()))) {
                return c;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The error condition of this throwable alone, if Spark gave it one. */
    public static Optional<Condition> condition(Throwable t) {
        if (t instanceof SparkThrowable s && s.getCondition() != null && !s.getCondition().isEmpty()) {
            return Optional.of(new Condition(t, s.getCondition()));
        }
        return Optional.empty();
    }

    /**
     * Throws {@code e} as it is, checked or not: Spark's Scala code throws its checked SparkException undeclared,
     * and a catch that only inspects it must not change its type. Declared to return so callers can write
     * {@code throw rethrow(e)}.
     */
    @SuppressWarnings("unchecked")
    public static <E extends Throwable> E rethrow(Throwable e) throws E {
        throw (E) e;
    }

    /**
     * The message of a {@code type} exception a task threw, from the cause chain, or, where Spark 4 aborted the job
     * with a bare SparkException (no condition, no cause: it passes the task's error on as text only), from the
     * abort's message, which quotes the task's exception as {@code <class name>: <message>} up to the line's end.
     */
    public static Optional<String> taskError(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.ofNullable(t.getMessage());
            }
            if (t instanceof org.apache.spark.SparkException && condition(t).isEmpty() && t.getMessage() != null) {
                String quoted = type.getName() + ": ";
                int at = t.getMessage().indexOf(quoted);
                if (at >= 0) {
                    String rest = t.getMessage().substring(at + quoted.length());
                    return Optional.of(rest.lines().findFirst().orElse(rest).trim());
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code t} is the job abort Spark raises when tasks failed because of the cluster: an executor lost
     * or a shuffle fetch failed, more times than Spark retries. Spark 4 raises that abort as a SparkException with
     * no condition (DAGScheduler.abortStage) and, for these reasons, no cause; only its message names the task end
     * reason ({@code ExecutorLostFailure}, {@code FetchFailed}), so for this one case the text is read.
     */
    public static boolean isClusterAbort(Throwable t) {
        if (!(t instanceof org.apache.spark.SparkException) || condition(t).isPresent()) {
            return false;
        }
        String m = String.valueOf(t.getMessage());
        return m.contains("ExecutorLostFailure") || m.contains("FetchFailed");
    }

    /**
     * Whether {@code t} is the {@link IllegalStateException} a stopped SparkContext throws when used again (its
     * {@code runJob} and {@code assertNotStopped} throw no other); Spark gives it no condition, so it is recognised
     * by its type and the class that threw it.
     */
    public static boolean isStoppedContext(Throwable t) {
        return t instanceof IllegalStateException && t.getStackTrace().length > 0
                && t.getStackTrace()[0].getClassName().equals("org.apache.spark.SparkContext");
    }
}
