package dev.distillery.core.engine;

/** No rewriting: {@link GraphHooks#NONE}. */
public record NoHooks() implements GraphHooks {
    private static final long serialVersionUID = 1L;
}
