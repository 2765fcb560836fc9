// The conversation page: the runs of one conversation, oldest first (the "session" view).
import { h } from 'preact';
import type { ComponentChild } from 'preact';
import type { RunPage as RunPageData } from '@runtrace/store';
import { getJson } from './api.js';
import { RunsTable } from './runs-page.js';
import { Problem, useLoaded } from './shared.js';

export function ConversationPage({ conversationId }: { conversationId: string }): ComponentChild {
  const loaded = useLoaded(() => getJson<RunPageData>('runs', { conversation: conversationId, sort: 'start', direction: 'asc', limit: '1000' }), [conversationId]);
  return h('section', { class: 'page' }, [
    h('h1', {}, `Conversation ${conversationId}`),
    loaded.error !== undefined ? h(Problem, { message: loaded.error }) : null,
    loaded.data === undefined ? h('p', { class: 'loading' }, 'Loading…') : loaded.data.runs.length === 0 ? h('p', { class: 'empty' }, 'No runs in this conversation.') : h(RunsTable, { runs: loaded.data.runs }),
  ]);
}
