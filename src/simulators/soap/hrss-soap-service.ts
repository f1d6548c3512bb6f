import type { IServices, ISoapFault } from 'soap';
import { type HrssRegistry, ValidationFailure } from './hrss-registry';

export type SoapVersion = '1.1' | '1.2';

/** node-soap's server turns any thrown object with a `Fault` property into a SOAP fault response. */
export class SoapFaultError extends Error {
  constructor(readonly Fault: ISoapFault) {
    super('SOAP fault');
  }
}

/**
 * A fault as the department sends it: SOAP 1.1 `soap:Client.X` / `soap:Server.X` (HTTP 500), or
 * SOAP 1.2 `soap:Sender` / `soap:Receiver` with subcode `tns:X` (HTTP 400 / 500).
 */
export function soapFault(
  version: SoapVersion,
  side: 'Client' | 'Server',
  subcode: string,
  message: string,
): SoapFaultError {
  if (version === '1.1')
    return new SoapFaultError({
      faultcode: `soap:${side}.${subcode}`,
      faultstring: message,
      statusCode: 500,
    });
  return new SoapFaultError({
    Code: {
      Value: side === 'Client' ? 'soap:Sender' : 'soap:Receiver',
      Subcode: { Value: `tns:${subcode}` },
    },
    Reason: { Text: message },
    statusCode: side === 'Client' ? 400 : 500,
  });
}

export interface HrssServiceDeps {
  registry: HrssRegistry;
  /** Called before any business work: a fault mode may answer with a Server fault instead. */
  serverFault: () => { subcode: string; message: string } | undefined;
}

function requestIdOf(args: unknown): string {
  const value = args && typeof args === 'object' ? (args as { requestId?: unknown }).requestId : undefined;
  return typeof value === 'string' ? value : '';
}

/** The UnemploymentService implementation for the port that serves one SOAP version. */
export function hrssServices(version: SoapVersion, port: string, deps: HrssServiceDeps): IServices {
  const guard = (): void => {
    const fault = deps.serverFault();
    if (fault) throw soapFault(version, 'Server', fault.subcode, fault.message);
  };
  return {
    UnemploymentService: {
      [port]: {
        SubmitUnemploymentRegistration: async (args: unknown) => {
          guard();
          try {
            const { record, xm } = deps.registry.submit(args);
            return {
              resultCode: '0000',
              resultMessage: `${xm}的失业登记已受理`,
              businessNo: record.businessNo,
            };
          } catch (error) {
            if (error instanceof ValidationFailure)
              throw soapFault(version, 'Client', 'ValidationFailed', error.message);
            throw error;
          }
        },
        QueryRegistrationStatus: async (args: unknown) => {
          const requestId = requestIdOf(args);
          deps.registry.countStatusQuery(requestId);
          guard();
          const record = deps.registry.find(requestId);
          deps.registry.note('QueryRegistrationStatus', args, record ? record.status : 'NotFound');
          if (!record) throw soapFault(version, 'Client', 'NotFound', `未找到请求 ${requestId}`);
          return {
            status: record.status,
            businessNo: record.businessNo,
            remark: record.remark,
            finishTime: record.finishTime,
          };
        },
      },
    },
  };
}
