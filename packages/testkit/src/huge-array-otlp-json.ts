// An OTLP/JSON body built to stress a receiver: one span whose only attribute is an array of empty values.

/**
 * One span (starting at `startMs`, lasting 1 ms) whose single attribute is an array of
 * `elements` empty values (`{}`, three bytes each): a small request for the sender, millions of
 * objects for a receiver that parses it naively.
 *
 * @example
 * const body = hugeArrayOtlpJson(2_700_000); // about 8 MB
 */
export function hugeArrayOtlpJson(elements: number, startMs = Date.now() - 1_000): Buffer {
  const head = JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: 'f0f7651916cd43dd8448eb211c80319c',
                spanId: 'f7ad6b7169203331',
                name: 'flood',
                startTimeUnixNano: `${startMs}000000`,
                endTimeUnixNano: `${startMs + 1}000000`,
                attributes: [{ key: 'huge', value: { arrayValue: { values: ['@'] } } }],
              },
            ],
          },
        ],
      },
    ],
  });
  const [before, after] = head.split('"@"') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(`${'{},'.repeat(Math.max(0, elements - 1))}{}`), Buffer.from(after)]);
}
