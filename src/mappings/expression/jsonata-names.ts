/** JSONata 2.x's function library (jsonata.js staticFrame), minus what mappings must not use. */
export const JSONATA_FUNCTIONS: ReadonlySet<string> = new Set(
  (
    'sum count max min average string substring substringBefore substringAfter lowercase uppercase ' +
    'length trim pad match contains replace split join formatNumber formatBase formatInteger ' +
    'parseInteger number floor ceil round abs sqrt power boolean not map zip filter single reduce ' +
    'sift keys lookup append exists spread merge reverse each error assert type sort distinct ' +
    'base64encode base64decode encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl toMillis ' +
    'fromMillis clone'
  ).split(' '),
);

/** Refused at start-up, with the reason shown to the mapping's author. */
export const FORBIDDEN_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['now', 'is not repeatable (a retry would send another value); use $ctx.now'],
  ['millis', 'is not repeatable (a retry would send another value); use $ctx.now'],
  ['random', 'is not repeatable; mappings must give the same message for the same case'],
  ['shuffle', 'is not repeatable; mappings must give the same message for the same case'],
  ['eval', 'evaluates text as code, which start-up checks cannot see'],
]);
