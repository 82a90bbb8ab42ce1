package dev.distillery.airflow.client;

import dev.distillery.core.error.InvalidConfigException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A user name and password for Airflow, read from the environment or from a file, never from the command line.
 * {@link #toString()} never shows the password, so the record can appear in messages and logs.
 */
public record AirflowCredentials(String username, String password) {
    /** Environment variable holding the user name. */
    public static final String ENV_USERNAME = "DISTILLERY_AIRFLOW_USERNAME";
    /** Environment variable holding the password. */
    public static final String ENV_PASSWORD = "DISTILLERY_AIRFLOW_PASSWORD";
    /** Environment variable naming a credentials file (used when the two above are not set). */
    public static final String ENV_FILE = "DISTILLERY_AIRFLOW_CREDENTIALS";

    public AirflowCredentials {
        if (username == null || username.isBlank()) {
            throw new InvalidConfigException("Airflow user name must not be empty");
        }
        if (password == null || password.isEmpty()) {
            throw new InvalidConfigException("Airflow password for user '" + username + "' must not be empty");
        }
    }

    /**
     * The credentials file if one is given, else {@value #ENV_USERNAME} and {@value #ENV_PASSWORD}, else the file
     * named by {@value #ENV_FILE}.
     */
    public static AirflowCredentials resolve(Path file, Map<String, String> env) {
        if (file != null) {
            return fromFile(file);
        }
        String user = env.get(ENV_USERNAME);
        String password = env.get(ENV_PASSWORD);
        if (user != null || password != null) {
            if (user == null || password == null) {
                throw new InvalidConfigException("set both " + ENV_USERNAME + " and " + ENV_PASSWORD
                        + ", found only " + (user == null ? ENV_PASSWORD : ENV_USERNAME));
            }
            return new AirflowCredentials(user, password);
        }
        String named = env.get(ENV_FILE);
        if (named != null && !named.isBlank()) {
            return fromFile(Path.of(named));
        }
        throw new InvalidConfigException("no Airflow credentials: set " + ENV_USERNAME + " and " + ENV_PASSWORD
                + ", or " + ENV_FILE + " or --credentials-file to a file with 'username=' and 'password=' lines");
    }

    /** A properties file with {@code username=} and {@code password=} lines. */
    public static AirflowCredentials fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException("Airflow credentials file " + file + " does not exist");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException("Airflow credentials file " + file + " cannot be read: " + e.getMessage(), e);
        }
        String user = p.getProperty("username");
        String password = p.getProperty("password");
        if (user == null || password == null) {
            throw new InvalidConfigException("Airflow credentials file " + file
                    + " must have 'username=' and 'password=' lines, found keys " + p.stringPropertyNames());
        }
        return new AirflowCredentials(user.trim(), password);
    }

    @Override
    public String toString() {
        return "AirflowCredentials[username=" + username + ", password=****]";
    }
}
