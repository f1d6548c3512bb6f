import { describeMessage, type Leaf, withPlaceholders } from './message-shape';
import { escapeXmlText } from './xml-escape';

/** node-soap's envelope for a message, with `security` where its Security header goes; undefined if it cannot. */
export type EnvelopeRenderer = (message: object, security: string) => string | undefined;

/** Private-use characters: never in a WSDL's names or namespaces, left alone by node-soap's escaping. */
const LEAF_OPEN = '\uE000';
const LEAF_CLOSE = '\uE001';
const SECURITY_MARK = '\uE002';
const SLOTS = /\uE000(\d+)\uE001|\uE002/g;
const SECURITY_SLOT = -1;
/** Distinct message shapes compiled per operation; mapped messages of one mapping have a handful. */
const MAX_SHAPES = 128;

function leafText(leaf: Leaf): string {
  return typeof leaf === 'string' ? escapeXmlText(leaf) : String(leaf);
}

/** One message shape's envelope: literal text from node-soap, with slots for the leaves and the header. */
class EnvelopeTemplate {
  constructor(
    private readonly literals: string[],
    private readonly slots: number[],
  ) {}

  static parse(rendered: string, leafCount: number, withSecurity: boolean): EnvelopeTemplate | undefined {
    const literals: string[] = [];
    const slots: number[] = [];
    const seen = new Set<number>();
    let last = 0;
    for (const match of rendered.matchAll(SLOTS)) {
      const slot = match[1] === undefined ? SECURITY_SLOT : Number(match[1]);
      if (seen.has(slot) || slot >= leafCount) return undefined;
      seen.add(slot);
      literals.push(rendered.slice(last, match.index));
      slots.push(slot);
      last = match.index + match[0].length;
    }
    literals.push(rendered.slice(last));
    // Every leaf exactly once (node-soap writes each value once), the header once if there is one.
    return seen.size === leafCount + (withSecurity ? 1 : 0) && seen.has(SECURITY_SLOT) === withSecurity
      ? new EnvelopeTemplate(literals, slots)
      : undefined;
  }

  fill(leaves: Leaf[], security: string): string {
    let out = this.literals[0];
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      out += (slot === SECURITY_SLOT ? security : leafText(leaves[slot])) + this.literals[i + 1];
    }
    return out;
  }
}

/**
 * Envelope templates of one operation, one per message shape. The first message of a shape is
 * rendered by node-soap twice — once with placeholders for its values, once as is — and the
 * template is kept only if filling it gives node-soap's envelope exactly; otherwise (and for
 * messages describeMessage refuses) `build` answers undefined and the caller uses node-soap.
 */
export class EnvelopeTemplates {
  private readonly templates = new Map<string, EnvelopeTemplate | null>();

  constructor(
    private readonly render: EnvelopeRenderer,
    private readonly withSecurity: boolean,
  ) {}

  /** The envelope for `message` with `security()` as its Security header (not called without one), or undefined. */
  build(message: object, security: () => string): string | undefined {
    const shape = describeMessage(message);
    if (!shape) return undefined;
    let template = this.templates.get(shape.signature);
    if (template === undefined) {
      if (this.templates.size >= MAX_SHAPES) return undefined;
      template = this.compile(message, shape.leaves) ?? null;
      this.templates.set(shape.signature, template);
    }
    return template ? template.fill(shape.leaves, this.withSecurity ? security() : '') : undefined;
  }

  private compile(message: object, leaves: Leaf[]): EnvelopeTemplate | undefined {
    const probe = withPlaceholders(message, (index) => `${LEAF_OPEN}${index}${LEAF_CLOSE}`);
    const rendered = this.render(probe, SECURITY_MARK);
    const template =
      rendered === undefined ? undefined : EnvelopeTemplate.parse(rendered, leaves.length, this.withSecurity);
    if (!template) return undefined;
    // Proof on the real values: the filled template must be node-soap's envelope, byte for byte.
    const expected = this.render(message, SECURITY_MARK);
    return expected !== undefined && template.fill(leaves, SECURITY_MARK) === expected ? template : undefined;
  }
}
