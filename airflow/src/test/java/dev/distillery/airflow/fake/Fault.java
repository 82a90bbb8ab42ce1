package dev.distillery.airflow.fake;

/** What the fake server does to one matching request instead of (or besides) answering it normally. */
public enum Fault {
    /** Answer 500 without doing anything. */
    ERROR_500,
    /** Close the connection without an answer, without doing anything. */
    DROP,
    /** Do the work, but answer only after a delay longer than the tests' short client timeout. */
    SLOW,
    /** Do the work (a trigger creates its run), then answer 500. */
    COMMIT_THEN_500,
    /** Do the work, then close the connection without an answer. */
    COMMIT_THEN_DROP,
    /** Answer 200 with an HTML login page, as a single-sign-on proxy in front of Airflow does, without the work. */
    LOGIN_PAGE
}
