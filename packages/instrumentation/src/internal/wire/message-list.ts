// Builds the messages of a request part by part, splitting one wire message into several roles where needed.
import type { Message, MessagePart } from '../../gen-ai-types.js';

type Role = Message['role'];

/**
 * Messages under construction. `begin(role)` opens a wire message; `add(role, part)` appends to
 * the current message when the role matches and starts a new one otherwise, so an Anthropic user
 * message holding tool results becomes a `tool` message (and a `user` one for its other blocks).
 * A wire message that added no part still appears, with no parts.
 *
 * @example
 * const list = new MessageList();
 * list.begin('user');
 * list.add('tool', { type: 'tool-result', id: 'call_1', result: '18°C' });
 * list.add('user', { type: 'text', text: 'And tomorrow?' });
 * list.messages(); // [{ role: 'tool', parts: [...] }, { role: 'user', parts: [...] }]
 */
export class MessageList {
  readonly #messages: { role: Role; parts: MessagePart[] }[] = [];
  #current: { role: Role; parts: MessagePart[] } | undefined;
  #pending: Role | undefined;

  /** Opens a wire message of `role`; parts added next never join an earlier message. */
  begin(role: Role): void {
    this.#flushEmpty();
    this.#current = undefined;
    this.#pending = role;
  }

  /** Appends a part (continuing the current message when its role matches). */
  add(role: Role, part: MessagePart): void {
    this.#pending = undefined;
    if (this.#current === undefined || this.#current.role !== role) {
      this.#current = { role, parts: [] };
      this.#messages.push(this.#current);
    }
    this.#current.parts.push(part);
  }

  messages(): Message[] {
    this.#flushEmpty();
    return this.#messages;
  }

  #flushEmpty(): void {
    if (this.#pending === undefined) return;
    this.#messages.push({ role: this.#pending, parts: [] });
    this.#pending = undefined;
  }
}
