// The gen_ai.provider.name of an LLM API host.

/** Hosts with a provider name (the GenAI semantic conventions' values where they exist). */
const PROVIDER_HOSTS: Readonly<Record<string, string>> = {
  'api.openai.com': 'openai',
  'api.anthropic.com': 'anthropic',
  'generativelanguage.googleapis.com': 'gcp.gemini',
  'aiplatform.googleapis.com': 'gcp.vertex_ai',
  'api.groq.com': 'groq',
  'api.mistral.ai': 'mistral_ai',
  'api.deepseek.com': 'deepseek',
  'api.x.ai': 'x_ai',
  'api.perplexity.ai': 'perplexity',
  'api.together.xyz': 'together',
  'api.together.ai': 'together',
  'openrouter.ai': 'openrouter',
};

/** Host suffixes with a provider name: Azure OpenAI resources and regional Vertex AI endpoints. */
const PROVIDER_SUFFIXES: readonly (readonly [string, string])[] = [
  ['.openai.azure.com', 'azure.ai.openai'],
  ['.cognitiveservices.azure.com', 'azure.ai.openai'],
  ['-aiplatform.googleapis.com', 'gcp.vertex_ai'],
];

/**
 * The provider name of a host. Any other host (a self-hosted vLLM or Ollama, a gateway,
 * localhost) is named by its host name, lower-case and without brackets: the wire format
 * says how to read the traffic, not who serves it, and the host name keeps two such servers apart
 * (their prices can be told apart by provider).
 *
 * @example
 * providerForHost('api.openai.com'); // 'openai'
 * providerForHost('my-resource.openai.azure.com'); // 'azure.ai.openai'
 * providerForHost('localhost'); // 'localhost'
 */
export function providerForHost(hostname: string): string {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const exact = PROVIDER_HOSTS[host];
  if (exact !== undefined) return exact;
  for (const [suffix, provider] of PROVIDER_SUFFIXES) {
    if (host.endsWith(suffix)) return provider;
  }
  if (host.startsWith('bedrock-runtime.') && host.endsWith('.amazonaws.com')) return 'aws.bedrock';
  return host;
}
