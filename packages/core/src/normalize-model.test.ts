import { describe, expect, it } from 'vitest';
import { normalizeModel } from './normalize-model.js';

describe('normalizeModel', () => {
  it.each([
    ['claude-3-7-sonnet-20250219', 'claude-3-7-sonnet'],
    ['claude-3.7-sonnet', 'claude-3-7-sonnet'],
    ['anthropic/claude-3.7-sonnet', 'claude-3-7-sonnet'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude-3-7-sonnet'],
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['claude-sonnet-4.5', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-4.5-sonnet', 'claude-sonnet-4-5'],
    ['claude-4-opus', 'claude-opus-4'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-haiku-4-5@20251001', 'claude-haiku-4-5'],
    ['Claude-Sonnet-4-20250514', 'claude-sonnet-4'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai/gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['chatgpt-4o-latest', 'chatgpt-4o'],
    ['gpt-4.1-nano-2025-04-14', 'gpt-4.1-nano'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['models/gemini-1.5-pro-002', 'gemini-1.5-pro'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro'],
    ['gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'],
    ['deepseek/deepseek-chat', 'deepseek-chat'],
    ['  GPT-4O  ', 'gpt-4o'],
    ['gpt-5.1-2025-11-13', 'gpt-5.1'],
    ['gpt-5.1-chat-latest', 'gpt-5.1-chat'],
    ['gemini-3-pro-preview', 'gemini-3-pro'],
    ['claude-opus-4-5-20251101', 'claude-opus-4-5'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeModel(input)).toBe(expected);
  });

  it('returns the same answer from its cache, and keeps working past the cache limit', () => {
    expect(normalizeModel('claude-3-7-sonnet-20250219')).toBe('claude-3-7-sonnet');
    expect(normalizeModel('claude-3-7-sonnet-20250219')).toBe('claude-3-7-sonnet');
    for (let index = 0; index < 3000; index++) expect(normalizeModel(`model-${index}-20250101`)).toBe(`model-${index}`);
    expect(normalizeModel('anthropic/claude-sonnet-4.5')).toBe('claude-sonnet-4-5');
  });

  it('leaves names it does not know alone apart from case', () => {
    expect(normalizeModel('My-Local-Llama')).toBe('my-local-llama');
  });
});
