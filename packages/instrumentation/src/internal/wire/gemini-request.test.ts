import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { damage, expectWellFormedRequest, fixtureBytes, fixtureJson, formatOf, mutateJson, utf8 } from './__fixtures__/wire-harness.js';
import { parseGeminiRequest } from './gemini-request.js';

describe('parseGeminiRequest', () => {
  it('reads contents, system instruction, function declarations and generation config of a real request', () => {
    const read = parseGeminiRequest(fixtureJson('gemini-request.json'));
    expect(read.model).toBeUndefined();
    expect(read.request.messages).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'You are a friendly cooking assistant.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'What can I cook with this?' },
          { type: 'file', mediaType: 'image/jpeg', sizeBytes: 24 },
          { type: 'file', mediaType: 'application/pdf' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', text: 'Let me look up recipes.' },
          { type: 'tool-call', id: '', name: 'find_recipes', arguments: { ingredients: ['tomato', 'basil'] } },
        ],
      },
      { role: 'tool', parts: [{ type: 'tool-result', id: '', name: 'find_recipes', result: { recipes: ['Caprese salad'] } }] },
      { role: 'user', parts: [{ type: 'text', text: 'Great, how long does it take?' }] },
    ]);
    expect(read.request.tools).toEqual([
      {
        name: 'find_recipes',
        description: 'Finds recipes by ingredients.',
        parameters: { type: 'OBJECT', properties: { ingredients: { type: 'ARRAY', items: { type: 'STRING' } } }, required: ['ingredients'] },
      },
    ]);
    expect(read.request.options).toEqual({
      maxOutputTokens: 1024,
      temperature: 0.7,
      topP: 0.95,
      topK: 64,
      stopSequences: ['END'],
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
  });

  it('takes the model and streaming from the path', () => {
    const format = formatOf('gemini', true, 'gemini-2.5-flash');
    const read = format.parseRequest(fixtureBytes('gemini-request.json'), { truncated: false });
    expect(read.model).toBe('gemini-2.5-flash');
    expect(read.stream).toBe(true);
    expect(read.complete).toBe(true);
    expect(formatOf('gemini', false, 'gemini-2.5-pro').parseRequest(utf8('{"contents": ['), { truncated: true })).toEqual({
      model: 'gemini-2.5-pro',
      stream: false,
      request: { messages: [] },
      complete: false,
    });
  });

  it('reads snake_case field names too', () => {
    const read = parseGeminiRequest({
      system_instruction: { parts: [{ text: 'Terse.' }] },
      contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'audio/mp3', data: 'SUQz' } }] }],
      tools: [{ function_declarations: [{ name: 'f', parameters_json_schema: { type: 'object' } }] }],
      generation_config: { max_output_tokens: 10, top_k: 3, stop_sequences: ['x'] },
    });
    expect(read.request).toEqual({
      messages: [
        { role: 'system', parts: [{ type: 'text', text: 'Terse.' }] },
        { role: 'user', parts: [{ type: 'file', mediaType: 'audio/mp3', sizeBytes: 3 }] },
      ],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      options: { maxOutputTokens: 10, topK: 3, stopSequences: ['x'] },
    });
  });

  it('never throws, whatever the body', () => {
    const format = formatOf('gemini', false, 'gemini-2.5-flash');
    const bytes = fixtureBytes('gemini-request.json');
    const json = fixtureJson('gemini-request.json');
    const random = createSeededRandom(81);
    for (let round = 0; round < 300; round += 1) {
      const body = round % 2 === 0 ? utf8(JSON.stringify(mutateJson(json, random))) : damage(bytes, random);
      const read = format.parseRequest(body, { truncated: random() < 0.5 });
      expectWellFormedRequest(read);
      expect(read.model).toBe('gemini-2.5-flash');
    }
    expect(JSON.stringify(format.parseRequest(bytes, { truncated: false }))).not.toContain('/9j/4AAQ');
  });
});
