package dev.distillery.airflow.fake;

import com.fasterxml.jackson.databind.node.ArrayNode;

/** An error answer of the fake server: status, problem title, detail, and for 422 the list of violations. */
class HttpError extends RuntimeException {
    final int status;
    final String title;
    final ArrayNode violations;

    HttpError(int status, String title, String detail, ArrayNode violations) {
        super(detail);
        this.status = status;
        this.title = title;
        this.violations = violations;
    }
}
