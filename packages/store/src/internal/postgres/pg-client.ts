// What the PostgreSQL backend needs from a connection: node-postgres's Client, PoolClient and Pool all fit.

/** One query's result. */
export interface PgResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number | null;
}

/** A connection (or pool) that runs parameterized queries; a transaction needs one connection. */
export interface PgClient {
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<PgResult<Row>>;
}
