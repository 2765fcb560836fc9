import { describe, expect, it } from 'vitest';
import { utf8, whole } from './__fixtures__/wire-harness.js';
import { createWireFormat } from './create-wire-format.js';

describe('createWireFormat', () => {
  it('takes the request model from the body, else from the path (an Azure deployment)', () => {
    const azure = createWireFormat('openai-chat', { provider: 'azure.ai.openai', pathModel: 'gpt-4o-prod' });
    expect(azure.parseRequest(utf8('{"messages":[],"stream":false}'), { truncated: false })).toEqual({
      model: 'gpt-4o-prod',
      stream: false,
      request: { messages: [] },
      complete: true,
    });
    expect(azure.parseRequest(utf8('{"model":"gpt-4o","messages":[]}'), { truncated: false }).model).toBe('gpt-4o');
    expect(azure).toMatchObject({ name: 'openai-chat', provider: 'azure.ai.openai', operation: 'chat', pathModel: 'gpt-4o-prod' });
  });

  it('marks a body captured up to a cap as incomplete even when it happens to parse', () => {
    const format = createWireFormat('anthropic-messages', { provider: 'anthropic' });
    expect(format.parseRequest(utf8('{"model":"claude-haiku-4-5"}'), { truncated: true })).toEqual({ model: 'claude-haiku-4-5', request: {}, complete: false });
  });

  it('reads a JSON body of a streaming Gemini path as a streamed array, and of another path as one document', () => {
    const body = utf8(JSON.stringify([{ candidates: [{ content: { parts: [{ text: 'a' }] }, index: 0 }] }, { candidates: [{ content: { parts: [{ text: 'b' }] }, finishReason: 'STOP', index: 0 }] }]));
    const streaming = createWireFormat('gemini', { provider: 'gcp.gemini', pathModel: 'gemini-2.5-flash', pathStreaming: true });
    const oneShot = createWireFormat('gemini', { provider: 'gcp.gemini', pathModel: 'gemini-2.5-flash', pathStreaming: false });
    const parser = streaming.createResponseParser('application/json', { maxTextBytes: 100 });
    // Streamed: the first element is read before the body ends.
    expect(parser.push(body.subarray(0, body.length - 60))).toBe(true);
    parser.push(body.subarray(body.length - 60));
    expect(parser.end().content).toEqual([{ type: 'text', text: 'ab' }]);
    expect(whole(oneShot, 'application/json', body).content).toEqual([{ type: 'text', text: 'ab' }]);
    expect(oneShot.createResponseParser('application/json', { maxTextBytes: 100 }).push(body)).toBe(false);
  });
});
