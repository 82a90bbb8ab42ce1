/**
 * SparkSession creation shared by the CLI, spark-submit and tests, with the native-engine settings applied, and
 * Spark failures told apart by their error condition.
 */
package dev.distillery.core.spark;
