// `runtrace doctor`'s OTLP check: one short, bounded request to the traces URL the environment configures, over the same TLS settings runtrace uses.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import { describeNetworkError, networkErrorCode } from '@runtrace/core/internal';
import type { EnvFile, OtlpEnvConfig } from 'runtrace';
import { check } from './doctor-check.js';
import type { DoctorCheck } from './doctor-check.js';

const FIX_UNREACHABLE = 'start the collector (or backend), or point OTEL_EXPORTER_OTLP_ENDPOINT at one that runs; without it runtrace keeps recording locally';

type Answer = { readonly response: IncomingMessage } | { readonly error: Error } | 'timeout';

function post(url: URL, headers: Record<string, string>, body: Buffer, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }, timeoutMs: number): Promise<Answer> {
  return new Promise((settle) => {
    let done = false;
    const finish = (answer: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settle(answer);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent: false, ...tls }, (response) => {
      response.resume();
      finish({ response });
    });
    const timer = setTimeout(() => {
      finish('timeout');
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: Error) => finish({ error }));
    request.end(body);
  });
}

/**
 * POSTs an empty ExportTraceServiceRequest (zero bytes in protobuf, `{}` in JSON) with the
 * configured headers and TLS files, waiting at most `timeoutMs`. Any HTTP answer means
 * reachable; its status is reported, with a hint for the ones that mean a wrong path or
 * credential. A TLS file that cannot be read is a failed check of its own.
 */
export async function checkOtlpEndpoint(otlp: OtlpEnvConfig, timeoutMs: number): Promise<DoctorCheck[]> {
  const url = otlp.endpoint;
  if (url === undefined) return [check('otlp endpoint', 'skip', 'OTLP export is off (neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set)')];
  const checks: DoctorCheck[] = [];
  const load = (file: EnvFile | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(resolve(file.path));
    } catch (error: unknown) {
      checks.push(check(`setting ${file.variable}`, 'fail', `cannot read ${file.path} (${networkErrorCode(error) ?? String(error)}); runtrace sends without it`, `fix or unset ${file.variable}`));
      return undefined;
    }
  };
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const ca = load(otlp.tlsFiles?.certificate);
  const cert = load(otlp.tlsFiles?.clientCertificate);
  const key = load(otlp.tlsFiles?.clientKey);
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;

  const json = otlp.protocol === 'http/json';
  const started = Date.now();
  const answer = await post(new URL(url), { ...otlp.headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' }, Buffer.from(json ? '{}' : ''), tls, timeoutMs);
  if (answer === 'timeout') {
    checks.push(check('otlp endpoint', 'fail', `no answer from ${url} within ${timeoutMs} ms`, FIX_UNREACHABLE));
    return checks;
  }
  if ('error' in answer) {
    checks.push(check('otlp endpoint', 'fail', `cannot reach ${url}: ${describeNetworkError(answer.error)}`, FIX_UNREACHABLE));
    return checks;
  }
  const status = answer.response.statusCode ?? 0;
  const text = answer.response.statusMessage ?? '';
  const summary = `${url} answered ${status}${text === '' ? '' : ` ${text}`} in ${Date.now() - started} ms`;
  if (status === 401 || status === 403) checks.push(check('otlp endpoint', 'warn', summary, 'check the credentials in OTEL_EXPORTER_OTLP_HEADERS (or OTEL_EXPORTER_OTLP_TRACES_HEADERS)'));
  else if (status === 404 || status === 405) {
    checks.push(check('otlp endpoint', 'warn', summary, 'check the path: OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as written'));
  } else if (status >= 500) checks.push(check('otlp endpoint', 'warn', summary, 'the backend is reachable but failing; check its logs'));
  else checks.push(check('otlp endpoint', 'ok', summary));
  return checks;
}
