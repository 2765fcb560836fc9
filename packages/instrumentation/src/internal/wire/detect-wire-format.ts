// Recognizes an LLM API call from its method, URL and headers, and returns the wire format that reads it.
import { createWireFormat } from './create-wire-format.js';
import { providerForHost } from './provider-for-host.js';
import type { WireFormat, WireRequestInfo } from './wire-format.js';

/** `…/models/{model}:generateContent` (Gemini API, Vertex AI `…/publishers/google/models/…`, tuned models). */
const GEMINI_PATH = /\/(?:models|tunedModels)\/([^/:]+):(generateContent|streamGenerateContent)$/;
/**
 * The Responses API: `…/v1/responses`, or Azure's `/openai/responses` (and a deployment's). A bare
 * `…/responses` is too common a path (surveys, forms) to take for a model call.
 */
const RESPONSES_PATH = /(?:\/v1|\/openai(?:\/deployments\/[^/]+)?)\/responses$/;
/** Azure OpenAI's deployment paths name the model (`/openai/deployments/{deployment}/chat/completions`). */
const AZURE_DEPLOYMENT_PATH = /\/openai\/deployments\/([^/]+)\//;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The wire format of a request, or `undefined` when it is not a model call runtrace can read:
 * `POST …/chat/completions` (OpenAI and every OpenAI-compatible server, Azure deployments),
 * `POST …/v1/responses` (and Azure's `/openai/responses`), `POST …/messages` on api.anthropic.com or with an `anthropic-version`
 * header, and `POST …/models/{model}:generateContent` or `:streamGenerateContent`. The provider
 * comes from the host ({@link providerForHost}). Never throws.
 *
 * @example
 * detectWireFormat({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {} });
 * // { name: 'openai-chat', provider: 'openai', operation: 'chat', … }
 */
export function detectWireFormat(request: WireRequestInfo): WireFormat | undefined {
  if (typeof request.method !== 'string' || request.method.toUpperCase() !== 'POST') return undefined;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  const provider = providerForHost(url.hostname);
  const gemini = GEMINI_PATH.exec(path);
  if (gemini !== null) {
    return createWireFormat('gemini', {
      provider,
      pathModel: decodeSegment(gemini[1] ?? ''),
      pathStreaming: gemini[2] === 'streamGenerateContent',
    });
  }
  const deployment = AZURE_DEPLOYMENT_PATH.exec(path)?.[1];
  const pathModel = deployment === undefined ? undefined : decodeSegment(deployment);
  if (path.endsWith('/chat/completions')) return createWireFormat('openai-chat', { provider, pathModel });
  if (RESPONSES_PATH.test(path)) return createWireFormat('openai-responses', { provider, pathModel });
  if (path.endsWith('/messages') && (provider === 'anthropic' || request.headers['anthropic-version'] !== undefined)) {
    return createWireFormat('anthropic-messages', { provider });
  }
  return undefined;
}
