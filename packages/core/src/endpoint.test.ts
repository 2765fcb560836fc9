import { describe, expect, it } from 'vitest';
import { endpointLabel, endpointPathOf } from './endpoint.js';

describe('the endpoint of a round trip', () => {
  it('takes url.path, else the path of url.full, else nothing', () => {
    expect(endpointPathOf({ 'url.path': '/v1/messages', 'url.full': 'https://x/other' })).toBe('/v1/messages');
    expect(endpointPathOf({ 'url.full': 'https://api.openai.com/v1/chat/completions?api-version=1' })).toBe('/v1/chat/completions');
    expect(endpointPathOf({ 'url.full': 'not a url' })).toBeUndefined();
    expect(endpointPathOf({ 'url.path': '' })).toBeUndefined();
    expect(endpointPathOf({})).toBeUndefined();
  });

  it('labels it with the method in upper case', () => {
    expect(endpointLabel('post', '/v1/responses')).toBe('POST /v1/responses');
  });
});
