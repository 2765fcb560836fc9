import { describe, expect, it } from 'vitest';
import { providerForHost } from './provider-for-host.js';

describe('providerForHost', () => {
  it.each([
    ['api.openai.com', 'openai'],
    ['my-resource.openai.azure.com', 'azure.ai.openai'],
    ['my-resource.cognitiveservices.azure.com', 'azure.ai.openai'],
    ['api.anthropic.com', 'anthropic'],
    ['generativelanguage.googleapis.com', 'gcp.gemini'],
    ['aiplatform.googleapis.com', 'gcp.vertex_ai'],
    ['us-central1-aiplatform.googleapis.com', 'gcp.vertex_ai'],
    ['api.groq.com', 'groq'],
    ['api.mistral.ai', 'mistral_ai'],
    ['api.deepseek.com', 'deepseek'],
    ['api.x.ai', 'x_ai'],
    ['api.together.xyz', 'together'],
    ['openrouter.ai', 'openrouter'],
    ['api.perplexity.ai', 'perplexity'],
    ['bedrock-runtime.us-west-2.amazonaws.com', 'aws.bedrock'],
    ['API.OpenAI.com', 'openai'],
  ])('%s is %s', (host, provider) => {
    expect(providerForHost(host)).toBe(provider);
  });

  it('names any other host by its host name, lower-case, brackets and final dot removed', () => {
    expect(providerForHost('localhost')).toBe('localhost');
    expect(providerForHost('vllm.internal.example')).toBe('vllm.internal.example');
    expect(providerForHost('[::1]')).toBe('::1');
    expect(providerForHost('Gateway.Example.com.')).toBe('gateway.example.com');
    // A look-alike host is not the provider.
    expect(providerForHost('api.openai.com.evil.example')).toBe('api.openai.com.evil.example');
    expect(providerForHost('openai.azure.com.example')).toBe('openai.azure.com.example');
  });
});
