/** Evaluation reports: variants, per-profile cost rows and gate results, rendered atomically as JSON, Markdown
 * and self-contained HTML for the people who decide which variant ships to which device. */
package dev.distillery.evaluation.report;
