const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface MissingVariable {
  path: string;
  variable: string;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree, so secrets stay in
 * the environment. Returns the variables that were unset and had no default.
 */
export function interpolateEnvironment(
  tree: unknown,
  env: NodeJS.ProcessEnv,
  path = '',
  missing: MissingVariable[] = [],
): { value: unknown; missing: MissingVariable[] } {
  if (typeof tree === 'string') {
    const value = tree.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push({ path, variable: name });
      return '';
    });
    return { value, missing };
  }
  if (Array.isArray(tree)) {
    return {
      value: tree.map((item, i) => interpolateEnvironment(item, env, `${path}[${i}]`, missing).value),
      missing,
    };
  }
  if (tree !== null && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(tree)) {
      out[key] = interpolateEnvironment(item, env, path ? `${path}.${key}` : key, missing).value;
    }
    return { value: out, missing };
  }
  return { value: tree, missing };
}
