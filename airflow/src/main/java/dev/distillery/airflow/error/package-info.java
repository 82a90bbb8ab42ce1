/**
 * Typed errors of the Airflow REST client: one class per kind of answer, each carrying the server's own message
 * and the exit code the {@code distillery airflow} commands end with.
 */
package dev.distillery.airflow.error;
