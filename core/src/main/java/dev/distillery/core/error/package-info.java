/** Distillery's exception hierarchy; every error carries the CLI exit code it maps to. */
package dev.distillery.core.error;
