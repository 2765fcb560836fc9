// ANSI colours, used only when stdout is a terminal and NO_COLOR is unset.
import { RunStatuses, truncateText } from '@runtrace/core';

/** Text decorations; every function is the identity when colours are off. */
export interface Style {
  readonly enabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  /** Colours a run status by its meaning; other text is left as it is. */
  readonly status: (status: string, text?: string) => string;
}

function wrap(enabled: boolean, open: number, close: number): (text: string) => string {
  return enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
}

/** A style with colours on or off. */
export function createStyle(enabled: boolean): Style {
  const bold = wrap(enabled, 1, 22);
  const dim = wrap(enabled, 2, 22);
  const red = wrap(enabled, 31, 39);
  const green = wrap(enabled, 32, 39);
  const yellow = wrap(enabled, 33, 39);
  const cyan = wrap(enabled, 36, 39);
  return {
    enabled,
    bold,
    dim,
    red,
    green,
    yellow,
    cyan,
    status: (status, text = status) => {
      switch (status) {
        case RunStatuses.COMPLETED:
          return green(text);
        case RunStatuses.ERROR:
          return red(text);
        case RunStatuses.INTERRUPTED:
          return yellow(text);
        case RunStatuses.IN_PROGRESS:
          return cyan(text);
        default:
          return text;
      }
    },
  };
}

/** Whether to colour: only on a terminal, and never when NO_COLOR is set. */
export function colorsWanted(isTTY: boolean | undefined, noColor: boolean): boolean {
  return isTTY === true && !noColor;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** The text without colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Columns the text takes on a terminal (colour codes take none; each code point one). */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const _ of stripAnsi(text)) width += 1;
  return width;
}

/** Pads (or cuts, with an ellipsis) to exactly `width` visible columns. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const shown = visibleWidth(text) > width ? truncateText(stripAnsi(text), Math.max(0, width)) : text;
  // A cut that keeps a grapheme cluster whole may come out shorter than `width`: pad it too.
  const padding = ' '.repeat(Math.max(0, width - visibleWidth(shown)));
  return align === 'left' ? shown + padding : padding + shown;
}
