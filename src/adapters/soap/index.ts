export * from './soap.adapter';
export * from './soap-adapter.options';
export { SoapCall, SoapCallFailure, SoapErrorClass } from './soap-call';
export { extractFault, SoapFaultClassifier, type SoapFaultInfo } from './soap-fault-classifier';
export { decodeXml, detectCharset } from './xml-charset';
export { findXmlHazard } from './xml-safety';
