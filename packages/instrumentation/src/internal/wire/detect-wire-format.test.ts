import { describe, expect, it } from 'vitest';
import { detectWireFormat } from './detect-wire-format.js';
import type { WireRequestInfo } from './wire-format.js';

function detect(url: string, headers: Record<string, string> = {}, method = 'POST'): ReturnType<typeof detectWireFormat> {
  const request: WireRequestInfo = { method, url, headers };
  return detectWireFormat(request);
}

function summary(url: string, headers: Record<string, string> = {}): unknown {
  const format = detect(url, headers);
  return format === undefined
    ? undefined
    : { name: format.name, provider: format.provider, operation: format.operation, pathModel: format.pathModel, pathStreaming: format.pathStreaming };
}

describe('detectWireFormat', () => {
  it('recognizes OpenAI Chat Completions on OpenAI and on compatible servers', () => {
    expect(summary('https://api.openai.com/v1/chat/completions')).toEqual({ name: 'openai-chat', provider: 'openai', operation: 'chat', pathModel: undefined, pathStreaming: undefined });
    expect(summary('https://api.groq.com/openai/v1/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'groq' });
    expect(summary('https://api.mistral.ai/v1/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'mistral_ai' });
    expect(summary('https://api.deepseek.com/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'deepseek' });
    expect(summary('https://openrouter.ai/api/v1/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'openrouter' });
    expect(summary('http://localhost:11434/v1/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'localhost' });
    expect(summary('http://127.0.0.1:8000/v1/chat/completions/')).toMatchObject({ name: 'openai-chat', provider: '127.0.0.1' });
    expect(summary('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'gcp.gemini' });
  });

  it('takes the Azure OpenAI deployment from the path as the model', () => {
    expect(summary('https://contoso.openai.azure.com/openai/deployments/gpt-4o%20prod/chat/completions?api-version=2024-10-21')).toEqual({
      name: 'openai-chat',
      provider: 'azure.ai.openai',
      operation: 'chat',
      pathModel: 'gpt-4o prod',
      pathStreaming: undefined,
    });
    expect(summary('https://contoso.openai.azure.com/openai/v1/chat/completions')).toMatchObject({ name: 'openai-chat', provider: 'azure.ai.openai', pathModel: undefined });
    expect(summary('https://contoso.cognitiveservices.azure.com/openai/responses?api-version=2025-04-01-preview')).toMatchObject({
      name: 'openai-responses',
      provider: 'azure.ai.openai',
    });
  });

  it('recognizes the Responses API', () => {
    expect(summary('https://api.openai.com/v1/responses')).toMatchObject({ name: 'openai-responses', provider: 'openai', operation: 'chat' });
    expect(detect('https://api.openai.com/v1/responses/resp_123/cancel')).toBeUndefined();
    // A bare `/responses` elsewhere is not taken for a model call.
    expect(detect('https://forms.example.com/api/survey/responses')).toBeUndefined();
    expect(summary('http://localhost:8000/v1/responses')).toMatchObject({ name: 'openai-responses', provider: 'localhost' });
  });

  it('recognizes Anthropic Messages by host or by the anthropic-version header', () => {
    expect(summary('https://api.anthropic.com/v1/messages')).toMatchObject({ name: 'anthropic-messages', provider: 'anthropic', operation: 'chat' });
    expect(summary('https://llm-gateway.example.com/anthropic/v1/messages', { 'anthropic-version': '2023-06-01' })).toMatchObject({
      name: 'anthropic-messages',
      provider: 'llm-gateway.example.com',
    });
    // The Assistants API also posts to …/messages; without the header it is not Anthropic.
    expect(detect('https://api.openai.com/v1/threads/thread_1/messages')).toBeUndefined();
    expect(detect('https://api.anthropic.com/v1/messages/count_tokens')).toBeUndefined();
  });

  it('recognizes Gemini with the model in the path, on the Gemini API and Vertex AI', () => {
    expect(summary('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')).toEqual({
      name: 'gemini',
      provider: 'gcp.gemini',
      operation: 'generate_content',
      pathModel: 'gemini-2.5-flash',
      pathStreaming: true,
    });
    expect(summary('https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:generateContent')).toEqual({
      name: 'gemini',
      provider: 'gcp.vertex_ai',
      operation: 'generate_content',
      pathModel: 'gemini-2.0-flash-001',
      pathStreaming: false,
    });
    expect(summary('https://generativelanguage.googleapis.com/v1beta/tunedModels/my-tuned-model:generateContent')).toMatchObject({ pathModel: 'my-tuned-model' });
  });

  it('ignores other methods, other paths and URLs that do not parse', () => {
    expect(detect('https://api.openai.com/v1/chat/completions', {}, 'GET')).toBeUndefined();
    expect(detect('https://api.openai.com/v1/embeddings')).toBeUndefined();
    expect(detect('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens')).toBeUndefined();
    expect(detect('/v1/chat/completions')).toBeUndefined();
    expect(detect('https://api.openai.com/v1/chat/completions', {}, 'post')?.name).toBe('openai-chat');
  });
});
