import { Writable } from 'node:stream';
import { createLogger, scrubLogLine } from '../../src/common/logging/logger';
import { PinoNestLogger } from '../../src/common/logging/nest-logger';

const ID = '510104199001011234';
const PHONE = '13812345678';
const NAME = '阿依古丽·买买提';

function memoryLogger(level = 'trace') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, name: 'test', destination });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function expectClean(text: string): void {
  expect(text).not.toContain(ID);
  expect(text).not.toContain(PHONE);
  expect(text).not.toContain(NAME);
}

describe('createLogger', () => {
  it('redacts applicant fields and scrubs IDs and phones from the message', () => {
    const { logger, lines, records } = memoryLogger();
    const applicant = { name: NAME, idNumber: ID, phone: PHONE, district: '锦江区' };
    logger.info({ applicant, case: { applicant } }, `申请人 ${ID} 手机 ${PHONE} 已受理`);

    expect(lines).toHaveLength(1);
    expectClean(lines[0]);
    const [record] = records();
    expect(record).toMatchObject({
      service: 'tongban',
      name: 'test',
      msg: '申请人 5101**********1234 手机 138****5678 已受理',
      applicant: { name: '[REDACTED]', idNumber: '[REDACTED]', phone: '[REDACTED]', district: '锦江区' },
      case: { applicant: { name: '[REDACTED]', idNumber: '[REDACTED]', phone: '[REDACTED]' } },
    });
    expect(record.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // The caller's object is left as it was.
    expect(applicant.idNumber).toBe(ID);
  });

  it('redacts credentials', () => {
    const { logger, lines } = memoryLogger();
    logger.info({
      req: { headers: { authorization: 'Bearer s3cr3t' } },
      upstream: { clientSecret: 'cs', apiKey: 'ak' },
    });
    expect(lines[0]).not.toMatch(/s3cr3t|"cs"|"ak"/);
  });

  it('scrubs interpolated values, error messages, stacks and deep free text', () => {
    const { logger, lines, records } = memoryLogger();
    logger.warn('lookup for %s failed (%d)', ID, 13812345678);
    const error = new Error(`upstream rejected ${ID}`, { cause: new Error(`phone ${PHONE} invalid`) });
    logger.error(error);
    logger.error({ err: error, detail: { response: { body: [`{"sfzh":"${ID}"}`] } } }, 'delivery failed');
    logger.child({ caller: `phone ${PHONE}` }).info('child');

    lines.forEach(expectClean);
    const [warn, bare, wrapped] = records();
    expect(warn.msg).toBe('lookup for 5101**********1234 failed (138****5678)');
    expect(bare.msg).toBe('upstream rejected 5101**********1234');
    expect(bare.err).toMatchObject({ type: 'Error', message: expect.stringContaining('5101**********1234') });
    expect((wrapped.err as { stack: string }).stack).toContain('upstream rejected 5101**********1234');
  });
});

describe('scrubLogLine', () => {
  it('keeps lines valid JSON, masking numeric phones and IDs as strings', () => {
    const record = { mobile: 13812345678, ratio: 0.13812345678, quoted: `say "${PHONE}"`, [ID]: [ID, 1] };
    const scrubbed = scrubLogLine(JSON.stringify(record));
    expect(scrubbed).not.toContain(ID);
    expect(scrubbed).not.toContain(`:${PHONE}`);
    expect(JSON.parse(scrubbed)).toEqual({
      mobile: '138****5678',
      ratio: 0.13812345678,
      quoted: 'say "138****5678"',
      '5101**********1234': ['5101**********1234', 1],
    });
  });

  it('returns lines without personal data unchanged', () => {
    const line = '{"level":30,"time":"2024-01-01T00:00:00.000Z","msg":"ok","n":12345678901234}';
    expect(scrubLogLine(line)).toBe(line);
  });
});

describe('PinoNestLogger', () => {
  it('writes Nest logs as JSON with context, stack and level mapping', () => {
    const { logger, lines, records } = memoryLogger();
    const nest = new PinoNestLogger(logger, 'Default');
    nest.log(`started for ${PHONE}`, 'Bootstrap');
    nest.error('handler failed', 'Error: boom\n    at handler (app.ts:1:2)', 'ExceptionsHandler');
    nest.warn({ event: 'slow', ms: 1200 });
    nest.verbose('details');
    nest.error(new Error(`bad ${ID}`));

    lines.forEach(expectClean);
    const [log, error, warn, verbose, errorObject] = records();
    expect(log).toMatchObject({ level: 30, context: 'Bootstrap', msg: 'started for 138****5678' });
    expect(error).toMatchObject({ level: 50, context: 'ExceptionsHandler', msg: 'handler failed' });
    expect(error.stack).toContain('at handler');
    expect(warn).toMatchObject({ level: 40, context: 'Default', event: 'slow', ms: 1200 });
    expect(verbose).toMatchObject({ level: 10, msg: 'details' });
    expect(errorObject).toMatchObject({ level: 50, msg: 'bad 5101**********1234' });
  });

  it('follows Nest log levels', () => {
    const { logger, lines } = memoryLogger();
    const nest = new PinoNestLogger(logger);
    nest.setLogLevels(['warn', 'error', 'fatal']);
    nest.log('hidden');
    nest.warn('shown');
    expect(lines).toHaveLength(1);
  });
});
