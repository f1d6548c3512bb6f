import { maskIdNumber, maskName, maskPhone, scrubPersonalData } from '../../src/common/masking';

describe('maskIdNumber', () => {
  it('keeps the first and last four characters', () => {
    expect(maskIdNumber('510104199001011234')).toBe('5101**********1234');
    expect(maskIdNumber('51010419900101123X')).toBe('5101**********123X');
  });

  it('fully masks values too short to keep both ends', () => {
    expect(maskIdNumber('12345678')).toBe('********');
    expect(maskIdNumber('')).toBe('');
  });
});

describe('maskName', () => {
  it('keeps the first character and stars the rest, one per code point', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('𠮷野家')).toBe('𠮷**');
    expect(maskName('王𠮷')).toBe('王*');
  });

  it('drops name separators so the structure of the name is not revealed', () => {
    expect(maskName('阿依古丽·买买提')).toBe('阿******');
    expect(maskName('John Smith')).toBe('J********');
  });

  it('handles empty and single-character input', () => {
    expect(maskName('')).toBe('');
    expect(maskName('张')).toBe('张');
  });
});

describe('maskPhone', () => {
  it('keeps the first three and last four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('1234567')).toBe('*******');
  });
});

describe('scrubPersonalData', () => {
  it('masks ID numbers and mobile numbers inside free text', () => {
    expect(scrubPersonalData('申请人身份证号510104199001011234，电话13812345678。')).toBe(
      '申请人身份证号5101**********1234，电话138****5678。',
    );
    expect(scrubPersonalData('id=51010419900101123x phone: 19912345678')).toBe(
      'id=5101**********123x phone: 199****5678',
    );
  });

  it('masks IDs glued to letters, where \\b would miss them', () => {
    expect(scrubPersonalData('uid510104199001011234')).toBe('uid5101**********1234');
  });

  it('masks mobile numbers with a country code or grouping', () => {
    expect(scrubPersonalData('+8613812345678')).toBe('+86138****5678');
    expect(scrubPersonalData('+86 138-1234-5678')).toBe('+86 138-****-5678');
    expect(scrubPersonalData('call 138 1234 5678')).toBe('call 138 **** 5678');
  });

  it('leaves longer digit runs and non-mobile numbers alone', () => {
    const untouched = [
      '5101041990010112345', // 19 digits
      '213812345678', // mobile digits inside a longer run
      '12812345678', // 12x is not a mobile prefix
      'order 20240101123456 amount 100',
      '2024-01-01T00:00:00.000Z',
      '',
    ];
    for (const text of untouched) expect(scrubPersonalData(text)).toBe(text);
  });

  it('masks several occurrences', () => {
    expect(scrubPersonalData('13812345678/13987654321')).toBe('138****5678/139****4321');
  });
});
