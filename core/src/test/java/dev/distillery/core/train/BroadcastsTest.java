package dev.distillery.core.train;

import dev.distillery.core.testing.TestSpark;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.BlockId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class BroadcastsTest {
    private static final String CLEANER = "org.apache.spark.ContextCleaner";

    @Test
    void releasedBroadcastLeavesNoBlockBehindAndTheCleanerNoError() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
        JavaRDD<Integer> rows = jsc.parallelize(List.of(1, 2, 3, 4), 2);
        ErrorRecorder errors = ErrorRecorder.attach(CLEANER);
        List<String> leftovers = new ArrayList<>();
        try {
            // the trainer's pattern: one broadcast per round, used by one job, released, dropped, then a collection
            for (int round = 0; round < 12; round++) {
                Broadcast<float[]> state = jsc.broadcast(new float[250_000]);
                int seen = rows.map(x -> state.value().length).reduce(Integer::sum);
                assertThat(seen).isEqualTo(4 * 250_000);
                String prefix = "broadcast_" + state.id();
                Broadcasts.release(state);
                // released means gone from the driver's block manager now, not when a later collection gets to it
                for (BlockId id : scala.jdk.javaapi.CollectionConverters.asJava(SparkEnv.get().blockManager()
                        .getMatchingBlockIds(b -> b.name().equals(prefix) || b.name().startsWith(prefix + "_")))) {
                    leftovers.add(id.name());
                }
                System.gc();
            }
            System.gc();
            // the cleaner polls its reference queue every 100 ms; give it time to act on every collected wrapper
            Thread.sleep(1_000);
        } finally {
            errors.detach();
        }
        assertThat(leftovers).isEmpty();
        assertThat(errors.messages()).isEmpty();
    }

    /** Collects ERROR events of one logger while a test runs. */
    private static final class ErrorRecorder extends AbstractAppender {
        private final List<String> messages = new CopyOnWriteArrayList<>();
        private final LoggerConfig config;

        private ErrorRecorder(LoggerConfig config) {
            super("broadcasts-test-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
            this.config = config;
        }

        static ErrorRecorder attach(String logger) {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            LoggerConfig config = new LoggerConfig(logger, Level.INFO, true);
            ErrorRecorder recorder = new ErrorRecorder(config);
            recorder.start();
            config.addAppender(recorder, Level.ERROR, null);
            context.getConfiguration().addLogger(logger, config);
            context.updateLoggers();
            return recorder;
        }

        @Override
        public void append(LogEvent event) {
            messages.add(event.getMessage().getFormattedMessage()
                    + (event.getThrown() == null ? "" : ": " + event.getThrown()));
        }

        List<String> messages() {
            return messages;
        }

        void detach() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().removeLogger(config.getName());
            context.updateLoggers();
            stop();
        }
    }
}
