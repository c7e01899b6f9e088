/**
 * Handler ids as Kopf forms them: `options.id`, else the function's name; `/spec.field` appended for field
 * handlers (also to an explicit id, as Kopf); `parent/child` for sub-handlers. An anonymous function without an id is a registration error.
 * {@link checkStorableId} refuses, at registration, an id that cannot name a progress annotation.
 * Used by src/on.ts. No I/O.
 */
import type { FieldPath } from '../model/dicts.ts';
import { makeV2Key } from '../model/annotations.ts';

/** The id of a handler being registered. */
export function handlerId(
  fn: (...args: any[]) => unknown,
  options: { id?: string | undefined },
  field: FieldPath | null,
  what: string,
  parent?: string,
): string {
  let id = options.id;
  if (id === undefined || id === '') {
    const name = fn.name;
    if (!name || name === 'anonymous' || name.startsWith('bound ')) {
      throw new TypeError(
        `An anonymous ${what} handler needs an id: pass { id: 'my_handler' } in the options, or use a named function (async function my_handler(…) {…}).`,
      );
    }
    id = name;
  }
  if (field && field.length) id = `${id}/${field.join('.')}`;
  return parent ? `${parent}/${id}` : id;
}

/** What the API server accepts as an annotation name (after the prefix): alphanumerics at both ends, `-_.` inside. */
const ANNOTATION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Throws a TypeError when handler `id` cannot name its progress annotation (`{prefix}/{id}`, with `/` → `.` and
 * `<`, `>` → `_`, long ids shortened as Kopf does): a non-ASCII character, a space, or `_`/`.`/`-` at either
 * end. Such an id would have every write of its handler's progress rejected by the API server, for ever.
 */
export function checkStorableId(id: string, what: string): void {
  const name = makeV2Key(id, 'p').slice(2);
  if (ANNOTATION_NAME.test(name)) return;
  throw new TypeError(
    `The ${what} id ${JSON.stringify(id)} cannot name its progress annotation ("${name}"): ids of change handlers ` +
      'may hold only ASCII letters, digits and "-_./<>", and must start and end with a letter or digit. Pass another { id }.',
  );
}
