/** What the Airflow REST API returns, as the client's own records, the same for API versions 1 and 2. */
package dev.distillery.airflow.model;
