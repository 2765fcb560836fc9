import { describe, expect, it } from 'vitest';
import { MessageList } from './message-list.js';

describe('MessageList', () => {
  it('splits one wire message by role, never joins separate wire messages, and keeps empty ones', () => {
    const list = new MessageList();
    list.begin('user');
    list.add('tool', { type: 'tool-result', id: 'a' });
    list.add('tool', { type: 'tool-result', id: 'b' });
    list.add('user', { type: 'text', text: 'next' });
    list.begin('user');
    list.add('user', { type: 'text', text: 'again' });
    list.begin('assistant');
    list.begin('user');
    expect(list.messages()).toEqual([
      { role: 'tool', parts: [{ type: 'tool-result', id: 'a' }, { type: 'tool-result', id: 'b' }] },
      { role: 'user', parts: [{ type: 'text', text: 'next' }] },
      { role: 'user', parts: [{ type: 'text', text: 'again' }] },
      { role: 'assistant', parts: [] },
      { role: 'user', parts: [] },
    ]);
  });
});
