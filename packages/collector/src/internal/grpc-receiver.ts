// OTLP/gRPC: the TraceService/Export call on a gRPC server of its own (`@grpc/grpc-js`), its
// request bytes handed to the same ingest as OTLP/HTTP protobuf bodies, its answers mapped to
// gRPC statuses: OK with the ExportTraceServiceResponse (partial success included), else the
// answer's code with its message, and RetryInfo where the client should retry.
import { errorMessage } from '@runtrace/core/internal';
import { Metadata, Server, ServerCredentials, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServerUnaryCall, sendUnaryData, ServiceDefinition } from '@grpc/grpc-js';
import type { OtlpAnswer } from '../otlp-exchange.js';
import { concat, RpcCode } from './export-response.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
const encoder = new TextEncoder();

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

function field(number: number, payload: Uint8Array): Uint8Array {
  return concat([new Uint8Array([...varint((number << 3) | 2), ...varint(payload.length)]), payload]);
}

/** A google.rpc.Status with a RetryInfo detail (retry after `seconds`), as `grpc-status-details-bin` carries it. */
function statusWithRetryInfo(code: number, message: string, seconds: number): Buffer {
  const duration = new Uint8Array([(1 << 3) | 0, ...varint(seconds)]);
  const retryInfo = field(1, duration);
  const any = concat([field(1, encoder.encode(RETRY_INFO_TYPE)), field(2, retryInfo)]);
  const parts: Uint8Array[] = [new Uint8Array([(1 << 3) | 0, ...varint(code)])];
  if (message !== '') parts.push(field(2, encoder.encode(message)));
  parts.push(field(3, any));
  return Buffer.from(concat(parts));
}

/** What the receiver asks of the collector: one call's bytes in, its answer out. */
export type GrpcIngest = (body: Buffer, authorization: string | undefined) => Promise<OtlpAnswer>;

const SERVICE: ServiceDefinition = {
  Export: {
    path: EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    // The bytes as they came (gRPC has already undone its own compression).
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

/** A running OTLP/gRPC receiver. */
export interface GrpcReceiver {
  readonly port: number;
  close(): Promise<void>;
}

/** Maps an answer to the unary call's outcome. */
function reply(answer: OtlpAnswer, callback: sendUnaryData<Buffer>): void {
  if (answer.status === 200) {
    callback(null, Buffer.from(answer.body));
    return;
  }
  const code = answer.code ?? RpcCode.INTERNAL;
  const details = answer.message ?? '';
  const metadata = new Metadata();
  const seconds = answer.retryAfter === undefined ? Number.NaN : Number(answer.retryAfter);
  if (Number.isFinite(seconds)) metadata.set('grpc-status-details-bin', statusWithRetryInfo(code, details, Math.max(0, Math.round(seconds))));
  callback({ code: code as GrpcStatus, details, metadata }, null);
}

/**
 * Starts a gRPC server for OTLP traces on `host`:`port` (0: a free port).
 *
 * @example
 * const receiver = await startGrpcReceiver('127.0.0.1', 4317, (body, auth) => collector.ingestGrpc(body, auth), 16 * 1024 * 1024);
 */
export async function startGrpcReceiver(host: string, port: number, ingest: GrpcIngest, maxMessageBytes: number): Promise<GrpcReceiver> {
  const server = new Server({ 'grpc.max_receive_message_length': maxMessageBytes });
  server.addService(SERVICE, {
    Export(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
      const authorization = call.metadata.get('authorization')[0];
      ingest(call.request, typeof authorization === 'string' ? authorization : undefined).then(
        (answer) => reply(answer, callback),
        (error: unknown) => callback({ code: GrpcStatus.INTERNAL, details: `internal error: ${errorMessage(error)}` }, null),
      );
    },
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => (error === null ? resolve(boundPort) : reject(error)));
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        // Calls in progress may finish; a client that holds on is cut after a few seconds.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5_000);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
