import { join } from 'node:path';
import { MappingRegistry } from '../../src/mappings/mapping-registry';
import { RegionTable } from '../../src/regions/region-table';

const registry = MappingRegistry.load(join(__dirname, '../../config'), RegionTable.load());

describe('shipped reverse mappings', () => {
  it.each([
    ['01', 'ACCEPTED'],
    ['02', 'PROCESSING'],
    ['03', 'APPROVED'],
    ['04', 'REJECTED'],
  ])('HRSS status %s → %s', async (code, status) => {
    const result = await registry
      .reverse('hrss-unemployment-status')
      .map({ status: code, businessNo: 'SY1' }, { deliveryId: 'd-1' });
    expect(result).toEqual({ ok: true, message: { deliveryId: 'd-1', status, reference: 'SY1' } });
  });

  it('HRSS receipt: 0000 is acceptance, anything else a refusal with the message', async () => {
    const receipt = registry.reverse('hrss-unemployment-receipt');
    expect(await receipt.map({ resultCode: '0000', businessNo: 'SY1' })).toEqual({
      ok: true,
      message: { status: 'ACCEPTED', reference: 'SY1' },
    });
    expect(await receipt.map({ resultCode: '1001', resultMessage: '证件号码已登记' })).toEqual({
      ok: true,
      message: { status: 'REJECTED', remark: '证件号码已登记' },
    });
  });

  it.each([
    ['已受理', 'ACCEPTED'],
    ['审核中', 'PROCESSING'],
    ['已批准', 'APPROVED'],
    ['不予批准', 'REJECTED'],
  ])('CIVIL status %s → %s', async (text, status) => {
    const result = await registry.reverse('civil-dibao-status').map({ application_no: 'MZ-1', status: text });
    expect(result).toEqual({ ok: true, message: { status, reference: 'MZ-1' } });
  });

  it.each([
    ['RECEIVED', 'ACCEPTED'],
    ['IN_REVIEW', 'PROCESSING'],
    ['DONE', 'APPROVED'],
    ['REFUSED', 'REJECTED'],
  ])('HEALTH state %s → %s', async (state, status) => {
    const result = await registry
      .reverse('health-birth-status')
      .map({ registrationNo: 'SC-1', state, doneAt: '2026-11-22T03:15:00Z' });
    expect(result).toEqual({
      ok: true,
      message: { status, reference: 'SC-1', finishedAt: '2026-11-22T11:15:00+08:00' },
    });
  });

  it.each([
    ['01', { status: 'ACCEPTED' }],
    ['02', { status: 'RESEND', resend: true }],
    ['03', { status: 'REJECTED' }],
    ['04', { status: 'APPROVED' }],
  ])('DPF result row %s → %j', async (code, expected) => {
    const row = { 流水号: 'd-9', 处理结果: code, 业务编号: '', 备注: '', 处理时间: '2026-11-27 09:12:00' };
    const result = await registry.reverse('dpf-subsidy-result').map(row);
    expect(result).toEqual({
      ok: true,
      message: { deliveryId: 'd-9', finishedAt: '2026-11-27T09:12:00+08:00', ...expected },
    });
  });

  it('reports every problem of a row, and never guesses a status', async () => {
    const result = await registry
      .reverse('dpf-subsidy-result')
      .map({ 处理结果: '9', 处理时间: '27/11/2026' });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'deliveryId', reason: 'is required, but 流水号 gave no value', code: 'REQUIRED' },
        {
          field: 'status',
          reason: 'code table dpf-result@1 has no entry for department value "9"',
          code: 'CODE_TABLE_MISS',
        },
        {
          field: 'finishedAt',
          reason: '"27/11/2026" is not a date-time in yyyy-MM-dd HH:mm:ss',
          code: 'EXPRESSION',
        },
      ],
    });
  });

  it('refuses input that is not an object without throwing', async () => {
    const result = await registry.reverse('civil-dibao-status').map('not json');
    expect(result).toMatchObject({ ok: false, errors: [{ field: 'status', code: 'REQUIRED' }] });
  });
});
