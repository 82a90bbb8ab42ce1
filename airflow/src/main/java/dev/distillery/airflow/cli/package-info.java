/** The {@code distillery airflow} commands: trigger, follow and manage Distillery's DAG runs from a shell. */
package dev.distillery.airflow.cli;
