import { Injectable } from '@nestjs/common';
import { decode } from 'iconv-lite';
import { connect } from 'node:net';
import { Adapter } from '../../sdk/adapter.decorator';
import type { AdapterContext, AdapterFactory } from '../../sdk/adapter-factory';
import { delivered, permanent, transient, type DeliveryOutcome } from '../../sdk/delivery-outcome';
import type { DeliveryRequest, DepartmentAdapter } from '../../sdk/department-adapter';
import { EgressDeniedError } from '../../sdk/egress-guard';
import { FixedLengthTcpOptions } from './fixed-length-tcp.options';
import { encodeFixedWidth, frame, readFrame } from './fixed-width-codec';

/**
 * Example of a custom adapter (see README "A custom adapter"): a legacy system that takes
 * fixed-length GBK messages (定长报文) over a raw TCP socket and answers one frame per request:
 * return code (4: 0000 accepted, 1xxx refused, 9xxx try later), reference (20), message.
 */
@Injectable()
@Adapter('fixed-length-tcp')
export class FixedLengthTcpAdapterFactory implements AdapterFactory<FixedLengthTcpOptions> {
  readonly optionsClass = FixedLengthTcpOptions;

  create({ options, egress }: AdapterContext<FixedLengthTcpOptions>): DepartmentAdapter {
    const send = async (request: DeliveryRequest): Promise<DeliveryOutcome> => {
      let body: Buffer;
      try {
        body = encodeFixedWidth(request.message as Record<string, unknown>, options.fields, options.encoding);
      } catch (error) {
        return permanent((error as Error).message, { errorClass: 'LAYOUT' });
      }
      try {
        await egress.assertAllowed(options.host, options.port);
      } catch (error) {
        if (error instanceof EgressDeniedError)
          return permanent(error.message, { errorClass: 'EGRESS_DENIED' });
        throw error;
      }
      const sent = frame(body);
      try {
        const received = await exchange(options.host, options.port, sent, request.signal);
        const text = decode(received, options.encoding);
        const code = text.slice(0, 4);
        const reference = text.slice(4, 24).trim();
        const message = text.slice(24).trim();
        const wire = { sent, received };
        if (code === '0000') return delivered({ reference }, wire);
        if (code.startsWith('9'))
          return transient(`${code} ${message}`, { errorClass: 'DEPARTMENT_BUSY', exchange: wire });
        return permanent(`${code} ${message}`, { errorClass: 'DEPARTMENT_REFUSED', exchange: wire });
      } catch (error) {
        // Once bytes may have left, the department may hold the case: an unknown outcome.
        return transient((error as Error).message, {
          errorClass: 'CONNECTION',
          ambiguous: true,
          exchange: { sent },
        });
      }
    };
    return {
      deliver: send,
      healthCheck: async (signal) => {
        try {
          await exchange(options.host, options.port, undefined, signal);
          return { ok: true };
        } catch (error) {
          return { ok: false, detail: (error as Error).message };
        }
      },
      close: async () => undefined,
    };
  }
}

/** Connects, writes one frame (or nothing, as a probe) and reads one frame back. */
function exchange(
  host: string,
  port: number,
  request: Buffer | undefined,
  signal: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    signal.addEventListener('abort', () => fail(new Error('timed out')), { once: true });
    socket.on('error', fail);
    socket.on('connect', () => {
      if (!request) {
        socket.end();
        resolve(Buffer.alloc(0));
      } else socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length > 64 * 1024) return fail(new Error('answer larger than 64 KB'));
      try {
        const answer = readFrame(received);
        if (answer) {
          socket.end();
          resolve(answer);
        }
      } catch (error) {
        fail(error as Error);
      }
    });
  });
}
