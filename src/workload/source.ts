/**
 * A workload file read into plain data, with the line:col of every key and value (so an issue
 * found later by path points at the right place) and ${ENV} substituted in string values.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  Scalar,
} from 'yaml';
import type { SpecIssue } from '../protocol/errors.js';
import { type EnvSubstitution, substituteEnv } from './env.js';
import { type FieldPath, formatPath, pathKey } from './paths.js';

export interface Place {
  readonly line: number;
  readonly col: number;
}

export interface SourceFile {
  readonly fileName: string;
  readonly data: unknown;
  /** Where the value at a path starts (the key, when the value is empty). */
  readonly values: ReadonlyMap<string, Place>;
  /** Where the key of a map entry is. */
  readonly keys: ReadonlyMap<string, Place>;
  /** How each string value was written (for secrets: only `${NAME}` is allowed). */
  readonly forms: ReadonlyMap<string, EnvSubstitution['form']>;
  /** Unquoted values made by ${ENV}: text that may need typing (a port, a rate) once the schema is known. */
  readonly typedLater: readonly FieldPath[];
  /** ${ENV} problems (YAML problems are thrown before). */
  readonly issues: readonly SpecIssue[];
}

/** Parses YAML with positions; YAML errors come back as issues and no data. */
export function readSource(
  text: string,
  fileName: string,
  env: Readonly<Record<string, string | undefined>>,
): SourceFile | { yamlIssues: SpecIssue[] } {
  const lineCounter = new LineCounter();
  // merge: `<<: *anchor` shares op fields, as most YAML tools allow
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const placeOf = (offset: number): Place => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  if (doc.errors.length > 0) {
    return {
      yamlIssues: doc.errors.map((error) => ({
        code: 'BP_SPEC_YAML',
        file: fileName,
        ...placeOf(error.pos[0]),
        path: '',
        message:
          error.code === 'MULTIPLE_DOCS'
            ? 'not valid YAML for a workload: expected one document, found a second after ---'
            : yamlMessage(error.message),
      })),
    };
  }
  const walker = new Walker(fileName, env, placeOf);
  walker.walk(doc.contents as Node | null, [], { line: 1, col: 1 });
  let data: unknown;
  try {
    data = (doc as Document).toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return {
      yamlIssues: [
        {
          code: 'BP_SPEC_YAML',
          file: fileName,
          line: 1,
          col: 1,
          path: '',
          message: yamlMessage(String(error)),
        },
      ],
    };
  }
  return {
    fileName,
    data: data ?? undefined,
    values: walker.values,
    keys: walker.keys,
    forms: walker.forms,
    typedLater: walker.typedLater,
    issues: walker.issues,
  };
}

function yamlMessage(message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/^\w*Error: /, '').replace(/\.$/, '');
  return `not valid YAML: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}

class Walker {
  readonly values = new Map<string, Place>();
  readonly keys = new Map<string, Place>();
  readonly forms = new Map<string, EnvSubstitution['form']>();
  readonly typedLater: FieldPath[] = [];
  readonly issues: SpecIssue[] = [];

  constructor(
    readonly fileName: string,
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly placeOf: (offset: number) => Place,
  ) {}

  walk(node: Node | null, path: FieldPath, fallback: Place): void {
    const place = node?.range ? this.placeOf(node.range[0]) : fallback;
    this.values.set(pathKey(path), place);
    if (!node || isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const childPath = [...path, String(pair.key.value)];
        const keyPlace = pair.key.range ? this.placeOf(pair.key.range[0]) : place;
        this.keys.set(pathKey(childPath), keyPlace);
        this.walk(pair.value as Node | null, childPath, keyPlace);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        this.walk(item as Node | null, [...path, index], place);
      });
    } else if (isScalar(node) && typeof node.value === 'string') {
      this.substitute(node, path, place);
    }
  }

  substitute(node: Scalar, path: FieldPath, place: Place): void {
    const result = substituteEnv(node.value as string, this.env);
    this.forms.set(pathKey(path), result.form);
    for (const name of result.missing) {
      this.issues.push({
        code: 'BP_SPEC_ENV_MISSING',
        file: this.fileName,
        ...place,
        path: formatPath(path),
        message: `uses \${${name}}, which is not set; set ${name} in the environment or write \${${name}:-default}`,
      });
    }
    if (result.malformed !== undefined) {
      this.issues.push({
        code: 'BP_SPEC_INVALID_VALUE',
        file: this.fileName,
        ...place,
        path: formatPath(path),
        message: `has ${result.malformed}: expected \${NAME} or \${NAME:-default} (write $\${ for a literal \${)`,
      });
    }
    if (!result.substituted && result.value === node.value) return;
    node.value = result.value;
    if (result.substituted && node.type === Scalar.PLAIN) this.typedLater.push(path);
  }
}
