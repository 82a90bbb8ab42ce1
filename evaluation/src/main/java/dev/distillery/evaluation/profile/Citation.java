package dev.distillery.evaluation.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a profile's figures come from: a document title and which figures it supports and how they were derived. */
public record Citation(String title, @JsonProperty("used_for") String usedFor) {

    public Citation {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("title is missing");
        }
        if (usedFor == null || usedFor.isBlank()) {
            throw new IllegalArgumentException("used_for is missing for '" + title + "'");
        }
    }
}
