import { describe, expect, it } from 'vitest';
import { ResponseBuilder } from './response-builder.js';

describe('ResponseBuilder', () => {
  it('keeps parts in the order their keys first appeared', () => {
    const builder = new ResponseBuilder(100);
    builder.appendText('reasoning', 'r', 'Hmm. ');
    builder.toolCall('0', { id: 'call_1', name: 'f', argumentsDelta: '{"a"' });
    builder.appendText('text', 't', 'Answer');
    builder.toolCall('0', { argumentsDelta: ':1}' });
    builder.appendText('reasoning', 'r', 'Done.');
    expect(builder.build().content).toEqual([
      { type: 'reasoning', text: 'Hmm. Done.' },
      { type: 'tool-call', id: 'call_1', name: 'f', arguments: { a: 1 } },
      { type: 'text', text: 'Answer' },
    ]);
  });

  it('keeps the first id and name of a tool call, and prefers fragments over whole arguments', () => {
    const builder = new ResponseBuilder(100);
    builder.toolCall('a', { id: 'x', name: 'first', wholeArguments: {} });
    builder.toolCall('a', { id: 'y', name: 'second', argumentsDelta: '{"b":2}' });
    builder.toolCall('b', { id: 'z', name: 'g', wholeArguments: '{"c":3}' });
    builder.toolCall('c', { id: 'w', name: 'h', argumentsDelta: '{"d":' });
    expect(builder.build().content).toEqual([
      { type: 'tool-call', id: 'x', name: 'first', arguments: { b: 2 } },
      { type: 'tool-call', id: 'z', name: 'g', arguments: { c: 3 } },
      { type: 'tool-call', id: 'w', name: 'h', arguments: '{"d":' },
    ]);
  });

  it('counts content only once something was said, keeps the latest usage and the first error', () => {
    const builder = new ResponseBuilder(100);
    builder.appendText('text', 't', '');
    builder.setUsage({});
    expect(builder.hasContent).toBe(false);
    expect(builder.build()).toEqual({ finished: false, usageReported: false });
    builder.setUsage({ inputTokens: 1 });
    builder.setUsage({ inputTokens: 5, outputTokens: 2 });
    builder.setError({ type: 'first' });
    builder.setError({ type: 'second' });
    builder.appendText('text', 't', 'x');
    expect(builder.hasContent).toBe(true);
    expect(builder.build()).toEqual({ finished: false, usageReported: true, usage: { inputTokens: 5, outputTokens: 2 }, error: { type: 'first' }, content: [{ type: 'text', text: 'x' }] });
  });
});
