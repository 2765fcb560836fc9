import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { damage, expectWellFormedRequest, fixtureBytes, fixtureJson, formatOf, mutateJson, utf8 } from './__fixtures__/wire-harness.js';
import { parseAnthropicMessagesRequest } from './anthropic-messages-request.js';

describe('parseAnthropicMessagesRequest', () => {
  it('reads system blocks, messages, tools and options of a real request', () => {
    const read = parseAnthropicMessagesRequest(fixtureJson('anthropic-messages-request.json'));
    expect(read.model).toBe('claude-sonnet-4-5-20250929');
    expect(read.stream).toBe(true);
    expect(read.request.messages).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'You are a meticulous research assistant.' }] },
      {
        role: 'user',
        parts: [
          { type: 'file', mediaType: 'application/pdf', name: 'Q3 report', sizeBytes: 43 },
          { type: 'file', mediaType: 'image/webp', sizeBytes: 44 },
          { type: 'text', text: 'Summarize the revenue trend and check the FX rate.' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', text: 'I should look up the EUR/USD rate.' },
          { type: 'text', text: 'Let me check the rate.' },
          { type: 'tool-call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_fx_rate', arguments: { pair: 'EURUSD' } },
        ],
      },
      // The user message's tool_result block is a tool message; its text block stays a user message.
      { role: 'tool', parts: [{ type: 'tool-result', id: 'toolu_01A09q90qw90lq917835lq9', result: '1.0842' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Use that rate.' }] },
    ]);
    expect(read.request.tools).toEqual([
      {
        name: 'get_fx_rate',
        description: 'Latest FX rate for a currency pair.',
        parameters: { type: 'object', properties: { pair: { type: 'string' } }, required: ['pair'] },
      },
    ]);
    expect(read.request.options).toEqual({ maxOutputTokens: 2048, temperature: 0.2, topP: 0.95, topK: 40, stopSequences: ['</answer>'] });
  });

  it('reads a string system and string content, error results, and url and text sources', () => {
    const read = parseAnthropicMessagesRequest({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Hi' },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: 'boom', is_error: true },
            { type: 'image', source: { type: 'url', url: 'https://example.com/chart.png' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
          ],
        },
      ],
    });
    expect(read.request.messages).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
      { role: 'tool', parts: [{ type: 'tool-result', id: 't1', result: 'boom', isError: true }] },
      {
        role: 'user',
        parts: [
          { type: 'file', mediaType: 'image/png' },
          { type: 'file', mediaType: 'text/plain', sizeBytes: 6 },
        ],
      },
    ]);
  });

  it('never throws, whatever the body', () => {
    const format = formatOf('anthropic-messages');
    const bytes = fixtureBytes('anthropic-messages-request.json');
    const json = fixtureJson('anthropic-messages-request.json');
    const random = createSeededRandom(61);
    for (let round = 0; round < 300; round += 1) {
      const body = round % 2 === 0 ? utf8(JSON.stringify(mutateJson(json, random))) : damage(bytes, random);
      expectWellFormedRequest(format.parseRequest(body, { truncated: random() < 0.5 }));
    }
    expect(JSON.stringify(format.parseRequest(bytes, { truncated: false }))).not.toContain('JVBERi0');
  });
});
