/**
 * Test kit for department IT teams: real department simulators that record what they received,
 * and a TCP fault proxy for network faults. Use them in a custom adapter's tests the way
 * test/e2e/custom-adapter.e2e.spec.ts does.
 */
export { TcpFaultProxy, type FaultMode } from './tcp-fault-proxy';
export { ConnectProxy } from './connect-proxy';
export { CivilSimulator } from '../simulators/rest/civil.simulator';
export { HealthSimulator } from '../simulators/rest/health.simulator';
export { HrssSimulator } from '../simulators/soap/hrss.simulator';
export { DpfSimulator } from '../simulators/file-drop/dpf.simulator';
export { FixedLengthSimulator } from '../simulators/tcp/fixed-length.simulator';
export { delivered, permanent, transient } from '../adapters/sdk/delivery-outcome';
