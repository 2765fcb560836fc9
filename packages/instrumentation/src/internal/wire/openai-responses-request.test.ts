import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { damage, expectWellFormedRequest, fixtureBytes, fixtureJson, formatOf, mutateJson, utf8 } from './__fixtures__/wire-harness.js';
import { parseOpenAiResponsesRequest } from './openai-responses-request.js';

describe('parseOpenAiResponsesRequest', () => {
  it('reads instructions, input items, function tools and options of a real request', () => {
    const read = parseOpenAiResponsesRequest(fixtureJson('openai-responses-request.json'));
    expect(read.model).toBe('gpt-4.1');
    expect(read.stream).toBe(true);
    expect(read.request.messages).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'You are a helpful assistant that books restaurants.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'Book a table for two at this place.' },
          { type: 'file', mediaType: 'image/jpeg', sizeBytes: 36 },
          { type: 'file', mediaType: 'application/pdf', name: 'menu.pdf', sizeBytes: 23 },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', text: 'The user wants a booking; call book_table.' },
          { type: 'tool-call', id: 'call_Zz1', name: 'book_table', arguments: { restaurant: 'Le Train Bleu', guests: 2 } },
        ],
      },
      { role: 'tool', parts: [{ type: 'tool-result', id: 'call_Zz1', result: '{"confirmed":true,"time":"20:00"}' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'Booked for 20:00.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Thanks! Add a reminder.' }] },
    ]);
    // The built-in web search tool has no name and is not listed.
    expect(read.request.tools).toEqual([
      {
        name: 'book_table',
        description: 'Books a restaurant table.',
        parameters: { type: 'object', properties: { restaurant: { type: 'string' }, guests: { type: 'integer' } }, required: ['restaurant', 'guests'] },
      },
    ]);
    expect(read.request.options).toEqual({ maxOutputTokens: 800, temperature: 0.5, topP: 1 });
  });

  it('reads a plain string input as one user message', () => {
    expect(parseOpenAiResponsesRequest({ model: 'gpt-4.1-mini', input: 'Hello' })).toEqual({
      model: 'gpt-4.1-mini',
      request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hello' }] }] },
    });
  });

  it('reads developer messages as system, and function outputs given as parts', () => {
    const read = parseOpenAiResponsesRequest({
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be terse.' }] },
        { type: 'function_call_output', call_id: 'c9', output: [{ type: 'input_text', text: 'sunny' }] },
        { type: 'item_reference', id: 'msg_1' },
      ],
    });
    expect(read.request.messages).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'Be terse.' }] },
      { role: 'tool', parts: [{ type: 'tool-result', id: 'c9', result: 'sunny' }] },
    ]);
  });

  it('never throws, whatever the body', () => {
    const format = formatOf('openai-responses');
    const bytes = fixtureBytes('openai-responses-request.json');
    const json = fixtureJson('openai-responses-request.json');
    const random = createSeededRandom(41);
    for (let round = 0; round < 300; round += 1) {
      const body = round % 2 === 0 ? utf8(JSON.stringify(mutateJson(json, random))) : damage(bytes, random);
      expectWellFormedRequest(format.parseRequest(body, { truncated: random() < 0.5 }));
    }
    expect(JSON.stringify(format.parseRequest(bytes, { truncated: false }))).not.toContain('/9j/4AAQ');
  });
});
