import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import {
  damage,
  expectSameAtEverySplit,
  expectWellFormedResponse,
  feed,
  fixtureBytes,
  formatOf,
  mutateJson,
  randomPieces,
  sseEvents,
  sseText,
  utf8,
  whole,
} from './__fixtures__/wire-harness.js';

const SSE = 'text/event-stream; charset=utf-8';
const format = formatOf('anthropic-messages');
const stream = fixtureBytes('anthropic-messages-stream.sse');
const toolStream = fixtureBytes('anthropic-messages-stream-tools.sse');

function events(bytes: Uint8Array): [string | undefined, string][] {
  return sseEvents(new TextDecoder().decode(bytes));
}

describe('AnthropicMessagesResponse', () => {
  it('reads a streamed answer however the bytes are cut', () => {
    expect(expectSameAtEverySplit(format, SSE, stream)).toEqual({
      finished: true,
      usageReported: true,
      content: [{ type: 'text', text: 'Revenue grew 12 % quarter over quarter — a strong Q3.' }],
      finishReason: 'end_turn',
      // input_tokens excludes cache reads: 472 + 2048 + 0.
      usage: { inputTokens: 2520, outputTokens: 15, cacheReadTokens: 2048, cacheCreationTokens: 0 },
      model: 'claude-sonnet-4-5-20250929',
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    });
  });

  it('does not add the split usage: message_delta output_tokens is cumulative, repeated fields are not summed', () => {
    const startUsage = (JSON.parse(events(toolStream)[0]![1]) as { message: { usage: { output_tokens: number } } }).message.usage;
    expect(startUsage.output_tokens).toBe(1);
    const response = expectSameAtEverySplit(format, SSE, toolStream);
    // Not 188 (1 + 187), not 2 × 25 input tokens.
    expect(response.usage).toEqual({ inputTokens: 25 + 3000 + 1200, outputTokens: 187, reasoningTokens: 96, cacheReadTokens: 3000, cacheCreationTokens: 1200 });
  });

  it('reads thinking, text and a tool call whose input arrives as JSON fragments', () => {
    const response = whole(format, SSE, toolStream);
    expect(response.content).toEqual([
      { type: 'reasoning', text: "The user wants the rate. I'll call get_fx_rate with EURUSD." },
      { type: 'text', text: 'Checking the rate now.' },
      { type: 'tool-call', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_fx_rate', arguments: { pair: 'EURUSD' } },
    ]);
    expect(response.finishReason).toBe('tool_use');
    expect(JSON.stringify(response)).not.toContain('EqQBCgIYAhIM');
  });

  it('has the message_start usage only, and is not finished, when the stream is cut before message_delta', () => {
    const all = events(stream);
    const delta = all.findIndex(([event]) => event === 'message_delta');
    const cut = whole(format, SSE, utf8(sseText(all.slice(0, delta))));
    expect(cut.finished).toBe(false);
    expect(cut.finishReason).toBeUndefined();
    expect(cut.usage).toEqual({ inputTokens: 2520, outputTokens: 2, cacheReadTokens: 2048, cacheCreationTokens: 0 });
    // A tool call whose input never arrived keeps the start block's empty input.
    const toolEvents = events(toolStream);
    const firstFragment = toolEvents.findIndex(([, data]) => data.includes('input_json_delta'));
    expect(whole(format, SSE, utf8(sseText(toolEvents.slice(0, firstFragment)))).content?.at(-1)).toEqual({
      type: 'tool-call',
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_fx_rate',
      arguments: {},
    });
  });

  it('reports the first content on the push that carried it (the first text delta, not the empty block start)', () => {
    const pieces = events(stream).map((event) => utf8(sseText([event])));
    const firstDelta = events(stream).findIndex(([event]) => event === 'content_block_delta');
    expect(feed(format, SSE, pieces).firstContentPushes).toEqual([firstDelta]);
  });

  it('reads a non-streamed message', () => {
    expect(whole(format, 'application/json', fixtureBytes('anthropic-messages-response.json'))).toEqual({
      finished: true,
      usageReported: true,
      content: [
        { type: 'reasoning', text: 'Simple lookup.' },
        { type: 'text', text: "I'll check the rate." },
        { type: 'tool-call', id: 'toolu_01D7FLrfh4GYq7yT1ULFeyMV', name: 'get_fx_rate', arguments: { pair: 'GBPUSD' } },
      ],
      finishReason: 'tool_use',
      usage: { inputTokens: 320, outputTokens: 64, cacheReadTokens: 0, cacheCreationTokens: 0 },
      model: 'claude-haiku-4-5-20251001',
      id: 'msg_01Aq9w938a90dw8q',
    });
  });

  it('reads an in-stream error event and an error body', () => {
    const all = events(stream);
    const overloaded: [string, string] = ['error', JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })];
    const response = whole(format, SSE, utf8(sseText([...all.slice(0, 4), overloaded])));
    expect(response).toMatchObject({ finished: false, error: { type: 'overloaded_error', message: 'Overloaded' }, content: [{ type: 'text', text: 'Revenue grew' }] });
    const body = utf8(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' }, request_id: 'req_011' }));
    expect(whole(format, 'application/json', body)).toEqual({ finished: false, usageReported: false, error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });

  it('never throws, whatever the body or its cuts', () => {
    const random = createSeededRandom(71);
    const transcripts = [events(stream), events(toolStream)];
    for (let round = 0; round < 300; round += 1) {
      const mutated = transcripts[round % 2]!.map(([event, data]): [string | undefined, string] =>
        random() < 0.5 ? [event, data] : [event, JSON.stringify(mutateJson(JSON.parse(data), random)) ?? 'null'],
      );
      let bytes = utf8(sseText(mutated));
      if (random() < 0.5) bytes = damage(bytes, random);
      const maxTextBytes = Math.floor(random() * 40);
      const response = feed(format, random() < 0.8 ? SSE : 'application/json', randomPieces(bytes, random), maxTextBytes).response;
      expectWellFormedResponse(response, maxTextBytes);
    }
  });
});
