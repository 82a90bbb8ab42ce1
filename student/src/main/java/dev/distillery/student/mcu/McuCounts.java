package dev.distillery.student.mcu;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the counting plugin's snapshots: two marks in a row (the cost of marking, subtracted from every region),
 * then per input row a mark before quantize_input, between it and invoke, after invoke, before logits and after
 * it. The stack is painted and scanned outside the marked regions.
 */
final class McuCounts {
    private McuCounts() {
    }

    static McuMeasurement.Instructions parse(List<String> lines, int rows, int marksPerRow) {
        List<Long> marks = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
                marks.add(Long.parseLong(line.trim()));
            }
        }
        if (marks.size() != 2 + rows * marksPerRow) {
            throw new McuToolException("the counting plugin recorded " + marks.size() + " marks, expected "
                    + (2 + rows * marksPerRow) + " for " + rows + " rows", false);
        }
        long marking = marks.get(1) - marks.get(0);
        long[] quantize = new long[rows];
        long[] invoke = new long[rows];
        long[] logits = new long[rows];
        for (int i = 0; i < rows; i++) {
            int m = 2 + i * marksPerRow;
            quantize[i] = marks.get(m + 1) - marks.get(m) - marking;
            invoke[i] = marks.get(m + 2) - marks.get(m + 1) - marking;
            logits[i] = marks.get(m + 4) - marks.get(m + 3) - marking;
        }
        return new McuMeasurement.Instructions(quantize, invoke, logits);
    }
}
