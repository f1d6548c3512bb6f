import type { SoapMethod } from 'soap';
import type { AdapterContext } from '../sdk/adapter-factory';
import { delivered, type DeliveryOutcome, permanent, transient } from '../sdk/delivery-outcome';
import type {
  AdapterHealth,
  DeliveryRequest,
  DepartmentAdapter,
  DepartmentStatusReport,
  RenderedMessage,
} from '../sdk/department-adapter';
import type { SoapAdapterOptions } from './soap-adapter.options';
import { SOAP_CALL_OPTION, SoapCall, SoapCallFailure, SoapErrorClass } from './soap-call';
import type { LoadedSoapClient } from './soap-client-loader';
import { SoapFastPath } from './soap-fast-path';
import { extractFault, SoapFaultClassifier } from './soap-fault-classifier';
import type { SoapHttpTransport } from './soap-http-transport';
import { readReceipt, readStatus } from './soap-receipt';
import type { SoapAnswer } from './soap-response-reader';

type CallResult = SoapAnswer;

type Outcome<K extends DeliveryOutcome['kind']> = Extract<DeliveryOutcome, { kind: K }>;

/** Thrown by checkStatus when the status call fails for a reason other than "unknown requestId". */
export class SoapStatusError extends Error {
  constructor(
    message: string,
    readonly outcome: Outcome<'transient'> | Outcome<'permanent'>,
  ) {
    super(message);
    this.name = 'SoapStatusError';
  }
}

/**
 * Delivers a department's mapped message with one SOAP operation. The node-soap client is built
 * once (see soap-client-loader); a call takes the fast path (SoapFastPath: node-soap's envelope from
 * a template, its reading of the response without its parser) where that is proven equivalent, and
 * node-soap otherwise. Either way a SoapCall carries the exact bytes, HTTP status and fault code.
 */
export class SoapAdapter implements DepartmentAdapter {
  private readonly classifier: SoapFaultClassifier;
  private readonly notFound: RegExp;
  private readonly fastPath: SoapFastPath;

  constructor(
    private readonly loaded: LoadedSoapClient,
    private readonly transport: SoapHttpTransport,
    private readonly options: SoapAdapterOptions,
    private readonly context: Pick<AdapterContext<SoapAdapterOptions>, 'department' | 'log'>,
  ) {
    this.classifier = new SoapFaultClassifier(options.faultRules);
    this.notFound = new RegExp(options.status.notFoundFault);
    this.fastPath = new SoapFastPath(loaded, options);
    if (!options.statusOperation) this.checkStatus = undefined;
  }

  /** The envelope deliver would POST, built by the same client, with nothing sent. */
  async render(request: { deliveryId: string; message: unknown }): Promise<RenderedMessage> {
    const message = request.message as Record<string, unknown>;
    const field = this.options.requestIdField;
    const args = field && !(field in message) ? { ...message, [field]: request.deliveryId } : message;
    const call = new SoapCall(AbortSignal.timeout(10_000));
    call.dryRun = true;
    await this.invokeNodeSoap(this.options.operation, args, call);
    if (!call.sent) throw new Error('the SOAP client built no envelope for this message');
    return {
      contentType: 'text/xml; charset=utf-8',
      text: call.sent.toString('utf8'),
      base64: call.sent.toString('base64'),
    };
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    const message = request.message;
    if (!message || typeof message !== 'object' || Array.isArray(message))
      throw new TypeError(`SOAP message for delivery ${request.deliveryId} must be an object tree`);
    const field = this.options.requestIdField;
    const args = field && !(field in message) ? { ...message, [field]: request.deliveryId } : message;
    const call = new SoapCall(request.signal);
    const answer = await this.invoke(this.options.operation, args, call);
    const outcome = answer.ok
      ? this.receiptOutcome(answer.result, call)
      : this.failureOutcome(answer.error, call);
    this.logOutcome(request, outcome, call);
    return outcome;
  }

  checkStatus?: DepartmentAdapter['checkStatus'] = async (query) => {
    const status = this.options.status;
    const call = new SoapCall(query.signal);
    const answer = await this.invoke(
      this.options.statusOperation!,
      { [status.requestIdField]: query.deliveryId },
      call,
    );
    if (!answer.ok) {
      const fault = extractFault(answer.error);
      if (fault && this.notFound.test(fault.code)) return undefined;
      const outcome = this.failureOutcome(answer.error, call);
      throw new SoapStatusError(`status query failed: ${outcome.reason}`, outcome);
    }
    const report: DepartmentStatusReport | undefined = readStatus(query.deliveryId, answer.result, status);
    if (!report) {
      const reason = `status response lacks ${status.statusField}`;
      throw new SoapStatusError(reason, {
        kind: 'transient',
        reason,
        errorClass: SoapErrorClass.BAD_RESPONSE,
      });
    }
    return report;
  };

  /** Reachability only: any HTTP answer but 502/503/504 from the endpoint counts as up. */
  async healthCheck(signal: AbortSignal): Promise<AdapterHealth> {
    try {
      const status = await this.transport.probe(this.loaded.endpoint, signal);
      return { ok: status !== 502 && status !== 503 && status !== 504, detail: `HTTP ${status}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  /** The fast path where it applies; node-soap builds what it cannot and reads what it cannot read. */
  private async invoke(operation: string, args: object, call: SoapCall): Promise<CallResult> {
    let request;
    try {
      request = this.fastPath.request(operation, args);
    } catch {
      request = undefined; // never worse than node-soap: it builds the envelope instead
    }
    if (!request) return this.invokeNodeSoap(operation, args, call);
    let response;
    try {
      response = await this.transport.post(this.loaded.endpoint, request.envelope, request.headers, call);
    } catch (error) {
      return { ok: false, error }; // what node-soap passes on from the transport, unchanged
    }
    let answer: CallResult | undefined;
    try {
      answer = this.fastPath.read(operation, response.data);
    } catch {
      answer = undefined;
    }
    if (answer) return answer;
    // node-soap reads this response itself: it builds the same envelope, and gets the answer instead of sending.
    call.replay = response;
    return this.invokeNodeSoap(operation, args, call);
  }

  /** Settles with node-soap's error as data: it may be a non-Error object (its "Invalid XML" pseudo-fault). */
  private invokeNodeSoap(operation: string, args: object, call: SoapCall): Promise<CallResult> {
    const method: SoapMethod = this.loaded.methods[operation];
    return new Promise((resolve) => {
      call.fail = (error) => resolve({ ok: false, error });
      try {
        method(
          args,
          (error: unknown, result: unknown) => resolve(error ? { ok: false, error } : { ok: true, result }),
          {
            [SOAP_CALL_OPTION]: call,
          },
        );
      } catch (error) {
        resolve({ ok: false, error }); // node-soap throws while building the envelope
      }
    });
  }

  private receiptOutcome(result: unknown, call: SoapCall): DeliveryOutcome {
    const reading = readReceipt(result, this.options.receipt);
    switch (reading.kind) {
      case 'accepted':
        return delivered({ reference: reading.reference, fields: reading.fields }, call.exchange());
      case 'refused':
        return permanent(reading.message, { errorClass: SoapErrorClass.REJECTED, exchange: call.exchange() });
      case 'unreadable':
        return transient(reading.reason, {
          errorClass: SoapErrorClass.BAD_RESPONSE,
          exchange: call.exchange(),
        });
    }
  }

  private failureOutcome(error: unknown, call: SoapCall): Outcome<'transient'> | Outcome<'permanent'> {
    if (error instanceof SoapCallFailure) {
      const extra = { errorClass: error.errorClass, exchange: call.exchange() };
      return error.kind === 'permanent'
        ? (permanent(error.message, extra) as Outcome<'permanent'>)
        : (transient(error.message, { ...extra, ...error.extra }) as Outcome<'transient'>);
    }
    const fault = extractFault(error);
    if (fault) {
      call.faultCode = fault.code;
      const reason = `${fault.code}: ${fault.message}`;
      const extra = { errorClass: SoapErrorClass.FAULT, exchange: call.exchange() };
      return this.classifier.classify(fault) === 'permanent'
        ? (permanent(reason, extra) as Outcome<'permanent'>)
        : (transient(reason, extra) as Outcome<'transient'>);
    }
    if (call.sent === undefined) {
      // node-soap could not build the envelope from the mapped message: resending cannot help.
      const reason = `cannot build the SOAP request: ${error instanceof Error ? error.message : String(error)}`;
      return permanent(reason, { errorClass: SoapErrorClass.REQUEST }) as Outcome<'permanent'>;
    }
    // Anything else came out of node-soap's parser (its "Invalid XML" pseudo-fault included).
    const status = call.httpStatus ?? 0;
    const reason =
      status >= 500
        ? `HTTP ${status} with an unparseable body`
        : `unparseable SOAP response (HTTP ${status})`;
    const errorClass = status >= 500 ? SoapErrorClass.HTTP_STATUS : SoapErrorClass.BAD_RESPONSE;
    return transient(reason, { errorClass, exchange: call.exchange() }) as Outcome<'transient'>;
  }

  private logOutcome(request: DeliveryRequest, outcome: DeliveryOutcome, call: SoapCall): void {
    // Never the bodies: they hold personal data, and a hostile response may carry anything.
    const fields = {
      department: this.context.department.code,
      deliveryId: request.deliveryId,
      attempt: request.attempt,
      outcome: outcome.kind,
      httpStatus: call.httpStatus,
      faultCode: call.faultCode,
    };
    if (outcome.kind === 'delivered' || outcome.kind === 'queued') {
      this.context.log('debug', 'soap delivery accepted', fields);
    } else {
      const extra = { ...fields, errorClass: outcome.errorClass, reason: outcome.reason };
      this.context.log('warn', 'soap delivery not accepted', {
        ...extra,
        ambiguous: outcome.kind === 'transient' ? outcome.ambiguous : undefined,
      });
    }
  }
}
