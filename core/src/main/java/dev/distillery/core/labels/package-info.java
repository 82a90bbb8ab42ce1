/**
 * The soft-label contract shared by the teacher (which writes it) and the student (which reads it): Parquet schema
 * per storage mode, the self-describing footer metadata, the writer, and the rebuilding of full teacher logits.
 */
package dev.distillery.core.labels;
