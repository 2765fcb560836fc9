// Builds Gemini GenerateContentResponse objects (whole and streamed) and error documents for the mock server.

/** A `functionCall` part the mock model answers with. */
export interface MockGeminiFunctionCall {
  /** Call id (the Gemini API usually sends none). Default: none. */
  readonly id?: string;
  /** Function name. */
  readonly name: string;
  /** Arguments. Default: `{}`. */
  readonly args?: Readonly<Record<string, unknown>>;
}

/** Token usage the mock server reports in `usageMetadata` (cumulative on every stream chunk). */
export interface MockGeminiUsage {
  /** `promptTokenCount` (includes the cached tokens). Default: 10. */
  readonly promptTokens?: number;
  /** `candidatesTokenCount` at the end of the answer (excludes thoughts). Default: one per text piece and per function call (at least 1). */
  readonly candidatesTokens?: number;
  /** `thoughtsTokenCount`. Default: absent (present with this value when given). */
  readonly thoughtsTokens?: number;
  /** `cachedContentTokenCount`. Default: absent (present with this value when given). */
  readonly cachedContentTokens?: number;
  /** `toolUsePromptTokenCount`. Default: absent (present with this value when given). */
  readonly toolUsePromptTokens?: number;
}

/** Everything needed to write one answer, resolved from a scenario and the request. */
export interface GeminiPlan {
  readonly responseId: string;
  readonly modelVersion: string;
  readonly thoughts: readonly string[];
  readonly pieces: readonly string[];
  readonly functionCalls: readonly MockGeminiFunctionCall[];
  readonly finishReason: string;
  /** `null`: no `usageMetadata` at all. */
  readonly usage: MockGeminiUsage | null;
}

type Part = Record<string, unknown>;

function functionCallPart(call: MockGeminiFunctionCall): Part {
  const functionCall: Record<string, unknown> = { name: call.name, args: call.args ?? {} };
  if (call.id !== undefined) functionCall['id'] = call.id;
  return { functionCall };
}

/** `usageMetadata` with the candidates count reached after `candidatesSoFar`. */
function usageMetadata(usage: MockGeminiUsage, candidatesSoFar: number): Record<string, unknown> {
  const prompt = usage.promptTokens ?? 10;
  const metadata: Record<string, unknown> = { promptTokenCount: prompt, candidatesTokenCount: candidatesSoFar };
  let total = prompt + candidatesSoFar;
  if (usage.cachedContentTokens !== undefined) metadata['cachedContentTokenCount'] = usage.cachedContentTokens;
  if (usage.toolUsePromptTokens !== undefined) {
    metadata['toolUsePromptTokenCount'] = usage.toolUsePromptTokens;
    total += usage.toolUsePromptTokens;
  }
  if (usage.thoughtsTokens !== undefined) {
    metadata['thoughtsTokenCount'] = usage.thoughtsTokens;
    total += usage.thoughtsTokens;
  }
  metadata['totalTokenCount'] = total;
  metadata['promptTokensDetails'] = [{ modality: 'TEXT', tokenCount: prompt }];
  return metadata;
}

function candidatesTokens(plan: GeminiPlan, usage: MockGeminiUsage): number {
  return usage.candidatesTokens ?? Math.max(1, plan.pieces.length + plan.functionCalls.length);
}

function response(plan: GeminiPlan, parts: readonly Part[], finishReason: string | undefined, candidatesSoFar: number): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { parts, role: 'model' } };
  if (finishReason !== undefined) candidate['finishReason'] = finishReason;
  candidate['index'] = 0;
  const document: Record<string, unknown> = { candidates: [candidate] };
  if (plan.usage !== null) document['usageMetadata'] = usageMetadata(plan.usage, candidatesSoFar);
  document['modelVersion'] = plan.modelVersion;
  document['responseId'] = plan.responseId;
  return document;
}

/** The GenerateContentResponse of a non-streamed `:generateContent`. */
export function geminiDocument(plan: GeminiPlan): Record<string, unknown> {
  const parts: Part[] = [];
  const thoughts = plan.thoughts.join('');
  if (thoughts !== '') parts.push({ text: thoughts, thought: true });
  const text = plan.pieces.join('');
  if (text !== '') parts.push({ text });
  for (const call of plan.functionCalls) parts.push(functionCallPart(call));
  return response(plan, parts, plan.finishReason, plan.usage === null ? 0 : candidatesTokens(plan, plan.usage));
}

/**
 * The chunks of a `:streamGenerateContent` answer: thoughts first, then one chunk per text piece,
 * then the function calls; the last chunk carries the finish reason. Each chunk's `usageMetadata`
 * is the total so far (the candidates count grows, the prompt count repeats), as the API sends it.
 */
export function geminiChunks(plan: GeminiPlan): Record<string, unknown>[] {
  const contents: Part[][] = [];
  for (const thought of plan.thoughts) contents.push([{ text: thought, thought: true }]);
  for (const piece of plan.pieces) contents.push([{ text: piece }]);
  if (plan.functionCalls.length > 0) contents.push(plan.functionCalls.map(functionCallPart));
  if (contents.length === 0) contents.push([{ text: '' }]);
  const total = plan.usage === null ? 0 : candidatesTokens(plan, plan.usage);
  const answerChunks = contents.length - plan.thoughts.length;
  return contents.map((parts, index) => {
    const last = index === contents.length - 1;
    const answered = index - plan.thoughts.length + 1;
    // Candidates tokens grow with the answer chunks (thought chunks count in thoughtsTokenCount).
    const soFar = last ? total : answered <= 0 ? 0 : Math.floor((total * answered) / Math.max(1, answerChunks));
    return response(plan, parts, last ? plan.finishReason : undefined, soFar);
  });
}

/** The canonical gRPC status name the API sends for an HTTP status. */
export function geminiErrorStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}
