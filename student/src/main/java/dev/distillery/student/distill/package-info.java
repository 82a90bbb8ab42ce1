/** Knowledge distillation: the temperature-scaled teacher-student loss. */
package dev.distillery.student.distill;
