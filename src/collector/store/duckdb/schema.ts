/**
 * The store's schema, as forward migrations. `tk_meta.schema_version` records how far a file
 * has come; opening a file runs the missing steps in one transaction, and a file written by a
 * newer tracekit (a version this code does not know) is refused rather than guessed at.
 * Never edit a step that has shipped: add the next one.
 */

export const MIGRATIONS: readonly string[] = [
  // 1: spans (with events and links as JSON), errors, metric points (histogram buckets also
  // as rows, non-zero only, so merging histograms is a plain GROUP BY), per-minute call
  // edges for the dependency graph, logs, resources.
  `
  CREATE TABLE spans (
    service VARCHAR NOT NULL, instance VARCHAR NOT NULL,
    trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, parent_id VARCHAR,
    name VARCHAR NOT NULL, kind UTINYINT NOT NULL,
    start_us BIGINT NOT NULL, duration_us BIGINT NOT NULL,
    status UTINYINT NOT NULL, status_message VARCHAR,
    route VARCHAR, method VARCHAR, http_status USMALLINT, peer VARCHAR, db_system VARCHAR,
    db_count INTEGER, db_ms DOUBLE, out_count INTEGER, n_plus_one VARCHAR,
    is_entry BOOLEAN NOT NULL, request_route VARCHAR, scope VARCHAR NOT NULL,
    attributes VARCHAR NOT NULL, events VARCHAR, links VARCHAR
  );
  CREATE TABLE errors (
    fingerprint VARCHAR NOT NULL, service VARCHAR NOT NULL, time_us BIGINT NOT NULL,
    trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, span_name VARCHAR NOT NULL, route VARCHAR,
    type VARCHAR NOT NULL, message VARCHAR NOT NULL, stack VARCHAR NOT NULL
  );
  CREATE TABLE metric_points (
    service VARCHAR NOT NULL, instance VARCHAR NOT NULL, name VARCHAR NOT NULL, kind UTINYINT NOT NULL,
    start_us BIGINT NOT NULL, time_us BIGINT NOT NULL,
    route VARCHAR, method VARCHAR, http_status USMALLINT, attributes VARCHAR NOT NULL,
    value DOUBLE, count DOUBLE, sum DOUBLE, min DOUBLE, max DOUBLE, bounds DOUBLE[], counts DOUBLE[]
  );
  CREATE TABLE histogram_buckets (
    service VARCHAR NOT NULL, name VARCHAR NOT NULL, route VARCHAR, method VARCHAR, http_status USMALLINT,
    time_us BIGINT NOT NULL, bucket USMALLINT NOT NULL, count DOUBLE NOT NULL
  );
  CREATE TABLE call_edges (
    kind UTINYINT NOT NULL, service VARCHAR NOT NULL, route VARCHAR, host VARCHAR,
    minute_us BIGINT NOT NULL, calls DOUBLE NOT NULL, errors DOUBLE NOT NULL
  );
  CREATE TABLE logs (
    service VARCHAR NOT NULL, instance VARCHAR NOT NULL, time_us BIGINT NOT NULL,
    severity UTINYINT NOT NULL, severity_text VARCHAR NOT NULL, body VARCHAR NOT NULL,
    trace_id VARCHAR, span_id VARCHAR, attributes VARCHAR NOT NULL
  );
  CREATE TABLE resources (
    service VARCHAR NOT NULL, instance VARCHAR NOT NULL, attributes VARCHAR NOT NULL, seen_us BIGINT NOT NULL
  );
  `,
  // 2: the code inventory: every frame of every stored exception, one row each.
  `
  CREATE TABLE error_frames (
    service VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, time_us BIGINT NOT NULL,
    file VARCHAR NOT NULL, function VARCHAR NOT NULL, line INTEGER NOT NULL, library BOOLEAN NOT NULL
  );
  `,
  // 3: the route inventory: the latest snapshot of each service's registered routes.
  `
  CREATE TABLE route_inventory (
    service VARCHAR NOT NULL, instance VARCHAR NOT NULL, snapshot VARCHAR NOT NULL, reported_us BIGINT NOT NULL,
    method VARCHAR NOT NULL, route VARCHAR NOT NULL, kind VARCHAR NOT NULL, function VARCHAR NOT NULL,
    file VARCHAR NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, truncated BOOLEAN NOT NULL
  );
  `,
  // 4: live-debugging snapshots (the agent's `tracekit.snapshot` log records), body as JSON.
  `
  CREATE TABLE snapshots (
    id VARCHAR NOT NULL, service VARCHAR NOT NULL, instance VARCHAR NOT NULL, breakpoint_id VARCHAR NOT NULL,
    time_us BIGINT NOT NULL, trace_id VARCHAR, span_id VARCHAR, label VARCHAR,
    file VARCHAR NOT NULL, line INTEGER NOT NULL, function VARCHAR NOT NULL, body VARCHAR NOT NULL
  );
  `,
  // 5: the Queries view groups query spans by statement; reading it from each span's JSON
  // attributes costs a parse per row, so the statement and its row count get columns. Spans
  // stored before this step get theirs from the JSON once, here.
  `
  ALTER TABLE spans ADD COLUMN db_statement VARCHAR;
  ALTER TABLE spans ADD COLUMN db_rows BIGINT;
  UPDATE spans SET
    db_statement = coalesce(json_extract_string(attributes, '$."db.query.text"'), json_extract_string(attributes, '$."db.statement"')),
    db_rows = TRY_CAST(json_extract_string(attributes, '$."db.response.returned_rows"') AS BIGINT)
  WHERE db_system IS NOT NULL;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
