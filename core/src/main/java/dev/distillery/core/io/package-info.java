/** Output folders that appear only when complete, so an interrupted stage never looks finished. */
package dev.distillery.core.io;
