import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgentOptions } from 'node:https';
import { Injectable } from '@nestjs/common';
import { Adapter } from '../sdk/adapter.decorator';
import type { AdapterContext, AdapterFactory } from '../sdk/adapter-factory';
import type { DepartmentAdapter } from '../sdk/department-adapter';
import { SoapAdapterOptions, type SoapTlsOptions } from './soap-adapter.options';
import { loadSoapClient } from './soap-client-loader';
import { proxySettings } from '../network/proxy-tunnel';
import { SoapHttpTransport } from './soap-http-transport';
import { SoapAdapter } from './soap-department-adapter';

function tlsOptions(
  tls: SoapTlsOptions | undefined,
  configDir: string,
  department: string,
): AgentOptions | undefined {
  if (!tls) return undefined;
  const read = (file: string | undefined): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(resolve(configDir, file));
    } catch (error) {
      throw new Error(`department ${department}: cannot read TLS file ${file}: ${(error as Error).message}`);
    }
  };
  return {
    ca: read(tls.ca),
    cert: read(tls.cert),
    key: read(tls.key),
    passphrase: tls.passphrase,
    servername: tls.servername,
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

/** `adapter.type: soap`: one node-soap client per department, built from its local WSDL at start-up. */
@Adapter('soap')
@Injectable()
export class SoapAdapterFactory implements AdapterFactory<SoapAdapterOptions> {
  readonly optionsClass = SoapAdapterOptions;

  async create(context: AdapterContext<SoapAdapterOptions>): Promise<DepartmentAdapter> {
    const { options, department, configDir } = context;
    const transport = new SoapHttpTransport({
      egress: context.egress,
      maxResponseBytes: options.maxResponseBytes,
      maxDepth: options.maxDepth,
      maxSockets: options.maxSockets ?? department.delivery.concurrency * 2,
      idleSocketTimeoutMs: options.idleSocketTimeoutMs,
      allowRemoteWsdl: options.allowRemoteWsdl,
      responseEncoding: options.responseEncoding,
      tls: tlsOptions(options.tls, configDir, department.code),
      proxy: proxySettings(department.network?.proxy),
    });
    try {
      const loaded = await loadSoapClient(department.code, configDir, options, transport);
      return new SoapAdapter(loaded, transport, options, context);
    } catch (error) {
      transport.close();
      throw error;
    }
  }
}

export { SoapAdapter, SoapStatusError } from './soap-department-adapter';
