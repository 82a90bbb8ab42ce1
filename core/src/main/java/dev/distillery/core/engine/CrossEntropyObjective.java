package dev.distillery.core.engine;

/** Softmax cross-entropy against the hard labels, averaged over the minibatch. */
public record CrossEntropyObjective() implements Objective {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean needsTeacher() {
        return false;
    }
}
