/** SparkSession creation shared by the CLI, spark-submit and tests, with the native-engine settings applied. */
package dev.distillery.core.spark;
