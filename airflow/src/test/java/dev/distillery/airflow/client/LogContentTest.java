package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.distillery.airflow.fake.PythonRepr;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Log pages in the formats Airflow 2 and Airflow 3 send, turned into lines. */
class LogContentTest {
    private final ObjectMapper json = new ObjectMapper();

    private static LogContent pages(String... contents) {
        LogContent log = new LogContent();
        for (String c : contents) {
            log.addPage(TextNode.valueOf(c));
        }
        return log;
    }

    @Test
    void decodesAirflow2sReprOfHostAndLogTuples() {
        // the content Airflow 2.10's own endpoint test expects, backslash-n being two characters
        String content = "[('localhost', '*** Found local files:\\n***   * /tmp/logs/dag_id=d/run_id=r/task_id=t/"
                + "attempt=1.log\\nLog for testing.')]";
        assertThat(pages(content).lines()).containsExactly("*** Found local files:",
                "***   * /tmp/logs/dag_id=d/run_id=r/task_id=t/attempt=1.log", "Log for testing.");
    }

    @Test
    void decodesPythonStringEscapesAsPythonWritesThem() {
        // as python3 prints repr() of a log with quotes, a tab, a backslash, ANSI colours, accents, U+2028, an emoji
        String content = "[('worker-1', 'it\\'s \"quoted\"\\n\\tC:\\\\tmp\\x1b[31mred\\x1b[0m café \\u2028 \uD83D\uDE00"
                + " \\x7f\\r\\n')]";
        assertThat(pages(content).lines()).containsExactly("it's \"quoted\"",
                "\tC:\\tmp\u001b[31mred\u001b[0m café \u2028 \uD83D\uDE00 \u007f");
    }

    @Test
    void readsEveryTupleIncludingDoubleQuotedTextAndAHostOfNone() {
        // printed by python3: repr([('w1', "it's\n"), (None, 'b')])
        assertThat(pages("[('w1', \"it's\\n\"), (None, 'b')]").lines()).containsExactly("it's", "b");
        assertThat(pages("[]").lines()).isEmpty();
    }

    @Test
    void aLineSplitBetweenPagesIsOneLine() {
        LogContent log = pages(PythonRepr.hostLogs("w1", "epoch 1 loss 0.61\nepoch 2 lo"),
                PythonRepr.hostLogs("w1", "ss 0.43\nexit"));
        assertThat(log.lines()).containsExactly("epoch 1 loss 0.61", "epoch 2 loss 0.43", "exit");
        assertThat(log.addPage(TextNode.valueOf(PythonRepr.hostLogs("w1", "")))).as("an empty page").isFalse();
    }

    @Test
    void textThatIsNotSuchAReprIsTakenAsItIs() {
        assertThat(pages("plain line 1\nplain line 2\n").lines()).containsExactly("plain line 1", "plain line 2");
        assertThat(pages("[('w1', 'unterminated)]").lines()).containsExactly("[('w1', 'unterminated)]");
        assertThat(pages("[('w1', 'a')] and more").lines()).containsExactly("[('w1', 'a')] and more");
    }

    @Test
    void theFakeServersReprEncoderMatchesPython() {
        assertThat(PythonRepr.hostLogs("worker-1", "it's \"quoted\"\n\tC:\\tmp\u001b[31mred\u001b[0m café \u2028 "
                + "\uD83D\uDE00 \u007f\r\n")).isEqualTo("[('worker-1', 'it\\'s \"quoted\"\\n\\tC:\\\\tmp\\x1b[31mred"
                + "\\x1b[0m café \\u2028 \uD83D\uDE00 \\x7f\\r\\n')]");
        assertThat(PythonRepr.hostLogs("w1", "it's\n")).isEqualTo("[('w1', \"it's\\n\")]");
    }

    @Test
    void rendersAirflow3sStructuredMessages() throws Exception {
        JsonNode content = json.readTree("""
                [{"event": "::group::Log message source details", "sources": ["/opt/airflow/logs/a.log"]},
                 {"event": "::endgroup::"},
                 {"timestamp": "2026-01-01T00:00:01Z", "level": "info", "logger": "task", "event": "epoch 1",
                  "ti_id": "0199"},
                 {"event": "no timestamp\\nsecond line"},
                 {"timestamp": "2026-01-01T00:00:02Z", "level": "error", "event": "Task failed with exception",
                  "error_detail": [{"exc_type": "AirflowException", "exc_value": "Cannot execute: spark-submit",
                                    "frames": [{"filename": "f.py", "lineno": 1, "name": "run"}]}]}]
                """);
        LogContent log = new LogContent();
        assertThat(log.addPage(content)).isTrue();
        assertThat(log.lines()).containsExactly("Log message source details", "  /opt/airflow/logs/a.log",
                "[2026-01-01T00:00:01Z] INFO - epoch 1", "no timestamp", "second line",
                "[2026-01-01T00:00:02Z] ERROR - Task failed with exception",
                "AirflowException: Cannot execute: spark-submit");
    }

    @Test
    void readsAirflow3sPlainStringListWhenItCouldNotParseTheLog() throws Exception {
        LogContent log = new LogContent();
        log.addPage(json.readTree("[\"raw line 1\", \"raw line 2\\n\"]"));
        assertThat(log.lines()).containsExactly("raw line 1", "raw line 2");
        assertThat(log.addPage(json.readTree("[]"))).isFalse();
    }

    @Test
    void tellsTheTasksOwnLinesFromAirflowsNotesAboutWhereItLooked() throws Exception {
        assertThat(pages(PythonRepr.hostLogs("w1", "*** Could not read served logs: 404 Client Error: NOT FOUND\n"))
                .taskOutput()).as("Airflow 2, a try that never ran").isFalse();
        assertThat(pages(PythonRepr.hostLogs("w1", "*** Found local files:\n***   * /l/attempt=1.log\n"
                + "[2026-01-01] INFO - Starting attempt 1 of 2\n")).taskOutput()).isTrue();
        assertThat(pages(PythonRepr.hostLogs("w1", "*** Found local files:\n"), PythonRepr.hostLogs("w1", "done"))
                .taskOutput()).as("an unfinished last line counts").isTrue();
        LogContent sourcesOnly = new LogContent();
        // Airflow 3.0/3.1: sources on the group event; 3.2: one event per source inside the group
        sourcesOnly.addPage(json.readTree("[{\"event\": \"::group::Log message source details\", \"sources\": "
                + "[\"Could not read served logs: timeout\"]}, {\"event\": \"::endgroup::\"},"
                + " {\"event\": \"::group::Log message source details\"}, {\"event\": \"/l/attempt=2.log\"},"
                + " {\"event\": \"::endgroup::\"}]"));
        assertThat(sourcesOnly.taskOutput()).isFalse();
        sourcesOnly.addPage(json.readTree("[{\"event\": \"::group::Pre Execute\", \"level\": \"info\"}]"));
        assertThat(sourcesOnly.taskOutput()).as("a group the task opened is its output").isTrue();
    }
}
