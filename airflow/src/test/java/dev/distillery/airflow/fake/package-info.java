/** An in-process Airflow 2/3 web server for the client's tests: the documented REST contract plus injected faults. */
package dev.distillery.airflow.fake;
