/** A DPF inbox record as the shipped mapping produces it (docs/demo-departments.md), for tests and demos. */
export function dpfSampleRecord(
  deliveryId: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    流水号: deliveryId,
    姓名: '朱镕基',
    证件号码: '11010519491231002X',
    性别: '1',
    出生日期: '19491231',
    残疾证号: '11010519491231002X42',
    残疾类别: '4',
    残疾等级: '2',
    补贴类型: '3',
    联系电话: '13800138000',
    行政区划: '110105000000',
    受理日期: '20250301',
    ...overrides,
  };
}
