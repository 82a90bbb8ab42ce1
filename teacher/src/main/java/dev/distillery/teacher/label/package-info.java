/** Soft-label generation: distributed, batched teacher inference written as Parquet. */
package dev.distillery.teacher.label;
