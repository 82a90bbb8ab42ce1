/**
 * The Java client of Airflow's stable REST API: version 1 (Airflow 2, basic auth) and version 2 (Airflow 3, JWT),
 * with timeouts, jittered retries on server and connection errors, and idempotent triggering.
 */
package dev.distillery.airflow.client;
