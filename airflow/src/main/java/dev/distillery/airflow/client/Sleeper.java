package dev.distillery.airflow.client;

import java.time.Duration;

/** Pauses the calling thread; tests pass one that records the pauses instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    void sleep(Duration d) throws InterruptedException;
}
