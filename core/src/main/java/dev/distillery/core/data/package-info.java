/** Dataset readers (IDX, CSV, Parquet) and the canonical example dataset that every stage reads. */
package dev.distillery.core.data;
