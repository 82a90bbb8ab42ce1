/** Hardware profiles: the memory, compute and energy figures of a target device, loaded from conf/profiles/*.yaml.
 * Every figure is an estimate with its sources named in the profile file itself. */
package dev.distillery.evaluation.profile;
