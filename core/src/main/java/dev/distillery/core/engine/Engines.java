package dev.distillery.core.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds the engines on the classpath. The composition root (the jobs module, a test's classpath) decides which
 * engine module is present; code above the boundary asks here and never names an engine's classes. Lookups are
 * cached per JVM, so a Spark executor pays for one when it builds its first network.
 */
public final class Engines {
    private static volatile NetworkEngine network;
    private static final Map<String, InferenceRuntime> RUNTIMES = new java.util.concurrent.ConcurrentHashMap<>();

    private Engines() {
    }

    /** The network engine; fails when no engine module is on the classpath. */
    public static NetworkEngine network() {
        NetworkEngine e = network;
        if (e == null) {
            List<NetworkEngine> found = load(NetworkEngine.class);
            if (found.isEmpty()) {
                throw new IllegalStateException("no network engine on the classpath: expected an implementation of "
                        + NetworkEngine.class.getName() + " registered in META-INF/services (the distillery-engine "
                        + "module), found none");
            }
            e = found.get(0);
            network = e;
        }
        return e;
    }

    /** The inference runtime with id {@code id} (e.g. {@code onnxruntime}); fails when none is on the classpath. */
    public static InferenceRuntime runtime(String id) {
        return RUNTIMES.computeIfAbsent(id, key -> {
            List<String> ids = new ArrayList<>();
            for (InferenceRuntime r : load(InferenceRuntime.class)) {
                if (r.id().equals(key)) {
                    return r;
                }
                ids.add(r.id());
            }
            throw new IllegalStateException("no inference runtime " + key + " on the classpath: expected an "
                    + "implementation of " + InferenceRuntime.class.getName() + " registered in META-INF/services, "
                    + "found " + (ids.isEmpty() ? "none" : ids));
        });
    }

    /** Applies every present network engine's JVM settings; does nothing when none is present. */
    public static void prepareJvm() {
        for (NetworkEngine e : load(NetworkEngine.class)) {
            e.prepareJvm();
        }
    }

    /** Versions of every present network engine's libraries; empty when none is present. */
    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        for (NetworkEngine e : load(NetworkEngine.class)) {
            v.putAll(e.versions());
        }
        return v;
    }

    private static <T> List<T> load(Class<T> type) {
        // The context loader sees the application jar on a Spark executor; the defining loader covers plain programs.
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        List<T> out = new ArrayList<>();
        ServiceLoader.load(type, context != null ? context : type.getClassLoader()).forEach(out::add);
        if (out.isEmpty() && context != null && context != type.getClassLoader()) {
            ServiceLoader.load(type, type.getClassLoader()).forEach(out::add);
        }
        return out;
    }
}
