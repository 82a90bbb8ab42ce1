package dev.distillery.evaluation.metrics;

import dev.distillery.core.error.DataContractException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Immutable classification results. Precision of a class nobody predicted, and recall of a class absent from the
 * labels, are 0/0; they are reported as 0.0 (scikit-learn's default) so that JSON never carries NaN.
 *
 * @param confusion         row = true class, column = predicted class
 * @param accuracyInterval  bootstrap confidence interval of the accuracy; null when not computed
 * @param calibrationError  expected calibration error of the softmax confidences; null when no logits were seen
 * @param teacherAgreement  fraction of examples where the prediction equals the teacher's; null when not compared
 */
public record ClassificationMetrics(int numClasses, int examples, double accuracy, List<Double> precision,
                                    List<Double> recall, List<List<Integer>> confusion,
                                    ConfidenceInterval accuracyInterval, Double calibrationError,
                                    Double teacherAgreement) {

    public ClassificationMetrics {
        precision = List.copyOf(precision);
        recall = List.copyOf(recall);
        List<List<Integer>> rows = new ArrayList<>();
        for (List<Integer> row : confusion) {
            rows.add(List.copyOf(row));
        }
        confusion = Collections.unmodifiableList(rows);
        if (precision.size() != numClasses || recall.size() != numClasses || confusion.size() != numClasses) {
            throw new IllegalArgumentException("per-class lists must have " + numClasses + " entries");
        }
    }

    /** Computes the metrics of predictions against true labels; both arrays hold class ids in [0, numClasses). */
    public static ClassificationMetrics of(int[] labels, int[] predictions, int numClasses) {
        if (numClasses < 1) {
            throw new DataContractException("numClasses must be >= 1, was " + numClasses);
        }
        requireSameNonEmpty(labels, predictions, "labels", "predictions");
        int[][] counts = new int[numClasses][numClasses];
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            requireClass("labels", i, labels[i], numClasses);
            requireClass("predictions", i, predictions[i], numClasses);
            counts[labels[i]][predictions[i]]++;
            if (labels[i] == predictions[i]) {
                correct++;
            }
        }
        List<Double> precision = new ArrayList<>();
        List<Double> recall = new ArrayList<>();
        List<List<Integer>> confusion = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            long predicted = 0;
            long actual = 0;
            List<Integer> row = new ArrayList<>();
            for (int k = 0; k < numClasses; k++) {
                predicted += counts[k][c];
                actual += counts[c][k];
                row.add(counts[c][k]);
            }
            precision.add(ratio(counts[c][c], predicted));
            recall.add(ratio(counts[c][c], actual));
            confusion.add(row);
        }
        return new ClassificationMetrics(numClasses, labels.length, (double) correct / labels.length,
                precision, recall, confusion, null, null, null);
    }

    public ClassificationMetrics withAccuracyInterval(ConfidenceInterval interval) {
        return new ClassificationMetrics(numClasses, examples, accuracy, precision, recall, confusion, interval,
                calibrationError, teacherAgreement);
    }

    public ClassificationMetrics withCalibrationError(double ece) {
        return new ClassificationMetrics(numClasses, examples, accuracy, precision, recall, confusion,
                accuracyInterval, ece, teacherAgreement);
    }

    public ClassificationMetrics withTeacherAgreement(double agreement) {
        return new ClassificationMetrics(numClasses, examples, accuracy, precision, recall, confusion,
                accuracyInterval, calibrationError, agreement);
    }

    /** Fraction of positions where two prediction arrays agree, e.g. student against teacher. */
    public static double agreement(int[] a, int[] b) {
        requireSameNonEmpty(a, b, "a", "b");
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return (double) same / a.length;
    }

    /** Examples of true class {@code actual} predicted as {@code predicted}. */
    public int count(int actual, int predicted) {
        return confusion.get(actual).get(predicted);
    }

    /** Unweighted mean recall over the classes present in the labels; robust to imbalance where accuracy is not. */
    public double balancedAccuracy() {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < numClasses; c++) {
            if (confusion.get(c).stream().mapToInt(Integer::intValue).sum() > 0) {
                sum += recall.get(c);
                present++;
            }
        }
        return present == 0 ? 0 : sum / present;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }

    private static void requireSameNonEmpty(int[] a, int[] b, String nameA, String nameB) {
        if (a == null || b == null) {
            throw new DataContractException(nameA + " and " + nameB + " must not be null");
        }
        if (a.length != b.length) {
            throw new DataContractException(nameA + " has " + a.length + " entries but " + nameB + " has "
                    + b.length);
        }
        if (a.length == 0) {
            throw new DataContractException(nameA + " and " + nameB + " are empty; metrics need at least one example");
        }
    }

    private static void requireClass(String name, int index, int value, int numClasses) {
        if (value < 0 || value >= numClasses) {
            throw new DataContractException(name + "[" + index + "] is " + value + ", expected a class in [0, "
                    + numClasses + ")");
        }
    }
}
