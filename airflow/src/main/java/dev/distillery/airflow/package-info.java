/** Airflow integration: the Java client of Airflow's REST API and the CLI commands built on it. */
package dev.distillery.airflow;
