// What the example service handles: three support questions, one rate limited and one hitting a server error first.
import type { ServiceCall } from './send-runs.ts';

export const SUPPORT_CALLS: readonly ServiceCall[] = [
  { conversationId: 'ticket-101', question: 'How do I reset my password?', firstStatus: 200, inputTokens: 210, outputTokens: 64 },
  { conversationId: 'ticket-102', question: 'My invoice shows the wrong address.', firstStatus: 429, inputTokens: 180, outputTokens: 52 },
  { conversationId: 'ticket-103', question: 'Can I export my data as CSV?', firstStatus: 503, inputTokens: 150, outputTokens: 40 },
];
