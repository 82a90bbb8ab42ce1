/** Stage manifests: provenance of every output folder, and the hashes that decide whether a stage can be skipped. */
package dev.distillery.core.manifest;
