package dev.distillery.teacher.label;

import dev.distillery.core.data.Examples;
import dev.distillery.core.labels.SoftLabelRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Streams a partition's example rows ({@code id, features, label, split}) as labelled rows: each training example
 * expands into its views, views are inferred in batches, and at most one batch is held in memory.
 */
final class LabelIterator implements Iterator<SoftLabelRecord> {
    private final Iterator<ExampleRow> rows;
    private final LabelSpec spec;
    private final TeacherEnsemble teachers;
    private final List<SoftLabelRecord> ready = new ArrayList<>();
    private int pos;
    private ExampleRow current;
    private int nextView;
    private int currentViews;

    LabelIterator(Iterator<ExampleRow> rows, LabelSpec spec, TeacherEnsemble teachers) {
        this.rows = rows;
        this.spec = spec;
        this.teachers = teachers;
    }

    @Override
    public boolean hasNext() {
        if (pos < ready.size()) {
            return true;
        }
        ready.clear();
        pos = 0;
        List<SoftLabelRecord> pending = new ArrayList<>(spec.batchSize());
        List<float[]> inputs = new ArrayList<>(spec.batchSize());
        while (pending.size() < spec.batchSize()) {
            if (current == null || nextView >= currentViews) {
                if (!rows.hasNext()) {
                    break;
                }
                current = rows.next();
                nextView = 0;
                currentViews = Examples.TRAIN.equals(current.split()) ? spec.views() : 1;
            }
            long id = current.id();
            float[] f = current.features();
            inputs.add(spec.augmenter() == null ? f : spec.augmenter().view(f, id, nextView));
            pending.add(new SoftLabelRecord(id, nextView, current.label(), current.split(), null));
            nextView++;
        }
        if (pending.isEmpty()) {
            return false;
        }
        float[][] logits = teachers.logits(inputs.toArray(new float[0][]));
        for (int i = 0; i < pending.size(); i++) {
            SoftLabelRecord p = pending.get(i);
            ready.add(new SoftLabelRecord(p.id(), p.view(), p.label(), p.split(), logits[i]));
        }
        return true;
    }

    @Override
    public SoftLabelRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.get(pos++);
    }
}
