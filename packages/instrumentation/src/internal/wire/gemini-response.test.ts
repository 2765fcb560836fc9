import { Buffer } from 'node:buffer';
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
  utf8,
  whole,
} from './__fixtures__/wire-harness.js';

const SSE = 'text/event-stream';
const JSON_TYPE = 'application/json; charset=UTF-8';
const streaming = formatOf('gemini', true, 'gemini-2.5-flash');
const oneShot = formatOf('gemini', false, 'gemini-2.5-pro');
const sse = fixtureBytes('gemini-stream.sse');
const array = fixtureBytes('gemini-stream.json');

describe('GeminiResponse', () => {
  it('reads an alt=sse stream (CRLF line ends) however the bytes are cut', () => {
    expect(new TextDecoder().decode(sse)).toContain('\r\n\r\n');
    expect(expectSameAtEverySplit(streaming, SSE, sse)).toEqual({
      finished: true,
      usageReported: true,
      content: [
        { type: 'reasoning', text: '**Estimating prep time**\n\nCaprese needs no cooking.' },
        { type: 'text', text: 'About 10 minutes — slice, layer, drizzle. 🍅' },
      ],
      finishReason: 'STOP',
      usage: { inputTokens: 1536, outputTokens: 11 + 58, reasoningTokens: 58, cacheReadTokens: 1024 },
      model: 'gemini-2.5-flash',
      id: 'mL5ZaLzsA9nHz7IPrqLi4AQ',
    });
  });

  it('takes the last cumulative usageMetadata, never a sum of the repeated ones', () => {
    const usage = whole(streaming, SSE, sse).usage;
    // Summed, the three chunks would give 3 × 1536 input and 4 + 11 + 3 × 58 output tokens.
    expect(usage?.inputTokens).toBe(1536);
    expect(usage?.outputTokens).toBe(69);
    const firstTwo = new TextDecoder().decode(sse).split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\n';
    const cut = whole(streaming, SSE, utf8(firstTwo));
    expect(cut).toMatchObject({ finished: false, usage: { inputTokens: 1536, outputTokens: 4 + 58 }, usageReported: true });
    expect(cut.finishReason).toBeUndefined();
  });

  it('reads a streamed JSON array (no alt=sse) element by element, however the bytes are cut', () => {
    expect(expectSameAtEverySplit(streaming, JSON_TYPE, array)).toEqual({
      finished: true,
      usageReported: true,
      content: [
        { type: 'text', text: "I'll find recipes for you." },
        { type: 'tool-call', id: '', name: 'find_recipes', arguments: { ingredients: ['tomato', 'basil'] } },
        { type: 'tool-call', id: '', name: 'find_wine', arguments: { dish: 'caprese' } },
      ],
      finishReason: 'STOP',
      // toolUsePromptTokenCount is part of the input.
      usage: { inputTokens: 98 + 20, outputTokens: 27 },
      model: 'gemini-2.0-flash-001',
      id: 'Wb5ZaJ7uLNr0xN8P6p2Z0Qk',
    });
  });

  it('gives the first element before the array ends', () => {
    const parser = streaming.createResponseParser(JSON_TYPE, { maxTextBytes: 1000 });
    const separator = Buffer.from(array).indexOf('\n,\r\n');
    expect(parser.push(array.subarray(0, separator))).toBe(true);
    expect(parser.push(array.subarray(separator))).toBe(false);
    expect(parser.end().finished).toBe(true);
  });

  it('reads a non-streamed response: output = candidates + thoughts', () => {
    expect(whole(oneShot, JSON_TYPE, fixtureBytes('gemini-response.json'))).toEqual({
      finished: true,
      usageReported: true,
      content: [{ type: 'text', text: 'Caprese salad takes about 10 minutes.' }],
      finishReason: 'MAX_TOKENS',
      usage: { inputTokens: 40, outputTokens: 39, reasoningTokens: 30 },
      model: 'gemini-2.5-pro',
      id: 'x75ZaNqFI8-xz7IP9Zi7mAw',
    });
  });

  it('reads errors as a body, as an array element, and a blocked prompt as finished', () => {
    const error = { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } };
    const expected = { finished: false, usageReported: false, error: { type: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' } };
    expect(whole(oneShot, JSON_TYPE, utf8(JSON.stringify(error)))).toEqual(expected);
    expect(whole(streaming, JSON_TYPE, utf8(JSON.stringify(error)))).toEqual(expected);
    expect(whole(streaming, JSON_TYPE, utf8(JSON.stringify([error])))).toEqual(expected);
    // An error sent as plain JSON on an event-stream response (the Gemini SDK checks for this too).
    expect(whole(streaming, SSE, utf8(JSON.stringify(error)))).toEqual(expected);
    const blocked = { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 }, modelVersion: 'gemini-2.5-flash' };
    expect(whole(oneShot, JSON_TYPE, utf8(JSON.stringify(blocked)))).toEqual({
      finished: true,
      usageReported: true,
      finishReason: 'PROHIBITED_CONTENT',
      usage: { inputTokens: 12 },
      model: 'gemini-2.5-flash',
    });
  });

  it('has no usage when none was reported (never zeros)', () => {
    const body = utf8(`data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, finishReason: 'STOP', index: 0 }] })}\r\n\r\n`);
    const response = whole(streaming, SSE, body);
    expect(response.usage).toBeUndefined();
    expect(response.usageReported).toBe(false);
    expect(response.finished).toBe(true);
  });

  it('never throws, whatever the body or its cuts', () => {
    const random = createSeededRandom(91);
    const elements = JSON.parse(new TextDecoder().decode(array)) as unknown[];
    for (let round = 0; round < 300; round += 1) {
      const mutated = elements.map((element) => (random() < 0.5 ? element : mutateJson(element, random)));
      const asSse = round % 2 === 0;
      let bytes = utf8(asSse ? mutated.map((element) => `data: ${JSON.stringify(element) ?? 'null'}\r\n\r\n`).join('') : JSON.stringify(mutated));
      if (random() < 0.5) bytes = damage(bytes, random);
      const maxTextBytes = Math.floor(random() * 40);
      const response = feed(random() < 0.5 ? streaming : oneShot, asSse ? SSE : JSON_TYPE, randomPieces(bytes, random), maxTextBytes).response;
      expectWellFormedResponse(response, maxTextBytes);
    }
  });
});
