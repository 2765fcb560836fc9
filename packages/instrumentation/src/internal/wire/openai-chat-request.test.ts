import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { damage, expectWellFormedRequest, fixtureBytes, fixtureJson, formatOf, mutateJson, utf8 } from './__fixtures__/wire-harness.js';
import { parseOpenAiChatRequest } from './openai-chat-request.js';

describe('parseOpenAiChatRequest', () => {
  it('reads messages, tools and options of a real request', () => {
    const read = parseOpenAiChatRequest(fixtureJson('openai-chat-request.json'));
    expect(read.model).toBe('gpt-4o-mini');
    expect(read.stream).toBe(true);
    expect(read.request.messages).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'You are a concise travel assistant.' }] },
      { role: 'system', parts: [{ type: 'text', text: 'Answer in French when asked in French.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'Quel temps fait-il à Paris ? Voici une photo.' },
          { type: 'file', mediaType: 'image/png', sizeBytes: 70 },
          { type: 'file', mediaType: 'image/jpeg' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool-call', id: 'call_8fXk2', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool-result', id: 'call_8fXk2', result: '{"temperature_c":18,"sky":"cloudy"}' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Et demain ?' }] },
    ]);
    expect(read.request.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city.',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      },
    ]);
    expect(read.request.options).toEqual({
      maxOutputTokens: 512,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ['\n\nUser:'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
  });

  it('never copies an inline payload', () => {
    const text = JSON.stringify(parseOpenAiChatRequest(fixtureJson('openai-chat-request.json')));
    expect(text).not.toContain('iVBORw0KGgo');
    expect(text).not.toContain('sig=abc123');
  });

  it('reads max_tokens, a string stop, legacy functions, audio and file parts, and malformed tool arguments', () => {
    const read = parseOpenAiChatRequest({
      model: 'llama-3.3-70b',
      max_tokens: 64,
      stop: 'END',
      functions: [{ name: 'lookup' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            { type: 'file', file: { file_id: 'file-123' } },
          ],
        },
        { role: 'assistant', content: 'ok', reasoning_content: 'thinking…', tool_calls: [{ id: 'c1', function: { name: 'lookup', arguments: '{"q": ' } }] },
      ],
    });
    expect(read.request.options).toEqual({ maxOutputTokens: 64, stopSequences: ['END'] });
    expect(read.request.tools).toEqual([{ name: 'lookup' }]);
    expect(read.request.messages).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'file', mediaType: 'audio/wav', sizeBytes: 4 },
          { type: 'file', mediaType: 'application/pdf', name: 'a.pdf', sizeBytes: 5 },
          { type: 'file', mediaType: 'application/octet-stream' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', text: 'thinking…' },
          { type: 'text', text: 'ok' },
          { type: 'tool-call', id: 'c1', name: 'lookup', arguments: '{"q": ' },
        ],
      },
    ]);
  });

  it('reads what it can of a truncated body, marked incomplete', () => {
    const bytes = fixtureBytes('openai-chat-request.json');
    const read = formatOf('openai-chat').parseRequest(bytes.subarray(0, 700), { truncated: true });
    expect(read.complete).toBe(false);
    expect(read.model).toBe('gpt-4o-mini');
    expect(read.request.messages?.[0]).toEqual({ role: 'system', parts: [{ type: 'text', text: 'You are a concise travel assistant.' }] });
    expect(formatOf('openai-chat').parseRequest(bytes, { truncated: false }).complete).toBe(true);
  });

  it('never throws, whatever the body', () => {
    const format = formatOf('openai-chat');
    const bytes = fixtureBytes('openai-chat-request.json');
    const json = fixtureJson('openai-chat-request.json');
    const random = createSeededRandom(21);
    for (let round = 0; round < 300; round += 1) {
      const body = round % 2 === 0 ? utf8(JSON.stringify(mutateJson(json, random))) : damage(bytes, random);
      const read = format.parseRequest(body, { truncated: random() < 0.5 });
      expectWellFormedRequest(read);
    }
    expect(format.parseRequest(utf8('[1,2]'), { truncated: false })).toEqual({ request: {}, complete: false });
  });
});
