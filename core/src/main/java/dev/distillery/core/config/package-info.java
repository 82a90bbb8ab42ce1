/** Pipeline configuration: one validated record per concern, loaded from YAML with defaults and overrides. */
package dev.distillery.core.config;
