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

const SSE = 'text/event-stream';
const format = formatOf('openai-responses');
const stream = fixtureBytes('openai-responses-stream.sse');
const toolStream = fixtureBytes('openai-responses-stream-tools.sse');

function events(bytes: Uint8Array): [string | undefined, string][] {
  return sseEvents(new TextDecoder().decode(bytes));
}

describe('OpenAiResponsesResponse', () => {
  it('reads a streamed answer, with usage and status from response.completed, however the bytes are cut', () => {
    const response = expectSameAtEverySplit(format, SSE, stream);
    expect(response).toEqual({
      finished: true,
      usageReported: true,
      content: [{ type: 'text', text: 'Your table is booked — see you at 20:00 🍽️.' }],
      finishReason: 'completed',
      usage: { inputTokens: 2048, outputTokens: 13, reasoningTokens: 0, cacheReadTokens: 1536 },
      model: 'gpt-4.1-2025-04-14',
      id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
    });
  });

  it('has no usage and is not finished when the stream is cut before response.completed', () => {
    const all = events(stream);
    const completed = all.findIndex(([event]) => event === 'response.completed');
    const cut = whole(format, SSE, utf8(sseText(all.slice(0, completed))));
    expect(cut.finished).toBe(false);
    expect(cut.usage).toBeUndefined();
    expect(cut.usageReported).toBe(false);
    // The deltas are not repeated by the whole item of response.output_item.done.
    expect(cut.content).toEqual([{ type: 'text', text: 'Your table is booked — see you at 20:00 🍽️.' }]);
  });

  it('ends with response.incomplete: finished, its reason as the finish reason, with its usage', () => {
    const all = events(stream);
    const [, completedData] = all.at(-1)!;
    const completed = JSON.parse(completedData) as { response: Record<string, unknown> };
    const incomplete = {
      type: 'response.incomplete',
      sequence_number: 99,
      response: { ...completed.response, status: 'incomplete', incomplete_details: { reason: 'content_filter' } },
    };
    const response = whole(format, SSE, utf8(sseText([...all.slice(0, -1), ['response.incomplete', JSON.stringify(incomplete)]])));
    expect(response).toMatchObject({ finished: true, finishReason: 'content_filter', usageReported: true, usage: { inputTokens: 2048, outputTokens: 13 } });
  });

  it('reads a reasoning summary and a function call from their deltas', () => {
    const response = expectSameAtEverySplit(format, SSE, toolStream);
    expect(response).toEqual({
      finished: true,
      usageReported: true,
      content: [
        { type: 'reasoning', text: '**Planning the booking**\n\nI need the restaurant and the party size.' },
        { type: 'tool-call', id: 'call_Zz1', name: 'book_table', arguments: { restaurant: 'Le Train Bleu', guests: 2 } },
      ],
      finishReason: 'completed',
      usage: { inputTokens: 412, outputTokens: 151, reasoningTokens: 128, cacheReadTokens: 0 },
      model: 'o4-mini-2025-04-16',
      id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
    });
  });

  it('takes the output of the final response when no delta came', () => {
    const onlyFinal = events(stream).filter(([event]) => event === 'response.created' || event === 'response.completed');
    const response = whole(format, SSE, utf8(sseText(onlyFinal)));
    expect(response.content).toEqual([{ type: 'text', text: 'Your table is booked — see you at 20:00 🍽️.' }]);
    expect(feed(format, SSE, [utf8(sseText(onlyFinal))]).firstContentPushes).toEqual([0]);
  });

  it('reads a non-streamed incomplete response: its reason is the finish reason', () => {
    expect(whole(format, 'application/json', fixtureBytes('openai-responses-response.json'))).toEqual({
      finished: true,
      usageReported: true,
      content: [{ type: 'text', text: 'Your table is booked — see you at 20:00 🍽️.' }],
      finishReason: 'max_output_tokens',
      usage: { inputTokens: 2048, outputTokens: 800, reasoningTokens: 0, cacheReadTokens: 0 },
      model: 'gpt-4.1-2025-04-14',
      id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
    });
  });

  it('reads response.failed, error events and error bodies', () => {
    const created = events(stream)[0]!;
    const failed: [string, string] = [
      'response.failed',
      JSON.stringify({ type: 'response.failed', sequence_number: 2, response: { id: 'resp_f', object: 'response', status: 'failed', model: 'gpt-4.1', output: [], usage: null, error: { code: 'server_error', message: 'The model failed.' } } }),
    ];
    const response = whole(format, SSE, utf8(sseText([created, failed])));
    expect(response).toMatchObject({ finished: true, finishReason: 'failed', error: { type: 'server_error', message: 'The model failed.' }, usageReported: false });
    const errorEvent: [string, string] = ['error', JSON.stringify({ type: 'error', code: 'rate_limit_exceeded', message: 'Slow down.', param: null, sequence_number: 1 })];
    const errored = whole(format, SSE, utf8(sseText([created, errorEvent])));
    expect(errored).toMatchObject({ finished: false, error: { type: 'rate_limit_exceeded', message: 'Slow down.' } });
    const body = utf8(JSON.stringify({ error: { message: 'Invalid model', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }));
    expect(whole(format, 'application/json', body)).toEqual({ finished: false, usageReported: false, error: { type: 'model_not_found', message: 'Invalid model' } });
  });

  it('never throws, whatever the body or its cuts', () => {
    const random = createSeededRandom(51);
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
