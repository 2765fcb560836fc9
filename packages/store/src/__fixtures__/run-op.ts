// A finished run row as the writer takes it, for the tests of the store's write path.
import { RUN_COLUMNS } from '../internal/row-columns.js';
import type { RowOp } from '../internal/row-columns.js';

/** A completed run `id` named `name`, its trace id made from its own; `attributes` is the row's attributes JSON. */
export function runOp(id: string, name: string, attributes = '{}'): RowOp {
  const given: Readonly<Record<string, string | number>> = {
    run_id: id,
    trace_id: `${id}${id}`,
    name,
    status: 'completed',
    start_ms: 1_767_225_600_000,
    last_activity_ms: 1_767_225_600_000,
    attributes,
  };
  const zero = (column: string): boolean => /_tokens$|_count$|^has_|^cost_unknown$|^stale$/.test(column);
  const values = RUN_COLUMNS.map((column) => given[column] ?? (zero(column) ? 0 : null));
  return { table: 'runs', values, events: [], aggregate: false };
}
