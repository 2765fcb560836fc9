// A plain-text table with aligned columns; colour codes do not count towards widths.
import { fit, visibleWidth } from './style.js';

/** One column of {@link renderTable}. */
export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** Widest the column may get; longer cells are cut with an ellipsis. Default: no limit. */
  readonly maxWidth?: number;
}

/** Renders rows under a header, two spaces between columns, trailing spaces trimmed. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], header: (text: string) => string = (text) => text): string {
  const widths = columns.map((column, index) => {
    let width = visibleWidth(column.header);
    for (const row of rows) width = Math.max(width, visibleWidth(row[index] ?? ''));
    return column.maxWidth === undefined ? width : Math.min(width, column.maxWidth);
  });
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, index) => fit(cells[index] ?? '', widths[index] ?? 0, column.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [header(line(columns.map((column) => column.header))), ...rows.map(line)].join('\n') + '\n';
}

/** A horizontal bar of `width` cells for `value` out of `max` (eighth-block precision). */
export function bar(value: number, max: number, width: number): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest === 0 ? '' : (PARTIAL[rest] ?? ''));
}

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
